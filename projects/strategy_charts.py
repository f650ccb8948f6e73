"""The benefits chart of a project's strategy tab and of a programme's benefits tab: realised against
planned, each benefit as its progress from baseline (0 %) to target (100 %), so that benefits of
different units share one axis."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from projects import benefits as rules
from projects.charts import GRID, MTA_PALETTE, _date_axis, _figure, _iso, _layout, _plain_text
from projects.strategy_selectors import benefit_start


def benefits_figure(rows: Sequence, *, as_of, tolerance) -> dict:
    """rows: projects.strategy_selectors.BenefitRow. Planned: dashed line from tracking start to the
    expected date; realised: the measurements. The tolerance band is drawn under 100 %."""
    data = []
    for index, row in enumerate(rows):
        benefit = row.benefit
        colour = MTA_PALETTE[index % len(MTA_PALETTE)]
        name = _plain_text(benefit.description[:60])
        start = benefit_start(benefit)
        fact = rules.BenefitFact(
            benefit.pk,
            benefit.baseline,
            benefit.target,
            benefit.expected_date,
            start,
            tuple((m.date, m.value) for m in row.measurements),
        )
        begin = rules.tracking_start(fact)
        if begin is not None and begin < benefit.expected_date:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": _("%(benefit)s (planned)") % {"benefit": name},
                    "x": [_iso(begin), _iso(benefit.expected_date)],
                    "y": [0, 100],
                    "line": {"color": colour, "dash": "dash", "width": 1.5},
                    "legendgroup": str(benefit.pk),
                }
            )
        points = [(m.date, rules.realisation_pct(fact, m.value)) for m in row.measurements]
        points = [(d, p) for d, p in points if p is not None]
        if points:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": _("%(benefit)s (realised)") % {"benefit": name},
                    "x": [_iso(d) for d, _p in points],
                    "y": [float(p) for _d, p in points],
                    "line": {"color": colour, "width": 2.5},
                    "legendgroup": str(benefit.pk),
                    "hovertemplate": "%{x}<br>%{y:.1f} %<extra>" + name + "</extra>",
                }
            )
    highest = max([100.0, *(y for trace in data for y in trace["y"])])
    layout = _layout(
        xaxis=_date_axis(""),
        yaxis={
            "title": {"text": _("Progress to target (%)")},
            "gridcolor": GRID,
            "ticksuffix": " %",
            "range": [min([0.0, *(y for trace in data for y in trace["y"])]) - 5, highest + 10],
        },
        shapes=[
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": 100 - float(tolerance),
                "y1": 100,
                "fillcolor": "#2a9d3f",
                "opacity": 0.08,
                "line": {"width": 0},
            },
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _iso(as_of),
                "x1": _iso(as_of),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#8a8f98", "dash": "dot", "width": 1},
            },
        ],
    )
    return _figure(data, layout, filename="benefits")
