"""Allocation services: validation (nothing written), strict mode, staffing, confirmation, what-if."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pmo.core.locking import StaleVersionError
from projects.capacity_selectors import (
    CapacityFilters,
    heat_map,
    project_allocation_costs,
    role_capacity_by_period,
)
from projects.models import Allocation
from projects.services import allocations as services
from tests.resources.conftest import book

pytestmark = pytest.mark.django_db


def data(pool, **overrides):
    values = {
        "resource": pool.alice,
        "start_date": pool.monday,
        "end_date": pool.monday + timedelta(days=25),
        "unit": "percent",
        "percent": Decimal("50"),
    }
    values.update(overrides)
    return values


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"percent": Decimal("-10")}, "percent"),
        ({"percent": Decimal("0")}, "percent"),
        ({"percent": Decimal("120")}, "percent"),
        ({"unit": "hours", "percent": None, "hours_per_week": Decimal("-3")}, "hours_per_week"),
        ({"unit": "hours", "percent": None, "hours_per_week": Decimal("40")}, "hours_per_week"),
        ({"end_date": "before"}, "end_date"),
    ],
)
def test_bad_effort_or_dates_are_refused_and_nothing_is_written(world, pool, overrides, field):
    if overrides.get("end_date") == "before":
        overrides["end_date"] = pool.monday - timedelta(days=1)
    errors = errors_of(
        lambda: services.allocation_create(
            actor=world.users["pm_a"], project=world.a1, data=data(pool, **overrides)
        )
    )
    assert field in errors
    assert not Allocation.objects.exists()


def test_a_period_outside_availability_is_refused(world, pool):
    pool.alice.available_until = pool.monday + timedelta(days=10)
    pool.alice.save()
    errors = errors_of(
        lambda: services.allocation_create(actor=world.users["pm_a"], project=world.a1, data=data(pool))
    )
    assert "Alice Dev" in errors["end_date"][0]
    assert pool.alice.available_until.strftime("%d/%m/%Y") in errors["end_date"][0]
    assert not Allocation.objects.exists()


def test_a_closed_project_or_a_foreign_pool_is_refused(world, pool):
    world.a1.state = "closed"
    world.a1.save()
    assert "project" in errors_of(
        lambda: services.allocation_create(actor=world.users["pmo_a"], project=world.a1, data=data(pool))
    )
    assert "resource" in errors_of(
        lambda: services.allocation_create(
            actor=world.users["pmo_a"], project=world.a2, data=data(pool, resource=pool.carol)
        )
    )
    assert not Allocation.objects.exists()


def test_flexible_mode_allows_and_flags_over_allocation(world, pool):
    services.allocation_create(
        actor=world.users["pm_a"], project=world.a1, data=data(pool, percent=Decimal("80"))
    )
    services.allocation_create(
        actor=world.users["pm_a"], project=world.a1, data=data(pool, percent=Decimal("40"))
    )
    heat = heat_map(user=world.users["pmo_a"], filters=CapacityFilters(start=pool.monday, periods=4))
    alice = next(row for row in heat.rows if row.key == pool.alice.pk)
    assert alice.overloaded and alice.cells[1].load == pytest.approx(120)
    assert heat.overloaded_count == 1


def test_strict_mode_refuses_beyond_capacity_and_names_the_week(world, pool):
    world.portfolio_a.allocation_mode = "strict"
    world.portfolio_a.save()
    services.allocation_create(
        actor=world.users["pm_a"], project=world.a1, data=data(pool, percent=Decimal("80"))
    )
    errors = errors_of(
        lambda: services.allocation_create(
            actor=world.users["pm_a"], project=world.a1, data=data(pool, percent=Decimal("30"))
        )
    )
    assert "resource" in errors and "Alice Dev" in errors["resource"][0]
    assert Allocation.objects.count() == 1
    services.allocation_create(
        actor=world.users["pm_a"], project=world.a1, data=data(pool, percent=Decimal("20"))
    )
    assert Allocation.objects.count() == 2


def test_requests_are_confirmed_by_the_resource_manager_or_the_pmo(world, pool):
    allocation = services.allocation_create(actor=world.users["pm_a"], project=world.a1, data=data(pool))
    assert allocation.state == "requested" and allocation.requested_by == world.users["pm_a"]
    assert not services.can_confirm(user=world.users["pm_a"], allocation=allocation)
    assert services.can_confirm(user=world.users["executive"], allocation=allocation)  # Alice's manager
    assert services.can_confirm(user=world.users["pmo_a"], allocation=allocation)
    confirmed = services.allocation_confirm(
        actor=world.users["executive"], allocation=allocation, version=allocation.version
    )
    assert confirmed.state == "confirmed" and confirmed.confirmed_by == world.users["executive"]
    with pytest.raises(StaleVersionError):
        services.allocation_confirm(
            actor=world.users["pmo_a"], allocation=allocation, version=allocation.version
        )
    # a change by the PM puts the booking back to requested
    changed = services.allocation_update(
        actor=world.users["pm_a"],
        allocation=confirmed,
        version=confirmed.version,
        data={"percent": Decimal("40")},
    )
    assert changed.state == "requested" and changed.percent == Decimal("40")


def test_a_staffing_request_becomes_a_named_allocation(world, pool):
    request = services.allocation_create(
        actor=world.users["pm_a"], project=world.a1, data=data(pool, resource=None, role=pool.dev)
    )
    assert request.resource is None and request.role == pool.dev
    with pytest.raises(ValidationError):
        services.allocation_staff(
            actor=world.users["pm_a"], allocation=request, version=request.version, resource=pool.bob
        )
    staffed = services.allocation_staff(
        actor=world.users["pmo_a"],
        allocation=request,
        version=request.version,
        resource=pool.alice,
        confirm=True,
    )
    assert (staffed.resource, staffed.state) == (pool.alice, "confirmed")


def test_a_role_request_needs_a_role(world, pool):
    errors = errors_of(
        lambda: services.allocation_create(
            actor=world.users["pm_a"], project=world.a1, data=data(pool, resource=None)
        )
    )
    assert "role" in errors


def test_what_if_draft_applies_all_or_nothing(world, pool):
    first = book(world.a1, pool.alice, percent=50)
    second = book(world.a1, pool.bob, percent=50)
    moved = {
        first.pk: {
            "start_date": pool.monday + timedelta(weeks=6),
            "end_date": pool.monday + timedelta(weeks=8),
            "percent": Decimal("30"),
            "hours_per_week": None,
            "version": first.version,
        },
        second.pk: {
            "start_date": pool.monday,
            "end_date": pool.monday + timedelta(weeks=2),
            "percent": Decimal("150"),
            "hours_per_week": None,
            "version": second.version,
        },
    }
    with pytest.raises(ValidationError):
        services.allocation_apply_draft(
            actor=world.users["pmo_a"], changes=moved, editable={first.pk, second.pk}
        )
    first.refresh_from_db()
    assert first.percent == Decimal("50") and first.start_date == pool.monday  # nothing saved
    moved[second.pk]["percent"] = Decimal("60")
    applied = services.allocation_apply_draft(
        actor=world.users["pmo_a"], changes=moved, editable={first.pk, second.pk}
    )
    assert len(applied) == 2
    first.refresh_from_db()
    assert (first.start_date, first.percent) == (pool.monday + timedelta(weeks=6), Decimal("30"))
    with pytest.raises(StaleVersionError):  # the draft was made from the old versions
        services.allocation_apply_draft(
            actor=world.users["pmo_a"], changes=moved, editable={first.pk, second.pk}
        )


def test_what_if_draft_is_only_a_view_until_confirmed(world, pool):
    allocation = book(world.a1, pool.alice, percent=100)
    filters = CapacityFilters(start=pool.monday, periods=2)
    draft = {
        allocation.pk: {
            "start_date": pool.monday + timedelta(weeks=1),
            "end_date": pool.monday + timedelta(days=11),
            "percent": Decimal("50"),
            "hours_per_week": None,
        }
    }
    drafted = heat_map(user=world.users["pmo_a"], filters=filters, draft=draft)
    real = heat_map(user=world.users["pmo_a"], filters=filters)
    alice = lambda heat: next(r for r in heat.rows if r.key == pool.alice.pk)  # noqa: E731
    assert [c.load for c in alice(real).cells] == [pytest.approx(100), pytest.approx(100)]
    assert [c.load for c in alice(drafted).cells] == [pytest.approx(0), pytest.approx(50)]
    allocation.refresh_from_db()
    assert allocation.percent == Decimal("100")


def test_planned_cost_is_effort_times_day_rate(world, pool):
    book(world.a1, pool.alice, weeks=(0, 2), percent=50, start=pool.monday + timedelta(weeks=60))
    book(world.a1, role=pool.dev, weeks=(0, 1), percent=100, start=pool.monday + timedelta(weeks=60))
    costs = project_allocation_costs(project=world.a1)
    days = [row.days for row in costs.rows]
    # 2 weeks at 50 % = 5 days at 500 €, 1 week of a role demand = 5 days at the role's 600 € (holidays aside)
    assert costs.total_cost == sum((r.days * r.rate for r in costs.rows), Decimal("0"))
    assert [r.rate for r in costs.rows] == [Decimal("500"), Decimal("600")]
    assert all(d <= 5 for d in days)


def test_role_capacity_by_period_gives_capacity_and_demand_per_role(world, pool):
    book(world.a1, pool.alice, weeks=(0, 1), percent=50, state="confirmed")
    book(world.a1, role=pool.dev, weeks=(0, 1), percent=100, state="requested")
    periods = role_capacity_by_period(world.portfolio_a, pool.monday, pool.monday + timedelta(days=6), "week")
    dev = next(p for p in periods if p.role_id == pool.dev.pk)
    archi = next(p for p in periods if p.role_id == pool.archi.pk)
    week_days = dev.capacity_hours / 7
    assert dev.confirmed_hours == pytest.approx(3.5 * week_days)
    assert dev.requested_hours == pytest.approx(7 * week_days)
    assert archi.capacity_hours == pytest.approx(7 * 0.8 * week_days)
    assert archi.demand_hours == 0


def test_a_request_and_its_confirmation_notify_on_commit(world, pool, django_capture_on_commit_callbacks):
    """The notifications run after the commit (never inside a test's transaction unless executed):
    the resource manager hears of the request, the requester of the confirmation."""
    from pmo.core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        allocation = services.allocation_create(actor=world.users["pm_a"], project=world.a1, data=data(pool))
    assert Notification.objects.filter(recipient=world.users["executive"], kind="decision").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.allocation_confirm(
            actor=world.users["pmo_a"], allocation=allocation, version=allocation.version
        )
    assert (
        Notification.objects.filter(
            recipient=world.users["pm_a"], key__startswith="allocation-confirmed"
        ).count()
        == 1
    )
