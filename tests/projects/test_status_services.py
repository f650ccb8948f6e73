"""The weekly loop's services: pre-filled drafts, frozen submissions, corrections, bad input."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pghistory.models import Events

from pmo.core.locking import StaleVersionError
from projects import services
from projects.models import CostLine, Milestone, MilestoneForecast, Project, Risk, StatusReport

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # a Wednesday
MONDAY = date(2026, 11, 23)


def submit_week(world, monday, **values):
    report = services.status_report_start(
        actor=world.users["pm_a"], project=world.a1, period_start=monday, today=TODAY
    )
    if values:
        report = services.status_report_update(
            actor=world.users["pm_a"], report=report, version=report.version, data=values
        )
    return services.status_report_submit(
        actor=world.users["pm_a"], report=report, version=report.version, today=TODAY
    )


def test_new_draft_is_prefilled_from_last_week(world):
    submit_week(world, MONDAY - timedelta(days=7), schedule="amber", schedule_comment="Recette décalée")
    draft = services.status_report_start(
        actor=world.users["pm_a"], project=world.a1, period_start=MONDAY, today=TODAY
    )
    assert (draft.state, draft.schedule, draft.schedule_comment) == ("draft", "amber", "Recette décalée")


def test_submit_freezes_stores_indicated_and_points_the_project_at_it(world):
    report = submit_week(world, MONDAY, cost="green", percent_complete=Decimal("40"))
    assert report.state == StatusReport.State.SUBMITTED
    assert report.submitted_by == world.users["pm_a"]
    assert set(report.indicated) >= {"declared", "indicated", "reasons", "evm", "stale", "watermelon"}
    assert Project.objects.get(pk=world.a1.pk).latest_report_id == report.pk
    with pytest.raises(ValidationError):
        services.status_report_update(
            actor=world.users["pm_a"], report=report, version=report.version, data={"cost": "red"}
        )
    with pytest.raises(ValidationError):
        services.status_report_submit(
            actor=world.users["pm_a"], report=report, version=report.version, today=TODAY
        )


def test_no_change_submits_last_weeks_values_in_one_step(world):
    submit_week(world, MONDAY - timedelta(days=7), overall="green", overall_comment="RAS")
    report = services.status_report_no_change(
        actor=world.users["pm_a"], project=world.a1, period_start=MONDAY, today=TODAY
    )
    assert (report.state, report.overall, report.overall_comment) == ("submitted", "green", "RAS")


def test_no_change_without_a_previous_report_is_refused(world):
    with pytest.raises(ValidationError):
        services.status_report_no_change(
            actor=world.users["pm_a"], project=world.a1, period_start=MONDAY, today=TODAY
        )
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize("period", [date(2026, 11, 24), MONDAY + timedelta(days=7)])
def test_period_must_be_a_started_monday(world, period):
    with pytest.raises(ValidationError) as error:
        services.status_report_start(
            actor=world.users["pm_a"], project=world.a1, period_start=period, today=TODAY
        )
    assert "period_start" in error.value.message_dict


def test_correction_is_a_new_revision_and_keeps_the_old_one(world):
    first = submit_week(world, MONDAY, cost="green")
    corrected = services.status_report_correct(
        actor=world.users["pm_a"],
        report=first,
        reason="Coûts sous-estimés",
        data={"cost": "red"},
        today=TODAY,
    )
    first.refresh_from_db()
    assert (first.is_current, corrected.is_current, corrected.revision, corrected.cost) == (
        False,
        True,
        2,
        "red",
    )
    assert StatusReport.objects.filter(project=world.a1, period_start=MONDAY).count() == 2
    assert Project.objects.get(pk=world.a1.pk).latest_report_id == corrected.pk


def test_stale_version_on_a_draft_is_refused(world):
    draft = services.status_report_start(
        actor=world.users["pm_a"], project=world.a1, period_start=MONDAY, today=TODAY
    )
    services.status_report_update(
        actor=world.users["pm_a"], report=draft, version=1, data={"overall": "green"}
    )
    with pytest.raises(StaleVersionError):
        services.status_report_update(
            actor=world.users["pm_a"], report=draft, version=1, data={"overall": "red"}
        )


def test_percent_complete_is_bounded(world):
    draft = services.status_report_start(
        actor=world.users["pm_a"], project=world.a1, period_start=MONDAY, today=TODAY
    )
    with pytest.raises(ValidationError) as error:
        services.status_report_update(
            actor=world.users["pm_a"], report=draft, version=1, data={"percent_complete": Decimal("140")}
        )
    assert "percent_complete" in error.value.message_dict


def test_risk_scales_and_money_are_validated_before_writing(world):
    with pytest.raises(ValidationError) as error:
        services.record_create(
            actor=world.users["pm_a"],
            model=Risk,
            project=world.a1,
            data={"title": "R", "probability": 6, "impact": 0},
        )
    assert {"probability", "impact"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.cost_line_set(
            actor=world.users["pm_a"],
            project=world.a1,
            month=date(2026, 11, 1),
            category="opex",
            values={"actual": Decimal("-1")},
        )
    assert "actual" in error.value.message_dict
    assert not Risk.objects.exists() and not CostLine.objects.exists()


def test_forecast_before_the_project_start_is_refused(world):
    Project.objects.filter(pk=world.a1.pk).update(start_date=date(2026, 1, 1))
    world.a1.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.record_create(
            actor=world.users["pm_a"],
            model=Milestone,
            project=world.a1,
            data={"name": "Recette", "forecast_date": date(2025, 12, 1)},
        )
    assert "forecast_date" in error.value.message_dict


def test_risk_rescore_sets_the_trend_and_milestone_forecast_history_is_kept(world):
    risk = services.record_create(
        actor=world.users["pm_a"],
        model=Risk,
        project=world.a1,
        data={"title": "Équipe de test", "probability": 2, "impact": 3},
    )
    risk = services.record_update(
        actor=world.users["pm_a"], instance=risk, version=1, data={"probability": 4}
    )
    assert (risk.score, risk.trend) == (12, "up")
    milestone = services.record_create(
        actor=world.users["pm_a"],
        model=Milestone,
        project=world.a1,
        data={
            "name": "Recette",
            "baseline_date": date(2027, 3, 1),
            "forecast_date": date(2027, 3, 1),
            "is_key": True,
        },
    )
    undated = services.record_create(
        actor=world.users["pm_a"], model=Milestone, project=world.a1, data={"name": "Bilan"}
    )
    report = submit_week(world, MONDAY)
    forecast = MilestoneForecast.objects.get(milestone=milestone, period_start=MONDAY)
    assert forecast.forecast_date == date(2027, 3, 1)
    assert not MilestoneForecast.objects.filter(milestone=undated).exists()

    # A correction of the week records the forecast as it stands then: the same row, updated.
    services.record_update(
        actor=world.users["pm_a"],
        instance=milestone,
        version=milestone.version,
        data={"forecast_date": date(2027, 4, 1)},
    )
    services.status_report_correct(
        actor=world.users["pmo_a"], report=report, reason="Recette décalée", data={}, today=TODAY
    )
    updated = MilestoneForecast.objects.get(milestone=milestone, period_start=MONDAY)
    assert (updated.pk, updated.forecast_date) == (forecast.pk, date(2027, 4, 1))
    assert updated.updated_at > forecast.updated_at and updated.created_at == forecast.created_at
    # Written by one INSERT … SELECT, audited like any write: who, and each version. (When the real
    # week is MONDAY's, editing the milestone records its forecast too: more events, same ends.)
    events = list(Events.objects.tracks(updated).order_by("pgh_id"))
    written = [(e.pgh_data["forecast_date"], (e.pgh_context or {}).get("user")) for e in events]
    assert written[0] == ("2027-03-01", world.users["pm_a"].pk)
    assert written[-1] == ("2027-04-01", world.users["pmo_a"].pk)  # the correction's submit
    assert {user for _date, user in written} == {world.users["pm_a"].pk, world.users["pmo_a"].pk}


def test_rebaseline_keeps_the_old_plan(world):
    services.cost_line_set(
        actor=world.users["pm_a"],
        project=world.a1,
        month=date(2026, 11, 1),
        category="capex",
        values={"planned": Decimal("1000")},
    )
    baseline = services.cost_rebaseline(actor=world.users["pmo_a"], project=world.a1, reason="Avenant 1")
    services.cost_line_set(
        actor=world.users["pm_a"],
        project=world.a1,
        month=date(2026, 11, 1),
        category="capex",
        values={"planned": Decimal("1500")},
    )
    assert baseline.number == 1
    assert baseline.total_planned == Decimal("1000")
    assert baseline.lines.get().planned == Decimal("1000")
    assert CostLine.objects.get(project=world.a1).planned == Decimal("1500")
