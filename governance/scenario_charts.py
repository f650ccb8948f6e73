"""The efficient frontier of a scenario: the best total score for each total budget (every year and
kind together), with the scenario's own point. A plotly figure dict drawn by static/js/charts.js."""

from django.utils.translation import gettext as _

from pmo.core.formatting import CURRENCY_SYMBOLS
from projects.charts import GRID, NAVY, ORANGE, _figure, _layout


def frontier_figure(
    points: list[dict], *, budget: float | None, score: float | None, currency: str = "EUR"
) -> dict:
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("Best score for the budget"),
            "x": [p["budget"] for p in points],
            "y": [p["score"] for p in points],
            "customdata": [p["count"] for p in points],
            "line": {"color": NAVY, "width": 2.5, "shape": "hv"},
            "hovertemplate": "%{x:,.0f} "
            + symbol
            + "<br>"
            + _("score")
            + " %{y:.1f}<br>%{customdata} "
            + _("projects")
            + "<extra></extra>",
        }
    ]
    if budget is not None and score is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("This scenario"),
                "x": [budget],
                "y": [score],
                "marker": {"color": ORANGE, "size": 13, "symbol": "diamond"},
                "hovertemplate": "%{x:,.0f} " + symbol + "<br>" + _("score") + " %{y:.1f}<extra></extra>",
            }
        )
    layout = _layout(
        xaxis={
            "title": {"text": _("Total budget (%(symbol)s)") % {"symbol": symbol}},
            "gridcolor": GRID,
            "tickformat": ",.0f",
        },
        yaxis={"title": {"text": _("Total weighted score")}, "gridcolor": GRID, "rangemode": "tozero"},
    )
    return _figure(data, layout, filename="efficient-frontier")
