"""QCDR, earned value and RAG (projects/qcdr.py): worked examples with exact Decimals, then properties.

Pure functions only: no database, no Django; the inputs are the frozen facts of projects/types.py.
Hypothesis profiles (1000 derandomised examples when CI is set) live in tests/projects/conftest.py.
"""

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from projects import qcdr
from projects.types import (
    AXES,
    EVM,
    RAG,
    AxisResult,
    CostFact,
    Declared,
    DeliverableFact,
    EVMethod,
    Indicated,
    MilestoneFact,
    ProjectFacts,
    RiskFact,
    Thresholds,
)

G, A, R, U = RAG.GREEN, RAG.AMBER, RAG.RED, RAG.UNKNOWN
RANK = {G: 0, A: 1, R: 2}
DEFAULTS = Thresholds()
INDICES = ("cpi", "spi", "cv", "sv", "eac", "eac_cpi_spi", "etc", "vac", "tcpi")


def not_better(before: RAG, after: RAG) -> bool:
    """`after` is at least as bad as `before`. Unknown has no rank: anything may follow it, but a known
    colour must not turn unknown (that would hide it)."""
    if before == U:
        return True
    return after != U and RANK[after] >= RANK[before]


def codes(result: AxisResult) -> list[str]:
    return [reason.code for reason in result.reasons]


def reason(result: AxisResult, code: str) -> dict:
    return next(r.params for r in result.reasons if r.code == code)


def key_milestone(baseline, forecast=None, actual=None, *, name="Recette", cancelled=False):
    return MilestoneFact(name, baseline, forecast, actual, is_key=True, cancelled=cancelled)


# The worked example: BAC 100 000, PV 50 000 (January fully planned), EV 40 000 (40 %), AC 45 000.
AS_OF = date(2026, 3, 2)
WORKED = ProjectFacts(
    budget=D("100000"),
    percent_complete=D("40"),
    costs=(CostFact(month=date(2026, 1, 1), planned=D("50000"), actual=D("45000")),),
)


# --- EVM: standard formulas on the worked example --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bac", D("100000")),
        ("pv", D("50000")),
        ("ev", D("40000")),
        ("ac", D("45000")),
        ("cpi", D("0.8888888888888888888888888889")),  # 40 000 / 45 000 at 28 significant digits
        ("spi", D("0.8")),
        ("cv", D("-5000")),
        ("sv", D("-10000")),
        ("eac", D("112500")),  # BAC / CPI
        ("eac_cpi_spi", D("129375")),  # AC + (BAC − EV) / (CPI × SPI) = 45 000 + 60 000 / 0.7111…
        ("etc", D("67500")),  # EAC − AC
        ("vac", D("-12500")),  # BAC − EAC
        ("tcpi", D("1.090909090909090909090909091")),  # (BAC − EV) / (BAC − AC) = 60 000 / 55 000
    ],
)
def test_evm_standard_formulas_on_the_worked_example(name, expected):
    # given the worked example's four totals
    # when its EVM is computed from the totals and from the project's facts
    from_totals = qcdr.evm_from_totals(bac=D("100000"), pv=D("50000"), ev=D("40000"), ac=D("45000"))
    from_facts = qcdr.project_evm(WORKED, AS_OF)
    # then each figure is the exact Decimal of its standard formula
    assert getattr(from_totals, name) == expected
    assert getattr(from_facts, name) == expected
    assert isinstance(getattr(from_totals, name), D)


def test_evm_derived_forms_are_consistent_with_their_definitions():
    # given the worked example
    evm = qcdr.evm_from_totals(bac=D("100000"), pv=D("50000"), ev=D("40000"), ac=D("45000"))
    # then the derived figures follow from the indices, in Decimal
    assert evm.eac == evm.bac / evm.cpi
    assert evm.eac_cpi_spi == evm.ac + (evm.bac - evm.ev) / (evm.cpi * evm.spi)
    assert evm.etc == evm.eac - evm.ac
    assert evm.vac == evm.bac - evm.eac
    assert evm.tcpi == (evm.bac - evm.ev) / (evm.bac - evm.ac)


# --- EVM: planned value, actual cost, earned value ----------------------------------------------------

QUARTER = (
    CostFact(month=date(2026, 1, 1), planned=D("31000"), actual=D("30000")),
    CostFact(month=date(2026, 2, 1), planned=D("28000"), actual=D("20000")),
    CostFact(month=date(2026, 3, 1), planned=D("31000"), actual=D("5000")),
)


@pytest.mark.parametrize(
    ("as_of", "pv", "ac"),
    [
        (date(2025, 12, 31), D("0"), D("0")),  # nothing has started
        (date(2026, 1, 1), D("1000"), D("30000")),  # 1/31 of January
        (date(2026, 1, 31), D("31000"), D("30000")),  # January complete on its last day
        (date(2026, 2, 14), D("45000"), D("50000")),  # 31 000 + 14/28 of 28 000
        (date(2026, 2, 28), D("59000"), D("50000")),
        (date(2026, 3, 10), D("69000"), D("55000")),  # 59 000 + 10/31 of 31 000
        (date(2026, 4, 1), D("90000"), D("55000")),
    ],
)
def test_planned_value_is_pro_rata_of_the_current_month_and_actual_cost_counts_started_months(as_of, pv, ac):
    # given three monthly cost lines
    # when PV and AC are taken at `as_of`
    # then past months count whole, the current month pro rata of its days, future months not at all
    assert qcdr.planned_value(QUARTER, as_of) == pv
    assert qcdr.actual_cost(QUARTER, as_of) == ac


def test_planned_value_pro_rata_uses_the_length_of_a_leap_february():
    # given 29 000 planned in February 2028 (29 days)
    costs = (CostFact(month=date(2028, 2, 1), planned=D("29000")),)
    # then ten days into the month, ten twenty-ninths are planned
    assert qcdr.planned_value(costs, date(2028, 2, 10)) == D("10000")
    assert qcdr.planned_value(costs, date(2028, 2, 29)) == D("29000")


