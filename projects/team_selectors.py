"""Reads of the stakeholder register and the communication plan (constant number of queries), the
communication items in "My projects" and the personal iCal feed, and the stakeholders who receive
reports (reporting's distribution reads them)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.charts_team import GridPoint
from projects.ical import CalendarEvent, register_feed_source
from projects.models import CommunicationItem, Project, Stakeholder

FEED_HORIZON_DAYS = 92  # the feed lists the occurrences of the coming quarter
MINE_HORIZON_DAYS = 7


@dataclass(frozen=True)
class StakeholderTab:
    stakeholders: tuple[Stakeholder, ...]
    communications: tuple[CommunicationItem, ...]

    @property
    def quadrants(self) -> list[tuple[str, str, list[Stakeholder]]]:
        """(quadrant, advice, stakeholders) in the order a PM works them."""
        titles = {
            "manage": _("Manage closely (high influence, high interest)"),
            "satisfy": _("Keep satisfied (high influence)"),
            "inform": _("Keep informed (high interest)"),
            "monitor": _("Monitor"),
        }
        return [
            (key, title, [s for s in self.stakeholders if s.quadrant == key]) for key, title in titles.items()
        ]

    @property
    def grid_points(self) -> list[GridPoint]:
        return [
            GridPoint(
                name=s.name,
                influence=s.influence,
                interest=s.interest,
                attitude=s.attitude,
                attitude_label=str(s.get_attitude_display()),
            )
            for s in self.stakeholders
        ]


def project_stakeholders(*, project: Project) -> StakeholderTab:
    """Stakeholders by influence then interest, and the communication plan with its audiences, in 4
    queries."""
    stakeholders = tuple(project.stakeholders.select_related("user"))
    communications = tuple(
        project.communication_items.select_related("owner").prefetch_related(
            Prefetch(
                "stakeholders", queryset=Stakeholder.objects.only("pk", "name", "project_id").order_by("name")
            )
        )
    )
    return StakeholderTab(stakeholders=stakeholders, communications=communications)


def my_communications(*, user, today: date, horizon_days: int = MINE_HORIZON_DAYS) -> list[CommunicationItem]:
    """The active communication items the user owns on projects they may see, due by the horizon
    (overdue ones included), soonest first; one query."""
    return list(
        CommunicationItem.objects.filter(
            owner=user,
            is_active=True,
            next_date__isnull=False,
            next_date__lte=today + timedelta(days=horizon_days),
            project__in=Project.objects.visible_to(user).active().values("pk"),
        )
        .select_related("project")
        .order_by("next_date", "title")
    )


def next_occurrence(day: date, frequency: str) -> date | None:
    """The occurrence after `day` for a frequency; None for a one-off item."""
    if frequency == CommunicationItem.Frequency.WEEKLY:
        return day + timedelta(weeks=1)
    if frequency == CommunicationItem.Frequency.BIWEEKLY:
        return day + timedelta(weeks=2)
    months = {CommunicationItem.Frequency.MONTHLY: 1, CommunicationItem.Frequency.QUARTERLY: 3}.get(frequency)
    if months is None:
        return None
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occurrences(item: CommunicationItem, *, start: date, end: date) -> list[date]:
    """The item's dates from its next date through `end` (only the next one for a one-off item)."""
    days: list[date] = []
    day = item.next_date
    while day is not None and day <= end and len(days) < 60:
        if day >= start:
            days.append(day)
        day = next_occurrence(day, item.frequency)
    return days


@register_feed_source
def communication_feed_events(*, user, projects: QuerySet[Project], portfolio) -> list[CalendarEvent]:
    """The personal feed gets the communication items the user owns: every occurrence of the coming
    quarter (overdue ones on their date). Portfolio feeds get nothing: the plan is personal work."""
    if portfolio is not None:
        return []
    today = timezone.localdate()
    end = today + timedelta(days=FEED_HORIZON_DAYS)
    events = []
    for item in (
        CommunicationItem.objects.filter(
            owner=user, is_active=True, next_date__isnull=False, project__in=projects.values("pk")
        )
        .select_related("project")
        .order_by("pk")
    ):
        for day in occurrences(item, start=min(item.next_date, today), end=end):
            events.append(
                CalendarEvent(
                    uid=f"communication-{item.pk}-{day.isoformat()}@pmo",
                    day=day,
                    summary=f"{_('Communication')} {item.project.code} – {item.title}",
                    description=(
                        f"{item.project.code} – {item.project.name}\n"
                        f"{item.get_channel_display()} · {item.get_frequency_display()}"
                    ),
                    url=item.project.get_absolute_url(),
                    category=_("Communication"),
                )
            )
    return events


def report_stakeholders(*, kind: str, project_ids) -> tuple[list, list[str]]:
    """(users, e-mail addresses) of the stakeholders of these projects who asked for this kind of
    report ("highlight" or "steering"); stakeholders with neither a user nor an e-mail are skipped."""
    flag = {"highlight": "receives_highlight", "steering": "receives_steering"}.get(kind)
    if flag is None:
        return [], []
    users, emails = {}, set()
    for stakeholder in Stakeholder.objects.filter(
        Q(**{flag: True}), project_id__in=project_ids
    ).select_related("user"):
        if stakeholder.user_id and stakeholder.user.is_active:
            users[stakeholder.user_id] = stakeholder.user
        elif stakeholder.email:
            emails.add(stakeholder.email)
    return list(users.values()), sorted(emails)
