"""Benefits realisation and the project's investment cash flows, as pure functions (no Django, no
clock, Decimal money).

Planned trajectory: a benefit moves in a straight line from its baseline, on the day tracking starts
(the project start, else the first measurement), to its target on the expected date; before that it
is at the baseline, after it at the target. Realisation is how far the measure went from the
baseline towards the target, in % (a benefit may aim down: fewer incidents).

Shortfall — the rule of the benefits tolerance (governance.tolerances.benefit_measure):
- on or after the expected date, the latest measurement (realised) against the target;
- before it, the trend of the measurements — the least-squares line through them, at least two
  dates — carried to the expected date (forecast) against the target;
- shortfall % = 100 − realisation %, never below 0; no measurement (or one, before the expected
  date) gives no figure rather than a guess.

Cash flows (ROI, NPV, payback, projects.finance): costs are the cost plan by calendar year — the
actual spend of the months before the current month, the forecast of the current and later months;
a financial benefit brings its yearly value for `years` years from its expected month, spread
evenly by month (so a benefit expected in July brings half a year's value its first year). Year 0
is the first calendar year with a cost or a benefit.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BenefitFact:
    key: object
    baseline: Decimal
    target: Decimal
    expected: date
    start: date | None
    measurements: tuple[tuple[date, Decimal], ...]  # by date


def tracking_start(fact: BenefitFact) -> date | None:
    if fact.start is not None:
        return fact.start
    return fact.measurements[0][0] if fact.measurements else None


def planned_at(fact: BenefitFact, day: date) -> Decimal:
    """Where the benefit should stand on `day` on the straight line baseline → target."""
    start = tracking_start(fact)
    if day >= fact.expected:
        return fact.target
    if start is None or day <= start or start >= fact.expected:
        return fact.baseline
    share = Decimal((day - start).days) / Decimal((fact.expected - start).days)
    return (fact.baseline + (fact.target - fact.baseline) * share).quantize(CENT, ROUND_HALF_UP)


def realisation_pct(fact: BenefitFact, value: Decimal) -> Decimal | None:
    """How far `value` went from the baseline towards the target, in % (None when they are equal)."""
    span = fact.target - fact.baseline
    if span == 0:
        return None
    return ((Decimal(value) - fact.baseline) / span * HUNDRED).quantize(TENTH, ROUND_HALF_UP)


def trend_at(measurements: Sequence[tuple[date, Decimal]], day: date) -> Decimal | None:
    """The least-squares line through the measurements, evaluated on `day` (None with fewer than
    two distinct dates)."""
    if len({d for d, _ in measurements}) < 2:
        return None
    origin = measurements[0][0]
    xs = [Decimal((d - origin).days) for d, _ in measurements]
    ys = [Decimal(v) for _, v in measurements]
    n = Decimal(len(xs))
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    at = Decimal((day - origin).days)
    return (mean_y + slope * (at - mean_x)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Shortfall:
    key: object
    basis: str  # "realised" (on/after the expected date) or "forecast" (trend before it)
    value: Decimal  # the measure, realised or forecast at the expected date
    realisation_pct: Decimal
    shortfall_pct: Decimal


def shortfall(fact: BenefitFact, as_of: date) -> Shortfall | None:
    """The benefit's shortfall against its target (see the module's rule); None when not measurable."""
    known = [(d, v) for d, v in fact.measurements if d <= as_of]
    if not known or fact.target == fact.baseline:
        return None
    if as_of >= fact.expected:
        basis, value = "realised", known[-1][1]
    else:
        basis, value = "forecast", trend_at(known, fact.expected)
        if value is None:
            return None
    realised = realisation_pct(fact, value)
    return Shortfall(fact.key, basis, value, realised, max(HUNDRED - realised, Decimal(0)))


def worst_shortfall(facts: Iterable[BenefitFact], as_of: date) -> Shortfall | None:
    """The largest shortfall among the benefits (None when none is measurable)."""
    found = [s for s in (shortfall(f, as_of) for f in facts) if s is not None]
    return max(found, key=lambda s: s.shortfall_pct, default=None)


# --- Cash flows -------------------------------------------------------------------------------------


def cost_by_year(lines: Iterable[tuple[date, Decimal, Decimal]], as_of: date) -> dict[int, Decimal]:
    """(month, actual, forecast) lines → cost per calendar year: actual before the current month,
    forecast from it on."""
    current = as_of.replace(day=1)
    years: dict[int, Decimal] = {}
    for month, actual, forecast in lines:
        amount = Decimal(actual) if month < current else Decimal(forecast)
        years[month.year] = years.get(month.year, Decimal(0)) + amount
    return years


def benefit_by_year(benefits: Iterable[tuple[date, Decimal, int]]) -> dict[int, Decimal]:
    """(expected date, yearly value, years) of financial benefits → value per calendar year, the
    yearly value spread by month from the expected month on."""
    years: dict[int, Decimal] = {}
    for expected, yearly, count in benefits:
        if not yearly or count <= 0:
            continue
        monthly = Decimal(yearly) / 12
        for offset in range(count * 12):
            index = expected.month - 1 + offset
            year = expected.year + index // 12
            years[year] = years.get(year, Decimal(0)) + monthly
    return {year: amount.quantize(CENT, ROUND_HALF_UP) for year, amount in years.items()}


@dataclass(frozen=True)
class CashFlows:
    first_year: int | None
    costs: dict[int, Decimal]  # by calendar year
    benefits: dict[int, Decimal]

    @property
    def years(self) -> list[int]:
        if self.first_year is None:
            return []
        last = max([*self.costs, *self.benefits])
        return list(range(self.first_year, last + 1))

    def flows(self) -> list[tuple[int, Decimal]]:
        """(year index, net amount): costs negative, benefits positive (projects.finance's input)."""
        return [
            (year - self.first_year, self.benefits.get(year, Decimal(0)) - self.costs.get(year, Decimal(0)))
            for year in self.years
        ]

    @property
    def total_costs(self) -> Decimal:
        return sum(self.costs.values(), Decimal(0))

    @property
    def total_benefits(self) -> Decimal:
        return sum(self.benefits.values(), Decimal(0))


def cash_flows(
    cost_lines: Iterable[tuple[date, Decimal, Decimal]],
    benefits: Iterable[tuple[date, Decimal, int]],
    as_of: date,
) -> CashFlows:
    costs = {y: a for y, a in cost_by_year(cost_lines, as_of).items() if a}
    gains = {y: a for y, a in benefit_by_year(benefits).items() if a}
    first = min([*costs, *gains], default=None)
    return CashFlows(first, costs, gains)
