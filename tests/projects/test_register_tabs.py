"""The project page's register tabs: one HTMX fragment each, visible to the project's readers only,
figures built from the registers, hidden dependencies masked, constant query counts."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmo.core.periods import week_start
from projects import services
from projects.models import (
    CostBaseline,
    CostLine,
    Deliverable,
    DeliverableReview,
    Dependency,
    Issue,
    Milestone,
    MilestoneForecast,
    Risk,
    StatusReport,
)

pytestmark = pytest.mark.django_db

FRAGMENTS = {
    "summary": "project-summary",
    "milestones": "project-milestones",
    "costs": "project-costs",
    "risks": "project-risks",
    "issues": "project-issues",
    "deliverables": "project-deliverables",
    "dependencies": "project-dependencies",
    "status-history": "project-status-history",
}
NEW_FRAGMENTS = [name for name in FRAGMENTS if name != "summary"]


def url(project, name: str) -> str:
    return f"/projects/{project.pk}/partials/{name}/"


def figure(response, chart_id: str) -> dict:
    """The figure of one chart, read from its JSON data block as charts.js reads it."""
    html = response.content.decode()
    assert f'data-plotly="{chart_id}-data"' in html
    start = html.index(f'<script id="{chart_id}-data" type="application/json">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def trace(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t.get("name") == name)


# --- Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FRAGMENTS)
@pytest.mark.parametrize("reader", ["pm_a", "team", "executive", "sponsor", "pmo_a", "superuser"])
def test_each_fragment_renders_its_one_root_element_for_a_reader(client_for, world, name, reader):
    response = client_for(reader).get(url(world.a1, name), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith(f'<section id="{FRAGMENTS[name]}"')
    assert html.count(f'id="{FRAGMENTS[name]}"') == 1


@pytest.mark.parametrize("name", FRAGMENTS)
@pytest.mark.parametrize("outsider", ["pm_b", "pmo_b"])
def test_each_fragment_is_404_for_a_user_of_another_portfolio(client_for, world, name, outsider):
    assert client_for(outsider).get(url(world.a1, name), HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.parametrize("name", NEW_FRAGMENTS)
def test_a_team_member_does_not_see_the_fragments_of_a_project_they_are_not_on(client_for, world, name):
    assert client_for("team").get(url(world.a2, name)).status_code == 404


@pytest.mark.parametrize("name", NEW_FRAGMENTS)
def test_each_fragment_sends_an_anonymous_user_to_the_login_page(client_for, world, name):
    response = client_for("anonymous").get(url(world.a1, name))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("name", NEW_FRAGMENTS)
def test_the_fragments_are_read_only(client_for, world, name):
    assert client_for("pm_a").post(url(world.a1, name)).status_code == 405


def test_the_project_page_lists_every_tab_and_loads_plotly_from_our_own_static_files(client_for, world):
    response = client_for("pm_a").get(f"/projects/{world.a1.pk}/")

    html = response.content.decode()
    for name in [*FRAGMENTS, "team", "history"]:
        assert f'hx-get="{url(world.a1, name)}"' in html
    assert 'data-plotly-src="/static/vendor/plotly/plotly.min.js"' in html
    assert '<script src="/static/js/charts.js" data-plotly-src=' in html
    assert 'id="qcdr-panel"' in html  # the summary, included on first load, carries the QCDR panel


# --- A small data set, written through the services --------------------------------------------------


@pytest.fixture
def story(world):
    """Project A1 over two weekly reports: the key milestone "Recette" slips by three weeks between
    them, costs run over last month, one red threat, and the PM's declared météo goes green → amber."""
    pm, project = world.users["pm_a"], world.a1
    this_week = week_start(timezone.localdate())
    last_week = this_week - timedelta(days=7)
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    baseline = this_week + timedelta(days=56)

    recette = services.record_create(
        actor=pm,
        model=Milestone,
        project=project,
        data={"name": "Recette", "is_key": True, "baseline_date": baseline, "forecast_date": baseline},
    )
    services.record_create(
        actor=pm,
        model=Milestone,
        project=project,
        data={
            "name": "Mise en production",
            "is_key": True,
            "baseline_date": baseline + timedelta(days=28),
            "forecast_date": baseline + timedelta(days=28),
        },
    )
    services.record_create(
        actor=pm,
        model=Milestone,
        project=project,
        data={"name": "Atelier de lancement", "baseline_date": this_week, "forecast_date": this_week},
    )
    for month, category, values in [
        (
            last_month,
            "capex",
            {"planned": Decimal(10000), "actual": Decimal(12000), "forecast": Decimal(12000)},
        ),
        (last_month, "opex", {"planned": Decimal(5000), "actual": Decimal(5000), "forecast": Decimal(5000)}),
        (this_month, "capex", {"planned": Decimal("10000"), "forecast": Decimal("11000")}),
        (next_month, "capex", {"planned": Decimal("20000"), "forecast": Decimal("25000")}),
    ]:
        services.cost_line_set(actor=pm, project=project, month=month, category=category, values=values)
    services.cost_rebaseline(actor=pm, project=project, reason="Cadrage validé")
    for title, probability, impact, extra in [
        ("Indisponibilité de l'équipe de test", 5, 4, {}),
        ("Retard du fournisseur", 4, 3, {}),
        ("Départ d'un expert", 4, 3, {}),
        ("Grève des transports", 2, 2, {"status": Risk.Status.CLOSED}),
        ("Réutiliser le socle du groupe", 3, 3, {"is_opportunity": True}),
    ]:
        services.record_create(
            actor=pm,
            model=Risk,
            project=project,
            data={"title": title, "probability": probability, "impact": impact, **extra},
        )
    services.status_report_save(
        actor=pm,
        project=project,
        period_start=last_week,
        version=None,
        data={"overall": "green", "percent_complete": Decimal("10"), "overall_comment": "Tout va bien"},
        submit=True,
    )
    recette = Milestone.objects.get(pk=recette.pk)
    services.record_update(
        actor=pm, instance=recette, version=recette.version, data={"forecast_date": baseline + timedelta(21)}
    )
    services.status_report_save(
        actor=pm,
        project=project,
        period_start=this_week,
        version=None,
        data={
            "overall": "amber",
            "schedule": "amber",
            "percent_complete": Decimal("20"),
            "schedule_comment": "Recette décalée de trois semaines",
            "achievements": "Plan de tests validé",
            "help_needed": "Arbitrage du COPIL sur la date",
        },
        submit=True,
    )
    return {
        "this_week": this_week,
        "last_week": last_week,
        "baseline": baseline,
        "months": (last_month, this_month, next_month),
    }


