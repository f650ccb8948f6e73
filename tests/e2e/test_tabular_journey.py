"""Excel import in a real browser: the PMO downloads the workbook template, fills it (openpyxl, as
Excel would), uploads it, sees the preview with an error, fixes the file, confirms, and finds the new
project and its risk. Screenshots in $E2E_SHOTS (default: pytest's tmp_path)."""

import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portfolio.models import Portfolio
from projects.models import Project, Risk, TabularImport
from tests.e2e.test_foundation_journey import BrowserProblems

pytestmark = pytest.mark.e2e


def _fill(path: Path, *, probability: int) -> Path:
    book = load_workbook(path)
    projects = book["Projets"]
    headers = [c.value for c in projects[1]]
    values = {
        "Code projet": "e2e-import",
        "Nom": "Projet importé d'Excel",
        "État": "Actif",
        "Chef de projet": "pm1",
        "Date de début": None,
        "Date de fin": None,
        "Budget (BAC)": 125000.5,
        "Programme": None,
        "Description": "Créé depuis le modèle",
        "Adjoint": None,
        "Sponsor": None,
        "Étape": "Cadrage",
        "Score stratégique": 60,
    }
    for index, header in enumerate(headers, start=1):
        projects.cell(row=2, column=index, value=values.get(header))
    risks = book["Risques"]
    headers = [c.value for c in risks[1]]
    values = {
        "Code projet": "e2e-import",
        "Titre": "Dépendance au fournisseur",
        "Probabilité (1-5)": probability,
        "Impact (1-5)": 4,
        "Réponse": "Réduire",
        "Plan d'action": "Clause de pénalités",
        "Opportunité": "Non",
        "Statut": "Ouvert",
        "Tendance": "Nouveau",
    }
    for index, header in enumerate(headers, start=1):
        risks.cell(row=2, column=index, value=values.get(header))
    out = path.with_name(f"suivi-p{probability}.xlsx")
    book.save(out)
    return out


