"""The portfolio optimiser: which projects to fund, as a mixed-integer linear programme.

Pure: it takes candidates and limits, knows no model, and is solved by HiGHS through PuLP.

    maximise    Σ score_p · x_p                                   x_p ∈ {0, 1}
    subject to  Σ cost_p[year, kind] · x_p   ≤ budget[year, kind]     (CAPEX / OPEX per year)
                Σ demand_p[role, quarter] · x_p ≤ capacity[role, quarter]
                x_p = 1 for mandatory projects, x_p = 0 for excluded ones
                x_b ≤ x_a when b needs a

Besides the selection, the result explains itself: the use of every limit, the limits that bind
(what stops the next project), why each project left out was left out, and which of them are *just
over the line* — the ones a small loosening of one limit would let in.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

Key = Hashable
BudgetKey = tuple[int, str]  # (year, "capex" | "opex")
CapacityKey = tuple[str, str]  # (role, quarter such as "2027-T1")

# A limit binds when less than this share of it is left, or when no project left out fits in it.
BINDING_SLACK = 0.005
# "Just over the line": left out, but selected when one binding limit grows by this share (for a
# hand-made selection, `explain`: it would fit with at most this much more of one limit).
OVER_THE_LINE_SHARE = 0.10
# For large portfolios (hundreds of candidates): stop within 0.5 % of the optimum, look for the
# projects just over the line with the 8 tightest binding limits only (see benchmarks/optimiser.py).
LARGE_SETTINGS = {"mip_gap": 0.005, "max_resolves": 8, "time_limit_s": 30, "resolve_time_limit_s": 5}


@dataclass(frozen=True)
class Candidate:
    key: Key
    label: str
    score: float
    cost: Mapping[BudgetKey, Decimal] = field(default_factory=dict)
    demand: Mapping[CapacityKey, float] = field(default_factory=dict)
    mandatory: bool = False
    excluded: bool = False
    requires: tuple[Key, ...] = ()


@dataclass(frozen=True)
class Limits:
    budget: Mapping[BudgetKey, Decimal] = field(default_factory=dict)
    capacity: Mapping[CapacityKey, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Use:
    kind: str  # "budget" | "capacity"
    key: tuple
    used: float
    limit: float

    @property
    def slack(self) -> float:
        return self.limit - self.used

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit else (0.0 if not self.used else float("inf"))


@dataclass(frozen=True)
class Blocker:
    """Why a project left out is out: a limit it would exceed (by `missing`), or a project it needs."""

    kind: str  # "budget" | "capacity" | "requires" | "excluded" | "score"
    key: tuple | Key | None = None
    missing: float = 0.0
    limit: float = 0.0


@dataclass(frozen=True)
class LeftOut:
    key: Key
    label: str
    score: float
    blockers: tuple[Blocker, ...]
    just_over_the_line: bool


@dataclass(frozen=True)
class Result:
    status: str  # "optimal" | "infeasible"
    selected: tuple[Key, ...] = ()
    score: float = 0.0
    uses: tuple[Use, ...] = ()
    binding: tuple[Use, ...] = ()
    left_out: tuple[LeftOut, ...] = ()
    problems: tuple[str, ...] = ()  # why it is infeasible, in the caller's words (keys)

    @property
    def just_over_the_line(self) -> tuple[LeftOut, ...]:
        return tuple(item for item in self.left_out if item.just_over_the_line)


def optimise(
    candidates: Sequence[Candidate],
    limits: Limits,
    *,
    time_limit_s: float = 30,
    mip_gap: float | None = None,
    max_resolves: int | None = None,
    resolve_time_limit_s: float | None = None,
) -> Result:
    """The selection of the highest total score within the limits.

    `mip_gap` (a relative gap such as 0.005) lets HiGHS stop within that share of the optimum: large
    portfolios (hundreds of candidates) need it to answer in seconds; None proves the optimum.
    `max_resolves` caps the re-solves that look for the projects just over the line (one per
    binding limit, the tightest first); None re-solves for every binding limit."""
    problems = _check(candidates, limits)
    if problems:
        return Result(status="infeasible", problems=tuple(problems))
    chosen = _solve(candidates, limits, time_limit_s=time_limit_s, mip_gap=mip_gap)
    if chosen is None:
        return Result(status="infeasible", problems=("no selection satisfies every limit",))
    result = explain(candidates, limits, chosen)
    # Just over the line: what enters the selection when one binding limit grows by 10 %.
    entering: dict[Key, tuple] = {}
    binding = sorted(result.binding, key=lambda u: -u.share) if max_resolves is not None else result.binding
    for use in binding[:max_resolves]:
        looser = _loosen(limits, use, 1 + OVER_THE_LINE_SHARE)
        wider = (
            _solve(candidates, looser, time_limit_s=resolve_time_limit_s or time_limit_s, mip_gap=mip_gap)
            or set()
        )
        for key in wider - chosen:
            entering.setdefault(key, (use.kind, use.key))
    left_out = tuple(replace(item, just_over_the_line=item.key in entering) for item in result.left_out)
    return replace(result, left_out=left_out)


def efficient_frontier(
    candidates: Sequence[Candidate],
    limits: Limits,
    budgets: Sequence[Decimal],
    *,
    time_limit_s: float = 30,
    mip_gap: float | None = None,
) -> list[tuple[Decimal, float, tuple[Key, ...]]]:
    """The best score for each total budget of `budgets` (every year and kind together; the
    capacity, mandatory, excluded and dependency rules still apply): the score-versus-budget curve.
    Budgets too small for the mandatory projects are left out of the curve."""
    points = []
    for total in budgets:
        chosen = _solve(
            candidates, limits, time_limit_s=time_limit_s, total_budget=total, per_year=False, mip_gap=mip_gap
        )
        if chosen is not None:
            score = sum(c.score for c in candidates if c.key in chosen)
            points.append((total, round(score, 6), tuple(c.key for c in candidates if c.key in chosen)))
    return points


def explain(candidates: Sequence[Candidate], limits: Limits, chosen: set[Key]) -> Result:
    """Uses, binding limits and reasons for a given selection (the optimiser's or a hand-made one)."""
    selected = [c for c in candidates if c.key in chosen]
    uses = _uses(selected, limits)
    left = [c for c in candidates if c.key not in chosen]
    slack = {(u.kind, u.key): u.slack for u in uses}
    left_out = tuple(_left_out(c, chosen, slack, uses) for c in sorted(left, key=lambda c: -c.score))
    binding = tuple(
        u
        for u in uses
        if u.limit
        and (
            u.slack <= BINDING_SLACK * u.limit
            or any(b.kind == u.kind and b.key == u.key for item in left_out for b in item.blockers)
        )
    )
    return Result(
        status="optimal",
        selected=tuple(c.key for c in selected),
        score=round(sum(c.score for c in selected), 6),
        uses=uses,
        binding=binding,
        left_out=left_out,
    )


# --- internals ------------------------------------------------------------------------------------


def _check(candidates: Sequence[Candidate], limits: Limits) -> list[str]:
    """Contradictions found before solving, named: a mandatory project excluded or needing an
    excluded or unknown one, and limits the mandatory projects alone exceed."""
    by_key = {c.key: c for c in candidates}
    problems = []
    forced = {c.key for c in candidates if c.mandatory}
    # what the mandatory projects drag in through their dependencies
    stack = list(forced)
    while stack:
        for needed in by_key[stack.pop()].requires:
            if needed not in by_key:
                problems.append(f"unknown dependency {needed!r}")
            elif needed not in forced:
                forced.add(needed)
                stack.append(needed)
    for key in sorted(forced, key=str):
        if by_key.get(key) is not None and by_key[key].excluded:
            problems.append(f"{key!r} is both required and excluded")
    for use in _uses([by_key[k] for k in forced if k in by_key], limits):
        if use.used > use.limit:
            problems.append(
                f"the mandatory projects alone need {use.used:g} of {use.kind} {use.key} ({use.limit:g})"
            )
    return problems


def _solve(
    candidates: Sequence[Candidate],
    limits: Limits,
    *,
    time_limit_s: float,
    total_budget: Decimal | None = None,
    per_year: bool = True,
    mip_gap: float | None = None,
) -> set[Key] | None:
    import pulp

    model = pulp.LpProblem("portfolio", pulp.LpMaximize)
    x = {c.key: model.add_variable(f"x{i}", cat=pulp.LpBinary) for i, c in enumerate(candidates)}
    model += pulp.lpSum(c.score * x[c.key] for c in candidates)
    if per_year:
        for key, cap in limits.budget.items():
            model += pulp.lpSum(float(c.cost.get(key, 0)) * x[c.key] for c in candidates) <= float(cap)
    if total_budget is not None:
        model += pulp.lpSum(float(sum(c.cost.values(), Decimal(0))) * x[c.key] for c in candidates) <= float(
            total_budget
        )
    for key, cap in limits.capacity.items():
        model += pulp.lpSum(float(c.demand.get(key, 0)) * x[c.key] for c in candidates) <= float(cap)
    for c in candidates:
        if c.mandatory:
            model += x[c.key] == 1
        if c.excluded:
            model += x[c.key] == 0
        for needed in c.requires:
            if needed in x:
                model += x[c.key] <= x[needed]
            else:
                model += x[c.key] == 0
    status = model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit_s, gapRel=mip_gap))
    if pulp.LpStatus[status] != "Optimal":
        return None
    return {key for key, var in x.items() if (var.value() or 0) > 0.5}


