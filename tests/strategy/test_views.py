"""Strategy pages: the PMO scores a project (422 and nothing written on a score off the scale), the
ranking and its sensitivity table, the strategy tab, the benefits roll-up; the API's bad input; and
the query budget of the ranking, roll-up and tab (constant from 10 to 40 projects)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import BenefitMeasurement, Project, ProjectObjective, ProjectScore
from tests.factories import ProjectFactory
from tests.strategy.conftest import TODAY, make_benefit, make_model, measure

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def scores_post(model, **values):
    data = {}
    for name, value in values.items():
        criterion = getattr(model, name)
        data[f"value_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = f"Pourquoi {name}"
    return data


def test_pmo_scores_a_project_and_the_tab_shows_it(client_for, world, model):
    client = client_for("pmo_a")
    url = reverse("projects:strategy-scores", args=[world.a1.pk])
    response = client.post(url, scores_post(model, value=5, urgency=3, risk=2), headers=HX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#project-strategy"
    assert "80,0 / 100" in response.content.decode()
    world.a1.refresh_from_db()
    assert world.a1.strategic_score == 80
    assert ProjectScore.objects.filter(project=world.a1).count() == 3


def test_score_off_the_scale_answers_422_and_writes_nothing(client_for, world, model):
    client = client_for("pmo_a")
    url = reverse("projects:strategy-scores", args=[world.a1.pk])
    response = client.post(url, scores_post(model, value=4, urgency=9), headers=HX)
    assert response.status_code == 422
    assert "Urgence est noté de 1 à 5." in response.content.decode()
    assert not ProjectScore.objects.exists()


def test_project_manager_may_not_score_but_links_objectives(client_for, world, model):
    client = client_for("pm_a")
    assert client.get(reverse("projects:strategy-scores", args=[world.a1.pk])).status_code == 403
    response = client.post(
        reverse("projects:strategy-objectives", args=[world.a1.pk]),
        {f"objective_{model.growth.pk}": "3"},
        headers=HX,
    )
    assert response.status_code == 200
    assert ProjectObjective.objects.get(project=world.a1).contribution == 3


def test_negative_weight_answers_422(client_for, world):
    client = client_for("pmo_a")
    url = reverse("portfolio:strategy-create", args=[world.portfolio_a.pk, "criteria"])
    response = client.post(
        url,
        {"code": "neg", "name": "Négatif", "weight": "-2", "scale_low": "1", "scale_high": "5"},
        headers=HX,
    )
    assert response.status_code == 422
    assert 'id="id_weight_error"' in response.content.decode()
    assert not world.portfolio_a.scoring_criteria.exists()


def test_strategy_tab_shows_weights_as_shares(client_for, world, model):
    response = client_for("executive").get(reverse("portfolio:strategy-partial", args=[world.portfolio_a.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "50,0 %" in content and "20,0 %" in content  # value 50 of 100, risk 20 of 100
    assert "Add a criterion" not in content


def rank_projects(world, model, count: int) -> None:
    have = Project.objects.filter(portfolio=world.portfolio_a).count()
    projects = ProjectFactory.create_batch(
        count - have, portfolio=world.portfolio_a, manager=world.users["pm_a"]
    )
    rows = []
    for index, project in enumerate(projects):
        rows += [
            ProjectScore(project=project, criterion=model.value, value=1 + index % 5),
            ProjectScore(project=project, criterion=model.urgency, value=1 + (index * 3) % 5),
            ProjectScore(project=project, criterion=model.risk, value=1 + (index * 7) % 5),
        ]
    ProjectScore.objects.bulk_create(rows)
    ProjectObjective.objects.bulk_create(
        ProjectObjective(project=p, objective=model.growth, contribution=2) for p in projects
    )
    for project in projects[:3]:
        benefit = make_benefit(project)
        measure(benefit, 20, "80")


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=HX)
    assert response.status_code == 200
    return len(captured)


def test_ranking_lists_projects_with_sensitivity(client_for, world, model):
    rank_projects(world, model, 12)
    response = client_for("pmo_a").get(reverse("projects:portfolio-ranking", args=[world.portfolio_a.pk]))
    content = response.content.decode()
    assert 'id="ranking-table"' in content and 'id="sensitivity-table"' in content
    for name in ("Valeur", "Urgence", "Risque"):
        assert name in content
    assert "croissance" in content


@pytest.mark.parametrize(
    "name", ["projects:portfolio-ranking", "projects:portfolio-benefits", "portfolio:strategy-partial"]
)
def test_portfolio_fragments_run_constant_queries(client_for, world, model, name):
    client = client_for("pmo_a")
    url = reverse(name, args=[world.portfolio_a.pk])
    rank_projects(world, model, 10)
    small = queries(client, url)
    rank_projects(world, model, 40)
    large = queries(client, url)
    print(f"QUERY-BUDGET {name}: {small} queries with 10 projects, {large} with 40")
    assert small == large
    assert large <= 15


def test_project_tab_runs_constant_queries(client_for, world, model):
    client = client_for("pmo_a")
    url = reverse("projects:strategy-partial", args=[world.a1.pk])
    benefit = make_benefit(world.a1)
    measure(benefit, 30, "90")
    small = queries(client, url)
    for index in range(6):
        other = make_benefit(
            world.a1, description=f"Gain {index}", category="financial", yearly_value=Decimal(1000)
        )
        for days in (40, 20, 5):
            measure(other, days, "80")
    large = queries(client, url)
    print(f"QUERY-BUDGET projects:strategy-partial: {small} queries with 1 benefit, {large} with 7")
    assert small == large


def test_owner_measures_after_closure(client_for, world):
    Project.objects.filter(pk=world.a1.pk).update(state=Project.State.CLOSED)
    benefit = make_benefit(world.a1, owner=world.users["sponsor"])
    client = client_for("sponsor")
    url = reverse("projects:measurement-create", args=[world.a1.pk, benefit.pk])
    response = client.post(url, {"date": TODAY.isoformat(), "value": "60"}, headers=HX)
    assert response.status_code == 200
    assert BenefitMeasurement.objects.get().recorded_by == world.users["sponsor"]
    # A date in the future: 422, nothing written.
    response = client.post(url, {"date": (TODAY + timedelta(days=3)).isoformat(), "value": "55"}, headers=HX)
    assert response.status_code == 422
    assert BenefitMeasurement.objects.count() == 1
    # The executive reads it but is not its owner.
    assert client_for("executive").get(url).status_code == 403


def test_api_bad_input(client_for, world, model):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(world.users["pmo_a"])
    response = api.post(
        "/api/v1/project-scores/",
        {"project": world.a1.pk, "criterion": model.value.pk, "value": 7},
        format="json",
    )
    assert response.status_code == 400
    assert f"criterion_{model.value.pk}" in response.json()
    response = api.post(
        "/api/v1/objectives/",
        {"portfolio": world.portfolio_a.pk, "code": "neg", "name": "Négatif", "weight": "-1"},
        format="json",
    )
    assert response.status_code == 400 and "weight" in response.json()
    # A measurement of a benefit of a project the user cannot see: an unknown benefit.
    hidden = make_benefit(world.b1)
    response = api.post(
        "/api/v1/benefit-measurements/",
        {"benefit": hidden.pk, "date": TODAY.isoformat(), "value": "1"},
        format="json",
    )
    assert response.status_code == 400 and "benefit" in response.json()
    assert not BenefitMeasurement.objects.exists()
    assert api.get(f"/api/v1/benefits/{hidden.pk}/").status_code == 404
    ranking = api.get(f"/api/v1/ranking/?portfolio={world.portfolio_a.pk}")
    assert ranking.status_code == 200
    assert api.get(f"/api/v1/ranking/?portfolio={world.portfolio_b.pk}").status_code == 404


def test_ranking_with_a_second_model(world):
    """The helper builds a usable model on another portfolio (criteria are per portfolio)."""
    other = make_model(world.portfolio_b)
    assert other.value.portfolio_id == world.portfolio_b.pk
