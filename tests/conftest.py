"""Shared fixtures: the principals of RELIABILITY.md and a two-portfolio world they live in."""

from types import SimpleNamespace

import pytest

from pmo.core.roles import Role
from tests.factories import (
    MembershipFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectMemberFactory,
    UserFactory,
)

pytest_plugins = ["tests.url_coverage"]

PRINCIPALS = (
    "anonymous",
    "team",
    "pm_a",
    "pm_b",
    "sponsor",
    "executive",
    "pmo_a",
    "pmo_b",
    "superuser",
)


@pytest.fixture
def world(db):
    """Portfolio A (project A1 managed by pm_a, sponsored by `sponsor`, with `team` on its team;
    project A2 run by someone else) and portfolio B (project B1 managed by pm_b)."""
    users = {name: UserFactory(username=name) for name in PRINCIPALS if name != "anonymous"}
    users["superuser"].is_superuser = users["superuser"].is_staff = True
    users["superuser"].save()
    portfolio_a = PortfolioFactory(code="pf-a", name="Portefeuille A")
    portfolio_b = PortfolioFactory(code="pf-b", name="Portefeuille B")
    for name, portfolio, role in [
        ("team", portfolio_a, Role.TEAM_MEMBER),
        ("pm_a", portfolio_a, Role.PROJECT_MANAGER),
        ("sponsor", portfolio_a, Role.EXECUTIVE),
        ("executive", portfolio_a, Role.EXECUTIVE),
        ("pmo_a", portfolio_a, Role.PMO),
        ("pm_b", portfolio_b, Role.PROJECT_MANAGER),
        ("pmo_b", portfolio_b, Role.PMO),
    ]:
        MembershipFactory(portfolio=portfolio, user=users[name], role=role)
    other_pm = UserFactory(username="other_pm")
    MembershipFactory(portfolio=portfolio_a, user=other_pm, role=Role.PROJECT_MANAGER)
    programme_a = ProgrammeFactory(portfolio=portfolio_a, code="prog-a", name="Programme A")
    programme_b = ProgrammeFactory(portfolio=portfolio_b, code="prog-b", name="Programme B")
    a1 = ProjectFactory(
        portfolio=portfolio_a,
        programme=programme_a,
        code="a1",
        name="Projet A1",
        manager=users["pm_a"],
        sponsor=users["sponsor"],
    )
    a2 = ProjectFactory(portfolio=portfolio_a, code="a2", name="Projet A2", manager=other_pm)
    b1 = ProjectFactory(
        portfolio=portfolio_b,
        programme=programme_b,
        code="b1",
        name="Projet B1",
        manager=users["pm_b"],
    )
    member = ProjectMemberFactory(project=a1, user=users["team"])
    return SimpleNamespace(
        users=users,
        portfolio_a=portfolio_a,
        portfolio_b=portfolio_b,
        programme_a=programme_a,
        programme_b=programme_b,
        a1=a1,
        a2=a2,
        b1=b1,
        member=member,
        other_pm=other_pm,
    )


@pytest.fixture
def client_for(client, world):
    """A logged-in Django test client for a principal name (anonymous: not logged in)."""
    from django.test import Client

    def make(name: str) -> Client:
        new = Client()
        if name != "anonymous":
            new.force_login(world.users[name])
        return new

    return make