@pytest.mark.parametrize(
    ("budget", "percent", "expected"),
    [
        (D("100000"), D("40"), D("40000")),
        (D("100000"), D("0"), D("0")),
        (D("100000"), D("100"), D("100000")),
        (D("123456.78"), D("12.5"), D("15432.0975")),
        (D("0"), D("50"), D("0")),
        (D("100000"), None, None),  # no percent complete: not computable
    ],
)
def test_earned_value_by_percent_complete(budget, percent, expected):
    # given a project measured by percent complete
    facts = ProjectFacts(budget=budget, percent_complete=percent)
    # then EV = BAC × percent / 100, exactly
    assert qcdr.earned_value(facts, AS_OF) == expected


MILESTONES = (
    MilestoneFact("Cadrage", date(2026, 1, 15), None, date(2026, 2, 10), weight=D("30")),
    MilestoneFact("Conception", date(2026, 3, 15), None, date(2026, 3, 31), weight=D("20")),
    MilestoneFact("Recette", date(2026, 5, 15), None, date(2026, 4, 10), weight=D("50")),
    MilestoneFact("Abandonné", date(2026, 2, 1), None, date(2026, 2, 1), weight=D("100"), cancelled=True),
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 2, 9), D("0")),  # nothing achieved yet
        (date(2026, 2, 10), D("60000")),  # 30 / 100 of 200 000 (cancelled weight 100 left out)
        (date(2026, 3, 30), D("60000")),  # "Conception" achieved only on 31 March
        (date(2026, 3, 31), D("100000")),
        (date(2026, 6, 30), D("200000")),
    ],
)
def test_earned_value_by_milestone_weights_counts_achieved_by_as_of_and_excludes_cancelled(as_of, expected):
    # given a 200 000 project earning value by milestone weights
    facts = ProjectFacts(budget=D("200000"), ev_method=EVMethod.MILESTONES, milestones=MILESTONES)
    # then EV is BAC × (weights achieved by as_of) / (weights of live milestones)
    assert qcdr.earned_value(facts, as_of) == expected


@pytest.mark.parametrize(
    "milestones",
    [
        (),
        (MilestoneFact("Sans poids", date(2026, 1, 1), None, date(2026, 1, 1)),),
        (MilestoneFact("Annulé", date(2026, 1, 1), None, date(2026, 1, 1), weight=D("10"), cancelled=True),),
    ],
    ids=["no milestone", "zero weights", "only cancelled"],
)
def test_earned_value_by_milestones_is_not_computable_without_live_weight(milestones):
    facts = ProjectFacts(budget=D("100000"), ev_method=EVMethod.MILESTONES, milestones=milestones)
    assert qcdr.earned_value(facts, AS_OF) is None
    evm = qcdr.project_evm(facts, AS_OF)
    assert all(getattr(evm, name) is None for name in INDICES)


# --- EVM: not computable is None, never an exception --------------------------------------------------


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        pytest.param(
            {"bac": D("100"), "pv": D("50"), "ev": D("40"), "ac": D("0")},
            {"cpi": None, "eac": None, "etc": None, "vac": None, "eac_cpi_spi": None, "cv": D("40")}
            | {"spi": D("0.8"), "tcpi": D("0.6")},
            id="AC = 0",
        ),
        pytest.param(
            {"bac": D("100"), "pv": D("0"), "ev": D("40"), "ac": D("50")},
            {"spi": None, "eac_cpi_spi": None, "sv": D("40"), "cpi": D("0.8"), "eac": D("125")},
            id="PV = 0",
        ),
        pytest.param(
            {"bac": D("100"), "pv": D("50"), "ev": D("40"), "ac": D("100")},
            {"tcpi": None, "cpi": D("0.4"), "eac": D("250")},
            id="BAC = AC",
        ),
        pytest.param(
            {"bac": D("100"), "pv": D("50"), "ev": None, "ac": D("45")},
            dict.fromkeys(INDICES),
            id="no EV",
        ),
        pytest.param(
            {"bac": D("100"), "pv": D("50"), "ev": D("0"), "ac": D("45")},
            {"cpi": D("0"), "spi": D("0"), "eac": None, "etc": None, "vac": None, "eac_cpi_spi": None},
            id="EV = 0",
        ),
        pytest.param(
            {"bac": D("0"), "pv": D("0"), "ev": D("0"), "ac": D("0")},
            dict.fromkeys(("cpi", "spi", "eac", "eac_cpi_spi", "etc", "vac", "tcpi")),
            id="all zero",
        ),
    ],
)
def test_evm_is_not_computable_instead_of_dividing_by_zero(totals, expected):
    # given totals with a zero divisor or a missing measure
    # when the EVM is computed
    evm = qcdr.evm_from_totals(**totals)
    # then the affected figures are None and the others still computed
    for name, value in expected.items():
        assert getattr(evm, name) == value, name


def test_no_percent_complete_makes_cost_unknown_not_green():
    # given the worked example without a percent complete
    facts = replace(WORKED, percent_complete=None)
    # when indicated
    indicated, evm = qcdr.indicate(facts, AS_OF, DEFAULTS)
    # then EV is not computable and cost is unknown
    assert evm.ev is None
    assert indicated.cost.rag == U
    assert codes(indicated.cost) == ["cost_not_computable"]


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (D("1"), D("4"), D("0.25")),
        (D("1"), D("0"), None),
        (D("0"), D("0"), None),
        (None, D("4"), None),
        (D("1"), None, None),
    ],
)
def test_divide(numerator, denominator, expected):
    assert qcdr.divide(numerator, denominator) == expected


# --- French working days ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2008, date(2008, 3, 23)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_sunday(year, expected):
    assert qcdr.easter_sunday(year) == expected


