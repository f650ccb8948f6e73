"""Change requests (workflow, deciders, re-baselining with every baseline kept) and the board's
decision on an exception (closing it, applying new tolerances, stopping the project)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance import changes
from governance.models import Action, ChangeRequest, Decision, ProjectException
from pmo.core.models import SecurityEvent
from projects.baseline_selectors import baseline_comparison
from projects.models import CostBaseline, CostLine, Milestone, MilestoneBaseline, Project
from tests.factories import CostLineFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    """a1 with two milestones and two months of planned costs (30 000 + 20 000 €)."""
    a1 = world.a1
    Project.objects.filter(pk=a1.pk).update(start_date=date(2026, 9, 1))
    a1.refresh_from_db()
    recette = MilestoneFactory(project=a1, name="Recette", is_key=True, baseline_date=date(2027, 1, 15))
    bascule = MilestoneFactory(project=a1, name="Bascule", baseline_date=date(2027, 2, 15))
    CostLineFactory(project=a1, month=date(2026, 11, 1), category="opex", planned=Decimal("30000"))
    CostLineFactory(project=a1, month=date(2026, 12, 1), category="capex", planned=Decimal("20000"))
    return a1, recette, bascule


def _request(world, a1, recette, **extra):
    data = {
        "title": "Ajout du module de paie",
        "description": "Intégrer la paie dans le périmètre.",
        "reason": "Demande de la DRH.",
        "cost_impact": Decimal("15000.00"),
        "schedule_impact_days": 20,
        "scope_impact": "Module paie ajouté.",
        "proposed_milestones": [{"milestone": recette.pk, "baseline_date": "2027-02-12"}],
        "proposed_costs": [
            {"month": "2027-01-01", "category": "opex", "amount": "10000"},
            {"month": "2026-12-01", "category": "capex", "amount": "5000"},
        ],
        **extra,
    }
    return changes.change_request_create(actor=world.users["pm_a"], project=a1, data=data)


def _assessed(world, a1, recette):
    cr = _request(world, a1, recette)
    cr = changes.change_request_submit(actor=world.users["pm_a"], change_request=cr)
    return changes.change_request_assess(
        actor=world.users["pmo_a"], change_request=cr, assessment="Impacts vérifiés par le PMO."
    )


def test_approved_change_rebaselines_and_keeps_the_previous_baseline(world, plan):
    a1, recette, bascule = plan
    cr = _assessed(world, a1, recette)
    assert cr.number == 1 and cr.state == ChangeRequest.State.ASSESSED

    decision = changes.change_request_decide(
        actor=world.users["sponsor"], change_request=cr, outcome="approved", rationale="Validé en COPIL."
    )

    cr.refresh_from_db()
    a1.refresh_from_db()
    recette.refresh_from_db()
    bascule.refresh_from_db()
    assert cr.state == "approved" and cr.decided_by == world.users["sponsor"]
    assert decision.change_request == cr and decision.project == a1 and decision.outcome == "approved"
    # baseline 1 = the plan in force before, baseline 2 = the approved plan
    assert list(CostBaseline.objects.filter(project=a1).values_list("number", "total_planned")) == [
        (1, Decimal("50000.00")),
        (2, Decimal("65000.00")),
    ]
    assert cr.baseline.number == 2
    assert recette.baseline_date == date(2027, 2, 12) and bascule.baseline_date == date(2027, 2, 15)
    assert a1.budget == Decimal("115000.00")
    assert dict(CostLine.objects.filter(project=a1).values_list("month", "planned")) == {
        date(2026, 11, 1): Decimal("30000.00"),
        date(2026, 12, 1): Decimal("25000.00"),
        date(2027, 1, 1): Decimal("10000.00"),
    }
    frozen = dict(MilestoneBaseline.objects.filter(baseline__number=1).values_list("name", "baseline_date"))
    assert frozen == {"Recette": date(2027, 1, 15), "Bascule": date(2027, 2, 15)}

    comparison = baseline_comparison(project=a1)
    assert (comparison.current.number, comparison.previous.number) == (2, 1)
    row = next(r for r in comparison.milestones if r.name == "Recette")
    assert (row.previous, row.current, row.moved_days) == (date(2027, 1, 15), date(2027, 2, 12), 28)
    assert (comparison.total_previous, comparison.total_current) == (Decimal("50000.00"), Decimal("65000.00"))


def test_a_second_approved_change_makes_baseline_3_comparable_with_2(world, plan):
    a1, recette, _ = plan
    first = _assessed(world, a1, recette)
    changes.change_request_decide(
        actor=world.users["sponsor"], change_request=first, outcome="approved", rationale="Ok"
    )
    second = _request(
        world,
        a1,
        recette,
        title="Report de la recette",
        cost_impact=Decimal("0"),
        proposed_costs=[],
        proposed_milestones=[{"milestone": recette.pk, "baseline_date": "2027-03-01"}],
    )
    changes.change_request_submit(actor=world.users["pm_a"], change_request=second)
    second.refresh_from_db()
    changes.change_request_assess(actor=world.users["pmo_a"], change_request=second, assessment="Ok")
    second.refresh_from_db()
    changes.change_request_decide(
        actor=world.users["executive"], change_request=second, outcome="approved", rationale="Ok"
    )

    assert list(CostBaseline.objects.filter(project=a1).values_list("number", flat=True)) == [1, 2, 3]
    comparison = baseline_comparison(project=a1)
    row = next(r for r in comparison.milestones if r.name == "Recette")
    assert (row.previous, row.current) == (date(2027, 2, 12), date(2027, 3, 1))
    older = baseline_comparison(project=a1, number=2)
    row = next(r for r in older.milestones if r.name == "Recette")
    assert (row.previous, row.current) == (date(2027, 1, 15), date(2027, 2, 12))


@pytest.mark.parametrize("who", ["pm_a", "pmo_a", "team"])
def test_a_non_decider_is_refused_recorded_and_nothing_changes(world, plan, who):
    a1, recette, _ = plan
    cr = _assessed(world, a1, recette)
    before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).count()

    with pytest.raises(PermissionDenied):
        changes.change_request_decide(
            actor=world.users[who], change_request=cr, outcome="approved", rationale="Moi"
        )

    cr.refresh_from_db()
    assert cr.state == "assessed"
    assert not CostBaseline.objects.filter(project=a1).exists()
    assert not Decision.objects.exists()
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).latest("pk")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).count() == before + 1
    assert event.user == world.users[who] and event.detail == f"decide change request {cr.pk}"


def test_the_requester_cannot_decide_their_own_change(world, plan):
    a1, recette, _ = plan
    cr = changes.change_request_create(
        actor=world.users["pmo_a"],
        project=a1,
        data={"title": "T", "description": "D", "reason": "R"},
    )
    assert not changes.can_decide_change(world.users["pmo_a"], cr)
    # even a sponsor who requested it
    Project.objects.filter(pk=a1.pk).update(sponsor=world.users["executive"])
    cr.requested_by = world.users["executive"]
    cr.project.refresh_from_db()
    assert not changes.can_decide_change(world.users["executive"], cr)


@pytest.mark.parametrize("state", [Project.State.CLOSED, Project.State.CANCELLED])
def test_no_change_request_on_a_closed_project(world, plan, state):
    a1, recette, _ = plan
    Project.objects.filter(pk=a1.pk).update(state=state)
    a1.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _request(world, a1, recette)
    assert "project" in error.value.message_dict
    # the message in the active language (French by default)
    assert "aucune demande de changement" in error.value.message_dict["project"][0]
    assert not ChangeRequest.objects.exists()


def test_cost_plan_changes_must_add_up_to_the_cost_impact(world, plan):
    a1, recette, _ = plan
    with pytest.raises(ValidationError) as error:
        _request(world, a1, recette, cost_impact=Decimal("1000"))
    assert "proposed_costs" in error.value.message_dict
    assert not ChangeRequest.objects.exists()


def test_a_foreign_milestone_is_refused(world, plan):
    a1, recette, _ = plan
    other = MilestoneFactory(project=world.b1)
    with pytest.raises(ValidationError) as error:
        _request(
            world, a1, recette, proposed_milestones=[{"milestone": other.pk, "baseline_date": "2027-02-01"}]
        )
    assert "proposed_milestones" in error.value.message_dict


def test_only_an_assessed_request_is_decided(world, plan):
    a1, recette, _ = plan
    cr = _request(world, a1, recette)
    with pytest.raises(ValidationError):
        changes.change_request_decide(
            actor=world.users["sponsor"], change_request=cr, outcome="approved", rationale="x"
        )
    assert not Decision.objects.exists()


def test_rejected_change_does_not_touch_the_plan(world, plan):
    a1, recette, _ = plan
    cr = _assessed(world, a1, recette)
    changes.change_request_decide(
        actor=world.users["sponsor"], change_request=cr, outcome="rejected", rationale="Non"
    )
    recette.refresh_from_db()
    assert recette.baseline_date == date(2027, 1, 15)
    assert not CostBaseline.objects.exists()


def test_baseline_comparison_reads_in_constant_queries(world, plan):
    a1, recette, _ = plan
    cr = _assessed(world, a1, recette)
    changes.change_request_decide(
        actor=world.users["sponsor"], change_request=cr, outcome="approved", rationale="Ok"
    )
    with CaptureQueriesContext(connection) as small:
        baseline_comparison(project=a1)
    for n in range(15):
        MilestoneFactory(project=a1, name=f"J{n}", baseline_date=date(2027, 4, 1))
        CostLineFactory(project=a1, month=date(2028, 1 + n % 12, 1), category="opex" if n < 12 else "capex")
    cr2 = _request(world, a1, recette, title="Encore", cost_impact=Decimal("0"), proposed_costs=[])
    changes.change_request_submit(actor=world.users["pm_a"], change_request=cr2)
    cr2.refresh_from_db()
    changes.change_request_assess(actor=world.users["pmo_a"], change_request=cr2, assessment="ok")
    cr2.refresh_from_db()
    changes.change_request_decide(
        actor=world.users["sponsor"], change_request=cr2, outcome="approved", rationale="Ok"
    )
    with CaptureQueriesContext(connection) as large:
        baseline_comparison(project=a1)
    assert len(small) == len(large) == 5


# --- The board's decision on an exception -----------------------------------------------------------


def _exception(project, tolerance="time"):
    return ProjectException.objects.create(
        project=project,
        tolerance=tolerance,
        forecast_value=Decimal("25"),
        limit=Decimal("10"),
        unit="wd",
        summary="Jalon clé en retard",
        raised_at=timezone.now(),
    )


def test_tolerances_changed_applies_them_and_closes_the_exception(world, plan):
    a1, _, _ = plan
    exception = _exception(a1)
    decision = changes.exception_decide(
        actor=world.users["executive"],
        exception=exception,
        outcome="tolerances_changed",
        rationale="Tolérance portée à 30 jours ouvrés.",
        tolerances={"time_tolerance_days": 30, "cost_tolerance_pct": "15"},
    )
    exception.refresh_from_db()
    a1.refresh_from_db()
    assert exception.state == "closed" and exception.closed_at is not None
    assert exception.closing_note.endswith("Tolérance portée à 30 jours ouvrés.")
    assert (a1.time_tolerance_days, a1.cost_tolerance_pct) == (30, Decimal("15.0"))
    assert decision.exception == exception and decision.decided_by == world.users["executive"]
    assert decision.details["tolerances"]["after"] == {"time_tolerance_days": 30, "cost_tolerance_pct": "15"}


def test_exception_plan_requested_gives_the_manager_an_action(world, plan):
    a1, _, _ = plan
    exception = _exception(a1)
    decision = changes.exception_decide(
        actor=world.users["sponsor"], exception=exception, outcome="exception_plan", rationale="Plan attendu."
    )
    action = Action.objects.get(decision=decision)
    assert action.owner == world.users["pm_a"] and action.project == a1
    assert action.due_date == timezone.localdate() + changes.timedelta(days=changes.EXCEPTION_PLAN_DAYS)


def test_project_stopped_cancels_the_project(world, plan):
    a1, _, _ = plan
    changes.exception_decide(
        actor=world.users["sponsor"], exception=_exception(a1), outcome="project_stopped", rationale="Arrêt."
    )
    a1.refresh_from_db()
    assert a1.state == Project.State.CANCELLED


def test_tolerances_changed_without_values_writes_nothing(world, plan):
    a1, _, _ = plan
    exception = _exception(a1)
    with pytest.raises(ValidationError) as error:
        changes.exception_decide(
            actor=world.users["sponsor"], exception=exception, outcome="tolerances_changed", rationale="x"
        )
    assert "tolerances" in error.value.message_dict
    exception.refresh_from_db()
    assert exception.state == "open" and not Decision.objects.exists()


def test_the_project_manager_cannot_decide_the_exception(world, plan):
    a1, _, _ = plan
    exception = _exception(a1)
    with pytest.raises(PermissionDenied):
        changes.exception_decide(
            actor=world.users["pm_a"], exception=exception, outcome="exception_plan", rationale="x"
        )
    exception.refresh_from_db()
    assert exception.state == "open"
    assert SecurityEvent.objects.filter(kind="permission_denied", user=world.users["pm_a"]).count() == 1


def test_a_second_open_exception_for_the_same_tolerance_is_refused(world, plan):
    from governance import services

    a1, _, _ = plan
    _exception(a1)
    with pytest.raises(ValidationError):
        services.raise_exception(
            actor=world.users["pm_a"],
            project=a1,
            tolerance="time",
            summary="Encore",
            forecast_value=Decimal("30"),
            limit=Decimal("10"),
        )
    assert ProjectException.objects.filter(project=a1, tolerance="time").count() == 1


def test_the_milestone_deleted_after_a_baseline_stays_readable(world, plan):
    a1, recette, _ = plan
    cr = _assessed(world, a1, recette)
    changes.change_request_decide(
        actor=world.users["sponsor"], change_request=cr, outcome="approved", rationale="Ok"
    )
    Milestone.objects.filter(name="Bascule").delete()
    names = [r.name for r in baseline_comparison(project=a1).milestones]
    assert "Bascule" in names


# --- Through the API and the pages ---------------------------------------------------------------------


def _api(world, who):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users[who])
    return client


def test_the_api_runs_the_whole_workflow_and_rebaselines(world, plan):
    a1, recette, _ = plan
    created = _api(world, "pm_a").post(
        "/api/v1/change-requests/",
        {
            "project": a1.pk,
            "title": "Report",
            "description": "D",
            "reason": "R",
            "cost_impact": "5000.00",
            "schedule_impact_days": 10,
            "proposed_milestones": [{"milestone": recette.pk, "baseline_date": "2027-02-01"}],
            "proposed_costs": [{"month": "2027-01-01", "category": "opex", "amount": "5000.00"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert (
        _api(world, "pm_a").patch(f"/api/v1/change-requests/{pk}/", {"title": "x"}, format="json").status_code
        == 428
    )
    assert _api(world, "pm_a").post(f"/api/v1/change-requests/{pk}/submit/").status_code == 200
    assert (
        _api(world, "pm_a").post(f"/api/v1/change-requests/{pk}/assess/", {"assessment": "x"}).status_code
        == 403
    )
    assert (
        _api(world, "pmo_a")
        .post(f"/api/v1/change-requests/{pk}/assess/", {"assessment": "Vérifié"})
        .status_code
        == 200
    )
    refused = _api(world, "pm_a").post(
        f"/api/v1/change-requests/{pk}/decide/", {"outcome": "approved", "rationale": "x"}
    )
    assert refused.status_code == 403
    decided = _api(world, "sponsor").post(
        f"/api/v1/change-requests/{pk}/decide/", {"outcome": "approved", "rationale": "Validé"}
    )
    assert decided.status_code == 200
    assert (decided.json()["state"], decided.json()["baseline_number"]) == ("approved", 2)
    recette.refresh_from_db()
    assert recette.baseline_date == date(2027, 2, 1)


def test_a_change_request_on_a_closed_project_is_a_400_naming_the_project(world, plan):
    a1, _, _ = plan
    Project.objects.filter(pk=a1.pk).update(state=Project.State.CLOSED)
    response = _api(world, "pm_a").post(
        "/api/v1/change-requests/",
        {"project": a1.pk, "title": "T", "description": "D", "reason": "R"},
        format="json",
    )
    assert response.status_code == 400 and "project" in response.json()
    assert not ChangeRequest.objects.exists()


def test_the_form_comes_back_with_422_naming_the_missing_fields(world, plan, client):
    from tests import conftest as root_conftest

    a1, _, _ = plan
    root_conftest.login(client, world.users["pm_a"])
    response = client.post(
        f"/governance/projects/{a1.pk}/changes/new/",
        {
            "title": "",
            "cost_impact": "0",
            "schedule_impact_days": "0",
            "costs-TOTAL_FORMS": "0",
            "costs-INITIAL_FORMS": "0",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"title", "description", "reason"}
    assert not ChangeRequest.objects.exists()


def test_exception_decision_through_the_api_applies_new_tolerances(world, plan):
    a1, _, _ = plan
    exception = _exception(a1, tolerance="cost")
    response = _api(world, "executive").post(
        f"/api/v1/exceptions/{exception.pk}/decide/",
        {"outcome": "tolerances_changed", "rationale": "20 %", "tolerances": {"cost_tolerance_pct": "20"}},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert Project.objects.get(pk=a1.pk).cost_tolerance_pct == Decimal("20.0")
