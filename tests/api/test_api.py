"""The REST contract of DESIGN.md: token auth, me, scoped lists, optimistic locking, clean errors."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from projects.models import Project

pytestmark = pytest.mark.django_db

PROJECT_FIELDS = {
    "id",
    "portfolio",
    "programme",
    "code",
    "name",
    "description",
    "manager",
    "deputy",
    "sponsor",
    "stage",
    "state",
    "start_date",
    "end_date",
    "budget",
    # the project's tolerance overrides (null: the portfolio's)
    "cost_tolerance_pct",
    "time_tolerance_days",
    "risk_red_score",
    "risk_amber_score",
    "scope_tolerance_pct",
    "quality_tolerance_pct",
    "benefit_tolerance_pct",
    "latest_status",
    "version",
    "archived_at",
}


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_token_auth_returns_a_token_that_authenticates(world):
    user = world.users["pm_a"]
    user.set_password("a long enough password")
    user.save()
    client = APIClient()

    response = client.post(
        "/api/v1/auth/token/", {"username": "pm_a", "password": "a long enough password"}, format="json"
    )

    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "pm_a"


def test_token_auth_with_a_wrong_password_is_refused(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "pm_a", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_me_lists_the_memberships_with_roles(world):
    data = api_for(world.users["pmo_a"]).get("/api/v1/me/").json()
    assert data["memberships"] == [
        {
            "portfolio": world.portfolio_a.pk,
            "portfolio_code": "pf-a",
            "portfolio_name": "Portefeuille A",
            "role": "pmo",
        }
    ]
    assert {"id", "username", "full_name"} <= set(data)


def test_project_list_has_the_contract_fields_and_pagination(world):
    data = api_for(world.users["pm_a"]).get("/api/v1/projects/").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 2
    assert set(data["results"][0]) == PROJECT_FIELDS


@pytest.mark.parametrize(
    ("principal", "codes"),
    [("team", ["a1"]), ("pm_a", ["a1", "a2"]), ("pm_b", ["b1"]), ("executive", ["a1", "a2"])],
)
def test_project_list_returns_exactly_the_visible_projects(world, principal, codes):
    data = api_for(world.users[principal]).get("/api/v1/projects/").json()
    assert [row["code"] for row in data["results"]] == codes


def test_project_list_filters_and_sorts(world):
    client = api_for(world.users["superuser"])
    assert [r["code"] for r in client.get("/api/v1/projects/?q=b1").json()["results"]] == ["b1"]
    assert [
        r["code"] for r in client.get(f"/api/v1/projects/?portfolio={world.portfolio_a.pk}").json()["results"]
    ] == [
        "a1",
        "a2",
    ]
    assert [r["code"] for r in client.get("/api/v1/projects/?ordering=-code").json()["results"]] == [
        "b1",
        "a2",
        "a1",
    ]


def test_foreign_project_is_404_not_403(world):
    response = api_for(world.users["pm_a"]).get(f"/api/v1/projects/{world.b1.pk}/")
    assert response.status_code == 404


def test_detail_sends_the_version_as_etag(world):
    response = api_for(world.users["pm_a"]).get(f"/api/v1/projects/{world.a1.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'


def test_patch_without_if_match_is_428(world):
    response = api_for(world.users["pm_a"]).patch(
        f"/api/v1/projects/{world.a1.pk}/", {"name": "X"}, format="json"
    )
    assert response.status_code == 428
    assert Project.objects.get(pk=world.a1.pk).name == "Projet A1"


def test_patch_with_current_version_saves_and_returns_new_etag(world):
    response = api_for(world.users["pm_a"]).patch(
        f"/api/v1/projects/{world.a1.pk}/", {"name": "Nouveau nom"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    project = Project.objects.get(pk=world.a1.pk)
    assert (project.name, project.version) == ("Nouveau nom", 2)


def test_patch_with_stale_version_is_412_and_changes_nothing(world):
    client = api_for(world.users["pm_a"])
    client.patch(f"/api/v1/projects/{world.a1.pk}/", {"name": "Premier"}, format="json", HTTP_IF_MATCH='"1"')

    response = client.patch(
        f"/api/v1/projects/{world.a1.pk}/", {"name": "Second"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 412
    assert Project.objects.get(pk=world.a1.pk).name == "Premier"


def test_pm_cannot_change_pmo_owned_fields(world):
    response = api_for(world.users["pm_a"]).patch(
        f"/api/v1/projects/{world.a1.pk}/", {"budget": "1.00"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403
    assert "budget" in response.json()["detail"]
    assert Project.objects.get(pk=world.a1.pk).budget == Decimal("100000.00")


def test_pm_of_another_project_in_the_portfolio_gets_403(world):
    response = api_for(world.users["pm_a"]).patch(
        f"/api/v1/projects/{world.a2.pk}/", {"name": "X"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403


def test_pmo_creates_a_project_with_field_level_errors_first(world):
    client = api_for(world.users["pmo_a"])
    bad = client.post(
        "/api/v1/projects/",
        {
            "portfolio": world.portfolio_a.pk,
            "code": "new",
            "name": "Nouveau",
            "budget": "-5",
            "state": "flying",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"budget", "state"} <= set(bad.json())
    dates = client.post(
        "/api/v1/projects/",
        {
            "portfolio": world.portfolio_a.pk,
            "code": "new",
            "name": "Nouveau",
            "start_date": "2026-05-01",
            "end_date": "2026-01-01",
        },
        format="json",
    )
    assert dates.status_code == 400
    assert "end_date" in dates.json()
    assert not Project.objects.filter(code="new").exists()

    good = client.post(
        "/api/v1/projects/",
        {"portfolio": world.portfolio_a.pk, "code": "new", "name": "Nouveau", "budget": "12000.50"},
        format="json",
    )
    assert good.status_code == 201
    assert good.json()["budget"] == "12000.50"


def test_project_code_is_unique_in_its_portfolio(world):
    response = api_for(world.users["pmo_a"]).post(
        "/api/v1/projects/",
        {"portfolio": world.portfolio_a.pk, "code": "a1", "name": "Doublon"},
        format="json",
    )
    assert response.status_code == 400


def test_pmo_cannot_create_into_a_foreign_portfolio(world):
    response = api_for(world.users["pmo_a"]).post(
        "/api/v1/projects/", {"portfolio": world.portfolio_b.pk, "code": "x", "name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert "portfolio" in response.json()
    assert not Project.objects.filter(code="x").exists()


def test_manager_must_be_a_member_of_the_portfolio(world):
    response = api_for(world.users["pmo_a"]).post(
        "/api/v1/projects/",
        {"portfolio": world.portfolio_a.pk, "code": "y", "name": "Y", "manager": world.users["pm_b"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "manager" in response.json()


def test_malformed_json_is_400_not_500(world):
    response = api_for(world.users["pmo_a"]).generic(
        "POST", "/api/v1/projects/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_unknown_or_non_numeric_ids_are_404(world):
    client = api_for(world.users["pmo_a"])
    assert client.get("/api/v1/projects/999999/").status_code == 404
    assert client.get("/api/v1/projects/abc/").status_code == 404


def test_delete_archives_the_project_for_the_pmo_only(world):
    assert api_for(world.users["pm_a"]).delete(f"/api/v1/projects/{world.a1.pk}/").status_code == 403
    assert api_for(world.users["pmo_a"]).delete(f"/api/v1/projects/{world.a1.pk}/").status_code == 204
    project = Project.objects.get(pk=world.a1.pk)
    assert project.archived_at is not None
    assert api_for(world.users["pm_a"]).get(f"/api/v1/projects/{world.a1.pk}/").status_code == 404


def test_project_list_query_count_does_not_grow(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ProjectFactory

    client = api_for(world.users["pmo_a"])
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/projects/")
    ProjectFactory.create_batch(60, portfolio=world.portfolio_a, manager=world.other_pm)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/projects/?page_size=100").json()["count"] == 62
    assert len(many) == len(few)
