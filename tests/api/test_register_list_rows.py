"""The register list APIs render `values()` rows (RegisterRows, issue 11): each row must stay exactly
what the register's serializer gives for the same object (the detail endpoint), nulls included."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from projects.api.views import RegisterRows
from projects.models import Assumption, Dependency, Issue
from tests.factories import (
    CostLineFactory,
    DeliverableFactory,
    MilestoneFactory,
    RiskFactory,
    StatusReportFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registers(world):
    owner = world.users["pm_a"]
    milestone = MilestoneFactory(project=world.a1, weight=Decimal("2.5"), is_key=True)
    MilestoneFactory(project=world.a1, baseline_date=None, forecast_date=None)
    CostLineFactory(project=world.a1, actual=Decimal("1234.5"), forecast=Decimal("0"))
    DeliverableFactory(project=world.a1, owner=owner, due_date=date(2027, 1, 15))
    DeliverableFactory(project=world.a1)
    RiskFactory(project=world.a1, owner=owner, proximity_date=date(2027, 2, 1), mitigation="Plan B")
    RiskFactory(project=world.a1, is_opportunity=True, response="exploit")
    Issue.objects.create(project=world.a1, title="Panne", owner=owner, due_date=date(2026, 12, 1))
    Issue.objects.create(project=world.a1, title="Retard")
    Assumption.objects.create(project=world.a1, title="Budget voté", owner=owner)
    Dependency.objects.create(project=world.a1, title="API de A2", depends_on_project=world.a2)
    Dependency.objects.create(project=world.a1, title="Jalon", depends_on_milestone=milestone)
    StatusReportFactory(
        project=world.a1,
        period_start=date(2026, 11, 9),
        state="submitted",
        submitted_at=timezone.now(),
        submitted_by=owner,
        percent_complete=Decimal("42.5"),
        overall_comment="Tout va bien",
        risk_comment="Un risque",
        indicated={"watermelon": True, "indicated": {"overall": "red"}, "evm": {"cpi": "0.93"}},
    )
    StatusReportFactory(project=world.a1, period_start=date(2026, 11, 16), indicated=None)


ROWS = {
    "milestones": 2,
    "cost-lines": 1,
    "deliverables": 2,
    "risks": 2,
    "issues": 2,
    "assumptions": 1,
    "dependencies": 2,
    "status-reports": 2,
}


@pytest.mark.parametrize("register", ROWS)
def test_list_rows_equal_the_serializer_of_each_row(world, registers, register):
    client = APIClient()
    client.force_authenticate(world.users["pmo_a"])
    response = client.get(f"/api/v1/{register}/?project={world.a1.pk}")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == ROWS[register]
    for row in rows:
        detail = client.get(f"/api/v1/{register}/{row['id']}/").json()
        assert row == detail
        assert list(row) == list(detail)  # same keys in the same order


def test_a_status_report_row_keeps_its_comments_and_snapshot(world, registers):
    client = APIClient()
    client.force_authenticate(world.users["pm_a"])
    rows = client.get(f"/api/v1/status-reports/?project={world.a1.pk}").json()["results"]
    submitted = next(row for row in rows if row["state"] == "submitted")
    assert submitted["comments"]["overall"] == "Tout va bien"
    assert submitted["comments"]["risk"] == "Un risque"
    assert submitted["percent_complete"] == "42.50"
    assert submitted["indicated"]["evm"] == {"cpi": "0.93"}
    assert submitted["submitted_by"] == world.users["pm_a"].pk
    assert next(row for row in rows if row["state"] == "draft")["indicated"] is None


class IssueWithProjectCode(serializers.ModelSerializer):
    project_code = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Issue
        fields = ["id", "project_code"]


def test_a_field_that_is_not_a_column_of_the_row_is_refused():
    with pytest.raises(ValueError, match="project_code"):
        RegisterRows(IssueWithProjectCode())
