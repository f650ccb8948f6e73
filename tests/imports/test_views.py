"""Schedule import pages: upload → preview → apply, errors as 422, other people's imports 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Milestone, Project, ScheduleImport
from tests.imports.helpers import milestone, mspdi, phase, sample

pytestmark = pytest.mark.django_db


def _file(data=None, name="plan.xml"):
    data = data or mspdi(
        phase(1, "Conception"), milestone(2, "Go conception", "2026-03-02", baseline="2026-02-23")
    )
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_upload_preview_apply_into_a_project(world, client_for):
    client = client_for("pm_a")
    url = reverse("projects:schedule-import", args=[world.a1.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"file": _file(), "cost_category": "opex"})

    pending = ScheduleImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:schedule-import-preview", args=[pending.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'data-count="new">1<' in page.content
    assert "Go conception" in page.content.decode()
    assert not Milestone.objects.exists()

    done = client.post(reverse("projects:schedule-import-apply", args=[pending.pk]))

    assert done.status_code == 302 and done["Location"] == world.a1.get_absolute_url()
    assert Milestone.objects.get().source_uid == "2"
    # applied: the preview is gone, a second apply finds nothing
    assert client.get(response["Location"]).status_code == 404
    assert client.post(reverse("projects:schedule-import-apply", args=[pending.pk])).status_code == 404


def test_bad_files_are_form_errors(world, client_for):
    client = client_for("pm_a")
    url = reverse("projects:schedule-import", args=[world.a1.pk])
    data = sample("msproject-sample.xml")

    truncated = client.post(url, {"file": _file(data[:5000]), "cost_category": "opex"})
    wrong_type = client.post(url, {"file": _file(b"PK\x03\x04", name="plan.xlsx"), "cost_category": "opex"})
    renamed = client.post(url, {"file": _file(b"PK\x03\x04", name="plan.xml"), "cost_category": "opex"})

    assert truncated.status_code == wrong_type.status_code == renamed.status_code == 422
    assert "illisible ou tronqué" in truncated.content.decode()
    assert "Type de fichier non reconnu" in renamed.content.decode()
    assert not ScheduleImport.objects.exists()


def test_other_users_see_no_pending_import(world, client_for):
    client_for("pm_a").post(
        reverse("projects:schedule-import", args=[world.a1.pk]), {"file": _file(), "cost_category": "opex"}
    )
    pending = ScheduleImport.objects.get()

    for name in ("pmo_a", "superuser", "pm_b"):
        client = client_for(name)
        assert client.get(reverse("projects:schedule-import-preview", args=[pending.pk])).status_code == 404
        assert client.post(reverse("projects:schedule-import-apply", args=[pending.pk])).status_code == 404
    assert not Milestone.objects.exists()


def test_new_project_from_a_xer(world, client_for):
    client = client_for("pmo_a")
    url = reverse("projects:schedule-import-new")
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "portfolio": world.portfolio_a.pk,
            "code": "p6-small",
            "name": "",
            "file": _file(sample("p6-small.xer"), name="p6-small.xer"),
            "cost_category": "capex",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Pas de table TASKRSRC" in page.content.decode()
    done = client.post(reverse("projects:schedule-import-apply", args=[ScheduleImport.objects.get().pk]))

    project = Project.objects.get(code="p6-small")
    assert done["Location"] == project.get_absolute_url()
    assert project.name == "TEST PROJECT"


def test_new_project_code_must_be_free(world, client_for):
    response = client_for("pmo_a").post(
        reverse("projects:schedule-import-new"),
        {"portfolio": world.portfolio_a.pk, "code": "a1", "file": _file(), "cost_category": "opex"},
    )

    assert response.status_code == 422
    assert not ScheduleImport.objects.exists()
