"""The intake pages: the pipeline (page and HTMX refresh, constant queries), the form (422 with the
field named), the proposal's page and its workflow buttons."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import intake
from governance.models import Decision, ProjectProposal
from pmo.core.models import SecurityEvent
from portfolio.models import ScoringCriterion
from projects.models import Project, ProjectScore
from tests.intake.conftest import proposal_data, submitted, under_review

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
State = ProjectProposal.State


def grow(world, frame, count: int) -> None:
    """`count` more proposals in A, in every state, each scored on one criterion, with comments."""
    criterion = ScoringCriterion.objects.get_or_create(
        portfolio=world.portfolio_a, code="valeur", defaults={"name": "Valeur", "weight": Decimal(60)}
    )[0]
    for index in range(count):
        proposal = submitted(world, frame, title=f"Demande {index}")
        ProjectScore.objects.create(project_id=proposal.project_id, criterion=criterion, value=1 + index % 5)
        intake.proposal_comment(actor=world.users["pmo_a"], proposal=proposal, body="Précisez.")
        if index % 3:
            proposal = intake.proposal_start_review(actor=world.users["pmo_a"], proposal=proposal)
        if index % 3 == 2:
            intake.proposal_decide(
                actor=world.users["executive"], proposal=proposal, outcome="rejected", rationale="Non"
            )
    intake.proposal_create(
        actor=world.users["team"], portfolio=world.portfolio_a, data=proposal_data(world, frame)
    )


def queries(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("htmx", [False, True])
def test_pipeline_runs_constant_queries(client_for, world, frame, htmx):
    client = client_for("pmo_a")
    url = reverse("governance:proposal-list", args=[world.portfolio_a.pk])
    headers = HX if htmx else {}
    grow(world, frame, 3)
    small = queries(client, url, headers=headers)
    grow(world, frame, 12)
    large = queries(client, url, headers=headers)
    print(
        f"QUERY-BUDGET governance:proposal-list (htmx={htmx}): "
        f"{small} queries with 4 proposals, {large} with 16"
    )
    assert small == large
    assert large <= 15


def test_proposal_page_runs_constant_queries(client_for, world, frame):
    client = client_for("pmo_a")
    grow(world, frame, 1)
    proposal = under_review(world, frame)
    url = reverse("governance:proposal-detail", args=[proposal.pk])
    small = queries(client, url)
    for index in range(10):
        intake.proposal_comment(actor=world.users["team"], proposal=proposal, body=f"Message {index}")
    grow(world, frame, 3)
    large = queries(client, url)
    print(f"QUERY-BUDGET governance:proposal-detail: {small} queries with 0 comments, {large} with 10")
    assert small == large


def test_pipeline_shows_counts_scores_ranks_cost_and_effort(client_for, world, frame):
    grow(world, frame, 3)
    response = client_for("pmo_a").get(reverse("governance:proposal-list", args=[world.portfolio_a.pk]))
    content = response.content.decode()
    assert 'id="proposal-table"' in content
    assert 'data-state="submitted"' in content and 'data-state="rejected"' in content
    pipeline = response.context["pipeline"]
    assert pipeline.counts == {
        "draft": 0,  # the draft is team's: pmo_a does not see it
        "submitted": 1,
        "under_review": 1,
        "approved": 0,
        "rejected": 1,
        "parked": 0,
    }
    ranked = {row.proposal.title: (row.score and row.score.value, row.rank) for row in pipeline.rows}
    # values 1, 2 and 3 on a 1–5 scale; the rejected one (cancelled) keeps its score, leaves the ranking
    assert ranked == {
        "Demande 1": (Decimal("25.0"), 1),
        "Demande 0": (Decimal("0.0"), 2),
        "Demande 2": (Decimal("50.0"), None),
    }
    assert pipeline.total_days == Decimal(220 * 3)


def test_pipeline_filters_refresh_the_list_in_place(client_for, world, frame):
    grow(world, frame, 3)
    client = client_for("pmo_a")
    url = reverse("governance:proposal-list", args=[world.portfolio_a.pk])
    response = client.get(url, {"state": "rejected"}, headers=HX)
    assert response.templates[0].name == "governance/intake/partials/pipeline.html"
    assert [row.proposal.title for row in response.context["pipeline"].rows] == ["Demande 2"]
    response = client.get(url, {"q": "Demande 1"})
    assert [row.proposal.title for row in response.context["pipeline"].rows] == ["Demande 1"]


def test_the_team_member_sees_their_own_proposals_only(client_for, world, frame):
    grow(world, frame, 2)
    intake.proposal_create(
        actor=world.users["pmo_a"], portfolio=world.portfolio_a, data=proposal_data(world, frame), submit=True
    )
    response = client_for("team").get(reverse("governance:proposal-list", args=[world.portfolio_a.pk]))
    assert {row.proposal.requested_by.username for row in response.context["pipeline"].rows} == {"team"}


def test_navigation_leads_to_the_first_portfolio_pipeline(client_for, world):
    client = client_for("pmo_a")
    response = client.get(reverse("governance:proposals"))
    assert response.url == reverse("governance:proposal-list", args=[world.portfolio_a.pk])
    response = client.get(reverse("governance:proposals"), {"portfolio": world.portfolio_b.pk})
    assert response.url == reverse("governance:proposal-list", args=[world.portfolio_a.pk])
    page = client.get(reverse("portfolio:portfolio-detail", args=[world.portfolio_a.pk])).content.decode()
    assert reverse("governance:proposal-list", args=[world.portfolio_a.pk]) in page
    assert 'href="/proposals/"' in page


def _form(world, frame, **overrides) -> dict:
    data = {
        "title": "Portail fournisseurs",
        "problem": "Factures par courriel.",
        "expected_benefits": "Moins de saisie.",
        f"objective_{frame.growth.pk}": "3",
        "requested_sponsor": world.users["sponsor"].pk,
        "proposed_manager": world.users["pm_a"].pk,
        "desired_start": "2027-01-01",
        "desired_end": "2027-12-31",
        "capex": "120000",
        "opex": "24000",
        f"effort_{frame.dev.pk}": "200",
        "urgency": "high",
    }
    data.update(overrides)
    return data


def test_the_form_submits_a_proposal(client_for, world, frame):
    client = client_for("team")
    url = reverse("governance:proposal-create", args=[world.portfolio_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**_form(world, frame), "submit": "1"})
    proposal = ProjectProposal.objects.get()
    assert response.status_code == 302 and response.url == proposal.get_absolute_url()
    assert proposal.state == State.SUBMITTED
    assert proposal.efforts == [{"role": frame.dev.pk, "role_name": "Développeur", "days": "200.0"}]
    assert proposal.objectives == [{"objective": frame.growth.pk, "contribution": 3}]


def test_the_form_saves_a_draft_with_costs_per_year_then_edits_it(client_for, world, frame):
    client = client_for("team")
    url = reverse("governance:proposal-create", args=[world.portfolio_a.pk])
    data = _form(world, frame, year_1="2027", year_capex_1="5000", year_opex_1="1000", requested_sponsor="")
    response = client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    proposal = ProjectProposal.objects.get()
    assert (proposal.state, proposal.capex, proposal.opex) == (State.DRAFT, Decimal("5000"), Decimal("1000"))
    edit = reverse("governance:proposal-edit", args=[proposal.pk])
    assert client.get(edit).status_code == 200
    assert client_for("pmo_a").get(edit).status_code == 404  # another's draft is invisible
    response = client.post(edit, {**_form(world, frame), "version": proposal.version, "submit": "1"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED and proposal.capex == Decimal("120000")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"desired_end": "2026-01-01"}, "desired_end"),
        ({"capex": "-5"}, "capex"),
        ({"title": ""}, "title"),
        ({"requested_sponsor": ""}, "requested_sponsor"),
    ],
)
def test_bad_input_answers_422_naming_the_field(client_for, world, frame, overrides, field):
    client = client_for("team")
    url = reverse("governance:proposal-create", args=[world.portfolio_a.pk])
    response = client.post(url, {**_form(world, frame, **overrides), "submit": "1"})
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert ProjectProposal.objects.count() == 0 and Project.objects.filter(code__startswith="DP").count() == 0


def test_outsiders_cannot_open_the_form(client_for, world, frame):
    assert (
        client_for("pm_b").get(reverse("governance:proposal-create", args=[world.portfolio_a.pk])).status_code
        == 404
    )


def test_the_pmo_reviews_and_approves_from_the_page(client_for, world, frame):
    proposal = submitted(world, frame)
    pmo = client_for("pmo_a")
    detail = reverse("governance:proposal-detail", args=[proposal.pk])
    assert 'id="start-review"' in pmo.get(detail).content.decode()
    assert pmo.post(reverse("governance:proposal-review", args=[proposal.pk])).status_code == 302
    content = pmo.get(detail).content.decode()
    assert 'id="decide-proposal"' in content and 'id="proposal-strategy"' in content
    response = pmo.post(
        reverse("governance:proposal-decide", args=[proposal.pk]),
        {"outcome": "approved", "rationale": "Aligné.", "version": ProjectProposal.objects.get().version},
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=proposal.project_id).state == Project.State.ACTIVE


def test_the_decision_form_answers_422_naming_the_field(client_for, world, frame):
    proposal = under_review(world, frame)
    url = reverse("governance:proposal-decide", args=[proposal.pk])
    response = client_for("pmo_a").post(url, {"outcome": "parked", "rationale": "Plus tard"})
    assert response.status_code == 422 and "revisit_on" in response.context["decide_form"].errors
    response = client_for("pmo_a").post(url, {"outcome": "approved", "rationale": "Go", "version": "1"})
    assert response.status_code == 422 and response.context["decide_form"].non_field_errors()


def test_a_decision_by_the_requester_or_a_non_decider_is_403_and_recorded(client_for, world, frame):
    proposal = under_review(world, frame)
    url = reverse("governance:proposal-decide", args=[proposal.pk])
    before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).count()
    for name in ("team", "pm_a"):
        response = client_for(name).post(url, {"outcome": "approved", "rationale": "Go"})
        assert response.status_code == 403
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).count() == before + 2
    assert Decision.objects.count() == 0


def test_parked_then_reopened_from_the_page(client_for, world, frame):
    proposal = under_review(world, frame)
    revisit = (timezone.localdate() + timedelta(days=60)).isoformat()
    client = client_for("executive")
    response = client.post(
        reverse("governance:proposal-decide", args=[proposal.pk]),
        {"outcome": "parked", "rationale": "Budget bouclé.", "revisit_on": revisit},
    )
    assert response.status_code == 302
    response = client.post(reverse("governance:proposal-reopen", args=[proposal.pk]))
    assert response.status_code == 302
    assert ProjectProposal.objects.get().state == State.UNDER_REVIEW
    response = client.post(reverse("governance:proposal-reopen", args=[proposal.pk]))
    assert response.status_code == 422


def test_comments_come_back_as_the_thread_under_htmx(client_for, world, frame):
    proposal = submitted(world, frame)
    url = reverse("governance:proposal-comment", args=[proposal.pk])
    response = client_for("team").post(url, {"body": "Le besoin est urgent."}, headers=HX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.startswith('<section id="proposal-comments"') and "Le besoin est urgent." in content
    response = client_for("team").post(url, {"body": ""}, headers=HX)
    assert response.status_code == 422
    response = client_for("pmo_a").post(url, {"body": "Vu."})
    assert response.status_code == 302
    assert proposal.comments.count() == 2


def test_submit_from_the_page(client_for, world, frame):
    draft = intake.proposal_create(
        actor=world.users["team"], portfolio=world.portfolio_a, data=proposal_data(world, frame)
    )
    response = client_for("team").post(
        reverse("governance:proposal-submit", args=[draft.pk]), {"version": draft.version}
    )
    assert response.status_code == 302
    assert ProjectProposal.objects.get().state == State.SUBMITTED
    response = client_for("team").post(
        reverse("governance:proposal-submit", args=[draft.pk]), {"version": "1"}
    )
    assert response.status_code == 412
