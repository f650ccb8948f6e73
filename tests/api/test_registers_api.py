"""Registers, status reports and the QCDR endpoint through the API, scoped like the pages."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from projects.models import CostLine, Milestone, Risk, StatusReport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wednesday_of_week_48():
    with time_machine.travel("2026-11-25 10:00:00+01:00", tick=False):
        yield


MONDAY = "2026-11-23"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_pm_creates_and_updates_a_milestone_with_if_match(world):
    client = api_for(world.users["pm_a"])
    created = client.post(
        "/api/v1/milestones/",
        {"project": world.a1.pk, "name": "Recette", "baseline_date": "2027-03-01", "is_key": True},
        format="json",
    )
    assert created.status_code == 201
    url = f"/api/v1/milestones/{created.json()['id']}/"
    assert client.patch(url, {"forecast_date": "2027-03-22"}, format="json").status_code == 428
    updated = client.patch(url, {"forecast_date": "2027-03-22"}, format="json", HTTP_IF_MATCH='"1"')
    assert updated.status_code == 200
    assert updated["ETag"] == '"2"'
    assert Milestone.objects.get().forecasts.count() == 1


def test_register_rows_of_foreign_projects_are_invisible(world):
    Risk.objects.create(project=world.b1, title="Risque B", probability=3, impact=3)
    client = api_for(world.users["pm_a"])
    assert client.get("/api/v1/risks/").json()["count"] == 0
    risk_b = Risk.objects.get()
    assert client.get(f"/api/v1/risks/{risk_b.pk}/").status_code == 404
    injected = client.post(
        "/api/v1/risks/", {"project": world.b1.pk, "title": "X", "probability": 1, "impact": 1}, format="json"
    )
    assert injected.status_code == 400
    assert Risk.objects.count() == 1


def test_reader_cannot_write_a_register(world):
    response = api_for(world.users["executive"]).post(
        "/api/v1/risks/", {"project": world.a1.pk, "title": "X", "probability": 1, "impact": 1}, format="json"
    )
    assert response.status_code == 403


def test_bad_register_input_names_every_field(world):
    response = api_for(world.users["pm_a"]).post(
        "/api/v1/risks/", {"project": world.a1.pk, "title": "", "probability": 7, "impact": 0}, format="json"
    )
    assert response.status_code == 400
    assert {"title", "probability", "impact"} <= set(response.json())
    negative = api_for(world.users["pm_a"]).post(
        "/api/v1/cost-lines/",
        {"project": world.a1.pk, "category": "opex", "period": "2026-11-01", "actual": "-10"},
        format="json",
    )
    assert negative.status_code == 400
    assert "actual" in negative.json()
    assert not Risk.objects.exists() and not CostLine.objects.exists()


def test_status_report_draft_patch_submit_and_freeze(world):
    client = api_for(world.users["pm_a"])
    draft = client.post(
        "/api/v1/status-reports/",
        {"project": world.a1.pk, "period_start": MONDAY, "overall": "green", "cost": "amber"},
        format="json",
    )
    assert draft.status_code == 201
    assert draft.json()["state"] == "draft"
    url = f"/api/v1/status-reports/{draft.json()['id']}/"
    patched = client.patch(
        url, {"schedule": "red", "schedule_comment": "Recette +3 sem."}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert patched.status_code == 200
    submitted = client.post(url + "submit/", HTTP_IF_MATCH='"2"')
    assert submitted.status_code == 200
    body = submitted.json()
    assert (body["state"], body["schedule"], body["comments"]["schedule"]) == (
        "submitted",
        "red",
        "Recette +3 sem.",
    )
    assert body["indicated"]["declared"]["schedule"] == "red"
    frozen = client.patch(url, {"schedule": "green"}, format="json", HTTP_IF_MATCH='"3"')
    assert frozen.status_code == 400
    project = client.get(f"/api/v1/projects/{world.a1.pk}/").json()
    assert project["latest_status"]["id"] == body["id"]


@pytest.mark.parametrize(
    ("period", "field"),
    [("2026-11-24", "period_start"), ("2026-11-30", "period_start")],
)
def test_status_report_period_must_be_a_started_monday(world, period, field):
    response = api_for(world.users["pm_a"]).post(
        "/api/v1/status-reports/", {"project": world.a1.pk, "period_start": period}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_second_report_for_the_same_week_is_refused(world):
    client = api_for(world.users["pm_a"])
    client.post("/api/v1/status-reports/", {"project": world.a1.pk, "period_start": MONDAY}, format="json")
    again = client.post(
        "/api/v1/status-reports/", {"project": world.a1.pk, "period_start": MONDAY}, format="json"
    )
    assert again.status_code == 400
    assert "period_start" in again.json()
    assert StatusReport.objects.count() == 1


def test_correction_keeps_both_revisions(world):
    client = api_for(world.users["pm_a"])
    report_id = client.post(
        "/api/v1/status-reports/",
        {"project": world.a1.pk, "period_start": MONDAY, "cost": "green"},
        format="json",
    ).json()["id"]
    client.post(f"/api/v1/status-reports/{report_id}/submit/")
    corrected = client.post(
        f"/api/v1/status-reports/{report_id}/correct/",
        {"reason": "Facture oubliée", "cost": "red"},
        format="json",
    )
    assert corrected.status_code == 201
    assert corrected.json()["revision"] == 2
    assert client.get(f"/api/v1/status-reports/?project={world.a1.pk}").json()["count"] == 2


def test_qcdr_endpoint_has_declared_indicated_reasons_and_evm(world):
    CostLine.objects.create(
        project=world.a1,
        month=date(2026, 10, 1),
        category="opex",
        planned=Decimal("50000"),
        actual=Decimal("70000"),
    )
    Risk.objects.create(
        project=world.a1, title="Indisponibilité de l'équipe de test", probability=4, impact=4
    )
    client = api_for(world.users["team"])
    data = client.get(f"/api/v1/projects/{world.a1.pk}/qcdr/").json()
    assert set(data) >= {"declared", "indicated", "reasons", "evm", "stale", "watermelon"}
    assert data["indicated"]["risk"] == "red"
    assert data["reasons"]["risk"][0]["code"] == "top_risk"
    assert "Indisponibilité" in data["reasons"]["risk"][0]["text"]
    assert data["evm"]["ac"] == "70000.0000"
    assert data["evm"]["cpi"] is None  # no earned value yet: not computable, not an error
    assert data["stale"] is True
    assert client.get(f"/api/v1/projects/{world.b1.pk}/qcdr/").status_code == 404


def test_deliverable_review_rejection_needs_a_comment(world):
    client = api_for(world.users["pm_a"])
    deliverable = client.post(
        "/api/v1/deliverables/", {"project": world.a1.pk, "name": "PV de recette"}, format="json"
    )
    url = f"/api/v1/deliverables/{deliverable.json()['id']}/review/"
    assert client.post(url, {"state": "rejected"}, format="json").status_code == 400
    accepted = client.post(url, {"state": "accepted"}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"


def test_dependency_on_an_invisible_project_is_an_unknown_id(world):
    response = api_for(world.users["pm_a"]).post(
        "/api/v1/dependencies/",
        {"project": world.a1.pk, "title": "Besoin de B1", "depends_on_project": world.b1.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "depends_on_project" in response.json()


def test_project_list_embeds_latest_status_without_extra_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ProjectFactory

    client = api_for(world.users["pmo_a"])
    client.post("/api/v1/status-reports/", {"project": world.a1.pk, "period_start": MONDAY}, format="json")
    report = StatusReport.objects.get()
    client.post(f"/api/v1/status-reports/{report.pk}/submit/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/projects/")
    ProjectFactory.create_batch(20, portfolio=world.portfolio_a)
    with CaptureQueriesContext(connection) as many:
        rows = client.get("/api/v1/projects/?page_size=100").json()["results"]
    assert len(many) == len(few)
    assert next(r for r in rows if r["id"] == world.a1.pk)["latest_status"]["period_start"] == MONDAY
