"""The gate loop in a real browser, on the demo: the project manager of erp-finance (classic
method, stage Exécution) opens the "Decision gates" tab, tries to request the gate without its
required document (the form comes back naming it), uploads a web page (refused) then the test plan
as a PDF in the Documents tab, requests the gate with the checklist answered; the sponsor finds it in
the pending gate reviews, decides go, and the project moves to Recette/Acceptation.

Screenshots go to GATES_SCREENSHOTS (default /tmp/gates-shots)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from governance.models import GateReview
from pmo.core.models import Notification
from portfolio.methodologies import simple_pdf
from projects.models import Document, Project
from tests.e2e.conftest import (  # noqa: F401 (fixtures of the e2e suite, shared here)
    browser_context_args,
    browser_type_launch_args,
    demo,
    login,
    page,
)
from tests.e2e.test_foundation_journey import BrowserProblems

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("GATES_SCREENSHOTS", "/tmp/gates-shots"))


def shot(browser_page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_tab(browser_page, tab: str, section: str) -> None:
    browser_page.click(f"#tab-{tab}")
    expect(browser_page.locator(f"#project-{section}")).to_be_visible()


def answer_checklist(browser_page, gate) -> None:
    for index in range(len(gate.criteria)):
        browser_page.check(f"#project-gates input[name=answer_{index}][value=yes]")


def test_the_manager_uploads_requests_and_the_sponsor_decides_go(
    demo,  # noqa: F811
    live_server,
    page,  # noqa: F811
    login,  # noqa: F811
    browser,
):
    project = Project.objects.select_related("manager", "sponsor", "current_stage__gate").get(
        code="erp-finance"
    )
    assert project.stage == "Exécution" and project.methodology.code == "classique"
    gate = project.current_stage.gate
    problems = BrowserProblems(page)

    # 1. The manager opens the gates tab: Exécution is current, its test plan is missing.
    login(page, project.manager.username)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    open_tab(page, "gates", "gates")
    expect(page.locator("[aria-current=step]")).to_contain_text("Exécution")
    expect(page.locator("#gate-required-documents")).to_contain_text("Plan de recette")
    shot(page, "1-gates-tab")

    # 2. Requesting without the document: the form comes back in place and names it.
    page.click("#gate-request-open")
    answer_checklist(page, gate)
    page.click("#gate-request-submit")
    expect(page.locator("#gate-request-errors")).to_contain_text("Plan de recette")
    assert not GateReview.objects.filter(project=project, state="requested").exists()
    shot(page, "2-request-refused")

    # 3. The Documents tab: a web page is refused, the PDF test plan is accepted.
    open_tab(page, "documents", "documents")
    page.click("#project-documents summary")
    page.select_option("#id_document_type", label="Plan de recette")
    page.set_input_files(
        "#id_file",
        files=[{"name": "plan.html", "mimeType": "text/html", "buffer": b"<html><script>x</script>"}],
    )
    page.click("#document-upload-submit")
    expect(page.locator("#id_file_error")).to_be_visible()
    page.select_option("#id_document_type", label="Plan de recette")
    pdf = simple_pdf("Plan de recette — Refonte ERP Finance", ["Stratégie", "Cas de test", "Critères"])
    page.set_input_files(
        "#id_file", files=[{"name": "Plan de recette v1.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.fill("#id_comment", "Version validée par la MOA")
    page.click("#document-upload-submit")
    expect(page.locator("#project-documents table")).to_contain_text("Plan de recette v1.pdf")
    document = Document.objects.get(project=project, document_type__code="plan-recette")
    assert document.current_version.content_type == "application/pdf"
    shot(page, "3-documents-tab")

    # 4. The request, with the checklist answered: it awaits the deciders.
    open_tab(page, "gates", "gates")
    page.click("#gate-request-open")
    answer_checklist(page, gate)
    page.fill("#id_comment", "Recette prête à démarrer lundi.")
    page.click("#gate-request-submit")
    expect(page.locator("#gate-pending")).to_be_visible()
    review = GateReview.objects.get(project=project, state="requested")
    assert list(review.documents.values_list("document__document_type__code", flat=True)) == ["plan-recette"]
    assert Notification.objects.filter(
        recipient=project.sponsor, key=f"gate-review-{review.pk}-requested"
    ).exists()
    shot(page, "4-requested")

    # 5. The sponsor finds it among the pending gate reviews and decides go.
    sponsor = browser.new_page()
    sponsor_problems = BrowserProblems(sponsor)
    login(sponsor, project.sponsor.username)
    sponsor.goto(f"{live_server.url}/governance/gate-reviews/")
    expect(sponsor.locator("#gate-review-table")).to_contain_text(project.code)
    shot(sponsor, "5-pending-list")
    sponsor.click(f"a[href='/governance/gate-reviews/{review.pk}/']")
    expect(sponsor.locator("#gate-decide")).to_be_visible()
    shot(sponsor, "6-decide-form")
    sponsor.check("input[name=decision][value=go]")
    sponsor.fill("#id_rationale", "Développements terminés, plan de recette validé : go pour la recette.")
    sponsor.click("#gate-decide-submit")
    expect(sponsor.locator("#gate-decision")).to_contain_text("go pour la recette")
    shot(sponsor, "7-decided")
    sponsor.close()

    # 6. The project moved to the next stage; the manager sees it and was notified.
    project.refresh_from_db()
    assert (project.stage, project.current_stage.name, project.state) == (
        "Recette/Acceptation",
        "Recette/Acceptation",
        "active",
    )
    assert Notification.objects.filter(
        recipient=project.manager, key=f"gate-review-{review.pk}-decided"
    ).exists()
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    open_tab(page, "gates", "gates")
    expect(page.locator("[aria-current=step]")).to_contain_text("Recette/Acceptation")
    shot(page, "8-next-stage")

    # the only errors seen were the expected 422s of steps 2 and 3
    assert [item for item in problems.items + sponsor_problems.items if "422" not in item] == []


def test_the_pmo_edits_a_gate_checklist_and_a_template_on_the_methodology_page(
    demo,  # noqa: F811
    live_server,
    page,  # noqa: F811
    login,  # noqa: F811
):
    from portfolio.models import DocumentType, GateDefinition, Methodology

    methodology = Methodology.objects.get(code="prince2")
    stage = methodology.stages.get(name="Initialisation")
    problems = BrowserProblems(page)
    login(page, "pmo")
    page.goto(f"{live_server.url}/methodologies/")
    expect(page.locator("main")).to_contain_text("Phases de livraison")
    shot(page, "9-methodologies")
    page.click(f"a[href='/methodologies/{methodology.pk}/']")
    # the stage's form loads into the page (HTMX); a criterion is added, a document type ticked
    page.click(f"a[href='/methodology-stages/{stage.pk}/edit/']")
    expect(page.locator("#methodology-form")).to_be_visible()
    criteria = page.locator("#id_criteria")
    criteria.fill(criteria.input_value() + "\nLe plan de communication est validé.")
    page.check("#methodology-form input[type=checkbox] >> nth=0")
    shot(page, "10-stage-form")
    page.click("#methodology-form button[type=submit]")
    expect(page.locator(f"#stage-{stage.pk}")).to_contain_text("Le plan de communication est validé.")
    assert GateDefinition.objects.get(stage=stage).criteria[-1] == "Le plan de communication est validé."
    # a template that is not what it claims is refused, a real one replaces the seeded one
    document_type = DocumentType.objects.get(methodology=methodology, code="pid")
    page.click(f"a[href='/document-types/{document_type.pk}/edit/']")
    page.set_input_files(
        "#id_template", files=[{"name": "pid.docx", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}]
    )
    page.click("#methodology-form button[type=submit]")
    expect(page.locator("#id_template_error")).to_be_visible()
    pdf = simple_pdf("Modèle PID", ["1. Organisation", "2. Contrôles"])
    page.set_input_files(
        "#id_template", files=[{"name": "Modèle PID 2027.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.click("#methodology-form button[type=submit]")
    expect(page.locator("main")).to_contain_text("Modèle PID 2027.pdf")
    shot(page, "11-methodology")
    with page.expect_download() as download:
        page.click("a:has-text('Modèle PID 2027.pdf')")
    assert download.value.suggested_filename == "Modèle PID 2027.pdf"
    assert [item for item in problems.items if "422" not in item] == []
