"""Which tolerances apply to a project: pure, no database access.

Precedence, figure by figure: the override of the project's current stage, then the project's
override, then the portfolio's default (an empty figure falls through to the next level)."""

from decimal import Decimal

from projects.types import Thresholds

TOLERANCE_FIELDS = ("cost_tolerance_pct", "time_tolerance_days", "risk_red_score", "risk_amber_score")


def resolve_thresholds(portfolio, project=None, stage=None) -> Thresholds:
    """`portfolio`, `project` and `stage` are anything with the tolerance attributes (models or
    plain objects); `project` and `stage` may be None."""

    def pick(name):
        for level in (stage, project):
            value = getattr(level, name, None) if level is not None else None
            if value is not None:
                return value
        return getattr(portfolio, name)

    return Thresholds(
        cost_tolerance_pct=Decimal(pick("cost_tolerance_pct")),
        time_tolerance_days=pick("time_tolerance_days"),
        risk_red_score=pick("risk_red_score"),
        risk_amber_score=pick("risk_amber_score"),
        stale_after_days=portfolio.stale_after_days,
    )
