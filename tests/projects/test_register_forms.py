"""Adding and changing register rows from the project page's tabs: one generic form per kind,
written through projects.services, scoped to the project's editors."""

from datetime import date

import pytest
from django.urls import reverse

from pmo.core.forms import STALE_MESSAGE
from projects.models import Assumption, Deliverable, Dependency, Issue, Milestone, Risk

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)


def _post_data(kind, world):
    owner = world.users["pm_a"].pk
    return {
        "milestones": {
            "name": "Recette",
            "baseline_date": "2026-03-02",
            "forecast_date": "2026-03-09",
            "weight": "10",
            "status": "planned",
            "is_key": "on",
        },
        "risks": {
            "title": "Retard fournisseur",
            "probability": "4",
            "impact": "3",
            "status": "open",
            "owner": owner,
        },
        "issues": {"title": "Serveur en panne", "severity": "high", "status": "open", "owner": owner},
        "assumptions": {"title": "Budget voté", "status": "open", "owner": owner},
        "deliverables": {"name": "Dossier d'architecture", "owner": owner, "due_date": "2026-04-01"},
        "dependencies": {"title": "API de B", "depends_on_project": world.a2.pk, "status": "open"},
    }[kind]


MODELS = {
    "milestones": (Milestone, "name", "milestones"),
    "risks": (Risk, "title", "risks"),
    "issues": (Issue, "title", "issues"),
    "assumptions": (Assumption, "title", "issues"),
    "deliverables": (Deliverable, "name", "deliverables"),
    "dependencies": (Dependency, "title", "dependencies"),
}
KINDS = list(MODELS)


def _row(kind, project, world, **extra):
    model, label, _tab = MODELS[kind]
    values = {label: "Ligne existante"}
    if kind == "risks":
        values.update(probability=2, impact=2)
    if kind == "dependencies":
        values["depends_on_project"] = world.a2
    values.update(extra)
    return model.objects.create(project=project, **values)


@pytest.fixture
def a1(world):
    world.a1.start_date = START
    world.a1.save()
    return world.a1


def _create_url(project, kind):
    return reverse("projects:register-create", args=[project.pk, kind])


def _edit_url(project, kind, row):
    return reverse("projects:register-edit", args=[project.pk, kind, row.pk])


@pytest.mark.parametrize("kind", KINDS)
def test_create_saves_and_returns_the_tab(kind, world, a1, client_for):
    model, label, tab = MODELS[kind]
    client = client_for("pm_a")
    response = client.post(_create_url(a1, kind), _post_data(kind, world))
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["HX-Trigger"] == "qcdr:changed"
    assert response["HX-Retarget"] == f"#project-{tab}"
    html = response.content.decode()
    assert f'id="project-{tab}"' in html
    row = model.objects.get(project=a1)
    assert getattr(row, label) == _post_data(kind, world)[label]
    assert getattr(row, label) in html or getattr(row, label).replace("'", "&#x27;") in html
    assert _edit_url(a1, kind, row) in html  # the new row has its edit button


@pytest.mark.parametrize("kind", KINDS)
def test_edit_get_prefills_and_post_updates(kind, world, a1, client_for):
    model, label, tab = MODELS[kind]
    row = _row(kind, a1, world)
    client = client_for("pm_a")
    form = client.get(_edit_url(a1, kind, row))
    assert form.status_code == 200
    assert "Ligne existante" in form.content.decode()
    assert f'name="version" value="{row.version}"' in form.content.decode()
    data = {**_post_data(kind, world), label: "Ligne modifiée", "version": row.version}
    response = client.post(_edit_url(a1, kind, row), data)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["HX-Trigger"] == "qcdr:changed"
    row.refresh_from_db()
    assert getattr(row, label) == "Ligne modifiée"
    assert row.version == data["version"] + 1


@pytest.mark.parametrize("kind", KINDS)
def test_get_create_form_writes_nothing(kind, world, a1, client_for):
    model, _label, _tab = MODELS[kind]
    response = client_for("pm_a").get(_create_url(a1, kind))
    assert response.status_code == 200
    assert 'name="version"' in response.content.decode()
    assert not model.objects.exists()


