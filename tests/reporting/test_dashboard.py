"""The portfolio dashboard: its data (reporting/dashboard.py) and its page (reporting/views/dashboard.py)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import ExceptionReport, ProjectException
from pmo.core.periods import week_start
from projects.models import Milestone, MilestoneForecast, Project, Risk
from reporting.dashboard import build_dashboard, last_weeks_of_months, open_projects
from tests.factories import (
    CostLineFactory,
    MilestoneFactory,
    ProjectFactory,
    RiskFactory,
    StatusReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 19)  # a Thursday
MONDAY = date(2026, 11, 16)
AXES = ("quality", "cost", "schedule", "risk", "overall")


def snapshot(*, indicated=None, evm=None, watermelon=()):
    """The `indicated` JSON a submitted report keeps (qcdr.qcdr_as_dict's shape)."""
    return {
        "indicated": {**dict.fromkeys(AXES, "green"), **(indicated or {})},
        "evm": evm or {},
        "watermelon_axes": list(watermelon),
        "reasons": {},
    }


def submit(project, week, *, declared=None, submitted_on=None, **snap):
    """A submitted, current report of `project` for the week starting `week`."""
    submitted_on = submitted_on or week + timedelta(days=3)
    return StatusReportFactory(
        project=project,
        period_start=week,
        state="submitted",
        submitted_at=timezone.make_aware(datetime.combine(submitted_on, datetime.min.time())),
        indicated=snapshot(**snap),
        **{**dict.fromkeys(AXES, "green"), **(declared or {})},
    )


def evm(bac, pv, ev, ac, eac=None):
    return {"bac": str(bac), "pv": str(pv), "ev": str(ev), "ac": str(ac), "eac": str(eac) if eac else None}


def dashboard(portfolio, as_of=AS_OF):
    return build_dashboard(projects=open_projects(Project.objects.filter(portfolio=portfolio)), as_of=as_of)


def row_of(data, project):
    return next(r for r in data.rows if r.pk == project.pk)


# --- Data ---------------------------------------------------------------------------------------


def test_rows_compare_declared_with_indicated_and_last_week(world):
    # given a1 declared green all along while the data turned its cost red this week
    submit(world.a1, MONDAY - timedelta(weeks=1), indicated={"cost": "amber", "overall": "amber"})
    submit(
        world.a1,
        MONDAY,
        indicated={"cost": "red", "overall": "red"},
        watermelon=("cost",),
    )
    submit(world.a2, MONDAY - timedelta(weeks=1), indicated={"overall": "red"})
    submit(world.a2, MONDAY, declared={"overall": "amber"}, indicated={"overall": "amber"})

    data = dashboard(world.portfolio_a)

    a1, a2 = row_of(data, world.a1), row_of(data, world.a2)
    assert a1.declared["overall"] == "green" and a1.indicated["overall"] == "red"
    assert a1.indicated["cost"] == "red" and a1.watermelon_axes == ("cost",) and a1.watermelon
    assert (a1.previous_overall, a1.trend) == ("amber", "worse")
    assert (a2.previous_overall, a2.trend) == ("red", "better")
    assert a1.cells[1] == ("cost", "green", "red", True)
    assert a1.cells[4] == ("overall", "green", "red", True)  # declared sunny overall, indicated storm
    assert not any(watermelon for _axis, _d, _i, watermelon in row_of(data, world.a2).cells)
    # the worst indicated overall comes first
    assert [r.code for r in data.rows] == ["a1", "a2"]
    assert data.kpis.watermelons == 1
    assert data.kpis.indicated == {"green": 0, "amber": 1, "red": 1, "unknown": 0}
    assert data.kpis.declared == {"green": 1, "amber": 1, "red": 0, "unknown": 0}


def test_a_stale_green_project_never_counts_as_green(world):
    # given a1's latest report is 30 days old (the portfolio's limit is 14) and a2 never reported
    submit(world.a1, MONDAY - timedelta(weeks=5), submitted_on=AS_OF - timedelta(days=30))

    data = dashboard(world.portfolio_a)

    a1, a2 = row_of(data, world.a1), row_of(data, world.a2)
    assert a1.indicated["overall"] == "green" and a1.stale and a1.days_since_update == 30
    assert a1.effective_overall == "unknown"
    assert a2.stale and a2.last_submitted is None and a2.trend == ""
    assert data.kpis.indicated["green"] == 0 and data.kpis.indicated["unknown"] == 2
    assert data.kpis.freshness.stale == 2
    assert data.kpis.freshness.never_updated == 1
    assert data.kpis.freshness.oldest_update == AS_OF - timedelta(days=30)


def test_budget_and_earned_value_roll_up_by_sums(world):
    world.a1.budget, world.a2.budget = Decimal("1000"), Decimal("3000")
    Project.objects.filter(pk=world.a1.pk).update(budget=Decimal("1000"))
    Project.objects.filter(pk=world.a2.pk).update(budget=Decimal("3000"))
    submit(world.a1, MONDAY, evm=evm(1000, 500, 400, 800, eac=2000))
    submit(world.a2, MONDAY, evm=evm(3000, 1000, 1000, 1000))  # EAC not computable: BAC counts
    CostLineFactory(project=world.a1, month=date(2026, 10, 1), planned=Decimal("100"), actual=Decimal("90"))
    CostLineFactory(project=world.a1, month=date(2026, 11, 1), planned=Decimal("100"), actual=Decimal("30"))
    CostLineFactory(project=world.a2, month=date(2026, 12, 1), planned=Decimal("100"), actual=Decimal("55"))

    kpis = dashboard(world.portfolio_a).kpis

    assert kpis.bac == Decimal("4000")
    assert kpis.eac == Decimal("5000") and kpis.eac_missing == 1
    assert kpis.eac_variance_pct == Decimal("25.0")
    assert kpis.actual_to_date == Decimal("120")  # December has not started
    # portfolio CPI = ΣEV / ΣAC = 1400 / 1800, never the mean of 0.5 and 1.0
    assert kpis.evm.cpi == Decimal("1400") / Decimal("1800")
    assert kpis.evm.spi == Decimal("1400") / Decimal("1500")
    assert (kpis.cpi_rag, kpis.spi_rag) == ("red", "green")


def test_update_compliance_counts_active_projects_with_this_week_submitted(world):
    submit(world.a1, MONDAY)
    submit(world.a2, MONDAY - timedelta(weeks=1))
    StatusReportFactory(project=world.a2, period_start=MONDAY, state="draft")  # a draft is not in
    proposed = ProjectFactory(portfolio=world.portfolio_a, code="a3", state=Project.State.PROPOSED)

    compliance = dashboard(world.portfolio_a).kpis.compliance

    assert compliance.week == MONDAY
    assert (compliance.active, compliance.submitted) == (2, 1)
    assert compliance.percent == Decimal("50")
    assert compliance.missing == (world.a2.pk,)
    assert proposed.pk not in compliance.missing


def test_open_exceptions_and_pending_decisions(world):
    now = timezone.now()
    sent = ProjectException.objects.create(
        project=world.a1, tolerance="cost", forecast_value=12, limit=10, raised_at=now
    )
    ExceptionReport.objects.create(exception=sent, title="Dépassement", state=ExceptionReport.State.SENT)
    ProjectException.objects.create(
        project=world.a1, tolerance="time", forecast_value=30, limit=10, raised_at=now
    )
    ProjectException.objects.create(
        project=world.a2, tolerance="cost", forecast_value=12, limit=10, raised_at=now, state="closed"
    )
    ProjectException.objects.create(
        project=world.b1, tolerance="cost", forecast_value=12, limit=10, raised_at=now
    )
    ProjectFactory(portfolio=world.portfolio_a, code="a3", state=Project.State.PROPOSED)

    data = dashboard(world.portfolio_a)

    assert row_of(data, world.a1).open_exceptions == 2
    assert row_of(data, world.a2).open_exceptions == 0
    assert data.kpis.open_exceptions == 2
    pending = {item.kind: item.count for item in data.kpis.pending.items}
    assert pending == {"exception_reports": 1, "gate_reviews": 0, "proposed_projects": 1}
    assert data.kpis.pending.total == 2


def test_open_threats_make_the_heat_map_and_the_exposure(world):
    RiskFactory(project=world.a1, probability=4, impact=5)
    RiskFactory(project=world.a1, probability=2, impact=3)
    RiskFactory(project=world.a2, probability=4, impact=5)
    RiskFactory(project=world.a2, probability=5, impact=5, is_opportunity=True)
    RiskFactory(project=world.a2, probability=5, impact=5, status=Risk.Status.CLOSED)
    RiskFactory(project=world.b1, probability=1, impact=1)

    data = dashboard(world.portfolio_a)

    assert data.risk_heat == {(4, 5): 2, (2, 3): 1}
    a1 = row_of(data, world.a1)
    assert (a1.top_risk_score, a1.risk_exposure, a1.open_threats) == (20, 26, 2)
    assert row_of(data, world.a2).risk_exposure == 20


def test_earned_value_curve_starts_when_every_project_is_known(world):
    Project.objects.filter(pk__in=[world.a1.pk, world.a2.pk]).update(start_date=date(2026, 1, 5))
    # months count the report of their last week (28 September, 26 October); a1 reported from
    # September, a2 only from October: September's sum would be a2-less, so it is not drawn
    submit(world.a1, date(2026, 9, 7), evm=evm(1000, 100, 100, 100))
    submit(world.a1, date(2026, 9, 28), evm=evm(1000, 200, 150, 200))
    submit(world.a2, date(2026, 10, 26), evm=evm(1000, 300, 300, 300))
    submit(world.a1, date(2026, 11, 9), evm=evm(1000, 400, 400, 400))
    CostLineFactory(project=world.a1, month=date(2026, 9, 1))

    earned = dashboard(world.portfolio_a).s_curve.earned

    # October: a1 carried forward from September (150) + a2 (300); today: the latest reports
    assert earned == ((date(2026, 10, 31), Decimal("450")), (AS_OF, Decimal("700")))


def test_last_weeks_of_months():
    assert last_weeks_of_months(date(2026, 9, 1), date(2026, 10, 31)) == [
        date(2026, 9, 28),
        date(2026, 10, 26),
    ]
    assert last_weeks_of_months(date(2026, 11, 1), date(2026, 11, 30)) == [date(2026, 11, 30)]


def test_the_key_milestones_that_slip_most_with_their_weekly_forecasts(world):
    baseline = date(2027, 3, 1)
    worst = MilestoneFactory(
        project=world.a1, name="Go-live", is_key=True, forecast_date=baseline + timedelta(days=40)
    )
    MilestoneForecast.objects.create(
        milestone=worst, period_start=MONDAY - timedelta(weeks=1), forecast_date=baseline
    )
    MilestoneForecast.objects.create(
        milestone=worst, period_start=MONDAY, forecast_date=baseline + timedelta(days=40)
    )
    second = MilestoneFactory(
        project=world.a2, name="Recette", is_key=True, forecast_date=baseline + timedelta(days=5)
    )
    MilestoneForecast.objects.create(
        milestone=second, period_start=MONDAY, forecast_date=baseline + timedelta(days=5)
    )
    on_time = MilestoneFactory(project=world.a2, name="Cadrage", is_key=True)
    MilestoneForecast.objects.create(milestone=on_time, period_start=MONDAY, forecast_date=baseline)
    not_key = MilestoneFactory(project=world.a1, name="Interne", forecast_date=baseline + timedelta(days=90))
    MilestoneForecast.objects.create(milestone=not_key, period_start=MONDAY, forecast_date=baseline)
    cancelled = MilestoneFactory(
        project=world.a1,
        name="Annulé",
        is_key=True,
        forecast_date=baseline + timedelta(days=99),
        status=Milestone.Status.CANCELLED,
    )
    MilestoneForecast.objects.create(milestone=cancelled, period_start=MONDAY, forecast_date=baseline)

    data = dashboard(world.portfolio_a)
    assert [(m.series.name, m.slip_days) for m in data.milestones] == [
        ("a1 – Go-live", 40),
        ("a2 – Recette", 5),
    ]
    assert data.milestones[0].series.points == (
        (MONDAY - timedelta(weeks=1), baseline),
        (MONDAY, baseline + timedelta(days=40)),
    )
    assert [
        m.series.name
        for m in build_dashboard(projects=Project.objects.all(), as_of=AS_OF, mta_top=1).milestones
    ] == ["a1 – Go-live"]


def test_stage_distribution_and_archived_projects_left_out(world):
    Project.objects.filter(pk=world.a1.pk).update(stage="Exécution")
    Project.objects.filter(pk=world.a2.pk).update(stage="Exécution")
    submit(world.a1, MONDAY, indicated={"overall": "red"})
    archived = ProjectFactory(portfolio=world.portfolio_a, code="a9", stage="Cadrage")
    Project.objects.filter(pk=archived.pk).update(archived_at=timezone.now())

    data = dashboard(world.portfolio_a)

    assert data.stages == {"Exécution": {"green": 0, "amber": 0, "red": 1, "unknown": 1}}
    assert archived.pk not in [r.pk for r in data.rows]


def test_an_empty_scope_gives_an_empty_dashboard(world):
    data = build_dashboard(projects=Project.objects.none(), as_of=AS_OF)
    assert data.rows == () and data.kpis.project_count == 0
    assert data.kpis.compliance.percent is None and data.kpis.evm.cpi is None
    assert data.s_curve.months == () and data.milestones == () and data.currency == "EUR"


def test_matrix_cells_say_both_meteos_and_the_watermelon():
    from reporting.templatetags.dashboard_tags import matrix_cell, trend_icon

    cell = str(matrix_cell("cost", "green", "red", True))
    assert cell.startswith('<td class="text-center qcdr-cell watermelon-cell"')
    assert cell.count("rag-green") == 1 and cell.count("rag-red") == 1 and "watermelon-mark" in cell
    plain = str(matrix_cell("overall", "nonsense", "amber", False))
    assert "overall-cell" in plain and "rag-unknown" in plain and "watermelon" not in plain
    assert "trend-worse" in str(trend_icon("worse")) and "—" in str(trend_icon(""))


# --- Page -----------------------------------------------------------------------------------------


def codes(response) -> list[str]:
    return [r.code for r in response.context["page_obj"].object_list]


def test_each_reader_sees_the_projects_visible_to_them(client_for, world):
    url = reverse("reporting:dashboard")
    for name, expected in [
        ("pmo_a", ["a1", "a2"]),
        ("executive", ["a1", "a2"]),
        ("pm_a", ["a1", "a2"]),
        ("team", ["a1"]),
        ("pm_b", ["b1"]),
    ]:
        response = client_for(name).get(url)
        assert response.status_code == 200
        assert sorted(codes(response)) == expected, name


def test_another_portfolio_or_programme_is_not_found(client_for, world):
    client = client_for("pm_a")
    url = reverse("reporting:dashboard")
    assert client.get(url, {"portfolio": world.portfolio_b.pk}).status_code == 404
    assert client.get(url, {"programme": world.programme_b.pk}).status_code == 404
    assert client.get(url, {"portfolio": "x"}).status_code == 404
    assert client.get(url, {"programme": "x"}).status_code == 404
    superuser = client_for("superuser")
    assert codes(superuser.get(url, {"portfolio": world.portfolio_b.pk})) == ["b1"]


def test_a_programme_scopes_the_dashboard_to_its_projects(client_for, world):
    response = client_for("pm_a").get(reverse("reporting:dashboard"), {"programme": world.programme_a.pk})
    assert response.status_code == 200
    assert codes(response) == ["a1"]
    assert response.context["portfolio"] == world.portfolio_a
    assert response.context["scope"].programme == world.programme_a


def test_filters_by_stage_manager_and_state(client_for, world):
    Project.objects.filter(pk=world.a1.pk).update(stage="Exécution")
    Project.objects.filter(pk=world.a2.pk).update(stage="Cadrage")
    closed = ProjectFactory(
        portfolio=world.portfolio_a, code="a3", state=Project.State.CLOSED, stage="Cadrage"
    )
    client = client_for("pmo_a")
    url = reverse("reporting:dashboard")

    assert codes(client.get(url, {"stage": "Cadrage"})) == ["a2"]
    assert codes(client.get(url, {"manager": world.users["pm_a"].pk})) == ["a1"]
    assert sorted(codes(client.get(url, {"state": "all", "stage": "Cadrage"}))) == ["a2", "a3"]
    assert codes(client.get(url, {"state": "closed"})) == [closed.code]
    # a stage that does not exist in the scope matches nothing (never everything)
    response = client.get(url, {"stage": "Inconnue"})
    assert response.status_code == 200 and codes(response) == []
    assert 'id="dashboard-empty"' in response.content.decode()


def test_htmx_refreshes_the_body_or_only_the_matrix(client_for, world):
    submit(world.a2, week_start(timezone.localdate()), indicated={"overall": "red"})
    client = client_for("pmo_a")
    url = reverse("reporting:dashboard")

    body = client.get(url, {"state": "all"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-body")
    assert body.status_code == 200 and body["Vary"].count("HX-Request") == 1
    assert body.content.decode().startswith('<div id="dashboard-body">')
    assert "<html" not in body.content.decode()

    matrix = client.get(url, {"ordering": "code"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-matrix")
    assert matrix.content.decode().startswith('<section id="dashboard-matrix"')
    assert codes(matrix) == ["a1", "a2"]
    # default order: worst indicated overall first
    assert codes(client.get(url)) == ["a2", "a1"]
    assert codes(client.get(url, {"ordering": "-code"})) == ["a2", "a1"]
    assert codes(client.get(url, {"ordering": "nonsense"})) == ["a2", "a1"]


def test_the_matrix_is_paged(client_for, world):
    ProjectFactory.create_batch(55, portfolio=world.portfolio_a)
    client = client_for("pmo_a")
    first = client.get(reverse("reporting:dashboard"))
    assert len(codes(first)) == 50
    second = client.get(reverse("reporting:dashboard"), {"page": 2})
    assert len(codes(second)) == 7
    assert first.context["kpis"].project_count == 57


def test_the_chase_button_is_for_pmo_officers(client_for, world):
    url = reverse("reporting:dashboard")
    chase = reverse("reporting:chase-missing")
    assert chase in client_for("pmo_a").get(url).content.decode()
    for name in ("executive", "pm_a", "team"):
        assert chase not in client_for(name).get(url).content.decode(), name


def test_the_page_shows_french_figures_and_charts(client_for, world):
    Project.objects.filter(pk=world.a1.pk).update(budget=Decimal("1234567"))
    submit(world.a1, week_start(timezone.localdate()), indicated={"overall": "red"})
    RiskFactory(project=world.a1, probability=4, impact=4)
    CostLineFactory(project=world.a1, month=timezone.localdate().replace(day=1), actual=Decimal("10"))
    html = client_for("pmo_a").get(reverse("reporting:dashboard")).content.decode()
    assert "1\u00a0334\u00a0567\u00a0€" in html  # BAC: 1 234 567 + a2's 100 000
    for chart in ("chart-bubbles", "chart-stages", "chart-s-curve", "chart-risks"):
        assert f'data-plotly="{chart}-data"' in html and f'id="{chart}-data"' in html
    assert 'id="mta-empty"' in html
    assert reverse("projects:qcdr-partial", args=[world.a1.pk]) in html


def test_a_user_without_portfolio_gets_an_explanation(client):
    client.force_login(UserFactory(username="lonely"))
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    assert 'id="no-portfolio"' in response.content.decode()
