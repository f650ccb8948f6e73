"""Plotly figures of the portfolio dashboard: DashboardData in, a JSON-ready figure dict out.

Pure functions, no ORM access: reporting/dashboard.py builds the data. The page draws the figures with
the local plotly.js (static/js/charts.js); the COPIL pack exports the same figures as SVG. Style,
colours and French locale are the project page's (projects/charts.py).
"""

from django.utils.translation import gettext as _

from pmo.core.formatting import CURRENCY_SYMBOLS
from projects import charts as project_charts
from projects.charts import FONT, GRID, INK, RAG_COLOURS, chart_config
from reporting.dashboard import RAGS, DashboardData

UNSCORED_X = -12  # where projects without a strategic score sit, apart from the 0–100 scale


def rag_names() -> dict[str, str]:
    return {
        "green": _("Sunny (green)"),
        "amber": _("Cloudy (amber)"),
        "red": _("Stormy (red)"),
        "unknown": _("Unknown"),
    }


def _plain_text(value: str) -> str:
    """User text for plotly, which reads a few HTML tags in names: shown as typed, never as markup."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _layout(**extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 13, "color": INK},
        "separators": project_charts._separators(),
        "height": 380,
        "margin": {"l": 70, "r": 20, "t": 30, "b": 50},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.2, "x": 0},
    }
    layout.update(extra)
    return layout


def _figure(data: list[dict], layout: dict, *, filename: str) -> dict:
    return {"data": data, "layout": layout, "config": chart_config(filename=filename)}


def _renamed(figure: dict, filename: str) -> dict:
    figure["config"] = chart_config(filename=filename)
    return figure


# --- Bubble chart: strategic score × risk exposure, bubble = budget, colour = RAG -----------------


def bubble_figure(data: DashboardData) -> dict:
    """x = strategic score (projects without one stand apart on the left, labelled so), y = risk
    exposure (sum of the P×I scores of open threats), bubble area = budget, colour = the effective
    indicated overall RAG (stale is never green)."""
    names = rag_names()
    largest = max((float(r.budget) for r in data.rows), default=0.0)
    # plotly sizes by area with sizeref: the largest budget gets a 48 px bubble.
    sizeref = 2.0 * largest / (48.0**2) if largest > 0 else 1.0
    # One hover template per trace; plotly fills in each bubble's figures (customdata) and formats
    # the budget with the page's separators: no per-project sentence or money formatting here.
    symbol = CURRENCY_SYMBOLS.get(data.currency, data.currency)
    template = "<br>".join(
        (
            "<b>%{customdata[1]}</b>",
            _("Strategic score: %(score)s") % {"score": "%{customdata[2]}"},
            _("Risk exposure: %(exposure)s (%(count)s open threats)")
            % {"exposure": "%{y}", "count": "%{customdata[3]}"},
            _("Budget: %(budget)s") % {"budget": f"%{{customdata[4]:,.0f}}\u00a0{symbol}"},
            _("Météo: %(rag)s") % {"rag": "%{fullData.name}"},
        )
    )
    none_text = _("none")

    traces = []
    unscored = 0
    for rag in ("red", "amber", "unknown", "green"):
        rows = [r for r in data.rows if r.effective_overall == rag]
        if not rows:
            continue
        unscored += sum(1 for r in rows if r.strategic_score is None)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": names[rag],
                "x": [r.strategic_score if r.strategic_score is not None else UNSCORED_X for r in rows],
                "y": [r.risk_exposure for r in rows],
                "customdata": [
                    [
                        r.pk,
                        _plain_text(f"{r.code} – {r.name}"),
                        r.strategic_score if r.strategic_score is not None else none_text,
                        r.open_threats,
                        float(r.budget),
                    ]
                    for r in rows
                ],
                "hovertemplate": template + "<extra></extra>",
                "marker": {
                    "size": [max(float(r.budget), 0.0) for r in rows],
                    "sizemode": "area",
                    "sizeref": sizeref,
                    "sizemin": 5,
                    "color": RAG_COLOURS[rag],
                    "opacity": 0.75,
                    "line": {"color": "#ffffff", "width": 1},
                },
            }
        )
    shapes = []
    annotations = []
    if unscored:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": UNSCORED_X - 8,
                "x1": UNSCORED_X + 8,
                "y0": 0,
                "y1": 1,
                "fillcolor": "#f1f3f5",
                "line": {"width": 0},
                "layer": "below",
            }
        )
    ticks = [0, 20, 40, 60, 80, 100]
    layout = _layout(
        height=420,
        xaxis={
            "title": {"text": _("Strategic score")},
            "range": [UNSCORED_X - 10 if unscored else -5, 108],
            "tickmode": "array",
            "tickvals": ([UNSCORED_X] if unscored else []) + ticks,
            "ticktext": ([_("Not scored")] if unscored else []) + [str(t) for t in ticks],
            "gridcolor": GRID,
            "zeroline": False,
            "automargin": True,
        },
        yaxis={
            "title": {"text": _("Risk exposure (Σ P×I of open threats)")},
            "rangemode": "tozero",
            "gridcolor": GRID,
            "zeroline": False,
            "automargin": True,
        },
        shapes=shapes,
        annotations=annotations,
    )
    return _figure(traces, layout, filename="portfolio-bubbles")


# --- The other figures reuse the project page's builders over the portfolio's sums ----------------


def s_curve_figure(data: DashboardData) -> dict:
    """The portfolio's cumulative PV, AC, forecast and EV per month, with BAC and EAC lines."""
    curve = data.s_curve
    figure = project_charts.cost_s_curve_figure(
        months=curve.months,
        as_of=data.as_of,
        bac=curve.bac,
        eac=curve.eac,
        earned=curve.earned,
        currency=data.currency,
    )
    # Three rows of legend under the month axis: more room, so the axis title stays clear of it.
    figure["layout"]["height"] = 470
    figure["layout"]["legend"] = {"orientation": "h", "x": 0, "y": -0.3, "yanchor": "top"}
    figure["layout"]["margin"] = {**figure["layout"]["margin"], "b": 40}
    return _renamed(figure, "portfolio-s-curve")


