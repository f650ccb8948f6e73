"""Permission-scoped reads of change requests, committees, meetings, decisions and actions, each
in a constant number of queries."""

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When

from governance.models import Action, AgendaItem, ChangeRequest, Decision, Meeting, SteeringCommittee
from pmo.core.permissions import get_visible_or_404
from portfolio.models import Membership


def change_request_list(*, user) -> QuerySet[ChangeRequest]:
    """Change requests of visible projects with project and people joined (one query per page)."""
    return ChangeRequest.objects.visible_to(user).select_related(
        "project__portfolio", "project__manager", "project__sponsor", "requested_by", "decided_by", "baseline"
    )


def change_request_get(*, user, pk) -> ChangeRequest:
    return get_visible_or_404(change_request_list(user=user).select_related("assessed_by"), pk=pk)


def project_change_requests(*, project) -> QuerySet[ChangeRequest]:
    """One project's change requests, newest first (the caller checked visibility)."""
    return project.change_requests.select_related("requested_by", "decided_by", "baseline").order_by(
        "-number"
    )


def committee_list(*, user) -> QuerySet[SteeringCommittee]:
    """Visible committees with their portfolio, programme and chair, and their number of meetings."""
    return (
        SteeringCommittee.objects.visible_to(user)
        .select_related("portfolio", "programme", "chair")
        .annotate(meeting_count=Count("meetings", distinct=True))
        .order_by("portfolio__name", "name")
    )


def committee_get(*, user, pk) -> SteeringCommittee:
    return get_visible_or_404(
        SteeringCommittee.objects.visible_to(user).select_related("portfolio", "programme", "chair"), pk=pk
    )


def meeting_list(*, user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        committee__in=SteeringCommittee.objects.visible_to(user).values("pk")
    ).select_related("committee__portfolio", "committee__programme", "committee__chair")


def meeting_get(*, user, pk) -> Meeting:
    return get_visible_or_404(meeting_list(user=user), pk=pk)


def meeting_agenda(*, meeting: Meeting) -> list[AgendaItem]:
    """Items still on the agenda, in order, with their project, exception (and report), change
    request and the decisions already taken on them (2 queries)."""
    return list(
        meeting.items.filter(removed=False)
        .select_related("project", "exception__report", "exception__project", "change_request__project")
        .prefetch_related(
            Prefetch(
                "decisions", queryset=Decision.objects.select_related("decided_by", "meeting__committee")
            )
        )
        .order_by("position", "pk")
    )


def meeting_decisions(*, meeting: Meeting) -> QuerySet[Decision]:
    return meeting.decisions.select_related(
        "project", "decided_by", "change_request", "exception", "meeting__committee"
    ).order_by("decided_at", "pk")


def meeting_actions(*, meeting: Meeting) -> QuerySet[Action]:
    return meeting.actions.select_related("owner", "project").order_by("due_date", "pk")


def committee_people(committee: SteeringCommittee):
    """Who may attend or own an action: the portfolio's members."""
    return (
        get_user_model()
        .objects.filter(
            pk__in=Membership.objects.filter(portfolio_id=committee.portfolio_id).values("user_id"),
            is_active=True,
        )
        .order_by("last_name", "first_name", "username")
    )


def decision_list(*, user) -> QuerySet[Decision]:
    return Decision.objects.visible_to(user).select_related(
        "project", "meeting__committee", "decided_by", "change_request", "exception"
    )


def action_list(*, user) -> QuerySet[Action]:
    return Action.objects.visible_to(user).select_related(
        "owner", "project", "meeting__committee", "decision"
    )


def my_actions(*, user) -> QuerySet[Action]:
    """The user's actions, open ones first, by due date."""
    return (
        Action.objects.filter(owner=user)
        .select_related("project", "meeting__committee", "decision")
        .annotate(
            finished=Case(
                When(status__in=[Action.Status.OPEN, Action.Status.IN_PROGRESS], then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("finished", "due_date", "pk")
    )
