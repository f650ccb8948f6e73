"""Governance events in the iCal feeds (projects.ical): COPIL meetings, gate reviews awaiting a
decision, and action due dates. Registered from GovernanceConfig.ready(); each read is one query.

The personal feed (portfolio None) gets the meetings the user attends or whose committee they sit
on, the gate reviews of the feed's projects awaiting a decision, and the user's own open actions;
a portfolio feed gets that portfolio's meetings, its projects' pending gate reviews and every open
action on them.
"""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Action, GateReview, Meeting
from projects.ical import CalendarEvent

PAST_DAYS = 30
AHEAD_DAYS = 365


def governance_feed_events(*, user, projects, portfolio) -> list[CalendarEvent]:
    today = timezone.localdate()
    since = today - timedelta(days=PAST_DAYS)
    until = today + timedelta(days=AHEAD_DAYS)
    return [
        *_meetings(user=user, projects=projects, portfolio=portfolio, since=since, until=until),
        *_gate_reviews(projects=projects),
        *_actions(user=user, projects=projects, portfolio=portfolio, since=since, until=until),
    ]


def _meetings(*, user, projects, portfolio, since, until):
    meetings = Meeting.objects.filter(starts_at__date__gte=since, starts_at__date__lte=until).select_related(
        "committee"
    )
    if portfolio is None:
        meetings = meetings.filter(Q(attendees=user) | Q(committee__members=user)).distinct()
    else:
        meetings = meetings.filter(committee__portfolio=portfolio)
    events = []
    for meeting in meetings.order_by("starts_at", "pk"):
        local = timezone.localtime(meeting.starts_at)
        events.append(
            CalendarEvent(
                uid=f"meeting-{meeting.pk}@pmo",
                day=local.date(),
                summary=f"{meeting.committee.name} – {local:%H:%M}",
                description=_("Steering committee, %(place)s") % {"place": meeting.place or "—"},
                url=reverse("governance:meeting-detail", args=[meeting.pk]),
                category=_("Steering committee"),
            )
        )
    return events


def _gate_reviews(*, projects):
    reviews = (
        GateReview.objects.filter(state=GateReview.State.REQUESTED, project__in=projects.values("pk"))
        .select_related("project", "gate")
        .order_by("requested_at", "pk")
    )
    return [
        CalendarEvent(
            uid=f"gate-review-{review.pk}@pmo",
            day=timezone.localtime(review.requested_at).date(),
            summary=f"{_('Gate review')} {review.project.code} – {review.gate}",
            description=_("Awaiting the decision of the sponsor or the gate board."),
            url=reverse("governance:gate-review-detail", args=[review.pk]),
            category=_("Gate review"),
        )
        for review in reviews
    ]


def _actions(*, user, projects, portfolio, since, until):
    actions = Action.objects.filter(
        status__in=[Action.Status.OPEN, Action.Status.IN_PROGRESS], due_date__gte=since, due_date__lte=until
    ).select_related("project")
    if portfolio is None:
        actions = actions.filter(owner=user)
    else:
        actions = actions.filter(project__in=projects.values("pk"))
    return [
        CalendarEvent(
            uid=f"action-{action.pk}@pmo",
            day=action.due_date,
            summary=f"{_('Action')} – {action.title}",
            description=action.project.code if action.project_id else "",
            url=reverse("governance:my-actions"),
            category=_("Action"),
        )
        for action in actions.order_by("due_date", "pk")
    ]
