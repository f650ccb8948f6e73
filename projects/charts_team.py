"""The stakeholders' power/interest grid (plotly figure as a dict; drawn by static/js/charts.js)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from projects.charts import GRID, INK, _figure, _layout, _plain_text

ATTITUDE_COLOURS = {
    "champion": "#2a9d3f",
    "supporter": "#7cb342",
    "neutral": "#8a8f98",
    "critic": "#d98a00",
    "blocker": "#c62828",
}


@dataclass(frozen=True)
class GridPoint:
    name: str
    influence: int
    interest: int
    attitude: str
    attitude_label: str


def power_interest_figure(points: Iterable[GridPoint]) -> dict:
    """Interest across, influence (power) up, both 1–5, split in the four classic quadrants (manage
    closely, keep satisfied, keep informed, monitor); one marker per stakeholder coloured by attitude.
    Stakeholders on the same cell are spread around it so that none hides another."""
    by_cell: dict[tuple[int, int], list[GridPoint]] = defaultdict(list)
    for point in points:
        by_cell[(point.interest, point.influence)].append(point)
    series: dict[str, dict] = {}
    for (interest, influence), group in sorted(by_cell.items()):
        for index, point in enumerate(group):
            offset = (index - (len(group) - 1) / 2) * 0.18
            trace = series.setdefault(
                point.attitude,
                {
                    "type": "scatter",
                    "mode": "markers+text",
                    "name": point.attitude_label,
                    "x": [],
                    "y": [],
                    "text": [],
                    "textposition": [],
                    "marker": {
                        "size": 14,
                        "color": ATTITUDE_COLOURS.get(point.attitude, INK),
                        "line": {"width": 1, "color": "#ffffff"},
                    },
                    "hovertemplate": "%{text}<br>"
                    + _("Interest")
                    + " %{customdata[0]} · "
                    + _("Influence")
                    + " %{customdata[1]}<extra></extra>",
                    "customdata": [],
                },
            )
            trace["x"].append(interest + offset)
            trace["y"].append(influence)
            trace["text"].append(_plain_text(point.name))
            # neighbours on a row write their names alternately above and below their marker
            trace["textposition"].append("top center" if (interest + index) % 2 else "bottom center")
            trace["customdata"].append([interest, influence])
    quadrants = [
        (1.75, 4.6, _("Keep satisfied")),
        (4.25, 4.6, _("Manage closely")),
        (1.75, 0.65, _("Monitor")),
        (4.25, 0.65, _("Keep informed")),
    ]
    axis = {
        "range": [0.4, 5.6],
        "tickmode": "array",
        "tickvals": [1, 2, 3, 4, 5],
        "gridcolor": GRID,
        "zeroline": False,
    }
    layout = _layout(
        height=420,
        xaxis={**axis, "title": {"text": _("Interest")}},
        yaxis={**axis, "title": {"text": _("Influence (power)")}},
        shapes=[
            {
                "type": "line",
                "x0": 2.5,
                "x1": 2.5,
                "y0": 0.4,
                "y1": 5.6,
                "line": {"color": INK, "width": 1, "dash": "dot"},
            },
            {
                "type": "line",
                "x0": 0.4,
                "x1": 5.6,
                "y0": 2.5,
                "y1": 2.5,
                "line": {"color": INK, "width": 1, "dash": "dot"},
            },
        ],
        annotations=[
            {"x": x, "y": y, "text": text, "showarrow": False, "font": {"size": 12, "color": "#6c757d"}}
            for x, y, text in quadrants
        ],
    )
    return _figure(list(series.values()), layout, filename="power-interest-grid")
