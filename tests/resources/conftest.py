"""A small pool on top of the `world`: roles, a developer and an architect in A, one person in B."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from portfolio.resource_models import Resource, Role, Skill
from projects.models import Allocation


def monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


@pytest.fixture
def pool(world):
    dev = Role.objects.create(code="dev", name="Développeur", cost_rate_per_day=Decimal("600"))
    archi = Role.objects.create(code="archi", name="Architecte", cost_rate_per_day=Decimal("900"))
    java = Skill.objects.create(name="Java")
    alice = Resource.objects.create(
        portfolio=world.portfolio_a,
        name="Alice Dev",
        role=dev,
        department="Études",
        cost_rate_per_day=Decimal("500"),
        manager=world.users["executive"],
    )
    bob = Resource.objects.create(
        portfolio=world.portfolio_a,
        name="Bob Archi",
        role=archi,
        department="Infra",
        cost_rate_per_day=Decimal("800"),
        working_time_pct=80,
    )
    alice.skills.create(skill=java, level=3)
    carol = Resource.objects.create(
        portfolio=world.portfolio_b, name="Carol B", role=dev, cost_rate_per_day=Decimal("550")
    )
    return SimpleNamespace(
        dev=dev, archi=archi, java=java, alice=alice, bob=bob, carol=carol, monday=monday()
    )


def book(
    project, resource=None, *, role=None, weeks=(0, 4), percent=50, hours=None, state="confirmed", start=None
):
    """An allocation written directly (the fixtures' shortcut; services are tested on their own)."""
    first = (start or monday()) + timedelta(weeks=weeks[0])
    return Allocation.objects.create(
        project=project,
        resource=resource,
        role=role or resource.role,
        start_date=first,
        end_date=first + timedelta(weeks=weeks[1] - weeks[0], days=-3),
        unit="hours" if hours else "percent",
        percent=None if hours else Decimal(percent),
        hours_per_week=Decimal(hours) if hours else None,
        state=state if resource is not None else "requested",
    )
