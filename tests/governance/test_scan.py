"""The tolerance scan: raises, updates, never duplicates nor closes; drafts the report; notifies."""

from datetime import date
from decimal import Decimal

import pytest
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from governance import services, tasks
from governance.models import ExceptionReport, ProjectException
from pmo.core.formatting import format_money
from pmo.core.models import Notification
from pmo.core.periods import week_start
from projects import qcdr
from projects import services as project_services
from projects.models import Project
from tests.factories import ProjectFactory
from tests.governance.conftest import AS_OF, late_milestone, over_budget, red_risk, set_progress

pytestmark = pytest.mark.django_db


def scan(project):
    return services.scan_project(project=project, as_of=AS_OF)


def test_a_cost_overrun_beyond_the_tolerance_raises_an_exception(a1):
    over_budget(a1)
    result = scan(a1)
    assert result.scanned == 1
    [exception] = result.raised
    exception.refresh_from_db()
    assert (exception.tolerance, exception.forecast_value, exception.limit, exception.unit) == (
        "cost",
        Decimal("25.00"),
        Decimal("10.00"),
        "pct",
    )
    assert (exception.state, exception.raised_by) == (ProjectException.State.OPEN, None)
    with translation.override("fr"):
        assert format_money(Decimal("125000")) in exception.summary
        assert format_money(Decimal("100000")) in exception.summary


def test_within_the_tolerance_nothing_is_raised(a1):
    over_budget(a1, percent="48")  # EAC 104 166,67: +4,2 %
    late_milestone(a1, baseline=date(2026, 11, 20), forecast=date(2026, 12, 4))  # 10 working days
    red_risk(a1, probability=3, impact=4)  # 12 < 15
    result = scan(a1)
    assert result.raised == []
    assert not ProjectException.objects.exists()


def test_a_rescan_raises_nothing_twice(a1, world):
    over_budget(a1)
    scan(a1)
    notifications = Notification.objects.count()
    again = scan(a1)
    assert again.raised == [] and again.updated == 0
    assert ProjectException.objects.count() == ExceptionReport.objects.count() == 1
    assert Notification.objects.count() == notifications


def test_a_rescan_updates_the_forecast_of_the_open_exception(a1):
    over_budget(a1)
    [exception] = scan(a1).raised
    report_before = ExceptionReport.objects.values().get(exception=exception)
    set_progress(a1, "30")  # EV 30 000: EAC 166 666,67
    result = scan(a1)
    assert (result.raised, result.updated) == ([], 1)
    exception.refresh_from_db()
    assert exception.forecast_value == Decimal("66.67")
    assert exception.version == 2
    # the report's facts are frozen at drafting
    assert ExceptionReport.objects.values().get(exception=exception) == report_before


def test_the_scan_never_closes_an_exception(a1):
    over_budget(a1)
    [exception] = scan(a1).raised
    set_progress(a1, "48")  # back within the tolerance
    scan(a1)
    exception.refresh_from_db()
    assert exception.state == ProjectException.State.OPEN
    assert exception.forecast_value == Decimal("4.17")


def test_after_a_closing_decision_a_new_breach_raises_a_new_exception(a1, world):
    over_budget(a1)
    [first] = scan(a1).raised
    services.close_exception(actor=world.users["pmo_a"], exception=first, note="COPIL : budget revu.")
    [second] = scan(a1).raised
    assert second.pk != first.pk
    assert ProjectException.objects.filter(project=a1).count() == 2


def test_projects_not_active_are_not_scanned(a1):
    over_budget(a1)
    Project.objects.filter(pk=a1.pk).update(state=Project.State.ON_HOLD)
    assert scan(a1).scanned == 0
    assert not ProjectException.objects.exists()


def test_the_drafted_cost_report_is_prefilled_from_the_figures(a1):
    over_budget(a1)
    late_milestone(a1)
    [cost, time] = scan(a1).raised
    assert (cost.tolerance, time.tolerance) == ("cost", "time")
    report = ExceptionReport.objects.get(exception=cost)
    assert report.state == ExceptionReport.State.DRAFT
    assert a1.name in report.title
    with translation.override("fr"):
        for figure in ("125 000", "100 000", "25 000", "50 000"):
            assert figure.replace(" ", "\xa0") in report.consequences, figure
    assert "Recette" in report.consequences  # the impacted milestone
    assert "+52" in report.consequences  # its slip in working days
    assert [o["cost_impact"] for o in report.options] == ["25000.00", "0.00", "-50000.00"]
    assert [o["schedule_impact_days"] for o in report.options] == [0, 0, None]
    assert all(o["title"] and o["description"] and o["risk"] for o in report.options)
    # 25 % is beyond twice the tolerance: accept the overrun (option 1)
    assert report.options[0]["title"] in report.recommendation
    assert report.options[0]["title"] in report.decision_requested
    assert report.cause and report.decision_requested
    facts = report.facts
    assert facts["as_of"] == "2026-11-18"
    assert facts["measure"] == {"value": "25.00", "limit": "10.0", "unit": "pct"}
    assert Decimal(facts["qcdr"]["evm"]["eac"]) == Decimal("125000")
    assert facts["qcdr"]["indicated"]["cost"] == "red"
    assert facts["milestones"] == [
        {
            "name": "Recette",
            "baseline": "2026-10-01",
            "forecast": "2026-12-15",
            "actual": None,
            "is_key": True,
            "slip_days": 52,
            "overdue": False,
        }
    ]


