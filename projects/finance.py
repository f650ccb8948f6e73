"""Investment figures of a project or programme: ROI, NPV and payback, from yearly cash flows.

Pure functions on Decimal. A cash-flow series is a sequence of (year index, amount) — year 0 the
first year of the project, costs negative, benefits positive; several amounts of one year add up.
"""

from collections.abc import Iterable
from decimal import Decimal

CENT = Decimal("0.01")


def by_year(flows: Iterable[tuple[int, Decimal]]) -> list[Decimal]:
    """The net amount of every year from 0 to the last one (years without flows are 0)."""
    totals: dict[int, Decimal] = {}
    for year, amount in flows:
        if year < 0:
            raise ValueError("cash-flow years start at 0")
        totals[year] = totals.get(year, Decimal(0)) + Decimal(amount)
    return [totals.get(year, Decimal(0)) for year in range(max(totals, default=-1) + 1)]


def npv(rate: Decimal, flows: Iterable[tuple[int, Decimal]]) -> Decimal:
    """Net present value at the yearly discount `rate` (0.08 for 8 %): Σ CF_t / (1 + rate)^t,
    year 0 undiscounted; to the cent."""
    if rate <= -1:
        raise ValueError("the discount rate must be above -100 %")
    factor = Decimal(1) + Decimal(rate)
    total = sum((amount / factor**year for year, amount in enumerate(by_year(flows))), Decimal(0))
    return total.quantize(CENT)


def roi(costs: Decimal, benefits: Decimal) -> Decimal | None:
    """Return on investment, (benefits − costs) / costs, as a ratio (0.25 = 25 %); None without costs."""
    costs, benefits = Decimal(costs), Decimal(benefits)
    if costs <= 0:
        return None
    return ((benefits - costs) / costs).quantize(Decimal("0.0001"))


def payback_years(flows: Iterable[tuple[int, Decimal]]) -> Decimal | None:
    """Undiscounted payback period in years: the investment at year 0, the later flows at the end of
    their year, and the year the cumulative flow turns non-negative interpolated linearly
    (−100 then +40 a year: 2.5 years). 0 when the cumulative flow is never negative, None when it
    never turns back."""
    cumulative = Decimal(0)
    owed = False
    for year, amount in enumerate(by_year(flows)):
        before, cumulative = cumulative, cumulative + amount
        if cumulative < 0:
            owed = True
        elif owed:
            return (Decimal(year - 1) + (-before / amount)).quantize(CENT)
    return None if owed else Decimal(0)