def risk_heatmap_figure(data: DashboardData) -> dict:
    """Open threats of every project per probability × impact cell, zones by the portfolio's limits."""
    figure = project_charts.risk_heatmap_figure(
        counts=data.risk_heat,
        amber=data.thresholds.risk_amber_score,
        red=data.thresholds.risk_red_score,
    )
    return _renamed(figure, "portfolio-risk-heat-map")


def mta_figure(data: DashboardData) -> dict:
    """Milestone trend analysis of the key milestones that slip most (one line each)."""
    figure = project_charts.milestone_trend_figure([m.series for m in data.milestones])
    return _renamed(figure, "portfolio-milestone-trend")


def stage_distribution_figure(data: DashboardData) -> dict:
    """Projects per stage, stacked by effective indicated overall RAG."""
    names = rag_names()
    stages = sorted(data.stages, key=lambda stage: (stage == "", stage.lower()))
    labels = [_plain_text(stage) if stage else _("No stage") for stage in stages]
    traces = [
        {
            "type": "bar",
            "name": names[rag],
            "x": labels,
            "y": [data.stages[stage][rag] for stage in stages],
            "marker": {"color": RAG_COLOURS[rag]},
            "hovertemplate": "%{x}<br>%{fullData.name}: <b>%{y}</b><extra></extra>",
        }
        for rag in ("red", "amber", "unknown", "green")
        if any(data.stages[stage][rag] for stage in stages)
    ]
    layout = _layout(
        barmode="stack",
        height=380,
        xaxis={"title": {"text": _("Stage")}, "automargin": True, "tickangle": 0},
        yaxis={
            "title": {"text": _("Projects")},
            "gridcolor": GRID,
            "dtick": 1 if max((sum(v.values()) for v in data.stages.values()), default=0) <= 10 else None,
            "rangemode": "tozero",
            "automargin": True,
        },
    )
    return _figure(traces, layout, filename="portfolio-stages")


FIGURES = {
    "bubbles": bubble_figure,
    "s_curve": s_curve_figure,
    "risk_heatmap": risk_heatmap_figure,
    "mta": mta_figure,
    "stages": stage_distribution_figure,
}


def dashboard_figures(data: DashboardData) -> dict[str, dict]:
    """Every figure of the dashboard, keyed as FIGURES (the COPIL pack exports them as SVG)."""
    return {name: build(data) for name, build in FIGURES.items()}


__all__ = [
    "RAGS",
    "bubble_figure",
    "dashboard_figures",
    "mta_figure",
    "risk_heatmap_figure",
    "s_curve_figure",
    "stage_distribution_figure",
]
