"""A portfolio A ready for scenarios: a scoring criterion, a developer in the pool, a1 running, and
four proposals with planned cost next year and role-only developer demand in its first quarter."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from governance import scenario_services as services
from portfolio.models import ScoringCriterion
from portfolio.resource_models import Resource, Role
from projects.models import Allocation, CostLine, Dependency, Project, ProjectScore
from tests.factories import ProjectFactory

YEAR = timezone.localdate().year + 1


def propose(world, code: str, *, value: int, capex: int, days_t1: int = 0, dev=None):
    """A proposal of portfolio A scored `value` (1–5), with `capex` € planned in January next year
    and `days_t1` developer days requested over the first quarter (role-only)."""
    project = ProjectFactory(
        portfolio=world.portfolio_a, code=code, name=f"Projet {code}", state=Project.State.PROPOSED
    )
    ProjectScore.objects.create(project=project, criterion=world.criterion, value=value)
    if capex:
        CostLine.objects.create(
            project=project, month=date(YEAR, 1, 1), category="capex", planned=Decimal(capex)
        )
    if days_t1:
        # 7 h a day over the quarter's working days: hours_per_week = days * 7 / weeks
        Allocation.objects.create(
            project=project,
            role=dev,
            start_date=date(YEAR, 1, 1),
            end_date=date(YEAR, 3, 31),
            unit="hours",
            hours_per_week=Decimal(days_t1 * 35) / Decimal(working_days_t1()),
            state="requested",
        )
    return project


def working_days_t1() -> int:
    from projects.capacity import working_days

    return working_days(date(YEAR, 1, 1), date(YEAR, 3, 31))


@pytest.fixture
def bench(world):
    world.criterion = ScoringCriterion.objects.create(
        portfolio=world.portfolio_a, code="valeur", name="Valeur", weight=Decimal(100)
    )
    dev = Role.objects.create(code="dev-scn", name="Développeur", cost_rate_per_day=Decimal("600"))
    Resource.objects.create(
        portfolio=world.portfolio_a, name="Alice Dev", role=dev, cost_rate_per_day=Decimal(500)
    )
    # a1 (running): 50 000 € CAPEX next January; a2 is running too but costs nothing
    CostLine.objects.create(
        project=world.a1, month=date(YEAR, 1, 1), category="capex", planned=Decimal(50000)
    )
    ProjectScore.objects.create(project=world.a1, criterion=world.criterion, value=3)
    p1 = propose(world, "p1", value=5, capex=100000, days_t1=20, dev=dev)
    p2 = propose(world, "p2", value=4, capex=80000, days_t1=20, dev=dev)
    p3 = propose(world, "p3", value=2, capex=30000, dev=dev)
    p4 = propose(world, "p4", value=4, capex=40000, dev=dev)
    Dependency.objects.create(project=p4, title="Socle", depends_on_project=p3)
    return SimpleNamespace(world=world, dev=dev, p1=p1, p2=p2, p3=p3, p4=p4)


@pytest.fixture
def scenario(bench):
    return services.scenario_create(
        actor=bench.world.users["pmo_a"],
        portfolio=bench.world.portfolio_a,
        data={"name": "Plan 2027", "first_year": YEAR, "years": 1},
    )
