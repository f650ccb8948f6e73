"""The benchmark harness itself: its registry follows the URLs, its middleware counts what Django
runs and is active only in the bench settings, its writers put the database back, its verdicts
and its smoke comparison fail when they should."""

from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from benchmarks import report, smoke
from benchmarks.client import percentile
from benchmarks.operations import MAX_QUERIES, OPERATIONS, Context
from benchmarks.writers import MARK, ApiSubmitWriter, FormSubmitWriter
from pmo.core.periods import week_start
from projects.models import Project, StatusReport
from tests.factories import ProjectFactory

BENCH_MIDDLEWARE = "benchmarks.middleware.QueryCountMiddleware"
# Registered for features other issues are building: they may not exist yet.
LATER = {"capacity", "copil-pack", "highlight-batch"}


def _context(world) -> Context:
    today = date.today()
    return Context(
        today=today,
        monday=week_start(today),
        pmo_username="pmo_a",
        pm_username="pm_a",
        portfolio_id=world.portfolio_a.pk,
        project_id=world.a1.pk,
        projects_visible=2,
        user_ids={"pmo_a": world.users["pmo_a"].pk, "pm_a": world.users["pm_a"].pk},
    )


def test_registry_keys_are_unique_and_every_built_operation_resolves(world):
    ctx = _context(world)
    keys = [op.key for op in OPERATIONS]
    assert len(keys) == len(set(keys))
    missing = {op.key: op.missing(ctx) for op in OPERATIONS if op.key not in LATER}
    assert {key: why for key, why in missing.items() if why} == {}
    assert all(op.targets.max_queries in (None, MAX_QUERIES) for op in OPERATIONS)


def test_query_count_middleware_is_active_only_in_the_bench_settings(world, client_for):
    from pmo.settings import base, test

    assert BENCH_MIDDLEWARE not in base.MIDDLEWARE
    assert BENCH_MIDDLEWARE not in test.MIDDLEWARE
    client = client_for("pmo_a")
    middleware = [BENCH_MIDDLEWARE, *settings.MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware), CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/projects/{world.a1.pk}/qcdr/")
    assert response.status_code == 200
    executed = [q for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert int(response["X-Bench-Queries"]) == len(executed)
    assert float(response["X-Bench-Server-Ms"]) >= float(response["X-Bench-SQL-Ms"]) >= 0
    assert "app;dur=" in response["Server-Timing"]


def _send(client, request):
    return client.generic(
        request.method, request.path, data=request.body or b"", content_type=request.content_type or ""
    )


@pytest.mark.parametrize("writer_class", [ApiSubmitWriter, FormSubmitWriter])
def test_writers_submit_fresh_reports_and_restore_the_database(world, client_for, writer_class):
    for code in ("w1", "w2", "w3"):
        ProjectFactory(portfolio=world.portfolio_a, code=code, manager=world.users["pm_a"])
    ctx = _context(world)
    actor = world.users["pmo_a"]
    before = StatusReport.objects.count()
    latest = dict(Project.objects.values_list("pk", "latest_report_id"))
    writer = writer_class()
    requests = writer.prepare(ctx, 2, actor=actor)
    assert len(requests) == 2
    client = client_for("pmo_a")
    statuses = [_send(client, request).status_code for request in requests]
    assert statuses == ([200, 200] if writer_class is ApiSubmitWriter else [302, 302])
    submitted = StatusReport.objects.filter(achievements=MARK, state=StatusReport.State.SUBMITTED)
    assert submitted.count() == 2
    assert writer.restore(actor=actor) >= 2
    assert StatusReport.objects.count() == before
    assert dict(Project.objects.values_list("pk", "latest_report_id")) == latest


def _row(p50=5.0, p95=8.0, queries=(4, 4), ratio=2.0, **targets):
    return {
        "key": "op",
        "label": "Op",
        "state": "measured",
        "targets": {"p50_ms": None, "p95_ms": None, "floor_ratio": None, "max_queries": 15, "total_s": None}
        | targets,
        "single": {
            "latency_ms": {"p50": p50, "p95": p95},
            "queries_min": queries[0],
            "queries_max": queries[1],
        },
        "floor_ratio": ratio,
    }


def test_verdicts_name_each_missed_target():
    assert report.check(_row(p50_ms=20, p95_ms=50, floor_ratio=10)) == []
    misses = report.check(
        _row(p50=25, p95=60, ratio=12, queries=(16, 17), p50_ms=20, p95_ms=50, floor_ratio=10)
    )
    assert misses == [
        "p50 25.0 ms > 20 ms",
        "p95 60.0 ms > 50 ms",
        "12.0× the SQL floor > 10×",
        "17 queries > 15",
        "query count varies (16–17)",
    ]


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 201)]
    assert percentile(values, 50) == 100.0
    assert percentile(values, 95) == 190.0
    assert percentile([], 50) is None


def test_smoke_fails_when_a_query_count_grows_or_passes_the_budget():
    def run(projects, **counts):
        return {
            "projects": projects,
            "operations": {k: {"state": "ok", "queries": v} for k, v in counts.items()},
        }

    assert smoke.compare([run(10, dashboard=6, project=13), run(40, dashboard=6, project=13)]) == []
    failures = smoke.compare([run(10, dashboard=6, project=16), run(40, dashboard=7, project=16)])
    assert failures == [
        "dashboard: 6 queries with 10 projects but 7 with 40 (the count grows with the data)",
        "project: 16 queries > 15",
    ]


def test_a_task_row_is_judged_on_its_total_time():
    from benchmarks.report import check

    row = {"state": "measured", "task": {"total_s": 6.2}, "targets": {"total_s": 5}}
    assert check(row) == ["6.2 s > 5 s"]
    assert check(row | {"task": {"total_s": 4.9}}) == []


def test_every_background_job_of_the_registry_has_its_hook():
    from benchmarks.operations import OPERATIONS

    jobs = [op for op in OPERATIONS if op.task is not None]
    assert {op.key for op in jobs} == {"copil-pack", "highlight-batch"}
    assert all(callable(op.run_task) for op in jobs)
