"""References of tests/access_spec.d/resources.yaml: a role, a resource in each pool (A's managed
by the executive, with a skill), an absence, a named allocation and a role demand on a1, an
allocation on b1."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from portfolio.resource_models import Absence, Resource, ResourceSkill, Role, Skill
from projects.models import Allocation


def references(world, refs: dict) -> dict:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    dev = Role.objects.create(code="access-dev", name="Développeur (accès)", cost_rate_per_day=Decimal("600"))
    resource_a = Resource.objects.create(
        portfolio=world.portfolio_a, name="Ressource A", role=dev, manager=world.users["executive"]
    )
    resource_b = Resource.objects.create(portfolio=world.portfolio_b, name="Ressource B", role=dev)
    skill = Skill.objects.create(name="Reprise de données (accès)")
    ResourceSkill.objects.create(resource=resource_a, skill=skill)
    absence_a = Absence.objects.create(
        resource=resource_a,
        start_date=monday + timedelta(weeks=3),
        end_date=monday + timedelta(weeks=3, days=4),
    )
    period = {"start_date": monday, "end_date": monday + timedelta(weeks=6, days=4)}
    allocation_a1 = Allocation.objects.create(
        project=world.a1, resource=resource_a, role=dev, unit="percent", percent=Decimal("40"), **period
    )
    demand_a1 = Allocation.objects.create(
        project=world.a1, role=dev, unit="percent", percent=Decimal("50"), **period
    )
    allocation_b1 = Allocation.objects.create(
        project=world.b1, resource=resource_b, role=dev, unit="percent", percent=Decimal("40"), **period
    )
    return {
        "role_dev": dev,
        "resource_a": resource_a,
        "resource_b": resource_b,
        "skill": skill,
        "absence_a": absence_a,
        "allocation_a1": allocation_a1,
        "demand_a1": demand_a1,
        "allocation_b1": allocation_b1,
        "week_end": (monday + timedelta(days=6)).isoformat(),
        "in_6_weeks": (monday + timedelta(weeks=6)).isoformat(),
    }
