"""The project list API renders `values()` rows without a serializer per row (issue 11): its JSON must
stay exactly what ProjectSerializer gives for the same project (the detail endpoint)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project
from tests.factories import ProjectFactory, StatusReportFactory

pytestmark = pytest.mark.django_db


def test_list_rows_equal_the_serializer_of_each_project(world):
    monday = date(2026, 11, 16)
    watermelon = StatusReportFactory(
        project=world.a1,
        period_start=monday,
        state="submitted",
        overall="green",
        cost="red",
        submitted_at=timezone.now(),
        indicated={"watermelon": True, "indicated": {"overall": "red"}},
    )
    honest = StatusReportFactory(
        project=world.a2, period_start=monday - timedelta(weeks=1), state="submitted", indicated=None
    )
    Project.objects.filter(pk=world.a1.pk).update(latest_report=watermelon, budget=Decimal("1234567.5"))
    Project.objects.filter(pk=world.a2.pk).update(latest_report=honest)
    ProjectFactory(portfolio=world.portfolio_a, code="zz-archived", archived_at=timezone.now())
    client = APIClient()
    client.force_authenticate(world.users["pmo_a"])
    rows = []
    for query in ("", "?archived=true"):
        response = client.get(f"/api/v1/projects/{query}")
        assert response.status_code == 200
        rows += response.json()["results"]
    assert {row["code"] for row in rows} == {"a1", "a2", "zz-archived"}
    for row in rows:
        detail = client.get(f"/api/v1/projects/{row['id']}/").json()
        assert row == detail
        assert list(row) == list(detail)  # same keys in the same order
    by_code = {row["code"]: row for row in rows}
    assert by_code["a1"]["latest_status"]["watermelon"] is True
    assert by_code["a1"]["budget"] == "1234567.50"
    assert by_code["a2"]["latest_status"]["watermelon"] is False
    assert by_code["zz-archived"]["latest_status"] is None
    assert by_code["zz-archived"]["archived_at"] is not None
