"""The two-minute update: cards, "Rien à signaler", the form, inline register edits, live QCDR."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from pmo.core.periods import week_start
from projects import services
from projects.models import CostLine, Milestone, Risk, StatusReport

pytestmark = pytest.mark.django_db

NOW = "2026-11-25 10:00:00+01:00"  # Wednesday of week 48
MONDAY = date(2026, 11, 23)


@pytest.fixture
def last_week(world):
    with time_machine.travel("2026-11-18 10:00:00+01:00", tick=False):
        return services.status_report_save(
            actor=world.users["pm_a"],
            project=world.a1,
            period_start=MONDAY - timedelta(days=7),
            version=None,
            data={
                "overall": "green",
                "quality": "green",
                "cost": "green",
                "schedule": "green",
                "risk": "amber",
            },
            submit=True,
        )


@time_machine.travel(NOW, tick=False)
def test_my_projects_shows_what_is_due_with_constant_queries(
    client_for, world, last_week, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ProjectFactory

    client = client_for("pm_a")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/projects/mine/")
    assert page.status_code == 200
    assert b"card-%d" % world.a1.pk in page.content
    ProjectFactory.create_batch(15, portfolio=world.portfolio_a, manager=world.users["pm_a"])
    with CaptureQueriesContext(connection) as many:
        client.get("/projects/mine/")
    assert len(many) == len(few)


@time_machine.travel(NOW, tick=False)
def test_nothing_to_report_submits_in_one_click(client_for, world, last_week):
    response = client_for("pm_a").post(f"/projects/{world.a1.pk}/weekly/no-change/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    report = StatusReport.objects.get(project=world.a1, period_start=MONDAY)
    assert (report.state, report.risk) == ("submitted", "amber")
    assert b"card-%d" % world.a1.pk in response.content


@time_machine.travel(NOW, tick=False)
def test_nothing_to_report_without_history_explains_in_place(client_for, world):
    response = client_for("pm_a").post(f"/projects/{world.a1.pk}/weekly/no-change/", HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert not StatusReport.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_update_form_is_prefilled_and_submits(client_for, world, last_week):
    client = client_for("pm_a")
    page = client.get(f"/projects/{world.a1.pk}/weekly/")
    assert page.status_code == 200
    assert b'value="amber" id="id_risk_1" checked' in page.content or b"checked" in page.content
    assert not StatusReport.objects.filter(period_start=MONDAY).exists()  # a GET writes nothing

    response = client.post(
        f"/projects/{world.a1.pk}/weekly/",
        {
            "version": 0,
            "overall": "amber",
            "quality": "green",
            "cost": "green",
            "schedule": "amber",
            "risk": "amber",
            "schedule_comment": "Recette décalée de trois semaines",
            "percent_complete": "45",
            "action": "submit",
        },
    )

    assert response.status_code == 302
    report = StatusReport.objects.get(project=world.a1, period_start=MONDAY)
    assert (report.state, report.schedule, report.percent_complete) == ("submitted", "amber", Decimal("45"))


@time_machine.travel(NOW, tick=False)
def test_update_form_errors_write_nothing(client_for, world, last_week):
    response = client_for("pm_a").post(
        f"/projects/{world.a1.pk}/weekly/",
        {"version": 0, "overall": "purple", "percent_complete": "140", "action": "submit"},
    )
    assert response.status_code == 422
    assert b'id="id_overall_error"' in response.content
    assert b'id="id_percent_complete_error"' in response.content
    assert not StatusReport.objects.filter(period_start=MONDAY).exists()


@time_machine.travel(NOW, tick=False)
def test_milestone_forecast_edit_refreshes_the_indicators(client_for, world, last_week):
    milestone = services.record_create(
        actor=world.users["pm_a"],
        model=Milestone,
        project=world.a1,
        data={
            "name": "Recette",
            "baseline_date": date(2027, 1, 4),
            "forecast_date": date(2027, 1, 4),
            "is_key": True,
        },
    )
    client = client_for("pm_a")
    response = client.post(
        f"/projects/{world.a1.pk}/weekly/milestones/{milestone.pk}/",
        {"version": milestone.version, "forecast_date": "2027-01-25", "actual_date": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "qcdr:changed"
    panel = client.post(
        f"/projects/{world.a1.pk}/partials/qcdr/", {"schedule": "green"}, HTTP_HX_REQUEST="true"
    )
    assert b'data-axis="schedule" data-indicated="amber" data-declared="green"' in panel.content
    assert "jalon clé Recette".encode() in panel.content
    assert "Pastèque".encode() in panel.content or b"watermelon" in panel.content.lower()


@time_machine.travel(NOW, tick=False)
def test_cost_and_risk_inline_edits_validate(client_for, world):
    client = client_for("pm_a")
    bad = client.post(
        f"/projects/{world.a1.pk}/weekly/costs/",
        {"category": "opex", "actual": "-3", "forecast": "10"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422
    assert not CostLine.objects.exists()
    good = client.post(
        f"/projects/{world.a1.pk}/weekly/costs/",
        {"category": "opex", "actual": "1234.50", "forecast": "2000"},
        HTTP_HX_REQUEST="true",
    )
    assert good.status_code == 200
    assert CostLine.objects.get(project=world.a1, month=date(2026, 11, 1), category="opex").actual == Decimal(
        "1234.50"
    )
    added = client.post(
        f"/projects/{world.a1.pk}/weekly/risks/new/",
        {"title": "Indisponibilité de l'équipe de test", "probability": 4, "impact": 3},
        HTTP_HX_REQUEST="true",
    )
    assert added.status_code == 200
    assert Risk.objects.get(project=world.a1).score == 12


def test_weekly_pages_are_for_editors_only(client_for, world):
    assert client_for("executive").get(f"/projects/{world.a1.pk}/weekly/").status_code == 403
    assert client_for("pm_a").get(f"/projects/{world.b1.pk}/weekly/").status_code == 404
    assert client_for("pm_a").post(f"/projects/{world.a2.pk}/weekly/no-change/").status_code == 403
    assert week_start(date(2026, 11, 25)) == MONDAY
