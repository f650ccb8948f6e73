"""The pure rules of the tolerance scan and the options of an exception report (no database)."""

from datetime import date
from decimal import Decimal

import pytest

from governance import tolerances
from projects import qcdr
from projects.types import (
    RAG,
    CostFact,
    Declared,
    MilestoneFact,
    ProjectFacts,
    RiskFact,
    Thresholds,
)

AS_OF = date(2026, 11, 18)
THRESHOLDS = Thresholds(
    cost_tolerance_pct=Decimal("10"), time_tolerance_days=10, risk_red_score=15, risk_amber_score=8
)


def facts(*, percent="40", actual="50000", milestones=(), risks=()):
    return ProjectFacts(
        budget=Decimal("100000"),
        percent_complete=Decimal(percent),
        costs=(CostFact(month=date(2026, 10, 1), planned=Decimal("50000"), actual=Decimal(actual)),),
        milestones=tuple(milestones),
        risks=tuple(risks),
        has_risk_register=bool(risks),
        last_submitted=date(2026, 11, 17),
    )


def computed(project_facts):
    return qcdr.compute_qcdr(project_facts, Declared(), AS_OF, THRESHOLDS)


@pytest.mark.parametrize(
    ("percent", "value", "breached"),
    [
        ("40", Decimal("25.00"), True),  # EAC 125 000
        ("45", Decimal("11.11"), True),  # EAC 111 111,11
        ("50", Decimal("0.00"), False),  # EAC = BAC
        ("48", Decimal("4.17"), False),
    ],
)
def test_cost_measure_is_the_overrun_of_eac_over_bac_against_the_tolerance(percent, value, breached):
    measure = tolerances.cost_measure(computed(facts(percent=percent)), THRESHOLDS)
    assert (measure.value, measure.limit, measure.breached, measure.unit) == (
        value,
        Decimal("10"),
        breached,
        "pct",
    )


def test_cost_exactly_at_the_tolerance_is_not_a_breach():
    # EV 100 000 × p, AC 50 000: an overrun of exactly 10 % needs EAC 110 000, CPI 1/1.1
    project_facts = facts(percent="50", actual="55000")
    measure = tolerances.cost_measure(computed(project_facts), THRESHOLDS)
    assert measure.value == Decimal("10.00")
    assert measure.breached is False


def test_cost_not_computable_has_no_measure():
    project_facts = facts(actual="0")
    assert tolerances.cost_measure(computed(project_facts), THRESHOLDS) is None


def test_time_measure_is_the_worst_key_milestone_slip_in_working_days():
    late = MilestoneFact(
        "Recette", baseline=date(2026, 10, 1), forecast=date(2026, 12, 15), actual=None, is_key=True
    )
    minor = MilestoneFact(
        "Pilote", baseline=date(2026, 11, 2), forecast=date(2026, 11, 9), actual=None, is_key=True
    )
    measure = tolerances.time_measure(computed(facts(milestones=[late, minor])), THRESHOLDS)
    assert measure.value == Decimal(qcdr.working_days_between(date(2026, 10, 1), date(2026, 12, 15))) == 52
    assert (measure.limit, measure.breached, measure.params["milestone"]) == (Decimal("10"), True, "Recette")


@pytest.mark.parametrize(("forecast", "breached"), [(date(2026, 12, 4), False), (date(2026, 12, 7), True)])
def test_time_breach_starts_beyond_the_tolerance(forecast, breached):
    # 20 November → 4 December is 10 working days (the tolerance); the 7th is 11
    milestone = MilestoneFact(
        "Recette", baseline=date(2026, 11, 20), forecast=forecast, actual=None, is_key=True
    )
    measure = tolerances.time_measure(computed(facts(milestones=[milestone])), THRESHOLDS)
    assert measure.breached is breached


@pytest.mark.parametrize(("probability", "impact", "breached"), [(5, 3, True), (4, 4, True), (3, 4, False)])
def test_risk_breach_at_or_above_the_red_score(probability, impact, breached):
    risk = RiskFact("Défaillance", probability=probability, impact=impact)
    measure = tolerances.risk_measure(computed(facts(risks=[risk])), THRESHOLDS)
    assert measure.value == probability * impact
    assert measure.breached is breached


def test_breaches_lists_cost_time_risk_in_order():
    late = MilestoneFact(
        "Recette", baseline=date(2026, 10, 1), forecast=date(2026, 12, 15), actual=None, is_key=True
    )
    result = computed(facts(milestones=[late], risks=[RiskFact("R", 4, 4)]))
    assert result.indicated.cost.rag == RAG.RED
    assert [m.tolerance for m in tolerances.breaches(result, THRESHOLDS)] == ["cost", "time", "risk"]


