"""Tolerances per stage (issue 5 item 4): figure by figure, the current stage's override, then the
project's, then the portfolio's default, in one pure function read by thresholds_for and the scan."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import services
from portfolio.models import Methodology
from projects import selectors
from projects.models import Project, ProjectStageTolerance
from projects.thresholds import resolve_thresholds
from projects.types import Thresholds
from tests.factories import ProjectFactory
from tests.governance.conftest import AS_OF, late_milestone, over_budget

PORTFOLIO = SimpleNamespace(
    cost_tolerance_pct=Decimal("10"),
    time_tolerance_days=10,
    risk_red_score=15,
    risk_amber_score=8,
    stale_after_days=14,
)
NOTHING = SimpleNamespace(
    cost_tolerance_pct=None, time_tolerance_days=None, risk_red_score=None, risk_amber_score=None
)


def test_the_portfolio_default_when_nothing_is_overridden():
    assert resolve_thresholds(PORTFOLIO) == Thresholds(
        cost_tolerance_pct=Decimal("10"), time_tolerance_days=10, risk_red_score=15, risk_amber_score=8
    )
    assert resolve_thresholds(PORTFOLIO, NOTHING, NOTHING) == resolve_thresholds(PORTFOLIO)


def test_figure_by_figure_stage_then_project_then_portfolio():
    project = SimpleNamespace(
        cost_tolerance_pct=Decimal("15"), time_tolerance_days=20, risk_red_score=None, risk_amber_score=None
    )
    stage = SimpleNamespace(
        cost_tolerance_pct=None, time_tolerance_days=5, risk_red_score=12, risk_amber_score=None
    )
    got = resolve_thresholds(PORTFOLIO, project, stage)
    # cost: stage empty → project 15; time: stage 5 beats project 20; risk red: stage 12 (project
    # empty); risk amber: stage and project empty → portfolio 8
    assert (got.cost_tolerance_pct, got.time_tolerance_days, got.risk_red_score, got.risk_amber_score) == (
        Decimal("15"),
        5,
        12,
        8,
    )
    # a zero tolerance is a tolerance, not an empty figure
    zero = SimpleNamespace(**{**vars(NOTHING), "time_tolerance_days": 0})
    assert resolve_thresholds(PORTFOLIO, project, zero).time_tolerance_days == 0


@pytest.fixture
def staged(world):
    """a1 with its own tolerances (cost 10 %, 10 working days), in the classic methodology's
    Exécution stage; a2 in the same methodology's Cadrage stage."""
    classic = Methodology.objects.get(code="classique")
    execution = classic.stages.get(name="Exécution")
    cadrage = classic.stages.get(name="Cadrage")
    Project.objects.filter(pk=world.a1.pk).update(
        methodology=classic,
        current_stage=execution,
        stage=execution.name,
        cost_tolerance_pct=Decimal("10"),
        time_tolerance_days=10,
        risk_red_score=15,
        risk_amber_score=8,
        start_date=date(2026, 9, 1),
    )
    Project.objects.filter(pk=world.a2.pk).update(
        methodology=classic, current_stage=cadrage, stage=cadrage.name
    )
    return SimpleNamespace(
        project=Project.objects.select_related("portfolio").get(pk=world.a1.pk),
        execution=execution,
        cadrage=cadrage,
    )


@pytest.mark.django_db
def test_thresholds_for_reads_the_current_stage_only(staged):
    project = staged.project
    ProjectStageTolerance.objects.create(project=project, stage=staged.cadrage, time_tolerance_days=2)
    assert selectors.thresholds_for(project).time_tolerance_days == 10  # another stage: ignored
    ProjectStageTolerance.objects.create(project=project, stage=staged.execution, time_tolerance_days=4)
    project = Project.objects.select_related("portfolio").get(pk=project.pk)
    got = selectors.thresholds_for(project)
    assert (got.time_tolerance_days, got.cost_tolerance_pct) == (4, Decimal("10"))


@pytest.mark.django_db
def test_the_scan_raises_with_the_stages_time_tolerance(staged):
    project = staged.project
    # 10 working days late: within the project's 10, beyond the stage's 5
    late_milestone(project, baseline=date(2026, 11, 20), forecast=date(2026, 12, 4))
    assert services.scan_project(project=project, as_of=AS_OF).raised == []
    ProjectStageTolerance.objects.create(project=project, stage=staged.execution, time_tolerance_days=5)
    project = Project.objects.select_related("portfolio").get(pk=project.pk)
    [exception] = services.scan_project(project=project, as_of=AS_OF).raised
    assert (exception.tolerance, exception.forecast_value, exception.limit) == (
        "time",
        Decimal("10"),
        Decimal("5"),
    )


