"""The background jobs of the registry (`run_task` hooks): each queues real work for the Celery
worker that `make bench` started (2 processes, the bench settings), waits for it through the
database, and returns its own figures. Earlier runs of the same scope are deleted first, so a job
is measured from scratch every time.
"""

from __future__ import annotations

import os
import statistics
import time

POLL_S = 0.2


def _wait(run_ids: list[int], *, timeout_s: float) -> dict[str, int]:
    """Wait until every run is done or failed; their count per status."""
    from reporting.models import ReportRun

    deadline = time.monotonic() + timeout_s
    final = {ReportRun.Status.DONE, ReportRun.Status.FAILED}
    while True:
        statuses = list(ReportRun.objects.filter(pk__in=run_ids).values_list("status", flat=True))
        if all(status in final for status in statuses) or time.monotonic() > deadline:
            return {status: statuses.count(status) for status in set(statuses)}
        time.sleep(POLL_S)


def _forget(runs) -> None:
    """Delete runs (and what they froze) so that the next request generates again."""
    from reporting.models import HighlightReport

    runs = list(runs)
    for run in runs:
        if run.file:
            run.file.delete(save=False)
    HighlightReport.objects.filter(run__in=runs).delete()
    for run in runs:
        run.delete()


def copil_pack(ctx) -> dict:
    """The steering committee pack of the benchmark programme closest to 50 projects, generated
    BENCH_COPIL_PACKS times in a row (default 3): the first one in a worker that has just started
    (its chart browser warming up), the next ones as a PMO officer gets them later. `total_s` is
    their median, request to file; each pack's time is listed."""
    from django.db.models import Count, Func, IntegerField, Value

    from portfolio.models import Programme
    from reporting.models import ReportRun
    from reporting.services import request_run

    programme = (
        Programme.objects.filter(portfolio__code__startswith="bench-")
        .annotate(n=Count("projects"))
        .annotate(distance=Func(Value(50) - Count("projects"), function="ABS", output_field=IntegerField()))
        .order_by("distance", "code")
        .first()
    )
    packs = []
    for _ in range(max(1, int(os.environ.get("BENCH_COPIL_PACKS", "3")))):
        _forget(ReportRun.objects.filter(kind=ReportRun.Kind.STEERING, programme=programme))
        started = time.perf_counter()
        run, _queued = request_run(actor=None, kind=ReportRun.Kind.STEERING, programme=programme)
        statuses = _wait([run.pk], timeout_s=600)
        total = time.perf_counter() - started
        run.refresh_from_db()
        if run.status != ReportRun.Status.DONE:
            raise RuntimeError(f"the pack did not finish: {statuses} {run.error}")
        packs.append(
            {
                "total_s": round(total, 2),
                "generation_s": round((run.finished_at - run.started_at).total_seconds(), 2),
            }
        )
    return {
        "total_s": round(statistics.median(p["total_s"] for p in packs), 2),
        "first_s": packs[0]["total_s"],
        "packs": packs,
        "projects": programme.n,
        "pages": run.page_count,
        "size_kib": round(run.file_size / 1024),
    }


def highlight_batch(ctx) -> dict:
    """This week's highlight report of the first BENCH_HIGHLIGHTS active benchmark projects
    (default: all of them), queued as the Friday task does, one run per project."""
    from projects.models import Project
    from reporting.models import ReportRun
    from reporting.services import request_run

    limit = int(os.environ.get("BENCH_HIGHLIGHTS", "0")) or None
    projects = list(
        Project.objects.filter(
            portfolio__code__startswith="bench-", state=Project.State.ACTIVE, archived_at__isnull=True
        ).order_by("code")[:limit]
    )
    runs = ReportRun.objects.filter(kind=ReportRun.Kind.HIGHLIGHT, project__in=projects)
    _forget(runs.order_by("-pk"))
    started = time.perf_counter()
    ids = [request_run(actor=None, kind=ReportRun.Kind.HIGHLIGHT, project=p)[0].pk for p in projects]
    queued = time.perf_counter() - started
    statuses = _wait(ids, timeout_s=3600)
    total = time.perf_counter() - started
    durations = [
        (finished - begun).total_seconds()
        for begun, finished in ReportRun.objects.filter(pk__in=ids, status=ReportRun.Status.DONE).values_list(
            "started_at", "finished_at"
        )
    ]
    return {
        "total_s": round(total, 1),
        "reports": len(ids),
        "done": statuses.get(ReportRun.Status.DONE, 0),
        "failed": statuses.get(ReportRun.Status.FAILED, 0),
        "queued_in_s": round(queued, 1),
        "per_report_s": round(total / max(len(ids), 1), 3),
        "generation_median_s": round(statistics.median(durations), 3) if durations else None,
        "reports_per_minute": round(len(durations) / total * 60, 1) if total else None,
    }
