"""The portfolio optimiser (governance.optimiser), timed on random portfolios:
50, 500 and 2,000 candidates, 8 roles × 8 quarters of capacity, 2 years of CAPEX/OPEX budget.

    .venv/bin/python -m benchmarks.optimiser [--sizes 50 500 2000] [--repeat 3] [--seed 7]

For each size: the time of one exact solve (proving the optimum, stopped at --time-limit), then
with the settings scenario runs use above 100 candidates (governance.optimiser.LARGE_SETTINGS:
0.5 % gap, 30 s, 8 re-solves of at most 5 s for the projects just over the line): one solve,
`optimise` (selection, explanation, re-solves) and a 12-point efficient frontier (5 s a point).
The limits are about 45 % of what all candidates ask, so that most of them bind — harder than a
real portfolio. Pure: no database.
"""

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal

ROLES = [f"role-{i}" for i in range(8)]
YEARS = (2027, 2028)
QUARTERS = [f"{y}-T{q}" for y in YEARS for q in (1, 2, 3, 4)]


def portfolio(size: int, seed: int):
    from governance.optimiser import Candidate, Limits

    rng = random.Random(seed * 100003 + size)
    candidates = []
    for index in range(size):
        first = rng.randrange(len(QUARTERS) - 1)
        span = rng.randint(2, 4)
        quarters = QUARTERS[first : first + span]
        roles = rng.sample(ROLES, rng.randint(1, 3))
        demand = {(role, q): float(rng.randint(5, 60)) for role in roles for q in quarters}
        cost = {}
        for year in {int(q[:4]) for q in quarters}:
            cost[(year, "capex")] = Decimal(rng.randint(20, 400) * 1000)
            if rng.random() < 0.7:
                cost[(year, "opex")] = Decimal(rng.randint(5, 120) * 1000)
        requires = ()
        if index > 10 and rng.random() < 0.05:
            requires = (f"p{rng.randrange(index)}",)
        candidates.append(
            Candidate(
                key=f"p{index}",
                label=f"Projet {index}",
                score=round(rng.uniform(10, 100), 1),
                cost=cost,
                demand=demand,
                mandatory=rng.random() < 0.03 and not requires,
                requires=requires,
            )
        )
    share = 0.45
    budget = {}
    for year in YEARS:
        for kind in ("capex", "opex"):
            total = sum((c.cost.get((year, kind), Decimal(0)) for c in candidates), Decimal(0))
            forced = sum(
                (c.cost.get((year, kind), Decimal(0)) for c in candidates if c.mandatory), Decimal(0)
            )
            budget[(year, kind)] = max(forced, (total * Decimal(share)).quantize(Decimal(1)))
    capacity = {}
    for role in ROLES:
        for quarter in QUARTERS:
            total = sum(c.demand.get((role, quarter), 0) for c in candidates)
            forced = sum(c.demand.get((role, quarter), 0) for c in candidates if c.mandatory)
            capacity[(role, quarter)] = max(forced, round(total * share))
    return candidates, Limits(budget=budget, capacity=capacity)


def timed(function, repeat: int):
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def main(argv=None) -> int:
    from governance import optimiser

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=60)
    args = parser.parse_args(argv)
    from governance.optimiser import LARGE_SETTINGS

    settings = dict(LARGE_SETTINGS)
    print(
        f"{'candidates':>10} {'exact s':>8} {'exact score':>12} {'solve s':>8} {'score':>10} "
        f"{'optimise s':>11} {'binding':>8} {'selected':>9} {'frontier s':>11}",
        flush=True,
    )
    for size in args.sizes:
        candidates, limits = portfolio(size, args.seed)

        def score(keys, c=candidates):
            return sum(x.score for x in c if x.key in (keys or ()))

        exact_s, exact = timed(
            lambda c=candidates, lim=limits: optimiser._solve(c, lim, time_limit_s=args.time_limit), 1
        )
        solve_s, chosen = timed(
            lambda c=candidates, lim=limits: optimiser._solve(
                c, lim, time_limit_s=settings["time_limit_s"], mip_gap=settings["mip_gap"]
            ),
            args.repeat,
        )
        optimise_s, result = timed(lambda c=candidates, lim=limits: optimiser.optimise(c, lim, **settings), 1)
        total = sum(limits.budget.values(), Decimal(0))
        budgets = [total * Decimal(i) / 11 for i in range(12)]
        frontier_s, _points = timed(
            lambda c=candidates, lim=limits, b=budgets: optimiser.efficient_frontier(
                c, lim, b, time_limit_s=5, mip_gap=settings["mip_gap"]
            ),
            1,
        )
        hit = "*" if exact_s >= args.time_limit else " "
        print(
            f"{size:>10} {exact_s:>7.2f}{hit} {score(exact):>12.1f} {solve_s:>8.2f} {score(chosen):>10.1f} "
            f"{optimise_s:>11.2f} {len(result.binding):>8} {len(result.selected):>9} {frontier_s:>11.2f}",
            flush=True,
        )
    print("* stopped at the time limit without proving the optimum (the best selection found so far).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
