"""The pure rules of the scope and quality tolerances, and the precedence of every tolerance
(stage, project, portfolio) including benefits (no database)."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance import tolerances
from projects.thresholds import resolve_thresholds
from projects.types import DeliverableFact, ProjectFacts, Thresholds

AS_OF = date(2026, 11, 18)
BASELINE_DAY = date(2026, 10, 1)
THRESHOLDS = Thresholds(scope_tolerance_pct=Decimal("10"), quality_tolerance_pct=Decimal("20"))
STATES = ("planned", "in_review", "accepted", "rejected")


def deliverable(name, *, due=None, state="planned", created=date(2026, 9, 1)):
    return DeliverableFact(name=name, due=due, state=state, created=created)


def facts(*deliverables):
    return ProjectFacts(budget=Decimal("100000"), deliverables=tuple(deliverables))


# --- Quality ------------------------------------------------------------------------------------------


def test_quality_counts_the_rejected_and_the_late_among_the_decided_or_due():
    found = tolerances.quality_measure(
        facts(
            deliverable("Spécifications", due=date(2026, 10, 1), state="accepted"),
            deliverable("Maquettes", due=date(2026, 10, 15), state="rejected"),
            deliverable("Recette", due=date(2026, 11, 10), state="in_review"),  # past due: late
            deliverable("Formation", due=date(2026, 12, 1), state="planned"),  # not due: not counted
            deliverable("Guide", due=date(2027, 1, 5), state="accepted"),  # decided early: counted
        ),
        AS_OF,
        THRESHOLDS,
    )
    assert (found.tolerance, found.value, found.limit, found.breached, found.unit) == (
        "quality",
        Decimal("50.00"),
        Decimal("20"),
        True,
        "pct",
    )
    assert found.params == {"counted": 4, "rejected": 1, "late": 1, "names": "Maquettes, Recette"}


def test_quality_is_not_measured_before_any_deliverable_is_due_or_decided():
    assert tolerances.quality_measure(facts(), AS_OF, THRESHOLDS) is None
    not_yet = facts(deliverable("Formation", due=AS_OF, state="planned"), deliverable("Guide"))
    assert tolerances.quality_measure(not_yet, AS_OF, THRESHOLDS) is None


def test_quality_at_the_tolerance_is_not_a_breach():
    five = [deliverable(f"L{i}", due=date(2026, 10, 1), state="accepted") for i in range(4)]
    found = tolerances.quality_measure(
        facts(*five, deliverable("L5", due=date(2026, 10, 1), state="rejected")), AS_OF, THRESHOLDS
    )
    assert (found.value, found.breached) == (Decimal("20.00"), False)


@given(
    st.lists(
        st.tuples(st.sampled_from(STATES), st.one_of(st.none(), st.integers(min_value=-60, max_value=60))),
        max_size=30,
    ),
    st.decimals(min_value=0, max_value=500, places=1),
)
def test_quality_is_a_share_between_0_and_100_breached_strictly_beyond_the_limit(rows, limit):
    items = [
        deliverable(f"L{i}", state=state, due=None if offset is None else AS_OF + timedelta(days=offset))
        for i, (state, offset) in enumerate(rows)
    ]
    found = tolerances.quality_measure(facts(*items), AS_OF, Thresholds(quality_tolerance_pct=limit))
    counted = [
        d for d in items if d.state in ("accepted", "rejected") or (d.due is not None and d.due < AS_OF)
    ]
    if not counted:
        assert found is None
        return
    failing = sum(1 for d in counted if d.state != "accepted")
    exact = Decimal(failing) / Decimal(len(counted)) * 100
    assert Decimal("0") <= found.value <= Decimal("100")
    assert found.breached == (exact > limit)
    assert found.params["rejected"] + found.params["late"] == failing


# --- Scope --------------------------------------------------------------------------------------------


def test_scope_counts_added_removed_and_pending_against_the_baseline():
    current = [deliverable(f"L{i}") for i in range(9)] + [
        deliverable("Portail partenaires", created=date(2026, 10, 20))
    ]
    change = tolerances.scope_change(
        facts(*current),
        baseline_number=2,
        baseline_day=BASELINE_DAY,
        removed=1,
        pending=["Ajout du module RH"],
    )
    assert (change.baselined, change.added, change.removed, change.changed) == (10, 1, 1, 3)
    found = tolerances.scope_measure(change, THRESHOLDS)
    assert (found.tolerance, found.value, found.limit, found.breached) == (
        "scope",
        Decimal("30.00"),
        Decimal("10"),
        True,
    )
    assert found.params["pending_titles"] == "Ajout du module RH"


def test_scope_on_the_baseline_day_is_part_of_the_baseline():
    change = tolerances.scope_change(
        facts(deliverable("L1", created=BASELINE_DAY), deliverable("L2", created=None)),
        baseline_number=1,
        baseline_day=BASELINE_DAY,
    )
    found = tolerances.scope_measure(change, THRESHOLDS)
    assert (found.value, found.breached) == (Decimal("0.00"), False)


def test_scope_is_not_measured_without_a_baseline_or_with_an_empty_one():
    items = facts(deliverable("L1", created=date(2026, 10, 20)))
    assert tolerances.scope_change(items, baseline_number=None, baseline_day=None) is None
    assert tolerances.scope_measure(None, THRESHOLDS) is None
    empty = tolerances.scope_change(items, baseline_number=1, baseline_day=BASELINE_DAY)
    assert empty.baselined == 0
    assert tolerances.scope_measure(empty, THRESHOLDS) is None


@given(
    st.lists(st.integers(min_value=-30, max_value=30), max_size=40),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10),
    st.decimals(min_value=0, max_value=500, places=1),
)
def test_scope_deviation_is_changes_over_baselined_deliverables(offsets, removed, pending, limit):
    items = [deliverable(f"L{i}", created=BASELINE_DAY + timedelta(days=o)) for i, o in enumerate(offsets)]
    change = tolerances.scope_change(
        facts(*items),
        baseline_number=1,
        baseline_day=BASELINE_DAY,
        removed=removed,
        pending=[f"CR{i}" for i in range(pending)],
    )
    added = sum(1 for o in offsets if o > 0)
    assert change.baselined == len(offsets) - added + removed
    found = tolerances.scope_measure(change, Thresholds(scope_tolerance_pct=limit))
    if change.baselined == 0:
        assert found is None
        return
    exact = Decimal(added + removed + pending) / Decimal(change.baselined) * 100
    assert found.value >= 0
    assert found.breached == (exact > limit)


def test_measures_include_quality_and_scope_when_given_their_facts():
    from projects import qcdr
    from projects.types import Declared

    items = facts(deliverable("L1", due=date(2026, 10, 1), state="rejected", created=date(2026, 10, 20)))
    computed = qcdr.compute_qcdr(items, Declared(), AS_OF, THRESHOLDS)
    change = tolerances.scope_change(items, baseline_number=1, baseline_day=date(2026, 9, 1), removed=1)
    found = tolerances.measures(computed, THRESHOLDS, facts=items, as_of=AS_OF, scope=change)
    assert set(found) == {"quality", "scope"}
    assert [
        m.tolerance for m in tolerances.breaches(computed, THRESHOLDS, facts=items, as_of=AS_OF, scope=change)
    ] == [
        "quality",
        "scope",
    ]
    assert tolerances.measures(computed, THRESHOLDS) == {}


def test_options_of_quality_and_scope_reports():
    quality = tolerances.Measure(
        "quality",
        Decimal("50"),
        Decimal("20"),
        True,
        {"rejected": 1, "late": 1, "names": "A, B", "counted": 4},
    )
    options, recommended = tolerances.quality_options(quality)
    assert [o.code for o in options] == ["rework_deliverables", "accept_concession", "strengthen_assurance"]
    assert recommended == "rework_deliverables" and options[0].params["count"] == 2
    scope = tolerances.Measure(
        "scope", Decimal("30"), Decimal("10"), True, {"added": 1, "removed": 1, "pending": 1}
    )
    options, recommended = tolerances.scope_options(scope)
    assert [o.code for o in options] == ["rebaseline_scope", "return_to_baseline", "defer_scope"]
    assert recommended == "rebaseline_scope"


# --- Precedence ---------------------------------------------------------------------------------------

PORTFOLIO = SimpleNamespace(
    cost_tolerance_pct=Decimal("10"),
    time_tolerance_days=10,
    risk_red_score=15,
    risk_amber_score=8,
    scope_tolerance_pct=Decimal("10"),
    quality_tolerance_pct=Decimal("15"),
    stale_after_days=14,
)


@pytest.mark.parametrize(
    ("project", "stage", "expected"),
    [
        ({}, {}, (Decimal("10"), Decimal("15"), Decimal("20"))),
        ({"scope_tolerance_pct": Decimal("5")}, {}, (Decimal("5"), Decimal("15"), Decimal("20"))),
        (
            {"scope_tolerance_pct": Decimal("5"), "benefit_tolerance_pct": Decimal("30")},
            {"scope_tolerance_pct": Decimal("2"), "quality_tolerance_pct": Decimal("0")},
            (Decimal("2"), Decimal("0"), Decimal("30")),
        ),
        (
            {"quality_tolerance_pct": None},
            {"benefit_tolerance_pct": Decimal("12.5")},
            (Decimal("10"), Decimal("15"), Decimal("12.5")),
        ),
    ],
)
def test_stage_then_project_then_portfolio_for_scope_quality_and_benefits(project, stage, expected):
    found = resolve_thresholds(
        PORTFOLIO, SimpleNamespace(**project), SimpleNamespace(**stage), benefit_default=Decimal("20")
    )
    assert (found.scope_tolerance_pct, found.quality_tolerance_pct, found.benefit_tolerance_pct) == expected


def test_without_its_default_the_benefit_tolerance_is_left_to_the_scan():
    assert resolve_thresholds(PORTFOLIO).benefit_tolerance_pct is None
