"""The intake in a real browser, on the demo: a team member proposes a project from the “Demandes”
page (a first try with the end before the start comes back in place, nothing written); the PMO
officer starts the review, scores the proposal on the portfolio's criteria, comments, and approves
it; the project is then active at its methodology's first stage. Screenshots land in INTAKE_SHOTS
(default /tmp/shots-intake)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from governance.intake import pool_roles
from governance.models import Decision, ProjectProposal
from portfolio.models import Portfolio, ScoringCriterion, StrategicObjective
from projects.models import Allocation, CostLine, Project
from tests.e2e.conftest import (  # noqa: F401 (fixtures of the e2e suite, shared here)
    browser_context_args,
    browser_type_launch_args,
    demo,
    login,
    page,
)
from tests.e2e.test_foundation_journey import BrowserProblems

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("INTAKE_SHOTS", "/tmp/shots-intake"))
TITLE = "Signature électronique des contrats"


def test_team_member_proposes_and_the_pmo_approves(demo, live_server, page, login):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    portfolio = Portfolio.objects.get(code="dsi-groupe")
    objective = StrategicObjective.objects.filter(portfolio=portfolio, active=True).order_by("code").first()
    role = pool_roles(portfolio.pk).first()
    problems = BrowserProblems(page)

    # The team member finds the pipeline in the main navigation and proposes a project.
    login(page, "team")
    page.click("#main-nav a[href='/proposals/']")
    page.wait_for_url(f"**/proposals/portfolio/{portfolio.pk}/")
    expect(page.locator("#proposal-table")).to_be_visible()
    page.click("#new-proposal")
    page.fill("#id_title", TITLE)
    page.fill(
        "#id_problem", "Les contrats clients sont signés sur papier puis scannés : 12 jours en moyenne."
    )
    page.fill("#id_expected_benefits", "Contrats signés en 2 jours, archivage probant.")
    page.select_option(f"#id_objective_{objective.pk}", "3")
    page.select_option("#id_requested_sponsor", label="Philippe Moreau")
    page.select_option("#id_proposed_manager", label="Claire Martin")
    page.fill("#id_desired_start", "2027-02-01")
    page.fill("#id_desired_end", "2026-07-31")  # before the start
    page.fill("#id_capex", "45000")
    page.fill("#id_opex", "9000")
    page.fill(f"#id_effort_{role.pk}", "60")
    page.select_option("#id_urgency", "high")
    page.click("#submit-proposal")
    expect(page.locator("#id_desired_end_error")).to_be_visible()
    assert not ProjectProposal.objects.filter(title=TITLE).exists()
    page.fill("#id_desired_end", "2027-07-31")
    page.screenshot(path=str(SHOTS / "proposal-form.png"), full_page=True)
    page.click("#submit-proposal")
    expect(page.locator("#proposal-state")).to_have_attribute("data-state", "submitted")
    proposal = ProjectProposal.objects.get(title=TITLE)
    assert proposal.requested_by.username == "team"
    assert proposal.project.state == Project.State.PROPOSED
    assert CostLine.objects.filter(project=proposal.project).count() == 12  # 6 months × CAPEX/OPEX
    assert Allocation.objects.filter(project=proposal.project, role=role, resource__isnull=True).exists()
    page.screenshot(path=str(SHOTS / "proposal-submitted.png"), full_page=True)

    # The PMO officer reviews, scores, comments and approves it.
    page.context.clear_cookies()
    login(page, "pmo")
    page.goto(f"{live_server.url}/proposals/portfolio/{portfolio.pk}/")
    expect(page.locator(f"#proposal-table tr[data-proposal='{proposal.pk}']")).to_be_visible()
    page.screenshot(path=str(SHOTS / "pipeline.png"), full_page=True)
    page.click(f"#proposal-table tr[data-proposal='{proposal.pk}'] a")
    page.click("#start-review")
    expect(page.locator("#proposal-state")).to_have_attribute("data-state", "under_review")
    project = proposal.project
    page.click(f"#project-strategy button[hx-get='/projects/{project.pk}/strategy/scores/']")
    expect(page.locator("#scores-form")).to_be_visible()
    for criterion in ScoringCriterion.objects.filter(portfolio=portfolio, active=True):
        page.fill(f"#id_value_{criterion.pk}", "4")
    page.click("#scores-form button[type=submit]")
    expect(page.locator("#weighted-score")).to_be_visible()
    page.fill("#id_body", "Valeur confirmée par la direction juridique.")
    page.click("#proposal-comments button[type=submit]")
    expect(page.locator("#proposal-comments")).to_contain_text("direction juridique")
    page.reload()
    expect(page.locator("#proposal-score")).to_contain_text("/ 100")
    page.select_option("#id_outcome", "approved")
    page.fill("#id_rationale", "Aligné sur les objectifs et finançable cette année.")
    page.screenshot(path=str(SHOTS / "proposal-review.png"), full_page=True)
    page.click("#record-decision")
    expect(page.locator("#proposal-state")).to_have_attribute("data-state", "approved")
    page.screenshot(path=str(SHOTS / "proposal-approved.png"), full_page=True)

    # The project is active at its methodology's first stage, the decision is logged.
    project.refresh_from_db()
    assert project.state == Project.State.ACTIVE
    assert project.current_stage == project.methodology.stages.order_by("order").first()
    assert (project.sponsor.username, project.manager.username) == ("sponsor", "pm1")
    decision = Decision.objects.get(project=project)
    assert decision.outcome == Decision.Outcome.APPROVED and decision.decided_by.username == "pmo"
    page.click("#proposal-project")
    expect(page.locator("h1")).to_contain_text(project.name)
    # the refused first try answered 422 on purpose (the browser also logs it to the console)
    assert [item for item in problems.items if "422" not in item] == []