@pytest.mark.django_db
def test_a_wider_stage_cost_tolerance_absorbs_the_overrun(staged):
    project = staged.project
    over_budget(project)  # EAC +25 %
    ProjectStageTolerance.objects.create(
        project=project, stage=staged.execution, cost_tolerance_pct=Decimal("30")
    )
    project = Project.objects.select_related("portfolio").get(pk=project.pk)
    assert [e.tolerance for e in services.scan_project(project=project, as_of=AS_OF).raised] == []


@pytest.mark.django_db
def test_the_daily_scan_reads_stage_tolerances_in_constant_queries(staged, world):
    def count():
        ids = list(Project.objects.filter(portfolio=world.portfolio_a).values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as captured:
            services.scan_projects(project_ids=ids, as_of=AS_OF)
        return len(captured)

    ProjectStageTolerance.objects.create(
        project=staged.project, stage=staged.execution, time_tolerance_days=5
    )
    count()  # a first scan raises what there is to raise
    before = count()
    for _index in range(4):
        extra = ProjectFactory(portfolio=world.portfolio_a, methodology=staged.execution.methodology)
        Project.objects.filter(pk=extra.pk).update(current_stage=staged.execution)
        ProjectStageTolerance.objects.create(
            project=extra, stage=staged.execution, cost_tolerance_pct=Decimal("20")
        )
    count()
    assert count() == before


def _url(project):
    return reverse("projects:stage-tolerances", args=[project.pk])


@pytest.mark.django_db
def test_the_page_saves_all_or_nothing_and_422_names_the_field(staged, client_for):
    project, execution, cadrage = staged.project, staged.execution, staged.cadrage
    client = client_for("pm_a")
    page = client.get(_url(project))
    assert page.status_code == 200
    assert f'name="{execution.pk}-time_tolerance_days"' in page.content.decode()
    bad = client.post(
        _url(project),
        {
            f"{cadrage.pk}-time_tolerance_days": "3",
            f"{execution.pk}-cost_tolerance_pct": "beaucoup",
            f"{execution.pk}-risk_red_score": "10",
            f"{execution.pk}-risk_amber_score": "12",
        },
    )
    assert bad.status_code == 422
    assert f'id="id_{execution.pk}-cost_tolerance_pct_error"' in bad.content.decode()
    assert not ProjectStageTolerance.objects.exists()
    # amber above red: refused by the service, nothing written
    bad = client.post(
        _url(project),
        {
            f"{cadrage.pk}-time_tolerance_days": "3",
            f"{execution.pk}-risk_red_score": "10",
            f"{execution.pk}-risk_amber_score": "12",
        },
    )
    assert bad.status_code == 422
    assert f'id="id_{execution.pk}-risk_amber_score_error"' in bad.content.decode()
    assert not ProjectStageTolerance.objects.exists()
    ok = client.post(
        _url(project),
        {f"{cadrage.pk}-time_tolerance_days": "3", f"{execution.pk}-cost_tolerance_pct": "12,5"},
    )
    assert ok.status_code == 302
    saved = {row.stage_id: row for row in ProjectStageTolerance.objects.all()}
    assert saved[cadrage.pk].time_tolerance_days == 3
    assert saved[execution.pk].cost_tolerance_pct == Decimal("12.5")
    project = Project.objects.select_related("portfolio").get(pk=project.pk)
    assert selectors.thresholds_for(project).cost_tolerance_pct == Decimal("12.5")
    # emptying a stage's figures removes its override
    assert client.post(_url(project), {f"{cadrage.pk}-time_tolerance_days": "3"}).status_code == 302
    assert list(ProjectStageTolerance.objects.values_list("stage_id", flat=True)) == [cadrage.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "status"), [("sponsor", 403), ("team", 403), ("executive", 403), ("pmo_a", 302)]
)
def test_who_edits_the_stage_tolerances(staged, client_for, name, status):
    response = client_for(name).post(
        _url(staged.project), {f"{staged.execution.pk}-time_tolerance_days": "4"}
    )
    assert response.status_code == status
    assert ProjectStageTolerance.objects.exists() is (status == 302)


@pytest.mark.django_db
def test_the_page_runs_constant_queries(staged, client_for):
    client = client_for("pm_a")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(staged.project)).status_code == 200
        return len(captured)

    before = count()
    for stage in staged.execution.methodology.stages.all():
        ProjectStageTolerance.objects.create(project=staged.project, stage=stage, time_tolerance_days=7)
    assert count() == before
