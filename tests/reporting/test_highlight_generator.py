"""The highlight report generator: idempotent, frozen, a French A4 PDF of 1-2 pages, through the real
task, in a number of queries that does not grow with the registers, and no report when the render fails."""

import shutil
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext, override

from projects import services
from projects.models import Issue, Milestone, Risk
from reporting import services as reporting_services
from reporting import tasks
from reporting.generators import highlight
from reporting.models import HighlightReport, ReportRun
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
WEEK = date(2026, 3, 9)
FRIDAY_EVENING = datetime(2026, 3, 13, 18, 0, tzinfo=PARIS)
GREEN = dict.fromkeys(("overall", "quality", "cost", "schedule", "risk"), "green")


def no_progress(percent, step=""):
    return None


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fill(project, pm, *, risks: int, issues: int = 3, milestones: int = 3) -> None:
    """A project's registers and its submitted report of the week, written on Monday of WEEK."""
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=PARIS), tick=False):
        for i in range(risks):
            services.record_create(
                actor=pm,
                model=Risk,
                project=project,
                data={
                    "title": f"Risque {i}",
                    "probability": 1 + i % 5,
                    "impact": 1 + (i * 2) % 5,
                    "owner": pm,
                },
            )
        for i in range(issues):
            services.record_create(actor=pm, model=Issue, project=project, data={"title": f"Problème {i}"})
        for i in range(milestones):
            day = date(2026, 3, 18) + timedelta(weeks=i)
            services.record_create(
                actor=pm,
                model=Milestone,
                project=project,
                data={"name": f"Jalon {i}", "baseline_date": day, "forecast_date": day, "is_key": i == 0},
            )
        services.cost_line_set(
            actor=pm,
            project=project,
            month=date(2026, 3, 1),
            category="capex",
            values={"planned": 40000, "actual": 12345},
        )
        services.status_report_save(
            actor=pm,
            project=project,
            period_start=WEEK,
            version=None,
            data={**GREEN, "percent_complete": 25, "overall_comment": "Démarrage conforme."},
            submit=True,
            today=WEEK,
        )


def highlight_run(project, period=WEEK) -> ReportRun:
    return ReportRun.objects.create(
        kind="highlight",
        key=ReportRun.make_key("highlight", scope=f"project-{project.pk}", period=period),
        project=project,
        period=period,
    )


def test_generating_twice_keeps_one_report_with_the_same_content(world):
    fill(world.a1, world.users["pm_a"], risks=3)
    run = highlight_run(world.a1)
    first = highlight.generate(run, no_progress, now=FRIDAY_EVENING)
    again = highlight.generate(run, no_progress, now=FRIDAY_EVENING + timedelta(minutes=5))  # a retry
    assert HighlightReport.objects.filter(project=world.a1).count() == 1
    report = HighlightReport.objects.get(run=run)
    assert first.extra["highlight_id"] == again.extra["highlight_id"] == report.pk
    assert (
        first.extra["content_sha256"]
        == again.extra["content_sha256"]
        == highlight.content_sha256(report.content)
    )
    assert report.period_start == WEEK and report.previous is None
    assert 'id="highlight-snapshot"' in report.html
    assert first.content.startswith(b"%PDF") and first.page_count in (1, 2)
    assert first.filename == f"rapport-synthese-{world.a1.code}-2026-S11.pdf"


def test_next_week_report_points_at_the_previous_one(world):
    pm = world.users["pm_a"]
    fill(world.a1, pm, risks=3)
    highlight.generate(highlight_run(world.a1), no_progress, now=FRIDAY_EVENING)
    next_run = highlight_run(world.a1, WEEK + timedelta(days=7))
    highlight.generate(next_run, no_progress, now=FRIDAY_EVENING + timedelta(days=7))
    report = HighlightReport.objects.get(run=next_run)
    assert report.previous.period_start == WEEK
    assert report.diff["previous_period"] == WEEK.isoformat()
    assert report.content["status"]["submitted"] is False  # nothing submitted for the second week
    assert {c["key"] for c in report.diff["sections"]["status"]["changed"]} == {
        "submitted",
        "percent_complete",
    }


