"""Issue 6 in real Chromium: the PMO opens the capacity heat map, drills into an overloaded cell,
moves one allocation in a what-if draft, sees the heat map change, and confirms."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portfolio.resource_models import Resource
from projects.models import Allocation
from tests.e2e.test_foundation_journey import BrowserProblems, open_project_tab

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("E2E_SHOTS", "/tmp/e2e-shots/capacity"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_pmo_resolves_an_over_allocation_with_a_what_if(demo, live_server, page, login):
    problems = BrowserProblems(page)
    login(page, "pmo")

    # 1. The heat map, overloaded people only: at least one cell is over capacity.
    page.goto(f"{live_server.url}/resources/capacity/?overloaded=on")
    expect(page.locator("#capacity-grid table")).to_be_visible()
    over = page.locator("#capacity-grid td.heat-over button, #capacity-grid td.heat-critical button").filter(
        has_text="%"
    )  # a person at work but booked beyond capacity (not on leave: ∞)
    expect(over.first).to_be_visible()
    shot(page, "1-heat-map")

    # 2. Drill into the first overloaded cell: the allocations behind it, with their projects.
    cell_url = over.first.get_attribute("hx-get")
    load_before = over.first.inner_text()
    over.first.click()
    cards = page.locator("#capacity-cell .card")
    expect(cards.first).to_be_visible()
    shot(page, "2-cell")

    # 3. What-if: shrink the largest booking of that cell to 10 % and try it in the draft.
    card = cards.last
    card.locator("summary").click()
    allocation_id = int(card.locator("input[name=allocation]").get_attribute("value"))
    before = Allocation.objects.get(pk=allocation_id)
    unit_field = "percent" if before.percent is not None else "hours_per_week"
    card.locator(f"input[name={unit_field}]").fill("1")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()  # HX-Refresh reloads the page with the draft
    expect(page.locator("#whatif-draft")).to_be_visible()
    shot(page, "3-draft")
    # nothing saved yet; the heat map shows fewer overloaded cells
    same = Allocation.objects.get(pk=allocation_id)
    assert (same.percent, same.hours_per_week, same.version) == (
        before.percent,
        before.hours_per_week,
        before.version,
    )
    # the person may have left the "overloaded only" list: read the same cell on the whole map
    role_id = Resource.objects.get(pk=int(cell_url.split("resource=")[1].split("&")[0])).role_id
    page.goto(f"{live_server.url}/resources/capacity/?role={role_id}")
    expect(page.locator("#whatif-draft")).to_be_visible()
    whole_map_url = cell_url.replace("&overloaded=on", f"&role={role_id}")
    load_after = page.locator(f'#capacity-grid button[hx-get="{whole_map_url}"]').inner_text()
    assert load_after != load_before  # the cell's load fell with the draft

    # 4. Confirm: the allocation changes, the draft is gone.
    page.locator("form[action$='/whatif/confirm/'] button").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#whatif-draft")).to_have_count(0)
    after = Allocation.objects.get(pk=allocation_id)
    assert getattr(after, unit_field) == 1 and after.version == before.version + 1
    shot(page, "4-confirmed")

    # 5. The other capacity pages render without a browser error (looked at as screenshots).
    page.goto(f"{live_server.url}/resources/capacity/?view=role&granularity=month")
    expect(page.locator("#capacity-grid tbody tr").first).to_be_visible()
    shot(page, "5-roles-by-month")
    page.goto(f"{live_server.url}/resources/capacity/overallocations/")
    expect(page.locator("#overallocation-table tbody tr").first).to_be_visible()
    shot(page, "6-overallocations")
    page.goto(f"{live_server.url}/resources/pool/")
    page.locator("#resource-table tbody a").first.click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#resource-absences")).to_be_visible()
    shot(page, "7-resource")
    project = before.project
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    open_project_tab(page, f"/projects/{project.pk}/partials/allocations/")
    expect(page.locator("#project-allocations")).to_be_visible()
    shot(page, "8-project-resources-tab")

    assert problems.items == []