def test_the_drafted_time_report_costs_the_slip_at_the_daily_burn(a1):
    over_budget(a1, percent="50")  # on budget
    late_milestone(a1)
    [time] = scan(a1).raised
    assert (time.tolerance, time.forecast_value, time.limit, time.unit) == (
        "time",
        Decimal("52"),
        Decimal("10"),
        "working_days",
    )
    burn = Decimal("50000") / qcdr.working_days_between(date(2026, 9, 1), AS_OF)
    options = ExceptionReport.objects.get(exception=time).options
    assert [o["schedule_impact_days"] for o in options] == [52, 10, 10]
    assert Decimal(options[0]["cost_impact"]) == (burn * 52).quantize(Decimal("1"), "ROUND_DOWN")


def test_the_drafted_risk_report_names_the_threat(a1):
    red_risk(a1)
    [risk] = scan(a1).raised
    assert (risk.tolerance, risk.forecast_value, risk.limit, risk.unit) == (
        "risk",
        Decimal("16"),
        Decimal("15"),
        "score",
    )
    report = ExceptionReport.objects.get(exception=risk)
    assert "Défaillance du prestataire" in risk.summary
    assert "Prestataire unique" in report.cause  # the threat's cause
    assert "Arrêt de la bascule" in report.consequences  # its effect
    assert "Second prestataire qualifié" in report.options[1]["description"]  # its mitigation
    assert report.options[0]["cost_impact"] == "7000.00"  # 70 % × 10 % × 100 000


def test_raising_notifies_the_manager_to_complete_and_the_sponsor_and_pmo_to_know(a1, world):
    over_budget(a1)
    [exception] = scan(a1).raised
    notified = {
        n.recipient.username: n
        for n in Notification.objects.filter(kind=Notification.Kind.EXCEPTION).select_related("recipient")
    }
    assert set(notified) == {"pm_a", "sponsor", "pmo_a"}
    assert notified["pm_a"].url == reverse("governance:report-edit", args=[exception.pk])
    assert (
        notified["sponsor"].url
        == notified["pmo_a"].url
        == reverse("governance:exception-detail", args=[exception.pk])
    )
    assert notified["pm_a"].title != notified["sponsor"].title
    assert notified["pm_a"].body == exception.summary


def test_the_daily_scan_reads_in_constant_queries_whatever_the_number_of_projects(world):
    def make(count):
        projects = ProjectFactory.create_batch(
            count, portfolio=world.portfolio_a, manager=world.users["pm_a"]
        )
        for project in projects:
            over_budget(project)
        return projects

    make(3)
    services.scan_all(as_of=AS_OF)  # raises 3 exceptions
    with CaptureQueriesContext(connection) as few:
        assert services.scan_all(as_of=AS_OF).raised == []
    make(12)
    services.scan_all(as_of=AS_OF)
    with CaptureQueriesContext(connection) as many:
        result = services.scan_all(as_of=AS_OF)
    assert result.scanned == 18 and result.raised == []  # a1, a2, b1 and the 15
    assert len(many) == len(few)


def test_the_daily_scan_works_in_batches(world):
    for project in ProjectFactory.create_batch(5, portfolio=world.portfolio_a):
        over_budget(project)
    result = services.scan_all(as_of=AS_OF, batch_size=2)
    assert result.scanned == 8
    assert len(result.raised) == 5


def test_the_tasks_scan_by_id(a1, monkeypatch):
    over_budget(a1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: AS_OF)
    assert tasks.scan_project(a1.pk) == 1
    assert tasks.scan_project(999_999) == 0
    assert tasks.scan_tolerances() == 0  # already raised


def test_submitting_a_weekly_report_sends_the_project_scan_by_name(
    a1, world, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args=None, **kw: sent.append((name, args)))
    monday = week_start(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        project_services.status_report_save(
            actor=world.users["pm_a"],
            project=a1,
            period_start=monday,
            version=None,
            data={
                "overall": "green",
                "quality": "green",
                "cost": "green",
                "schedule": "green",
                "risk": "green",
            },
            submit=True,
        )
    assert sent == [("governance.scan_project", [a1.pk])]


def test_a_long_project_name_does_not_fail_the_scan(a1):
    Project.objects.filter(pk=a1.pk).update(name="Programme de transformation " + "x" * 172)
    over_budget(a1)
    [exception] = scan(Project.objects.get(pk=a1.pk)).raised
    assert len(ExceptionReport.objects.get(exception=exception).title) == 200
