"""The consolidated dashboard (`?portfolio=all`): every live portfolio the reader sees, added up, each
reader seeing only their visible projects; never amounts of different currencies added together."""

import pytest
from django.urls import reverse
from django.utils import timezone

from pmo.core.roles import Role
from projects.models import Project
from tests.factories import MembershipFactory, PortfolioFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("reporting:dashboard")


def codes(response) -> list[str]:
    return sorted(r.code for r in response.context["page_obj"].object_list)


@pytest.fixture
def head_of_pmo(world):
    """PMO officer of both portfolios."""
    user = world.users["pmo_a"]
    MembershipFactory(portfolio=world.portfolio_b, user=user, role=Role.PMO)
    return user


def test_the_consolidated_view_adds_up_every_portfolio(client_for, world, head_of_pmo):
    response = client_for("pmo_a").get(URL, {"portfolio": "all"})
    assert response.status_code == 200
    assert response.context["scope"].consolidated
    assert codes(response) == ["a1", "a2", "b1"]
    kpis = response.context["kpis"]
    assert kpis.project_count == 3
    assert kpis.bac == world.a1.budget + world.a2.budget + world.b1.budget
    html = response.content.decode()
    # each row names its portfolio; the selector keeps "all" selected; the filters stay consolidated
    assert html.count('class="small text-body-tertiary text-truncate matrix-portfolio"') == 3
    assert "Portefeuille B" in html
    assert '<option value="all" selected>' in html
    assert '<input type="hidden" name="portfolio" value="all">' in html
    assert "?portfolio=all" in html  # the capacity summary of every portfolio
    # chasing and the COPIL pack are per portfolio
    assert response.context["can_chase"] is False
    assert response.context["can_request_pack"] is False
    assert 'name="kind" value="steering"' not in html
    # the matrix export covers the same projects: no portfolio in its query
    assert "portfolio=" not in response.context["export_query"]


def test_each_reader_sees_only_their_visible_projects(client_for, world, head_of_pmo):
    """The consolidated rows are exactly the union of the reader's one-portfolio views."""
    for name in ("pm_a", "team", "sponsor", "executive", "pmo_b", "pm_b"):
        client = client_for(name)
        consolidated = client.get(URL, {"portfolio": "all"})
        assert consolidated.status_code == 200, name
        union = []
        for portfolio in consolidated.context["scope"].live_portfolios:
            union += codes(client.get(URL, {"portfolio": portfolio.pk}))
        assert codes(consolidated) == sorted(union), name
        assert ("b1" in union) == (name in ("pmo_b", "pm_b")), name
        assert ("a1" in union) == (name not in ("pmo_b", "pm_b")), name


def test_filters_and_the_matrix_refresh_keep_the_consolidated_scope(client_for, world, head_of_pmo):
    client = client_for("pmo_a")
    body = client.get(
        URL,
        {"portfolio": "all", "state": "all"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard-body",
    )
    assert body.status_code == 200
    assert [t.name for t in body.templates][0] == "reporting/partials/dashboard_body.html"
    assert codes(body) == ["a1", "a2", "b1"]
    matrix = client.get(
        URL,
        {"portfolio": "all", "ordering": "-code"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard-matrix",
    )
    assert [r.code for r in matrix.context["page_obj"].object_list] == ["b1", "a2", "a1"]


def test_archived_portfolios_are_left_out(client_for, world, head_of_pmo):
    world.portfolio_b.archived_at = timezone.now()
    world.portfolio_b.save(update_fields=["archived_at"])
    response = client_for("pmo_a").get(URL, {"portfolio": "all"})
    assert codes(response) == ["a1", "a2"]
    assert response.context["scope"].live_portfolios == [world.portfolio_a]


def test_amounts_in_different_currencies_are_not_added_up(client_for, world, head_of_pmo):
    world.portfolio_b.currency = "USD"
    world.portfolio_b.save(update_fields=["currency"])
    response = client_for("pmo_a").get(URL, {"portfolio": "all"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="mixed-currencies"' in html
    assert "EUR, USD" in html
    assert "page_obj" not in response.context
    # one portfolio at a time still works
    assert codes(client_for("pmo_a").get(URL, {"portfolio": world.portfolio_b.pk})) == ["b1"]


def test_the_choice_is_offered_only_to_readers_of_several_portfolios(client_for, world, head_of_pmo):
    assert 'id="dashboard-portfolio"' in client_for("pmo_a").get(URL).content.decode()
    assert "Tous les portefeuilles" in client_for("pmo_a").get(URL).content.decode()
    assert 'id="dashboard-portfolio"' not in client_for("pm_a").get(URL).content.decode()


def test_a_reader_without_a_portfolio_gets_a_404(client, world):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL, {"portfolio": "all"}).status_code == 404
    assert client.get(URL).status_code == 200  # the "no portfolio yet" page


def test_proposed_projects_stay_in_the_pipeline_card(client_for, world, head_of_pmo):
    ProjectFactory(portfolio=world.portfolio_b, code="b9", state=Project.State.PROPOSED)
    response = client_for("pmo_a").get(URL, {"portfolio": "all"})
    assert codes(response) == ["a1", "a2", "b1"]
    assert response.context["proposed"].count == 1
    other = PortfolioFactory(code="pf-c", name="Portefeuille C")
    ProjectFactory(portfolio=other, code="c1")
    assert codes(client_for("pmo_a").get(URL, {"portfolio": "all"})) == ["a1", "a2", "b1"]
