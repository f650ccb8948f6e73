"""The `proposals` API: scoped list with score and rank (constant queries), create a draft, PATCH a
draft with If-Match (428/412), `submit`, `review`, `decide` (403 recorded), `reopen`."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from governance import intake
from governance.models import ProjectProposal
from pmo.core.models import SecurityEvent
from portfolio.models import ScoringCriterion
from projects.models import Project, ProjectScore
from tests.intake.conftest import proposal_data, submitted, under_review

pytestmark = pytest.mark.django_db
URL = "/api/v1/proposals/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(world, frame, **overrides) -> dict:
    data = {
        "portfolio": world.portfolio_a.pk,
        "title": "Coffre-fort numérique RH",
        "problem": "Les bulletins de paie sont imprimés.",
        "objectives": [{"objective": frame.costs.pk, "contribution": 2}],
        "requested_sponsor": world.users["sponsor"].pk,
        "desired_start": "2027-03-01",
        "desired_end": "2027-08-31",
        "capex": "30000.00",
        "opex": "6000.00",
        "efforts": [{"role": frame.dev.pk, "days": "40"}],
        "mandatory": True,
        "urgency": "critical",
    }
    data.update(overrides)
    return data


def test_the_api_creates_a_draft_patches_it_and_submits_it(world, frame):
    client = api_for(world.users["team"])
    response = client.post(URL, payload(world, frame), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["reference"] == "DP-001" and body["project"] is None
    assert body["efforts"] == [{"role": frame.dev.pk, "role_name": "Développeur", "days": "40.0"}]
    assert response["ETag"] == '"1"'
    detail = f"{URL}{body['id']}/"
    assert client.patch(detail, {"capex": "1"}, format="json").status_code == 428
    assert client.patch(detail, {"capex": "1"}, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    response = client.patch(detail, {"capex": "35000"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["capex"] == "35000.00"
    assert response["ETag"] == '"2"'
    response = client.post(f"{detail}submit/", HTTP_IF_MATCH='"2"')
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "submitted" and body["project"] is not None
    assert Project.objects.get(pk=body["project"]).state == Project.State.PROPOSED
    # submitted: frozen
    response = client.patch(detail, {"capex": "2"}, format="json", HTTP_IF_MATCH='"3"')
    assert response.status_code == 400 and ProjectProposal.objects.get().capex == Decimal("35000")


def test_bad_input_is_a_400_naming_the_field(world, frame):
    client = api_for(world.users["team"])
    response = client.post(URL, payload(world, frame, capex="-1"), format="json")
    assert response.status_code == 400 and "capex" in response.json()
    response = client.post(
        URL,
        payload(world, frame, desired_end="2027-01-01", requested_sponsor=world.users["pmo_b"].pk),
        format="json",
    )
    assert response.status_code == 400 and {"desired_end", "requested_sponsor"} <= set(response.json())
    response = client.post(
        URL, payload(world, frame, efforts=[{"role": frame.elsewhere.pk, "days": "3"}]), format="json"
    )
    assert response.status_code == 400 and "efforts" in response.json()
    assert ProjectProposal.objects.count() == 0


def test_a_foreign_portfolio_is_unknown(world, frame):
    response = api_for(world.users["pm_b"]).post(URL, payload(world, frame), format="json")
    assert response.status_code == 400 and "portfolio" in response.json()


def test_decide_through_the_api(world, frame):
    proposal = submitted(world, frame)
    pmo = api_for(world.users["pmo_a"])
    response = pmo.post(f"{URL}{proposal.pk}/review/")
    assert response.status_code == 200 and response.json()["state"] == "under_review"
    before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).count()
    response = api_for(world.users["team"]).post(
        f"{URL}{proposal.pk}/decide/", {"outcome": "approved", "rationale": "Moi"}, format="json"
    )
    assert response.status_code == 403
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).count() == before + 1
    response = pmo.post(
        f"{URL}{proposal.pk}/decide/", {"outcome": "parked", "rationale": "Plus tard"}, format="json"
    )
    assert response.status_code == 400 and "revisit_on" in response.json()
    revisit = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = pmo.post(
        f"{URL}{proposal.pk}/decide/",
        {"outcome": "parked", "rationale": "Plus tard", "revisit_on": revisit},
        format="json",
    )
    assert response.status_code == 200 and response.json()["revisit_on"] == revisit
    response = api_for(world.users["executive"]).post(f"{URL}{proposal.pk}/reopen/")
    assert response.status_code == 200 and response.json()["state"] == "under_review"
    response = pmo.post(
        f"{URL}{proposal.pk}/decide/",
        {"outcome": "approved", "rationale": "Go"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 412
    response = pmo.post(
        f"{URL}{proposal.pk}/decide/", {"outcome": "approved", "rationale": "Go"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert Project.objects.get(pk=proposal.project_id).state == Project.State.ACTIVE


def test_the_list_is_scoped_filtered_and_scored(world, frame):
    criterion = ScoringCriterion.objects.create(portfolio=world.portfolio_a, code="v", name="Valeur")
    first = under_review(world, frame)
    ProjectScore.objects.create(project_id=first.project_id, criterion=criterion, value=4)
    intake.proposal_create(
        actor=world.users["pm_a"], portfolio=world.portfolio_a, data=proposal_data(world, frame)
    )
    rows = api_for(world.users["pmo_a"]).get(URL).json()["results"]
    assert [(r["id"], r["score"], r["rank"]) for r in rows] == [(first.pk, "75.0", 1)]
    assert api_for(world.users["pm_b"]).get(URL).json()["count"] == 0
    assert api_for(world.users["pm_a"]).get(URL).json()["count"] == 2  # their draft and the submitted one
    assert api_for(world.users["pmo_a"]).get(URL, {"state": "draft"}).json()["count"] == 0
    assert (
        api_for(world.users["pmo_a"]).get(URL, {"urgency": "high", "q": "fournisseurs"}).json()["count"] == 1
    )
    assert api_for(world.users["pm_b"]).get(f"{URL}{first.pk}/").status_code == 404


def test_the_list_runs_constant_queries(world, frame):
    criterion = ScoringCriterion.objects.create(portfolio=world.portfolio_a, code="v", name="Valeur")
    client = api_for(world.users["pmo_a"])

    def add(count):
        for _ in range(count):
            proposal = submitted(world, frame)
            ProjectScore.objects.create(project_id=proposal.project_id, criterion=criterion, value=3)

    def measure() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        assert response.status_code == 200
        return len(captured)

    add(2)
    small = measure()
    add(10)
    large = measure()
    print(f"QUERY-BUDGET api:proposal-list: {small} queries with 2 proposals, {large} with 12")
    assert small == large <= 10
    assert Decimal(client.get(URL).json()["results"][0]["score"]) == Decimal("50.0")
