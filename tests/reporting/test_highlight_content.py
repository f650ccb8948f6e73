"""The content of a highlight report and its diff with the previous one (reporting/highlights.py).

One story over two weeks of project a1, written through the real services at set dates (the clock is
moved with time-machine): in the week of 2 March 2026 three risks and a key milestone exist and the
week's report is submitted, all green; the report of that week is frozen on Friday. In the week of
9 March a risk is added (score 20, the risk axis turns red), one is closed, one is re-scored from 6
to 12, the milestone's forecast moves two weeks, an issue is opened, and the week's report declares
the cost amber. The report of 9 March must say exactly that.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects import services
from projects.models import Deliverable, Issue, Milestone, Risk
from reporting import highlights
from reporting.models import HighlightReport, ReportRun

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
WEEK_1 = date(2026, 3, 2)
WEEK_2 = date(2026, 3, 9)
GREEN = dict.fromkeys(("overall", "quality", "cost", "schedule", "risk"), "green")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def freeze(project, period: date, now: datetime, previous=None) -> HighlightReport:
    """What the generator stores, without the PDF: the content, the diff and the row."""
    content = highlights.build_content(project=project, period_start=period, previous=previous, now=now)
    run = ReportRun.objects.create(
        kind="highlight",
        key=ReportRun.make_key("highlight", scope=f"project-{project.pk}", period=period),
        project=project,
        period=period,
    )
    return HighlightReport.objects.create(
        project=project,
        period_start=period,
        run=run,
        previous=previous,
        content=content,
        diff=highlights.diff_contents(previous.content if previous else None, content),
    )


def create(pm, project, model, **data):
    return services.record_create(actor=pm, model=model, project=project, data=data)


def update(pm, instance, **data):
    return services.record_update(actor=pm, instance=instance, version=instance.version, data=data)


@pytest.fixture
def story(world):
    pm, a1 = world.users["pm_a"], world.a1
    with time_machine.travel(at(WEEK_1, 10), tick=False):
        keep = create(pm, a1, Risk, title="Fournisseur en retard", probability=2, impact=2, owner=pm)
        closing = create(pm, a1, Risk, title="Licences insuffisantes", probability=3, impact=3)
        rescored = create(pm, a1, Risk, title="Départ d'un expert", probability=2, impact=3)
        milestone = create(
            pm,
            a1,
            Milestone,
            name="Recette",
            is_key=True,
            baseline_date=date(2026, 6, 1),
            forecast_date=date(2026, 6, 1),
        )
        create(
            pm,
            a1,
            Milestone,
            name="Lancement",
            baseline_date=date(2026, 3, 18),
            forecast_date=date(2026, 3, 18),
        )
        create(pm, a1, Deliverable, name="Dossier de conception", due_date=date(2026, 3, 20))
        services.status_report_save(
            actor=pm, project=a1, period_start=WEEK_1, version=None, data=GREEN, submit=True, today=WEEK_1
        )
    previous = freeze(a1, WEEK_1, at(WEEK_1 + timedelta(days=4), 18))
    with time_machine.travel(at(WEEK_2, 10), tick=False):
        new = create(pm, a1, Risk, title="Grève des transports", probability=4, impact=5, owner=pm)
        update(pm, closing, status=Risk.Status.CLOSED)
        update(pm, rescored, probability=4)
        update(pm, milestone, forecast_date=date(2026, 6, 15))
        issue = create(pm, a1, Issue, title="Environnement de recette indisponible", severity="high")
        services.status_report_save(
            actor=pm,
            project=a1,
            period_start=WEEK_2,
            version=None,
            data={
                **GREEN,
                "cost": "amber",
                "overall_comment": "Tout va bien.",
                "help_needed": "Arbitrage du sponsor.",
            },
            submit=True,
            today=WEEK_2,
        )
    current = freeze(a1, WEEK_2, at(WEEK_2 + timedelta(days=4), 18), previous=previous)
    return {
        "previous": previous,
        "current": current,
        "keep": keep,
        "new": new,
        "closed": closing,
        "rescored": rescored,
        "milestone": milestone,
        "issue": issue,
    }


def ids(items):
    return [item["id"] for item in items]


def test_risk_deltas_of_the_week_new_closed_and_rescored(story):
    risks = story["current"].content["risks"]
    assert ids(risks["new"]) == [story["new"].pk]
    assert ids(risks["closed"]) == [story["closed"].pk]
    assert [(r["id"], r["old_score"], r["score"]) for r in risks["rescored"]] == [
        (story["rescored"].pk, 6, 12)
    ]
    assert ids(risks["open"]) == [story["new"].pk, story["rescored"].pk, story["keep"].pk]  # by score
    assert (
        risks["open"][0]["zone"] == "red" and risks["open"][0]["owner"] == story["new"].owner.get_full_name()
    )
    # the previous week saw its three risks appear and nothing else
    before = story["previous"].content["risks"]
    assert sorted(ids(before["new"])) == sorted([story["keep"].pk, story["closed"].pk, story["rescored"].pk])
    assert before["closed"] == before["rescored"] == []


def test_issue_and_milestone_deltas(story):
    content = story["current"].content
    assert ids(content["issues"]["new"]) == [story["issue"].pk]
    changes = content["milestones"]["changes"]
    assert [
        (c["name"], c["changes"], c["old_forecast"], c["new_forecast"], c["shift_days"]) for c in changes
    ] == [("Recette", ["moved"], "2026-06-01", "2026-06-15", 10)]


def test_axis_turning_red_and_declared_change_in_the_diff(story):
    content, diff = story["current"].content, story["current"].diff
    axes = {a["axis"]: a for a in content["qcdr"]["axes"]}
    assert axes["risk"]["indicated"] == "red"
    assert story["previous"].content["qcdr"]["axes"][3]["indicated"] == "amber"  # top score 9: amber
    changes = {(c["axis"], c["side"]): c for c in diff["sections"]["qcdr"]["changed"]}
    assert changes[("risk", "indicated")] == {
        "axis": "risk",
        "side": "indicated",
        "old": "amber",
        "new": "red",
        "direction": "worse",
    }
    assert changes[("cost", "declared")]["old"] == "green" and changes[("cost", "declared")]["new"] == "amber"
    assert diff["previous_period"] == "2026-03-02"


def test_diff_of_risks_and_milestones(story):
    sections = story["current"].diff["sections"]
    risks = sections["risks"]
    assert [e["id"] for e in risks["added"]] == [story["new"].pk]
    assert [e["id"] for e in risks["removed"]] == [story["closed"].pk]
    assert risks["changed"] == [
        {
            "id": story["rescored"].pk,
            "label": "Départ d'un expert",
            "fields": {"probability": {"old": 2, "new": 4}, "score": {"old": 6, "new": 12}},
            "direction": "worse",
        }
    ]
    milestones = sections["milestones"]["changed"]
    assert milestones == [
        {
            "id": story["milestone"].pk,
            "label": "Recette",
            "is_key": True,
            "fields": {"forecast": {"old": "2026-06-01", "new": "2026-06-15", "shift_days": 10}},
            "direction": "worse",
        }
    ]
    assert [e["id"] for e in sections["issues"]["added"]] == [story["issue"].pk]


def test_status_tolerances_next_period_and_help(story):
    content = story["current"].content
    status = content["status"]
    assert status["submitted"] and status["overall_comment"] == "Tout va bien."
    assert content["help_needed"]["text"] == "Arbitrage du sponsor."
    tolerances = {t["tolerance"]: t for t in content["tolerances"]}
    assert tolerances["risk"] == {
        "tolerance": "risk",
        "used": "20",
        "limit": "15",
        "unit": "score",
        "consumed_pct": "133",
        "status": "red",
        "breached": True,
        "risk": "Grève des transports",
        "amber": 8,
    }
    assert (
        tolerances["time"]["used"] == "10" and tolerances["time"]["status"] == "green"
    )  # 10 days, tolerance 10
    nxt = content["next_period"]
    assert (nxt["start"], nxt["end"]) == ("2026-03-16", "2026-03-29")
    assert [m["name"] for m in nxt["milestones"]] == ["Lancement"]
    assert [d["name"] for d in nxt["deliverables"]] == ["Dossier de conception"]
    assert any("Risques" in line or "Risk" in line for line in content["help_needed"]["derived"])


def test_content_is_json_ready_and_evm_is_strings(story):
    import json

    content = story["current"].content
    assert json.loads(json.dumps(content)) == content
    assert content["evm"]["bac"] == "100000.0000"
    assert content["period"] == {
        "start": "2026-03-09",
        "end": "2026-03-15",
        "as_of": "2026-03-13",
        "live": True,
        "previous": "2026-03-02",
        "since": "2026-03-09T00:00:00+01:00",
    }


def test_week_without_report_is_not_submitted(world):
    a1 = world.a1
    report = freeze(a1, WEEK_1, at(WEEK_1 + timedelta(days=4), 18))
    status = report.content["status"]
    assert status["submitted"] is False and status["latest_submitted"] is None
    assert report.content["qcdr"]["declared_overall"] == "unknown"
    assert "La météo de la semaine n'a pas été soumise." in report.content["help_needed"]["derived"]
    assert report.diff == {"previous_period": None, "sections": {}, "count": 0}


def test_past_week_uses_what_was_recorded_at_submission(story, world):
    """Built after the week is over, the report keeps the indicated QCDR frozen on the week's status
    report and the milestone forecast recorded that week, whatever changed since."""
    pm = world.users["pm_a"]
    with time_machine.travel(at(WEEK_2 + timedelta(days=14), 10), tick=False):
        update(pm, story["milestone"], forecast_date=date(2026, 7, 1))
    HighlightReport.objects.filter(pk=story["current"].pk).delete()
    ReportRun.objects.filter(pk=story["current"].run_id).delete()
    late = freeze(world.a1, WEEK_2, at(WEEK_2 + timedelta(days=21), 9), previous=story["previous"])
    assert late.content["period"]["live"] is False
    assert late.content["qcdr"]["source"] == "submission"
    assert [c["new_forecast"] for c in late.content["milestones"]["changes"]] == ["2026-06-15"]
    assert ids(late.content["risks"]["new"]) == [story["new"].pk]  # the registers as they were on 15 March


# --- The registers at an instant, from audit events (pure) -----------------------------------------


def event(pgh_id, label, *, created, updated, deleted_at=None, **fields):
    return {
        "pgh_obj_id": 1,
        "pgh_id": pgh_id,
        "pgh_label": label,
        "pgh_created_at": deleted_at or updated,
        "created_at": created,
        "updated_at": updated,
        **fields,
    }


def test_states_at_follows_the_row_updated_at():
    created, changed = at(WEEK_1, 10), at(WEEK_2, 10)
    events = [
        event(1, "insert", created=created, updated=created, status="open", probability=2),
        event(2, "update", created=created, updated=changed, status="open", probability=4),
    ]
    initial = {"status": "open"}
    assert highlights.states_at(events, at(WEEK_1, 9), initial=initial) == {}
    assert highlights.states_at(events, at(WEEK_1, 12), initial=initial)[1]["probability"] == 2
    assert highlights.states_at(events, at(WEEK_2, 12), initial=initial)[1]["probability"] == 4


def test_states_at_row_written_once_in_its_final_state_was_open_before():
    """A row imported closed (its only event dated at the closing) existed, open, since its creation."""
    created, closed = at(WEEK_1 - timedelta(days=30), 10), at(WEEK_2, 10)
    events = [event(1, "insert", created=created, updated=closed, status="closed", probability=3)]
    before = highlights.states_at(events, at(WEEK_1, 12), initial={"status": "open"})
    after = highlights.states_at(events, at(WEEK_2, 12), initial={"status": "open"})
    assert before[1]["status"] == "open" and before[1]["probability"] == 3
    assert after[1]["status"] == "closed"


def test_states_at_deleted_row_is_absent_after_its_deletion():
    created = at(WEEK_1, 10)
    events = [
        event(1, "insert", created=created, updated=created, status="open"),
        event(2, "delete", created=created, updated=created, deleted_at=at(WEEK_2, 10), status="open"),
    ]
    assert 1 in highlights.states_at(events, at(WEEK_1, 12), initial={})
    assert highlights.states_at(events, at(WEEK_2, 12), initial={}) == {}


def test_diff_compares_evm_as_shown():
    base = {
        "status": {"submitted": True, "percent_complete": "40.00"},
        "qcdr": {"axes": [], "declared_overall": "green", "indicated_overall": "green", "watermelon": False},
        "evm": {"cpi": "0.9512", "spi": "0.8000", "eac": "105000.4000", "pv": "1000.0000"},
        "tolerances": [],
        "risks": {"open": []},
        "issues": {"open": []},
        "milestones": {"items": []},
        "exceptions": [],
        "period": {"start": "2026-03-02"},
    }
    later = {
        **base,
        "evm": {"cpi": "0.9548", "spi": "0.7512", "eac": "105000.4900", "pv": "1500.0000"},
        "period": {"start": "2026-03-09"},
    }
    changed = {c["key"]: c for c in highlights.diff_contents(base, later)["sections"]["evm"]["changed"]}
    assert set(changed) == {"spi", "pv"}  # CPI 0.95 both times, EAC 105 000 € both times
    assert changed["spi"] == {
        "key": "spi",
        "old": "0.80",
        "new": "0.75",
        "delta": "-0.05",
        "direction": "worse",
    }
    assert changed["pv"]["direction"] == "" and changed["pv"]["delta"] == "500"
    assert Decimal(changed["pv"]["new"]) == Decimal("1500")
