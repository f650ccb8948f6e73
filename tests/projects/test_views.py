"""Project pages and fragments: full page on first load, one partial under HTMX, errors in place."""

import datetime as dt
from decimal import Decimal

import pytest

from projects.models import Project

pytestmark = pytest.mark.django_db


def test_project_list_renders_the_page_then_only_the_table_under_htmx(client_for, world):
    client = client_for("pm_a")
    page = client.get("/projects/")
    fragment = client.get("/projects/?q=a2", HTTP_HX_REQUEST="true")

    assert page.status_code == fragment.status_code == 200
    assert b"<html" in page.content and b'id="project-table"' in page.content
    assert b"<html" not in fragment.content
    assert fragment.content.lstrip().startswith(b'<div id="project-table">')
    assert b"Projet A2" in fragment.content and b"Projet A1" not in fragment.content
    assert "HX-Request" in fragment["Vary"]


def test_project_list_is_french_by_default_whatever_the_browser(client_for, world):
    response = client_for("pm_a").get("/projects/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert b'<html lang="fr">' in response.content


def test_project_list_queries_do_not_grow_with_projects(client_for, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ProjectFactory

    client = client_for("pmo_a")
    with CaptureQueriesContext(connection) as few:
        client.get("/projects/")
    ProjectFactory.create_batch(30, portfolio=world.portfolio_a, manager=world.other_pm)
    with CaptureQueriesContext(connection) as many:
        client.get("/projects/")
    assert len(many) == len(few)


def test_summary_inline_edit_saves_and_returns_the_display(client_for, world):
    client = client_for("pm_a")
    form = client.get(f"/projects/{world.a1.pk}/partials/summary/edit/", HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert b'name="version" value="1"' in form.content
    assert b'name="budget"' not in form.content  # PMO-owned field, not offered to the PM

    saved = client.post(
        f"/projects/{world.a1.pk}/partials/summary/edit/",
        {"version": 1, "name": "Projet A1", "description": "Nouvelle description", "end_date": "2027-03-31"},
        HTTP_HX_REQUEST="true",
    )

    assert saved.status_code == 200
    assert b"Nouvelle description" in saved.content
    assert saved["HX-Trigger"] == "project:changed"
    assert Project.objects.get(pk=world.a1.pk).description == "Nouvelle description"


def test_summary_inline_edit_with_errors_answers_422_and_writes_nothing(client_for, world):
    response = client_for("pm_a").post(
        f"/projects/{world.a1.pk}/partials/summary/edit/",
        {"version": 1, "name": "", "start_date": "2027-01-01", "end_date": "2026-01-01"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert b'id="id_name_error"' in response.content
    assert b'id="id_end_date_error"' in response.content
    assert Project.objects.get(pk=world.a1.pk).version == 1


def test_summary_edit_with_a_stale_version_tells_the_user(client_for, world):
    Project.objects.filter(pk=world.a1.pk).update(version=2)
    response = client_for("pm_a").post(
        f"/projects/{world.a1.pk}/partials/summary/edit/",
        {"version": 1, "name": "Écrasement"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert Project.objects.get(pk=world.a1.pk).name == "Projet A1"


def test_pm_cannot_edit_a_colleagues_project_page(client_for, world):
    assert client_for("pm_a").get(f"/projects/{world.a2.pk}/edit/").status_code == 403
    assert client_for("pm_a").get(f"/projects/{world.b1.pk}/edit/").status_code == 404


def test_pmo_creates_a_project_from_the_form(client_for, world):
    response = client_for("pmo_a").post(
        "/projects/new/",
        {
            "portfolio": world.portfolio_a.pk,
            "code": "nouveau",
            "name": "Nouveau projet",
            "state": "proposed",
            "budget": "250000",
            "manager": world.users["pm_a"].pk,
        },
    )
    project = Project.objects.get(code="nouveau")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    assert project.manager == world.users["pm_a"]


def test_project_form_errors_name_the_fields(client_for, world):
    response = client_for("pmo_a").post(
        "/projects/new/",
        {"portfolio": world.portfolio_a.pk, "code": "a1", "name": "", "state": "bogus", "budget": "-1"},
    )
    assert response.status_code == 422
    for field in ("name", "state", "budget"):
        assert f'id="id_{field}_error"'.encode() in response.content
    assert not Project.objects.filter(name="").exists()


def test_team_tab_adds_and_removes_members(client_for, world):
    client = client_for("pm_a")
    added = client.post(
        f"/projects/{world.a1.pk}/team/add/",
        {"user": world.users["executive"].pk, "project_role": "Référent métier"},
        HTTP_HX_REQUEST="true",
    )
    assert added.status_code == 200
    assert world.a1.members.filter(user=world.users["executive"]).exists()
    removed = client.post(f"/projects/{world.a1.pk}/team/{world.member.pk}/remove/", HTTP_HX_REQUEST="true")
    assert removed.status_code == 200
    assert not world.a1.members.filter(pk=world.member.pk).exists()


def test_history_tab_shows_who_changed_what(client_for, world):
    client = client_for("pm_a")
    client.post(
        f"/projects/{world.a1.pk}/partials/summary/edit/",
        {"version": 1, "name": "Projet A1 renommé"},
        HTTP_HX_REQUEST="true",
    )
    history = client.get(f"/projects/{world.a1.pk}/partials/history/", HTTP_HX_REQUEST="true")
    assert history.status_code == 200
    assert str(world.users["pm_a"]).encode() in history.content
    assert "Projet A1 renommé".encode() in history.content


def test_csv_export_is_safe_for_excel(client_for, world):
    Project.objects.filter(pk=world.a1.pk).update(name='=HYPERLINK("http://x")')
    response = client_for("pm_a").get("/reports/projects.csv")
    assert response["Content-Disposition"] == 'attachment; filename="projets.csv"'
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ";=HYPERLINK" not in text


def test_csv_export_rows_match_the_projects(client_for, world):
    """The export reads value rows; each line says what the model says, in French formats."""
    import csv
    import io

    from django.utils.formats import date_format

    Project.objects.filter(pk=world.a1.pk).update(
        start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 12, 31), budget=Decimal("1234567.5")
    )
    a1 = Project.objects.select_related("portfolio", "programme", "manager", "sponsor").get(pk=world.a1.pk)
    response = client_for("pm_a").get("/reports/projects.csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    row = next(line for line in lines[1:] if line[0] == a1.code)
    assert row == [
        a1.code,
        a1.name,
        a1.portfolio.name,
        a1.programme.name if a1.programme else "",
        a1.get_state_display(),
        str(a1.manager or ""),
        str(a1.sponsor or ""),
        date_format(a1.start_date, "SHORT_DATE_FORMAT"),
        date_format(a1.end_date, "SHORT_DATE_FORMAT"),
        "1234567,50",
    ]
    assert row[7] == "05/01/2026"
