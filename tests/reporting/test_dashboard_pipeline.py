"""The dashboard shows the running portfolio (active and on-hold projects) by default and the intake
pipeline (open proposals, their requested budget) apart: proposals never mix into the delivery
figures unless the reader picks the proposed state."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import intake
from governance.intake_selectors import pipeline_summary
from projects.models import Project
from reporting import selectors
from reporting.dashboard import build_dashboard, delivery_projects, proposed_projects
from tests.factories import ProjectFactory
from tests.intake.conftest import make_frame, proposal_data, submitted, under_review

pytestmark = pytest.mark.django_db

URL = "reporting:dashboard"


def codes(response) -> list[str]:
    return sorted(r.code for r in response.context["page_obj"].object_list)


@pytest.fixture
def proposed(world):
    """A proposed project of portfolio A recorded without the intake, budget 50 000."""
    return ProjectFactory(
        portfolio=world.portfolio_a, code="a3", state=Project.State.PROPOSED, budget=Decimal("50000")
    )


@pytest.fixture
def frame(world):
    return make_frame(world)


@pytest.fixture
def pipeline(world, frame):
    """Portfolio A's intake: one proposal in each state (requested by `team` but the last one, by
    pm_a); drafts and decided ones are not in the pipeline."""
    pmo = world.users["pmo_a"]
    return {
        "submitted": submitted(world, frame, capex="120000", opex="24000"),
        "under_review": under_review(world, frame, capex="10000", opex="5000", programme=None),
        "parked": intake.proposal_decide(
            actor=pmo,
            proposal=under_review(world, frame, capex="1000", opex="500"),
            outcome="parked",
            rationale="Budget 2027 bouclé.",
            revisit_on=timezone.localdate() + timedelta(days=90),
        ),
        "approved": intake.proposal_decide(
            actor=pmo,
            proposal=under_review(world, frame, capex="7", opex="0"),
            outcome="approved",
            rationale="Go",
        ),
        "rejected": intake.proposal_decide(
            actor=pmo,
            proposal=under_review(world, frame, capex="9", opex="0"),
            outcome="rejected",
            rationale="Non",
        ),
        "draft": intake.proposal_create(
            actor=world.users["team"], portfolio=world.portfolio_a, data=proposal_data(world, frame)
        ),
        "by_pm": intake.proposal_create(
            actor=world.users["pm_a"],
            portfolio=world.portfolio_a,
            data=proposal_data(world, frame, capex="300", opex="200"),
            submit=True,
        ),
    }


# --- The default scope --------------------------------------------------------------------------


def test_the_default_scope_leaves_proposed_projects_out_of_the_matrix_and_the_figures(
    client_for, world, proposed
):
    response = client_for("pmo_a").get(reverse(URL))
    assert codes(response) == ["a1", "a2"]
    kpis = response.context["kpis"]
    assert (kpis.project_count, kpis.bac) == (2, Decimal("200000.00"))
    assert response.context["proposed"].count == 1
    # the matrix export follows the same default
    assert response.context["export_query"] == f"portfolio={world.portfolio_a.pk}&state=active&state=on_hold"


def test_on_hold_projects_stay_in_the_default_scope(client_for, world, proposed):
    Project.objects.filter(pk=world.a2.pk).update(state=Project.State.ON_HOLD)
    assert codes(client_for("pmo_a").get(reverse(URL))) == ["a1", "a2"]


def test_the_proposed_state_picked_explicitly_shows_them(client_for, world, proposed):
    client = client_for("pmo_a")
    response = client.get(reverse(URL), {"state": "proposed"})
    assert codes(response) == ["a3"]
    assert response.context["kpis"].bac == Decimal("50000.00")
    assert codes(client.get(reverse(URL), {"state": "all"})) == ["a1", "a2", "a3"]
    options = dict(response.context["filter"].form.fields["state"].choices)
    assert "proposed" in options


def test_delivery_projects_are_the_active_and_on_hold_ones(world, proposed):
    Project.objects.filter(pk=world.a2.pk).update(state=Project.State.ON_HOLD)
    ProjectFactory(portfolio=world.portfolio_a, code="a4", state=Project.State.CLOSED)
    data = build_dashboard(
        projects=delivery_projects(Project.objects.filter(portfolio=world.portfolio_a)),
        as_of=timezone.localdate(),
    )
    assert sorted(r.code for r in data.rows) == ["a1", "a2"]
    figures = proposed_projects(Project.objects.filter(portfolio=world.portfolio_a))
    assert (figures.count, figures.budget) == (1, Decimal("50000.00"))


# --- The pipeline card --------------------------------------------------------------------------


def test_the_pipeline_counts_the_open_proposals_and_their_requested_budget(client_for, world, pipeline):
    response = client_for("pmo_a").get(reverse(URL))
    card = response.context["pipeline"]
    # submitted: the first and pm_a's; under review; parked. Drafts, approved and rejected left out.
    assert (card.submitted, card.under_review, card.parked, card.count) == (2, 1, 1, 4)
    assert (card.capex, card.opex, card.total) == (
        Decimal("131300.00"),
        Decimal("29700.00"),
        Decimal("161000.00"),
    )
    # the proposals' projects are proposed: out of the matrix, counted apart; the approved one runs
    assert response.context["proposed"].count == 4
    assert pipeline["approved"].project.code in codes(response)
    assert not {pipeline[k].project.code for k in ("submitted", "under_review", "parked")} & set(
        codes(response)
    )
    html = response.content.decode()
    assert 'id="dashboard-pipeline"' in html
    assert reverse("governance:proposal-list", args=[world.portfolio_a.pk]) in html
    assert "131\u00a0300\u00a0€" in html and "161\u00a0000\u00a0€" in html
    assert "state=proposed" in html


def test_the_pipeline_is_what_the_reader_may_see_of_the_proposals(client_for, world, pipeline):
    # team reads its own proposals only (as on the pipeline page), not pm_a's
    team = client_for("team").get(reverse(URL)).context["pipeline"]
    assert (team.submitted, team.under_review, team.parked) == (1, 1, 1)
    assert team.total == Decimal("160500.00")
    # a reader of portfolio B sees nothing of A's pipeline, and cannot ask for A
    pm_b = client_for("pm_b")
    response = pm_b.get(reverse(URL))
    assert response.context["portfolio"] == world.portfolio_b
    assert (response.context["pipeline"].count, response.context["pipeline"].total) == (0, Decimal("0"))
    assert response.context["proposed"].count == 0
    assert "131\u00a0300" not in response.content.decode()
    assert pm_b.get(reverse(URL), {"portfolio": world.portfolio_a.pk}).status_code == 404
    # the selector agrees with the pipeline page's visibility for every reader
    for name, expected in [("pmo_a", 4), ("executive", 4), ("pm_a", 4), ("team", 3), ("pmo_b", 0)]:
        summary = pipeline_summary(user=world.users[name], portfolios=[world.portfolio_a])
        assert summary.count == expected, name


def test_a_programme_scope_counts_its_proposals(client_for, world, pipeline):
    response = client_for("pmo_a").get(reverse(URL), {"programme": world.programme_a.pk})
    card = response.context["pipeline"]
    assert (card.submitted, card.under_review, card.parked) == (2, 0, 1)  # under review has no programme
    html = response.content.decode()
    assert f"?programme={world.programme_a.pk}" in html


def test_the_pipeline_is_shown_when_no_project_matches(client_for, world, pipeline):
    response = client_for("pmo_a").get(reverse(URL), {"stage": "Inconnue"})
    html = response.content.decode()
    assert 'id="dashboard-empty"' in html and 'id="dashboard-pipeline"' in html


def test_the_htmx_body_carries_the_pipeline_and_the_matrix_refresh_does_not(client_for, world, pipeline):
    client = client_for("pmo_a")
    body = client.get(reverse(URL), {"state": "all"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-body")
    assert 'id="dashboard-pipeline"' in body.content.decode()
    matrix = client.get(
        reverse(URL), {"ordering": "code"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-matrix"
    )
    assert "pipeline" not in matrix.context


# --- The home page's portfolio summary ------------------------------------------------------------


def test_the_portfolio_summary_keeps_the_requested_budget_apart(world, proposed):
    Project.objects.filter(pk=world.a2.pk).update(state=Project.State.ON_HOLD)
    ProjectFactory(portfolio=world.portfolio_a, state=Project.State.CLOSED, budget=Decimal("999"))
    (row,) = selectors.portfolio_summary(user=world.users["pmo_a"])
    assert (row["budget"], row["proposed_budget"]) == (Decimal("200000.00"), Decimal("50000.00"))
    assert (row["active"], row["on_hold"], row["proposed"]) == (1, 1, 1)


def test_the_pipeline_card_reads_two_queries(world, pipeline, django_assert_num_queries):
    user = world.users["team"]
    with django_assert_num_queries(1):
        pipeline_summary(user=user, portfolios=[world.portfolio_a], programme=world.programme_a)
    visible = Project.objects.visible_to(user).filter(portfolio=world.portfolio_a)  # the view's, built once
    with django_assert_num_queries(1):
        proposed_projects(visible)
