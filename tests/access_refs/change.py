"""References of tests/access_spec.d/change.yaml: change requests on a1 in each workflow state and
one on b1, a committee per portfolio (A: chaired by `executive`, with sponsor, executive, pmo_a and
pm_a as members; B: chaired by pmo_b), a planned and a held meeting of A and one of B, two free
agenda items, an action owned by pm_a, a decision on a1, and a lesson in each portfolio."""

from datetime import timedelta

from django.utils import timezone

from governance.models import (
    Action,
    AgendaItem,
    ChangeRequest,
    Decision,
    LessonLearned,
    Meeting,
    SteeringCommittee,
)


def _change(project, requester, number, state, **extra):
    return ChangeRequest.objects.create(
        project=project,
        number=number,
        title=f"Demande {number} de {project.code}",
        description="Ajouter un module.",
        reason="Demande métier.",
        requested_by=requester,
        state=state,
        **extra,
    )


def _meeting(committee, state, days):
    meeting = Meeting.objects.create(
        committee=committee,
        starts_at=timezone.now() + timedelta(days=days),
        place="Salle du conseil",
        state=state,
    )
    meeting.attendees.set(committee.members.all())
    return meeting


def references(world, refs: dict) -> dict:
    users = world.users
    now = timezone.now()
    draft = _change(world.a1, users["pm_a"], 1, ChangeRequest.State.DRAFT)
    submitted = _change(world.a1, users["pm_a"], 2, ChangeRequest.State.SUBMITTED, submitted_at=now)
    assessed = _change(
        world.a1,
        users["pm_a"],
        3,
        ChangeRequest.State.ASSESSED,
        submitted_at=now,
        assessed_at=now,
        assessed_by=users["pmo_a"],
        assessment="Impacts vérifiés.",
    )
    change_b1 = _change(world.b1, users["pm_b"], 1, ChangeRequest.State.DRAFT)
    committee_a = SteeringCommittee.objects.create(
        portfolio=world.portfolio_a, name="COPIL A", chair=users["executive"]
    )
    committee_a.members.set([users["sponsor"], users["executive"], users["pmo_a"], users["pm_a"]])
    committee_b = SteeringCommittee.objects.create(
        portfolio=world.portfolio_b, name="COPIL B", chair=users["pmo_b"]
    )
    committee_b.members.set([users["pm_b"], users["pmo_b"]])
    meeting_a = _meeting(committee_a, Meeting.State.PLANNED, 7)
    held_a = _meeting(committee_a, Meeting.State.HELD, -1)
    meeting_b = _meeting(committee_b, Meeting.State.PLANNED, 7)
    item_a = AgendaItem.objects.create(
        meeting=meeting_a, position=1, kind=AgendaItem.Kind.OTHER, title="Point budget"
    )
    AgendaItem.objects.create(meeting=meeting_a, position=2, kind=AgendaItem.Kind.OTHER, title="Divers")
    item_b = AgendaItem.objects.create(
        meeting=meeting_b, position=1, kind=AgendaItem.Kind.OTHER, title="Point B"
    )
    decision_a = Decision.objects.create(
        title="Point budget",
        outcome=Decision.Outcome.NOTED,
        rationale="Conforme.",
        project=world.a1,
        meeting=held_a,
        decided_by=users["executive"],
        decided_at=now,
    )
    action_a = Action.objects.create(
        title="Chiffrer l'option 2",
        owner=users["pm_a"],
        due_date=timezone.localdate() + timedelta(days=5),
        meeting=meeting_a,
        created_by=users["pmo_a"],
    )
    lesson_a = LessonLearned.objects.create(
        portfolio=world.portfolio_a,
        project=world.a1,
        title="Reprise de données : trois répétitions",
        category=LessonLearned.Category.DATA,
        what_happened="Deux lots de reprise supplémentaires.",
        recommendation="Planifier trois répétitions.",
        tags=["reprise de données"],
        created_by=users["pmo_a"],
    )
    lesson_b = LessonLearned.objects.create(
        portfolio=world.portfolio_b,
        title="Leçon B",
        category=LessonLearned.Category.PLANNING,
        what_happened="Retard.",
        recommendation="Anticiper.",
        created_by=users["pmo_b"],
    )
    return {
        "change_draft_a1": draft,
        "change_submitted_a1": submitted,
        "change_assessed_a1": assessed,
        "change_b1": change_b1,
        "committee_a": committee_a,
        "committee_b": committee_b,
        "meeting_a": meeting_a,
        "meeting_held_a": held_a,
        "meeting_b": meeting_b,
        "agenda_item_a": item_a,
        "agenda_item_b": item_b,
        "decision_a": decision_a,
        "action_a": action_a,
        "lesson_a": lesson_a,
        "lesson_b": lesson_b,
    }