def test_french_public_holidays_2026():
    holidays = qcdr.french_public_holidays(2026)
    assert len(holidays) == 11
    assert {
        date(2026, 1, 1),
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),  # a Friday
        date(2026, 5, 8),
        date(2026, 5, 14),  # Ascension
        date(2026, 5, 25),  # Whit Monday
        date(2026, 7, 14),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    } == holidays


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 6, 1), date(2026, 6, 1), 0),
        (date(2026, 4, 30), date(2026, 5, 4), 1),  # Friday 1 May is a holiday
        (date(2026, 5, 4), date(2026, 4, 30), -1),  # signed
        (date(2026, 4, 3), date(2026, 4, 7), 1),  # Easter Monday 6 April
        (date(2026, 5, 13), date(2026, 5, 15), 1),  # Ascension Thursday 14 May
        (date(2026, 5, 22), date(2026, 5, 26), 1),  # Whit Monday 25 May
        (date(2026, 4, 30), date(2026, 5, 31), 17),  # May 2026: 21 weekdays, 4 of them holidays
        (date(2026, 6, 5), date(2026, 6, 8), 1),  # Friday to Monday
        (date(2026, 6, 6), date(2026, 6, 7), 0),  # Saturday to Sunday
        (date(2025, 12, 31), date(2026, 1, 2), 1),  # across the year, 1 January off
        (date(2026, 6, 1), date(2026, 6, 22), 15),
        (date(2026, 6, 22), date(2026, 6, 1), -15),
    ],
)
def test_working_days_between(start, end, expected):
    assert qcdr.working_days_between(start, end) == expected


# --- The tolerance rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deviation", "tolerance", "expected"),
    [
        (-5, 10, G),
        (0, 10, G),
        (10, 10, G),  # within the tolerance (inclusive)
        (11, 10, A),  # beyond it
        (20, 10, A),  # up to twice
        (21, 10, R),  # beyond twice
        (D("10.01"), D("10"), A),
        (D("20.01"), D("10"), R),
        (0, 0, G),
        (1, 0, R),
    ],
)
def test_by_tolerance(deviation, tolerance, expected):
    assert qcdr.by_tolerance(deviation, tolerance) == expected


@pytest.mark.parametrize(
    ("eac", "expected", "overrun_pct"),
    [
        (D("90"), G, D("-10.0")),
        (D("100"), G, D("0.0")),
        (D("110"), G, D("10.0")),
        (D("110.01"), A, D("10.0")),
        (D("120"), A, D("20.0")),
        (D("120.01"), R, D("20.0")),
        (D("250"), R, D("150.0")),
    ],
)
def test_cost_axis_applies_the_tolerance_to_the_forecast_overrun(eac, expected, overrun_pct):
    # given a BAC of 100 and a forecast at completion, with a 10 % cost tolerance
    evm = EVM(bac=D("100"), pv=D("50"), ev=D("50"), ac=D("50"), eac=eac)
    # when the cost axis is indicated
    result = qcdr.cost_axis(evm, DEFAULTS)
    # then within 10 % is green, beyond amber, beyond 20 % red, with the overrun as the reason
    assert result.rag == expected
    assert reason(result, "cost_eac_vs_bac") == {
        "eac": eac,
        "bac": D("100"),
        "overrun_pct": overrun_pct,
        "tolerance_pct": D("10"),
    }


@pytest.mark.parametrize(
    ("ac", "expected"),
    [(D("40000"), G), (D("44000"), G), (D("45000"), A), (D("48000"), A), (D("50000"), R)],
)
def test_cost_colour_from_actual_cost_on_the_worked_example(ac, expected):
    # given EV 40 000 of a 100 000 budget and an actual cost
    evm = qcdr.evm_from_totals(bac=D("100000"), pv=D("50000"), ev=D("40000"), ac=ac)
    # then EAC = BAC × AC / EV is judged against the 10 % tolerance (45 000 → EAC 112 500: amber)
    assert qcdr.cost_axis(evm, DEFAULTS).rag == expected


def test_cost_axis_with_zero_budget_is_unknown():
    evm = qcdr.evm_from_totals(bac=D("0"), pv=D("0"), ev=D("0"), ac=D("10"))
    assert qcdr.cost_axis(evm, DEFAULTS).rag == U


# --- Schedule -----------------------------------------------------------------------------------------


def test_journey_key_milestone_fifteen_working_days_late_is_amber():
    # given the key milestone "Recette", baselined on Monday 1 June 2026 and forecast 15 working days
    # later, with a 10-day time tolerance and no cost plan (so no SPI)
    facts = ProjectFacts(
        budget=D("100000"),
        milestones=(key_milestone(date(2026, 6, 1), forecast=date(2026, 6, 22)),),
    )
    # when the schedule axis is indicated in May
    indicated, _ = qcdr.indicate(facts, date(2026, 5, 15), DEFAULTS)
    # then it is amber, with the slip and the tolerance as the reason
    assert indicated.schedule.rag == A
    assert codes(indicated.schedule) == ["key_milestone_slip"]
    assert reason(indicated.schedule, "key_milestone_slip") == {
        "milestone": "Recette",
        "days": 15,
        "tolerance_days": 10,
    }


@pytest.mark.parametrize(
    ("forecast", "days", "expected"),
    [
        (date(2026, 5, 29), -1, G),  # early
        (date(2026, 6, 15), 10, G),
        (date(2026, 6, 16), 11, A),
        (date(2026, 6, 29), 20, A),
        (date(2026, 6, 30), 21, R),
    ],
)
def test_schedule_axis_applies_the_tolerance_to_the_worst_key_milestone_slip(forecast, days, expected):
    # given one key milestone baselined on 1 June 2026, a non-key one and a cancelled key one far late
    facts = ProjectFacts(
        budget=D("100000"),
        milestones=(
            key_milestone(date(2026, 6, 1), forecast=forecast),
            MilestoneFact("Annexe", date(2026, 6, 1), date(2027, 6, 1), None, is_key=False),
            key_milestone(date(2026, 6, 1), forecast=date(2027, 6, 1), name="Abandonné", cancelled=True),
        ),
    )
    # when indicated before any of them is due
    result = qcdr.schedule_axis(
        facts, qcdr.project_evm(facts, date(2026, 5, 15)), DEFAULTS, date(2026, 5, 15)
    )
    # then only the live key milestone counts
    assert result.rag == expected
    assert reason(result, "key_milestone_slip")["days"] == days
    assert reason(result, "key_milestone_slip")["milestone"] == "Recette"


