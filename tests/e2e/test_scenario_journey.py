"""Issue 7 item 4 in real Chromium: the PMO officer opens a demo scenario, lowers next year's CAPEX
budget, re-runs, sees the binding constraint and a project drop out, compares with the other
scenario, and commits it (a governance decision; the scenario is frozen)."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Decision, Scenario
from governance.scenario_selectors import scenario_inputs
from tests.e2e.test_foundation_journey import BrowserProblems

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("E2E_SHOTS", "/tmp/e2e-shots/scenarios"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def selected(scenario) -> set[str]:
    return set(scenario.entries.filter(selected=True).values_list("project__code", flat=True))


def test_pmo_lowers_a_budget_compares_and_commits(demo, live_server, page, login):
    problems = BrowserProblems(page)
    year = timezone.localdate().year + 1
    scenario = Scenario.objects.get(portfolio__code="dsi-groupe", name__contains="budget contraint")
    before = selected(scenario)
    login(page, "pmo")

    # 1. From the portfolio page to its scenarios, then the constrained one.
    page.goto(f"{live_server.url}{scenario.portfolio.get_absolute_url()}")
    page.locator(f"a[href='/governance/portfolios/{scenario.portfolio_id}/scenarios/']").click()
    expect(page.locator("#scenario-table")).to_be_visible()
    shot(page, "1-list")
    page.locator(f"a[href='/governance/scenarios/{scenario.pk}/']").click()
    expect(page.locator("#binding-list")).to_be_visible()
    expect(page.locator("#frontier-chart .main-svg").first).to_be_attached(timeout=20_000)
    shot(page, "2-result")

    # 2. Lower next year's CAPEX by half the cost of the cheapest selected candidate: it must go.
    figures = {f.project.code: f for f in scenario_inputs(scenario).figures}
    key = (year, "capex")
    cheapest = min(
        (
            f
            for code, f in figures.items()
            if code in before and f.entry.mode == "candidate" and f.cost.get(key)
        ),
        key=lambda f: f.cost[key],
    )
    used = next(u["used"] for u in scenario.result["uses"] if u["key"] == [year, "capex"])
    lowered = int(Decimal(str(used)) - cheapest.cost[key] / 2)
    page.locator(f"a[href='/governance/scenarios/{scenario.pk}/edit/']").click()
    field = page.locator(f"#id_budget-{year}-capex")
    expect(field).to_be_visible()
    field.fill(str(lowered))
    shot(page, "3-editor")
    with page.expect_navigation():
        page.locator("#save-and-run").click()
    expect(page.locator("#binding-list")).to_contain_text("CAPEX")
    scenario.refresh_from_db()
    after = selected(scenario)
    assert scenario.run_status == "optimal" and after != before
    dropped = before - after
    assert dropped, "a project should have dropped out"
    expect(page.locator("#left-out-list")).to_contain_text(sorted(dropped)[0])
    shot(page, "4-rerun")

    # 3. Compare with the hiring scenario.
    other = Scenario.objects.get(portfolio=scenario.portfolio, name__contains="recrutement")
    page.goto(f"{live_server.url}/governance/portfolios/{scenario.portfolio_id}/scenarios/compare/")
    page.locator(f"#cmp-{scenario.pk}").check()
    page.locator(f"#cmp-{other.pk}").check()
    with page.expect_navigation():
        page.locator("#compare-form button[type=submit]").click()
    expect(page.locator("#compare-table thead th")).to_have_count(3)
    shot(page, "5-compare")

    # 4. Commit: a decision with the rationale; the scenario is frozen.
    page.goto(f"{live_server.url}/governance/scenarios/{scenario.pk}/commit/")
    page.fill("#id_rationale", "Arbitrage du comité : budget CAPEX réduit, priorité aux obligations.")
    with page.expect_navigation():
        page.locator("#commit-button").click()
    scenario.refresh_from_db()
    assert scenario.is_frozen
    decision = Decision.objects.get(scenario=scenario)
    assert "budget CAPEX réduit" in decision.rationale
    expect(page.locator("#run-button")).to_have_count(0)
    shot(page, "6-committed")
    assert not [p for p in problems.items if "HTTP 4" in p or "error" in p], problems.items
