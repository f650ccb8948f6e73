"""The dashboard's plotly figures: pure functions of DashboardData (no database)."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from projects.charts import RAG_COLOURS, MonthCost, TrendSeries
from projects.types import EVM, Thresholds
from reporting import charts
from reporting.dashboard import (
    Compliance,
    DashboardData,
    Freshness,
    Kpis,
    PendingDecisions,
    ProjectRow,
    SCurve,
    SlippingMilestone,
)

AS_OF = date(2026, 11, 19)
AXES = ("quality", "cost", "schedule", "risk", "overall")


def row(pk, *, overall="green", score=50, exposure=10, budget="100000", stale=False, stage="Exécution"):
    return ProjectRow(
        pk=pk,
        code=f"p{pk}",
        name=f"Projet <{pk}>",
        url=f"/projects/{pk}/",
        portfolio_id=1,
        programme_id=None,
        programme_name="",
        manager_id=None,
        manager_name="",
        stage=stage,
        state="active",
        state_label="Actif",
        budget=Decimal(budget),
        strategic_score=score,
        declared=dict.fromkeys(AXES, "green"),
        indicated={**dict.fromkeys(AXES, "green"), "overall": overall},
        watermelon_axes=(),
        previous_overall=None,
        trend="",
        last_period=None,
        last_submitted=AS_OF,
        days_since_update=0,
        stale=stale,
        submitted_this_week=True,
        evm=None,
        open_exceptions=0,
        pending={},
        top_risk_score=None,
        risk_exposure=exposure,
        open_threats=1,
    )


def data(rows, **extra) -> DashboardData:
    zero = Decimal("0")
    kpis = Kpis(
        project_count=len(rows),
        indicated={},
        declared={},
        watermelons=0,
        bac=zero,
        eac=zero,
        eac_missing=0,
        actual_to_date=zero,
        evm=EVM(bac=zero, pv=zero, ev=None, ac=zero),
        open_exceptions=0,
        pending=PendingDecisions(items=()),
        compliance=Compliance(week=AS_OF, active=0, submitted=0, missing=()),
        freshness=Freshness(stale=0, never_updated=0, oldest_update=None),
        cpi_rag="unknown",
        spi_rag="unknown",
    )
    values = {
        "as_of": AS_OF,
        "currency": "EUR",
        "thresholds": Thresholds(risk_amber_score=6, risk_red_score=12),
        "rows": tuple(rows),
        "kpis": kpis,
        "s_curve": SCurve(months=(), earned=(), bac=zero, eac=None),
        "risk_heat": {},
        "milestones": (),
        "stages": {},
        **extra,
    }
    return DashboardData(**values)


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def test_bubbles_one_trace_per_rag_sized_by_budget_with_unscored_projects_apart():
    rows = [
        row(1, overall="red", score=80, exposure=30, budget="400000"),
        row(2, overall="green", score=None, exposure=5, budget="100000"),
        row(3, overall="green", score=20, exposure=0, budget="0", stale=True),  # stale: never green
    ]
    figure = charts.bubble_figure(data(rows))

    traces = {trace["marker"]["color"]: trace for trace in figure["data"]}
    assert set(traces) == {RAG_COLOURS["red"], RAG_COLOURS["green"], RAG_COLOURS["unknown"]}
    red, green, unknown = (
        traces[RAG_COLOURS["red"]],
        traces[RAG_COLOURS["green"]],
        traces[RAG_COLOURS["unknown"]],
    )
    assert (red["x"], red["y"], red["marker"]["size"]) == ([80], [30], [400000.0])
    assert green["x"] == [charts.UNSCORED_X] and green["customdata"][0][0] == 2
    assert unknown["x"] == [20]
    # the largest budget gets a 48 px bubble (plotly's area sizing)
    assert red["marker"]["sizeref"] == pytest.approx(2 * 400000 / 48**2)
    # the user's text is shown as typed; plotly formats the budget with the French separators
    assert red["customdata"][0][1] == "p1 – Projet &lt;1&gt;" and red["customdata"][0][4] == 400000.0
    assert "%{customdata[4]:,.0f}\u00a0€" in red["hovertemplate"]
    axis = figure["layout"]["xaxis"]
    assert axis["tickvals"][0] == charts.UNSCORED_X and axis["ticktext"][0] not in ("", "0")
    assert figure["layout"]["shapes"][0]["x0"] < charts.UNSCORED_X < figure["layout"]["shapes"][0]["x1"]
    assert figure["layout"]["separators"] == ",\u00a0"
    json.dumps(figure)  # JSON-ready


def test_bubbles_without_unscored_projects_have_no_band():
    figure = charts.bubble_figure(data([row(1, score=10)]))
    assert figure["layout"]["shapes"] == []
    assert charts.UNSCORED_X not in figure["layout"]["xaxis"]["tickvals"]


def test_stage_distribution_stacks_projects_by_rag():
    stages = {
        "Recette": {"green": 1, "amber": 0, "red": 2, "unknown": 0},
        "": {"green": 0, "amber": 0, "red": 0, "unknown": 1},
        "Cadrage": {"green": 3, "amber": 1, "red": 0, "unknown": 0},
    }
    figure = charts.stage_distribution_figure(data([], stages=stages))

    assert figure["layout"]["barmode"] == "stack"
    bars = {trace["marker"]["color"]: trace for trace in figure["data"]}
    # stages in alphabetical order, "no stage" last; a RAG nobody has gets no trace
    assert bars[RAG_COLOURS["red"]]["x"][:2] == ["Cadrage", "Recette"]
    assert bars[RAG_COLOURS["red"]]["y"] == [0, 2, 0]
    assert bars[RAG_COLOURS["green"]]["y"] == [3, 1, 0]
    assert bars[RAG_COLOURS["unknown"]]["y"] == [0, 0, 1]
    assert bars[RAG_COLOURS["amber"]]["y"] == [1, 0, 0]
    assert len(figure["data"]) == 4


def test_s_curve_sums_the_portfolio_and_draws_bac_and_eac():
    months = (
        MonthCost(
            month=date(2026, 10, 1), planned=Decimal("100"), actual=Decimal("90"), forecast=Decimal("90")
        ),
        MonthCost(
            month=date(2026, 11, 1), planned=Decimal("100"), actual=Decimal("40"), forecast=Decimal("120")
        ),
        MonthCost(
            month=date(2026, 12, 1), planned=Decimal("100"), actual=Decimal("0"), forecast=Decimal("110")
        ),
    )
    curve = SCurve(
        months=months, earned=((date(2026, 10, 31), Decimal("80")),), bac=Decimal("300"), eac=Decimal("330")
    )
    figure = charts.s_curve_figure(data([], s_curve=curve))

    by_name = {trace["name"]: trace for trace in figure["data"]}
    planned = next(t for n, t in by_name.items() if "PV" in n)
    actual = next(t for n, t in by_name.items() if "(AC)" in n)
    earned = next(t for n, t in by_name.items() if "EV" in n)
    eac = next(t for n, t in by_name.items() if "EAC" in n)
    assert planned["y"] == [0.0, 100.0, 200.0, 300.0]
    assert actual["y"] == [0.0, 90.0, 130.0]
    assert earned["y"] == [80.0]
    assert eac["y"] == [330.0, 330.0]
    assert figure["config"]["toImageButtonOptions"]["filename"] == "portfolio-s-curve"


def test_heat_map_counts_open_threats_with_the_portfolio_zones():
    figure = charts.risk_heatmap_figure(data([], risk_heat={(4, 5): 3, (1, 1): 2}))
    annotations = {(a["y"], a["x"]): a["text"] for a in figure["layout"]["annotations"]}
    assert annotations == {(4, 5): "3", (1, 1): "2"}
    # amber from 6, red from 12: probability 2 × impact 3 is amber, 3 × 4 red (z: 0 green, 1 amber, 2 red)
    z = figure["data"][0]["z"]
    assert (z[1][2], z[2][3], z[0][0]) == (1, 2, 0)


def test_mta_draws_one_line_per_slipping_milestone():
    series = TrendSeries(
        name="p1 – Go-live",
        points=((date(2026, 11, 9), date(2027, 3, 1)), (date(2026, 11, 16), date(2027, 4, 1))),
        baseline=date(2027, 3, 1),
    )
    figure = charts.mta_figure(
        data([], milestones=(SlippingMilestone(series=series, project_id=1, slip_days=31),))
    )
    lines = [trace for trace in figure["data"] if trace["name"] == "p1 – Go-live"]
    assert lines[0]["y"] == ["2027-03-01", "2027-04-01"]
    assert len(figure["data"]) == 2  # the milestone and the diagonal


def test_every_figure_is_built_for_an_empty_dashboard():
    figures = charts.dashboard_figures(data([]))
    assert set(figures) == {"bubbles", "s_curve", "risk_heatmap", "mta", "stages"}
    for figure in figures.values():
        json.dumps(figure)
        assert figure["config"]["displaylogo"] is False
