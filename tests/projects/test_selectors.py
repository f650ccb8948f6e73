"""Project visibility and editability: one scoped queryset per rule, used by pages, API and tasks."""

import pytest

from projects.models import Project
from projects.selectors import my_projects, project_list

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("principal", "visible"),
    [
        ("team", {"a1"}),
        ("pm_a", {"a1", "a2"}),
        ("pm_b", {"b1"}),
        ("sponsor", {"a1", "a2"}),
        ("executive", {"a1", "a2"}),
        ("pmo_a", {"a1", "a2"}),
        ("pmo_b", {"b1"}),
        ("superuser", {"a1", "a2", "b1"}),
    ],
)
def test_project_list_is_scoped_by_role_and_portfolio(world, principal, visible):
    codes = set(project_list(user=world.users[principal]).values_list("code", flat=True))
    assert codes == visible


@pytest.mark.parametrize(
    ("principal", "editable"),
    [
        ("team", set()),
        ("pm_a", {"a1"}),
        ("pm_b", {"b1"}),
        ("sponsor", set()),
        ("executive", set()),
        ("pmo_a", {"a1", "a2"}),
        ("pmo_b", {"b1"}),
    ],
)
def test_editable_projects_follow_the_role(world, principal, editable):
    codes = set(Project.objects.editable_by(world.users[principal]).values_list("code", flat=True))
    assert codes == editable


def test_one_projects_editability_is_the_querysets(world):
    """Project.is_editable_by (no query) answers as ProjectQuerySet.editable_by for every principal,
    project manager or deputy, live or archived project, member of the portfolio or not."""
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import ProjectFactory

    Project.objects.filter(pk=world.a2.pk).update(deputy=world.users["pm_a"])
    archived = ProjectFactory(
        portfolio=world.portfolio_a,
        code="a3",
        manager=world.users["pm_a"],
        archived_at="2026-01-01T00:00:00Z",
    )
    foreign = ProjectFactory(portfolio=world.portfolio_b, code="b2", deputy=world.users["pm_a"])
    users = [AnonymousUser(), world.other_pm, *world.users.values()]
    projects = list(Project.objects.all())
    assert {archived.pk, foreign.pk} <= {p.pk for p in projects}
    checked = editable = 0
    for user in users:
        expected = set(Project.objects.editable_by(user).values_list("pk", flat=True))
        for project in projects:
            assert project.is_editable_by(user) == (project.pk in expected), (user, project.code)
            checked += 1
            editable += project.pk in expected
    assert checked == len(users) * len(projects) and 0 < editable < checked


def test_archived_project_is_visible_only_to_the_portfolio_pmo(world):
    Project.objects.filter(pk=world.a1.pk).update(archived_at="2026-01-01T00:00:00Z")
    assert not project_list(user=world.users["pm_a"]).filter(pk=world.a1.pk).exists()
    assert not project_list(user=world.users["executive"]).filter(pk=world.a1.pk).exists()
    assert project_list(user=world.users["pmo_a"]).filter(pk=world.a1.pk).exists()


def test_deputy_can_edit_and_sees_it_in_my_projects(world):
    Project.objects.filter(pk=world.a2.pk).update(deputy=world.users["pm_a"])
    assert set(my_projects(user=world.users["pm_a"]).values_list("code", flat=True)) == {"a1", "a2"}
    assert Project.objects.editable_by(world.users["pm_a"]).filter(pk=world.a2.pk).exists()


def test_project_list_runs_one_query_whatever_the_number_of_projects(world, django_assert_num_queries):
    from pmo.core import memo
    from tests.factories import ProjectFactory

    user = world.users["pmo_a"]
    memo.start(user)  # as in a request: the user's portfolio roles are read once
    with django_assert_num_queries(2):
        small = [p.manager for p in project_list(user=user)]
    ProjectFactory.create_batch(40, portfolio=world.portfolio_a, manager=world.other_pm)
    with django_assert_num_queries(1):
        large = [(p.manager, p.portfolio, p.programme, p.sponsor) for p in project_list(user=user)]
    assert len(large) == len(small) + 40
