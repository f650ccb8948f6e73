"""The demo pool (~60 people, realistic load, a few overloaded, some on leave, requests to staff)
and the benchmark pool (bulk inserts)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from portfolio.models import Portfolio
from portfolio.resource_models import Absence, Resource
from portfolio.seed import seed_large_structure
from projects.capacity_seed import seed_large_capacity
from projects.capacity_selectors import CapacityFilters, heat_map, overallocations
from projects.models import Allocation
from projects.seed import seed_large_projects

pytestmark = pytest.mark.django_db


def test_demo_pool_has_sixty_people_with_a_realistic_load():
    call_command("seed_demo", stdout=io.StringIO())
    from pmo.core.models import User

    pmo = User.objects.get(username="pmo")
    assert Resource.objects.count() == 60
    assert Absence.objects.count() >= 20
    assert Allocation.objects.filter(resource__isnull=True).exists()  # requests to staff
    assert Allocation.objects.filter(state="requested", resource__isnull=False).exists()
    heat = heat_map(user=pmo, filters=CapacityFilters(start=timezone.localdate(), periods=12))
    assert len(heat.rows) == 60
    assert 3 <= heat.overloaded_count <= 15  # some overloaded, not everybody
    booked = sum(cell.allocated for cell in heat.totals)
    available = sum(cell.capacity for cell in heat.totals)
    assert 0.4 < booked / available < 0.9
    assert overallocations(user=pmo, filters=CapacityFilters(start=timezone.localdate(), periods=12))
    assert Resource.objects.get(user__username="team").name == "Thomas Petit"
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert Resource.objects.count() == 60


def test_large_pool_is_bulk_inserted(world):
    today = timezone.localdate()
    portfolios, managers = seed_large_structure(password="x", managers=3)
    seed_large_projects(portfolios=portfolios, managers=managers, today=today, count=40)
    counts = seed_large_capacity(today=today, people=400)
    assert counts["Resource"] == 400 and counts["Allocation"] >= 600 and counts["Absence"] == 40
    assert Resource.objects.filter(portfolio__code__startswith="bench-").count() == 400
    assert seed_large_capacity(today=today) == {}  # already there
    assert not Allocation.objects.filter(end_date__lt=today - timedelta(weeks=13)).exists()
    assert Portfolio.objects.filter(code__startswith="bench-").count() == 4
