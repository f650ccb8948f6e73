"""Deployment probes (RELIABILITY row 11): what a scanner tries first on a freshly deployed site.

`manage.py check --deploy --fail-level WARNING` under production settings is in
tests/core/test_settings.py; here, the live answers: no repository or dotfile served, an
unexpected error shows a generic page that leaks nothing, the OpenAPI schema and docs are closed
to anonymous visitors.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import include, path

pytestmark = pytest.mark.django_db

LEAK_MARKERS = (
    "Traceback",
    'File "',
    "site-packages",
    "RuntimeError",
    "ProgrammingError",
    "psycopg",
    "SELECT",
    "no_such_table",
    "DATABASES",
    "SECRET_KEY",
    "settings",
    "DJANGO_SETTINGS_MODULE",
    "Request Method",
    "URLconf",
    "urlpatterns",
    "/work/",
    "payroll-secret-4711",
)


def explode(request):
    raise RuntimeError("payroll-secret-4711 " + settings.SECRET_KEY)


def explode_in_sql(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM no_such_table WHERE token = 'payroll-secret-4711'")
    return None


urlpatterns = [
    path("boom/", explode),
    path("boom/sql/", explode_in_sql),
    path("", include("pmo.urls")),
]


def leaks(body: str) -> list[str]:
    return [marker for marker in LEAK_MARKERS if marker in body]


PROBES = ["/.git/", "/.git/config", "/.git/HEAD", "/.env", "/media/", "/media/x.pdf", "/settings.py"]


@pytest.mark.parametrize("principal", ["anonymous", "pmo_a", "superuser"])
def test_repository_dotfiles_and_media_are_not_served(client_for, principal):
    client = client_for(principal)
    statuses = {probe: client.get(probe).status_code for probe in PROBES}
    assert statuses == dict.fromkeys(PROBES, 404)


def test_an_unknown_url_shows_the_generic_404_without_the_url_list(client_for):
    response = client_for("pmo_a").get("/no-such-page/")
    assert response.status_code == 404
    assert leaks(response.content.decode()) == []


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.parametrize("url", ["/boom/", "/boom/sql/"])
@pytest.mark.parametrize("principal", ["anonymous", "pmo_a"])
def test_a_forced_500_shows_a_generic_french_page_that_leaks_nothing(world, url, principal):
    client = Client(raise_request_exception=False)
    if principal != "anonymous":
        client.force_login(world.users[principal])
    response = client.get(url, headers={"Accept-Language": "en"})
    body = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue" in body
    assert leaks(body) == []
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/api/schema/", "/api/schema/?format=json", "/api/docs/"])
def test_the_api_schema_and_docs_are_readable_only_when_authenticated(client_for, url):
    assert client_for("anonymous").get(url).status_code == 403
    assert client_for("team").get(url).status_code == 200


def test_deployment_probe_figures(client_for, world):
    """The row's figure in one line (the assertions above each fail on their own)."""
    anonymous = client_for("anonymous")
    git = {probe: anonymous.get(probe).status_code for probe in PROBES}
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        failing = Client(raise_request_exception=False)
        errors = [failing.get(url) for url in ("/boom/", "/boom/sql/")]
    leaked = sum(len(leaks(response.content.decode())) for response in errors)
    schema = [anonymous.get(url).status_code for url in ("/api/schema/", "/api/docs/")]
    print(
        f"\nRELIABILITY row 11: {', '.join(f'{p} → {s}' for p, s in git.items())}; forced 500 "
        f"(exception, SQL error) → {[r.status_code for r in errors]} generic French page, {leaked} "
        f"traceback/SQL/settings strings in {len(LEAK_MARKERS)} markers checked; /api/schema/ and "
        f"/api/docs/ anonymous → {schema}, authenticated → 200 (check --deploy: tests/core/test_settings.py)"
    )
    assert set(git.values()) == {404} and leaked == 0 and schema == [403, 403]
