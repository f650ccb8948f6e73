"""Project writes: validated before anything is written, audited with the actor, version-checked."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pghistory.models import Events

from pmo.core.locking import StaleVersionError
from projects import services
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_project_create_writes_one_audited_row(world):
    project = services.project_create(
        actor=world.users["pmo_a"],
        data={"portfolio": world.portfolio_a, "code": "neo", "name": "Néo", "budget": Decimal("5000")},
    )
    events = list(Events.objects.tracks(project))
    assert [e.pgh_label for e in events] == ["insert"]
    assert events[0].pgh_context["user"] == world.users["pmo_a"].pk


def test_project_create_refuses_people_and_programme_from_another_portfolio(world):
    with pytest.raises(ValidationError) as error:
        services.project_create(
            actor=world.users["pmo_a"],
            data={
                "portfolio": world.portfolio_a,
                "programme": world.programme_b,
                "code": "x",
                "name": "X",
                "manager": world.users["pm_b"],
                "sponsor": world.users["pmo_b"],
            },
        )
    assert set(error.value.message_dict) == {"programme", "manager", "sponsor"}
    assert not Project.objects.filter(code="x").exists()


def test_project_update_bumps_the_version_and_records_who(world):
    services.project_update(actor=world.users["pm_a"], project=world.a1, version=1, data={"name": "Renommé"})
    world.a1.refresh_from_db()
    assert (world.a1.name, world.a1.version) == ("Renommé", 2)
    last = Events.objects.tracks(world.a1).order_by("-pgh_created_at", "-pgh_id").first()
    assert last.pgh_label == "update"
    assert last.pgh_context["user"] == world.users["pm_a"].pk


def test_project_update_with_a_stale_version_changes_nothing(world):
    services.project_update(actor=world.users["pm_a"], project=world.a1, version=1, data={"name": "Un"})
    stale = Project.objects.get(pk=world.a1.pk)
    stale.version = 1
    with pytest.raises(StaleVersionError):
        services.project_update(actor=world.users["pm_a"], project=stale, version=1, data={"name": "Deux"})
    assert Project.objects.get(pk=world.a1.pk).name == "Un"


def test_project_update_validates_dates_before_writing(world):
    world.a1.start_date = None
    with pytest.raises(ValidationError):
        services.project_update(
            actor=world.users["pm_a"],
            project=world.a1,
            version=1,
            data={"start_date": "2026-06-01", "end_date": "2026-01-01"},
        )
    assert Project.objects.get(pk=world.a1.pk).version == 1


def test_archive_and_restore_keep_everything(world):
    services.project_set_archived(actor=world.users["pmo_a"], project=world.a1, archived=True)
    assert Project.objects.get(pk=world.a1.pk).archived_at is not None
    assert world.a1.members.count() == 1
    services.project_set_archived(actor=world.users["pmo_a"], project=world.a1, archived=False)
    assert Project.objects.get(pk=world.a1.pk).archived_at is None
    reasons = [
        (e.pgh_context or {}).get("reason") for e in Events.objects.tracks(world.a1).order_by("pgh_id")
    ]
    assert reasons[-2:] == ["archive", "restore"]


def test_team_member_must_belong_to_the_portfolio(world):
    with pytest.raises(ValidationError):
        services.project_member_add(actor=world.users["pmo_a"], project=world.a1, user=world.users["pm_b"])
    member = services.project_member_add(
        actor=world.users["pmo_a"], project=world.a1, user=world.users["executive"], project_role="Référent"
    )
    assert member.project_role == "Référent"
