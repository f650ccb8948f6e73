"""RELIABILITY row 20: soft delete. Archiving hides a project or programme from everyone but the
portfolio's PMO officers, loses no child row, and restoring gives back exactly what was there.

The access matrix (tests/access_spec.yaml, `archived:` entries) checks every URL of an archived
object; this module checks the data: row counts and checksums of every table that points at the
project, before, during and after, and the on_delete rule of every relation to a project.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from rest_framework.test import APIClient

from pmo.core.periods import week_start
from projects.models import Assumption, Dependency, Issue, Project, StatusReport
from tests.factories import CostLineFactory, DeliverableFactory, MilestoneFactory, RiskFactory

pytestmark = pytest.mark.django_db

NON_PMO = ["team", "pm_a", "pm_b", "sponsor", "executive", "pmo_b"]

# Every relation of the application's models is PROTECT: nothing with history is deleted (projects,
# programmes and portfolios are archived, users deactivated), so no row can disappear with its
# parent. The exceptions are not history, each for a reason:
NOT_PROTECTED = {
    # access rights and credentials, which go with their holder or object
    "projects.ProjectMember.project": "a team list is an access right, not history",
    "projects.ProjectMember.user": "a team list is an access right, not history",
    "projects.CalendarToken.user": "a personal feed credential",
    "core.Notification.recipient": "a user's inbox",
    # a denormalised pointer, recomputed from the reports
    "projects.Project.latest_report": "a pointer to the latest report (SET_NULL), recomputed",
    # a RACI cell belongs to a team member: removing the member clears its cells (each delete is
    # recorded by the cells' audit trigger)
    "projects.RaciAssignment.member": "RACI cells go with the team member",
    # SET_NULL: the record stays when what it points at goes
    "projects.Stakeholder.user": "the stakeholder remains without the account",
    "portfolio.Resource.user": "the person stays in the pool without the account",
    "portfolio.Resource.manager": "the person stays in the pool without a manager",
    "projects.MilestoneBaseline.milestone": "a baseline keeps its milestone's name and dates",
    "projects.Document.current_version": "a pointer to the latest version, recomputed",
    "governance.Decision.agenda_item": "a decision stays in the log without its agenda line",
}
APPS = {"core", "portfolio", "projects", "governance", "reporting"}


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def relations_to(targets: set[str]):
    for model in apps.get_models():
        if model._meta.label.endswith("Event"):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model._meta.label in targets:
                yield f"{model._meta.label}.{field.name}", field


def application_relations():
    """Every foreign key and one-to-one of the application's models (not the audit event tables,
    whose own relations pghistory declares without constraints)."""
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model._meta.label.endswith("Event"):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and not field.auto_created:
                yield f"{model._meta.label}.{field.name}", field


def test_history_bearing_relations_are_protected():
    relations = dict(application_relations())
    assert len(relations) > 40
    unprotected = {
        name: field.remote_field.on_delete.__name__
        for name, field in relations.items()
        if field.remote_field.on_delete is not models.PROTECT
    }
    assert set(unprotected) == set(NOT_PROTECTED), unprotected
    to_project = dict(relations_to({"projects.Project"}))
    for name in ("projects.StatusReport.project", "projects.Risk.project", "projects.CostLine.project"):
        assert to_project[name].remote_field.on_delete is models.PROTECT, name


def fill(project, world):
    """One row of every register of `project`."""
    MilestoneFactory(project=project)
    CostLineFactory(project=project, actual=Decimal("1234.56"))
    RiskFactory(project=project)
    DeliverableFactory(project=project)
    Issue.objects.create(project=project, title="Panne")
    Assumption.objects.create(project=project, title="Budget confirmé")
    Dependency.objects.create(project=project, title="API", depends_on_project=world.a2)
    monday = week_start(date.today())
    for weeks in (1, 2):
        StatusReport.objects.create(
            project=project, period_start=monday - timedelta(weeks=weeks), state="submitted"
        )


def snapshot(project) -> dict[str, tuple[int, str]]:
    """(row count, md5 of the rows in id order) of every table pointing at the project, and of the
    project row itself without the columns that archiving changes (archived_at, updated_at)."""
    result = {}
    with connection.cursor() as cursor:
        for name, field in relations_to({"projects.Project"}):
            table = field.model._meta.db_table
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "  # noqa: S608
                f'FROM "{table}" t WHERE "{field.column}" = %s',
                [project.pk],
            )
            result[name] = cursor.fetchone()
        columns = [
            f'"{f.column}"'
            for f in Project._meta.concrete_fields
            if f.name not in ("archived_at", "updated_at")
        ]
        cursor.execute(
            f"SELECT md5(row({', '.join(columns)})::text) FROM projects_project WHERE id = %s", [project.pk]
        )  # noqa: S608
        result["project"] = cursor.fetchone()
    return result


def test_archived_project_is_hidden_kept_whole_and_restored_identical(world, client_for):
    fill(world.a1, world)
    risk = world.a1.risks.get()
    pmo = api_for(world.users["pmo_a"])
    before = snapshot(world.a1)
    read_before = pmo.get(f"/api/v1/projects/{world.a1.pk}/").json()
    assert before["projects.StatusReport.project"][0] == 2

    assert pmo.delete(f"/api/v1/projects/{world.a1.pk}/").status_code == 204

    for name in NON_PMO:
        client = api_for(world.users[name])
        assert client.get(f"/api/v1/projects/{world.a1.pk}/").status_code == 404, name
        assert client.get(f"/api/v1/risks/{risk.pk}/").status_code == 404, name
        assert client.get(f"/api/v1/status-reports/?project={world.a1.pk}").json()["count"] == 0, name
        assert client_for(name).get(f"/projects/{world.a1.pk}/").status_code == 404, name
    assert pmo.get(f"/api/v1/risks/{risk.pk}/").status_code == 200
    assert snapshot(world.a1) == before  # no child row lost or changed

    restored = client_for("pmo_a").post(f"/projects/{world.a1.pk}/archive/", {"action": "restore"})
    assert restored.status_code == 302

    assert snapshot(world.a1) == before
    assert pmo.get(f"/api/v1/projects/{world.a1.pk}/").json() == read_before
    assert api_for(world.users["pm_a"]).get(f"/api/v1/projects/{world.a1.pk}/").status_code == 200


def test_archived_programme_is_hidden_and_its_projects_keep_their_link(world, client_for):
    pmo = api_for(world.users["pmo_a"])
    read_before = pmo.get(f"/api/v1/programmes/{world.programme_a.pk}/").json()

    assert pmo.delete(f"/api/v1/programmes/{world.programme_a.pk}/").status_code == 204

    for name in NON_PMO:
        assert (
            api_for(world.users[name]).get(f"/api/v1/programmes/{world.programme_a.pk}/").status_code == 404
        )
        assert client_for(name).get(f"/programmes/{world.programme_a.pk}/").status_code == 404, name
    assert Project.objects.get(pk=world.a1.pk).programme_id == world.programme_a.pk

    restored = client_for("pmo_a").post(f"/programmes/{world.programme_a.pk}/archive/", {"action": "restore"})
    assert restored.status_code == 302
    assert pmo.get(f"/api/v1/programmes/{world.programme_a.pk}/").json() == read_before


def test_registers_have_no_delete_and_history_cannot_be_deleted_underneath(world):
    fill(world.a1, world)
    risk = world.a1.risks.get()
    for name in ("pm_a", "pmo_a", "superuser"):
        assert api_for(world.users[name]).delete(f"/api/v1/risks/{risk.pk}/").status_code == 405
    # Even raw SQL cannot remove a project that still has history: the foreign keys refuse.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_project WHERE id = %s", [world.a1.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Project.objects.filter(pk=world.a1.pk).exists() and world.a1.risks.count() == 1
