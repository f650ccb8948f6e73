"""Property and component injection in the .ics the application serves (RELIABILITY row 13): the
calendar feeds (projects/ical.py, with governance's meetings, gate reviews and actions) and the
meeting invitation (governance/committees.py).

Names, places and agenda titles are typed by users; in iCalendar a line break starts a new property
(`ATTENDEE:mailto:...`) or component (`BEGIN:VEVENT`), and `;`, `,`, `\\` and `"` have a meaning in
values and parameters. With such text everywhere the .ics shows user text, the file parses back
(icalendar) to exactly the components the application made, every text property to the text as
typed, and every attendee's and organizer's CN parameter, read from the file, to the person's name.
iCalendar carries one kind of line break (`\\n`, `^n` in a parameter): CR LF and a lone CR come
back as LF, the only change allowed.
"""

import re
from datetime import date, timedelta

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from governance import committees, control_selectors
from governance.control_models import SteeringCommittee
from portfolio.models import Portfolio
from projects import ical
from projects.models import Project
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

# A line break then a whole event, a property with parameters, the characters iCalendar escapes in
# values (; , \) and quotes in parameters ("), an escape sequence typed as text (\n, \,), HTML.
HOSTILE = (
    'Copil\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x\rATTENDEE;CN="E":mailto:evil@example.com\n'
    'LOCATION:ici; a, b \\ c \\n \\, <script>alert(1)</script> "q" ^n'
)


def as_ical_text(text: str) -> str:
    """What iCalendar TEXT can carry of `text`: its line breaks as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parsed(body: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(body)
    assert isinstance(calendar, icalendar.Calendar), "more than one calendar in the file"
    return calendar


def text_value(value) -> str:
    """A TEXT value as typed: icalendar reads an X- property (X-WR-CALNAME) without its type, so its
    escapes (RFC 5545 3.3.11: backslash before a backslash, ; , or n) are undone here."""
    if isinstance(value, icalendar.vText):
        return str(value)
    raw = value.to_ical().decode()
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


def calendar_name(calendar: icalendar.Calendar) -> str:
    return text_value(calendar["X-WR-CALNAME"])


def common_name(body: bytes, prop: str, address: str) -> str:
    """The CN parameter of the `prop` line for `address`, read from the file itself: a quoted string
    (RFC 5545 3.2) with RFC 6868's ^n ^' ^^ decoded. Not through icalendar, whose reader also undoes
    backslash escapes in parameters (there are none in RFC 5545: a name with a backslash before a
    comma would lose the backslash in the reading, not in the file)."""
    unfolded = body.decode().replace("\r\n ", "").replace("\r\n\t", "")
    lines = re.findall(rf'^{prop};CN="([^"\r\n]*)"[^:\r\n]*:{re.escape(address)}\r$', unfolded, re.M)
    assert len(lines) == 1, f"{len(lines)} {prop} lines for {address}"
    return re.sub(r"\^(n|'|\^)", lambda m: {"n": "\n", "'": '"', "^": "^"}[m[1]], lines[0])


def event_texts(event: icalendar.Event) -> dict:
    """The event's text properties as read back (CATEGORIES as a list)."""
    texts = {name: str(event[name]) for name in ("SUMMARY", "DESCRIPTION", "LOCATION") if name in event}
    if "CATEGORIES" in event:
        texts["CATEGORIES"] = [str(c) for c in event["CATEGORIES"].cats]
    return texts


def injection_problems(body: bytes, expected: dict[str, dict]) -> list[str]:
    """How the .ics differs from the events the application made (uid: expected text properties)."""
    calendar = parsed(body)
    events = calendar.walk("VEVENT")
    problems = []
    if len(calendar.subcomponents) != len(expected) or len(events) != len(expected):
        problems.append(f"{len(calendar.subcomponents)} components, {len(expected)} events made")
    for event in events:
        uid = str(event.get("UID"))
        if uid not in expected:
            problems.append(f"an event the application did not make: {uid}")
        elif event_texts(event) != expected[uid]:
            problems.append(f"{uid}: {event_texts(event)} instead of {expected[uid]}")
    return problems


def expected_texts(events: list[ical.CalendarEvent]) -> dict[str, dict]:
    texts = {}
    for item in events:
        texts[item.uid] = {"SUMMARY": as_ical_text(item.summary)}
        if item.description:
            texts[item.uid]["DESCRIPTION"] = as_ical_text(item.description)
        if item.category:
            texts[item.uid]["CATEGORIES"] = [as_ical_text(item.category)]
    return texts


def test_render_calendar_keeps_hostile_text_in_its_properties():
    events = [
        ical.CalendarEvent(
            uid=f"e{n}@pmo",
            day=date(2026, 12, n),
            summary=HOSTILE,
            description=f"{n}\n{HOSTILE}",
            url="/projects/1/",
            category=HOSTILE,
        )
        for n in (1, 2)
    ]

    body = ical.render_calendar(name=HOSTILE, events=events)

    assert injection_problems(body, expected_texts(events)) == []
    assert calendar_name(parsed(body)) == as_ical_text(HOSTILE)


