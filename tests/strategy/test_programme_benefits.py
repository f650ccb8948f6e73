"""A programme's benefits tab: its own benefits, its projects' benefits and its business case over
the projects the user may read; the PMO records programme benefits (422 and nothing written on bad
input), the owner measures them; a constant number of queries as projects and benefits grow."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Benefit, BenefitMeasurement
from tests.factories import CostLineFactory, ProjectFactory
from tests.strategy.conftest import TODAY, make_benefit, measure
from tests.strategy.test_views import queries

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def programme(world):
    """Programme A: a1 (costs 100 000 €, a financial benefit of 20 000 € for a year) and a3, run by
    another manager (costs 50 000 €), which the team member may not read; a programme benefit of
    60 000 € a year for three years, owned by the executive."""
    a3 = ProjectFactory(
        portfolio=world.portfolio_a, programme=world.programme_a, code="a3", manager=world.other_pm
    )
    CostLineFactory(project=world.a1, month=date(2026, 1, 1), actual=Decimal(100_000), forecast=Decimal(0))
    CostLineFactory(project=a3, month=date(2026, 2, 1), actual=Decimal(50_000), forecast=Decimal(0))
    make_benefit(
        world.a1,
        description="Licences économisées",
        category=Benefit.Category.FINANCIAL,
        yearly_value=Decimal(20_000),
        years=1,
        expected_date=date(2027, 1, 1),
    )
    own = Benefit.objects.create(
        programme=world.programme_a,
        description="Clôture mensuelle en 3 jours",
        category=Benefit.Category.FINANCIAL,
        measure="Jours de clôture",
        unit="j",
        baseline=Decimal(10),
        target=Decimal(3),
        expected_date=date(2027, 1, 1),
        yearly_value=Decimal(60_000),
        years=3,
        owner=world.users["executive"],
    )
    measure(own, 20, "8")
    return world.programme_a


def test_pmo_sees_the_business_case_over_every_project(client_for, programme):
    response = client_for("pmo_a").get(reverse("projects:programme-benefits", args=[programme.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Clôture mensuelle en 3 jours" in html and "Licences économisées" in html
    # Costs 150 000 €, benefits 3 × 60 000 + 20 000 = 200 000 €: ROI 33,3 %.
    assert "150\xa0000" in html and "200\xa0000" in html
    assert "33,3 %" in html
    assert 'id="hidden-projects"' not in html
    assert "Ajouter un bénéfice de programme" in html


def test_team_member_sees_figures_over_the_projects_they_read(client_for, programme):
    response = client_for("team").get(reverse("projects:programme-benefits", args=[programme.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    # a3 is left out and said so: costs 100 000 €, benefits 200 000 €, ROI 100 %.
    assert 'id="hidden-projects"' in html and "1 projet du programme" in html
    assert "100,0 %" in html
    assert "Ajouter un bénéfice de programme" not in html


def test_pmo_records_a_programme_benefit_and_bad_input_writes_nothing(client_for, programme):
    client = client_for("pmo_a")
    url = reverse("projects:programme-benefit-create", args=[programme.pk])
    data = {
        "description": "Synergies d'achats",
        "category": "financial",
        "measure": "Économies",
        "baseline": "0",
        "target": "100000",
        "expected_date": "2027-12-31",
        "state": "planned",
        "yearly_value": "-5",
        "years": "3",
    }
    response = client.post(url, data, headers=HX)
    assert response.status_code == 422
    assert not Benefit.objects.filter(description="Synergies d'achats").exists()
    response = client.post(url, {**data, "yearly_value": "100000"}, headers=HX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#programme-benefits"
    created = Benefit.objects.get(description="Synergies d'achats")
    assert created.programme == programme and created.project is None
    assert "Synergies d&#x27;achats" in response.content.decode()


def test_owner_measures_and_project_manager_may_not(client_for, programme):
    own = Benefit.objects.get(programme=programme)
    url = reverse("projects:programme-measurement-create", args=[programme.pk, own.pk])
    assert client_for("pm_a").post(url, {"date": TODAY.isoformat(), "value": "6"}).status_code == 403
    response = client_for("executive").post(url, {"date": TODAY.isoformat(), "value": "6"}, headers=HX)
    assert response.status_code == 200
    assert BenefitMeasurement.objects.filter(benefit=own, date=TODAY, value=6).exists()
    # A measurement in the future: 422 naming the date, nothing written.
    later = TODAY.replace(year=TODAY.year + 1)
    response = client_for("executive").post(url, {"date": later.isoformat(), "value": "5"}, headers=HX)
    assert response.status_code == 422
    assert not BenefitMeasurement.objects.filter(benefit=own, date=later).exists()


def test_programme_manager_edits_programme_benefits(client_for, world, programme):
    programme.manager = world.users["pm_a"]
    programme.save()
    response = client_for("pm_a").get(reverse("projects:programme-benefit-create", args=[programme.pk]))
    assert response.status_code == 200


def test_programme_tab_runs_constant_queries(client_for, world, programme):
    client = client_for("pmo_a")
    url = reverse("projects:programme-benefits", args=[programme.pk])
    small = queries(client, url)
    for index in range(6):
        project = ProjectFactory(portfolio=world.portfolio_a, programme=programme, code=f"p{index}")
        CostLineFactory(project=project, month=date(2026, 3, 1), actual=Decimal(1000), forecast=Decimal(0))
        benefit = make_benefit(project, description=f"Gain {index}")
        measure(benefit, 10, "70")
        Benefit.objects.create(
            programme=programme,
            description=f"Programme {index}",
            category=Benefit.Category.NON_FINANCIAL,
            measure="Indice",
            target=Decimal(10),
            expected_date=date(2027, 6, 30),
        )
    large = queries(client, url)
    print(f"QUERY-BUDGET projects:programme-benefits: {small} queries with 2 projects, {large} with 8")
    assert large == small
    assert large <= 15


def test_programme_page_offers_the_benefits_tab(client_for, programme):
    html = client_for("team").get(programme.get_absolute_url()).content.decode()
    assert reverse("projects:programme-benefits", args=[programme.pk]) in html


def test_without_financial_benefits_no_return_is_claimed(client_for, world):
    """A programme with costs and only non-financial benefits: no ROI of −100 %, a plain note."""
    CostLineFactory(project=world.a1, month=date(2026, 1, 1), actual=Decimal(10_000), forecast=Decimal(0))
    make_benefit(world.a1)
    response = client_for("pmo_a").get(reverse("projects:programme-benefits", args=[world.programme_a.pk]))
    html = response.content.decode()
    assert 'id="no-financial-benefit"' in html
    assert "-100,0 %" not in html and "jamais" not in html
    assert "10\xa0000" in html  # the costs are still shown


def test_programme_page_draws_its_charts(client_for, programme):
    html = client_for("team").get(programme.get_absolute_url()).content.decode()
    assert "js/charts.js" in html
