"""Which tolerances a project is forecast to breach, and the options an exception report proposes.

Pure functions over the computed QCDR (projects.qcdr) and the project's facts: no Django, no clock,
money as Decimal. The tolerance scan (governance.services) turns their figures into exceptions and
words; the same figures end up frozen in the exception report.

Rules (one per tolerance the scan watches):
- cost: the forecast overrun, EAC against BAC in % of BAC, is beyond the cost tolerance %;
- time: the worst key-milestone slip, in French working days, is beyond the time tolerance;
- risk: the highest open threat scores at least the red score;
- benefits: the worst benefit shortfall (projects.benefits.shortfall: realised against target on
  or after the expected date, the measurements' trend carried to the expected date before it), in %
  of the way from baseline to target, is beyond the benefit tolerance % (stage, project, else the
  portfolio's strategy setting);
- quality: among the deliverables already decided (accepted or rejected) or past their due date,
  the share that is rejected or late (past due and not accepted), in %, is beyond the quality
  tolerance %; none decided or due gives no figure;
- scope: the deliverables added and removed since the current baseline (the latest numbered
  baseline of change control), plus the change requests with a scope impact waiting for a decision
  (submitted or assessed, each counted as one deliverable), in % of the deliverables of the
  baseline, is beyond the scope tolerance %; no baseline, or an empty one, gives no figure.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from projects import qcdr
from projects.types import QCDR, ProjectFacts, RiskFact, Thresholds

HUNDRED = Decimal("100")
CENT = Decimal("0.01")

COST, TIME, RISK = "cost", "time", "risk"
# The measure of each tolerance is expressed in one unit, stored on the exception.
BENEFITS, SCOPE, QUALITY = "benefits", "scope", "quality"
UNITS = {COST: "pct", TIME: "working_days", RISK: "score", BENEFITS: "pct", SCOPE: "pct", QUALITY: "pct"}
ACCEPTED, REJECTED = "accepted", "rejected"


@dataclass(frozen=True)
class Measure:
    """Where one tolerance stands: the forecast value against its limit, and whether it is breached."""

    tolerance: str
    value: Decimal
    limit: Decimal
    breached: bool
    params: dict = field(default_factory=dict)  # the figures behind it (EAC, milestone, risk...)

    @property
    def unit(self) -> str:
        return UNITS[self.tolerance]


def cost_measure(result: QCDR, thresholds: Thresholds) -> Measure | None:
    """EAC over BAC in % of BAC (exact, not the rounded figure of the reason); None if not computable."""
    evm = result.evm
    if evm.eac is None or evm.bac == 0:
        return None
    overrun = (evm.eac - evm.bac) / evm.bac * HUNDRED
    limit = Decimal(thresholds.cost_tolerance_pct)
    return Measure(
        tolerance=COST,
        value=overrun.quantize(CENT, ROUND_HALF_UP),
        limit=limit,
        breached=overrun > limit,
        params={"eac": evm.eac, "bac": evm.bac, "overrun_amount": evm.eac - evm.bac},
    )


def time_measure(result: QCDR, thresholds: Thresholds) -> Measure | None:
    """The worst key-milestone slip (the schedule axis' reason); None without a key milestone."""
    for reason in result.indicated.schedule.reasons:
        if reason.code == "key_milestone_slip":
            days = int(reason.params["days"])
            limit = int(reason.params["tolerance_days"])
            return Measure(
                tolerance=TIME,
                value=Decimal(days),
                limit=Decimal(limit),
                breached=days > limit,
                params={"milestone": reason.params["milestone"]},
            )
    return None


def risk_measure(result: QCDR, thresholds: Thresholds) -> Measure | None:
    """The highest open threat score (the risk axis' reason); None without an open threat."""
    for reason in result.indicated.risk.reasons:
        if reason.code == "top_risk":
            score = int(reason.params["score"])
            red = int(reason.params["red"])
            return Measure(
                tolerance=RISK,
                value=Decimal(score),
                limit=Decimal(red),
                breached=score >= red,
                params={"risk": reason.params["risk"]},
            )
    return None


def benefit_measure(worst, tolerance_pct: Decimal) -> Measure | None:
    """The worst benefit shortfall (a projects.benefits.Shortfall, None when no benefit is
    measurable) against the benefit tolerance %: breached strictly beyond it."""
    if worst is None:
        return None
    limit = Decimal(tolerance_pct)
    return Measure(
        tolerance=BENEFITS,
        value=worst.shortfall_pct.quantize(CENT, ROUND_HALF_UP),
        limit=limit,
        breached=worst.shortfall_pct > limit,
        params={
            "benefit": str(worst.key),
            "basis": worst.basis,
            "value": worst.value,
            "realisation_pct": worst.realisation_pct,
        },
    )


def quality_measure(facts: ProjectFacts, as_of: date, thresholds: Thresholds) -> Measure | None:
    """Rejected or late deliverables in % of those decided or past due (module rule); None when no
    deliverable is decided or due yet."""
    counted = [
        d
        for d in facts.deliverables
        if d.state in (ACCEPTED, REJECTED) or (d.due is not None and d.due < as_of)
    ]
    if not counted:
        return None
    rejected = [d.name for d in counted if d.state == REJECTED]
    late = [d.name for d in counted if d.state not in (ACCEPTED, REJECTED)]
    share = Decimal(len(rejected) + len(late)) / Decimal(len(counted)) * HUNDRED
    limit = Decimal(thresholds.quality_tolerance_pct)
    return Measure(
        tolerance=QUALITY,
        value=share.quantize(CENT, ROUND_HALF_UP),
        limit=limit,
        breached=share > limit,
        params={
            "counted": len(counted),
            "rejected": len(rejected),
            "late": len(late),
            "names": ", ".join(sorted(rejected + late)),
        },
    )


@dataclass(frozen=True)
class ScopeChange:
    """The project's scope against its current baseline, in deliverables."""

    baseline_number: int
    baselined: int  # deliverables of the baseline: recorded on or before its day (removed ones too)
    added: int  # recorded after the baseline's day
    removed: int  # of the baseline, deleted since
    pending: tuple[str, ...] = ()  # titles of the change requests with a scope impact awaiting a decision

    @property
    def changed(self) -> int:
        return self.added + self.removed + len(self.pending)


def scope_change(
    facts: ProjectFacts,
    *,
    baseline_number: int | None,
    baseline_day: date | None,
    removed: int = 0,
    pending: Iterable[str] = (),
) -> ScopeChange | None:
    """Count the deliverables against the baseline taken on `baseline_day` (None without a baseline).
    A deliverable without a recording day counts as baselined."""
    if baseline_number is None or baseline_day is None:
        return None
    added = sum(1 for d in facts.deliverables if d.created is not None and d.created > baseline_day)
    return ScopeChange(
        baseline_number=baseline_number,
        baselined=len(facts.deliverables) - added + removed,
        added=added,
        removed=removed,
        pending=tuple(pending),
    )


def scope_measure(change: ScopeChange | None, thresholds: Thresholds) -> Measure | None:
    """Scope changed since the baseline in % of its deliverables (module rule); None without a
    baseline or with an empty one."""
    if change is None or change.baselined <= 0:
        return None
    deviation = Decimal(change.changed) / Decimal(change.baselined) * HUNDRED
    limit = Decimal(thresholds.scope_tolerance_pct)
    return Measure(
        tolerance=SCOPE,
        value=deviation.quantize(CENT, ROUND_HALF_UP),
        limit=limit,
        breached=deviation > limit,
        params={
            "baseline": change.baseline_number,
            "baselined": change.baselined,
            "added": change.added,
            "removed": change.removed,
            "pending": len(change.pending),
            "pending_titles": ", ".join(change.pending),
        },
    )


def measures(
    result: QCDR,
    thresholds: Thresholds,
    *,
    facts: ProjectFacts | None = None,
    as_of: date | None = None,
    scope: ScopeChange | None = None,
) -> dict[str, Measure]:
    """Every watched tolerance that can be measured now, breached or not (benefits aside: they need
    the benefit register, see benefit_measure). Quality needs `facts` and `as_of`, scope `scope`."""
    found = {}
    for measure in (
        cost_measure(result, thresholds),
        time_measure(result, thresholds),
        risk_measure(result, thresholds),
        quality_measure(facts, as_of, thresholds) if facts is not None and as_of is not None else None,
        scope_measure(scope, thresholds),
    ):
        if measure is not None:
            found[measure.tolerance] = measure
    return found


def breaches(result: QCDR, thresholds: Thresholds, **kwargs) -> list[Measure]:
    """The tolerances forecast to be breached, in the order cost, time, risk, quality, scope."""
    return [m for m in measures(result, thresholds, **kwargs).values() if m.breached]


# --- Figures of the exception report ----------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneSlip:
    """A live milestone and its slip in working days against the baseline (actual, else forecast)."""

    name: str
    baseline: date | None
    forecast: date | None
    actual: date | None
    is_key: bool
    slip_days: int | None
    overdue: bool  # not achieved and its forecast (else baseline) is already past


def milestone_slips(facts: ProjectFacts, as_of: date) -> list[MilestoneSlip]:
    """Every milestone that is not cancelled, with its slip (qcdr.milestone_slip), baseline order."""
    rows = [
        MilestoneSlip(
            name=m.name,
            baseline=m.baseline,
            forecast=m.forecast,
            actual=m.actual,
            is_key=m.is_key,
            slip_days=qcdr.milestone_slip(m, as_of),
            overdue=m.actual is None and (m.forecast or m.baseline or date.max) < as_of,
        )
        for m in facts.milestones
        if not m.cancelled
    ]
    return sorted(rows, key=lambda row: (row.baseline or date.max, row.name))


def impacted_milestones(facts: ProjectFacts, as_of: date) -> list[MilestoneSlip]:
    """Milestones not achieved yet whose forecast is later than their baseline, worst slip first."""
    late = [
        row
        for row in milestone_slips(facts, as_of)
        if row.actual is None and row.slip_days is not None and row.slip_days > 0
    ]
    return sorted(late, key=lambda row: (-row.slip_days, row.name))


def daily_burn(facts: ProjectFacts, start: date | None, as_of: date) -> Decimal | None:
    """Actual cost per working day since the start (what one more working day costs); None if unknown."""
    if start is None or start >= as_of:
        return None
    days = qcdr.working_days_between(start, as_of)
    spent = qcdr.actual_cost(facts.costs, as_of)
    if days <= 0 or spent <= 0:
        return None
    return spent / Decimal(days)


# Usual PMO scales: a probability level as a likelihood, an impact level as a share of the budget.
PROBABILITY_SHARE = {
    1: Decimal("0.10"),
    2: Decimal("0.30"),
    3: Decimal("0.50"),
    4: Decimal("0.70"),
    5: Decimal("0.90"),
}
IMPACT_SHARE = {
    1: Decimal("0.01"),
    2: Decimal("0.03"),
    3: Decimal("0.05"),
    4: Decimal("0.10"),
    5: Decimal("0.20"),
}


def expected_risk_cost(risk: RiskFact, budget: Decimal) -> Decimal:
    """Expected monetary value of a threat: likelihood × impact (as a share of the budget) × budget."""
    return PROBABILITY_SHARE[risk.probability] * IMPACT_SHARE[risk.impact] * budget


@dataclass(frozen=True)
class Option:
    """One option of an exception report, with its impact: cost in money (None: to be estimated),
    schedule in working days (None: to be estimated). `code` names it; words come from the caller."""

    code: str
    cost_impact: Decimal | None
    schedule_impact_days: int | None
    params: dict = field(default_factory=dict)


def money(value: Decimal) -> Decimal:
    """Whole currency units, cut as pmo.core.formatting.format_money shows them (towards zero), so
    a figure and the texts that quote it agree."""
    return value.quantize(Decimal("1"), ROUND_DOWN)


def cost_options(measure: Measure, result: QCDR) -> tuple[list[Option], str]:
    """Accept the overrun, reduce the scope to fit the budget, or stop; and the one recommended.

    Cost impacts are against the budget (BAC): the overrun; what is already spent beyond the budget
    (nothing if the scope reduction can absorb the overrun); actual cost minus budget when stopping.
    """
    evm = result.evm
    overrun = money(measure.params["overrun_amount"])
    remaining = evm.eac - evm.ac  # ETC: the work still to pay for at the current efficiency
    share = (overrun / remaining * HUNDRED).quantize(Decimal("0.1")) if remaining > 0 else None
    # Dropping all the remaining work still leaves what was spent beyond the budget.
    absorbable = share is not None and share < HUNDRED
    already_over = max(Decimal("0"), money(evm.ac - evm.bac))
    options = [
        Option("accept_overrun", cost_impact=overrun, schedule_impact_days=0, params={"eac": money(evm.eac)}),
        Option(
            "reduce_scope_cost",
            cost_impact=Decimal("0") if absorbable else already_over,
            schedule_impact_days=0,
            params={"amount": overrun, "share": share, "absorbable": absorbable, "over": already_over},
        ),
        Option(
            "stop",
            cost_impact=money(evm.ac - evm.bac),
            schedule_impact_days=None,
            params={"ac": money(evm.ac), "left": money(evm.bac - evm.ac)},
        ),
    ]
    # Within twice the tolerance, and if the remaining work allows it, scope absorbs the overrun;
    # otherwise the budget must move.
    if absorbable and measure.value <= 2 * measure.limit:
        return options, "reduce_scope_cost"
    return options, "accept_overrun"


# Recovering a working day by adding people costs more than the day itself (onboarding, overlap).
CRASH_PREMIUM = Decimal("1.5")


def time_options(measure: Measure, burn: Decimal | None) -> tuple[list[Option], str]:
    """Accept the slip, reinforce the team to come back within tolerance, or reduce the scope.

    Schedule impacts are the resulting delay against the baseline; cost impacts the extra running
    cost at the project's daily burn (None when the burn is unknown), the recovered days at a premium."""
    slip = int(measure.value)
    limit = int(measure.limit)
    to_recover = slip - limit

    def cost(days: Decimal) -> Decimal | None:
        return money(burn * days) if burn is not None else None

    burn_shown = money(burn) if burn is not None else None
    options = [
        Option(
            "accept_slip",
            cost_impact=cost(Decimal(slip)),
            schedule_impact_days=slip,
            params={"burn": burn_shown},
        ),
        Option(
            "reinforce_team",
            cost_impact=cost(limit + CRASH_PREMIUM * to_recover),
            schedule_impact_days=limit,
            params={"days": to_recover, "burn": burn_shown},
        ),
        Option(
            "reduce_scope_time",
            cost_impact=cost(Decimal(limit)),
            schedule_impact_days=limit,
            params={"days": to_recover},
        ),
    ]
    recommended = "reinforce_team" if slip <= 2 * limit else "accept_slip"
    return options, recommended


def risk_options(measure: Measure, risk: RiskFact | None, budget: Decimal) -> tuple[list[Option], str]:
    """Accept the risk with a provision, carry out the mitigation plan, or avoid it by changing scope."""
    expected = money(expected_risk_cost(risk, budget)) if risk is not None else None
    options = [
        Option(
            "accept_risk", cost_impact=expected, schedule_impact_days=0, params={"score": int(measure.value)}
        ),
        Option(
            "mitigate_risk", cost_impact=None, schedule_impact_days=None, params={"limit": int(measure.limit)}
        ),
        Option("avoid_risk", cost_impact=Decimal("0"), schedule_impact_days=None, params={}),
    ]
    return options, "mitigate_risk"


def top_threat(facts: ProjectFacts) -> RiskFact | None:
    """The open threat (not an opportunity) with the highest score, None without one."""
    threats = [r for r in facts.risks if r.is_open and not r.is_opportunity]
    return max(threats, key=lambda r: r.score) if threats else None


def benefit_options(measure: Measure) -> tuple[list[Option], str]:
    """Recover the benefit with extra actions, re-plan it (new target or date), or accept the loss."""
    options = [
        Option("recover_benefit", cost_impact=None, schedule_impact_days=None, params={}),
        Option("replan_benefit", cost_impact=Decimal("0"), schedule_impact_days=None, params={}),
        Option(
            "accept_benefit_loss",
            cost_impact=Decimal("0"),
            schedule_impact_days=0,
            params={"shortfall": measure.value},
        ),
    ]
    return options, "recover_benefit"


def quality_options(measure: Measure) -> tuple[list[Option], str]:
    """Rework the failing deliverables, accept them with a concession, or strengthen quality assurance."""
    p = measure.params
    options = [
        Option(
            "rework_deliverables",
            cost_impact=None,
            schedule_impact_days=None,
            params={"count": p["rejected"] + p["late"], "names": p["names"]},
        ),
        Option("accept_concession", cost_impact=Decimal("0"), schedule_impact_days=0, params={}),
        Option("strengthen_assurance", cost_impact=None, schedule_impact_days=None, params={}),
    ]
    return options, "rework_deliverables"


def scope_options(measure: Measure) -> tuple[list[Option], str]:
    """Re-baseline the changed scope through change control, come back to the baseline, or split
    the extra scope into a later phase."""
    p = measure.params
    options = [
        Option(
            "rebaseline_scope",
            cost_impact=None,
            schedule_impact_days=None,
            params={"added": p["added"], "removed": p["removed"], "pending": p["pending"]},
        ),
        Option("return_to_baseline", cost_impact=Decimal("0"), schedule_impact_days=0, params={}),
        Option("defer_scope", cost_impact=Decimal("0"), schedule_impact_days=0, params={}),
    ]
    return options, "rebaseline_scope"
