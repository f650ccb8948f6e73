"""ROI, NPV and payback (projects.finance), by hand."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.finance import by_year, npv, payback_years, roi

FLOWS = [(0, D(-100000)), (1, D(30000)), (2, D(40000)), (3, D(50000))]


def test_npv_by_hand():
    # -100000 + 30000/1.08 + 40000/1.08² + 50000/1.08³ = -100000 + 27777.78 + 34293.55 + 39691.61
    assert npv(D("0.08"), FLOWS) == D("1762.94")
    assert npv(D("0"), FLOWS) == D("20000.00")
    assert npv(D("0.05"), FLOWS) == D("8044.49")


def test_npv_adds_flows_of_one_year_and_fills_missing_years():
    assert by_year([(2, D(10)), (0, D(-5)), (2, D(5))]) == [D(-5), D(0), D(15)]
    assert npv(D("0.1"), [(0, D(-100)), (2, D(121))]) == D("0.00")
    with pytest.raises(ValueError):
        npv(D("-1"), FLOWS)
    with pytest.raises(ValueError):
        by_year([(-1, D(1))])


def test_roi():
    assert roi(D(100000), D(125000)) == D("0.2500")
    assert roi(D(100000), D(80000)) == D("-0.2000")
    assert roi(D(0), D(5)) is None


def test_payback():
    assert payback_years([(0, D(-100)), (1, D(40)), (2, D(40)), (3, D(40))]) == D("2.50")
    assert payback_years(FLOWS) == D("2.60")  # -30000 left after year 2, 50000 in year 3
    assert payback_years([(0, D(-100)), (1, D(100))]) == D("1.00")
    assert payback_years([(0, D(-100)), (1, D(50))]) is None
    assert payback_years([(0, D(10)), (1, D(10))]) == D("0")


@settings(max_examples=200, derandomize=True)
@given(st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=10), st.integers(0, 30))
def test_npv_falls_as_the_rate_rises_when_benefits_come_after_costs(amounts, rate_pct):
    flows = [(0, D(-abs(amounts[0])))] + [(i, D(abs(a))) for i, a in enumerate(amounts[1:], 1)]
    assert npv(D(rate_pct) / 100, flows) >= npv(D(rate_pct + 1) / 100, flows)
    back = payback_years(flows)
    if back is not None and back > 0:
        # cumulative flow at the payback year (rounded up) is non-negative
        years = by_year(flows)
        assert sum(years[: int(back) + 2]) >= 0
