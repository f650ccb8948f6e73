"""Project scoring: weighted criteria, ranking, and how sensitive the ranking is to the weights.

Pure functions. A criterion has a weight and a scale (1–5 by default); risk-like criteria score
better when lower. A project's weighted score is on 0–100: each criterion's value placed on its scale
(0 at the worst end, 1 at the best), averaged with the weights of the criteria the project was
scored on — a project scored on part of the criteria is marked incomplete, not penalised silently.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

Key = Hashable
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Criterion:
    key: Key
    weight: Decimal
    low: int = 1
    high: int = 5
    lower_is_better: bool = False

    def place(self, value: Decimal) -> Decimal:
        """The value on the criterion's scale: 0 at the worst end, 1 at the best."""
        span = Decimal(self.high - self.low)
        share = (Decimal(value) - self.low) / span if span else Decimal(0)
        share = min(max(share, Decimal(0)), Decimal(1))
        return Decimal(1) - share if self.lower_is_better else share


@dataclass(frozen=True)
class Score:
    value: Decimal | None  # 0–100, None when not scored at all
    complete: bool


def weighted_score(values: Mapping[Key, Decimal], criteria: Sequence[Criterion]) -> Score:
    used = [c for c in criteria if c.key in values and c.weight > 0]
    weight = sum((c.weight for c in used), Decimal(0))
    if not weight:
        return Score(None, complete=False)
    total = sum((c.weight * c.place(values[c.key]) for c in used), Decimal(0))
    complete = all(c.key in values for c in criteria if c.weight > 0)
    return Score((total / weight * HUNDRED).quantize(TENTH), complete=complete)


def ranking(scores: Mapping[Key, Decimal | None]) -> dict[Key, int]:
    """Competition ranking (1, 2, 2, 4) of the scored projects, best first; unscored ones are left out."""
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    first = {}
    for position, score in enumerate(ordered, 1):
        first.setdefault(score, position)
    return {key: first[score] for key, score in scores.items() if score is not None}


@dataclass(frozen=True)
class CriterionSensitivity:
    key: Key
    moved: int  # projects whose rank changes when this weight moves by ±delta
    largest_shift: int  # the largest change of rank
    top_changed: bool  # the top `top` projects are not the same set


@dataclass(frozen=True)
class Sensitivity:
    criteria: tuple[CriterionSensitivity, ...]
    rank_range: dict[Key, tuple[int, int]]  # best and worst rank of each project over the variations


def sensitivity(
    values: Mapping[Key, Mapping[Key, Decimal]],
    criteria: Sequence[Criterion],
    *,
    delta: Decimal = Decimal("0.2"),
    top: int = 10,
) -> Sensitivity:
    """Move each criterion's weight down and up by `delta` (20 %), one at a time, re-rank, and
    report what moves: per criterion, per project (the range of ranks it takes)."""
    base = ranking({key: weighted_score(v, criteria).value for key, v in values.items()})
    best_set = _top(base, top)
    ranges = {key: (rank, rank) for key, rank in base.items()}
    report = []
    for criterion in criteria:
        moved: set[Key] = set()
        shift = 0
        top_changed = False
        for factor in (Decimal(1) - delta, Decimal(1) + delta):
            varied = [_reweighted(c, factor) if c.key == criterion.key else c for c in criteria]
            ranks = ranking({key: weighted_score(v, varied).value for key, v in values.items()})
            for key, rank in ranks.items():
                if rank != base[key]:
                    moved.add(key)
                    shift = max(shift, abs(rank - base[key]))
                low, high = ranges[key]
                ranges[key] = (min(low, rank), max(high, rank))
            top_changed |= _top(ranks, top) != best_set
        report.append(CriterionSensitivity(criterion.key, len(moved), shift, top_changed))
    return Sensitivity(criteria=tuple(report), rank_range=ranges)


def _reweighted(criterion: Criterion, factor: Decimal) -> Criterion:
    return Criterion(
        criterion.key, criterion.weight * factor, criterion.low, criterion.high, criterion.lower_is_better
    )


def _top(ranks: Mapping[Key, int], top: int) -> frozenset:
    return frozenset(key for key, rank in ranks.items() if rank <= top)
