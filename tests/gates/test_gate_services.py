"""Gate reviews through their services: request (checklist, required documents), decide (deciders
only, audited refusals), and what each decision does to the project."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.gates import decide_gate, request_gate, withdraw_gate
from governance.models import GateReview
from pmo.core.models import Notification, SecurityEvent
from projects.models import Project
from tests.gates.conftest import on_methodology, upload_required, yes_to_all

pytestmark = pytest.mark.django_db


def requested(project, actor):
    upload_required(project, actor)
    return request_gate(actor=actor, project=project, checklist=yes_to_all(project))


def test_missing_required_documents_block_the_request_and_name_them(world, a1):
    with pytest.raises(ValidationError) as caught:
        request_gate(actor=world.users["pm_a"], project=a1, checklist=yes_to_all(a1))
    message = " ".join(caught.value.message_dict["documents"])
    assert "Note de cadrage" in message and "Business case" in message
    assert not GateReview.objects.exists()


def test_an_unanswered_criterion_blocks_the_request(world, a1):
    upload_required(a1, world.users["pm_a"])
    answers = yes_to_all(a1)
    answers[1] = {"answer": "", "comment": ""}
    with pytest.raises(ValidationError) as caught:
        request_gate(actor=world.users["pm_a"], project=a1, checklist=answers)
    assert "2" in " ".join(caught.value.message_dict["checklist"])
    assert not GateReview.objects.exists()


def test_request_links_the_current_versions_and_notifies_the_deciders(world, a1):
    review = requested(a1, world.users["pm_a"])
    assert review.state == GateReview.State.REQUESTED
    assert review.stage.name == "Cadrage"
    assert {v.document.document_type.code for v in review.documents.all()} == {
        "note-cadrage",
        "business-case",
    }
    notified = set(
        Notification.objects.filter(key=f"gate-review-{review.pk}-requested").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"sponsor", "executive"}
    with pytest.raises(ValidationError):
        request_gate(actor=world.users["pm_a"], project=a1, checklist=yes_to_all(a1))


def test_the_team_member_cannot_request(world, a1):
    with pytest.raises(PermissionDenied):
        request_gate(actor=world.users["team"], project=a1, checklist=yes_to_all(a1))
    assert SecurityEvent.objects.filter(user=world.users["team"], kind="permission_denied").count() == 1


@pytest.mark.parametrize("name", ["pm_a", "team", "pmo_a", "pm_b"])
def test_non_deciders_are_refused_and_recorded(world, a1, name):
    review = requested(a1, world.users["pm_a"])
    with pytest.raises(PermissionDenied):
        decide_gate(actor=world.users[name], review=review, decision="go", rationale="Je valide")
    review.refresh_from_db()
    assert review.state == GateReview.State.REQUESTED
    event = SecurityEvent.objects.get(user=world.users[name], kind="permission_denied")
    assert f"project {a1.pk}" in event.detail


def test_a_sponsor_who_manages_the_project_never_decides_its_gate(world, a1):
    Project.objects.filter(pk=a1.pk).update(deputy=world.users["sponsor"])
    a1.refresh_from_db()
    review = requested(a1, world.users["pm_a"])
    with pytest.raises(PermissionDenied):
        decide_gate(actor=world.users["sponsor"], review=review, decision="go", rationale="Auto-validation")


def test_go_moves_to_the_next_stage_and_notifies_the_manager(world, a1):
    review = requested(a1, world.users["pm_a"])
    decided = decide_gate(
        actor=world.users["sponsor"], review=review, decision="go", rationale="Cadrage solide"
    )
    assert decided.decision == "go" and decided.decided_by == world.users["sponsor"]
    project = Project.objects.get(pk=a1.pk)
    assert project.current_stage.name == "Planification" and project.stage == "Planification"
    assert project.version == a1.version + 1
    assert Notification.objects.filter(
        recipient=world.users["pm_a"], key=f"gate-review-{review.pk}-decided"
    ).exists()
    with pytest.raises(ValidationError):  # decided once
        decide_gate(actor=world.users["executive"], review=decided, decision="stop", rationale="Non")


def test_go_with_conditions_needs_conditions(world, a1):
    review = requested(a1, world.users["pm_a"])
    with pytest.raises(ValidationError) as caught:
        decide_gate(actor=world.users["executive"], review=review, decision="go_conditions", rationale="OK")
    assert "conditions" in caught.value.message_dict
    decide_gate(
        actor=world.users["executive"],
        review=review,
        decision="go_conditions",
        rationale="OK",
        conditions="Budget revu sous 15 jours",
    )
    assert Project.objects.get(pk=a1.pk).stage == "Planification"


@pytest.mark.parametrize(
    ("decision", "state", "stage"),
    [("recycle", "active", "Cadrage"), ("hold", "on_hold", "Cadrage"), ("stop", "cancelled", "Cadrage")],
)
def test_other_decisions_keep_the_stage(world, a1, decision, state, stage):
    review = requested(a1, world.users["pm_a"])
    decide_gate(actor=world.users["sponsor"], review=review, decision=decision, rationale="Motif")
    project = Project.objects.get(pk=a1.pk)
    assert (project.state, project.stage, project.current_stage.name) == (state, stage, stage)


def test_the_last_gate_closes_the_project(world):
    project = on_methodology(world.a1, code="agile", stage="Closure")
    review = requested(project, world.users["pm_a"])
    decide_gate(actor=world.users["sponsor"], review=review, decision="go", rationale="Clos")
    project.refresh_from_db()
    assert project.state == Project.State.CLOSED and project.stage == "Closure"


def test_a_stopped_project_cannot_request_again(world, a1):
    review = requested(a1, world.users["pm_a"])
    decide_gate(actor=world.users["sponsor"], review=review, decision="stop", rationale="Abandon")
    a1.refresh_from_db()
    with pytest.raises(ValidationError):
        request_gate(actor=world.users["pm_a"], project=a1, checklist=yes_to_all(a1))


def test_withdrawal_then_a_new_request(world, a1):
    review = requested(a1, world.users["pm_a"])
    withdraw_gate(actor=world.users["pm_a"], review=review)
    assert GateReview.objects.get(pk=review.pk).state == GateReview.State.WITHDRAWN
    again = request_gate(actor=world.users["pm_a"], project=a1, checklist=yes_to_all(a1))
    assert again.pk != review.pk


def test_every_transition_is_audited(world, a1):
    review = requested(a1, world.users["pm_a"])
    decide_gate(actor=world.users["sponsor"], review=review, decision="go", rationale="OK")
    events = list(GateReview.pgh_event_model.objects.filter(pgh_obj_id=review.pk).order_by("pgh_id"))
    assert [e.state for e in events] == ["requested", "decided"]
    assert events[-1].pgh_context.metadata["user"] == world.users["sponsor"].pk
    project_events = Project.pgh_event_model.objects.filter(pgh_obj_id=a1.pk, stage="Planification")
    assert project_events.count() == 1


def test_a_new_project_follows_its_portfolio_methodology(world):
    from portfolio.models import Methodology, Portfolio
    from projects.services import project_create

    agile = Methodology.objects.get(code="agile")
    Portfolio.objects.filter(pk=world.portfolio_a.pk).update(default_methodology=agile)
    world.portfolio_a.refresh_from_db()
    fresh = project_create(
        actor=world.users["pmo_a"], data={"portfolio": world.portfolio_a, "code": "neuf", "name": "Nouveau"}
    )
    assert (fresh.methodology, fresh.current_stage.name, fresh.stage) == (agile, "Discovery", "Discovery")
    named = project_create(
        actor=world.users["pmo_a"],
        data={"portfolio": world.portfolio_a, "code": "neuf-2", "name": "Nouveau 2", "stage": "Release"},
    )
    assert named.current_stage.name == "Release"
