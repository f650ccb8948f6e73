"""/api/v1/tabular-imports/: upload → job id → status/result with row errors → apply; exports."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from projects.models import Risk
from tests.tabular.helpers import row, workbook

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tabular-imports/"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _file(data: bytes, name: str = "r.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_upload_status_apply(world):
    api = _api(world.users["pm_a"])
    data = workbook(
        {
            "risks": [
                row("risks", project="a1", title="A", probability=2, impact=2),
                row("risks", project="a1", title="B", probability=0, impact=2),
            ]
        }
    )

    created = api.post(BASE, {"file": _file(data), "portfolio": world.portfolio_a.pk}, format="multipart")

    assert created.status_code == 201
    job = created.json()
    assert job["state"] == "invalid" and job["result"]["error_count"] == 1
    assert job["result"]["errors"] == [
        {
            "sheet": "Risques",
            "row": 3,
            "column": "Probabilité (1-5)",
            "message": "0 est inférieur au minimum 1",
        }
    ]
    assert api.post(f"{BASE}{job['id']}/apply/").status_code == 409

    fixed = workbook({"risks": [row("risks", project="a1", title="A", probability=2, impact=2)]})
    job = api.post(BASE, {"file": _file(fixed), "portfolio": world.portfolio_a.pk}, format="multipart").json()
    status = api.get(f"{BASE}{job['id']}/").json()
    assert status["state"] == "ready" and status["progress"] == 100
    assert status["result"]["sheets"][0]["create"] == 1

    applied = api.post(f"{BASE}{job['id']}/apply/")

    assert applied.status_code == 200 and applied.json()["state"] == "applied"
    assert Risk.objects.get().title == "A"


def test_refusals(world):
    api = _api(world.users["pm_a"])
    bad = api.post(
        BASE, {"file": _file(b"PK\x03\x04junk"), "portfolio": world.portfolio_a.pk}, format="multipart"
    )
    other = api.post(BASE, {"file": _file(b"a;b\n"), "portfolio": world.portfolio_b.pk}, format="multipart")
    reader = _api(world.users["executive"]).post(
        BASE, {"file": _file(b"a;b\n", "x.csv"), "portfolio": world.portfolio_a.pk}, format="multipart"
    )
    assert bad.status_code == 400 and "illisible" in bad.json()["file"][0]
    assert other.status_code == 400 and "portfolio" in other.json()  # invisible portfolio: unknown id
    assert reader.status_code == 403
    job = api.post(
        BASE,
        {"file": _file(workbook({"risks": []})), "portfolio": world.portfolio_a.pk},
        format="multipart",
    ).json()
    assert _api(world.users["pmo_a"]).get(f"{BASE}{job['id']}/").status_code == 404


def test_export_and_template(world):
    Risk.objects.create(project=world.a1, title="Visible", probability=1, impact=1)
    api = _api(world.users["team"])

    export = api.get(f"{BASE}export/", {"portfolio": world.portfolio_a.pk, "kind": "risks", "type": "xlsx"})
    csv = api.get(f"{BASE}export/", {"portfolio": world.portfolio_a.pk, "kind": "risks", "type": "csv"})
    template = api.get(f"{BASE}template/", {"kind": "workbook"})

    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")
    assert load_workbook(io.BytesIO(export.content))["Risques"]["B2"].value == "Visible"
    assert "Visible" in csv.content.decode("utf-8-sig")
    assert load_workbook(io.BytesIO(template.content)).sheetnames[0] == "Projets"
    assert api.get(f"{BASE}export/", {"portfolio": world.portfolio_b.pk}).status_code == 404
    assert api.get(f"{BASE}export/", {"portfolio": world.portfolio_a.pk, "kind": "x"}).status_code == 400


def test_documented_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {f"{BASE}", f"{BASE}{{id}}/", f"{BASE}{{id}}/apply/", f"{BASE}export/", f"{BASE}template/"} <= set(
        paths
    )
    assert "multipart/form-data" in paths[BASE]["post"]["requestBody"]["content"]
