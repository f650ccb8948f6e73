"""Plotly figures of the project page's tabs: plain data in, a JSON-ready figure dict out.

No ORM access: selectors build the inputs (the frozen dataclasses below). Labels go through gettext,
dates and numbers follow the active language (plotly's own locale is filled from Django's), colours are
the ones of static/css/app.css, and nothing remote is referenced (no web font, no CDN, no MathJax).
"""

import calendar
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.dates import MONTHS, MONTHS_AP, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from pmo.core.formatting import CURRENCY_SYMBOLS

RAG_COLOURS = {"green": "#2a9d3f", "amber": "#d98a00", "red": "#c62828", "unknown": "#8a8f98"}
INK = "#212529"
NAVY = "#1d3557"  # the navbar's colour: the baseline plan
BLUE = "#457b9d"
ORANGE = "#e76f51"
GRID = "#e9ecef"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
# Ordinal scale of a RAG on a chart: unknown sits below green so it never reads as "good".
RAG_LEVEL = {"unknown": 0, "green": 1, "amber": 2, "red": 3}
MTA_PALETTE = ("#1d3557", "#e76f51", "#2a9d8f", "#8338ec", "#f4a261", "#457b9d", "#6d597a", "#264653")


# --- Inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    """One milestone's forecast as it stood each report week (the milestone trend analysis)."""

    name: str
    points: tuple[tuple[date, date], ...]  # (week of the report, forecast date), oldest first
    baseline: date | None = None
    actual: date | None = None


@dataclass(frozen=True)
class MonthCost:
    """One month, CAPEX and OPEX together."""

    month: date  # first day of the month
    planned: Decimal
    actual: Decimal
    forecast: Decimal


@dataclass(frozen=True)
class WeekRag:
    """The overall météo of one weekly report: declared by the PM, indicated by the data at submission."""

    week: date
    declared: str
    indicated: str


# --- Locale and common layout ----------------------------------------------------------------------


def _d3_date_format() -> str:
    """Django's SHORT_DATE_FORMAT (d/m/Y in French) as a d3 time format."""
    mapping = {"d": "%d", "j": "%-d", "m": "%m", "n": "%-m", "Y": "%Y", "y": "%y"}
    return "".join(mapping.get(char, char) for char in get_format("SHORT_DATE_FORMAT"))


def _separators() -> str:
    """plotly's `separators`: the decimal then the thousands separator of the active language."""
    return f"{get_format('DECIMAL_SEPARATOR')}{get_format('THOUSAND_SEPARATOR')}"


def _locale() -> dict:
    """A plotly locale built from Django's translations: month names, date format, modebar labels.
    Built once per language (a dashboard draws several charts; the catalogue does not change while
    the process runs); callers must not modify it."""
    return _locale_for(get_language() or "fr")


@functools.cache
def _locale_for(language: str) -> dict:
    return {
        "dictionary": {
            "Download plot": _("Download the chart (SVG)"),
            "Zoom": _("Zoom"),
            "Pan": _("Pan"),
            "Zoom in": _("Zoom in"),
            "Zoom out": _("Zoom out"),
            "Autoscale": _("Autoscale"),
            "Reset axes": _("Reset axes"),
            "Box Select": _("Box select"),
            "Lasso Select": _("Lasso select"),
            "Double-click to zoom back out": _("Double-click to zoom back out"),
        },
        "format": {
            "days": [str(WEEKDAYS[(i + 6) % 7]) for i in range(7)],  # d3 weeks start on Sunday
            "shortDays": [str(WEEKDAYS_ABBR[(i + 6) % 7]) for i in range(7)],
            "months": [str(MONTHS[i]) for i in range(1, 13)],
            "shortMonths": [str(MONTHS_AP[i]) for i in range(1, 13)],
            "date": _d3_date_format(),
            "decimal": get_format("DECIMAL_SEPARATOR"),
            "thousands": get_format("THOUSAND_SEPARATOR"),
        },
    }


def chart_config(*, filename: str = "chart") -> dict:
    """plotly's config: no logo, follows its container's width, labels in the active language.

    The camera button downloads SVG: plotly's PNG export draws through a blob: image, which the
    Content-Security-Policy (img-src 'self' data:) blocks; the SVG export needs nothing more.
    """
    language = (get_language() or "fr").split("-")[0]
    return {
        "displaylogo": False,
        "responsive": True,
        "locale": language,
        "locales": {language: _locale()},
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        "toImageButtonOptions": {"format": "svg", "filename": filename},
    }


