"""Journey 2 (lundi 14 h) on the dashboard, in a real browser on the demo seed: the PMO officer reads
the KPI tiles and the QCDR matrix (worst first, the watermelon flagged), filters by programme without
a reload, unfolds a project's reasons inline, sorts, and chases the missing updates."""

import pytest
from playwright.sync_api import expect

from governance.models import ProjectProposal
from projects.models import Project
from reporting.dashboard.types import DELIVERY_STATES
from tests.e2e import conftest as e2e
from tests.e2e.test_foundation_journey import BrowserProblems

pytestmark = pytest.mark.e2e

# The browser fixtures of tests/e2e (Debian's Chromium, French-first checks, the demo seed, the real
# login form with its second factor).
browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
demo = e2e.demo
page = e2e.page
login = e2e.login


def matrix_codes(page) -> list[str]:
    return page.locator("tr.matrix-row").evaluate_all("rows => rows.map(r => r.dataset.project)")


def test_pmo_reviews_the_portfolio_on_the_dashboard(demo, live_server, page, login):
    login(page, "pmo")  # a PMO officer lands on the dashboard; load it afresh, watched from here on
    page.goto(f"{live_server.url}/dashboard/")
    problems = BrowserProblems(page)

    # KPI tiles and the matrix, worst indicated météo first, the watermelon marked
    expect(page.locator("#dashboard-kpis .card")).to_have_count(6)
    codes = matrix_codes(page)
    # the running portfolio: its active and on-hold projects; the proposed ones (the intake's too) apart
    portfolio_id = Project.objects.get(code="erp-finance").portfolio_id
    running = Project.objects.filter(
        portfolio_id=portfolio_id, state__in=DELIVERY_STATES, archived_at__isnull=True
    )
    assert "erp-finance" in codes and sorted(codes) == sorted(running.values_list("code", flat=True))
    proposed = Project.objects.filter(
        portfolio_id=portfolio_id, state=Project.State.PROPOSED, archived_at=None
    )
    assert proposed.exists() and not set(codes) & set(proposed.values_list("code", flat=True))
    # the intake pipeline's card: the open proposals, linking to the pipeline page
    pipeline = page.locator("#dashboard-pipeline")
    open_proposals = ProjectProposal.objects.filter(portfolio_id=portfolio_id).open().count()
    expect(pipeline.locator("#pipeline-open")).to_have_text(str(open_proposals))
    expect(pipeline.locator(f"a[href='/proposals/portfolio/{portfolio_id}/']")).to_be_visible()
    # the proposed state picked in the filter lists them (nothing hidden), then back to the default
    page.select_option("#id_state", "proposed")
    page.wait_for_url("**state=proposed**")
    expect(page.locator("tr.matrix-row")).to_have_count(proposed.count())
    assert sorted(matrix_codes(page)) == sorted(proposed.values_list("code", flat=True))
    page.select_option("#id_state", "")
    page.wait_for_url("**state=&**")
    expect(page.locator("tr.matrix-row")).to_have_count(len(codes))
    erp = page.locator("tr.matrix-row[data-project='erp-finance']")
    expect(erp).to_have_class("matrix-row is-watermelon")
    assert erp.locator("td.watermelon-cell").count() >= 2
    # every chart is drawn by the local plotly.js
    for chart in ("#chart-bubbles", "#chart-stages", "#chart-s-curve", "#chart-risks", "#chart-mta"):
        expect(page.locator(f"{chart} svg.main-svg").first).to_be_attached(timeout=20_000)

    # filter by programme: only the body is swapped, the URL keeps the filter
    options = page.locator("#id_programme option").evaluate_all("o => o.map(x => [x.value, x.textContent])")
    programme_id, programme_name = next((value, name) for value, name in options if value)
    page.select_option("#id_programme", programme_id)
    page.wait_for_url(f"**programme={programme_id}**")
    expect(page.locator("#dashboard-body")).to_be_visible()
    filtered = matrix_codes(page)
    assert 0 < len(filtered) < 13, (programme_name, filtered)

    # unfold the first project's reasons inline, then a second one: one open at a time
    page.select_option("#id_programme", "")
    page.wait_for_url("**programme=&**")
    toggles = page.locator("button.drill-toggle")
    toggles.nth(0).click()
    expect(page.locator("tr.drill-row:not([hidden]) #qcdr-panel")).to_have_count(1)
    toggles.nth(1).click()
    expect(page.locator("tr.drill-row:not([hidden])")).to_have_count(1)
    expect(toggles.nth(0)).to_have_attribute("aria-expanded", "false")
    toggles.nth(1).click()  # folds back without a request
    expect(page.locator("tr.drill-row:not([hidden])")).to_have_count(0)

    # sort by code through the column header (the matrix alone is swapped)
    page.locator("th a.sort").first.click()
    page.wait_for_url("**ordering=code**")
    sorted_codes = matrix_codes(page)
    assert sorted_codes == sorted(sorted_codes)

    # chase the missing updates in one click
    page.locator("#chase-result button").click()
    expect(page.locator("#chase-result [role=status]")).to_be_visible()

    assert problems.items == []

    # open the watermelon project from the matrix (leaving the page may cancel its badge poll)
    page.locator("tr.matrix-row[data-project='erp-finance'] th a").click()
    page.wait_for_url("**/projects/*/")
