"""The Import / export page: templates, exports, upload → preview (errors as a table) → apply."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Risk, TabularImport
from tests.factories import ProjectFactory
from tests.tabular.helpers import row, workbook

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "import.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_upload_preview_fix_apply(world, client_for):
    client = client_for("pm_a")
    page = reverse("projects:tabular", args=[world.portfolio_a.pk])
    assert client.get(page).status_code == 200

    bad = workbook({"risks": [row("risks", project="a1", title="Retard", probability=7, impact=2)]})
    response = client.post(page, {"file": _upload(bad)})
    job = TabularImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "projects:tabular-job", args=[job.pk]
    )
    preview = client.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in preview and "7 dépasse le maximum 5" in preview
    assert 'id="apply-import"' not in preview
    assert client.post(reverse("projects:tabular-job-apply", args=[job.pk])).status_code == 302
    assert not Risk.objects.exists()

    good = workbook({"risks": [row("risks", project="a1", title="Retard", probability=3, impact=2)]})
    job = TabularImport.objects.get(pk=client.post(page, {"file": _upload(good)})["Location"].split("/")[-2])
    preview = client.get(reverse("projects:tabular-job", args=[job.pk])).content.decode()
    assert 'data-count="risks-create">1<' in preview and "Retard" in preview

    done = client.post(reverse("projects:tabular-job-apply", args=[job.pk]))

    assert done.status_code == 302
    assert Risk.objects.get().title == "Retard"
    assert 'id="job-applied"' in client.get(done["Location"]).content.decode()


def test_refused_file_is_a_form_error(world, client_for):
    client = client_for("pmo_a")
    page = reverse("projects:tabular", args=[world.portfolio_a.pk])

    response = client.post(page, {"file": _upload(b"%PDF-1.4 nope", "x.csv")})
    wrong_suffix = client.post(page, {"file": _upload(b"a;b", "x.pdf")})

    assert response.status_code == wrong_suffix.status_code == 422
    assert "Type de fichier non reconnu" in response.content.decode()
    assert not TabularImport.objects.exists()


def test_status_fragment_polls_until_done(world, client_for):
    client = client_for("pm_a")
    job = TabularImport.objects.create(
        portfolio=world.portfolio_a,
        created_by=world.users["pm_a"],
        original_name="x.xlsx",
        format="xlsx",
        sha256="0" * 64,
        state=TabularImport.State.VALIDATING,
    )
    url = reverse("projects:tabular-job-status", args=[job.pk])
    running = client.get(url + "?running=1", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode() and "HX-Refresh" not in running
    job.state = TabularImport.State.READY
    job.save()
    finished = client.get(url + "?running=1", HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"


def test_templates_and_exports_download_as_attachments(world, client_for):
    client = client_for("sponsor")
    Risk.objects.create(project=world.a1, title="=1+1", probability=2, impact=2)

    template = client.get(reverse("projects:tabular-template", args=["workbook", "xlsx"]))
    export = client.get(reverse("projects:tabular-export", args=[world.portfolio_a.pk, "risks", "xlsx"]))
    csv = client.get(reverse("projects:tabular-export", args=[world.portfolio_a.pk, "risks", "csv"]))
    one = client.get(
        reverse("projects:tabular-export", args=[world.portfolio_a.pk, "workbook", "xlsx"])
        + f"?project={world.a2.pk}"
    )

    assert template["Content-Disposition"].startswith("attachment;")
    assert load_workbook(io.BytesIO(template.content)).sheetnames == [
        "Projets",
        "Jalons",
        "Coûts",
        "Risques",
        "Problèmes",
        "Ressources",
        "Absences",
        "Listes",
    ]
    sheet = load_workbook(io.BytesIO(export.content))["Risques"]
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"
    assert "'=1+1" in csv.content.decode("utf-8-sig")
    assert load_workbook(io.BytesIO(one.content))["Risques"]["A2"].value is None  # a2 has no risk
    assert (
        client.get(
            reverse("projects:tabular-export", args=[world.portfolio_a.pk, "workbook", "csv"])
        ).status_code
        == 404
    )


def test_export_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("pmo_a")
    url = reverse("projects:tabular-export", args=[world.portfolio_a.pk, "workbook", "xlsx"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for i in range(5):
        project = ProjectFactory(portfolio=world.portfolio_a, code=f"more-{i}", manager=world.users["pm_a"])
        Risk.objects.create(project=project, title="R", probability=1, impact=1, owner=world.users["pm_a"])
    assert count() == small


def test_page_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("pm_a")
    url = reverse("projects:tabular", args=[world.portfolio_a.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for i in range(5):
        TabularImport.objects.create(
            portfolio=world.portfolio_a,
            created_by=world.users["pm_a"],
            original_name=f"{i}.xlsx",
            format="xlsx",
            sha256="0" * 64,
        )
    assert count() == small
