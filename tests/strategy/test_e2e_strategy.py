"""The strategy loop in a real browser, on the demo: the PMO officer opens a project nobody scored
yet, tries a score off the scale (the form comes back in place, nothing written), scores it, then
reads the portfolio's ranking with its sensitivity table, the benefits roll-up and the project's
benefits chart. Screenshots land in STRATEGY_SHOTS (default /tmp/shots-strategy)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portfolio.models import ScoringCriterion
from projects.models import Project, ProjectScore
from tests.e2e.conftest import (  # noqa: F401 (fixtures of the e2e suite, shared here)
    browser_context_args,
    browser_type_launch_args,
    demo,
    login,
    page,
)
from tests.e2e.test_foundation_journey import BrowserProblems, open_project_tab

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("STRATEGY_SHOTS", "/tmp/shots-strategy"))


def test_pmo_scores_a_project_and_reads_the_ranking(demo, live_server, page, login):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    project = Project.objects.get(code="gouvernance-donnees")
    assert not ProjectScore.objects.filter(project=project).exists()
    criteria = list(
        ScoringCriterion.objects.filter(portfolio=project.portfolio, active=True).order_by("code")
    )
    problems = BrowserProblems(page)

    login(page, "pmo")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    open_project_tab(page, f"/projects/{project.pk}/partials/strategy/")
    expect(page.locator("#project-strategy")).to_be_visible()
    page.click(f"#project-strategy button[hx-get='/projects/{project.pk}/strategy/scores/']")
    expect(page.locator("#scores-form")).to_be_visible()

    # Off the scale: the form comes back (422) with the criterion named, nothing written.
    for criterion in criteria:
        page.fill(f"#id_value_{criterion.pk}", "4")
    page.fill(f"#id_value_{criteria[0].pk}", "9")
    page.click("#scores-form button[type=submit]")
    expect(page.locator(f"#id_value_{criteria[0].pk}_error")).to_contain_text(criteria[0].name)
    assert not ProjectScore.objects.filter(project=project).exists()

    # Scored: the tab shows the weighted score, the project's strategic score follows.
    page.fill(f"#id_value_{criteria[0].pk}", "5")
    page.fill(f"#id_comment_{criteria[0].pk}", "Exigence du régulateur")
    page.click("#scores-form button[type=submit]")
    expect(page.locator("#weighted-score")).to_be_visible()
    page.screenshot(path=str(SHOTS / "project-strategy-scored.png"), full_page=True)
    project.refresh_from_db()
    assert ProjectScore.objects.filter(project=project).count() == len(criteria)
    assert project.strategic_score is not None

    # The ranking: the project is ranked, and the sensitivity table names every criterion.
    page.goto(f"{live_server.url}/portfolios/{project.portfolio_id}/")
    page.click(f"a[hx-get='/portfolios/{project.portfolio_id}/partials/ranking/']")
    expect(page.locator("#ranking-table")).to_contain_text(project.code)
    expect(page.locator("#sensitivity-table tbody tr")).to_have_count(len(criteria))
    for criterion in criteria:
        expect(page.locator("#sensitivity-table")).to_contain_text(criterion.name)
    page.screenshot(path=str(SHOTS / "portfolio-ranking.png"), full_page=True)

    # The strategy frame and the benefits roll-up of the portfolio.
    page.click(f"a[hx-get='/portfolios/{project.portfolio_id}/partials/strategy/']")
    expect(page.locator("#criteria-table")).to_be_visible()
    page.screenshot(path=str(SHOTS / "portfolio-strategy.png"), full_page=True)
    page.click(f"a[hx-get='/portfolios/{project.portfolio_id}/partials/benefits/']")
    expect(page.locator("#portfolio-benefits")).to_be_visible()
    page.screenshot(path=str(SHOTS / "portfolio-benefits.png"), full_page=True)

    # A project with benefits measured: the realised vs planned chart is drawn.
    measured = Project.objects.get(code="maintenance-predictive")
    page.goto(f"{live_server.url}/projects/{measured.pk}/")
    open_project_tab(page, f"/projects/{measured.pk}/partials/strategy/")
    expect(page.locator("#benefits-chart .main-svg").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "project-benefits.png"), full_page=True)

    assert [item for item in problems.items if "422" not in item] == []
