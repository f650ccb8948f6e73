"""The exception loop in a real browser, on the demo: the project manager opens the exception the
scan raised on her watermelon, tries to send the report without a cause (the form comes back in
place with the missing field named), completes and sends it, lands on the PDF's run page; the
sponsor then reads the frozen report and closes the exception with the committee's decision."""

import pytest
from playwright.sync_api import expect

from governance.models import ExceptionReport, ProjectException
from reporting.models import ReportRun
from tests.e2e.conftest import (  # noqa: F401 (fixtures of the e2e suite, shared here)
    browser_context_args,
    browser_type_launch_args,
    demo,
    login,
    page,
)
from tests.e2e.test_foundation_journey import BrowserProblems

pytestmark = pytest.mark.e2e


def test_the_manager_completes_and_sends_the_report_and_the_sponsor_closes(
    demo,  # noqa: F811
    live_server,
    page,  # noqa: F811
    login,  # noqa: F811
    browser,
):
    exception = ProjectException.objects.select_related("project__manager", "project__sponsor").get(
        project__code="erp-finance", tolerance="time"
    )
    problems = BrowserProblems(page)
    page.on("dialog", lambda dialog: dialog.accept())  # "Send? It is frozen once sent."

    # 1. The project manager finds the exception on the governance page and opens its report.
    login(page, exception.project.manager.username)
    page.goto(f"{live_server.url}/governance/")
    page.click(f"a[href='/governance/exceptions/{exception.pk}/']")
    expect(page.locator("#exception-report-document")).to_contain_text("Recette")
    page.click(f"a[href='/governance/exceptions/{exception.pk}/report/edit/']")

    # 2. Sending without a cause: the form comes back in place (HTMX, 422) and names the field.
    page.fill("#id_cause", "")
    page.click("#report-form button.btn-success")
    expect(page.locator("#send-errors")).to_be_visible()
    expect(page.locator("#send-errors")).to_contain_text(
        str(ExceptionReport._meta.get_field("cause").verbose_name).capitalize()
    )
    assert "/report/edit/" in page.url
    assert ExceptionReport.objects.get(exception=exception).state == ExceptionReport.State.DRAFT

    # 3. Completed and sent: the browser follows to the PDF's run.
    page.fill("#id_cause", "L'intégrateur a livré le lot 3 avec six semaines de retard.")
    page.fill("#id_options-0-risk", "Les dépendances du CRM unifié glissent aussi.")
    page.click("#report-form button.btn-success")
    page.wait_for_url("**/reports/runs/*/")
    run = ReportRun.objects.get(exception=exception)
    assert page.url == f"{live_server.url}/reports/runs/{run.pk}/"
    report = ExceptionReport.objects.get(exception=exception)
    assert report.state == ExceptionReport.State.SENT
    assert "six semaines" in report.cause and "CRM unifié" in report.options[0]["risk"]

    # 4. The sponsor reads the frozen report and closes the exception with the decision.
    sponsor = browser.new_page()
    sponsor.on("dialog", lambda dialog: dialog.accept())
    login(sponsor, exception.project.sponsor.username)
    sponsor.goto(f"{live_server.url}/governance/exceptions/{exception.pk}/")
    expect(sponsor.locator("#exception-report-document")).to_contain_text("six semaines")
    expect(sponsor.locator(f"a[href='/governance/exceptions/{exception.pk}/report/edit/']")).to_have_count(0)
    sponsor.fill("#id_note", "COPIL du 24 novembre : option 1 retenue, planning re-baseliné.")
    sponsor.click("#close-exception button[type=submit]")
    expect(sponsor.locator("#close-exception")).to_have_count(0)
    exception.refresh_from_db()
    assert exception.state == ProjectException.State.CLOSED
    sponsor.close()

    # the only error seen was the expected 422 of step 2
    assert [item for item in problems.items if "422" not in item] == []
