"""The parsed schedule, independent of its source format, and the helpers both parsers share."""

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

# Checked before any parsing: a schedule larger than this is refused without being read.
MAX_BYTES = 20 * 1024 * 1024
CENT = Decimal("0.01")
MIN_YEAR, MAX_YEAR = 1950, 2100


class ScheduleImportError(ValueError):
    """The file cannot be imported; `message` is a French sentence naming what is wrong."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ScheduleTask:
    """One task (activity) of the schedule, with the dates a milestone needs and its own costs."""

    uid: str
    name: str
    wbs_path: tuple[str, ...]  # names of the enclosing summary tasks / WBS nodes, outermost first
    is_summary: bool
    is_milestone: bool  # flagged as a milestone, or of zero duration
    baseline: date | None  # baseline 0 (MS Project) / target date (P6)
    forecast: date | None  # current schedule date (actual when achieved)
    actual: date | None
    percent_complete: int | None
    start: date | None = None
    finish: date | None = None


@dataclass
class MonthCosts:
    """Money per month (first day of the month): planned (baseline), actual, forecast at completion."""

    planned: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    actual: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    forecast: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def months(self) -> list[date]:
        return sorted(set(self.planned) | set(self.actual) | set(self.forecast))

    def total(self, kind: str) -> Decimal:
        return sum(getattr(self, kind).values(), Decimal("0"))


@dataclass
class ScheduleData:
    """Everything read from one schedule file."""

    format: str  # "mspdi" or "xer"
    name: str
    start: date | None
    finish: date | None
    currency: str
    tasks: list[ScheduleTask]
    costs: MonthCosts
    warnings: list[str] = field(default_factory=list)

    @property
    def milestones(self) -> list[ScheduleTask]:
        return [t for t in self.tasks if t.is_milestone and not t.is_summary]

    @property
    def cost_loaded(self) -> bool:
        return any(self.costs.total(kind) for kind in ("planned", "actual", "forecast"))


def check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise ScheduleImportError(
            f"Le fichier dépasse la taille maximale de {MAX_BYTES // (1024 * 1024)} Mo."
        )
    if not data.strip():
        raise ScheduleImportError("Le fichier est vide.")


def parse_decimal(value: str | None) -> Decimal:
    if not value:
        return Decimal("0")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return Decimal("0")
    return number if number.is_finite() else Decimal("0")


_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?\s*$")


@lru_cache(maxsize=65536)
def parse_datetime(value: str | None) -> date | None:
    """A date from '2003-01-07T08:00:00' (MSPDI) or '2018-07-19 16:00' (XER); None if empty or invalid.

    A regular expression rather than strptime: a large XER has ~100,000 dates and strptime took 3 s."""
    if not value:
        return None
    match = _DATE.match(value)
    if match is None:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    # Real exports carry corrupt years (4637-11-24 in a P6 file): outside this range, unreadable.
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def month_of(day: date) -> date:
    return day.replace(day=1)


def spread_by_month(amount: Decimal, start: date | None, finish: date | None) -> dict[date, Decimal]:
    """Split `amount` over the calendar days from `start` to `finish` (linear), month by month, in cents,
    the rounding remainder going to the last month so that the parts add up exactly to the amount."""
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if not amount:
        return {}
    if start is None and finish is None:
        return {}
    start = start or finish
    finish = finish or start
    if finish < start:
        start, finish = finish, start
    total_days = (finish - start).days + 1
    parts: dict[date, Decimal] = {}
    cursor = start
    allotted = Decimal("0")
    while cursor <= finish:
        last_day = date(cursor.year, cursor.month, calendar.monthrange(cursor.year, cursor.month)[1])
        end = min(last_day, finish)
        days = (end - cursor).days + 1
        share = (amount * days / total_days).quantize(CENT, rounding=ROUND_HALF_UP)
        parts[month_of(cursor)] = share
        allotted += share
        cursor = date.fromordinal(end.toordinal() + 1)
    parts[month_of(finish)] += amount - allotted
    return parts


def add_spread(target: dict[date, Decimal], amount: Decimal, start: date | None, finish: date | None) -> None:
    for month, value in spread_by_month(amount, start, finish).items():
        target[month] += value