@pytest.mark.parametrize(
    ("ev", "expected"),
    [(D("100"), G), (D("90"), G), (D("89"), A), (D("80"), A), (D("79.99"), R), (D("0"), R)],
)
def test_schedule_axis_from_spi(ev, expected):
    # given no milestone and a PV of 100 (SPI amber below 0.90, red below 0.80)
    evm = qcdr.evm_from_totals(bac=D("1000"), pv=D("100"), ev=ev, ac=D("100"))
    # then the SPI alone decides
    result = qcdr.schedule_axis(ProjectFacts(budget=D("1000")), evm, DEFAULTS, AS_OF)
    assert result.rag == expected
    assert codes(result) == ["spi"]


def test_schedule_axis_is_the_worst_of_milestones_and_spi():
    # given an on-time key milestone and an SPI of 0.5
    facts = ProjectFacts(budget=D("1000"), milestones=(key_milestone(date(2026, 6, 1), date(2026, 6, 1)),))
    evm = qcdr.evm_from_totals(bac=D("1000"), pv=D("100"), ev=D("50"), ac=D("50"))
    # then the schedule is red
    result = qcdr.schedule_axis(facts, evm, DEFAULTS, date(2026, 5, 15))
    assert result.rag == R
    assert codes(result) == ["key_milestone_slip", "spi"]


def test_schedule_without_key_milestone_nor_spi_is_unknown():
    facts = ProjectFacts(budget=D("1000"), milestones=(key_milestone(None, date(2026, 6, 1)),))
    result = qcdr.schedule_axis(facts, qcdr.project_evm(facts, AS_OF), DEFAULTS, AS_OF)
    assert result.rag == U
    assert codes(result) == ["schedule_no_data"]


@pytest.mark.parametrize(
    ("forecast", "actual", "as_of", "expected"),
    [
        (date(2026, 3, 6), None, date(2026, 3, 31), 21),  # forecast past, not achieved: late until as_of
        (date(2026, 3, 6), date(2026, 3, 6), date(2026, 3, 31), 4),  # achieved: the actual date counts
        (None, None, date(2026, 2, 15), 0),  # not due yet, no forecast: on baseline
        (None, None, date(2026, 3, 9), 5),  # baseline passed, not achieved
        (date(2026, 4, 3), None, date(2026, 3, 9), 24),  # forecast in the future
        (date(2026, 2, 27), None, date(2026, 2, 20), -1),  # forecast early and still ahead
    ],
)
def test_milestone_slip_counts_a_past_unachieved_forecast_as_slipping_until_as_of(
    forecast, actual, as_of, expected
):
    # given a milestone baselined on Monday 2 March 2026
    milestone = key_milestone(date(2026, 3, 2), forecast=forecast, actual=actual)
    # then its slip is in working days from the baseline
    assert qcdr.milestone_slip(milestone, as_of) == expected


def test_a_past_unachieved_forecast_turns_the_schedule_red():
    # given a key milestone forecast for 6 March (4 days late, green) but still not achieved on 31 March
    facts = ProjectFacts(budget=D("1"), milestones=(key_milestone(date(2026, 3, 2), date(2026, 3, 6)),))
    # when indicated on 31 March
    indicated, _ = qcdr.indicate(facts, date(2026, 3, 31), DEFAULTS)
    # then it slips until today: 21 working days, beyond twice the tolerance
    assert indicated.schedule.rag == R
    assert reason(indicated.schedule, "key_milestone_slip")["days"] == 21


def test_milestone_without_baseline_has_no_slip():
    assert qcdr.milestone_slip(key_milestone(None, date(2026, 3, 6)), AS_OF) is None


# --- Risk -----------------------------------------------------------------------------------------------


def risk(probability, impact, *, is_open=True, is_opportunity=False, title="R"):
    return RiskFact(title, probability, impact, is_open=is_open, is_opportunity=is_opportunity)


@pytest.mark.parametrize(
    ("risks", "expected", "code"),
    [
        pytest.param((), U, "risk_register_empty", id="empty register"),
        pytest.param((risk(3, 5),), R, "top_risk", id="15 red"),
        pytest.param((risk(5, 5),), R, "top_risk", id="25 red"),
        pytest.param((risk(4, 4),), R, "top_risk", id="16 red"),
        pytest.param((risk(2, 4),), A, "top_risk", id="8 amber"),
        pytest.param((risk(3, 4),), A, "top_risk", id="12 amber"),
        pytest.param((risk(2, 3),), G, "top_risk", id="6 green"),
        pytest.param((risk(1, 1), risk(2, 4), risk(1, 2)), A, "top_risk", id="highest counts"),
        pytest.param((risk(5, 5, is_opportunity=True),), G, "no_open_threat", id="opportunity ignored"),
        pytest.param((risk(5, 5, is_open=False),), G, "no_open_threat", id="closed ignored"),
        pytest.param(
            (risk(5, 5, is_open=False), risk(5, 5, is_opportunity=True), risk(2, 4)),
            A,
            "top_risk",
            id="only open threats count",
        ),
    ],
)
def test_risk_axis(risks, expected, code):
    # given a register (≥15 red, ≥8 amber by default)
    facts = ProjectFacts(budget=D("1"), risks=risks, has_risk_register=bool(risks))
    # then the highest open threat decides
    result = qcdr.risk_axis(facts, DEFAULTS)
    assert result.rag == expected
    assert codes(result)[0] == code


