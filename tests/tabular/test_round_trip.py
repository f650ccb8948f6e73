"""Export → import gives identical data, for every object type, on the demo portfolio (issue 8 item 2)."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from pmo.core.models import User
from portfolio.models import Portfolio
from portfolio.resource_models import Absence, Resource, ResourceSkill
from projects.models import CostLine, Issue, Milestone, Project, Risk
from projects.tabular import reader, writer
from projects.tabular.specs import SPECS

pytestmark = pytest.mark.django_db

MODELS = {
    "projects": Project,
    "milestones": Milestone,
    "cost_lines": CostLine,
    "risks": Risk,
    "issues": Issue,
    "resources": Resource,
    "absences": Absence,
}


def _snapshot(portfolio) -> dict:
    data = {}
    for name, model in MODELS.items():
        fields = [c.field for c in SPECS[name].columns if c.field not in ("project", "skills")]
        scope = {"portfolio": portfolio} if name == "projects" else {"project__portfolio": portfolio}
        prefix = [] if name == "projects" else ["project__code"]
        if name == "resources":
            scope, prefix = {"portfolio": portfolio, "archived_at__isnull": True}, []
        if name == "absences":
            fields = [f for f in fields if f != "resource"]
            scope = {"resource__portfolio": portfolio, "resource__archived_at__isnull": True}
            prefix = ["resource__name"]
        data[name] = sorted(
            (
                tuple(str(v) for v in values)
                for values in model.objects.filter(**scope).values_list(*prefix, *fields, "pk")
            ),
        )
    data["skills"] = sorted(
        ResourceSkill.objects.filter(resource__portfolio=portfolio).values_list(
            "resource__name", "skill__name", "level", "pk"
        )
    )
    return data


def _export(pmo, portfolio):
    return writer.workbook_bytes(
        list(SPECS.values()),
        projects=Project.objects.visible_to(pmo).filter(portfolio=portfolio),
        resources=Resource.objects.visible_to(pmo).filter(portfolio=portfolio),
    )


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    pmo = User.objects.get(username="pmo")
    portfolio = Portfolio.objects.filter(projects__isnull=False).distinct().order_by("pk").first()
    return pmo, portfolio


def test_export_then_import_changes_nothing_for_every_object_type(demo, apply_file):
    pmo, portfolio = demo
    projects = Project.objects.visible_to(pmo).filter(portfolio=portfolio)
    before = _snapshot(portfolio)
    assert all(before[name] for name in MODELS), "the demo portfolio has rows of every object type"

    assert before["skills"], "the demo pool has skills"
    exported = _export(pmo, portfolio)
    plan = apply_file(pmo, portfolio, exported)

    counts = {s.spec.name: (s.count("create"), s.count("update"), s.count("unchanged")) for s in plan.sheets}
    assert counts == {name: (0, 0, len(before[name])) for name in MODELS}
    assert _snapshot(portfolio) == before
    # CSV, one object type at a time
    for name, spec in SPECS.items():
        resources = Resource.objects.visible_to(pmo).filter(portfolio=portfolio)
        exported_csv = writer.csv_export(spec, projects=projects, resources=resources)
        csv_plan = apply_file(pmo, portfolio, exported_csv, name=f"{name}.csv")
        assert csv_plan.totals() == {"create": 0, "update": 0, "unchanged": len(before[name])}, name


def test_an_export_restores_changed_data_identically(demo, apply_file):
    pmo, portfolio = demo
    before = _snapshot(portfolio)
    exported = _export(pmo, portfolio)
    # the data moves on...
    Project.objects.filter(portfolio=portfolio).update(name="Renommé", budget=1)
    Milestone.objects.filter(project__portfolio=portfolio).update(
        forecast_date=date(2030, 1, 1), is_key=False
    )
    CostLine.objects.filter(project__portfolio=portfolio).update(actual=7)
    Risk.objects.filter(project__portfolio=portfolio).update(probability=1, impact=1, mitigation="")
    Issue.objects.filter(project__portfolio=portfolio).update(status="closed", description="x")
    Resource.objects.filter(portfolio=portfolio).update(department="Ailleurs", working_time_pct=50)
    held = ResourceSkill.objects.filter(resource__portfolio=portfolio)
    held.filter(pk__in=held.order_by("pk").values("pk")[:3]).delete()
    held.update(level=1)
    Absence.objects.filter(resource__portfolio=portfolio).update(reason="changé")

    plan = apply_file(pmo, portfolio, exported)

    assert plan.totals()["create"] == 0 and plan.totals()["update"] > 0
    after = _snapshot(portfolio)
    for name in MODELS:
        assert after[name] == before[name], name
    # the deleted skills come back (new rows): compare them without their ids
    assert [s[:3] for s in after["skills"]] == [s[:3] for s in before["skills"]]


def test_the_exported_workbook_is_formatted(demo):
    from openpyxl import load_workbook

    pmo, portfolio = demo
    data = writer.workbook_bytes(
        list(SPECS.values()), projects=Project.objects.visible_to(pmo).filter(portfolio=portfolio)
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book["Coûts"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:F")
    assert sheet["D2"].number_format == '#,##0.00 "€"' and sheet["B2"].number_format == "MM/YYYY"
    assert sheet.column_dimensions["A"].width == 16
    assert book["Listes"].sheet_state == "hidden"
    assert any("Listes" in str(v.formula1) for v in book["Risques"].data_validations.dataValidation)
    assert reader.read_file(filename="x.xlsx", data=data).row_count > 0