@pytest.fixture
def hostile_world(world):
    """Portfolio A, a1, its milestones, a committee of A (chair and members), a meeting with its place
    and agenda: every text the feeds and the invitation show holds HOSTILE."""
    users = world.users
    for name in ("executive", "pm_a", "pmo_a"):
        get_user_model().objects.filter(pk=users[name].pk).update(
            first_name=HOSTILE, last_name=f'Nom; "{name}", \\', email=f"{name}@example.com"
        )
    Portfolio.objects.filter(pk=world.portfolio_a.pk).update(name=HOSTILE)
    Project.objects.filter(pk=world.a1.pk).update(name=HOSTILE)
    MilestoneFactory(
        project=world.a1, name=HOSTILE, is_key=True, forecast_date=timezone.localdate() + timedelta(days=9)
    )
    MilestoneFactory(
        project=world.a1, name=f"2 {HOSTILE}", forecast_date=timezone.localdate() + timedelta(days=20)
    )
    committee = SteeringCommittee.objects.create(
        portfolio=world.portfolio_a, name=HOSTILE, chair=users["executive"]
    )
    committee.members.set([users["executive"], users["pm_a"], users["pmo_a"]])
    meeting = committees.meeting_create(
        actor=users["pmo_a"], committee=committee, starts_at=timezone.now() + timedelta(days=5), place=HOSTILE
    )
    for n in (1, 2):
        committees.agenda_item_add(actor=users["pmo_a"], meeting=meeting, title=f"{n} {HOSTILE}")
    return meeting


def test_calendar_feeds_keep_hostile_text_in_its_properties(world, hostile_world, client):
    """Through the feed views: the personal feed and portfolio A's, each event as the app made it."""
    user = world.users["pm_a"]
    token = ical.calendar_token_regenerate(user=user)
    with ical.in_site_language():
        made = {
            "user": ical.user_feed_events(user=user),
            "portfolio": ical.portfolio_feed_events(user=user, portfolio=world.portfolio_a),
        }
    urls = {
        "user": reverse("projects:calendar-user-feed", args=[token]),
        "portfolio": reverse("projects:calendar-portfolio-feed", args=[token, world.portfolio_a.pk]),
    }

    for feed, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, f"{feed} feed: {response.status_code}"
        assert injection_problems(response.content, expected_texts(made[feed])) == [], feed
    portfolio_feed = parsed(client.get(urls["portfolio"]).content)
    assert calendar_name(portfolio_feed) == f"PMO – {as_ical_text(HOSTILE)}"
    summaries = [str(e["SUMMARY"]) for e in portfolio_feed.walk("VEVENT")]
    # the data reached the feed: both milestones and the meeting
    assert sum(as_ical_text(HOSTILE) in summary for summary in summaries) >= 3


def test_meeting_invitation_keeps_hostile_text_in_its_properties(world, hostile_world, client):
    meeting = hostile_world
    agenda = control_selectors.meeting_agenda(meeting=meeting)
    client.force_login(world.users["pmo_a"])

    response = client.get(reverse("governance:meeting-ics", args=[meeting.pk]))

    assert response.status_code == 200
    calendar = parsed(response.content)
    assert len(calendar.subcomponents) == 1
    [event] = calendar.walk("VEVENT")
    assert event_texts(event) == {
        "SUMMARY": as_ical_text(HOSTILE),
        "LOCATION": as_ical_text(HOSTILE),
        "DESCRIPTION": as_ical_text("\n".join(f"{n}. {item.title}" for n, item in enumerate(agenda, 1))),
    }
    assert sum(item.title.endswith(HOSTILE) for item in agenda) == 2
    members = {f"mailto:{u.email}": u.get_full_name() for u in meeting.committee.members.all() if u.email}
    attendees = event.get("ATTENDEE")
    assert sorted(str(a) for a in attendees) == sorted(members) and len(members) == 3
    assert {address: common_name(response.content, "ATTENDEE", address) for address in members} == {
        address: as_ical_text(name) for address, name in members.items()
    }
    chair = get_user_model().objects.get(pk=world.users["executive"].pk).get_full_name()
    assert common_name(response.content, "ORGANIZER", "mailto:executive@example.com") == as_ical_text(chair)
    assert str(event["ORGANIZER"]) == "mailto:executive@example.com"


def test_the_check_sees_an_injected_event_and_a_changed_value():
    """The control: the same text written into the .ics unescaped ends the event, starts another one
    and cuts the summary; the check reports all three."""
    made = [ical.CalendarEvent(uid="e@pmo", day=date(2026, 12, 1), summary=HOSTILE)]
    unescaped = as_ical_text(HOSTILE).replace("\n", "\r\n")
    raw = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:e@pmo\r\n"
        f"DTSTART;VALUE=DATE:20261201\r\nSUMMARY:{unescaped}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()

    problems = injection_problems(raw, expected_texts(made))

    assert problems[0] == "2 components, 1 events made"
    assert problems[1].startswith("e@pmo: {'SUMMARY': 'Copil'}")
    assert problems[2] == "an event the application did not make: evil@x"
    assert injection_problems(ical.render_calendar(name="x", events=made), expected_texts(made)) == []
