"""The dashboard's data, as frozen dataclasses: what build_dashboard returns and the charts read."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from projects.charts import MonthCost, TrendSeries
from projects.models import Project
from projects.types import AXES, EVM, RAG, Thresholds

RAGS = (RAG.GREEN.value, RAG.AMBER.value, RAG.RED.value, RAG.UNKNOWN.value)
AXES_AND_OVERALL = (*AXES, "overall")
SEVERITY = {"green": 0, "amber": 1, "red": 2}
# Worst first: red, amber, unknown, green (unknown is not good news).
WORST_FIRST = {"red": 0, "amber": 1, "unknown": 2, "green": 3}
SHOWN_ORDER = ("red", "amber", "green", "unknown")
OPEN_STATES = (Project.State.PROPOSED, Project.State.ACTIVE, Project.State.ON_HOLD)
# The running portfolio: the dashboard's default. Proposed projects are requests not yet approved
# (the intake pipeline), shown apart and only in the matrix when the reader picks their state.
DELIVERY_STATES = (Project.State.ACTIVE, Project.State.ON_HOLD)
MTA_TOP = 8
EV_HISTORY_MONTHS = 6  # the S-curve's earned value: the last 6 month-ends, then today
URL_PLACEHOLDER = 987654321  # reversed once, then replaced by each project's id


# --- Output ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    """One line of the QCDR matrix, and one bubble of the bubble chart."""

    pk: int
    code: str
    name: str
    url: str
    portfolio_id: int
    programme_id: int | None
    programme_name: str
    manager_id: int | None
    manager_name: str
    stage: str
    state: str
    state_label: str
    budget: Decimal
    strategic_score: int | None
    declared: dict[str, str]  # axis (and "overall") → rag, from the latest submitted report
    indicated: dict[str, str]  # axis (and "overall") → rag, stored on that report at submission
    watermelon_axes: tuple[str, ...]  # axes declared better than indicated
    previous_overall: str | None  # indicated overall of the report before the latest one
    trend: str  # "better", "worse", "same" or "" (no comparable previous report)
    last_period: date | None  # week (Monday) of the latest submitted report
    last_submitted: date | None
    days_since_update: int | None
    stale: bool
    submitted_this_week: bool
    evm: EVM | None  # from the latest report's snapshot; None without one
    open_exceptions: int
    pending: dict[str, int]  # kind of pending_decision_sources → items awaiting a decision
    top_risk_score: int | None  # highest P×I of an open threat
    risk_exposure: int  # sum of the P×I of open threats
    open_threats: int

    @property
    def watermelon(self) -> bool:
        return bool(self.watermelon_axes)

    @cached_property
    def effective_overall(self) -> str:
        """The indicated overall RAG as counted: stale data is never green."""
        overall = self.indicated.get("overall", RAG.UNKNOWN.value)
        if self.stale and overall == RAG.GREEN.value:
            return RAG.UNKNOWN.value
        return overall

    @property
    def is_active(self) -> bool:
        return self.state == Project.State.ACTIVE

    @property
    def cells(self) -> tuple[tuple[str, str, str, bool], ...]:
        """(axis, declared, indicated, watermelon) for Q, C, D, R and overall: the matrix's cells. The
        overall cell is marked when the project is a watermelon and its declared overall is better."""
        overall_melon = self.watermelon and SEVERITY.get(self.declared["overall"], -1) < SEVERITY.get(
            self.indicated["overall"], -1
        )
        return tuple(
            (
                axis,
                self.declared[axis],
                self.indicated[axis],
                overall_melon if axis == "overall" else axis in self.watermelon_axes,
            )
            for axis in AXES_AND_OVERALL
        )


@dataclass(frozen=True)
class PendingItem:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class PendingDecisions:
    items: tuple[PendingItem, ...]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


@dataclass(frozen=True)
class Compliance:
    """Share of active projects whose report for the ISO week of `as_of` is submitted."""

    week: date
    active: int
    submitted: int
    missing: tuple[int, ...]  # pks of active projects without this week's submitted report

    @property
    def percent(self) -> Decimal | None:
        if not self.active:
            return None
        return (Decimal(self.submitted) * 100 / Decimal(self.active)).quantize(Decimal("1"))


@dataclass(frozen=True)
class Freshness:
    stale: int  # projects whose latest submitted update is older than the portfolio's limit (or none)
    never_updated: int
    oldest_update: date | None  # oldest latest-update among projects that have one


@dataclass(frozen=True)
class Kpis:
    project_count: int
    indicated: dict[str, int]  # effective overall indicated RAG → projects
    declared: dict[str, int]  # declared overall RAG → projects
    watermelons: int
    bac: Decimal  # sum of budgets
    eac: Decimal  # sum of the EACs (BAC where the EAC is not computable)
    eac_missing: int  # projects whose EAC is not computable (their BAC is counted)
    actual_to_date: Decimal  # actual cost of the months started by as_of
    evm: EVM  # qcdr.rollup_evm of the projects' snapshots: ΣEV/ΣAC, ΣEV/ΣPV
    open_exceptions: int
    pending: PendingDecisions
    compliance: Compliance
    freshness: Freshness
    cpi_rag: str  # CPI and SPI against the schedule thresholds (below 0.90 amber, 0.80 red)
    spi_rag: str

    @property
    def indicated_counts(self) -> tuple[tuple[str, int], ...]:
        """(rag, projects), worst first: red, amber, green, unknown."""
        return tuple((rag, self.indicated[rag]) for rag in SHOWN_ORDER)

    @property
    def declared_counts(self) -> tuple[tuple[str, int], ...]:
        return tuple((rag, self.declared[rag]) for rag in SHOWN_ORDER)

    @property
    def eac_variance_pct(self) -> Decimal | None:
        """EAC against BAC, in % of BAC (positive: overrun)."""
        if not self.bac:
            return None
        return ((self.eac - self.bac) / self.bac * 100).quantize(Decimal("0.1"))

    @property
    def spent_pct(self) -> Decimal | None:
        """Actual cost to date in % of BAC."""
        if not self.bac:
            return None
        return (self.actual_to_date / self.bac * 100).quantize(Decimal("1"))


@dataclass(frozen=True)
class SCurve:
    months: tuple[MonthCost, ...]  # every project's cost lines summed per month
    earned: tuple[tuple[date, Decimal], ...]  # summed earned value at each month's last report
    bac: Decimal
    eac: Decimal | None


@dataclass(frozen=True)
class SlippingMilestone:
    series: TrendSeries  # name is "CODE – milestone"
    project_id: int
    slip_days: int  # calendar days, forecast against baseline


@dataclass(frozen=True)
class ProposedProjects:
    """The proposed projects of a scope: left out of the dashboard's default figures, counted apart."""

    count: int
    budget: Decimal  # their budget (BAC): what they request, not the running portfolio's


@dataclass(frozen=True)
class DashboardData:
    as_of: date
    currency: str
    thresholds: Thresholds  # the first portfolio's (risk zones of the heat map)
    rows: tuple[ProjectRow, ...]  # worst indicated overall first
    kpis: Kpis
    s_curve: SCurve
    risk_heat: dict[tuple[int, int], int]  # (probability, impact) → open threats, every project
    milestones: tuple[SlippingMilestone, ...]  # top slipping key milestones, worst first
    stages: dict[str, dict[str, int]] = field(default_factory=dict)  # stage → effective RAG → count

    @property
    def unscored_projects(self) -> int:
        """Projects without a strategic score (the bubble chart draws them apart)."""
        return sum(1 for row in self.rows if row.strategic_score is None)