def _uses(selected: Sequence[Candidate], limits: Limits) -> tuple[Use, ...]:
    uses = [
        Use(
            "budget", key, float(sum((c.cost.get(key, Decimal(0)) for c in selected), Decimal(0))), float(cap)
        )
        for key, cap in sorted(limits.budget.items())
    ]
    uses += [
        Use("capacity", key, float(sum(c.demand.get(key, 0) for c in selected)), float(cap))
        for key, cap in sorted(limits.capacity.items())
    ]
    return tuple(uses)


def _total(selected: Sequence[Candidate], key: BudgetKey) -> float:
    return float(sum((c.cost.get(key, Decimal(0)) for c in selected), Decimal(0)))


def _left_out(candidate: Candidate, chosen: set[Key], slack: dict, uses: tuple[Use, ...]) -> LeftOut:
    blockers = []
    if candidate.excluded:
        blockers.append(Blocker("excluded"))
    for needed in candidate.requires:
        if needed not in chosen:
            blockers.append(Blocker("requires", needed))
    limits = {(u.kind, u.key): u.limit for u in uses}
    for kind, needs in (("budget", candidate.cost), ("capacity", candidate.demand)):
        for key, need in needs.items():
            left = slack.get((kind, key))
            if left is not None and float(need) > left + 1e-9:
                blockers.append(Blocker(kind, key, missing=float(need) - left, limit=limits[(kind, key)]))
    if not blockers:
        # it fits alone: the selected projects it would displace are worth more together
        blockers.append(Blocker("score"))
    limit_blockers = [b for b in blockers if b.kind in ("budget", "capacity")]
    close = (
        len(blockers) == 1
        and limit_blockers
        and limit_blockers[0].limit > 0
        and limit_blockers[0].missing <= OVER_THE_LINE_SHARE * limit_blockers[0].limit
    )
    return LeftOut(candidate.key, candidate.label, candidate.score, tuple(blockers), bool(close))


def _loosen(limits: Limits, use: Use, factor: float) -> Limits:
    if use.kind == "budget":
        budget = dict(limits.budget)
        budget[use.key] = Decimal(str(round(float(budget[use.key]) * factor, 2)))
        return replace(limits, budget=budget)
    capacity = dict(limits.capacity)
    capacity[use.key] = capacity[use.key] * factor
    return replace(limits, capacity=capacity)
