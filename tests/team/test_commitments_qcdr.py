"""EAC floored at actual cost + open commitments (projects/qcdr.py): pure, hand-computed figures."""

from datetime import date
from decimal import Decimal
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects import qcdr
from projects.procurement import open_commitment
from projects.types import CostFact, ProjectFacts

AS_OF = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("eac", "ac", "commitments", "expected"),
    [
        (D("100000"), D("40000"), D("30000"), D("100000")),  # 40 000 + 30 000 = 70 000 < EAC: unchanged
        (D("100000"), D("60000"), D("55000"), D("115000")),  # 60 000 + 55 000 = 115 000 > EAC: floored
        (D("100000"), D("60000"), D("40000"), D("100000")),  # equal: unchanged
        (D("80000"), D("20000"), D("0"), D("80000")),  # nothing ordered
        (None, D("20000"), D("90000"), None),  # not computable stays not computable
        (D("50000"), D("20000"), D("-5"), D("50000")),  # a negative total never lowers anything
        (D("10"), D("20"), D("0"), D("10")),  # no commitment: the EVM form as it is
    ],
)
def test_eac_floor(eac, ac, commitments, expected):
    assert qcdr.eac_floor(eac, ac=ac, open_commitments=commitments) == expected


def test_evm_with_commitments_by_hand():
    """BAC 200 000, PV 100 000, EV 80 000, AC 100 000: CPI 0.8, EAC = 250 000. Orders not yet invoiced
    of 170 000: AC + commitments = 270 000 > 250 000, so EAC = 270 000, ETC = 170 000, VAC = −70 000.
    CPI × SPI = 0.8 × 0.8 = 0.64: EAC(CPI×SPI) = 100 000 + 120 000 / 0.64 = 287 500 (above the floor)."""
    evm = qcdr.evm_from_totals(
        bac=D("200000"), pv=D("100000"), ev=D("80000"), ac=D("100000"), commitments=D("170000")
    )
    assert evm.cpi == D("0.8")
    assert evm.eac == D("270000")
    assert evm.etc == D("170000")
    assert evm.vac == D("-70000")
    assert evm.eac_cpi_spi == D("287500")
    assert evm.commitments == D("170000")


def test_project_evm_reads_the_facts_commitments():
    """Two months of actual 30 000 each (AC 60 000), 50 % of a 100 000 budget (EV 50 000): CPI 5/6,
    EAC 120 000; 75 000 ordered and not invoiced → 60 000 + 75 000 = 135 000."""
    facts = ProjectFacts(
        budget=D("100000"),
        percent_complete=D("50"),
        costs=(
            CostFact(month=date(2026, 9, 1), planned=D("30000"), actual=D("30000")),
            CostFact(month=date(2026, 10, 1), planned=D("30000"), actual=D("30000")),
        ),
        open_commitments=D("75000"),
    )
    evm = qcdr.project_evm(facts, AS_OF)
    assert evm.ac == D("60000")
    assert evm.eac == D("135000")
    assert evm.vac == D("-35000")
    as_dict = qcdr.qcdr_as_dict(qcdr.compute_qcdr(facts, qcdr.Declared(), AS_OF, qcdr.Thresholds()))
    assert as_dict["evm"]["eac"] == "135000.0000"
    assert as_dict["evm"]["commitments"] == "75000.0000"


def test_rollup_sums_commitments_before_flooring():
    """Project 1: BAC 100, EV 50, AC 50, commitments 80 → EAC 130. Project 2: BAC 100, EV 50, AC 50,
    commitments 0 → EAC 100. Roll-up: CPI 1, EAC 200 vs AC + Σcommitments = 100 + 80 = 180 → 200."""
    one = qcdr.evm_from_totals(bac=D("100"), pv=D("50"), ev=D("50"), ac=D("50"), commitments=D("80"))
    two = qcdr.evm_from_totals(bac=D("100"), pv=D("50"), ev=D("50"), ac=D("50"))
    assert one.eac == D("130")
    rolled = qcdr.rollup_evm([one, two])
    assert rolled.commitments == D("80")
    assert rolled.eac == D("200")
    three = qcdr.evm_from_totals(bac=D("100"), pv=D("50"), ev=D("50"), ac=D("50"), commitments=D("150"))
    assert qcdr.rollup_evm([three, two]).eac == D("250")  # 100 + 150 > 200


@pytest.mark.parametrize(
    ("amount", "invoiced", "status", "expected"),
    [
        (D("1000"), D("400"), "committed", D("600")),
        (D("1000"), D("400"), "received", D("600")),
        (D("1000"), D("1200"), "received", D("0")),  # over-invoiced: nothing left, never negative
        (D("1000"), D("0"), "draft", D("0")),  # not ordered yet
        (D("1000"), D("300"), "closed", D("0")),  # closed: the rest will not be invoiced
    ],
)
def test_open_commitment_of_an_order(amount, invoiced, status, expected):
    assert open_commitment(amount=amount, invoiced=invoiced, status=status) == expected


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
ordered = st.decimals(min_value="0.01", max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(bac=money, pv=money, ev=money, ac=money, commitments=ordered)
def test_eac_never_below_actual_plus_commitments(bac, pv, ev, ac, commitments):
    evm = qcdr.evm_from_totals(bac=bac, pv=pv, ev=ev, ac=ac, commitments=commitments)
    for eac in (evm.eac, evm.eac_cpi_spi):
        assert eac is None or eac >= ac + commitments
    if evm.eac is not None:
        assert evm.etc == evm.eac - ac and evm.vac == bac - evm.eac


@given(bac=money, pv=money, ev=money, ac=money)
def test_without_commitments_the_evm_forms_are_unchanged(bac, pv, ev, ac):
    assert qcdr.evm_from_totals(
        bac=bac, pv=pv, ev=ev, ac=ac, commitments=Decimal("0")
    ) == qcdr.evm_from_totals(bac=bac, pv=pv, ev=ev, ac=ac)
