"""`/api/v1/schedule-imports/`: multipart upload → preview JSON, read back, apply."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import CostLine, Milestone, Project, ScheduleImport
from tests.imports.helpers import sample

pytestmark = pytest.mark.django_db


def _upload(name, data, filename="plan.xml"):
    return SimpleUploadedFile(filename, data, content_type="application/octet-stream")


def test_upload_then_apply_into_a_project(world, client_for):
    client = client_for("pm_a")

    response = client.post(
        reverse("api:schedule-import-list"),
        {
            "file": _upload("f", sample("msproject-sample.xml")),
            "project": world.a1.pk,
            "category": "capex",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    preview = body["preview"]
    assert (body["state"], body["format"], body["project"]) == ("pending", "mspdi", world.a1.pk)
    assert (preview["new"], preview["updated"], preview["milestones_in_file"]) == (1, 0, 1)
    assert (preview["planned_total"], preview["cost_months"]) == ("352625.00", 3)
    assert preview["changes"][0]["after"]["forecast_date"] == "2003-01-07"
    assert client.get(reverse("api:schedule-import-detail", args=[body["id"]])).json()["preview"]["new"] == 1

    applied = client.post(reverse("api:schedule-import-apply", args=[body["id"]]))

    assert applied.status_code == 200
    assert (applied.json()["new"], applied.json()["cost_lines"]) == (1, 3)
    assert Milestone.objects.filter(project=world.a1, source="mspdi").count() == 1
    assert CostLine.objects.filter(project=world.a1, category="capex").count() == 3
    again = client.post(reverse("api:schedule-import-apply", args=[body["id"]]))
    assert again.status_code == 400


def test_new_project_from_the_api(world, client_for):
    response = client_for("pmo_a").post(
        reverse("api:schedule-import-list"),
        {
            "file": _upload("f", sample("p6-small.xer"), "p6.xer"),
            "portfolio": world.portfolio_a.pk,
            "code": "api-p6",
        },
    )
    assert response.status_code == 201, response.content

    applied = client_for("pmo_a").post(reverse("api:schedule-import-apply", args=[response.json()["id"]]))

    assert applied.status_code == 200
    assert Project.objects.get(pk=applied.json()["project"]).code == "api-p6"


def test_permissions_and_errors(world, client_for):
    url = reverse("api:schedule-import-list")
    team = client_for("team").post(
        url, {"file": _upload("f", sample("msproject-sample.xml")), "project": world.a1.pk}
    )
    unseen = client_for("pm_b").post(
        url, {"file": _upload("f", sample("msproject-sample.xml")), "project": world.a1.pk}
    )
    pm_new = client_for("pm_a").post(
        url,
        {
            "file": _upload("f", sample("p6-small.xer"), "p.xer"),
            "portfolio": world.portfolio_a.pk,
            "code": "x",
        },
    )
    data = sample("msproject-sample.xml")
    truncated = client_for("pm_a").post(url, {"file": _upload("f", data[:4000]), "project": world.a1.pk})
    invalid_xer = client_for("pm_a").post(
        url, {"file": _upload("f", b"ERMHDR\t8.4\n%T\tPROJECT\n", "bad.xer"), "project": world.a1.pk}
    )

    assert team.status_code == 403
    assert unseen.status_code == 400 and "project" in unseen.json()  # an invisible id is an unknown id
    assert pm_new.status_code == 403
    assert truncated.status_code == 400 and "tronqué" in truncated.json()["file"][0]
    assert invalid_xer.status_code == 400 and "tronqué" in invalid_xer.json()["file"][0]
    assert not ScheduleImport.objects.exists()


def test_imports_of_others_are_404(world, client_for):
    response = client_for("pm_a").post(
        reverse("api:schedule-import-list"),
        {"file": _upload("f", sample("msproject-sample.xml")), "project": world.a1.pk},
    )
    pk = response.json()["id"]

    for name in ("pmo_a", "superuser"):
        assert client_for(name).get(reverse("api:schedule-import-detail", args=[pk])).status_code == 404
        assert client_for(name).post(reverse("api:schedule-import-apply", args=[pk])).status_code == 404
    assert not Milestone.objects.exists()
