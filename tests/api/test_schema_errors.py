"""The OpenAPI schema documents the errors each operation answers (pmo.core.api_schema), and the API
answers exactly those: a client, and schemathesis (RELIABILITY row 27), can rely on the schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from projects.models import Risk

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def documented(schema, path: str, method: str) -> dict:
    return schema["paths"][path][method]["responses"]


def test_every_operation_documents_its_errors(schema):
    seen = 0
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        assert "403" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in ("post", "put", "patch", "delete"):
            assert "400" in responses, (method, path)
        if_match = [p for p in parameters if p["in"] == "header" and p["name"] == "If-Match"]
        if if_match:
            assert "412" in responses, (method, path)
            assert ("428" in responses) == if_match[0].get("required", False), (method, path)
        for code in ("400", "403", "404", "412", "428"):
            if code in responses:
                content = responses[code].get("content", {}).get("application/json", {})
                assert content.get("schema") == {"$ref": "#/components/schemas/Error"}, (code, method, path)
        seen += 1
    assert seen > 200
    assert schema["components"]["schemas"]["Error"]["type"] == "object"


def test_the_errors_answered_are_the_documented_ones(world, schema):
    risk = Risk.objects.create(project=world.a1, title="Retard fournisseur", probability=2, impact=3)
    detail, collection = "/api/v1/risks/{id}/", "/api/v1/risks/"
    anonymous, pmo = APIClient(), APIClient()
    pmo.force_authenticate(world.users["pmo_a"])
    team = APIClient()
    team.force_authenticate(world.users["team"])

    answers = [
        (anonymous.get(collection), collection, "get"),
        (pmo.get(collection, {"page": 999}), collection, "get"),
        (pmo.get(collection, {"project": "not-a-number"}), collection, "get"),
        (pmo.get(detail.format(id=999999)), detail, "get"),
        (pmo.post(collection, {"project": world.a1.pk, "title": ""}, format="json"), collection, "post"),
        (pmo.patch(detail.format(id=risk.pk), {"title": "x"}, format="json"), detail, "patch"),
        (
            pmo.patch(detail.format(id=risk.pk), {"title": "x"}, format="json", HTTP_IF_MATCH='"99"'),
            detail,
            "patch",
        ),
        (
            team.patch(detail.format(id=risk.pk), {"title": "x"}, format="json", HTTP_IF_MATCH='"1"'),
            detail,
            "patch",
        ),
    ]

    codes = []
    for response, path, method in answers:
        code = str(response.status_code)
        codes.append(code)
        assert code in documented(schema, path, method), (method, path, code, response.content[:200])
        assert isinstance(response.json(), dict)
    assert codes == ["403", "404", "400", "404", "400", "428", "412", "403"]


def test_an_api_path_matching_no_route_is_a_json_404(world, client_for):
    """Found by schemathesis: `/api/v1/projects/0.5/` matched no route and answered Django's HTML
    page, where the schema documents DRF's JSON error; pages outside the API keep the HTML page."""
    client = client_for("pmo_a")
    api = client.get("/api/v1/projects/0.5/")
    page = client.get("/projets/0.5/")

    assert api.status_code == 404 and api["Content-Type"] == "application/json"
    assert api.json() == {"detail": "Non trouvé."}  # DRF's own message, in French
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
