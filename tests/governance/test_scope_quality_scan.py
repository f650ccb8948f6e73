"""The scan raises quality, scope and benefits exceptions from the tolerances in force (stage,
project, portfolio), once while open, with a drafted report and notifications; bad tolerances are
refused with the field named on every input (project form and API, portfolio API, stage page)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import ChangeRequest, ExceptionReport, ProjectException
from pmo.core.models import Notification
from portfolio.models import Methodology, Stage
from projects.models import CostBaseline, Deliverable, Project, ProjectStageTolerance
from tests.factories import DeliverableFactory, ProjectFactory
from tests.governance.conftest import AS_OF

pytestmark = pytest.mark.django_db


def scan(project):
    return services.scan_project(project=project, as_of=AS_OF)


def quality_breach(project):
    """4 deliverables decided or due: 1 rejected, 1 late → 50 %."""
    DeliverableFactory(project=project, name="Spécifications", due_date=date(2026, 10, 1), state="accepted")
    DeliverableFactory(project=project, name="Maquettes", due_date=date(2026, 10, 15), state="rejected")
    DeliverableFactory(project=project, name="Recette", due_date=date(2026, 11, 10), state="in_review")
    DeliverableFactory(project=project, name="Bascule", due_date=date(2026, 11, 2), state="accepted")


def baseline(project, *, on=datetime(2026, 10, 1, 9, 0)):
    taken = CostBaseline.objects.create(project=project, number=1, reason="Référence")
    CostBaseline.objects.filter(pk=taken.pk).update(created_at=timezone.make_aware(on))
    return taken


def deliverables_recorded(project, names, on):
    for name in names:
        row = DeliverableFactory(project=project, name=name)
        Deliverable.objects.filter(pk=row.pk).update(created_at=timezone.make_aware(on))


def test_a_quality_breach_raises_one_exception_with_its_report_and_notifications(a1, world):
    quality_breach(a1)
    [raised] = scan(a1).raised
    raised.refresh_from_db()
    assert (raised.tolerance, raised.forecast_value, raised.limit, raised.unit) == (
        "quality",
        Decimal("50.00"),
        Decimal("10.0"),
        "pct",
    )
    assert "Maquettes" in raised.summary and "Recette" in raised.summary
    report = ExceptionReport.objects.get(exception=raised)
    assert len(report.options) == 3 and report.recommendation and report.decision_requested
    assert report.facts["thresholds"]["quality_tolerance_pct"] == "10.0"
    notified = set(
        Notification.objects.filter(kind=Notification.Kind.EXCEPTION).values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"pm_a", "sponsor", "pmo_a"}
    assert scan(a1).raised == []  # open: no duplicate
    assert ProjectException.objects.filter(project=a1, tolerance="quality").count() == 1


def test_the_project_override_of_the_quality_tolerance_keeps_it_within(a1):
    quality_breach(a1)
    Project.objects.filter(pk=a1.pk).update(quality_tolerance_pct=Decimal("50"))
    assert scan(a1).raised == []


def test_a_scope_breach_counts_added_deliverables_and_pending_scope_changes(a1, world):
    deliverables_recorded(a1, [f"Lot {n}" for n in range(1, 9)], datetime(2026, 9, 15, 9, 0))
    baseline(a1)
    deliverables_recorded(a1, ["Portail partenaires"], datetime(2026, 10, 20, 9, 0))
    ChangeRequest.objects.create(
        project=a1,
        number=1,
        title="Ajout du module RH",
        description="d",
        reason="r",
        scope_impact="Un module de plus",
        state=ChangeRequest.State.SUBMITTED,
    )
    ChangeRequest.objects.create(  # a draft is not pending, a change without scope impact neither
        project=a1, number=2, title="Brouillon", description="d", reason="r", scope_impact="x"
    )
    [raised] = scan(a1).raised
    raised.refresh_from_db()
    # 1 added + 1 pending over the 8 baselined deliverables
    assert (raised.tolerance, raised.forecast_value, raised.limit) == (
        "scope",
        Decimal("25.00"),
        Decimal("10.0"),
    )
    assert "Ajout du module RH" in raised.report.cause
    assert [o["title"] for o in raised.report.options][0]


def test_a_stage_override_of_the_scope_tolerance_wins_over_the_project(a1, world):
    methodology = Methodology.objects.create(code="m-tol", name="Méthode")
    stage = Stage.objects.create(methodology=methodology, order=1, name="Exécution")
    Project.objects.filter(pk=a1.pk).update(
        methodology=methodology, current_stage=stage, scope_tolerance_pct=Decimal("5")
    )
    ProjectStageTolerance.objects.create(project=a1, stage=stage, scope_tolerance_pct=Decimal("40"))
    deliverables_recorded(a1, [f"Lot {n}" for n in range(1, 9)], datetime(2026, 9, 15, 9, 0))
    baseline(a1)
    deliverables_recorded(a1, ["Portail partenaires"], datetime(2026, 10, 20, 9, 0))  # 12,5 %
    assert scan(a1).raised == []
    ProjectStageTolerance.objects.filter(project=a1).update(scope_tolerance_pct=None)
    [raised] = scan(a1).raised  # falls through to the project's 5 %
    assert (raised.tolerance, raised.limit) == ("scope", Decimal("5"))


def test_no_scope_exception_without_a_baseline(a1):
    deliverables_recorded(a1, ["Lot 1"], datetime(2026, 10, 20, 9, 0))
    assert scan(a1).raised == []


def test_the_project_benefit_tolerance_overrides_the_portfolio(world):
    from tests.strategy.conftest import TODAY, make_benefit, measure

    Project.objects.filter(pk=world.a1.pk).update(
        state=Project.State.ACTIVE, benefit_tolerance_pct=Decimal("90")
    )
    benefit = make_benefit(world.a1, description="Moins d'arrêts")
    measure(benefit, 60, "95")
    measure(benefit, 5, "90")  # 80 % short: within 90 %
    assert not [
        e for e in services.scan_project(project=world.a1, as_of=TODAY).raised if e.tolerance == "benefits"
    ]
    Project.objects.filter(pk=world.a1.pk).update(benefit_tolerance_pct=Decimal("50"))
    [raised] = [
        e for e in services.scan_project(project=world.a1, as_of=TODAY).raised if e.tolerance == "benefits"
    ]
    assert raised.limit == Decimal("50")


def test_raising_a_scope_exception_by_hand_takes_the_measured_figures(a1, world):
    deliverables_recorded(a1, [f"Lot {n}" for n in range(1, 5)], datetime(2026, 9, 15, 9, 0))
    baseline(a1)
    deliverables_recorded(a1, ["Portail"], datetime(2026, 10, 20, 9, 0))
    raised = services.raise_exception(
        actor=world.users["pm_a"], project=a1, tolerance="scope", summary="Périmètre élargi", as_of=AS_OF
    )
    assert (raised.forecast_value, raised.limit, raised.unit) == (Decimal("25.00"), Decimal("10.0"), "pct")
    assert len(raised.report.options) == 3


def test_the_scan_of_scope_and_quality_reads_in_constant_queries(world):
    def make(count):
        for project in ProjectFactory.create_batch(
            count, portfolio=world.portfolio_a, manager=world.users["pm_a"]
        ):
            quality_breach(project)
            deliverables_recorded(project, ["Lot 1", "Lot 2"], datetime(2026, 9, 15, 9, 0))
            baseline(project)
            deliverables_recorded(project, ["Lot 3"], datetime(2026, 10, 20, 9, 0))

    make(2)
    services.scan_all(as_of=AS_OF)
    with CaptureQueriesContext(connection) as few:
        assert services.scan_all(as_of=AS_OF).raised == []
    make(8)
    services.scan_all(as_of=AS_OF)
    with CaptureQueriesContext(connection) as many:
        assert services.scan_all(as_of=AS_OF).raised == []
    assert len(many) == len(few)


# --- Bad input: refused, the field named ----------------------------------------------------------------


def _api(client, user):
    from tests.conftest import login

    login(client, user)
    return client


def test_the_project_api_refuses_a_negative_or_too_large_tolerance(client, world):
    api = _api(client, world.users["pmo_a"])
    url = reverse("api:project-detail", args=[world.a1.pk])
    version = Project.objects.get(pk=world.a1.pk).version
    for field, value in [
        ("scope_tolerance_pct", "-1"),
        ("quality_tolerance_pct", "501"),
        ("benefit_tolerance_pct", "600"),
    ]:
        response = api.patch(
            url, {field: value}, content_type="application/json", HTTP_IF_MATCH=f'"{version}"'
        )
        assert response.status_code == 400, response.content
        assert field in response.json()
    response = api.patch(
        url,
        {"scope_tolerance_pct": "15.0", "quality_tolerance_pct": None},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{version}"',
    )
    assert response.status_code == 200, response.content
    assert response.json()["scope_tolerance_pct"] == "15.0"
    assert Project.objects.get(pk=world.a1.pk).scope_tolerance_pct == Decimal("15")


def test_the_project_manager_may_not_change_the_project_tolerances(client, world):
    api = _api(client, world.users["pm_a"])
    version = Project.objects.get(pk=world.a1.pk).version
    response = api.patch(
        reverse("api:project-detail", args=[world.a1.pk]),
        {"quality_tolerance_pct": "50"},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{version}"',
    )
    assert response.status_code == 403
    assert Project.objects.get(pk=world.a1.pk).quality_tolerance_pct is None


def test_the_portfolio_api_sets_and_checks_the_default_tolerances(client, world):
    api = _api(client, world.users["pmo_a"])
    url = reverse("api:portfolio-detail", args=[world.portfolio_a.pk])
    version = world.portfolio_a.version
    response = api.patch(
        url, {"scope_tolerance_pct": "-5"}, content_type="application/json", HTTP_IF_MATCH=f'"{version}"'
    )
    assert response.status_code == 400 and "scope_tolerance_pct" in response.json()
    response = api.patch(
        url,
        {"scope_tolerance_pct": "12.5", "quality_tolerance_pct": "20"},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{version}"',
    )
    assert response.status_code == 200, response.content
    world.portfolio_a.refresh_from_db()
    assert (world.portfolio_a.scope_tolerance_pct, world.portfolio_a.quality_tolerance_pct) == (
        Decimal("12.5"),
        Decimal("20"),
    )


def test_the_project_form_offers_the_tolerances_to_the_pmo_and_names_the_bad_field(client, world):
    from tests.conftest import login

    login(client, world.users["pmo_a"])
    url = reverse("projects:project-edit", args=[world.a1.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="scope_tolerance_pct"' in page.content and b'name="benefit_tolerance_pct"' in page.content
    project = Project.objects.get(pk=world.a1.pk)
    data = {
        "programme": project.programme_id,
        "code": project.code,
        "name": project.name,
        "manager": project.manager_id,
        "sponsor": project.sponsor_id or "",
        "state": project.state,
        "budget": project.budget,
        "ev_method": project.ev_method,
        "quality_tolerance_pct": "-3",
        "version": project.version,
    }
    response = client.post(url, data)
    assert response.status_code == 422
    assert "quality_tolerance_pct" in response.context["form"].errors


def test_the_stage_page_saves_scope_quality_and_benefits_and_refuses_beyond_500(client, world):
    from tests.conftest import login

    methodology = Methodology.objects.create(code="m-tol", name="Méthode")
    stage = Stage.objects.create(methodology=methodology, order=1, name="Exécution")
    Project.objects.filter(pk=world.a1.pk).update(methodology=methodology, current_stage=stage)
    login(client, world.users["pm_a"])
    url = reverse("projects:stage-tolerances", args=[world.a1.pk])
    response = client.post(url, {f"{stage.pk}-scope_tolerance_pct": "501"})
    assert response.status_code == 422
    assert f'id="id_{stage.pk}-scope_tolerance_pct_error"'.encode() in response.content
    assert not ProjectStageTolerance.objects.exists()
    response = client.post(
        url,
        {
            f"{stage.pk}-scope_tolerance_pct": "15",
            f"{stage.pk}-quality_tolerance_pct": "7,5",
            f"{stage.pk}-benefit_tolerance_pct": "25",
        },
    )
    assert response.status_code == 302
    row = ProjectStageTolerance.objects.get(project=world.a1, stage=stage)
    assert (row.scope_tolerance_pct, row.quality_tolerance_pct, row.benefit_tolerance_pct) == (
        Decimal("15"),
        Decimal("7.5"),
        Decimal("25"),
    )
