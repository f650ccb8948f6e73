"""Journey 2 (lundi 14 h) and 3 (jeudi) in a real browser, with a real Celery worker through Redis:
the PMO officer opens the portfolio dashboard, then generates the COPIL pack of "DSI Groupe"; the
progress bar polls until the pack is ready (well under 10 s) and the PDF downloads through the
authorised view. Prints the time from the click to the download link."""

import subprocess
import time

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from pmo.celery import app
from reporting.models import ReportRun
from tests.e2e.test_foundation_journey import BrowserProblems

pytestmark = pytest.mark.e2e


@pytest.fixture
def worker(demo):
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30):
        yield


def test_pmo_generates_the_copil_pack_and_downloads_it(live_server, page, login, worker, tmp_path):
    problems = BrowserProblems(page)
    login(page, "pmo")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("h1")).to_be_visible()
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.goto(f"{live_server.url}/reports/")
    page.select_option("#id_kind", "steering")
    page.select_option("#id_portfolio", label="DSI Groupe")
    started = time.monotonic()
    page.click("#run-request-form button[type=submit]")
    page.wait_for_url("**/reports/runs/*/")
    expect(page.locator("#run-progress")).to_be_visible()
    download_link = page.locator("a", has_text="Télécharger le PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    elapsed = time.monotonic() - started
    print(f"JOURNEY-2 COPIL pack: click to download link {elapsed:.1f} s")  # noqa: T201

    run = ReportRun.objects.get(kind="steering")
    assert run.status == "done" and run.page_count and run.page_count > 3
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "copil.pdf"
    info.value.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "DSI Groupe" in text and "€" in text
    assert problems.items == []