def test_a_failed_render_leaves_no_report(world, monkeypatch):
    fill(world.a1, world.users["pm_a"], risks=3)

    def broken(*args, **kwargs):
        raise OSError("moteur de rendu indisponible")

    monkeypatch.setattr(highlight, "render_pdf", broken)
    with pytest.raises(OSError):
        highlight.generate(highlight_run(world.a1), no_progress, now=FRIDAY_EVENING)
    assert not HighlightReport.objects.exists()


def test_the_task_generates_stores_and_freezes_the_run(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Through reporting's own path: request (queued on commit), the task, the file in storage."""
    fill(world.a1, world.users["pm_a"], risks=3)
    sent = []
    monkeypatch.setattr(tasks.distribute_run, "delay", lambda run_id: sent.append(run_id))
    with django_capture_on_commit_callbacks(execute=False):
        run, queued = reporting_services.request_run(
            actor=world.users["pm_a"], kind="highlight", project=world.a1, period=WEEK + timedelta(days=2)
        )
    assert queued and run.period == WEEK
    assert tasks.generate_report.apply(args=[run.pk]).get() == "done"
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.progress == 100
    assert run.page_count in (1, 2) and run.file.name.endswith("rapport-synthese-a1-2026-S11.pdf")
    assert run.highlight.period_start == WEEK
    assert sent == [run.pk]
    # a redelivered message finds the run done and writes nothing
    assert tasks.generate_report.apply(args=[run.pk]).get() == "finished"
    assert HighlightReport.objects.filter(run=run).count() == 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make")
def test_pdf_is_french_a4_with_french_dates_and_money(world, tmp_path):
    fill(world.a1, world.users["pm_a"], risks=3)
    rendered = highlight.generate(highlight_run(world.a1), no_progress, now=FRIDAY_EVENING)
    path = tmp_path / "rapport.pdf"
    path.write_bytes(rendered.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout  # noqa: S603, S607
    text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert "595.276 x 841.89 pts (A4)" in info
    assert rendered.page_count in (1, 2)
    # French words from the catalogue, French dates and money
    for word in ("Qualité", "Coûts", "Délais", "Risques", "Valeur acquise", "Déclarée", "Calculée", "Jalon"):
        assert word in text
    assert "lundi 9 mars 2026" in text and "dimanche 15 mars 2026" in text
    assert "100 000 €" in text  # the budget (BAC)
    assert "12 345 €" in text  # the actual cost (AC)
    assert "25 %" in text  # percent complete
    assert "18/03/2026" in text  # a milestone due next period, short French date
    assert "Démarrage conforme." in text
    # every heading comes through the French catalogue
    with override("fr"):
        headings = [gettext(h) for h in ("Highlight report", "Tolerances", "Help needed", "Earned value")]
    for heading in headings:
        assert heading.upper() in text.upper()


def queries_of_generate(project, pm, *, risks: int) -> int:
    fill(project, pm, risks=risks, issues=risks, milestones=max(3, risks // 3))
    run = highlight_run(project)
    with CaptureQueriesContext(connection) as captured:
        highlight.generate(run, no_progress, now=FRIDAY_EVENING)
    return len(captured)


def test_query_count_does_not_grow_with_the_registers(world):
    pm = world.users["pm_a"]
    small = queries_of_generate(world.a1, pm, risks=3)
    big_project = ProjectFactory(portfolio=world.portfolio_a, code="grand", manager=pm)
    big = queries_of_generate(big_project, pm, risks=30)
    print(f"\nQUERY-BUDGET highlight generator: {small} queries with 3 risks, {big} with 30 risks")
    assert small == big
    assert small <= 25
