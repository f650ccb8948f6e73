"""Report runs: idempotent requests, generation with progress, failures, retries, the advisory lock,
the sweeper, distribution (e-mail + in-app), the pages, the API and a real worker through Redis."""

import subprocess
import time
from datetime import timedelta

import psycopg
import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pmo.celery import app
from pmo.core.models import Notification
from pmo.core.periods import week_start
from reporting import services, tasks
from reporting.generators import GENERATORS
from reporting.models import DistributionList, ReportRun
from tests.reporting import fake_generator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_generators(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for kind in list(GENERATORS):
        monkeypatch.setitem(GENERATORS, kind, "tests.reporting.fake_generator.generate")
    fake_generator.STATE.update(transient_failures=0, permanent=False, calls=0)
    monkeypatch.setattr(tasks, "backoff", lambda retries: 0)


def request_highlight(world, actor="pm_a", **kwargs):
    return services.request_run(
        actor=world.users[actor] if actor else None, kind="highlight", project=world.a1, **kwargs
    )


def run_now(run_id):
    """The task's body, as a worker runs it (synchronously, retries included)."""
    return tasks.generate_report.apply(args=[run_id]).get(disable_sync_subtasks=False)


def test_request_is_idempotent_per_kind_scope_and_period(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        run, queued = request_highlight(world)
        again, queued_again = request_highlight(world, actor="pmo_a")
    assert queued and not queued_again
    assert again.pk == run.pk
    assert len(callbacks) == 1  # one message sent, not two
    assert run.period == week_start(timezone.localdate())
    assert run.key == f"highlight:project-{world.a1.pk}:{run.period.isoformat()}"
    # another week is another run
    other, _ = request_highlight(world, period=run.period - timedelta(days=7))
    assert other.pk != run.pk


def test_only_allowed_people_request(world):
    with pytest.raises(PermissionDenied):
        request_highlight(world, actor="team")
    with pytest.raises(PermissionDenied):
        services.request_run(actor=world.users["team"], kind="steering", portfolio=world.portfolio_a)
    assert services.request_run(actor=world.users["pm_a"], kind="steering", portfolio=world.portfolio_a)[1]


def test_generation_stores_one_complete_file_and_distributes(world, django_capture_on_commit_callbacks):
    DistributionList.objects.create(
        portfolio=world.portfolio_a, kind="highlight", extra_emails="direction@example.com"
    )
    run, _ = request_highlight(world)
    with django_capture_on_commit_callbacks(execute=False):
        assert run_now(run.pk) == "done"
    run.refresh_from_db()
    assert run.status == "done" and run.progress == 100 and run.page_count == 1
    assert run.file.name.startswith(f"reports/highlight/{run.period:%Y/%m}/")
    data = run.file.read()
    assert data.startswith(b"%PDF") and len(data) == run.file_size
    import hashlib

    assert hashlib.sha256(data).hexdigest() == run.file_sha256
    # a second delivery of the message changes nothing
    assert run_now(run.pk) == "finished"
    assert fake_generator.STATE["calls"] == 1
    # distribution: once, PDF attached, sponsor + manager + PMO + the list's external address
    tasks.distribute_run.apply(args=[run.pk])
    tasks.distribute_run.apply(args=[run.pk])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "direction@example.com" in message.bcc
    assert world.users["sponsor"].email in message.bcc and world.users["pmo_a"].email in message.bcc
    assert message.attachments[0][2] == "application/pdf"
    assert Notification.objects.filter(recipient=world.users["sponsor"], key=f"run-{run.pk}").count() == 1


def test_permanent_failure_leaves_a_failed_run_without_file_and_tells_the_requester(world):
    fake_generator.STATE["permanent"] = True
    run, _ = request_highlight(world)
    assert run_now(run.pk) == "failed"
    run.refresh_from_db()
    assert run.status == "failed" and not run.file and "gabarit introuvable" in run.error
    assert Notification.objects.filter(
        recipient=world.users["pm_a"], title__startswith="Report failed"
    ).exists() or (
        Notification.objects.filter(recipient=world.users["pm_a"], key__startswith="run-failed").exists()
    )
    # asking again re-queues the failed run (the same row, not a second one)
    fake_generator.STATE["permanent"] = False
    again, queued = request_highlight(world)
    assert queued and again.pk == run.pk and again.status == "queued"


def test_transient_failures_are_retried_then_succeed(world):
    fake_generator.STATE["transient_failures"] = 3
    run, _ = request_highlight(world)
    run_now(run.pk)
    run.refresh_from_db()
    assert run.status == "done" and run.attempts == 4


def test_transient_failures_give_up_after_max_retries(world):
    fake_generator.STATE["transient_failures"] = 100
    run, _ = request_highlight(world)
    run_now(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and run.attempts == tasks.MAX_RETRIES + 1
    assert "moteur de rendu indisponible" in run.error


def test_a_duplicate_message_while_the_run_is_generated_does_nothing(world):
    run, _ = request_highlight(world)
    params = {
        k: v for k, v in connection.get_connection_params().items() if k in ("host", "port", "user", "dbname")
    }
    with psycopg.connect(**params) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [services.LOCK_CLASS, run.pk])
        assert run_now(run.pk) == "locked"
        other.execute("SELECT pg_advisory_unlock_all()")
    assert run_now(run.pk) == "done"


def test_sweeper_requeues_lost_and_orphaned_runs(world, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.generate_report, "delay", lambda run_id: sent.append(run_id))
    lost, _ = request_highlight(world)
    orphan, _ = request_highlight(world, period=lost.period - timedelta(days=7))
    fresh, _ = request_highlight(world, period=lost.period - timedelta(days=14))
    old = timezone.now() - timedelta(minutes=10)
    ReportRun.objects.filter(pk=lost.pk).update(enqueued_at=old)
    ReportRun.objects.filter(pk=orphan.pk).update(status="running", started_at=old)
    assert sorted(services.sweep()) == sorted([lost.pk, orphan.pk])
    assert fresh.pk not in sent


def test_progress_fragment_polls_until_finished(world, client_for):
    run, _ = request_highlight(world)
    client = client_for("pm_a")
    url = reverse("reporting:run-progress", kwargs={"pk": run.pk})
    ReportRun.objects.filter(pk=run.pk).update(status="running", progress=40, step="Graphiques")
    body = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in body and "Graphiques" in body and "width: 40%" in body
    run_now(run.pk)
    body = client.get(url).content.decode()
    assert "hx-trigger" not in body and reverse("reporting:run-download", kwargs={"pk": run.pk}) in body


def test_download_is_an_attachment_with_a_safe_name(world, client_for):
    run, _ = request_highlight(world)
    run_now(run.pk)
    response = client_for("sponsor").get(reverse("reporting:run-download", kwargs={"pk": run.pk}))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".pdf" in disposition and "/" not in disposition
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for("pm_b").get(reverse("reporting:run-download", kwargs={"pk": run.pk})).status_code == 404
    assert client_for("pm_a").get(f"/media/{run.file.name}").status_code == 404


def test_api_creates_then_finds_the_run(world, client_for):
    client = client_for("pmo_a")
    payload = {"kind": "steering", "portfolio": world.portfolio_a.pk}
    first = client.post("/api/v1/reports/", payload, content_type="application/json")
    second = client.post("/api/v1/reports/", payload, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and first.json()["status"] == "queued"
    assert first.json()["pdf_url"] is None
    run_now(first.json()["id"])
    detail = client.get(f"/api/v1/reports/{first.json()['id']}/").json()
    assert (
        detail["status"] == "done" and detail["progress"] == 100 and detail["pdf_url"].endswith("/download/")
    )
    assert client.get(detail["pdf_url"]).status_code == 200
    refused = client.post("/api/v1/reports/", {"kind": "exception"}, content_type="application/json")
    assert refused.status_code == 400 and "kind" in refused.json()


def test_run_request_page_validates_and_redirects(world, client_for):
    client = client_for("pmo_a")
    response = client.post(reverse("reporting:run-request"), {"kind": "steering"})
    assert response.status_code == 422 and "portefeuille" in response.content.decode().lower()
    response = client.post(
        reverse("reporting:run-request"), {"kind": "steering", "programme": world.programme_a.pk}
    )
    run = ReportRun.objects.get(kind="steering")
    assert response.status_code == 302 and response["Location"] == reverse(
        "reporting:run", kwargs={"pk": run.pk}
    )
    assert run.programme == world.programme_a and run.portfolio == world.portfolio_a


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_generates_the_run_through_redis(world, settings):
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        run, _ = request_highlight(world)  # autocommit: the message is sent at once
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in ("done", "failed"):
                break
            time.sleep(0.1)
    assert run.status == "done", run.error
    assert subprocess.run(["pdfinfo", run.file.path], capture_output=True, text=True).returncode == 0


def test_report_pages_run_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    """Runs list, run page, progress fragment, notification centre: the same count for 3 and 30 rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("pmo_a")

    def counts():
        first = ReportRun.objects.order_by("pk").first()
        urls = [
            reverse("reporting:runs"),
            reverse("reporting:home"),
            reverse("reporting:run", kwargs={"pk": first.pk}),
            reverse("reporting:run-progress", kwargs={"pk": first.pk}),
            reverse("notifications"),
        ]
        result = {}
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result[url] = len(queries)
        return result

    def grow(total):
        monday = week_start(timezone.localdate())
        have = ReportRun.objects.count()
        for index in range(have, total):
            request_highlight(world, period=monday - timedelta(weeks=index))
            Notification.objects.create(
                recipient=world.users["pmo_a"], kind="report", title=f"n{index}", key=f"k{index}"
            )

    grow(3)
    small = counts()
    grow(30)
    large = counts()
    assert small == large
    assert max(large.values()) <= 15, large
