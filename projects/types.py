"""Frozen inputs and outputs of the QCDR computations (projects/qcdr.py); no Django here."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class RAG(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    UNKNOWN = "unknown"


AXES = ("quality", "cost", "schedule", "risk")


class EVMethod(StrEnum):
    PERCENT_COMPLETE = "percent_complete"
    MILESTONES = "milestones"


@dataclass(frozen=True)
class Thresholds:
    """Tolerances: beyond the tolerance is amber, beyond twice the tolerance is red."""

    cost_tolerance_pct: Decimal = Decimal("10")
    time_tolerance_days: int = 10
    risk_red_score: int = 15
    risk_amber_score: int = 8
    scope_tolerance_pct: Decimal = Decimal("10")
    quality_tolerance_pct: Decimal = Decimal("10")
    # None: the portfolio's benefit tolerance (its strategy settings, read with the benefits).
    benefit_tolerance_pct: Decimal | None = None
    spi_amber_below: Decimal = Decimal("0.90")
    spi_red_below: Decimal = Decimal("0.80")
    stale_after_days: int = 14


@dataclass(frozen=True)
class MilestoneFact:
    name: str
    baseline: date | None
    forecast: date | None
    actual: date | None
    is_key: bool = False
    weight: Decimal = Decimal("0")
    cancelled: bool = False


@dataclass(frozen=True)
class CostFact:
    month: date  # first day of the month
    planned: Decimal = Decimal("0")
    actual: Decimal = Decimal("0")
    forecast: Decimal = Decimal("0")


@dataclass(frozen=True)
class RiskFact:
    title: str
    probability: int
    impact: int
    is_open: bool = True
    is_opportunity: bool = False

    @property
    def score(self) -> int:
        return self.probability * self.impact


@dataclass(frozen=True)
class DeliverableFact:
    name: str
    due: date | None
    state: str  # planned / in_review / accepted / rejected
    created: date | None = None  # the day it was recorded (scope against the baseline)


@dataclass(frozen=True)
class ProjectFacts:
    """Everything the computations read about one project at one date."""

    budget: Decimal
    percent_complete: Decimal | None = None
    ev_method: EVMethod = EVMethod.PERCENT_COMPLETE
    milestones: tuple[MilestoneFact, ...] = ()
    costs: tuple[CostFact, ...] = ()
    risks: tuple[RiskFact, ...] = ()
    deliverables: tuple[DeliverableFact, ...] = ()
    last_submitted: date | None = None
    has_risk_register: bool = False
    # Ordered but not yet invoiced: committed and received purchase orders minus their invoices.
    open_commitments: Decimal = Decimal("0")


@dataclass(frozen=True)
class EVM:
    """Earned-value figures; None where a divisor is zero or a measure is missing (not computable)."""

    bac: Decimal
    pv: Decimal
    ev: Decimal | None
    ac: Decimal
    cpi: Decimal | None = None
    spi: Decimal | None = None
    cv: Decimal | None = None
    sv: Decimal | None = None
    eac: Decimal | None = None
    eac_cpi_spi: Decimal | None = None
    etc: Decimal | None = None
    vac: Decimal | None = None
    tcpi: Decimal | None = None
    commitments: Decimal = Decimal("0")  # open commitments: EAC never goes below AC + commitments


@dataclass(frozen=True)
class Reason:
    """Why an axis has its colour: a code and its figures, turned into words by the UI layer."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AxisResult:
    rag: RAG
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Indicated:
    quality: AxisResult
    cost: AxisResult
    schedule: AxisResult
    risk: AxisResult
    overall: RAG

    def axis(self, name: str) -> AxisResult:
        return getattr(self, name)


@dataclass(frozen=True)
class Declared:
    quality: RAG = RAG.UNKNOWN
    cost: RAG = RAG.UNKNOWN
    schedule: RAG = RAG.UNKNOWN
    risk: RAG = RAG.UNKNOWN
    overall: RAG = RAG.UNKNOWN


@dataclass(frozen=True)
class QCDR:
    declared: Declared
    indicated: Indicated
    evm: EVM
    stale: bool
    watermelon: bool
    watermelon_axes: tuple[str, ...] = ()
