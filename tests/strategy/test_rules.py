"""Pure rules of benefits realisation, cash flows and the benefits tolerance."""

from datetime import date
from decimal import Decimal

from governance import tolerances
from projects import benefits as rules
from projects import finance

D = Decimal


def fact(measurements=(), *, baseline="100", target="50", expected=date(2026, 6, 30), start=date(2026, 1, 1)):
    return rules.BenefitFact(
        "b", D(baseline), D(target), expected, start, tuple((d, D(v)) for d, v in measurements)
    )


def test_planned_is_a_straight_line_from_start_to_expected_date():
    f = fact(start=date(2026, 1, 1), expected=date(2026, 1, 11))
    assert rules.planned_at(f, date(2025, 12, 1)) == D("100")
    assert rules.planned_at(f, date(2026, 1, 6)) == D("75.00")
    assert rules.planned_at(f, date(2026, 2, 1)) == D("50")


def test_planned_starts_at_first_measurement_without_a_start():
    f = fact([(date(2026, 1, 1), "100")], start=None, expected=date(2026, 1, 11))
    assert rules.planned_at(f, date(2026, 1, 6)) == D("75.00")


def test_realisation_follows_the_direction_of_the_target():
    down = fact()
    assert rules.realisation_pct(down, D("75")) == D("50.0")
    up = fact(baseline="10", target="20")
    assert rules.realisation_pct(up, D("18")) == D("80.0")
    assert rules.realisation_pct(fact(baseline="5", target="5"), D("5")) is None


def test_trend_is_the_least_squares_line():
    points = [(date(2026, 1, 1), D("100")), (date(2026, 1, 11), D("90")), (date(2026, 1, 21), D("80"))]
    assert rules.trend_at(points, date(2026, 1, 31)) == D("70.00")
    assert rules.trend_at(points[:1], date(2026, 1, 31)) is None


def test_shortfall_after_the_expected_date_uses_the_latest_measurement():
    f = fact([(date(2026, 3, 1), "90"), (date(2026, 7, 10), "70")])
    short = rules.shortfall(f, date(2026, 7, 15))
    assert short.basis == "realised"
    assert short.realisation_pct == D("60.0")
    assert short.shortfall_pct == D("40.0")


def test_shortfall_before_the_expected_date_is_the_trend_forecast():
    # 100 → 90 in 30 days: the trend reaches 50 by the expected date? 181 days: 100 - 10/30*180 = 40.
    f = fact([(date(2026, 1, 1), "100"), (date(2026, 1, 31), "90")], expected=date(2026, 6, 30))
    short = rules.shortfall(f, date(2026, 2, 1))
    assert short.basis == "forecast"
    assert short.shortfall_pct == D("0")
    slow = fact([(date(2026, 1, 1), "100"), (date(2026, 1, 31), "99")], expected=date(2026, 6, 30))
    assert rules.shortfall(slow, date(2026, 2, 1)).shortfall_pct > D("80")


def test_no_figure_without_enough_measurements():
    assert rules.shortfall(fact(), date(2026, 7, 1)) is None
    assert rules.shortfall(fact([(date(2026, 1, 5), "95")]), date(2026, 2, 1)) is None
    # Measurements after the scan's day are not known yet.
    assert rules.shortfall(fact([(date(2026, 8, 1), "95")]), date(2026, 7, 1)) is None


def test_benefit_measure_breaches_strictly_beyond_the_tolerance():
    short = rules.Shortfall("Moins d'arrêts", "realised", D("70"), D("60.0"), D("40.0"))
    measure = tolerances.benefit_measure(short, D("40"))
    assert measure.tolerance == "benefits" and measure.unit == "pct"
    assert not measure.breached
    assert tolerances.benefit_measure(short, D("39.9")).breached
    assert tolerances.benefit_measure(None, D("10")) is None


def test_worst_shortfall_picks_the_largest():
    a = fact([(date(2026, 7, 1), "60")])  # 80 % realised
    b = rules.BenefitFact("c", D("0"), D("10"), date(2026, 6, 30), None, ((date(2026, 7, 1), D("3")),))
    assert rules.worst_shortfall([a, b], date(2026, 7, 2)).key == "c"


def test_costs_are_actual_before_the_current_month_and_forecast_after():
    lines = [
        (date(2026, 5, 1), D("100"), D("999")),
        (date(2026, 6, 1), D("40"), D("120")),
        (date(2027, 1, 1), D("0"), D("300")),
    ]
    assert rules.cost_by_year(lines, date(2026, 6, 15)) == {2026: D("220"), 2027: D("300")}


def test_benefit_value_is_spread_by_month_from_the_expected_month():
    years = rules.benefit_by_year([(date(2026, 7, 15), D("1200"), 2)])
    assert years == {2026: D("600.00"), 2027: D("1200.00"), 2028: D("600.00")}


def test_cash_flows_feed_npv_roi_and_payback():
    flows = rules.cash_flows(
        [(date(2026, 1, 1), D("0"), D("1000"))], [(date(2027, 1, 1), D("500"), 3)], date(2025, 12, 1)
    )
    assert flows.first_year == 2026
    assert flows.flows() == [(0, D("-1000")), (1, D("500.00")), (2, D("500.00")), (3, D("500.00"))]
    assert finance.roi(flows.total_costs, flows.total_benefits) == D("0.5000")
    assert finance.payback_years(flows.flows()) == D("2.00")
    assert finance.npv(D("0.08"), flows.flows()) == D("288.55")