def test_risk_reasons_name_the_top_risk_and_the_exposure():
    facts = ProjectFacts(
        budget=D("1"),
        risks=(risk(3, 5, title="Fournisseur"), risk(2, 2, title="Recrutement"), risk(5, 5, is_open=False)),
        has_risk_register=True,
    )
    result = qcdr.risk_axis(facts, DEFAULTS)
    assert reason(result, "top_risk") == {"risk": "Fournisseur", "score": 15, "red": 15, "amber": 8}
    assert reason(result, "risk_exposure") == {"exposure": 19, "open": 2}


# --- Quality --------------------------------------------------------------------------------------------

JUNE_1 = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("deliverables", "expected", "code"),
    [
        pytest.param((), U, "no_deliverable", id="no deliverable"),
        pytest.param((("accepted", date(2026, 1, 1)),), G, "deliverables_accepted", id="accepted"),
        pytest.param((("planned", None),), G, "deliverables_accepted", id="no due date"),
        pytest.param((("planned", JUNE_1),), G, "deliverables_accepted", id="due today"),
        pytest.param((("in_review", date(2026, 5, 29)),), A, "deliverables_overdue", id="overdue"),
        pytest.param((("planned", date(2026, 5, 31)),), A, "deliverables_overdue", id="overdue planned"),
        pytest.param((("rejected", None),), R, "deliverables_rejected", id="rejected"),
        pytest.param(
            (("in_review", date(2026, 5, 1)), ("rejected", date(2026, 7, 1)), ("accepted", None)),
            R,
            "deliverables_rejected",
            id="rejected beats overdue",
        ),
    ],
)
def test_quality_axis(deliverables, expected, code):
    # given deliverables as (state, due) on 1 June 2026
    facts = ProjectFacts(
        budget=D("1"),
        deliverables=tuple(
            DeliverableFact(f"L{i}", due, state) for i, (state, due) in enumerate(deliverables)
        ),
    )
    # then rejected is red, overdue and not accepted amber, none unknown
    result = qcdr.quality_axis(facts, JUNE_1)
    assert result.rag == expected
    assert codes(result)[0] == code


# --- Staleness ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_submitted", "stale_after_days", "expected"),
    [
        (None, 14, True),
        (JUNE_1, 14, False),
        (JUNE_1 - timedelta(days=14), 14, False),
        (JUNE_1 - timedelta(days=15), 14, True),
        (JUNE_1 - timedelta(days=7), 7, False),
        (JUNE_1 - timedelta(days=8), 7, True),
    ],
)
def test_staleness(last_submitted, stale_after_days, expected):
    facts = ProjectFacts(budget=D("1"), last_submitted=last_submitted)
    thresholds = Thresholds(stale_after_days=stale_after_days)
    assert qcdr.is_stale(facts, JUNE_1, thresholds) is expected
    assert qcdr.compute_qcdr(facts, Declared(), JUNE_1, thresholds).stale is expected


# --- Watermelon and overall -----------------------------------------------------------------------------

INDICATED = Indicated(
    quality=AxisResult(G), cost=AxisResult(R), schedule=AxisResult(U), risk=AxisResult(A), overall=R
)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (Declared(), ()),
        (Declared(cost=G), ("cost",)),
        (Declared(cost=A), ("cost",)),
        (Declared(cost=R), ()),
        (Declared(schedule=G), ()),  # indicated unknown never flags
        (Declared(quality=G), ()),
        (Declared(quality=R), ()),  # more pessimistic than the data is not a watermelon
        (Declared(quality=G, cost=G, schedule=G, risk=G, overall=G), ("cost", "risk")),
    ],
)
def test_watermelon_axes(declared, expected):
    assert qcdr.watermelon_axes(declared, INDICATED) == expected


def test_declared_green_with_indicated_red_is_a_watermelon():
    # given the worked example with AC 50 000 (EAC 125 000: cost red) and an all-green status report
    facts = replace(WORKED, costs=(CostFact(month=date(2026, 1, 1), planned=D("50000"), actual=D("50000")),))
    declared = Declared(quality=G, cost=G, schedule=G, risk=G, overall=G)
    # when the QCDR is computed
    result = qcdr.compute_qcdr(facts, declared, AS_OF, DEFAULTS)
    # then cost (red) and schedule (SPI 0.8: amber) are flagged; quality and risk, unknown here, never
    assert (result.indicated.cost.rag, result.indicated.schedule.rag) == (R, A)
    assert (result.indicated.quality.rag, result.indicated.risk.rag) == (U, U)
    assert result.watermelon is True
    assert result.watermelon_axes == ("cost", "schedule")


def test_overall_is_never_green_when_an_axis_is_unknown():
    # given green quality, cost and schedule but no risk register
    facts = replace(
        WORKED,
        percent_complete=D("50"),
        deliverables=(DeliverableFact("Dossier", None, "accepted"),),
    )
    indicated, _ = qcdr.indicate(facts, AS_OF, DEFAULTS)
    assert (indicated.quality.rag, indicated.cost.rag, indicated.schedule.rag) == (G, G, G)
    assert indicated.risk.rag == U
    # then overall is unknown, not green
    assert indicated.overall == U
    # and with a register of small risks it turns green
    with_risks = replace(facts, risks=(risk(1, 2),), has_risk_register=True)
    assert qcdr.indicate(with_risks, AS_OF, DEFAULTS)[0].overall == G


@pytest.mark.parametrize(
    ("rags", "expected"),
    [([], U), ([G], G), ([G, U], U), ([U, A], A), ([G, R, A], R), ([G, G, G, G], G)],
)
def test_worst(rags, expected):
    assert qcdr.worst(rags) == expected