def test_tabs_show_add_and_edit_buttons_to_editors_only(world, a1, client_for):
    row = _row("issues", a1, world)
    url = reverse("projects:issues-partial", args=[a1.pk])
    editor = client_for("pm_a").get(url).content.decode()
    assert _create_url(a1, "issues") in editor
    assert _create_url(a1, "assumptions") in editor
    assert _edit_url(a1, "issues", row) in editor
    reader = client_for("executive").get(url)
    assert reader.status_code == 200
    assert _create_url(a1, "issues") not in reader.content.decode()
    assert _edit_url(a1, "issues", row) not in reader.content.decode()


def test_invalid_probability_is_422_and_nothing_written(world, a1, client_for):
    data = {**_post_data("risks", world), "probability": "7"}
    response = client_for("pm_a").post(_create_url(a1, "risks"), data)
    assert response.status_code == 422
    assert 'id="id_probability_error"' in response.content.decode()
    assert not Risk.objects.exists()


def test_forecast_before_project_start_is_422(world, a1, client_for):
    data = {**_post_data("milestones", world), "forecast_date": "2025-12-01"}
    response = client_for("pm_a").post(_create_url(a1, "milestones"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_forecast_date_error"' in html
    assert "05/01/2026" in html
    assert not Milestone.objects.exists()


def test_edit_with_error_leaves_the_row_unchanged(world, a1, client_for):
    row = _row("milestones", a1, world, forecast_date=date(2026, 2, 1))
    data = {**_post_data("milestones", world), "forecast_date": "2025-12-01", "version": row.version}
    response = client_for("pm_a").post(_edit_url(a1, "milestones", row), data)
    assert response.status_code == 422
    row.refresh_from_db()
    assert row.forecast_date == date(2026, 2, 1)
    assert row.name == "Ligne existante"


def test_owner_outside_the_portfolio_is_refused(world, a1, client_for):
    data = {**_post_data("issues", world), "owner": world.users["pm_b"].pk}
    response = client_for("pm_a").post(_create_url(a1, "issues"), data)
    assert response.status_code == 422
    assert 'id="id_owner_error"' in response.content.decode()
    assert not Issue.objects.exists()


def test_dependency_choices_are_limited_to_visible_projects(world, a1, client_for):
    form = client_for("pm_a").get(_create_url(a1, "dependencies")).content.decode()
    assert "Projet A2" in form
    assert "Projet B1" not in form
    data = {**_post_data("dependencies", world), "depends_on_project": world.b1.pk}
    response = client_for("pm_a").post(_create_url(a1, "dependencies"), data)
    assert response.status_code == 422
    assert not Dependency.objects.exists()


def test_stale_version_is_422_with_the_message(world, a1, client_for):
    row = _row("issues", a1, world)
    data = {**_post_data("issues", world), "title": "Mon titre", "version": row.version}
    Issue.objects.filter(pk=row.pk).update(version=row.version + 1, title="Leur titre")
    response = client_for("pm_a").post(_edit_url(a1, "issues", row), data)
    assert response.status_code == 422
    assert str(STALE_MESSAGE).replace("'", "&#x27;") in response.content.decode()
    row.refresh_from_db()
    assert row.title == "Leur titre"


@pytest.mark.parametrize(
    "who, project, expected", [("executive", "a1", 403), ("pm_a", "a2", 403), ("pm_a", "b1", 404)]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_forbidden_and_invisible(who, project, expected, method, world, a1, client_for):
    target = getattr(world, project)
    client = client_for(who)
    create = getattr(client, method)(
        _create_url(target, "issues"), {"title": "x", "severity": "low", "status": "open"}
    )
    assert create.status_code == expected
    row = _row("issues", target, world)
    edit = getattr(client, method)(_edit_url(target, "issues", row), {"title": "x", "version": row.version})
    assert edit.status_code == expected
    assert Issue.objects.count() == 1
    assert Issue.objects.get().title == "Ligne existante"


def test_row_of_another_project_and_unknown_kind_are_404(world, a1, client_for):
    foreign = _row("issues", world.b1, world)
    client = client_for("pm_a")
    assert client.get(f"/projects/{a1.pk}/registers/issues/{foreign.pk}/edit/").status_code == 404
    response = client.post(_edit_url(a1, "issues", foreign), {"title": "x", "version": foreign.version})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.title == "Ligne existante"
    assert client.get(f"/projects/{a1.pk}/registers/costs/new/").status_code == 404
    assert client.get(f"/projects/{a1.pk}/registers/unknown/new/").status_code == 404


def test_anonymous_is_sent_to_login(world, a1, client_for):
    response = client_for("anonymous").get(_create_url(a1, "risks"))
    assert response.status_code == 302
