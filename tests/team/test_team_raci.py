"""Team (users and external people), RACI (one Accountable per row, in the service and in the
database), visibility through the team, and the RACI matrix's constant query count."""

import time
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from projects import raci
from projects.models import Deliverable, Milestone, Project, ProjectMember, RaciActivity, RaciAssignment
from projects.services import team as team_services
from tests.factories import DeliverableFactory, MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world):
    milestone = MilestoneFactory(project=world.a1, name="Recette", baseline_date=date(2026, 12, 1))
    deliverable = DeliverableFactory(project=world.a1, name="Dossier d'architecture")
    return milestone, deliverable


def _external(world, name="Karim Benali"):
    return team_services.team_member_create(
        actor=world.users["pm_a"],
        project=world.a1,
        data={"name": name, "organisation": "Sopra Steria", "project_role": "Architecte"},
    )


def test_team_holds_users_and_external_people(world):
    external = _external(world)
    assert external.is_external and external.display_name == "Karim Benali"
    with pytest.raises(Exception) as error:
        team_services.team_member_create(actor=world.users["pm_a"], project=world.a1, data={"name": ""})
    assert "name" in error.value.message_dict
    with pytest.raises(Exception) as error:  # already on the team
        team_services.team_member_create(
            actor=world.users["pm_a"], project=world.a1, data={"user": world.users["team"]}
        )
    assert "user" in error.value.message_dict
    with pytest.raises(Exception) as error:  # not a member of the portfolio
        team_services.team_member_create(
            actor=world.users["pm_a"], project=world.a1, data={"user": world.users["pm_b"]}
        )
    assert "user" in error.value.message_dict
    assert ProjectMember.objects.filter(project=world.a1).count() == 2


def test_being_on_the_team_is_what_makes_a_project_visible_to_a_team_member(world):
    """The team member of portfolio A sees a1 (on its team) and not a2; put on a2's team, sees it."""
    team = world.users["team"]
    assert set(Project.objects.visible_to(team)) == {world.a1}
    team_services.team_member_create(actor=world.users["pmo_a"], project=world.a2, data={"user": team})
    assert set(Project.objects.visible_to(team)) == {world.a1, world.a2}


def test_exactly_one_accountable_per_row(world, rows):
    milestone, _deliverable = rows
    pm = world.users["pm_a"]
    external = _external(world)
    team_services.raci_set(
        actor=pm, project=world.a1, row_kind="milestone", row_id=milestone.pk, member=world.member, role="A"
    )
    with pytest.raises(Exception) as error:
        team_services.raci_set(
            actor=pm, project=world.a1, row_kind="milestone", row_id=milestone.pk, member=external, role="A"
        )
    assert "déjà Approbateur" in str(error.value.message_dict["role"])  # French first
    assert RaciAssignment.objects.filter(member=external).count() == 0  # nothing written
    # R is fine, and moving the A: clear it first, then give it
    team_services.raci_set(
        actor=pm, project=world.a1, row_kind="milestone", row_id=milestone.pk, member=external, role="R"
    )
    team_services.raci_set(
        actor=pm, project=world.a1, row_kind="milestone", row_id=milestone.pk, member=world.member, role=""
    )
    team_services.raci_set(
        actor=pm, project=world.a1, row_kind="milestone", row_id=milestone.pk, member=external, role="A"
    )
    assert list(RaciAssignment.objects.values_list("member_id", "role")) == [(external.pk, "A")]