def _layout(**extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 13, "color": INK},
        "separators": _separators(),
        "height": 380,
        "margin": {"l": 70, "r": 20, "t": 30, "b": 50},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
    }
    layout.update(extra)
    return layout


def _figure(data: list[dict], layout: dict, *, filename: str) -> dict:
    return {"data": data, "layout": layout, "config": chart_config(filename=filename)}


def _plain_text(value: str) -> str:
    """User text for plotly, which reads a few HTML tags in names: shown as typed, never as markup."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _iso(day: date) -> str:
    return day.isoformat()


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _date_axis(title: str, **extra) -> dict:
    return {
        "title": {"text": title},
        "type": "date",
        "gridcolor": GRID,
        "automargin": True,
        "hoverformat": _d3_date_format(),
        **extra,
    }


# --- Milestone trend analysis ----------------------------------------------------------------------


def milestone_trend_figure(series: Sequence[TrendSeries]) -> dict:
    """MTA: x = week of the report, y = forecast date, one line per milestone, and the diagonal.

    A line rising means the milestone slips; a milestone is reached where its line meets the diagonal
    (forecast date = report date), and its line stops there. The x axis spans the weeks reported (not
    the whole project), so a long history stays readable; the y axis spans every forecast.
    """
    day = _d3_date_format()
    hover = _("Week of %(week)s: forecast %(forecast)s") % {
        "week": f"%{{x|{day}}}",
        "forecast": f"%{{y|{day}}}",
    }
    data = []
    weeks_seen: list[date] = []
    forecasts_seen: list[date] = []
    for index, item in enumerate(series):
        if not item.points:
            continue
        colour = MTA_PALETTE[index % len(MTA_PALETTE)]
        points = list(item.points)
        if item.actual is not None:
            # Reached: the line ends on the diagonal, later weeks only repeat the actual date.
            points = [(week, forecast) for week, forecast in points if week < item.actual]
            points.append((item.actual, item.actual))
        weeks = [week for week, _forecast in points]
        forecasts = [forecast for _week, forecast in points]
        weeks_seen += weeks
        forecasts_seen += forecasts
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _plain_text(item.name),
                "x": [_iso(week) for week in weeks],
                "y": [_iso(forecast) for forecast in forecasts],
                "line": {"color": colour, "width": 2},
                "marker": {"size": 6},
                "hovertemplate": f"<b>%{{fullData.name}}</b><br>{hover}<extra></extra>",
            }
        )
    if not data:
        return _figure([], _layout(), filename="milestone-trend")
    # The weeks reported set the width; the diagonal runs across them (report date = forecast date).
    low, high = min(weeks_seen) - timedelta(days=7), max(weeks_seen) + timedelta(days=7)
    bottom = min(low, *forecasts_seen) - timedelta(days=7)
    top = max(high, *forecasts_seen) + timedelta(days=14)
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Report date = forecast date"),
            "x": [_iso(low), _iso(high)],
            "y": [_iso(low), _iso(high)],
            "line": {"color": "#adb5bd", "dash": "dot", "width": 1.5},
            "hoverinfo": "skip",
        }
    )
    layout = _layout(
        height=440,
        xaxis=_date_axis(_("Week of the report"), range=[_iso(low), _iso(high)]),
        yaxis=_date_axis(_("Forecast date"), range=[_iso(bottom), _iso(top)]),
    )
    return _figure(data, layout, filename="milestone-trend")


# --- Costs: the S-curve ----------------------------------------------------------------------------


def _month_end(month: date) -> date:
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def _cumulative(values: Iterable[Decimal], start: Decimal = Decimal("0")) -> list[float]:
    total, out = start, []
    for value in values:
        total += value
        out.append(float(total))
    return out


def cost_s_curve_figure(
    *,
    months: Sequence[MonthCost],
    as_of: date,
    bac: Decimal,
    eac: Decimal | None,
    earned: Sequence[tuple[date, Decimal]],
    currency: str = "EUR",
) -> dict:
    """Cumulative planned (PV), actual (AC) and earned (EV) cost, the forecast and horizontal BAC and EAC
    lines. Each month counts at its last day. AC counts the months started by `as_of` (as
    qcdr.actual_cost does); the forecast is the actual of the closed months, then the forecast of the
    current and later months (a month in progress is forecast whole). EAC is left out when not
    computable."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    amount = f"<b>%{{y:,.0f}}\u00a0{symbol}</b>"
    hover = f"%{{fullData.name}}<br>%{{x|{_d3_date_format()}}}<br>{amount}<extra></extra>"
    months = sorted(months, key=lambda m: m.month)
    data: list[dict] = []
    if months:
        start = _iso(months[0].month)
        ends = [_iso(_month_end(m.month)) for m in months]
        started = [m for m in months if m.month <= as_of]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Planned value (PV)"),
                "x": [start, *ends],
                "y": [0.0, *_cumulative(m.planned for m in months)],
                "line": {"color": NAVY, "width": 2.5},
                "hovertemplate": hover,
            }
        )
        if started:
            actual = _cumulative(m.actual for m in started)
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": _("Actual cost (AC)"),
                    "x": [start, *ends[: len(started)]],
                    "y": [0.0, *actual],
                    "line": {"color": ORANGE, "width": 2.5},
                    "marker": {"size": 5},
                    "hovertemplate": hover,
                }
            )
        closed = [m for m in months if _month_end(m.month) < as_of]
        if len(closed) < len(months):
            spent = sum((m.actual for m in closed), Decimal("0"))
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": _("Forecast (actual to date, then forecast)"),
                    "x": [ends[len(closed) - 1] if closed else start, *ends[len(closed) :]],
                    "y": [
                        float(spent),
                        *_cumulative((m.forecast for m in months[len(closed) :]), start=spent),
                    ],
                    "line": {"color": ORANGE, "width": 2, "dash": "dash"},
                    "hovertemplate": hover,
                }
            )
    if earned:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Earned value (EV)"),
                "x": [_iso(day) for day, _value in earned],
                "y": [float(value) for _day, value in earned],
                "line": {"color": RAG_COLOURS["green"], "width": 2.5},
                "marker": {"size": 5},
                "hovertemplate": hover,
            }
        )
    span = [m.month for m in months] + [day for day, _value in earned] + [as_of]
    low, high = _iso(min(span)), _iso(max([_month_end(m.month) for m in months] + [as_of]))
    for name, value, colour in (
        (_("Budget at completion (BAC)"), bac, NAVY),
        (_("Estimate at completion (EAC)"), eac, RAG_COLOURS["red"]),
    ):
        if value is None:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": [low, high],
                "y": [float(value), float(value)],
                "line": {"color": colour, "width": 1.5, "dash": "dot"},
                "hovertemplate": f"%{{fullData.name}}<br>{amount}<extra></extra>",
            }
        )
    layout = _layout(
        height=420,
        hovermode="x unified",
        margin={"l": 70, "r": 20, "t": 40, "b": 50},  # room above the plot for "Today" and the modebar
        xaxis=_date_axis(_("Month")),
        yaxis={
            "title": {"text": _("Cumulative cost (%(symbol)s)") % {"symbol": symbol}},
            "gridcolor": GRID,
            "automargin": True,
            "tickformat": ",.0f",
            "rangemode": "tozero",
        },
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _iso(as_of),
                "x1": _iso(as_of),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#6c757d", "width": 1, "dash": "dash"},
            }
        ],
        annotations=[
            {
                "x": _iso(as_of),
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "text": _("Today"),
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 11, "color": "#6c757d"},
            }
        ],
    )
    return _figure(data, layout, filename="cost-s-curve")


