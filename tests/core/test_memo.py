"""The per-request memo of the user's portfolio roles (pmo.core.memo): read once per request,
never stale after a membership change, absent outside requests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.core import memo
from pmo.core.roles import Role
from portfolio.models import Membership, portfolio_roles
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_roles_are_read_once_per_request_and_every_time_outside(world):
    user = world.users["pm_a"]
    with CaptureQueriesContext(connection) as outside:
        portfolio_roles(user)
        portfolio_roles(user)
    assert len(outside) == 2
    memo.start(user)
    with CaptureQueriesContext(connection) as inside:
        first = portfolio_roles(user)
        assert portfolio_roles(user) == first
        list(Project.objects.visible_to(user))
        list(Project.objects.editable_by(user))
    assert len(inside) == 3  # the roles once, then one query per list


def test_a_membership_change_is_seen_in_the_same_request(world):
    user = world.users["pm_a"]
    memo.start(user)
    assert world.b1 not in Project.objects.visible_to(user)
    membership = Membership.objects.create(portfolio=world.portfolio_b, user=user, role=Role.EXECUTIVE)
    assert world.b1 in Project.objects.visible_to(user)
    membership.delete()
    assert world.b1 not in Project.objects.visible_to(user)


def test_each_request_starts_with_an_empty_memo(client_for, world):
    client = client_for("pm_a")
    assert client.get(f"/projects/{world.b1.pk}/").status_code == 404
    Membership.objects.create(portfolio=world.portfolio_b, user=world.users["pm_a"], role=Role.EXECUTIVE)
    assert client.get(f"/projects/{world.b1.pk}/").status_code == 200
