"""QCDR, earned value and RAG: pure functions over frozen facts; `as_of` and thresholds are passed in.

No Django, no clock, money as Decimal. Not computable is None, never an exception. Colours follow one
rule everywhere: within tolerance green, beyond it amber, beyond twice the tolerance red; a missing
or stale measure is unknown, never green.
"""

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from functools import cache

from projects.types import (
    AXES,
    EVM,
    QCDR,
    RAG,
    AxisResult,
    CostFact,
    Declared,
    EVMethod,
    Indicated,
    MilestoneFact,
    ProjectFacts,
    Reason,
    Thresholds,
)

SEVERITY = {RAG.GREEN: 0, RAG.AMBER: 1, RAG.RED: 2}
HUNDRED = Decimal("100")


def divide(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    try:
        return numerator / denominator
    except (DivisionByZero, InvalidOperation):
        return None


def worst(rags: Iterable[RAG]) -> RAG:
    """Red beats amber beats unknown beats green: missing data can never make a project look green."""
    rags = list(rags)
    if RAG.RED in rags:
        return RAG.RED
    if RAG.AMBER in rags:
        return RAG.AMBER
    if not rags or RAG.UNKNOWN in rags:
        return RAG.UNKNOWN
    return RAG.GREEN


def by_tolerance(deviation: Decimal | int, tolerance: Decimal | int) -> RAG:
    """Green within the tolerance, amber beyond it, red beyond twice the tolerance."""
    if deviation <= tolerance:
        return RAG.GREEN
    if deviation <= 2 * tolerance:
        return RAG.AMBER
    return RAG.RED


# --- Calendar ---------------------------------------------------------------------------------


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@cache
def french_public_holidays(year: int) -> frozenset[date]:
    """The eleven public holidays of metropolitan France."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 5, 8),
            easter + timedelta(days=39),
            easter + timedelta(days=50),
            date(year, 7, 14),
            date(year, 8, 15),
            date(year, 11, 1),
            date(year, 11, 11),
            date(year, 12, 25),
        }
    )


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) to `day` included."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(start: date, end: date) -> int:
    """Signed count of French working days from `start` to `end` (end after start is positive).

    Counts the days after `start` up to `end` included, in constant time: weekdays by arithmetic,
    minus the public holidays that fall on a weekday in between.
    """
    if start == end:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign == 1 else (end, start)
    holidays = sum(
        1
        for year in range(low.year, high.year + 1)
        for holiday in french_public_holidays(year)
        if low < holiday <= high and holiday.weekday() < 5
    )
    return sign * (_weekdays_through(high) - _weekdays_through(low) - holidays)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in french_public_holidays(day.year)


def first_working_day_of_month(day: date) -> date:
    first = day.replace(day=1)
    while not is_working_day(first):
        first += timedelta(days=1)
    return first


# --- Earned value -----------------------------------------------------------------------------


def planned_value(costs: Iterable[CostFact], as_of: date) -> Decimal:
    """Baseline cost planned up to `as_of`: whole past months, the current month pro rata of days."""
    total = Decimal("0")
    for line in costs:
        month_end = date(
            line.month.year, line.month.month, calendar.monthrange(line.month.year, line.month.month)[1]
        )
        if month_end <= as_of:
            total += line.planned
        elif line.month <= as_of:
            days = calendar.monthrange(line.month.year, line.month.month)[1]
            total += line.planned * Decimal(as_of.day) / Decimal(days)
    return total


def actual_cost(costs: Iterable[CostFact], as_of: date) -> Decimal:
    """Actual cost recorded for months that have started by `as_of`."""
    return sum((line.actual for line in costs if line.month <= as_of), Decimal("0"))


def earned_value(facts: ProjectFacts, as_of: date) -> Decimal | None:
    """EV by percent complete × BAC, or by the weights of milestones achieved by `as_of`."""
    if facts.ev_method == EVMethod.MILESTONES:
        live = [m for m in facts.milestones if not m.cancelled]
        total_weight = sum((m.weight for m in live), Decimal("0"))
        if total_weight == 0:
            return None
        achieved = sum((m.weight for m in live if m.actual is not None and m.actual <= as_of), Decimal("0"))
        return facts.budget * achieved / total_weight
    if facts.percent_complete is None:
        return None
    return facts.budget * facts.percent_complete / HUNDRED


def eac_floor(eac: Decimal | None, *, ac: Decimal, open_commitments: Decimal) -> Decimal | None:
    """An estimate at completion is never below what is spent plus what is ordered and not yet
    invoiced: max(EAC, AC + open commitments). Not computable stays not computable (None); without
    open commitments the EVM forms are left exactly as they are."""
    if eac is None or open_commitments <= 0:
        return eac
    return max(eac, ac + open_commitments)


def evm_from_totals(
    *, bac: Decimal, pv: Decimal, ev: Decimal | None, ac: Decimal, commitments: Decimal = Decimal("0")
) -> EVM:
    """Every EVM index from the four totals; each index is None when not computable. Both EAC forms
    are floored at AC + open `commitments` (eac_floor), and ETC / VAC follow the floored EAC."""
    cpi = divide(ev, ac)
    spi = divide(ev, pv)
    eac = eac_floor(divide(bac, cpi), ac=ac, open_commitments=commitments)
    cpi_spi = cpi * spi if cpi is not None and spi is not None else None
    remaining = bac - ev if ev is not None else None
    to_complete = divide(remaining, cpi_spi)
    eac_cpi_spi = eac_floor(
        ac + to_complete if to_complete is not None else None, ac=ac, open_commitments=commitments
    )
    return EVM(
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        cpi=cpi,
        spi=spi,
        cv=ev - ac if ev is not None else None,
        sv=ev - pv if ev is not None else None,
        eac=eac,
        eac_cpi_spi=eac_cpi_spi,
        etc=eac - ac if eac is not None else None,
        vac=bac - eac if eac is not None else None,
        # Once AC passes BAC the budget-based TCPI is meaningless (negative): not computable.
        tcpi=divide(remaining, bac - ac) if bac > ac else None,
        commitments=commitments,
    )


def project_evm(facts: ProjectFacts, as_of: date) -> EVM:
    """Earned value of one project at `as_of`."""
    return evm_from_totals(
        bac=facts.budget,
        pv=planned_value(facts.costs, as_of),
        ev=earned_value(facts, as_of),
        ac=actual_cost(facts.costs, as_of),
        commitments=facts.open_commitments,
    )


def rollup_evm(evms: Iterable[EVM]) -> EVM:
    """Programme or portfolio EVM: sums PV, EV, AC and BAC first, then divides (never a mean of CPIs).

    Projects whose EV is not computable are left out of EV and of the matching PV, AC and BAC, so the
    indices compare like with like.
    """
    bac = pv = ev = ac = commitments = Decimal("0")
    any_ev = False
    for item in evms:
        if item.ev is None:
            continue
        any_ev = True
        bac += item.bac
        pv += item.pv
        ev += item.ev
        ac += item.ac
        commitments += item.commitments
    return evm_from_totals(bac=bac, pv=pv, ev=ev if any_ev else None, ac=ac, commitments=commitments)


# --- Indicated RAG per axis --------------------------------------------------------------------


def cost_axis(evm: EVM, thresholds: Thresholds) -> AxisResult:
    """Cost from the forecast overrun: EAC against BAC, in % of BAC, against the cost tolerance."""
    if evm.eac is None or evm.bac == 0:
        return AxisResult(RAG.UNKNOWN, (Reason("cost_not_computable"),))
    overrun_pct = (evm.eac - evm.bac) / evm.bac * HUNDRED
    rag = by_tolerance(overrun_pct, thresholds.cost_tolerance_pct)
    return AxisResult(
        rag,
        (
            Reason(
                "cost_eac_vs_bac",
                {
                    "eac": evm.eac,
                    "bac": evm.bac,
                    "overrun_pct": overrun_pct.quantize(Decimal("0.1")),
                    "tolerance_pct": thresholds.cost_tolerance_pct,
                },
            ),
        ),
    )


def milestone_slip(milestone: MilestoneFact, as_of: date) -> int | None:
    """Working days late against baseline: actual if achieved, else forecast (a past forecast counts
    as today, since the milestone is evidently not achieved yet)."""
    if milestone.baseline is None:
        return None
    if milestone.actual is not None:
        return working_days_between(milestone.baseline, milestone.actual)
    expected = milestone.forecast or milestone.baseline
    return working_days_between(milestone.baseline, max(expected, as_of))


def schedule_axis(facts: ProjectFacts, evm: EVM, thresholds: Thresholds, as_of: date) -> AxisResult:
    """Schedule from the worst key-milestone slip against the time tolerance, and from SPI."""
    reasons: list[Reason] = []
    rags: list[RAG] = []
    key = [m for m in facts.milestones if m.is_key and not m.cancelled and m.baseline is not None]
    slips = [(milestone_slip(m, as_of), m) for m in key]
    slips = [(slip, m) for slip, m in slips if slip is not None]
    if slips:
        slip, milestone = max(slips, key=lambda pair: pair[0])
        rags.append(by_tolerance(slip, thresholds.time_tolerance_days))
        reasons.append(
            Reason(
                "key_milestone_slip",
                {"milestone": milestone.name, "days": slip, "tolerance_days": thresholds.time_tolerance_days},
            )
        )
    if evm.spi is not None:
        if evm.spi < thresholds.spi_red_below:
            rags.append(RAG.RED)
        elif evm.spi < thresholds.spi_amber_below:
            rags.append(RAG.AMBER)
        else:
            rags.append(RAG.GREEN)
        reasons.append(Reason("spi", {"spi": evm.spi.quantize(Decimal("0.01"))}))
    if not rags:
        return AxisResult(RAG.UNKNOWN, (Reason("schedule_no_data"),))
    return AxisResult(worst_known(rags), tuple(reasons))


def worst_known(rags: Iterable[RAG]) -> RAG:
    known = [r for r in rags if r != RAG.UNKNOWN]
    return max(known, key=SEVERITY.__getitem__) if known else RAG.UNKNOWN


def risk_axis(facts: ProjectFacts, thresholds: Thresholds) -> AxisResult:
    """Risk from the highest open threat score (P×I) and the total exposure of open threats."""
    if not facts.has_risk_register and not facts.risks:
        return AxisResult(RAG.UNKNOWN, (Reason("risk_register_empty"),))
    threats = [r for r in facts.risks if r.is_open and not r.is_opportunity]
    if not threats:
        return AxisResult(RAG.GREEN, (Reason("no_open_threat"),))
    top = max(threats, key=lambda r: r.score)
    exposure = sum(r.score for r in threats)
    if top.score >= thresholds.risk_red_score:
        rag = RAG.RED
    elif top.score >= thresholds.risk_amber_score:
        rag = RAG.AMBER
    else:
        rag = RAG.GREEN
    return AxisResult(
        rag,
        (
            Reason(
                "top_risk",
                {
                    "risk": top.title,
                    "score": top.score,
                    "red": thresholds.risk_red_score,
                    "amber": thresholds.risk_amber_score,
                },
            ),
            Reason("risk_exposure", {"exposure": exposure, "open": len(threats)}),
        ),
    )


def quality_axis(facts: ProjectFacts, as_of: date) -> AxisResult:
    """Quality from deliverables: any rejected is red, any overdue and not accepted is amber."""
    if not facts.deliverables:
        return AxisResult(RAG.UNKNOWN, (Reason("no_deliverable"),))
    rejected = [d.name for d in facts.deliverables if d.state == "rejected"]
    overdue = [
        d.name for d in facts.deliverables if d.state != "accepted" and d.due is not None and d.due < as_of
    ]
    accepted = sum(1 for d in facts.deliverables if d.state == "accepted")
    reasons = [Reason("deliverables_accepted", {"accepted": accepted, "total": len(facts.deliverables)})]
    if rejected:
        reasons.insert(
            0, Reason("deliverables_rejected", {"count": len(rejected), "names": ", ".join(rejected)})
        )
        return AxisResult(RAG.RED, tuple(reasons))
    if overdue:
        reasons.insert(
            0, Reason("deliverables_overdue", {"count": len(overdue), "names": ", ".join(overdue)})
        )
        return AxisResult(RAG.AMBER, tuple(reasons))
    return AxisResult(RAG.GREEN, tuple(reasons))


def is_stale(facts: ProjectFacts, as_of: date, thresholds: Thresholds) -> bool:
    """No submitted status report, or the last one is older than the staleness limit."""
    return facts.last_submitted is None or (as_of - facts.last_submitted).days > thresholds.stale_after_days


def indicate(facts: ProjectFacts, as_of: date, thresholds: Thresholds) -> tuple[Indicated, EVM]:
    """The indicated RAG of every axis, computed from data, with the EVM it used."""
    evm = project_evm(facts, as_of)
    axes = {
        "quality": quality_axis(facts, as_of),
        "cost": cost_axis(evm, thresholds),
        "schedule": schedule_axis(facts, evm, thresholds, as_of),
        "risk": risk_axis(facts, thresholds),
    }
    return Indicated(**axes, overall=worst(a.rag for a in axes.values())), evm


def watermelon_axes(declared: Declared, indicated: Indicated) -> tuple[str, ...]:
    """Axes declared better than the data indicates (green outside, red inside)."""
    found = []
    for axis in AXES:
        said, shown = getattr(declared, axis), indicated.axis(axis).rag
        if RAG.UNKNOWN in (said, shown):
            continue
        if SEVERITY[said] < SEVERITY[shown]:
            found.append(axis)
    return tuple(found)


def compute_qcdr(facts: ProjectFacts, declared: Declared, as_of: date, thresholds: Thresholds) -> QCDR:
    """Declared and indicated RAG side by side, EVM, staleness and the watermelon flag."""
    indicated, evm = indicate(facts, as_of, thresholds)
    axes = watermelon_axes(declared, indicated)
    return QCDR(
        declared=declared,
        indicated=indicated,
        evm=evm,
        stale=is_stale(facts, as_of, thresholds),
        watermelon=bool(axes),
        watermelon_axes=axes,
    )


def _plain(value):
    """Decimals as strings with 4 decimals (ratios) or 2 (money-sized values stay exact enough)."""
    if isinstance(value, Decimal):
        with localcontext() as context:
            # enough digits for any magnitude: a tiny EV makes EAC (CPI × SPI form) exceed 28 digits
            context.prec = max(context.prec, value.adjusted() + 6)
            return str(value.quantize(Decimal("0.0001")))
    return value


def qcdr_as_dict(result: QCDR) -> dict:
    """JSON-ready form (Decimals as strings) for the API and for the snapshot kept on a report."""

    def axis(name: str) -> dict:
        found = result.indicated.axis(name)
        return {
            "rag": found.rag.value,
            "reasons": [
                {"code": r.code, "params": {k: _plain(v) for k, v in r.params.items()}} for r in found.reasons
            ],
        }

    evm = result.evm
    return {
        "declared": {name: getattr(result.declared, name).value for name in (*AXES, "overall")},
        "indicated": {
            **{name: result.indicated.axis(name).rag.value for name in AXES},
            "overall": result.indicated.overall.value,
        },
        "reasons": {name: axis(name)["reasons"] for name in AXES},
        "evm": {
            name: _plain(getattr(evm, name))
            for name in (
                "bac",
                "pv",
                "ev",
                "ac",
                "cpi",
                "spi",
                "cv",
                "sv",
                "eac",
                "eac_cpi_spi",
                "etc",
                "vac",
                "tcpi",
                "commitments",
            )
        },
        "stale": result.stale,
        "watermelon": result.watermelon,
        "watermelon_axes": list(result.watermelon_axes),
    }


def compute_qcdr_with_declared(result: QCDR, declared: Declared) -> QCDR:
    """The same indicated QCDR compared with other declared values (the form's live preview)."""
    axes = watermelon_axes(declared, result.indicated)
    return QCDR(
        declared=declared,
        indicated=result.indicated,
        evm=result.evm,
        stale=result.stale,
        watermelon=bool(axes),
        watermelon_axes=axes,
    )