def test_the_database_refuses_a_second_accountable(world, rows):
    milestone, _deliverable = rows
    external = _external(world)
    RaciAssignment.objects.create(
        project=world.a1, row_kind="milestone", row_id=milestone.pk, member=world.member, role="A"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RaciAssignment.objects.create(
            project=world.a1, row_kind="milestone", row_id=milestone.pk, member=external, role="A"
        )


def test_raci_rejects_unknown_rows_members_of_other_projects_and_bad_roles(world, rows):
    milestone, _deliverable = rows
    other = team_services.team_member_create(actor=world.users["pm_b"], project=world.b1, data={"name": "X"})
    pm = world.users["pm_a"]
    for kwargs, field in [
        ({"row_kind": "milestone", "row_id": milestone.pk, "member": world.member, "role": "Z"}, "role"),
        ({"row_kind": "milestone", "row_id": milestone.pk, "member": other, "role": "R"}, "member"),
        ({"row_kind": "gate", "row_id": milestone.pk, "member": world.member, "role": "R"}, "row"),
        ({"row_kind": "milestone", "row_id": 999999, "member": world.member, "role": "R"}, "row"),
    ]:
        with pytest.raises(Exception) as error:
            team_services.raci_set(actor=pm, project=world.a1, **kwargs)
        assert field in error.value.message_dict
    assert not RaciAssignment.objects.exists()


def test_matrix_rows_and_warning(world, rows):
    milestone, deliverable = rows
    activity = RaciActivity.objects.create(project=world.a1, name="Conduite du changement")
    team_services.raci_set(
        actor=world.users["pm_a"],
        project=world.a1,
        row_kind="deliverable",
        row_id=deliverable.pk,
        member=world.member,
        role="A",
    )
    matrix = raci.raci_matrix(project=world.a1)
    assert [(r.ref.kind, r.ref.id) for r in matrix.rows] == [
        ("milestone", milestone.pk),
        ("deliverable", deliverable.pk),
        ("activity", activity.pk),
    ]
    assert [r.accountable_count for r in matrix.rows] == [0, 1, 0]
    assert matrix.rows_without_accountable == 2


def test_registered_row_kinds_join_the_matrix(world, rows):
    """Another app (governance's gate reviews) adds a row kind without projects importing it."""
    raci.register_row_kind(
        "gate_review",
        label="Revue de jalon",
        rows=lambda project: [raci.RowRef("gate_review", 7, "Go/No-Go", None)],
        order=30,
    )
    try:
        matrix = raci.raci_matrix(project=world.a1)
        assert ("gate_review", 7) in [(r.ref.kind, r.ref.id) for r in matrix.rows]
        team_services.raci_set(
            actor=world.users["pm_a"],
            project=world.a1,
            row_kind="gate_review",
            row_id=7,
            member=world.member,
            role="A",
        )
    finally:
        raci.ROW_KINDS.pop("gate_review")


def _grow(project, *, members: int, milestones: int, deliverables: int, activities: int, portfolio):
    from portfolio.models import Membership

    users = UserFactory.create_batch(members)
    Membership.objects.bulk_create(Membership(portfolio=portfolio, user=u, role="team_member") for u in users)
    ProjectMember.objects.bulk_create(
        ProjectMember(project=project, user=u, project_role="Dev") for u in users
    )
    Milestone.objects.bulk_create(
        Milestone(project=project, name=f"J{i}", baseline_date=date(2026, 1, 1) + timedelta(days=i))
        for i in range(milestones)
    )
    Deliverable.objects.bulk_create(Deliverable(project=project, name=f"L{i}") for i in range(deliverables))
    RaciActivity.objects.bulk_create(
        RaciActivity(project=project, name=f"A{i}", position=i) for i in range(activities)
    )
    team = list(ProjectMember.objects.filter(project=project))
    RaciAssignment.objects.filter(project=project).delete()
    cells = []
    for kind, ids in (
        ("milestone", Milestone.objects.filter(project=project).values_list("pk", flat=True)),
        ("deliverable", Deliverable.objects.filter(project=project).values_list("pk", flat=True)),
        ("activity", RaciActivity.objects.filter(project=project).values_list("pk", flat=True)),
    ):
        for row_id in ids:
            for index, member in enumerate(team):
                cells.append(
                    RaciAssignment(
                        project=project,
                        row_kind=kind,
                        row_id=row_id,
                        member=member,
                        role="A" if index == 0 else "RCI"[index % 3],
                    )
                )
    RaciAssignment.objects.bulk_create(cells)


def _count(client, url):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_HX_REQUEST="true")
    response.elapsed_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_raci_matrix_query_count_is_constant_for_40_members_by_60_rows(world, client_for):
    """Team & RACI tab: 2 members × 3 rows, then 40 members × 60 rows (30 milestones, 20 deliverables,
    10 activities, 2,400 cells): the same number of queries."""
    client = client_for("pm_a")
    url = f"/projects/{world.a1.pk}/partials/team/"
    _grow(world.a1, members=1, milestones=1, deliverables=1, activities=1, portfolio=world.portfolio_a)
    small, _response = _count(client, url)
    _grow(world.a1, members=38, milestones=29, deliverables=19, activities=9, portfolio=world.portfolio_a)
    assert ProjectMember.objects.filter(project=world.a1).count() == 40
    assert len(raci.raci_matrix(project=world.a1).rows) == 60
    large, response = _count(client, url)
    print(
        f"QUERY-BUDGET RACI matrix: {small} queries (2 members x 3 rows), "
        f"{large} queries (40 members x 60 rows), rendered in {response.elapsed_ms:.0f} ms"
    )
    assert large == small
    assert large <= 15
    assert response.content.count(b"data-raci-cell=") == 40 * 60
