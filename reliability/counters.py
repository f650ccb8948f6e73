"""RELIABILITY row 17: 200 concurrent "actual cost += x" on one cost line, exact to the cent.

    .venv/bin/python -m reliability.counters [--additions 200] [--threads 32]

Runs `projects.services.cost_line_add_actual` from a pool of threads (one PostgreSQL connection
each) on a fresh cost line of the `pmo_reliability` database, plus a forced deadlock that the
40P01 retry must absorb. Allocations (100 × 10 % of one person) do not exist yet in the product:
that half of row 17 waits for the resources issue.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

# The credits among the amounts (at most 0.99 € each) never meet an empty line, whatever the order.
OPENING = Decimal("100.00")


def amounts(count: int, seed: int = 17) -> list[Decimal]:
    """`count` amounts between 0.01 and 999.99, some of them credits (never below zero overall)."""
    rng = random.Random(seed)
    values = [Decimal(rng.randint(1, 99_999)) / 100 for _ in range(count)]
    for index in range(3, count, 10):
        values[index] = -min(values[index], Decimal("0.99"))
    return values


def add_concurrently(*, actor, line, values: list[Decimal], threads: int) -> list[str]:
    """Every addition through the service in a thread pool; returns the errors raised (if any)."""
    from django.db import connection

    from projects.services import cost_line_add_actual

    errors: list[str] = []
    lock = threading.Lock()

    def add(value: Decimal) -> None:
        try:
            cost_line_add_actual(actor=actor, line=type(line)(pk=line.pk), amount=value)
        except Exception as error:  # noqa: BLE001 - every failure is a finding
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()  # a pool thread must not keep a connection the test DB teardown waits on

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(add, values))
    return errors


def forced_deadlock(*, first, second) -> dict:
    """Two transactions lock two cost lines in opposite orders: PostgreSQL aborts one with 40P01,
    retry_on_conflict runs it again, and both complete."""
    from django.db import connection, transaction
    from django.db.models import F

    from pmo.core.locking import retry_on_conflict
    from projects.models import CostLine

    barrier = threading.Barrier(2)
    calls = {"a": 0, "b": 0}
    errors: list[str] = []

    def transfer(name: str, one, two) -> None:
        @retry_on_conflict
        @transaction.atomic
        def body():
            calls[name] += 1
            CostLine.objects.filter(pk=one.pk).update(actual=F("actual") + 1)
            if calls[name] == 1:
                barrier.wait(timeout=30)
            CostLine.objects.filter(pk=two.pk).update(actual=F("actual") + 1)

        try:
            body()
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=transfer, args=("a", first, second)),
        threading.Thread(target=transfer, args=("b", second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"calls": calls["a"] + calls["b"], "errors": errors}


def make_line(run_id: str):
    """A fresh project with one CAPEX line of this month, for the race not to touch demo data."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from portfolio.models import Portfolio
    from projects import services
    from projects.models import CostLine

    pmo = get_user_model().objects.get(username="pmo")
    portfolio = Portfolio.objects.filter(memberships__user=pmo).order_by("pk").first()
    project = services.project_create(
        actor=pmo, data={"portfolio": portfolio, "code": f"count-{run_id}", "name": f"Compteur {run_id}"}
    )
    month = timezone.localdate().replace(day=1)
    lines = [
        services.record_create(
            actor=pmo,
            model=CostLine,
            project=project,
            data={"month": month, "category": category, "actual": OPENING},
        )
        for category in ("capex", "opex")
    ]
    return pmo, lines


def main(argv=None) -> int:
    from reliability import common

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--additions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--db", default=common.DEFAULT_DB)
    args = parser.parse_args(argv)
    common.prepare_database(args.db)
    common.setup_django(args.db)
    from django.apps import apps

    pmo, (line, other) = make_line(str(int(time.time())))
    values = amounts(args.additions)
    events = apps.get_model("projects", "CostLineEvent").objects
    before_events = events.filter(pgh_obj_id=line.pk, pgh_label="update").count()
    started = time.monotonic()
    errors = add_concurrently(actor=pmo, line=line, values=values, threads=args.threads)
    elapsed = time.monotonic() - started
    line.refresh_from_db()
    expected = OPENING + sum(values, Decimal("0"))
    recorded = events.filter(pgh_obj_id=line.pk, pgh_label="update").count() - before_events
    deadlock = forced_deadlock(first=line, second=other)
    problems = [*errors, *deadlock["errors"]]
    if line.actual != expected:
        problems.append(f"sum {line.actual} != expected {expected}")
    if line.version != 1 + args.additions:
        problems.append(f"version {line.version} != {1 + args.additions}")
    if recorded != args.additions:
        problems.append(f"{recorded} audit events for {args.additions} additions")
    if deadlock["calls"] < 3:
        problems.append("the forced deadlock was not retried")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    common.figure(
        17,
        f"{'PASS' if not problems else 'FAIL'} {args.additions} concurrent additions "
        f"({args.threads} threads, {elapsed:.1f} s): sum {line.actual} € = expected {expected} € "
        f"(diff {line.actual - expected} €), {recorded} audit events, {len(errors)} errors; "
        f"forced deadlock retried ({deadlock['calls']} runs for 2 transactions, "
        f"{len(deadlock['errors'])} errors); allocations: not built yet",
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
