"""Steering committees: the agenda built from the data (and its registry), edited before the
meeting, decisions in the meeting applying the workflows, actions and their reminders, the iCal
invitation, the lessons register (French full text, suggestions) and the query budget of the pages."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance import changes, committees, lessons
from governance.models import (
    Action,
    AgendaItem,
    ChangeRequest,
    Decision,
    LessonLearned,
    Meeting,
    ProjectException,
    SteeringCommittee,
)
from pmo.core.models import Notification
from projects.models import CostBaseline, Project, StatusReport
from tests import conftest as root_conftest
from tests.factories import MilestoneFactory, ProjectFactory, RiskFactory

pytestmark = pytest.mark.django_db
Kind = AgendaItem.Kind


@pytest.fixture
def committee(world):
    c = SteeringCommittee.objects.create(
        portfolio=world.portfolio_a, name="COPIL A", chair=world.users["executive"]
    )
    c.members.set(
        [world.users["sponsor"], world.users["executive"], world.users["pmo_a"], world.users["pm_a"]]
    )
    return c


def _exception(project, tolerance="time"):
    return ProjectException.objects.create(
        project=project,
        tolerance=tolerance,
        forecast_value=Decimal("20"),
        limit=Decimal("10"),
        unit="wd",
        summary="Recette en retard",
        raised_at=timezone.now(),
    )


def _assessed_change(world, project, milestone):
    cr = changes.change_request_create(
        actor=world.users["pm_a"],
        project=project,
        data={
            "title": "Report de recette",
            "description": "D",
            "reason": "R",
            "schedule_impact_days": 10,
            "proposed_milestones": [{"milestone": milestone.pk, "baseline_date": "2027-04-01"}],
        },
    )
    cr = changes.change_request_submit(actor=world.users["pm_a"], change_request=cr)
    return changes.change_request_assess(actor=world.users["pmo_a"], change_request=cr, assessment="ok")


def _red(project, *, declared="red", indicated="red", watermelon=False):
    report = StatusReport.objects.create(
        project=project,
        period_start=date(2026, 11, 16),
        state="submitted",
        overall=declared,
        indicated={"indicated": {"overall": indicated}, "watermelon": watermelon},
    )
    Project.objects.filter(pk=project.pk).update(latest_report=report)


def _meeting(world, committee):
    return committees.meeting_create(
        actor=world.users["pmo_a"],
        committee=committee,
        starts_at=timezone.now() + timedelta(days=7),
        place="Salle 1",
    )


def test_agenda_is_built_from_exceptions_changes_and_red_and_watermelon_projects(world, committee):
    milestone = MilestoneFactory(project=world.a1)
    exception = _exception(world.a1)
    cr = _assessed_change(world, world.a1, milestone)
    _red(world.a1)
    _red(world.a2, declared="green", indicated="red", watermelon=True)
    _exception(world.b1)  # another portfolio: not on this agenda

    meeting = _meeting(world, committee)

    items = list(meeting.items.order_by("position"))
    assert [(i.kind, i.project_id) for i in items] == [
        (Kind.EXCEPTION, world.a1.pk),
        (Kind.CHANGE_REQUEST, world.a1.pk),
        (Kind.RED_PROJECT, world.a1.pk),
        (Kind.WATERMELON, world.a2.pk),
    ]
    assert items[0].exception == exception and items[1].change_request == cr
    assert set(meeting.attendees.all()) == set(committee.members.all())
    assert Notification.objects.filter(
        recipient=world.users["pm_a"], key=f"meeting-{meeting.pk}-planned"
    ).exists()


def test_the_registry_takes_more_sources(world, committee, monkeypatch):
    def gate_reviews(*, project_ids):
        return [
            committees.AgendaProposal(
                kind=Kind.GATE_REVIEW,
                title="Revue de jalon A1",
                source_key="gate:1",
                project_id=world.a1.pk,
                gate_review_id=1,
            )
        ]

    monkeypatch.setattr(committees, "AGENDA_SOURCES", [*committees.AGENDA_SOURCES, gate_reviews])
    meeting = _meeting(world, committee)
    item = meeting.items.get()
    assert (item.kind, item.gate_review_id) == (Kind.GATE_REVIEW, 1)


def test_refresh_adds_only_what_is_new_and_removed_items_stay_removed(world, committee):
    first = _exception(world.a1)
    meeting = _meeting(world, committee)
    item = meeting.items.get()
    committees.agenda_item_remove(actor=world.users["pmo_a"], item=item)
    _exception(world.a1, tolerance="cost")

    added = committees.agenda_refresh(actor=world.users["pmo_a"], meeting=meeting)

    assert [a.exception.tolerance for a in added] == ["cost"]
    live = meeting.items.filter(removed=False)
    assert [i.exception_id for i in live] == [ProjectException.objects.get(tolerance="cost").pk]
    assert meeting.items.get(exception=first).removed


def test_items_are_reordered_and_added_by_hand_until_the_meeting_is_held(world, committee):
    meeting = _meeting(world, committee)
    a = committees.agenda_item_add(actor=world.users["pmo_a"], meeting=meeting, title="Budget")
    b = committees.agenda_item_add(
        actor=world.users["executive"], meeting=meeting, title="Divers", project=world.a1
    )
    committees.agenda_item_move(actor=world.users["pmo_a"], item=b, offset=-1)
    assert list(meeting.items.order_by("position").values_list("title", flat=True)) == ["Divers", "Budget"]
    with pytest.raises(PermissionDenied):
        committees.agenda_item_add(actor=world.users["pm_a"], meeting=meeting, title="Moi")
    with pytest.raises(ValidationError):
        committees.agenda_item_add(actor=world.users["pmo_a"], meeting=meeting, title="B1", project=world.b1)
    committees.meeting_hold(actor=world.users["pmo_a"], meeting=meeting)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        committees.agenda_item_remove(actor=world.users["pmo_a"], item=a)


def test_approving_a_change_in_the_meeting_approves_it_and_rebaselines(world, committee):
    milestone = MilestoneFactory(project=world.a1, baseline_date=date(2027, 3, 1))
    cr = _assessed_change(world, world.a1, milestone)
    meeting = _meeting(world, committee)
    item = meeting.items.get(kind=Kind.CHANGE_REQUEST)

    decision = committees.agenda_item_decide(
        actor=world.users["executive"], item=item, outcome="approved", rationale="Accepté en séance."
    )

    cr.refresh_from_db()
    milestone.refresh_from_db()
    assert cr.state == ChangeRequest.State.APPROVED and cr.baseline.number == 2
    assert milestone.baseline_date == date(2027, 4, 1)
    assert (decision.meeting, decision.agenda_item, decision.change_request) == (meeting, item, cr)


def test_deciding_an_exception_in_the_meeting_closes_it(world, committee):
    exception = _exception(world.a1)
    meeting = _meeting(world, committee)
    item = meeting.items.get(kind=Kind.EXCEPTION)
    committees.agenda_item_decide(
        actor=world.users["sponsor"],
        item=item,
        outcome="tolerances_changed",
        rationale="20 jours.",
        tolerances={"time_tolerance_days": 20},
    )
    exception.refresh_from_db()
    assert exception.state == "closed"
    assert Project.objects.get(pk=world.a1.pk).time_tolerance_days == 20


def test_a_member_who_is_not_a_decider_cannot_decide_in_the_meeting(world, committee):
    milestone = MilestoneFactory(project=world.a1)
    cr = _assessed_change(world, world.a1, milestone)
    meeting = _meeting(world, committee)
    item = meeting.items.get(kind=Kind.CHANGE_REQUEST)
    with pytest.raises(PermissionDenied):
        committees.agenda_item_decide(
            actor=world.users["pmo_a"], item=item, outcome="approved", rationale="x"
        )
    cr.refresh_from_db()
    assert cr.state == "assessed" and not CostBaseline.objects.exists() and not Decision.objects.exists()


def test_minutes_are_approved_once_held_and_then_frozen(world, committee):
    meeting = _meeting(world, committee)
    with pytest.raises(ValidationError):
        committees.meeting_update(
            actor=world.users["pmo_a"], meeting=meeting, version=meeting.version, data={"minutes": "Trop tôt"}
        )
    meeting = committees.meeting_hold(actor=world.users["pmo_a"], meeting=meeting)
    with pytest.raises(ValidationError):
        committees.meeting_approve_minutes(actor=world.users["pmo_a"], meeting=meeting)
    meeting = committees.meeting_update(
        actor=world.users["pmo_a"], meeting=meeting, version=meeting.version, data={"minutes": "CR"}
    )
    meeting = committees.meeting_approve_minutes(actor=world.users["executive"], meeting=meeting)
    assert (
        meeting.state == Meeting.State.MINUTES_APPROVED
        and meeting.minutes_approved_by == world.users["executive"]
    )
    with pytest.raises(ValidationError):
        committees.meeting_update(
            actor=world.users["pmo_a"], meeting=meeting, version=meeting.version, data={"minutes": "x"}
        )


def test_action_reminders_due_soon_once_and_overdue_weekly(world, committee):
    meeting = _meeting(world, committee)
    today = date(2026, 11, 18)
    soon = committees.action_create(
        actor=world.users["pmo_a"],
        meeting=meeting,
        title="Chiffrer",
        owner=world.users["pm_a"],
        due_date=today + timedelta(days=2),
    )
    late = committees.action_create(
        actor=world.users["pmo_a"],
        meeting=meeting,
        title="Relancer",
        owner=world.users["sponsor"],
        due_date=today - timedelta(days=1),
    )
    committees.action_create(
        actor=world.users["pmo_a"],
        meeting=meeting,
        title="Plus tard",
        owner=world.users["pm_a"],
        due_date=today + timedelta(days=10),
    )
    done = committees.action_create(
        actor=world.users["pmo_a"], meeting=meeting, title="Fait", owner=world.users["pm_a"], due_date=today
    )
    committees.action_set_status(actor=world.users["pm_a"], action=done, status=Action.Status.DONE)

    assert committees.send_action_reminders(today=today) == 2
    assert committees.send_action_reminders(today=today) == 0  # idempotent
    # a week later both are overdue: reminded again, once for that week
    assert committees.send_action_reminders(today=today + timedelta(days=7)) == 2
    keys = set(Notification.objects.filter(kind="reminder").values_list("key", flat=True))
    assert f"action-{soon.pk}-due" in keys and f"action-{late.pk}-overdue-2026-47" in keys


def test_the_owner_updates_their_action_and_others_cannot(world, committee):
    meeting = _meeting(world, committee)
    action = committees.action_create(
        actor=world.users["pmo_a"],
        meeting=meeting,
        title="T",
        owner=world.users["pm_a"],
        due_date=date(2027, 1, 1),
    )
    with pytest.raises(PermissionDenied):
        committees.action_set_status(actor=world.users["sponsor"], action=action, status="done")
    updated = committees.action_set_status(actor=world.users["pm_a"], action=action, status="done")
    assert updated.status == "done" and updated.done_at is not None


def test_the_invitation_carries_the_time_the_attendees_and_the_agenda(world, committee):
    for name in ("pm_a", "executive"):
        world.users[name].email = f"{name}@example.com"
        world.users[name].save()
    starts = timezone.make_aware(datetime(2026, 12, 3, 14, 0))
    meeting = committees.meeting_create(
        actor=world.users["pmo_a"],
        committee=committee,
        starts_at=starts,
        duration_minutes=90,
        place="Salle 1",
    )
    committees.agenda_item_add(actor=world.users["pmo_a"], meeting=meeting, title="Budget 2027")

    calendar = icalendar.Calendar.from_ical(
        committees.meeting_ical(meeting, agenda=list(meeting.items.all()))
    )

    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == starts
    assert event.decoded("dtend") == starts + timedelta(minutes=90)
    assert str(event["location"]) == "Salle 1" and "1. Budget 2027" in str(event["description"])
    attendees = sorted(str(a) for a in event.get("attendee"))
    assert attendees == sorted(f"mailto:{person.email}" for person in committee.members.all())
    assert "mailto:pm_a@example.com" in attendees
    assert str(event["organizer"]) == "mailto:executive@example.com"


def test_meeting_page_and_agenda_fragment_run_constant_queries(world, committee, client):
    meeting = _meeting(world, committee)
    root_conftest.login(client, world.users["pmo_a"])

    def count(url, **headers):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, **headers).status_code == 200
        return len(captured)

    page, fragment = (
        f"/governance/meetings/{meeting.pk}/",
        f"/governance/meetings/{meeting.pk}/partials/agenda/",
    )

    def grow(projects: int, actions: int) -> None:
        for _ in range(projects):
            project = ProjectFactory(
                portfolio=world.portfolio_a, manager=world.users["pm_a"], sponsor=world.users["sponsor"]
            )
            _exception(project)
            _assessed_change(world, project, MilestoneFactory(project=project))
            _red(project)
        committees.agenda_refresh(actor=world.users["pmo_a"], meeting=meeting)
        for n in range(actions):
            committees.action_create(
                actor=world.users["pmo_a"],
                meeting=meeting,
                title=f"A{n}",
                owner=world.users["pm_a"],
                due_date=date(2027, 1, n + 1),
            )
        undecided = meeting.items.filter(kind=Kind.CHANGE_REQUEST, decisions__isnull=True).first()
        committees.agenda_item_decide(
            actor=world.users["executive"], item=undecided, outcome="rejected", rationale="Non"
        )

    grow(1, 1)
    small = (count(page), count(fragment, HTTP_HX_REQUEST="true"))
    grow(7, 5)
    assert meeting.items.filter(removed=False).count() == 24
    large = (count(page), count(fragment, HTTP_HX_REQUEST="true"))
    assert small == large
    print(f"QUERY-BUDGET meeting page {large[0]}, agenda fragment {large[1]}")  # noqa: T201


# --- Lessons learned -----------------------------------------------------------------------------------


def _lesson(world, title, *, project=None, portfolio=None, category="data", tags=(), stage="", text=""):
    return lessons.lesson_create(
        actor=world.users["pmo_a"]
        if (portfolio or world.portfolio_a) == world.portfolio_a
        else world.users["pmo_b"],
        portfolio_id=(portfolio or world.portfolio_a).pk,
        data={
            "title": title,
            "category": category,
            "what_happened": text or "Il s'est passé quelque chose.",
            "recommendation": "Faire mieux.",
            "tags": list(tags),
            "stage": stage,
            "project": project,
        },
    )


def test_french_full_text_search_stems_and_ranks(world):
    best = _lesson(
        world, "Reprise de données : trois répétitions", text="Les migrations de données ont échoué."
    )
    _lesson(world, "Budget", text="Des données budgétaires.", category="budget")
    _lesson(world, "Autre sujet", text="Rien à voir.", category="planning")
    _lesson(world, "Reprises ailleurs", portfolio=world.portfolio_b, text="Reprise de données en B.")

    found = list(lessons.lesson_search(lessons.lesson_list(user=world.users["pm_a"]), "reprises de donnée"))

    assert found[0] == best  # plural and singular match through French stemming
    assert all(lesson.portfolio_id == world.portfolio_a.pk for lesson in found)
    assert "Autre sujet" not in [lesson.title for lesson in found]


def test_search_uses_the_gin_index_expression(world):
    _lesson(world, "Reprise de données")
    queryset = lessons.lesson_search(LessonLearned.objects.all(), "reprise")
    sql = str(queryset.query)
    assert "to_tsvector('french'" in sql.replace('"', "'") or "to_tsvector(french" in sql.replace("'", "")


def test_suggestions_come_from_similar_projects(world):
    a3 = ProjectFactory(portfolio=world.portfolio_a, programme=world.a1.programme, stage="Exécution")
    RiskFactory(project=world.a1, title="Retard de la reprise des données de l'ancien ERP")
    same_programme = _lesson(world, "Même programme", project=a3, category="planning")
    theme = _lesson(world, "Reprise de données", project=world.a2, tags=["reprise"])
    _lesson(world, "Sans rapport", project=world.a2, category="budget", text="Achats de licences.")
    _lesson(world, "Le projet lui-même", project=world.a1, text="Reprise de données.")
    _lesson(world, "Autre portefeuille", portfolio=world.portfolio_b, text="Reprise de données.")

    suggested = lessons.lesson_suggestions(user=world.users["pm_a"], project=world.a1)

    assert set(suggested) == {same_programme, theme}


def test_lessons_are_written_by_pmo_and_project_managers_only(world):
    with pytest.raises(PermissionDenied):
        _lesson_by(world, "exec", world.portfolio_a)
    lesson = _lesson_by(world, "pm_a", world.portfolio_a)
    assert lesson.tags == ["erp", "reprise"]
    with pytest.raises(PermissionDenied):
        lessons.lesson_update(
            actor=world.users["sponsor"], lesson=lesson, version=lesson.version, data={"title": "x"}
        )


def _lesson_by(world, who, portfolio):
    return lessons.lesson_create(
        actor=world.users[who if who != "exec" else "executive"],
        portfolio_id=portfolio.pk,
        data={
            "title": "T",
            "category": "data",
            "what_happened": "W",
            "recommendation": "R",
            "tags": ["ERP", " reprise", "erp"],
        },
    )


def test_lesson_list_and_tab_run_constant_queries(world, client):
    root_conftest.login(client, world.users["pm_a"])
    RiskFactory(project=world.a1, title="Reprise des données")

    def count(url, **headers):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, **headers).status_code == 200
        return len(captured)

    urls = [
        "/governance/lessons/?q=reprise",
        f"/governance/projects/{world.a1.pk}/partials/lessons/",
        f"/governance/projects/{world.a1.pk}/partials/changes/",
    ]
    _lesson(world, "Reprise 0", project=world.a2)
    small = [count(u, HTTP_HX_REQUEST="true") for u in urls]
    for n in range(30):
        _lesson(world, f"Reprise {n + 1}", project=world.a2, tags=["reprise"])
    large = [count(u, HTTP_HX_REQUEST="true") for u in urls]
    assert small == large
    print(f"QUERY-BUDGET lessons search {large[0]}, lessons tab {large[1]}, changes tab {large[2]}")  # noqa: T201