# --- Risks: probability × impact heat map ----------------------------------------------------------


def risk_zone(score: int, *, amber: int, red: int) -> str:
    """The colour of a P×I cell with the same thresholds as the risk axis (qcdr.risk_axis)."""
    if score >= red:
        return "red"
    if score >= amber:
        return "amber"
    return "green"


def _cell_text(probability: int, impact: int, count: int) -> str:
    return ngettext(
        "Probability %(p)s × impact %(i)s = %(score)s: %(count)s open threat",
        "Probability %(p)s × impact %(i)s = %(score)s: %(count)s open threats",
        count,
    ) % {"p": probability, "i": impact, "score": probability * impact, "count": count}


def risk_heatmap_figure(*, counts: dict[tuple[int, int], int], amber: int, red: int) -> dict:
    """A 5×5 grid, probability up, impact across, coloured by the score zone, with the number of open
    threats per cell written in it. `counts` maps (probability, impact) to a count."""
    scale = range(1, 6)
    zones = [[risk_zone(p * i, amber=amber, red=red) for i in scale] for p in scale]
    level = {"green": 0, "amber": 1, "red": 2}
    text = [[_cell_text(p, i, counts.get((p, i), 0)) for i in scale] for p in scale]
    data = [
        {
            "type": "heatmap",
            "x": list(scale),
            "y": list(scale),
            "z": [[level[zone] for zone in row] for row in zones],
            "zmin": 0,
            "zmax": 2,
            "colorscale": [
                [0.0, RAG_COLOURS["green"]],
                [0.333, RAG_COLOURS["green"]],
                [0.334, RAG_COLOURS["amber"]],
                [0.666, RAG_COLOURS["amber"]],
                [0.667, RAG_COLOURS["red"]],
                [1.0, RAG_COLOURS["red"]],
            ],
            "showscale": False,
            "xgap": 3,
            "ygap": 3,
            "text": text,
            "hovertemplate": "%{text}<extra></extra>",
            "name": _("Open threats"),
        }
    ]
    annotations = [
        {
            "x": i,
            "y": p,
            "text": str(counts[(p, i)]),
            "showarrow": False,
            "font": {"size": 18, "color": "#ffffff" if zones[p - 1][i - 1] == "red" else INK},
        }
        for p in scale
        for i in scale
        if counts.get((p, i))
    ]
    axis = {
        "tickmode": "array",
        "tickvals": list(scale),
        "showgrid": False,
        "zeroline": False,
        "automargin": True,
    }
    layout = _layout(
        height=360,
        margin={"l": 60, "r": 10, "t": 30, "b": 50},
        xaxis={**axis, "title": {"text": _("Impact")}, "constrain": "domain"},
        yaxis={**axis, "title": {"text": _("Probability")}, "scaleanchor": "x"},
        annotations=annotations,
    )
    return _figure(data, layout, filename="risk-heat-map")


