"""API plumbing: the COUNT query is left out only when the first page holds every row; the
FilterSet built from a view's `filterset_fields` is built once and still filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.models import Risk

pytestmark = pytest.mark.django_db


def _risks(world, count: int) -> None:
    Risk.objects.bulk_create(
        Risk(project=world.a1, title=f"Risque {n}", probability=2, impact=3) for n in range(count)
    )


def _get(world, query: str) -> tuple[dict, list[str]]:
    client = APIClient()
    client.force_authenticate(world.users["pmo_a"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/risks/?project={world.a1.pk}&{query}")
    assert response.status_code == 200
    return response.json(), [q["sql"] for q in captured.captured_queries]


def _counts(sqls: list[str]) -> int:
    return sum(sql.startswith("SELECT COUNT(*)") for sql in sqls)


def test_a_short_first_page_is_every_row_without_a_count_query(world):
    _risks(world, 3)
    body, sqls = _get(world, "page_size=5")
    assert body["count"] == 3
    assert (body["next"], body["previous"]) == (None, None)
    assert [row["title"] for row in body["results"]] == ["Risque 0", "Risque 1", "Risque 2"]
    assert _counts(sqls) == 0


def test_an_empty_register_answers_an_empty_first_page(world):
    body, sqls = _get(world, "page_size=5")
    assert (body["count"], body["results"], body["next"]) == (0, [], None)
    assert _counts(sqls) == 0


def test_a_full_first_page_still_counts_the_rows(world):
    _risks(world, 5)
    body, sqls = _get(world, "page_size=5")
    assert (body["count"], len(body["results"]), body["next"]) == (5, 5, None)
    assert _counts(sqls) == 1
    _risks(world, 2)
    body, _sqls = _get(world, "page_size=5")
    assert (body["count"], len(body["results"])) == (7, 5)
    assert "page=2" in body["next"]


def test_later_pages_and_the_last_page_are_django_pagination(world):
    _risks(world, 7)
    second, _sqls = _get(world, "page_size=5&page=2")
    assert (second["count"], [row["title"] for row in second["results"]]) == (7, ["Risque 5", "Risque 6"])
    assert second["next"] is None and second["previous"] is not None
    last, _sqls = _get(world, "page_size=5&page=last")
    assert last["results"] == second["results"]
    assert _get_status(world, "page_size=5&page=3") == 404
    assert _get_status(world, "page_size=5&page=0") == 404


def _get_status(world, query: str) -> int:
    client = APIClient()
    client.force_authenticate(world.users["pmo_a"])
    return client.get(f"/api/v1/risks/?project={world.a1.pk}&{query}").status_code


def test_the_filterset_of_filterset_fields_is_built_once_per_view_and_model(world):
    from pmo.core.api import FilterBackend
    from projects.api.views import IssueViewSet, RiskViewSet
    from projects.models import Issue

    backend = FilterBackend()
    risks = backend.get_filterset_class(RiskViewSet(), Risk.objects.all())
    assert backend.get_filterset_class(RiskViewSet(), Risk.objects.all()) is risks
    assert set(risks.base_filters) == {"project", "status", "is_opportunity"}
    issues = FilterBackend().get_filterset_class(IssueViewSet(), Issue.objects.all())
    assert issues is not risks and set(issues.base_filters) == {"project", "status", "severity"}
    _risks(world, 2)
    Risk.objects.filter(title="Risque 1").update(status=Risk.Status.CLOSED)
    body, _sqls = _get(world, "status=open")
    assert [row["title"] for row in body["results"]] == ["Risque 0"]