# --- JSON form --------------------------------------------------------------------------------------------


def test_qcdr_as_dict_is_json_serialisable():
    # given the worked example with a key milestone, a risk and a deliverable, and a declared report
    facts = replace(
        WORKED,
        milestones=(key_milestone(date(2026, 6, 1), date(2026, 6, 22)),),
        risks=(risk(3, 5, title="Fournisseur"),),
        has_risk_register=True,
        deliverables=(DeliverableFact("Dossier", date(2026, 2, 1), "in_review"),),
        last_submitted=date(2026, 2, 27),
    )
    result = qcdr.compute_qcdr(facts, Declared(cost=G, overall=G), AS_OF, DEFAULTS)
    # when turned into its JSON form
    data = json.loads(json.dumps(qcdr.qcdr_as_dict(result)))
    # then it carries the contract's keys, RAG strings, Decimals as strings and null when not computable
    assert {"declared", "indicated", "reasons", "evm", "stale", "watermelon"} <= set(data)
    assert set(data["declared"]) == set(data["indicated"]) == {*AXES, "overall"}
    assert set(data["reasons"]) == set(AXES)
    assert data["declared"]["cost"] == "green"
    assert data["indicated"] == {
        "quality": "amber",
        "cost": "amber",
        "schedule": "amber",
        "risk": "red",
        "overall": "red",
    }
    assert data["evm"]["cpi"] == "0.8889"
    assert data["evm"]["eac"] == "112500.0000"
    assert data["stale"] is False
    assert data["watermelon"] is True
    assert data["watermelon_axes"] == ["cost"]
    assert {
        "code": "key_milestone_slip",
        "params": {"milestone": "Recette", "days": 15, "tolerance_days": 10},
    } in (data["reasons"]["schedule"])


def test_qcdr_as_dict_nulls_what_is_not_computable():
    result = qcdr.compute_qcdr(ProjectFacts(budget=D("0")), Declared(), AS_OF, DEFAULTS)
    data = json.loads(json.dumps(qcdr.qcdr_as_dict(result)))
    assert data["evm"]["ev"] is None
    assert data["evm"]["cpi"] is None
    assert data["indicated"]["overall"] == "unknown"
    assert data["stale"] is True


def test_qcdr_as_dict_survives_a_tiny_earned_value_against_large_costs():
    # given valid stored values: a 0.01 budget at 0.01 % complete against 10⁹ planned and spent
    # (EAC in its CPI × SPI form ≈ 10²⁸: too many digits to quantize to 4 places in the default context)
    facts = ProjectFacts(
        budget=D("0.01"),
        percent_complete=D("0.01"),
        costs=(CostFact(month=date(2026, 1, 1), planned=D("1000000000"), actual=D("1000000000")),),
    )
    result = qcdr.compute_qcdr(facts, Declared(), AS_OF, DEFAULTS)
    # then the JSON form is still produced, exact
    data = json.loads(json.dumps(qcdr.qcdr_as_dict(result)))
    assert result.evm.eac_cpi_spi == D("9999000000000000001000000000")  # 10⁹ + 0.009999 / 10⁻³⁰
    assert data["evm"]["eac_cpi_spi"] == "9999000000000000001000000000.0000"
    assert data["indicated"]["cost"] == "red"


# --- Properties -------------------------------------------------------------------------------------------
# Sizes and date ranges are kept small: the CI profile runs 1000 examples of each property.

money = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=0, max_value=10**9)
optional_money = st.none() | money
percent = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=0, max_value=100)
weights = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=0, max_value=D("9999.99"))
dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
optional_dates = st.none() | dates
months = st.builds(date, st.integers(2025, 2027), st.integers(1, 12), st.just(1))
rags = st.sampled_from(RAG)

milestones = st.builds(
    MilestoneFact,
    name=st.sampled_from(["Cadrage", "Conception", "Recette", "MEP"]),
    baseline=optional_dates,
    forecast=optional_dates,
    actual=optional_dates,
    is_key=st.booleans(),
    weight=weights,
    cancelled=st.booleans(),
)
costs = st.builds(CostFact, month=months, planned=money, actual=money)  # forecast: not read by qcdr
risks = st.builds(
    RiskFact,
    title=st.sampled_from(["Fournisseur", "Recrutement", "Budget"]),
    probability=st.integers(1, 5),
    impact=st.integers(1, 5),
    is_open=st.booleans(),
    is_opportunity=st.booleans(),
)
deliverables = st.builds(
    DeliverableFact,
    name=st.sampled_from(["Dossier", "Maquette", "Code"]),
    due=optional_dates,
    state=st.sampled_from(["planned", "in_review", "accepted", "rejected"]),
)


def tuples(elements, min_size=0, max_size=3):
    return st.lists(elements, min_size=min_size, max_size=max_size).map(tuple)


project_facts = st.builds(
    ProjectFacts,
    budget=money,
    percent_complete=st.none() | percent,
    ev_method=st.sampled_from(EVMethod),
    milestones=tuples(milestones),
    costs=tuples(costs),
    risks=tuples(risks),
    deliverables=tuples(deliverables),
    last_submitted=optional_dates,
    has_risk_register=st.booleans(),
)


def make_thresholds(cost_pct, days, risk_scores, spi_limits, stale_days):
    return Thresholds(
        cost_tolerance_pct=cost_pct,
        time_tolerance_days=days,
        risk_amber_score=risk_scores[0],
        risk_red_score=risk_scores[1],
        spi_red_below=spi_limits[0],
        spi_amber_below=spi_limits[1],
        stale_after_days=stale_days,
    )


# A few sampled values instead of free decimals: cheaper to draw, and every boundary case is there.
thresholds = st.builds(
    make_thresholds,
    st.sampled_from([D("0"), D("5"), D("10"), D("12.5"), D("25")]),
    st.integers(0, 30),
    st.sampled_from([(8, 15), (1, 1), (5, 20), (12, 12), (25, 25)]),  # (amber, red) scores
    st.sampled_from([(D("0.80"), D("0.90")), (D("0"), D("0")), (D("0.95"), D("1")), (D("1"), D("1.2"))]),
    st.integers(0, 60),
)


