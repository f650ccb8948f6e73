"""iCalendar (RFC 5545) feeds of milestones and status-report deadlines, behind a per-user secret.

The token in the URL stands for its user: a feed shows exactly what that user may see
(`visible_to`), nothing more. Tokens are stored hashed; regenerating one revokes the old URLs.

Extension point: higher apps (governance: gate reviews, COPIL meetings, action due dates) add events
with `register_feed_source(fn)` from their AppConfig.ready(); `fn(user=, projects=, portfolio=)`
receives the user, the queryset of projects the feed covers and the portfolio (None for the personal
feed) and returns CalendarEvent objects. projects never imports them (dependencies point down).
"""

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pmo.core.periods import week_start
from projects.models import CalendarToken, Milestone, Project, ProjectMember

# A status report is due on the Friday of its week (the Monday reminder chases the missing ones).
REPORT_DUE_WEEKDAY = 4
REPORT_WEEKS_AHEAD = 4
PRODID = "-//PMO Portfolio//Calendrier//FR"


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event; `uid` must stay the same for the same object across feed refreshes."""

    uid: str
    day: date
    summary: str
    description: str = ""
    url: str = ""
    category: str = ""


FeedSource = Callable[..., Iterable[CalendarEvent]]
FEED_SOURCES: list[FeedSource] = []


def register_feed_source(source: FeedSource) -> FeedSource:
    """Add events of another app to every feed (see the module docstring)."""
    if source not in FEED_SOURCES:
        FEED_SOURCES.append(source)
    return source


# ----------------------------------------------------------------------------------------------
# Tokens


@transaction.atomic
def calendar_token_regenerate(*, user) -> str:
    """A new secret for the user's feeds (the previous URLs stop working); returned once, stored hashed."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(user=user, defaults={"token_hash": CalendarToken.hash(token)})
    return token


@transaction.atomic
def calendar_token_revoke(*, user) -> None:
    """Every feed URL of the user answers 404 from now on."""
    CalendarToken.objects.filter(user=user).delete()


def user_for_token(token: str):
    """The active user whose feed secret is `token`, or None."""
    if not token or len(token) > 100:
        return None
    row = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=CalendarToken.hash(token), user__is_active=True)
        .first()
    )
    return row.user if row else None


# ----------------------------------------------------------------------------------------------
# Events


def _milestone_event(milestone: Milestone) -> CalendarEvent | None:
    day = milestone.actual_date or milestone.forecast_date or milestone.baseline_date
    if day is None:
        return None
    project = milestone.project
    label = _("key milestone").capitalize() if milestone.is_key else _("Milestone")
    lines = [f"{project.code} – {project.name}"]
    for title, value in (
        (_("Baseline"), milestone.baseline_date),
        (_("Forecast"), milestone.forecast_date),
        (_("Actual"), milestone.actual_date),
    ):
        if value:
            lines.append(f"{title} : {value:%d/%m/%Y}")
    return CalendarEvent(
        uid=f"milestone-{milestone.pk}@pmo",
        day=day,
        summary=f"{label} {project.code} – {milestone.name}",
        description="\n".join(lines),
        url=project.get_absolute_url(),
        category=_("Milestone"),
    )


def _milestones(projects: QuerySet[Project], extra: Q | None = None) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(project__in=projects.values("pk"))
        .filter(extra or Q())
        .exclude(status=Milestone.Status.CANCELLED)
        .select_related("project")
        .order_by("pk")
    )


def user_feed_events(*, user, today: date | None = None) -> list[CalendarEvent]:
    """The user's calendar: every milestone of the projects they manage, deputise, sponsor or work on,
    the key milestones of the other projects they may see, and the weekly status-report deadlines of
    the projects they manage (this week and the next three). Constant number of queries."""
    today = today or timezone.localdate()
    visible = Project.objects.visible_to(user).active()
    involved = visible.filter(
        Q(manager=user)
        | Q(deputy=user)
        | Q(sponsor=user)
        | Q(pk__in=ProjectMember.objects.filter(user=user).values("project_id"))
    )
    events = [
        event
        for m in _milestones(visible, Q(project__in=involved.values("pk")) | Q(is_key=True))
        if (event := _milestone_event(m))
    ]
    monday = week_start(today)
    for project in visible.filter(Q(manager=user) | Q(deputy=user)).order_by("code"):
        for week in range(REPORT_WEEKS_AHEAD):
            period = monday + timedelta(weeks=week)
            events.append(
                CalendarEvent(
                    uid=f"status-report-{project.pk}-{period.isoformat()}@pmo",
                    day=period + timedelta(days=REPORT_DUE_WEEKDAY),
                    summary=f"{_('Weekly update')} {project.code}",
                    description=f"{project.code} – {project.name}",
                    url=project.get_absolute_url(),
                    category=_("Weekly update"),
                )
            )
    for source in FEED_SOURCES:
        events.extend(source(user=user, projects=visible, portfolio=None))
    return events


def portfolio_feed_events(*, user, portfolio) -> list[CalendarEvent]:
    """Milestones of the portfolio's projects the user may see (plus registered sources' events)."""
    projects = Project.objects.visible_to(user).active().filter(portfolio=portfolio)
    events = [event for m in _milestones(projects) if (event := _milestone_event(m))]
    for source in FEED_SOURCES:
        events.extend(source(user=user, projects=projects, portfolio=portfolio))
    return events


def render_calendar(*, name: str, events: Iterable[CalendarEvent], base_url: str = "") -> bytes:
    """RFC 5545 text: all-day events as DATE values, DTSTAMP of generation, stable UIDs."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property is untyped for icalendar: given as a str it is written as is (a line break in a
    # portfolio's name would start a property, or fail the feed); as TEXT it is escaped.
    calendar.add("x-wr-calname", icalendar.vText(name))
    stamp = timezone.now().replace(microsecond=0)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("transp", "TRANSPARENT")
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", base_url + item.url)
        if item.category:
            event.add("categories", [item.category])
        calendar.add_component(event)
    return calendar.to_ical()


def in_site_language():
    """Feeds are read without a session: summaries in the site's language (French)."""
    return translation.override(settings.LANGUAGE_CODE)
