"""Reads of a project's numbered baselines, side by side: baseline N, baseline N-1 and the current
forecast, for milestones and the monthly cost plan, in a constant number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from projects.models import CostBaseline, CostBaselineLine, CostLine, Milestone, MilestoneBaseline, Project

ZERO = Decimal("0")


@dataclass(frozen=True)
class MilestoneComparison:
    """One milestone: its date in baseline N-1 and N, its current forecast (or actual) and the moves."""

    name: str
    is_key: bool
    previous: date | None
    current: date | None
    forecast: date | None
    achieved: bool

    @property
    def moved_days(self) -> int | None:
        """Calendar days the baseline moved between N-1 and N."""
        if self.previous is None or self.current is None:
            return None
        return (self.current - self.previous).days

    @property
    def forecast_days(self) -> int | None:
        """Calendar days between baseline N and today's forecast (positive: late)."""
        if self.current is None or self.forecast is None:
            return None
        return (self.forecast - self.current).days


@dataclass(frozen=True)
class CostComparison:
    month: date
    previous: Decimal
    current: Decimal
    forecast: Decimal

    @property
    def delta(self) -> Decimal:
        return self.current - self.previous


@dataclass(frozen=True)
class BaselineComparison:
    """Baseline `current` (N) against `previous` (N-1, None for the first) and the live forecast."""

    baselines: tuple[CostBaseline, ...]  # newest first
    current: CostBaseline | None
    previous: CostBaseline | None
    milestones: tuple[MilestoneComparison, ...]
    costs: tuple[CostComparison, ...]
    total_previous: Decimal
    total_current: Decimal
    total_forecast: Decimal


def baseline_comparison(*, project: Project, number: int | None = None) -> BaselineComparison:
    """Baseline `number` (default: the latest) beside the one before it and today's forecast, in 5
    queries whatever the number of baselines, milestones and months. Cancelled milestones are left
    out of the forecast column; milestones frozen in neither baseline are shown with the forecast only."""
    baselines = tuple(project.cost_baselines.select_related("created_by").order_by("-number"))
    current = next((b for b in baselines if number is None or b.number == number), None)
    previous = None
    if current is not None:
        previous = next((b for b in baselines if b.number < current.number), None)
    compared = [b.pk for b in (current, previous) if b is not None]
    frozen: dict[int, dict] = defaultdict(dict)
    names: dict = {}
    for entry in MilestoneBaseline.objects.filter(baseline_id__in=compared).order_by("pk"):
        key = entry.milestone_id or f"name:{entry.name}"
        frozen[entry.baseline_id][key] = entry.baseline_date
        names.setdefault(key, (entry.name, entry.is_key))
    live = {
        m.pk: m for m in Milestone.objects.filter(project=project).exclude(status=Milestone.Status.CANCELLED)
    }
    keys = list(dict.fromkeys([*live, *names]))
    rows = []
    for key in keys:
        milestone = live.get(key) if isinstance(key, int) else None
        name, is_key = (milestone.name, milestone.is_key) if milestone else names[key]
        rows.append(
            MilestoneComparison(
                name=name,
                is_key=is_key,
                previous=frozen[previous.pk].get(key) if previous else None,
                current=frozen[current.pk].get(key)
                if current
                else (milestone.baseline_date if milestone else None),
                forecast=(milestone.actual_date or milestone.forecast_date) if milestone else None,
                achieved=bool(milestone and milestone.actual_date),
            )
        )
    rows.sort(key=lambda r: (r.current or r.forecast or date.max, r.name))
    planned: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for line in CostBaselineLine.objects.filter(baseline_id__in=compared):
        planned[line.baseline_id][line.month] += line.planned
    forecast: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for line in CostLine.objects.filter(project=project).only("month", "forecast", "actual"):
        forecast[line.month] += line.forecast or line.actual
    months = sorted(
        {*forecast, *(planned[current.pk] if current else {}), *(planned[previous.pk] if previous else {})}
    )
    costs = tuple(
        CostComparison(
            month=month,
            previous=planned[previous.pk][month] if previous else ZERO,
            current=planned[current.pk][month] if current else ZERO,
            forecast=forecast[month],
        )
        for month in months
    )
    return BaselineComparison(
        baselines=baselines,
        current=current,
        previous=previous,
        milestones=tuple(rows),
        costs=costs,
        total_previous=sum((c.previous for c in costs), ZERO),
        total_current=sum((c.current for c in costs), ZERO),
        total_forecast=sum((c.forecast for c in costs), ZERO),
    )