any_thresholds = st.just(DEFAULTS) | thresholds
declared = st.builds(Declared, quality=rags, cost=rags, schedule=rags, risk=rags, overall=rags)
evms = st.builds(qcdr.evm_from_totals, bac=money, pv=money, ev=optional_money, ac=money)
SPI_CASES = [  # no SPI, SPI 1, 0.85 and 0.5
    qcdr.evm_from_totals(bac=D("1000"), pv=pv, ev=ev, ac=D("100"))
    for pv, ev in [(D("0"), D("50")), (D("100"), D("100")), (D("100"), D("85")), (D("100"), D("50"))]
]


@given(bac=money, pv=money, ev=optional_money, ac=money)
def test_evm_from_totals_never_raises_and_is_exact(bac, pv, ev, ac):
    evm = qcdr.evm_from_totals(bac=bac, pv=pv, ev=ev, ac=ac)
    assert evm.cpi == (ev / ac if ev is not None and ac else None)
    assert evm.spi == (ev / pv if ev is not None and pv else None)
    assert evm.cv == (ev - ac if ev is not None else None)
    assert evm.sv == (ev - pv if ev is not None else None)
    assert evm.tcpi == ((bac - ev) / (bac - ac) if ev is not None and bac > ac else None)
    if evm.eac is not None:
        assert evm.eac == bac / evm.cpi
        assert evm.etc == evm.eac - ac
        assert evm.vac == bac - evm.eac
    else:
        assert evm.etc is None and evm.vac is None
    assert all(isinstance(getattr(evm, name), D | None) for name in INDICES)


@example(  # EAC (CPI × SPI form) ≈ 10²⁸ once crashed qcdr_as_dict
    facts=ProjectFacts(
        budget=D("0.01"),
        percent_complete=D("0.01"),
        costs=(CostFact(month=date(2026, 1, 1), planned=D("1000000000"), actual=D("1000000000")),),
    ),
    said=Declared(),
    as_of=AS_OF,
    limits=DEFAULTS,
)
@given(facts=project_facts, said=declared, as_of=dates, limits=any_thresholds)
def test_project_evm_indicate_and_compute_qcdr_never_raise(facts, said, as_of, limits):
    # project_evm: exact totals, EV within [0, BAC] when computable
    evm = qcdr.project_evm(facts, as_of)
    assert evm.bac == facts.budget
    assert evm.pv >= 0 and evm.ac >= 0
    if evm.ev is not None:
        assert 0 <= evm.ev <= facts.budget
    # indicate: overall is the worst axis, never green beside an unknown axis
    indicated, indicated_evm = qcdr.indicate(facts, as_of, limits)
    assert indicated_evm == evm
    axis_rags = [indicated.axis(name).rag for name in AXES]
    assert indicated.overall == qcdr.worst(axis_rags)
    if U in axis_rags:
        assert indicated.overall != G
    if indicated.overall == G:
        assert set(axis_rags) == {G}
    # compute_qcdr: staleness and the watermelon flag agree with their rules, and the JSON form works
    result = qcdr.compute_qcdr(facts, said, as_of, limits)
    assert result.indicated == indicated
    assert result.stale == qcdr.is_stale(facts, as_of, limits)
    assert result.watermelon == bool(result.watermelon_axes)
    for axis in result.watermelon_axes:
        assert U not in (getattr(said, axis), result.indicated.axis(axis).rag)
    data = json.loads(json.dumps(qcdr.qcdr_as_dict(result)))
    assert {"declared", "indicated", "reasons", "evm", "stale", "watermelon"} <= set(data)


@given(bac=money, pv=money, ev=money, ac=money, more=money, limits=any_thresholds)
def test_a_worse_cpi_never_improves_the_cost_colour(bac, pv, ev, ac, more, limits):
    # given the same project with a higher actual cost (a lower CPI), everything else equal
    before = qcdr.cost_axis(qcdr.evm_from_totals(bac=bac, pv=pv, ev=ev, ac=ac), limits).rag
    after = qcdr.cost_axis(qcdr.evm_from_totals(bac=bac, pv=pv, ev=ev, ac=ac + more), limits).rag
    # then the cost colour is no better
    assert not_better(before, after)


@given(
    plan=tuples(milestones, max_size=2),
    as_of=dates,
    bac=money,
    pv=money,
    ev=money,
    ac=money,
    less_ev=money,
    more_pv=money,
    limits=any_thresholds,
)
def test_a_worse_spi_never_improves_the_schedule_colour(
    plan, as_of, bac, pv, ev, ac, less_ev, more_pv, limits
):
    # given the same project and milestones with a lower EV and/or a higher PV
    facts = ProjectFacts(budget=bac, milestones=plan)
    better = qcdr.evm_from_totals(bac=bac, pv=pv, ev=ev, ac=ac)
    worse = qcdr.evm_from_totals(bac=bac, pv=pv + more_pv, ev=max(ev - less_ev, D("0")), ac=ac)
    # then the schedule colour is no better
    assert not_better(
        qcdr.schedule_axis(facts, better, limits, as_of).rag,
        qcdr.schedule_axis(facts, worse, limits, as_of).rag,
    )


