"""Governance events in the iCal feeds (governance.feeds): COPIL meetings, gate reviews awaiting a
decision and open actions, scoped like the rest of the feed, in a constant number of queries."""

from datetime import timedelta

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import committees
from governance.gates import request_gate
from governance.models import Action, SteeringCommittee
from projects.ical import calendar_token_regenerate, portfolio_feed_events, user_feed_events
from tests.gates.conftest import upload_required, yes_to_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def governance(world, a1):
    upload_required(a1, world.users["pm_a"])
    review = request_gate(actor=world.users["pm_a"], project=a1, checklist=yes_to_all(a1))
    committee = SteeringCommittee.objects.create(
        portfolio=world.portfolio_a, name="COPIL A", chair=world.users["executive"]
    )
    committee.members.set([world.users["executive"], world.users["pm_a"]])
    meeting = committees.meeting_create(
        actor=world.users["pmo_a"],
        committee=committee,
        starts_at=timezone.now() + timedelta(days=7),
        place="Salle 1",
    )
    action = Action.objects.create(
        title="Plan d'exception",
        owner=world.users["pm_a"],
        due_date=timezone.localdate() + timedelta(days=14),
        project=a1,
    )
    return review, meeting, action


def _uids(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def test_the_personal_feed_has_the_meeting_the_pending_gate_and_my_action(world, governance, client):
    review, meeting, action = governance
    token = calendar_token_regenerate(user=world.users["pm_a"])
    events = _uids(client, reverse("projects:calendar-user-feed", args=[token]))
    assert {f"meeting-{meeting.pk}@pmo", f"gate-review-{review.pk}@pmo", f"action-{action.pk}@pmo"} <= set(
        events
    )
    assert events[f"action-{action.pk}@pmo"].decoded("DTSTART") == action.due_date
    assert (
        events[f"meeting-{meeting.pk}@pmo"].decoded("DTSTART") == timezone.localtime(meeting.starts_at).date()
    )


def test_others_see_only_what_is_theirs(world, governance, client):
    review, meeting, action = governance
    # pm_b: another portfolio, not on the committee, owns no action
    token = calendar_token_regenerate(user=world.users["pm_b"])
    events = _uids(client, reverse("projects:calendar-user-feed", args=[token]))
    assert not [uid for uid in events if uid.startswith(("meeting-", "gate-review-", "action-"))]
    # the portfolio feed of A for its PMO: the meeting, the pending gate and the open action
    token = calendar_token_regenerate(user=world.users["pmo_a"])
    url = reverse("projects:calendar-portfolio-feed", args=[token, world.portfolio_a.pk])
    assert {f"meeting-{meeting.pk}@pmo", f"gate-review-{review.pk}@pmo", f"action-{action.pk}@pmo"} <= set(
        _uids(client, url)
    )


def test_governance_events_cost_a_constant_number_of_queries(world, governance):
    def count():
        with CaptureQueriesContext(connection) as queries:
            user_feed_events(user=world.users["pm_a"])
            portfolio_feed_events(user=world.users["pm_a"], portfolio=world.portfolio_a)
        return len(queries)

    few = count()
    review, meeting, action = governance
    for n in range(5):
        Action.objects.create(
            title=f"A{n}", owner=world.users["pm_a"], due_date=action.due_date, project=action.project
        )
    assert count() == few