def test_milestone_table_and_trend_chart(client_for, world, story):
    response = client_for("team").get(url(world.a1, "milestones"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "Recette" in html and "Atelier de lancement" in html
    fig = figure(response, "milestone-trend-chart")
    names = [t["name"] for t in fig["data"]]
    assert names[:2] == ["Recette", "Mise en production"]  # key milestones only: not "Atelier de lancement"
    recette = trace(fig, "Recette")
    assert recette["x"] == [story["last_week"].isoformat(), story["this_week"].isoformat()]
    assert recette["y"] == [story["baseline"].isoformat(), (story["baseline"] + timedelta(21)).isoformat()]
    diagonal = fig["data"][-1]
    assert diagonal["x"] == diagonal["y"]  # forecast date = report date
    assert fig["config"]["displaylogo"] is False and fig["config"]["responsive"] is True


def test_a_reached_milestone_ends_on_the_diagonal_of_the_trend(client_for, world):
    milestone = services.record_create(
        actor=world.users["pm_a"],
        model=Milestone,
        project=world.a1,
        data={
            "name": "Cadrage",
            "is_key": True,
            "baseline_date": date(2026, 3, 2),
            "actual_date": date(2026, 3, 4),
        },
    )
    MilestoneForecast.objects.bulk_create(
        MilestoneForecast(milestone=milestone, period_start=week, forecast_date=date(2026, 3, 2))
        for week in (date(2026, 2, 16), date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9))
    )
    fig = figure(client_for("pm_a").get(url(world.a1, "milestones")), "milestone-trend-chart")

    cadrage = trace(fig, "Cadrage")
    assert cadrage["x"] == ["2026-02-16", "2026-02-23", "2026-03-02", "2026-03-04"]
    assert cadrage["y"] == ["2026-03-02", "2026-03-02", "2026-03-02", "2026-03-04"]


def test_milestone_slip_is_counted_in_french_working_days(client_for, world):
    services.record_create(
        actor=world.users["pm_a"],
        model=Milestone,
        project=world.a1,
        data={
            "name": "Bascule",
            "is_key": True,
            "baseline_date": date(2030, 4, 29),  # Monday; 1 and 8 May 2030 are public holidays
            "forecast_date": date(2030, 5, 13),
        },
    )
    html = client_for("pm_a").get(url(world.a1, "milestones")).content.decode()
    assert "+8" in html  # 10 weekdays minus 1 and 8 May


def test_cost_table_and_s_curve(client_for, world, story):
    response = client_for("executive").get(url(world.a1, "costs"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "Cadrage validé" in html  # the baseline list
    fig = figure(response, "cost-s-curve-chart")
    last_month, this_month, next_month = story["months"]
    planned = fig["data"][0]
    assert planned["x"][0] == last_month.isoformat()
    assert planned["y"] == [0.0, 15000.0, 25000.0, 45000.0]
    actual = fig["data"][1]
    assert actual["y"] == [0.0, 17000.0, 17000.0]  # months started by today only
    forecast = fig["data"][2]
    assert forecast["x"][0] == (this_month - timedelta(days=1)).isoformat()  # from the last closed month
    assert forecast["y"] == [
        17000.0,
        28000.0,
        53000.0,
    ]  # its actual, then this month's and next one's forecast
    earned = fig["data"][3]
    assert earned["y"][0] == 10000.0 and earned["y"][-1] == 20000.0  # 10 %, then 20 % of the 100 000 budget
    bac, eac = fig["data"][4], fig["data"][5]
    assert bac["y"] == [100000.0, 100000.0]
    assert eac["y"] == [pytest.approx(85000.0), pytest.approx(85000.0)]  # BAC / (EV 20 000 / AC 17 000)
    assert len(fig["data"]) == 6


def test_s_curve_leaves_ev_and_eac_out_when_not_computable(client_for, world):
    services.cost_line_set(
        actor=world.users["pm_a"],
        project=world.a1,
        month=timezone.localdate().replace(day=1),
        category="opex",
        values={"planned": Decimal("1000"), "actual": Decimal("500")},
    )
    fig = figure(client_for("pm_a").get(url(world.a1, "costs")), "cost-s-curve-chart")
    assert [t["line"]["color"] for t in fig["data"]] == ["#1d3557", "#e76f51", "#e76f51", "#1d3557"]
    assert fig["data"][-1]["y"] == [100000.0, 100000.0]  # BAC; no EV without a percent complete, so no EAC
    assert all(t["line"]["color"] != "#2a9d3f" for t in fig["data"])


def test_risk_register_and_heat_map(client_for, world, story):
    response = client_for("pmo_a").get(url(world.a1, "risks"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    threats = html.index("Indisponibilité de l&#x27;équipe de test")
    assert threats < html.index("Retard du fournisseur") < html.index("Grève des transports")
    assert html.index("Grève des transports") < html.index("Réutiliser le socle du groupe")  # apart, after
    fig = figure(response, "risk-heatmap-chart")
    heat = fig["data"][0]
    assert heat["z"][4][3] == 2  # probability 5 × impact 4 = 20: red
    assert heat["z"][3][2] == 1  # 4 × 3 = 12: amber
    assert heat["z"][0][0] == 0  # 1 × 1: green
    counts = {(a["y"], a["x"]): a["text"] for a in fig["layout"]["annotations"]}
    assert counts == {(5, 4): "1", (4, 3): "2"}  # open threats only: not the closed one, not the opportunity


def test_issues_and_deliverables_with_their_review_history(client_for, world):
    pm = world.users["pm_a"]
    services.record_create(
        actor=pm,
        model=Issue,
        project=world.a1,
        data={"title": "Serveur de recette en panne", "severity": "high"},
    )
    deliverable = services.record_create(
        actor=pm, model=Deliverable, project=world.a1, data={"name": "Cahier de recette"}
    )
    deliverable = services.deliverable_review(
        actor=pm, deliverable=deliverable, version=deliverable.version, state="in_review"
    )
    services.deliverable_review(
        actor=pm, deliverable=deliverable, version=deliverable.version, state="rejected", comment="Incomplet"
    )
    client = client_for("team")

    assert "Serveur de recette en panne" in client.get(url(world.a1, "issues")).content.decode()
    html = client.get(url(world.a1, "deliverables")).content.decode()
    assert "Cahier de recette" in html and "Incomplet" in html
    assert html.count("<li>") == 2  # both review steps, in order: in review, then rejected with its reason


def test_status_history_table_and_declared_vs_indicated_chart(client_for, world, story):
    response = client_for("sponsor").get(url(world.a1, "status-history"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "Recette décalée de trois semaines" in html
    assert html.index(story["this_week"].strftime("%d/%m/%Y")) < html.index(
        story["last_week"].strftime("%d/%m/%Y")
    )  # newest first
    fig = figure(response, "rag-history-chart")
    declared, indicated = fig["data"]
    weeks = [story["last_week"].isoformat(), story["this_week"].isoformat()]
    assert declared["x"] == indicated["x"] == weeks
    assert declared["y"] == [1.1, 2.1]  # green, then amber (declared runs just above each level)
    assert indicated["y"] == [2.9, 2.9]  # red both weeks: the P5 × I4 threat is over the red score
    assert declared["marker"]["color"] == ["#2a9d3f", "#d98a00"]


def test_summary_shows_the_qcdr_reasons_the_latest_comments_and_the_evm(client_for, world, story):
    html = client_for("team").get(url(world.a1, "summary"), HTTP_HX_REQUEST="true").content.decode()

    assert 'id="qcdr-panel"' in html
    assert "Indisponibilité de l&#x27;équipe de test" in html  # the top risk, named in the risk reason
    assert "Recette décalée de trois semaines" in html
    assert "Plan de tests validé" in html and "Arbitrage du COPIL sur la date" in html
    assert "20\u00a0000\u00a0€" in html  # EV = 20 % × 100 000
    assert "17\u00a0000\u00a0€" in html  # AC


def test_user_text_in_charts_cannot_become_markup(client_for, world):
    services.record_create(
        actor=world.users["pm_a"],
        model=Milestone,
        project=world.a1,
        data={"name": "<b>Go</b></script>", "is_key": True, "forecast_date": date(2030, 1, 7)},
    )
    response = client_for("pm_a").get(url(world.a1, "milestones"))
    html = response.content.decode()
    assert "</script><" not in html.split('type="application/json">', 1)[1].split("</script>", 1)[0]
    assert trace(figure(response, "milestone-trend-chart"), "&lt;b&gt;Go&lt;/b&gt;&lt;/script&gt;")


# --- Dependencies: a project the user may not see is never named ------------------------------------


@pytest.fixture
def dependencies(world):
    other_pm = world.other_pm
    a2_gate = Milestone.objects.create(
        project=world.a2, name="Jalon A2 livré", forecast_date=date(2030, 3, 4)
    )
    b1_gate = Milestone.objects.create(
        project=world.b1, name="Jalon secret B1", forecast_date=date(2030, 3, 4)
    )
    Dependency.objects.create(project=world.a1, title="API clients de A2", depends_on_project=world.a2)
    Dependency.objects.create(project=world.a1, title="Attente socle B", depends_on_project=world.b1)
    Dependency.objects.create(project=world.a1, title="Attente jalon B", depends_on_milestone=b1_gate)
    Dependency.objects.create(project=world.a1, title="Attente jalon A2", depends_on_milestone=a2_gate)
    Dependency.objects.create(project=world.a2, title="A2 attend A1", depends_on_project=world.a1)
    Dependency.objects.create(project=world.b1, title="B1 attend A1", depends_on_project=world.a1)
    return other_pm


def test_a_dependency_on_an_invisible_project_shows_neither_its_name_nor_its_milestone(
    client_for, world, dependencies
):
    html = client_for("pm_a").get(url(world.a1, "dependencies")).content.decode()

    assert "Attente socle B" in html and "Attente jalon B" in html  # A1's own records
    assert html.count("bi-eye-slash") == 2  # both shown as "project not visible"
    assert "Projet B1" not in html and ">b1 " not in html and "Jalon secret B1" not in html
    assert "B1 attend A1" not in html  # invisible dependents are left out
    assert "Projet A2" in html and "Jalon A2 livré" in html and "A2 attend A1" in html


def test_a_user_who_sees_both_projects_sees_the_names(client_for, world, dependencies):
    html = client_for("superuser").get(url(world.a1, "dependencies")).content.decode()

    assert "bi-eye-slash" not in html
    assert "Projet B1" in html and "Jalon secret B1" in html and "B1 attend A1" in html


# --- Constant query counts -------------------------------------------------------------------------


def populate(world, *, start: int, count: int) -> None:
    """`count` more rows in every register of A1 (plain ORM: this only measures reads)."""
    project, owner = world.a1, world.users["pm_a"]
    first_week = week_start(timezone.localdate()) - timedelta(weeks=60)
    for n in range(start, start + count):
        day = date(2026, 1, 5) + timedelta(days=7 * n)
        milestone = Milestone.objects.create(
            project=project, name=f"Jalon {n}", is_key=True, baseline_date=day, forecast_date=day
        )
        MilestoneForecast.objects.bulk_create(
            MilestoneForecast(milestone=milestone, period_start=day - timedelta(weeks=k), forecast_date=day)
            for k in range(3)
        )
        month = date(2024 + n // 12, n % 12 + 1, 1)
        for category in ("capex", "opex"):
            CostLine.objects.create(
                project=project, month=month, category=category, planned=100, actual=90, forecast=95
            )
        CostBaseline.objects.create(project=project, number=n + 1, created_by=owner, reason=f"Base {n}")
        Risk.objects.create(
            project=project, title=f"Risque {n}", probability=n % 5 + 1, impact=(n // 5) % 5 + 1, owner=owner
        )
        Risk.objects.create(
            project=project, title=f"Opportunité {n}", probability=2, impact=2, is_opportunity=True
        )
        Issue.objects.create(project=project, title=f"Problème {n}", owner=owner)
        deliverable = Deliverable.objects.create(project=project, name=f"Livrable {n}", owner=owner)
        DeliverableReview.objects.create(deliverable=deliverable, state="in_review", reviewer=owner)
        DeliverableReview.objects.create(deliverable=deliverable, state="accepted", reviewer=owner)
        target = world.a2 if n % 2 else world.b1
        Dependency.objects.create(project=project, title=f"Dépendance {n}", depends_on_project=target)
        Dependency.objects.create(
            project=target, title=f"Dépendant {n}", depends_on_milestone=milestone, needed_by=day
        )
        StatusReport.objects.create(
            project=project,
            period_start=first_week + timedelta(weeks=n),
            state=StatusReport.State.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_by=owner,
            overall="amber",
            overall_comment=f"Semaine {n}",
            percent_complete=n,
            indicated={"indicated": {"overall": "red"}, "evm": {"ev": str(n * 1000)}, "watermelon": True},
        )


@pytest.mark.parametrize("name", FRAGMENTS)
def test_fragment_queries_do_not_grow_with_rows(client_for, world, name):
    client = client_for("pm_a")
    populate(world, start=0, count=2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(world.a1, name), HTTP_HX_REQUEST="true").status_code == 200
    populate(world, start=2, count=28)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(world.a1, name), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)
