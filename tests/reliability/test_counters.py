"""RELIABILITY row 17: concurrent additions to one cost line are all counted, to the cent.

(The other half of row 17, 100 concurrent 10 % allocations of one person, waits for allocations.)
"""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from pmo.core.locking import is_retryable, retry_on_conflict
from projects.models import CostLine
from projects.services import cost_line_add_actual
from reliability.counters import add_concurrently, amounts, forced_deadlock
from tests.factories import CostLineFactory

pytestmark = pytest.mark.django_db(transaction=True)


def update_events(line) -> int:
    return (
        apps.get_model("projects", "CostLineEvent")
        .objects.filter(pgh_obj_id=line.pk, pgh_label="update")
        .count()
    )


def test_two_hundred_concurrent_additions_sum_exactly(world):
    # The credits among the amounts (at most 0.99 € each) never meet an empty line, whatever the order.
    line = CostLineFactory(project=world.a1, actual=Decimal("100.00"))
    values = amounts(200)

    errors = add_concurrently(actor=world.users["pm_a"], line=line, values=values, threads=24)

    line.refresh_from_db()
    assert errors == []
    assert line.actual == Decimal("100.00") + sum(values, Decimal("0"))
    assert line.version == 201
    assert update_events(line) == 200


def test_a_deadlock_is_retried_and_both_transactions_complete(world):
    first = CostLineFactory(project=world.a1, category="capex")
    second = CostLineFactory(project=world.a1, category="opex")

    outcome = forced_deadlock(first=first, second=second)

    assert outcome["errors"] == []
    assert outcome["calls"] == 3  # one of the two ran twice: PostgreSQL chose it as the victim
    assert CostLine.objects.get(pk=first.pk).actual == CostLine.objects.get(pk=second.pk).actual == 2


def test_a_credit_never_takes_the_spend_below_zero(world):
    line = CostLineFactory(project=world.a1, actual=Decimal("10.00"))
    with pytest.raises(ValidationError):
        cost_line_add_actual(actor=world.users["pm_a"], line=line, amount=Decimal("-10.01"))
    with pytest.raises(ValidationError):
        cost_line_add_actual(actor=world.users["pm_a"], line=line, amount=Decimal("0.001"))
    cost_line_add_actual(actor=world.users["pm_a"], line=line, amount=Decimal("-10.00"))
    line.refresh_from_db()
    assert (line.actual, line.version) == (Decimal("0.00"), 2)


def test_an_addition_is_audited_with_its_actor(world):
    line = CostLineFactory(project=world.a1)
    cost_line_add_actual(actor=world.users["pm_a"], line=line, amount=Decimal("12.34"), reason="facture 42")
    event = apps.get_model("projects", "CostLineEvent").objects.filter(pgh_obj_id=line.pk).latest("pgh_id")
    assert event.pgh_context.metadata == {"user": world.users["pm_a"].pk, "reason": "facture 42"}


class FakeDeadlock(Exception):
    sqlstate = "40P01"


def test_retry_only_for_serialization_failures_and_deadlocks():
    calls = []

    @retry_on_conflict(backoff=0)
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("deadlock detected") from FakeDeadlock()
        return "done"

    assert flaky() == "done" and len(calls) == 3
    assert is_retryable(OperationalError("x")) is False

    @retry_on_conflict(backoff=0)
    def broken():
        calls.append(1)
        raise OperationalError("connection refused")

    calls.clear()
    with pytest.raises(OperationalError):
        broken()
    assert len(calls) == 1


def test_no_retry_inside_an_enclosing_transaction():
    from django.db import transaction

    calls = []

    @retry_on_conflict(backoff=0)
    def inner():
        calls.append(1)
        raise OperationalError("deadlock detected") from FakeDeadlock()

    with pytest.raises(OperationalError), transaction.atomic():
        assert connection.in_atomic_block
        inner()
    assert len(calls) == 1
