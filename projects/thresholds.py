"""Which tolerances apply to a project: pure, no database access.

Precedence, figure by figure: the override of the project's current stage, then the project's
override, then the portfolio's default (an empty figure falls through to the next level). The
benefit tolerance's portfolio default lives in the portfolio's strategy settings: passed as
`benefit_default`, else left None (the caller reads it with the benefits)."""

from decimal import Decimal

from projects.types import Thresholds

TOLERANCE_FIELDS = (
    "cost_tolerance_pct",
    "time_tolerance_days",
    "risk_red_score",
    "risk_amber_score",
    "scope_tolerance_pct",
    "quality_tolerance_pct",
    "benefit_tolerance_pct",
)


def resolve_thresholds(portfolio, project=None, stage=None, benefit_default=None) -> Thresholds:
    """`portfolio`, `project` and `stage` are anything with the tolerance attributes (models or
    plain objects); `project` and `stage` may be None."""

    def pick(name, default=None):
        for level in (stage, project):
            value = getattr(level, name, None) if level is not None else None
            if value is not None:
                return value
        return getattr(portfolio, name, default)

    benefit = pick("benefit_tolerance_pct", benefit_default)
    return Thresholds(
        cost_tolerance_pct=Decimal(pick("cost_tolerance_pct")),
        time_tolerance_days=pick("time_tolerance_days"),
        risk_red_score=pick("risk_red_score"),
        risk_amber_score=pick("risk_amber_score"),
        scope_tolerance_pct=Decimal(pick("scope_tolerance_pct", Decimal("10"))),
        quality_tolerance_pct=Decimal(pick("quality_tolerance_pct", Decimal("10"))),
        benefit_tolerance_pct=Decimal(benefit) if benefit is not None else None,
        stale_after_days=portfolio.stale_after_days,
    )
