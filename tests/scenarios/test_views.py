"""Scenario pages: list, editor, run, result, compare, commit; bad input 422; frozen 422; query counts."""

import pytest
from django.urls import reverse

from governance import scenario_services as services
from governance.scenario_models import Scenario
from tests.scenarios.conftest import YEAR, propose

pytestmark = pytest.mark.django_db


def test_list_detail_and_compare_render_for_a_reader(bench, scenario, client_for):
    services.scenario_run(actor=bench.world.users["pmo_a"], scenario=scenario)
    client = client_for("executive")
    page = client.get(reverse("governance:scenario-list", args=[bench.world.portfolio_a.pk]))
    assert page.status_code == 200 and "Plan 2027" in page.content.decode()
    page = client.get(reverse("governance:scenario-detail", args=[scenario.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="frontier-chart"' in html and "p1" in html
    assert "Run the optimiser" not in html and "Lancer" not in html  # readers do not run
    page = client.get(
        reverse("governance:scenario-compare", args=[bench.world.portfolio_a.pk]), {"scenario": [scenario.pk]}
    )
    assert page.status_code == 200 and 'id="compare-table"' in page.content.decode()
    assert client.get(reverse("governance:scenario-progress", args=[scenario.pk])).status_code == 200


def test_the_officer_lowers_a_budget_reruns_and_sees_the_binding_limit(bench, scenario, client_for):
    client = client_for("pmo_a")
    url = reverse("governance:scenario-edit", args=[scenario.pk])
    assert client.get(url).status_code == 200
    form = {
        "name": scenario.name,
        "description": "",
        "first_year": str(YEAR),
        "years": "1",
        "version": str(scenario.version),
        f"budget-{YEAR}-capex": "200000",
        f"budget-{YEAR}-opex": "0",
        f"requires-{bench.p4.pk}": [str(bench.p3.pk)],
        "then": "run",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.run_status == "optimal"
    html = client.get(reverse("governance:scenario-detail", args=[scenario.pk])).content.decode()
    assert 'id="binding-list"' in html and "CAPEX" in html
    # bad input: the form again, 422, the field named, nothing written
    form.update({f"budget-{YEAR}-capex": "-1", "version": str(scenario.version)})
    response = client.post(url, form)
    assert response.status_code == 422 and "is-invalid" in response.content.decode()
    scenario.refresh_from_db()
    assert scenario.budgets.get(year=YEAR, kind="capex").amount == 200000


def test_create_then_commit_then_frozen(bench, client_for):
    client = client_for("pmo_a")
    url = reverse("governance:scenario-create", args=[bench.world.portfolio_a.pk])
    assert client.post(url, {"name": "", "first_year": str(YEAR), "years": "1"}).status_code == 422
    response = client.post(url, {"name": "Sobriété", "first_year": str(YEAR), "years": "1"})
    assert response.status_code == 302
    scenario = Scenario.objects.get(name="Sobriété")
    assert client.post(reverse("governance:scenario-run", args=[scenario.pk])).status_code == 302
    scenario.refresh_from_db()
    commit = reverse("governance:scenario-commit", args=[scenario.pk])
    assert client.get(commit).status_code == 200
    assert client.post(commit, {"rationale": "", "version": scenario.version}).status_code == 422
    assert (
        client.post(commit, {"rationale": "Arbitrage du comité", "version": scenario.version}).status_code
        == 302
    )
    scenario.refresh_from_db()
    assert scenario.is_frozen and scenario.decisions.count() == 1
    assert client.post(reverse("governance:scenario-run", args=[scenario.pk])).status_code == 422
    edit = client.post(
        reverse("governance:scenario-edit", args=[scenario.pk]), {"name": "X", "version": scenario.version}
    )
    assert edit.status_code == 422


def test_pages_take_a_constant_number_of_queries(bench, scenario, client_for, django_assert_max_num_queries):
    services.scenario_run(actor=bench.world.users["pmo_a"], scenario=scenario)
    client = client_for("pmo_a")
    urls = [
        reverse("governance:scenario-list", args=[bench.world.portfolio_a.pk]),
        reverse("governance:scenario-detail", args=[scenario.pk]),
        reverse("governance:scenario-edit", args=[scenario.pk]),
        reverse("governance:scenario-compare", args=[bench.world.portfolio_a.pk])
        + f"?scenario={scenario.pk}",
    ]
    counts = []
    for url in urls:
        with django_assert_max_num_queries(60) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    from governance.scenario_models import ScenarioProject

    for index in range(5):
        project = propose(bench.world, f"n{index}", value=2, capex=5000, days_t1=1, dev=bench.dev)
        ScenarioProject.objects.create(scenario=scenario, project=project)
    services.scenario_create(
        actor=bench.world.users["pmo_a"],
        portfolio=bench.world.portfolio_a,
        data={"name": "Bis", "first_year": YEAR, "years": 1},
    )
    scenario.refresh_from_db()
    services.scenario_run(actor=bench.world.users["pmo_a"], scenario=scenario)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