def test_pmo_imports_a_filled_template(demo, live_server, page, login, tmp_path):
    shots = Path(os.environ.get("E2E_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    problems = BrowserProblems(page)
    portfolio = Project.objects.get(code="erp-finance").portfolio

    login(page, "pmo")
    page.goto(f"{live_server.url}/portfolios/{portfolio.pk}/")
    page.get_by_role("link", name="Import / export").click()
    expect(page.locator("#tabular-upload")).to_be_visible()
    page.screenshot(path=str(shots / "tabular-page.png"), full_page=True)

    with page.expect_download() as download:
        page.locator("#tabular-templates a").first.click()
    template = tmp_path / "modele.xlsx"
    download.value.save_as(template)
    assert download.value.suggested_filename.endswith(".xlsx")

    # 1. a file with an error: the preview lists it, nothing is written
    page.set_input_files("#id_file", str(_fill(template, probability=7)))
    page.locator("#tabular-upload button[type=submit]").click()
    expect(page.locator("#import-errors")).to_contain_text("7 dépasse le maximum 5")
    expect(page.locator("#import-errors")).to_contain_text("Probabilité (1-5)")
    expect(page.locator("#apply-import")).to_have_count(0)
    page.screenshot(path=str(shots / "tabular-errors.png"), full_page=True)
    assert not Project.objects.filter(code="e2e-import").exists()

    # 2. fixed: the preview counts one project and one risk to create, then it is applied
    page.get_by_role("link", name="Upload a corrected file").or_(
        page.get_by_role("link", name="Téléverser un fichier corrigé")
    ).click()
    page.set_input_files("#id_file", str(_fill(template, probability=4)))
    page.locator("#tabular-upload button[type=submit]").click()
    expect(page.locator('[data-count="projects-create"]')).to_have_text("1")
    expect(page.locator('[data-count="risks-create"]')).to_have_text("1")
    expect(page.locator('table[data-sheet="projects"]')).to_contain_text("e2e-import")
    page.screenshot(path=str(shots / "tabular-preview.png"), full_page=True)
    page.locator("#apply-import").click()
    expect(page.locator("#job-applied")).to_be_visible()
    page.screenshot(path=str(shots / "tabular-applied.png"), full_page=True)

    project = Project.objects.get(code="e2e-import", portfolio=portfolio)
    assert str(project.budget) == "125000.50" and project.manager.username == "pm1"
    risk = Risk.objects.get(project=project)
    assert (risk.probability, risk.impact, risk.response) == (4, 4, "reduce")

    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    expect(page.locator("body")).to_contain_text("Projet importé d'Excel")

    # 3. a large import in progress: the page polls its progress
    from projects.tabular import services

    job = TabularImport.objects.create(
        portfolio=portfolio,
        created_by=project.portfolio.memberships.get(user__username="pmo").user,
        original_name="gros-fichier.xlsx",
        format="xlsx",
        sha256="0" * 64,
        state=TabularImport.State.APPLYING,
    )
    services.set_progress(job.pk, 42, "Risques : 4000 créations")
    page.goto(f"{live_server.url}/imports/{job.pk}/")
    expect(page.locator("#tabular-status .progress-bar")).to_contain_text("42")
    page.screenshot(path=str(shots / "tabular-progress.png"), full_page=True)
    job.state = TabularImport.State.APPLIED
    job.result = {"applied": {"create": 10000, "update": 0, "unchanged": 0}, "sheets": [], "totals": {}}
    job.save()
    expect(page.locator("#job-applied")).to_be_visible(timeout=10_000)  # the poll reloaded the page
    assert not problems.items, json.dumps(problems.items, indent=1)
    assert Portfolio.objects.filter(pk=portfolio.pk).exists()


def test_pmo_exports_the_pool_edits_it_and_imports_it_back(demo, live_server, page, login, tmp_path):
    """The Ressources sheet: export, change a skill level and add a person in Excel, import, apply."""
    from portfolio.resource_models import Resource

    shots = Path(os.environ.get("E2E_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    problems = BrowserProblems(page)
    portfolio = Project.objects.get(code="erp-finance").portfolio
    pool = Resource.objects.filter(portfolio=portfolio, archived_at__isnull=True)
    count = pool.count()
    assert count

    login(page, "pmo")
    page.goto(f"{live_server.url}/portfolios/{portfolio.pk}/import-export/")
    with page.expect_download() as download:
        page.locator('a[href$="/export/resources.xlsx"]').click()
    exported = tmp_path / "ressources.xlsx"
    download.value.save_as(exported)
    book = load_workbook(exported)
    sheet = book["Ressources"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Nom", "Utilisateur", "Rôle"] and sheet.max_row == count + 1
    first = sheet[2]
    role = first[headers.index("Rôle")].value
    sheet.cell(row=2, column=headers.index("Service") + 1, value="Service renommé")
    new = sheet.max_row + 1
    sheet.cell(row=new, column=1, value="Recrue e2e")
    sheet.cell(row=new, column=headers.index("Rôle") + 1, value=role)
    sheet.cell(row=new, column=headers.index("Temps de travail (%)") + 1, value=80)
    edited = tmp_path / "ressources-modifiees.xlsx"
    book.save(edited)

    page.set_input_files("#id_file", str(edited))
    page.locator("#tabular-upload button[type=submit]").click()
    expect(page.locator('[data-count="resources-create"]')).to_have_text("1")
    expect(page.locator('[data-count="resources-update"]')).to_have_text("1")
    expect(page.locator('table[data-sheet="resources"]')).to_contain_text("Recrue e2e")
    page.screenshot(path=str(shots / "tabular-resources-preview.png"), full_page=True)
    page.locator("#apply-import").click()
    expect(page.locator("#job-applied")).to_be_visible()

    assert pool.count() == count + 1
    assert pool.get(name="Recrue e2e").working_time_pct == 80
    assert pool.filter(department="Service renommé").count() == 1
    assert not problems.items, json.dumps(problems.items, indent=1)
