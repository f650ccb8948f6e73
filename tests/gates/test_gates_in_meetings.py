"""Gate reviews on the steering committee's agenda, decided in the meeting through the gate's own
service (the merge of the governance work: committees' AGENDA_SOURCES and DECISION_HANDLERS)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance import committees
from governance.gates import request_gate
from governance.models import AgendaItem, Decision, GateReview, SteeringCommittee
from pmo.core.models import SecurityEvent
from projects.models import Project
from tests.gates.conftest import upload_required, yes_to_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world, a1):
    upload_required(a1, world.users["pm_a"])
    request_gate(actor=world.users["pm_a"], project=a1, checklist=yes_to_all(a1))
    committee = SteeringCommittee.objects.create(
        portfolio=world.portfolio_a, name="COPIL A", chair=world.users["executive"]
    )
    committee.members.set([world.users["sponsor"], world.users["executive"], world.users["pm_a"]])
    return committees.meeting_create(
        actor=world.users["pmo_a"],
        committee=committee,
        starts_at=timezone.now() + timezone.timedelta(days=7),
        place="Salle 1",
    )


def test_a_pending_gate_review_is_on_the_agenda(world, a1, meeting):
    review = GateReview.objects.get(project=a1)
    item = meeting.items.get(kind=AgendaItem.Kind.GATE_REVIEW)
    assert item.gate_review_id == review.pk and item.project_id == a1.pk
    assert a1.name in item.title
    assert set(committees.ITEM_OUTCOMES[AgendaItem.Kind.GATE_REVIEW]) == {
        "go",
        "go_with_conditions",
        "recycle",
        "hold",
        "stop",
    }


def test_a_go_in_the_meeting_moves_the_project_to_its_next_stage(world, a1, meeting):
    item = meeting.items.get(kind=AgendaItem.Kind.GATE_REVIEW)
    decision = committees.agenda_item_decide(
        actor=world.users["sponsor"], item=item, outcome="go", rationale="Cadrage validé en COPIL."
    )
    review = GateReview.objects.get(project=a1)
    project = Project.objects.get(pk=a1.pk)
    assert review.state == GateReview.State.DECIDED and review.decision == GateReview.Decision.GO
    assert project.stage == "Planification" and project.current_stage.name == "Planification"
    assert (decision.outcome, decision.gate_review_id, decision.meeting) == ("go", review.pk, meeting)


def test_the_manager_cannot_decide_their_own_gate_in_the_meeting(world, a1, meeting):
    item = meeting.items.get(kind=AgendaItem.Kind.GATE_REVIEW)
    with pytest.raises(PermissionDenied):
        committees.agenda_item_decide(actor=world.users["pm_a"], item=item, outcome="go", rationale="Moi.")
    assert GateReview.objects.get(project=a1).state == GateReview.State.REQUESTED
    assert not Decision.objects.exists()
    assert SecurityEvent.objects.filter(kind="permission_denied", user=world.users["pm_a"]).exists()


def test_an_outcome_that_is_not_a_gate_decision_is_refused(world, a1, meeting):
    item = meeting.items.get(kind=AgendaItem.Kind.GATE_REVIEW)
    with pytest.raises(ValidationError):
        committees.agenda_item_decide(
            actor=world.users["sponsor"], item=item, outcome="approved", rationale="x"
        )
    assert GateReview.objects.get(project=a1).state == GateReview.State.REQUESTED