# --- Weekly météo: declared vs indicated -----------------------------------------------------------


def rag_history_figure(weeks: Sequence[WeekRag]) -> dict:
    """Overall RAG per week: declared by the PM (solid) and indicated by the data at submission (dashed).

    Unknown is drawn below green, in grey, so a missing measure never looks good.
    """
    labels = {
        "unknown": _("Unknown"),
        "green": _("Green"),
        "amber": _("Amber"),
        "red": _("Red"),
    }
    weeks = sorted(weeks, key=lambda w: w.week)
    hover = f"%{{fullData.name}}<br>%{{x|{_d3_date_format()}}}<br><b>%{{text}}</b><extra></extra>"
    data = []
    # Two lanes a little apart around each level, so the lines stay visible when they agree.
    for name, attribute, dash, symbol, lane in (
        (_("Declared"), "declared", "solid", "circle", 0.1),
        (_("Indicated by the data"), "indicated", "dash", "diamond", -0.1),
    ):
        values = [getattr(w, attribute) or "unknown" for w in weeks]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": [_iso(w.week) for w in weeks],
                "y": [RAG_LEVEL.get(v, 0) + lane for v in values],
                "text": [str(labels.get(v, labels["unknown"])) for v in values],
                "line": {"shape": "hv", "color": "#495057", "dash": dash, "width": 2},
                "marker": {
                    "size": 11,
                    "symbol": symbol,
                    "color": [RAG_COLOURS.get(v, RAG_COLOURS["unknown"]) for v in values],
                    "line": {"color": "#ffffff", "width": 1},
                },
                "hovertemplate": hover,
            }
        )
    layout = _layout(
        height=300,
        xaxis=_date_axis(_("Week of the report")),
        yaxis={
            "title": {"text": _("Overall météo")},
            "tickmode": "array",
            "tickvals": list(RAG_LEVEL.values()),
            "ticktext": [str(labels[rag]) for rag in RAG_LEVEL],
            "range": [-0.5, 3.5],
            "gridcolor": GRID,
            "zeroline": False,
            "automargin": True,
            "fixedrange": True,
        },
    )
    return _figure(data, layout, filename="status-history")
