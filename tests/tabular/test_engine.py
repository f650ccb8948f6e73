"""The dry run and the application: every error reported, all or nothing, natural keys, rights."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from projects.models import CostLine, Issue, Milestone, MilestoneForecast, Project, Risk
from projects.tabular import engine
from tests.tabular.conftest import event_model
from tests.tabular.helpers import csv_file, row, workbook

pytestmark = pytest.mark.django_db


def _full_workbook():
    return workbook(
        {
            "projects": [
                row(
                    "projects",
                    code="crm",
                    name="Refonte CRM",
                    programme="prog-a",
                    state="Actif",
                    manager="pm_a",
                    start_date=date(2027, 1, 4),
                    end_date="17/12/2027",
                    budget="250 000,50",
                    strategic_score=70,
                )
            ],
            "milestones": [
                row(
                    "milestones",
                    project="crm",
                    name="Go",
                    baseline_date=date(2027, 3, 1),
                    forecast_date="15/03/2027",
                ),
                row(
                    "milestones", project="a1", name="Recette", source_uid="T-42", is_key="Oui", weight="2,5"
                ),
            ],
            "cost_lines": [
                row(
                    "cost_lines",
                    project="crm",
                    month="03/2027",
                    category="OPEX",
                    planned="1 000,00",
                    actual=250.5,
                ),
            ],
            "risks": [
                row("risks", project="crm", title="Retard", probability=3, impact="4", response="Réduire")
            ],
            "issues": [row("issues", project="a1", title="Serveur KO", severity="Élevée", owner="pm_a")],
        }
    )


def test_a_workbook_creates_every_object_in_one_go(world, plan_of, apply_file):
    pmo = world.users["pmo_a"]
    data = _full_workbook()

    plan = plan_of(pmo, world.portfolio_a, data)
    assert plan.ok, plan.errors
    assert plan.totals() == {"create": 6, "update": 0, "unchanged": 0}
    assert not Project.objects.filter(code="crm").exists()  # a dry run writes nothing

    apply_file(pmo, world.portfolio_a, data)

    crm = Project.objects.get(code="crm")
    assert crm.portfolio == world.portfolio_a and crm.programme == world.programme_a
    assert crm.state == "active" and crm.manager == world.users["pm_a"]
    assert crm.end_date == date(2027, 12, 17) and crm.budget == Decimal("250000.50")
    go = Milestone.objects.get(project=crm)
    assert go.forecast_date == date(2027, 3, 15)
    assert MilestoneForecast.objects.filter(milestone=go, forecast_date=date(2027, 3, 15)).exists()
    recette = Milestone.objects.get(project=world.a1)
    assert (recette.source, recette.source_uid, recette.is_key, recette.weight) == (
        "excel",
        "T-42",
        True,
        Decimal("2.5"),
    )
    line = CostLine.objects.get(project=crm)
    assert (line.month, line.category, line.planned, line.actual) == (
        date(2027, 3, 1),
        "opex",
        1000,
        Decimal("250.50"),
    )
    risk = Risk.objects.get(project=crm)
    assert (risk.probability, risk.impact, risk.response) == (3, 4, "reduce")
    assert Issue.objects.get(project=world.a1).severity == "high"
    # audited with the actor and the reason
    event = event_model(Risk).objects.select_related("pgh_context").get(pgh_obj_id=risk.pk)
    assert event.pgh_context.metadata == {"user": pmo.pk, "reason": "test"}


def test_reimporting_the_same_file_changes_nothing(world, plan_of, apply_file):
    pmo = world.users["pmo_a"]
    data = _full_workbook()
    apply_file(pmo, world.portfolio_a, data)
    counts = {m: m.objects.count() for m in (Project, Milestone, CostLine, Risk, Issue)}

    plan = apply_file(pmo, world.portfolio_a, data)

    assert plan.totals() == {"create": 0, "update": 0, "unchanged": 6}
    assert {m: m.objects.count() for m in counts} == counts


def test_every_error_is_reported_and_nothing_is_written(world, plan_of, apply_file):
    data = workbook(
        {
            "projects": [
                row("projects", code="ok", name="Bon"),
                row("projects", code="pas un code", name="", budget="douze", start_date="31/02/2027"),
                row("projects", code="ok", name="Doublon"),
                row("projects", code="dates", name="D", start_date="01/02/2027", end_date="01/01/2027"),
            ],
            "risks": [
                row("risks", project="a1", title="R", probability=9, impact=2, owner="inconnu"),
                row("risks", project="zz", title="R2", probability=1, impact=1),
                row(
                    "risks",
                    project="a1",
                    title="R3",
                    probability=1,
                    impact=1,
                    is_opportunity="Oui",
                    response="Éviter",
                ),
            ],
        }
    )

    plan = plan_of(world.users["pmo_a"], world.portfolio_a, data)

    found = {(e.sheet, e.row, e.column) for e in plan.errors}
    assert found == {
        ("Projets", 3, "Code projet"),
        ("Projets", 3, "Nom"),
        ("Projets", 3, "Budget (BAC)"),
        ("Projets", 3, "Date de début"),
        ("Projets", 4, "Code projet"),
        ("Projets", 5, "Date de fin"),
        ("Risques", 2, "Probabilité (1-5)"),
        ("Risques", 2, "Responsable"),
        ("Risques", 3, "Code projet"),
        ("Risques", 4, "Réponse"),
    }
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert messages[(3, "Nom")] == "valeur obligatoire"
    assert messages[(4, "Code projet")] == "doublon de la ligne 2 (même clé)"
    assert "inconnu dans ce portefeuille" in messages[(3, "Code projet")] or "projet « zz »" in str(
        plan.errors
    )
    assert "9 dépasse le maximum 5" in messages[(2, "Probabilité (1-5)")]
    with pytest.raises(engine.ImportRefused):
        apply_file(world.users["pmo_a"], world.portfolio_a, data)
    assert not Project.objects.filter(code="ok").exists() and not Risk.objects.exists()


def test_who_may_import_what(world, plan_of):
    data = workbook(
        {
            "projects": [row("projects", code="a1", name="Renommé")],
            "risks": [
                row("risks", project="a1", title="Mine", probability=1, impact=1),
                row("risks", project="a2", title="Other PM's", probability=1, impact=1),
                row("risks", project="b1", title="Other portfolio", probability=1, impact=1),
            ],
        }
    )

    plan = plan_of(world.users["pm_a"], world.portfolio_a, data)

    errors = {(e.sheet, e.row): e.message for e in plan.errors}
    assert errors == {
        ("Projets", 1): "seuls les responsables PMO du portefeuille importent des projets",
        ("Risques", 3): "vous ne pouvez pas modifier le projet « a2 »",
        ("Risques", 4): "projet « b1 » inconnu dans ce portefeuille",
    }
    # without the projects sheet, the manager imports the risks of their own project
    mine = workbook({"risks": [row("risks", project="a1", title="Mine", probability=1, impact=1)]})
    assert plan_of(world.users["pm_a"], world.portfolio_a, mine).ok
    # the PMO officer of A may change every project of A, not those of B
    assert plan_of(world.users["pmo_a"], world.portfolio_a, data).error_count == 1


def test_updates_are_matched_by_natural_keys_and_source_ids(world, apply_file, plan_of):
    pmo = world.users["pmo_a"]
    apply_file(
        pmo,
        world.portfolio_a,
        workbook({"milestones": [row("milestones", project="a1", name="Go", source_uid="7")]}),
    )
    milestone = Milestone.objects.get()

    renamed = workbook(
        {
            "milestones": [
                row(
                    "milestones",
                    project="a1",
                    name="Go renommé",
                    source_uid="7",
                    forecast_date=date(2027, 5, 3),
                )
            ]
        }
    )
    plan = apply_file(pmo, world.portfolio_a, renamed)

    assert plan.totals() == {"create": 0, "update": 1, "unchanged": 0}
    milestone.refresh_from_db()
    assert (milestone.name, milestone.forecast_date, milestone.version) == ("Go renommé", date(2027, 5, 3), 2)
    assert Milestone.objects.count() == 1


def test_register_dates_may_not_precede_the_project_start(world, plan_of):
    Project.objects.filter(pk=world.a1.pk).update(start_date=date(2027, 1, 1))
    data = workbook({"issues": [row("issues", project="a1", title="Tôt", due_date=date(2026, 12, 1))]})

    plan = plan_of(world.users["pm_a"], world.portfolio_a, data)

    assert [(e.column, e.message) for e in plan.errors] == [
        ("Échéance", "date antérieure au début du projet (01/01/2027)")
    ]


def _with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells the value Excel would have cached when saving."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                for ref, value in values.items():
                    content = re.sub(
                        rb'(<c r="%s"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?' % ref.encode(),
                        rb"\1<f>\2</f><v>%s</v>" % value.encode(),
                        content,
                    )
            target.writestr(info, content)
    return out.getvalue()


def test_formulas_give_their_cached_values_and_are_never_evaluated(world, plan_of, apply_file):
    columns = [
        c.field for c in __import__("projects.tabular.specs", fromlist=["SPECS"]).SPECS["risks"].columns
    ]
    probability = chr(ord("A") + columns.index("probability"))
    impact = chr(ord("A") + columns.index("impact"))
    data = workbook(
        {
            "risks": [
                row("risks", project="a1", title="Calculé", probability="=1+2", impact="=2*2"),
                row("risks", project="a1", title="Jamais calculé", probability=1, impact="=2*2"),
            ]
        }
    )
    data = _with_cached_values(data, {f"{probability}2": "3", f"{impact}2": "4"})

    plan = plan_of(world.users["pm_a"], world.portfolio_a, data)

    # row 3's formula has no cached value (never opened in Excel): read as empty, not computed
    assert [(e.row, e.column, e.message) for e in plan.errors] == [(3, "Impact (1-5)", "valeur obligatoire")]
    fixed = _with_cached_values(data, {f"{impact}3": "4"})
    apply_file(world.users["pm_a"], world.portfolio_a, fixed)
    assert Risk.objects.get(title="Calculé").score == 12


def test_csv_formula_guard_round_trips(world, apply_file):
    from pmo.core.exports import csv_bytes
    from projects.tabular import writer
    from projects.tabular.specs import SPECS

    data = csv_file(
        "risks", [{"project": "a1", "title": '=HYPERLINK("http://x")', "probability": 2, "impact": 3}]
    )
    apply_file(world.users["pm_a"], world.portfolio_a, data, name="r.csv")
    risk = Risk.objects.get()
    assert risk.title == '=HYPERLINK("http://x")'

    exported = writer.csv_export(SPECS["risks"], projects=Project.objects.filter(pk=world.a1.pk))
    assert b"'=HYPERLINK" in exported  # safe when opened in Excel
    plan = apply_file(world.users["pm_a"], world.portfolio_a, exported, name="r.csv")
    assert plan.totals() == {"create": 0, "update": 0, "unchanged": 1}
    assert csv_bytes  # the shared helper of pmo.core


def test_csv_object_type_is_guessed_and_commas_work(world, plan_of):
    data = csv_file(
        "cost_lines",
        [{"project": "a1", "month": "04/2027", "category": "capex", "actual": "12,5"}],
        delimiter=",",
    )
    data = data.replace(b"12,5", b'"12,5"')
    plan = plan_of(world.users["pm_a"], world.portfolio_a, data, name="c.csv")
    assert plan.ok, plan.errors
    assert plan.sheets[0].spec.name == "cost_lines"
    assert plan.sheets[0].rows[0].values["actual"] == Decimal("12.50")


def test_template_example_rows_are_ignored(world, plan_of):
    from projects.tabular import writer
    from projects.tabular.specs import SPECS

    plan = plan_of(
        world.users["pmo_a"], world.portfolio_a, writer.workbook_bytes(list(SPECS.values()), template=True)
    )
    assert plan.ok and plan.totals() == {"create": 0, "update": 0, "unchanged": 0}
    assert apps.get_model("projects", "TabularImport").objects.count() == 0
