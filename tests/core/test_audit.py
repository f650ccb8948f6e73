"""The audit trail is written by database triggers: bulk and raw SQL changes are caught too."""

import pytest
from django.db import connection
from pghistory.models import Events

from pmo.core.audit import audit_context
from pmo.core.history import history_for
from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def project_events():
    from django.apps import apps

    return apps.get_model("projects", "ProjectEvent").objects


@pytest.mark.parametrize("path", ["save", "update", "bulk_update", "raw_sql"])
def test_every_write_path_leaves_one_event_per_row(world, path):
    ProjectFactory.create_batch(3, portfolio=world.portfolio_a)
    rows = list(Project.objects.filter(portfolio=world.portfolio_a).order_by("pk"))
    before = project_events().count()

    if path == "save":
        for row in rows:
            row.name += " *"
            row.save()
    elif path == "update":
        Project.objects.filter(pk__in=[r.pk for r in rows]).update(description="maj")
    elif path == "bulk_update":
        for row in rows:
            row.description = "bulk"
        Project.objects.bulk_update(rows, ["description"])
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE projects_project SET description = 'raw' WHERE portfolio_id = %s",
                [world.portfolio_a.pk],
            )

    assert project_events().count() - before == len(rows)


def test_bulk_create_and_delete_are_recorded(world):
    before = project_events().count()
    created = Project.objects.bulk_create(
        [Project(portfolio=world.portfolio_a, code=f"bulk{i}", name="B") for i in range(4)]
    )
    Project.objects.filter(pk__in=[p.pk for p in created]).delete()
    labels = list(project_events().order_by("pgh_id").values_list("pgh_label", flat=True))[before:]
    assert labels.count("insert") == 4
    assert labels.count("delete") == 4


def test_audit_events_cannot_be_altered(world):
    from django.db import InternalError, ProgrammingError, transaction

    event = project_events().first()
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        project_events().filter(pk=event.pk).update(name="tampered")


def test_history_names_the_user_and_the_changed_fields(world):
    with audit_context(actor=world.users["pm_a"]):
        Project.objects.filter(pk=world.a1.pk).update(name="Projet A1 bis", manager=world.users["pm_a"])
    entries = history_for(Project.objects.get(pk=world.a1.pk))
    assert entries[0].action == "update"
    assert entries[0].user == str(world.users["pm_a"])
    assert [(c.field, c.old, c.new) for c in entries[0].changes] == [("name", "Projet A1", "Projet A1 bis")]
    assert entries[-1].action == "insert"


def test_request_user_is_attached_to_events_written_by_a_page(client_for, world):
    client = client_for("pm_a")
    response = client.post(
        f"/projects/{world.a1.pk}/partials/summary/edit/",
        {"version": 1, "name": "Via la page", "description": "", "start_date": "", "end_date": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    last = Events.objects.tracks(world.a1).order_by("-pgh_id").first()
    assert last.pgh_context["user"] == world.users["pm_a"].pk
    assert last.pgh_context["url"] == f"/projects/{world.a1.pk}/partials/summary/edit/"
