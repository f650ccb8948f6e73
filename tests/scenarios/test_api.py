"""/api/v1/scenarios/: CRUD with If-Match/412, run, result, frontier, commit, 409 once frozen."""

import pytest
from rest_framework.test import APIClient

from governance.scenario_models import Scenario
from tests.scenarios.conftest import YEAR

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_scenario_api_journey(bench):
    world = bench.world
    pmo = api_for(world.users["pmo_a"])
    created = pmo.post(
        "/api/v1/scenarios/",
        {"portfolio": world.portfolio_a.pk, "name": "API", "first_year": YEAR, "years": 1},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert {p["mode"] for p in body["projects"]} == {"candidate", "mandatory"}
    url = f"/api/v1/scenarios/{body['id']}/"
    etag = pmo.get(url)["ETag"]
    assert pmo.patch(url, {"name": "Sans version"}, format="json").status_code == 428
    assert pmo.patch(url, {"name": "Périmé"}, format="json", HTTP_IF_MATCH='"0"').status_code == 412
    bad = pmo.patch(
        url, {"budgets": [{"year": YEAR, "kind": "capex", "amount": "-1"}]}, format="json", HTTP_IF_MATCH=etag
    )
    assert bad.status_code == 400
    changed = pmo.patch(
        url,
        {
            "budgets": [{"year": YEAR, "kind": "capex", "amount": "200000"}],
            "projects": [{"project": bench.p1.pk, "mode": "candidate", "manual": True}],
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert changed.status_code == 200, changed.content
    run = pmo.post(url + "run/")
    assert run.status_code == 200 and run.json()["run_status"] == "optimal"
    result = pmo.get(url + "result/").json()
    assert result["status"] == "optimal" and result["binding"]
    assert any(item["project"] == bench.p1.pk for item in result["left_out"])
    frontier = pmo.get(url + "frontier/").json()
    assert frontier and {"budget", "score", "count"} <= set(frontier[0])
    version = pmo.get(url)["ETag"]
    assert (
        pmo.post(url + "commit/", {"rationale": ""}, format="json", HTTP_IF_MATCH=version).status_code == 400
    )
    committed = pmo.post(url + "commit/", {"rationale": "Comité du 12"}, format="json", HTTP_IF_MATCH=version)
    assert committed.status_code == 200 and committed.json()["state"] == "committed"
    etag = committed["ETag"]
    assert pmo.patch(url, {"name": "Après"}, format="json", HTTP_IF_MATCH=etag).status_code == 409
    assert pmo.post(url + "run/").status_code == 409
    assert (
        pmo.post(url + "commit/", {"rationale": "Encore"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 409
    )
    # readers read, others do not see it
    assert api_for(world.users["executive"]).get(url).status_code == 200
    assert api_for(world.users["executive"]).post(url + "run/").status_code == 403
    assert api_for(world.users["pm_b"]).get(url).status_code == 404
    assert Scenario.objects.get(pk=body["id"]).decisions.count() == 1


def test_infeasible_result_says_which_constraints_conflict(bench, scenario):
    pmo = api_for(bench.world.users["pmo_a"])
    url = f"/api/v1/scenarios/{scenario.pk}/"
    etag = pmo.get(url)["ETag"]
    pmo.patch(
        url,
        {"budgets": [{"year": YEAR, "kind": "capex", "amount": "30000"}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert pmo.post(url + "run/").json()["run_status"] == "infeasible"
    problems = pmo.get(url + "result/").json()["problems"]
    assert len(problems) == 1 and "CAPEX" in problems[0] and "a1" in problems[0]
    assert "20" in problems[0]  # 20 000 € over


def test_list_takes_a_constant_number_of_queries(bench, scenario, django_assert_max_num_queries):
    from governance import scenario_services as services

    pmo = api_for(bench.world.users["pmo_a"])
    with django_assert_max_num_queries(30) as few:
        assert pmo.get("/api/v1/scenarios/").status_code == 200
    for index in range(3):
        services.scenario_create(
            actor=bench.world.users["pmo_a"],
            portfolio=bench.world.portfolio_a,
            data={"name": f"S{index}", "first_year": YEAR, "years": 1},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(pmo.get("/api/v1/scenarios/").json()["results"]) == 4
