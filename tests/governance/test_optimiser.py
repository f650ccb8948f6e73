"""The portfolio optimiser (governance.optimiser): HiGHS through PuLP, checked by hand on small
cases and against exhaustive enumeration on random ones."""

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from governance.optimiser import Candidate, Limits, efficient_frontier, explain, optimise

Y = (2027, "capex")
OPEX = (2027, "opex")
DEV = ("développeur", "2027-T1")


def c(key, score, capex=0, opex=0, dev=0, **kw):
    cost = {k: Decimal(v) for k, v in ((Y, capex), (OPEX, opex)) if v}
    return Candidate(
        key=key, label=key.upper(), score=score, cost=cost, demand={DEV: dev} if dev else {}, **kw
    )


def test_the_best_combination_not_the_greedy_one():
    # greedy by score takes A (90) and nothing else fits; B + C score 100 within the same budget
    candidates = [c("a", 90, capex=600), c("b", 50, capex=500), c("c", 50, capex=500)]
    result = optimise(candidates, Limits(budget={Y: Decimal(1000)}))
    assert result.status == "optimal"
    assert set(result.selected) == {"b", "c"}
    assert result.score == 100
    (use,) = result.uses
    assert (use.used, use.limit, use.slack) == (1000, 1000, 0)
    assert result.binding == (use,)
    (left,) = result.left_out
    assert left.key == "a" and left.blockers[0].kind == "budget" and left.blockers[0].missing == 600


def test_capex_and_opex_and_capacity_are_separate_limits():
    candidates = [c("a", 10, capex=100, opex=100, dev=50), c("b", 10, capex=100, dev=60), c("d", 1, opex=10)]
    limits = Limits(budget={Y: Decimal(300), OPEX: Decimal(105)}, capacity={DEV: 100})
    result = optimise(candidates, limits)
    # a and b together need 110 developer days: only one of them, plus d (opex 10 fits beside a's 100)
    assert result.score == 11
    assert "d" in result.selected
    assert {u.key for u in result.binding} >= {DEV}


def test_mandatory_excluded_and_dependencies():
    candidates = [
        c("socle", 1, capex=400, mandatory=True),
        c("app", 50, capex=300, requires=("api",)),
        c("api", 5, capex=300),
        c("other", 40, capex=300),
        c("banned", 100, capex=1),
    ]
    candidates[4] = c("banned", 100, capex=1, excluded=True)
    result = optimise(candidates, Limits(budget={Y: Decimal(1000)}))
    # app needs api: app + api (55) beat other (40); banned never; socle always
    assert set(result.selected) == {"socle", "app", "api"}
    reasons = {item.key: [b.kind for b in item.blockers] for item in result.left_out}
    assert reasons["banned"][0] == "excluded"
    assert reasons["other"] == ["budget"]


def test_contradictions_are_named_before_solving():
    candidates = [c("a", 1, capex=800, mandatory=True), c("b", 1, capex=800, mandatory=True, requires=("x",))]
    result = optimise(candidates, Limits(budget={Y: Decimal(1000)}))
    assert result.status == "infeasible"
    assert "unknown dependency 'x'" in result.problems
    assert any("mandatory projects alone need 1600" in p for p in result.problems)
    excluded = optimise([c("a", 1, mandatory=True, excluded=True)], Limits())
    assert excluded.problems == ("'a' is both required and excluded",)


def test_just_over_the_line():
    candidates = [
        c("a", 60, capex=500),
        c("b", 50, capex=500),
        c("near", 45, capex=90),
        c("far", 44, capex=900),
    ]
    result = optimise(candidates, Limits(budget={Y: Decimal(1050)}))
    assert set(result.selected) == {"a", "b"}
    # with 10 % more budget (1,155) `near` (90) fits beside a and b; `far` never comes close
    assert [item.key for item in result.just_over_the_line] == ["near"]
    # a hand-made selection: what would fit with at most 10 % more of a limit
    hand = explain(candidates, Limits(budget={Y: Decimal(1000)}), {"a", "near"})
    assert [item.key for item in hand.just_over_the_line] == ["b"]  # b needs 90 more: 9 % → close
    hand = explain(candidates, Limits(budget={Y: Decimal(1000)}), {"a", "b"})
    assert [item.key for item in hand.just_over_the_line] == ["near"]


def test_the_frontier_never_goes_down():
    candidates = [
        c(f"p{i}", score, capex=cost)
        for i, (score, cost) in enumerate([(9, 3), (7, 2), (5, 2), (4, 1), (3, 4)])
    ]
    points = efficient_frontier(candidates, Limits(), [Decimal(b) for b in range(0, 13)])
    scores = [score for _budget, score, _keys in points]
    assert scores == sorted(scores)
    assert scores[0] == 0 and scores[-1] == 28
    assert {int(b): s for b, s, _ in points}[5] == 16  # p0 + p1, or p1 + p2 + p3


def brute_force(candidates, limits):
    best = None
    keys = [x.key for x in candidates]
    for size in range(len(keys) + 1):
        for combo in itertools.combinations(candidates, size):
            chosen = {x.key for x in combo}
            if any(x.mandatory and x.key not in chosen for x in candidates):
                continue
            if any(x.excluded for x in combo) or any(r not in chosen for x in combo for r in x.requires):
                continue
            uses = explain(candidates, limits, chosen).uses
            if any(u.used > u.limit + 1e-9 for u in uses):
                continue
            score = sum(x.score for x in combo)
            if best is None or score > best:
                best = score
    return best


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 100), st.integers(0, 50), st.integers(0, 50), st.integers(0, 30), st.booleans()
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 150),
    st.integers(0, 60),
)
def test_the_optimum_equals_exhaustive_search(rows, budget, capacity):
    candidates = [
        c(f"p{i}", score, capex=capex, opex=opex, dev=dev, requires=(f"p{i - 1}",) if needs and i else ())
        for i, (score, capex, opex, dev, needs) in enumerate(rows)
    ]
    limits = Limits(budget={Y: Decimal(budget), OPEX: Decimal(budget)}, capacity={DEV: capacity})
    result = optimise(candidates, limits)
    assert result.status == "optimal"
    assert abs(result.score - brute_force(candidates, limits)) < 1e-6
    assert all(u.used <= u.limit + 1e-9 for u in result.uses)
