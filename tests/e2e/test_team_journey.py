"""Issue 10 in a real browser: the PM opens "Team & RACI", fills a row that had no Accountable by
choosing A in a cell (the row refreshes, its warning goes), tries a second Accountable on a row (the
row answers 422 with the message, nothing saved), sets a C; then opens the stakeholders' grid, the
procurement tab, the cost tab with the commitments, the suppliers and "My projects". Screenshots in
$TEAM_SCREENSHOTS (default: the test's tmp_path)."""

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from projects.models import Contract, Project, RaciAssignment
from projects.raci import raci_matrix
from tests.e2e.test_foundation_journey import BrowserProblems, open_project_tab

pytestmark = pytest.mark.e2e


def _shots(tmp_path) -> Path:
    folder = Path(os.environ.get("TEAM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _tab(page, name: str) -> None:
    # by its fragment URL: the tab labels are translated after the merge
    open_project_tab(page, f"/partials/{name}/")


def test_pm_edits_the_raci_inline(demo, live_server, page, login, tmp_path):
    shots = _shots(tmp_path)
    problems = BrowserProblems(page)
    pm1 = Project.objects.filter(manager__username="pm1").first().manager
    project = next(
        p
        for p in Project.objects.filter(manager=pm1, contracts__isnull=False).order_by("code")
        if raci_matrix(project=p).rows_without_accountable
    )
    matrix = raci_matrix(project=project)
    empty = next(row for row in matrix.rows if row.accountable_count == 0)
    full = next(row for row in matrix.rows if row.accountable_count == 1)
    accountable = next(member for member, role in full.cells if role == "A")
    other = next(member for member, role in full.cells if role != "A")
    newcomer = next(member for member, _role in empty.cells)

    login(page, "pm1")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    _tab(page, "team")
    expect(page.locator("#project-raci-title")).to_be_visible()
    warning = page.locator("#raci-warning")
    expect(warning).to_be_visible()
    page.screenshot(path=str(shots / "team-raci.png"), full_page=True)

    # 1. Give the empty row its Accountable: the row comes back without its warning.
    row = page.locator(f"#{empty.dom_id}")
    expect(row.locator("[data-raci-warning]")).to_be_visible()
    started = time.monotonic()
    row.locator(f'[data-raci-cell="{empty.ref.kind}-{empty.ref.id}-{newcomer.pk}"]').select_option("A")
    expect(page.locator(f"#{empty.dom_id} [data-raci-warning]")).to_have_count(0)
    elapsed = time.monotonic() - started
    if matrix.rows_without_accountable == 1:  # the summary above the matrix follows
        expect(page.locator("#raci-warning")).to_have_count(0)
        expect(page.locator("#raci-complete")).to_be_visible()
    assert (
        RaciAssignment.objects.get(
            project=project, row_kind=empty.ref.kind, row_id=empty.ref.id, member=newcomer
        ).role
        == "A"
    )
    print(f"RACI-E2E cell saved and row refreshed in {elapsed:.2f} s")

    # 2. A second Accountable on a row that has one: the row shows the error, nothing is saved.
    cell = page.locator(f'[data-raci-cell="{full.ref.kind}-{full.ref.id}-{other.pk}"]')
    before = RaciAssignment.objects.filter(
        project=project, row_kind=full.ref.kind, row_id=full.ref.id, member=other
    ).first()
    cell.select_option("A")
    error = page.locator(f"#{full.dom_id}-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(accountable.display_name)
    after = RaciAssignment.objects.filter(
        project=project, row_kind=full.ref.kind, row_id=full.ref.id, member=other
    ).first()
    assert (after.role if after else None) == (before.role if before else None)
    page.locator(f"#{full.dom_id}").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "team-raci-error.png"), full_page=False)

    # 3. The same cell set to C is accepted; the error goes.
    page.locator(f'[data-raci-cell="{full.ref.kind}-{full.ref.id}-{other.pk}"]').select_option("C")
    expect(page.locator(f"#{full.dom_id}-error")).to_have_count(0)
    assert (
        RaciAssignment.objects.get(
            project=project, row_kind=full.ref.kind, row_id=full.ref.id, member=other
        ).role
        == "C"
    )

    # The other tabs of the issue, looked at in the browser.
    _tab(page, "stakeholders")
    expect(page.locator("#power-interest-chart .main-svg").first).to_be_visible(timeout=20_000)
    page.screenshot(path=str(shots / "stakeholders.png"), full_page=True)
    _tab(page, "procurement")
    expect(page.locator("#procurement-commitments")).to_be_visible()
    page.screenshot(path=str(shots / "procurement.png"), full_page=True)
    _tab(page, "costs")
    expect(page.locator("#costs-commitments")).to_be_visible()
    page.screenshot(path=str(shots / "costs.png"), full_page=True)
    page.goto(f"{live_server.url}/portfolios/{project.portfolio_id}/suppliers/")
    expect(page.locator("#portfolio-suppliers")).to_be_visible()
    page.screenshot(path=str(shots / "suppliers.png"), full_page=True)
    page.goto(f"{live_server.url}/projects/mine/")
    expect(page.locator("#my-communications")).to_be_visible()
    page.screenshot(path=str(shots / "my-projects.png"), full_page=True)

    # the refused second Accountable is the one expected 422 (the network log and the console's echo)
    unexpected = [item for item in problems.items if not ("422" in item and "/raci/cell/" in item)]
    assert unexpected == []
    assert Contract.objects.filter(project=project).exists()
