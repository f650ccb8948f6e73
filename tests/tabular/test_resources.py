"""The "Ressources" sheet: the portfolio's pool imported and exported like the registers (issue 8 item 1).

Natural key: the resource's name among the portfolio's active resources. Skills: one cell,
"Compétence:niveau" separated by ";". Only the portfolio's PMO officers import resources.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portfolio.resource_models import Resource, ResourceSkill, Role, Skill
from projects.tabular import engine, services, writer
from projects.tabular.specs import SPECS, parse_skills, skill_levels
from tests.tabular.conftest import event_model
from tests.tabular.helpers import csv_file, row, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(world):
    dev = Role.objects.create(code="dev", name="Développeur", cost_rate_per_day=Decimal("600"))
    archi = Role.objects.create(code="archi", name="Architecte", cost_rate_per_day=Decimal("900"))
    java = Skill.objects.create(name="Java")
    sap = Skill.objects.create(name="SAP FI")
    return dev, archi, java, sap


def _pool_file():
    return workbook(
        {
            "resources": [
                row(
                    "resources",
                    name="Alice Martin",
                    user="team",
                    role="Développeur",
                    department="Études",
                    manager="executive",
                    cost_rate_per_day="650,00",
                    hours_per_week="37,5",
                    working_time_pct=80,
                    available_from=date(2027, 1, 4),
                    available_until="31/12/2027",
                    skills="java:4; SAP FI:Pratique",
                ),
                row("resources", name="Poste architecte", role="archi"),
            ]
        }
    )


def test_the_spec_key_and_skills_format(reference):
    spec = SPECS["resources"]
    assert spec.title == "Ressources" and spec.key == ("name",)
    assert [c.header for c in spec.columns][:3] == ["Nom", "Utilisateur", "Rôle"]
    known = {"java": "Java", "sap fi": "SAP FI"}
    assert parse_skills("SAP FI:expert ;java", known, skill_levels()) == (("Java", 2), ("SAP FI", 4))
    assert parse_skills("", known, skill_levels()) == ()


def test_a_pool_is_created_audited_and_reimported_unchanged(world, reference, plan_of, apply_file):
    dev, archi, java, sap = reference
    pmo = world.users["pmo_a"]

    plan = plan_of(pmo, world.portfolio_a, _pool_file())
    assert plan.ok, plan.errors
    assert plan.totals() == {"create": 2, "update": 0, "unchanged": 0}
    assert not Resource.objects.exists()  # a dry run writes nothing

    apply_file(pmo, world.portfolio_a, _pool_file())

    alice = Resource.objects.get(name="Alice Martin")
    assert alice.portfolio == world.portfolio_a and alice.role == dev
    assert alice.user == world.users["team"] and alice.manager == world.users["executive"]
    assert alice.cost_rate_per_day == Decimal("650") and alice.hours_per_week == Decimal("37.5")
    assert (alice.working_time_pct, alice.available_from, alice.available_until) == (
        80,
        date(2027, 1, 4),
        date(2027, 12, 31),
    )
    assert {(s.skill, s.level) for s in alice.skills.all()} == {(java, 4), (sap, 2)}
    post = Resource.objects.get(name="Poste architecte")
    assert post.role == archi and post.user is None and post.hours_per_week == Decimal("35")
    event = event_model(Resource).objects.select_related("pgh_context").get(pgh_obj_id=alice.pk)
    assert event.pgh_context.metadata == {"user": pmo.pk, "reason": "test"}

    again = apply_file(pmo, world.portfolio_a, _pool_file())
    assert again.totals() == {"create": 0, "update": 0, "unchanged": 2}
    assert Resource.objects.count() == 2 and ResourceSkill.objects.count() == 2


def test_the_file_sets_skills_exactly_and_matches_by_name(world, reference, apply_file, plan_of):
    dev, archi, java, sap = reference
    pmo = world.users["pmo_a"]
    apply_file(pmo, world.portfolio_a, _pool_file())
    changed = workbook({"resources": [row("resources", name="alice martin ", role="dev", skills="SAP FI:1")]})
    # names compare exactly (trimmed): another case is another resource
    assert plan_of(pmo, world.portfolio_a, changed).totals()["create"] == 1
    changed = workbook({"resources": [row("resources", name="Alice Martin", role="dev", skills="SAP FI:1")]})

    plan = apply_file(pmo, world.portfolio_a, changed)

    assert plan.sheets[0].rows[0].changed == [
        "user",
        "department",
        "manager",
        "cost_rate_per_day",
        "hours_per_week",
        "working_time_pct",
        "available_from",
        "available_until",
        "skills",
    ]
    alice = Resource.objects.get(name="Alice Martin")
    assert alice.version == 2 and alice.user is None and alice.department == ""
    assert list(alice.skills.values_list("skill__name", "level")) == [("SAP FI", 1)]


def test_every_error_names_sheet_row_and_column(world, reference, plan_of, apply_file):
    dev, _archi, _java, _sap = reference
    Resource.objects.create(portfolio=world.portfolio_a, name="Déjà lié", role=dev, user=world.users["pm_a"])
    data = workbook(
        {
            "resources": [
                row("resources", name="Bon", role="dev"),
                row("resources", name="X", role="Plombier", skills="Cobol:2"),
                row("resources", name="Y", role="dev", skills="Java:9", working_time_pct=120),
                row(
                    "resources",
                    name="Z",
                    role="dev",
                    hours_per_week="37,25",
                    available_from="01/02/2027",
                    available_until="01/01/2027",
                ),
                row("resources", name="Bon", role="dev"),
                row("resources", name="W", role="dev", user="pm_a"),
                row("resources", name="V", role="dev", user="sponsor"),
                row("resources", name="U", role="dev", user="sponsor"),
                row("resources", name="", role="", manager="pm_b"),
            ]
        }
    )

    plan = plan_of(world.users["pmo_a"], world.portfolio_a, data)

    messages = {(e.sheet, e.row, e.column): e.message for e in plan.errors}
    assert set(messages) == {
        ("Ressources", 3, "Rôle"),
        ("Ressources", 3, "Compétences"),
        ("Ressources", 4, "Compétences"),
        ("Ressources", 4, "Temps de travail (%)"),
        ("Ressources", 5, "Heures par semaine"),
        ("Ressources", 5, "Disponible jusqu'au"),
        ("Ressources", 6, "Nom"),
        ("Ressources", 7, "Utilisateur"),
        ("Ressources", 9, "Utilisateur"),
        ("Ressources", 10, "Responsable"),
        ("Ressources", 10, "Nom"),
        ("Ressources", 10, "Rôle"),
    }
    assert messages[("Ressources", 3, "Rôle")] == "rôle « Plombier » inconnu (voir la feuille Listes)"
    assert "compétence « Cobol » inconnue" in messages[("Ressources", 3, "Compétences")]
    assert "niveau de 1 (notions) à 4 (expert)" in messages[("Ressources", 4, "Compétences")]
    assert messages[("Ressources", 6, "Nom")] == "doublon de la ligne 2 (même clé)"
    assert messages[("Ressources", 7, "Utilisateur")] == "« pm_a » est déjà lié à une autre ressource"
    assert messages[("Ressources", 9, "Utilisateur")] == "utilisateur déjà lié à la ressource de la ligne 8"
    assert "n'est pas membre du portefeuille" in messages[("Ressources", 10, "Responsable")]
    with pytest.raises(engine.ImportRefused):
        apply_file(world.users["pmo_a"], world.portfolio_a, data)
    assert list(Resource.objects.values_list("name", flat=True)) == ["Déjà lié"]


def test_only_the_portfolios_pmo_officers_import_resources(world, reference, plan_of):
    data = workbook({"resources": [row("resources", name="N", role="dev")]})
    for name in ("pm_a", "executive", "pmo_b"):
        plan = plan_of(world.users[name], world.portfolio_a, data)
        assert [(e.sheet, e.row, e.column, e.message) for e in plan.errors] == [
            ("Ressources", 1, "Nom", "seuls les responsables PMO du portefeuille importent des ressources")
        ], name
    assert plan_of(world.users["pmo_a"], world.portfolio_a, data).ok
    assert "resources" in services.importable_objects(user=world.users["pmo_a"], portfolio=world.portfolio_a)
    assert "resources" not in services.importable_objects(
        user=world.users["pm_a"], portfolio=world.portfolio_a
    )


def test_exports_and_csv_round_trip(world, reference, client_for, apply_file):
    dev, _archi, java, _sap = reference
    alice = Resource.objects.create(
        portfolio=world.portfolio_a,
        name="=Alice",
        role=dev,
        user=world.users["team"],
        cost_rate_per_day=Decimal("612.5"),
        hours_per_week=Decimal("37.5"),
    )
    alice.skills.create(skill=java, level=3)
    Resource.objects.create(portfolio=world.portfolio_b, name="Carol B", role=dev)
    Resource.objects.create(
        portfolio=world.portfolio_a, name="Partie", role=dev, archived_at="2026-01-01T00:00Z"
    )
    url = reverse("projects:tabular-export", args=[world.portfolio_a.pk, "resources", "xlsx"])

    sheet = load_workbook(io.BytesIO(client_for("pmo_a").get(url).content))["Ressources"]
    assert [c.value for c in sheet[2]][:3] == ["=Alice", "team", "Développeur"]
    assert sheet["A2"].data_type == "s" and sheet["K2"].value == "Java:3" and sheet["A3"].value is None
    assert sheet["F2"].number_format.endswith('"€"') and sheet.freeze_panes == "A2"
    # who cannot see the pool exports none of it; a one-project export has no pool
    team = load_workbook(io.BytesIO(client_for("team").get(url).content))["Ressources"]
    assert team["A2"].value == "=Alice"  # their own resource only
    assert client_for("pmo_b").get(url).status_code == 404  # another portfolio
    one = client_for("pmo_a").get(
        reverse("projects:tabular-export", args=[world.portfolio_a.pk, "workbook", "xlsx"])
        + f"?project={world.a1.pk}"
    )
    assert load_workbook(io.BytesIO(one.content))["Ressources"]["A2"].value is None

    csv = (
        client_for("pmo_a")
        .get(reverse("projects:tabular-export", args=[world.portfolio_a.pk, "resources", "csv"]))
        .content
    )
    assert "'=Alice;team;Développeur" in csv.decode("utf-8-sig")
    plan = apply_file(world.users["pmo_a"], world.portfolio_a, csv, name="r.csv")
    assert plan.totals() == {"create": 0, "update": 0, "unchanged": 1}
    guessed = csv_file("resources", [{"name": "Nouveau", "role": "Architecte", "skills": "Java:2"}])
    assert apply_file(world.users["pmo_a"], world.portfolio_a, guessed, name="n.csv").totals()["create"] == 1


def test_the_template_lists_roles_and_skills(world, reference, plan_of):
    data = writer.workbook_bytes([SPECS["resources"]], template=True)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Ressources", "Listes"]
    lists = book["Listes"]
    assert [c.value for c in lists["A"]] == ["Rôle", "Architecte", "Développeur"]
    assert [c.value for c in lists["B"]] == ["Compétences", "Java", "SAP FI"]
    validations = book["Ressources"].data_validations.dataValidation
    assert any("Listes" in str(v.formula1) and "C2" in str(v.sqref) for v in validations)
    assert plan_of(world.users["pmo_a"], world.portfolio_a, data).totals() == {
        "create": 0,
        "update": 0,
        "unchanged": 0,
    }  # the example row is skipped


def test_the_export_runs_a_constant_number_of_queries(world, reference, client_for):
    dev, _archi, java, sap = reference
    client = client_for("pmo_a")
    url = reverse("projects:tabular-export", args=[world.portfolio_a.pk, "workbook", "xlsx"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    Resource.objects.create(portfolio=world.portfolio_a, name="R0", role=dev).skills.create(skill=java)
    small = count()
    for i in range(1, 6):
        resource = Resource.objects.create(
            portfolio=world.portfolio_a, name=f"R{i}", role=dev, manager=world.users["pm_a"]
        )
        resource.skills.create(skill=java)
        resource.skills.create(skill=sap, level=4)
    assert count() == small


def test_absences_name_their_resource_even_one_created_by_the_same_file(
    world, reference, plan_of, apply_file
):
    dev, _archi, _java, _sap = reference
    Resource.objects.create(portfolio=world.portfolio_a, name="Bob", role=dev)
    Resource.objects.create(portfolio=world.portfolio_b, name="Carol", role=dev)
    data = workbook(
        {
            "resources": [row("resources", name="Nina", role="dev")],
            "absences": [
                row(
                    "absences",
                    resource="Nina",
                    start_date="02/08/2027",
                    end_date="20/08/2027",
                    reason="Congés",
                ),
                row("absences", resource="Bob", start_date=date(2027, 5, 3), end_date=date(2027, 5, 7)),
            ],
        }
    )
    pmo = world.users["pmo_a"]
    assert plan_of(pmo, world.portfolio_a, data).totals() == {"create": 3, "update": 0, "unchanged": 0}

    apply_file(pmo, world.portfolio_a, data)

    nina = Resource.objects.get(name="Nina")
    assert list(nina.absences.values_list("start_date", "end_date", "reason")) == [
        (date(2027, 8, 2), date(2027, 8, 20), "Congés")
    ]
    assert apply_file(pmo, world.portfolio_a, data).totals() == {"create": 0, "update": 0, "unchanged": 3}
    wrong = workbook(
        {
            "absences": [
                row("absences", resource="Carol", start_date="01/01/2027", end_date="02/01/2027"),
                row("absences", resource="Bob", start_date="09/01/2027", end_date="02/01/2027"),
                row("absences", resource="Bob", start_date="03/05/2027", end_date="10/05/2027"),
            ]
        }
    )
    plan = plan_of(pmo, world.portfolio_a, wrong)
    assert {(e.sheet, e.row, e.column): e.message for e in plan.errors} == {
        ("Absences", 2, "Ressource"): "ressource « Carol » inconnue dans ce portefeuille",
        ("Absences", 3, "Fin"): "la fin précède le début",
    }
    assert plan.totals()["update"] == 1  # Bob's absence from 03/05/2027 now ends on the 10th
    pm_plan = plan_of(world.users["pm_a"], world.portfolio_a, wrong)
    assert [e.message for e in pm_plan.errors] == [
        "seuls les responsables PMO du portefeuille importent des absences"
    ]
