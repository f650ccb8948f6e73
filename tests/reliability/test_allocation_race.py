"""RELIABILITY row 17 (allocations): in a strict portfolio, 100 concurrent 10 % allocations of one
person with 100 % free capacity give exactly 10 successes; the row lock serialises the checks."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from projects.models import Allocation
from projects.services.allocations import allocation_create
from tests.resources.conftest import monday

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 32  # one PostgreSQL connection each, shared with the other suites running on this server


def race(*, actor, project, resource, attempts: int) -> tuple[int, int, list[str]]:
    start = monday() + timedelta(weeks=1)
    payload = {
        "resource": resource,
        "start_date": start,
        "end_date": start + timedelta(weeks=4, days=-3),
        "unit": "percent",
        "percent": Decimal("10"),
    }
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    outcome = {"ok": 0, "refused": 0, "errors": []}

    def attempt(index: int) -> None:
        if index < THREADS:
            barrier.wait()  # the first wave starts together
        try:
            allocation_create(actor=actor, project=project, data=dict(payload))
            key = "ok"
        except ValidationError:
            key = "refused"
        except Exception as error:  # noqa: BLE001 - every other failure is a finding
            with lock:
                outcome["errors"].append(repr(error))
            return
        finally:
            connection.close()
        with lock:
            outcome[key] += 1

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(attempt, range(attempts)))
    return outcome["ok"], outcome["refused"], outcome["errors"]


def test_one_hundred_concurrent_ten_percent_allocations_give_exactly_ten(world):
    from portfolio.resource_models import Resource, Role

    world.portfolio_a.allocation_mode = "strict"
    world.portfolio_a.save()
    role = Role.objects.create(code="dev", name="Développeur")
    person = Resource.objects.create(portfolio=world.portfolio_a, name="Alice Dev", role=role)

    ok, refused, errors = race(actor=world.users["pm_a"], project=world.a1, resource=person, attempts=100)

    assert errors == []
    assert (ok, refused) == (10, 90)
    booked = Allocation.objects.filter(resource=person)
    assert booked.count() == 10
    assert sum(a.percent for a in booked) == Decimal("100")


def test_in_flexible_mode_all_hundred_pass_and_the_person_is_flagged(world):
    from portfolio.resource_models import Resource, Role

    role = Role.objects.create(code="dev", name="Développeur")
    person = Resource.objects.create(portfolio=world.portfolio_a, name="Alice Dev", role=role)

    ok, refused, errors = race(actor=world.users["pm_a"], project=world.a1, resource=person, attempts=40)

    assert (ok, refused, errors) == (40, 0, [])
