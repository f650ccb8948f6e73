"""Calendar feeds: valid RFC 5545, stable UIDs, the token's user's visibility only, revocation."""

from datetime import date

import icalendar
import pytest
from django.urls import reverse

from projects.ical import CalendarEvent, calendar_token_regenerate, render_calendar
from projects.models import CalendarToken
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestones(world):
    return {
        "a1": MilestoneFactory(project=world.a1, name="Go-live A1", forecast_date=date(2026, 9, 1)),
        "a2_key": MilestoneFactory(
            project=world.a2, name="Clé A2", is_key=True, baseline_date=date(2026, 10, 1)
        ),
        "a2": MilestoneFactory(project=world.a2, name="Secondaire A2", forecast_date=date(2026, 10, 2)),
        "b1": MilestoneFactory(project=world.b1, name="Jalon B1", forecast_date=date(2026, 11, 3)),
    }


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def _events(calendar):
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_user_feed_is_valid_and_scoped(world, milestones, client):
    token = calendar_token_regenerate(user=world.users["pm_a"])

    calendar = _feed(client, reverse("projects:calendar-user-feed", args=[token]))  # no session

    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    events = _events(calendar)
    assert "Jalon a1 – Go-live A1" in events  # a project pm_a manages: every milestone
    assert "Jalon clé a2 – Clé A2" in events  # another visible project: key milestones only
    assert not any("Secondaire A2" in s or "B1" in s for s in events)  # not key / not visible
    go_live = events["Jalon a1 – Go-live A1"]
    assert go_live.decoded("DTSTART") == date(2026, 9, 1)  # all-day: a DATE, not a DATE-TIME
    assert go_live["DTSTART"].params.get("VALUE", "DATE") == "DATE"
    assert go_live.decoded("DTEND") == date(2026, 9, 2)
    assert str(go_live["UID"]) == f"milestone-{milestones['a1'].pk}@pmo"
    assert go_live["DTSTAMP"]
    # weekly status-report deadlines of the projects pm_a manages
    assert sum(1 for s in events if s.startswith("Mise à jour hebdomadaire a1")) == 1
    assert len([e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]).startswith("Mise à jour")]) == 4


def test_uids_are_stable_across_refreshes(world, milestones, client):
    token = calendar_token_regenerate(user=world.users["pm_a"])
    url = reverse("projects:calendar-user-feed", args=[token])

    first = sorted(str(e["UID"]) for e in _feed(client, url).walk("VEVENT"))
    second = sorted(str(e["UID"]) for e in _feed(client, url).walk("VEVENT"))

    assert first == second and len(first) == len(set(first))


def test_other_users_data_is_absent(world, milestones, client):
    token = calendar_token_regenerate(user=world.users["pm_b"])

    summaries = set(_events(_feed(client, reverse("projects:calendar-user-feed", args=[token]))))

    assert "Jalon b1 – Jalon B1" in summaries
    assert not any("A1" in s or "A2" in s for s in summaries)
    portfolio_a = reverse("projects:calendar-portfolio-feed", args=[token, world.portfolio_a.pk])
    assert client.get(portfolio_a).status_code == 404


def test_portfolio_feed_lists_the_visible_projects_milestones(world, milestones, client):
    token = calendar_token_regenerate(user=world.users["team"])  # team sees a1 only

    summaries = set(
        _events(
            _feed(client, reverse("projects:calendar-portfolio-feed", args=[token, world.portfolio_a.pk]))
        )
    )

    assert summaries == {"Jalon a1 – Go-live A1"}


def test_revoked_and_replaced_tokens_answer_404(world, milestones, client_for, client):
    user_client = client_for("pm_a")
    page = user_client.post(reverse("projects:calendar-token"), {"action": "regenerate"})
    assert page.status_code == 200
    token = page.context["token"]
    assert len(token) >= 43  # 32 random bytes
    stored = CalendarToken.objects.get(user=world.users["pm_a"])
    assert stored.token_hash != token and stored.token_hash == CalendarToken.hash(token)
    url = reverse("projects:calendar-user-feed", args=[token])
    assert client.get(url).status_code == 200

    user_client.post(reverse("projects:calendar-token"), {"action": "regenerate"})
    assert client.get(url).status_code == 404

    new_token = calendar_token_regenerate(user=world.users["pm_a"])
    assert user_client.post(reverse("projects:calendar-token"), {"action": "revoke"}).status_code == 302
    assert client.get(reverse("projects:calendar-user-feed", args=[new_token])).status_code == 404
    assert user_client.get(reverse("projects:calendar-token")).status_code == 200


def test_inactive_users_token_answers_404(world, client):
    token = calendar_token_regenerate(user=world.users["pm_a"])
    world.users["pm_a"].is_active = False
    world.users["pm_a"].save()

    assert client.get(reverse("projects:calendar-user-feed", args=[token])).status_code == 404


def test_render_calendar_round_trips():
    body = render_calendar(
        name="Test",
        events=[
            CalendarEvent(uid="x@pmo", day=date(2026, 1, 2), summary="Jalon ; test, été", description="a\nb")
        ],
    )

    calendar = icalendar.Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Jalon ; test, été"
    assert event.decoded("DTSTART") == date(2026, 1, 2)
    assert body.count(b"\r\n") > 5  # CRLF line endings


def test_feed_query_count_does_not_grow_with_milestones(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.ical import portfolio_feed_events, user_feed_events

    def count():
        with CaptureQueriesContext(connection) as queries:
            user_feed_events(user=world.users["pm_a"])
            portfolio_feed_events(user=world.users["pm_a"], portfolio=world.portfolio_a)
        return len(queries)

    MilestoneFactory(project=world.a1)
    few = count()
    for project in (world.a1, world.a2):
        MilestoneFactory.create_batch(10, project=project, is_key=True)

    assert count() == few


def test_other_apps_add_events_through_the_extension_point(world, client):
    from projects import ical

    def gate_reviews(*, user, projects, portfolio):
        return [
            ical.CalendarEvent(uid=f"gate-{p.pk}@pmo", day=date(2026, 12, 1), summary=f"Revue {p.code}")
            for p in projects
        ]

    ical.register_feed_source(gate_reviews)
    try:
        token = calendar_token_regenerate(user=world.users["pm_b"])
        summaries = set(_events(_feed(client, reverse("projects:calendar-user-feed", args=[token]))))
    finally:
        ical.FEED_SOURCES.remove(gate_reviews)

    assert "Revue b1" in summaries and "Revue a1" not in summaries  # only the user's visible projects