@given(
    others=tuples(milestones, max_size=2),
    baseline=dates,
    forecast=dates,
    delay=st.integers(1, 200),
    evm=st.sampled_from(SPI_CASES),
    as_of=dates,
    limits=any_thresholds,
)
def test_a_later_key_milestone_forecast_never_improves_the_schedule_colour(
    others, baseline, forecast, delay, evm, as_of, limits
):
    # given a live key milestone, not achieved yet, forecast later; everything else equal (an achieved,
    # cancelled or unbaselined milestone ignores its forecast, so it is not drawn here)
    earlier = key_milestone(baseline, forecast=forecast)
    later = key_milestone(baseline, forecast=forecast + timedelta(days=delay))

    def schedule(milestone):
        facts = ProjectFacts(budget=evm.bac, milestones=(*others, milestone))
        return qcdr.schedule_axis(facts, evm, limits, as_of).rag

    # then its slip does not shrink and the schedule colour is no better
    assert qcdr.milestone_slip(later, as_of) >= qcdr.milestone_slip(earlier, as_of)
    assert not_better(schedule(earlier), schedule(later))


@given(
    register=tuples(risks, min_size=1),
    has_register=st.booleans(),
    index=st.integers(0, 2),
    more_probability=st.integers(0, 4),
    more_impact=st.integers(0, 4),
    limits=any_thresholds,
)
def test_a_higher_risk_score_never_improves_the_risk_colour(
    register, has_register, index, more_probability, more_impact, limits
):
    # given one risk with a higher probability and/or impact, everything else equal
    index %= len(register)
    old = register[index]
    new = replace(
        old,
        probability=min(5, old.probability + more_probability),
        impact=min(5, old.impact + more_impact),
    )
    changed = register[:index] + (new,) + register[index + 1 :]
    before = qcdr.risk_axis(
        ProjectFacts(budget=D("1"), risks=register, has_risk_register=has_register), limits
    )
    after = qcdr.risk_axis(ProjectFacts(budget=D("1"), risks=changed, has_risk_register=has_register), limits)
    # then the risk colour is no better
    assert new.score >= old.score
    assert not_better(before.rag, after.rag)


@given(items=st.lists(evms, max_size=3))
def test_rollup_divides_the_sums_and_one_project_rolls_up_to_itself(items):
    # roll-up of one project equals that project (one without EV is left out of every total, as
    # documented, so nothing is computable for it either way)
    for item in items:
        rolled = qcdr.rollup_evm([item])
        if item.ev is not None:
            assert rolled == item
        else:
            assert all(getattr(rolled, name) is None for name in INDICES)
            assert all(getattr(item, name) is None for name in INDICES)
    # roll-up of several: CPI = ΣEV / ΣAC and SPI = ΣEV / ΣPV exactly, over the projects with an EV
    rolled = qcdr.rollup_evm(items)
    measured = [item for item in items if item.ev is not None]
    if not measured:
        assert rolled.ev is None and rolled.cpi is None
        return
    sum_ev = sum((item.ev for item in measured), D("0"))
    sum_ac = sum((item.ac for item in measured), D("0"))
    sum_pv = sum((item.pv for item in measured), D("0"))
    assert rolled.ev == sum_ev
    assert rolled.ac == sum_ac
    assert rolled.cpi == (sum_ev / sum_ac if sum_ac else None)
    assert rolled.spi == (sum_ev / sum_pv if sum_pv else None)


def test_rollup_cpi_is_not_the_mean_of_cpis():
    # given a project at CPI 2 (EV 100, AC 50) and one at CPI 0.5 (EV 100, AC 200)
    first = qcdr.evm_from_totals(bac=D("1000"), pv=D("100"), ev=D("100"), ac=D("50"))
    second = qcdr.evm_from_totals(bac=D("1000"), pv=D("100"), ev=D("100"), ac=D("200"))
    # when rolled up
    rolled = qcdr.rollup_evm([first, second])
    # then the CPI is ΣEV / ΣAC = 200 / 250 = 0.8, not the mean of the CPIs (1.25)
    assert (first.cpi + second.cpi) / 2 == D("1.25")
    assert rolled.cpi == D("0.8")
    assert rolled.cpi != (first.cpi + second.cpi) / 2
    assert rolled.eac == D("2500")


def test_rollup_leaves_out_projects_whose_ev_is_not_computable():
    measured = qcdr.evm_from_totals(bac=D("1000"), pv=D("100"), ev=D("100"), ac=D("50"))
    unmeasured = qcdr.evm_from_totals(bac=D("5000"), pv=D("900"), ev=None, ac=D("900"))
    assert qcdr.rollup_evm([measured, unmeasured]) == measured


@given(a=dates, b=dates, c=dates)
def test_working_days_are_antisymmetric_and_additive(a, b, c):
    ab = qcdr.working_days_between(a, b)
    assert ab == -qcdr.working_days_between(b, a)
    assert ab + qcdr.working_days_between(b, c) == qcdr.working_days_between(a, c)
    assert abs(ab) <= abs((b - a).days)


@given(year=st.integers(1900, 2200))
def test_easter_is_a_sunday_in_its_window_and_the_holidays_follow_it(year):
    easter = qcdr.easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)
    fixed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    movable = {easter + timedelta(days=days) for days in (1, 39, 50)}  # Monday, Ascension, Whit Monday
    # eleven holidays, fewer when Ascension falls on 1 or 8 May (as in 1986 or 2008)
    assert qcdr.french_public_holidays(year) == {date(year, *day) for day in fixed} | movable


@given(values=st.lists(rags, max_size=8))
def test_worst_is_order_independent(values):
    # every permutation of a list sorts to the same list, so comparing with the sorted order covers them all
    assert qcdr.worst(values) == qcdr.worst(sorted(values))
    assert qcdr.worst(values) == qcdr.worst(reversed(values))
    assert qcdr.worst(values) == qcdr.worst(iter(values))


@given(
    deviation=st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000),
    more=st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=0, max_value=1000),
    tolerance=st.decimals(allow_nan=False, allow_infinity=False, places=1, min_value=0, max_value=100),
)
def test_a_larger_deviation_never_improves_the_tolerance_colour(deviation, more, tolerance):
    assert not_better(qcdr.by_tolerance(deviation, tolerance), qcdr.by_tolerance(deviation + more, tolerance))