def test_cost_options_from_the_figures():
    result = computed(facts(percent="40"))
    measure = tolerances.cost_measure(result, THRESHOLDS)
    options, recommended = tolerances.cost_options(measure, result)
    by_code = {o.code: o for o in options}
    assert by_code["accept_overrun"].cost_impact == Decimal("25000")
    # ETC = 125 000 - 50 000 = 75 000: dropping a third of it absorbs the overrun
    assert by_code["reduce_scope_cost"].cost_impact == Decimal("0")
    assert by_code["reduce_scope_cost"].params["share"] == Decimal("33.3")
    assert by_code["stop"].cost_impact == Decimal("-50000")
    assert recommended == "accept_overrun"  # 25 % is beyond twice the tolerance


def test_a_small_overrun_recommends_reducing_the_scope():
    result = computed(facts(percent="45"))
    measure = tolerances.cost_measure(result, THRESHOLDS)
    _options, recommended = tolerances.cost_options(measure, result)
    assert recommended == "reduce_scope_cost"


def test_scope_cannot_absorb_an_overrun_already_spent():
    # AC 120 000 over a budget of 100 000: even stopping now is 20 000 over
    result = computed(facts(percent="90", actual="120000"))
    measure = tolerances.cost_measure(result, THRESHOLDS)
    options, recommended = tolerances.cost_options(measure, result)
    by_code = {o.code: o for o in options}
    assert by_code["reduce_scope_cost"].params["absorbable"] is False
    assert by_code["reduce_scope_cost"].cost_impact == Decimal("20000")
    assert by_code["stop"].cost_impact == Decimal("20000")
    assert recommended == "accept_overrun"


def test_time_options_cost_the_days_at_the_daily_burn():
    measure = tolerances.Measure("time", Decimal("25"), Decimal("10"), True)
    options, recommended = tolerances.time_options(measure, Decimal("1000"))
    by_code = {o.code: o for o in options}
    assert (by_code["accept_slip"].cost_impact, by_code["accept_slip"].schedule_impact_days) == (
        Decimal("25000"),
        25,
    )
    # back to the tolerance: 10 days of running + 15 recovered days at a 1.5 premium
    assert (by_code["reinforce_team"].cost_impact, by_code["reinforce_team"].schedule_impact_days) == (
        Decimal("32500"),
        10,
    )
    assert by_code["reduce_scope_time"].cost_impact == Decimal("10000")
    assert recommended == "accept_slip"  # 25 days is beyond twice the tolerance


def test_time_options_without_a_burn_are_to_be_estimated():
    options, recommended = tolerances.time_options(
        tolerances.Measure("time", Decimal("15"), Decimal("10"), True), None
    )
    assert [o.cost_impact for o in options] == [None, None, None]
    assert recommended == "reinforce_team"


def test_daily_burn_is_actual_cost_per_working_day_since_the_start():
    burn = tolerances.daily_burn(facts(), date(2026, 9, 1), AS_OF)
    assert burn == Decimal("50000") / Decimal(qcdr.working_days_between(date(2026, 9, 1), AS_OF))
    assert tolerances.daily_burn(facts(), None, AS_OF) is None
    assert tolerances.daily_burn(facts(actual="0"), date(2026, 9, 1), AS_OF) is None


def test_risk_options_put_the_expected_cost_aside():
    risk = RiskFact("Défaillance", probability=4, impact=4)
    measure = tolerances.Measure("risk", Decimal("16"), Decimal("15"), True)
    options, recommended = tolerances.risk_options(measure, risk, Decimal("100000"))
    # likelihood 70 % × impact 10 % of the budget
    assert options[0].cost_impact == Decimal("7000")
    assert options[1].cost_impact is None
    assert recommended == "mitigate_risk"


def test_impacted_milestones_are_the_late_ones_not_achieved_worst_first():
    rows = [
        MilestoneFact("A", baseline=date(2026, 10, 1), forecast=date(2026, 12, 15), actual=None, is_key=True),
        MilestoneFact("B", baseline=date(2026, 11, 2), forecast=date(2026, 11, 30), actual=None),
        MilestoneFact("C", baseline=date(2026, 9, 1), forecast=None, actual=date(2026, 9, 20)),  # achieved
        MilestoneFact("D", baseline=date(2027, 1, 4), forecast=date(2027, 1, 4), actual=None),  # on time
        MilestoneFact(
            "E", baseline=date(2026, 10, 1), forecast=date(2026, 12, 1), actual=None, cancelled=True
        ),
    ]
    impacted = tolerances.impacted_milestones(facts(milestones=rows), AS_OF)
    # B: 2 November → 30 November is 19 working days (11 November is a public holiday)
    assert [(m.name, m.slip_days) for m in impacted] == [("A", 52), ("B", 19)]
    overdue = tolerances.milestone_slips(
        facts(
            milestones=[
                MilestoneFact("F", baseline=date(2026, 10, 1), forecast=date(2026, 10, 5), actual=None)
            ]
        ),
        AS_OF,
    )
    assert overdue[0].overdue is True
