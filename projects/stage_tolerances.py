"""Tolerances per stage of a project: the page's rows (one per stage of the project's methodology,
with the figures in force) and their all-or-nothing save by the PMO officers, the manager or the
deputy. An empty figure falls back to the project's override, then to the portfolio's default."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from portfolio.models import Stage
from portfolio.strategy_models import PortfolioStrategySettings
from projects.models import Project, ProjectStageTolerance
from projects.thresholds import TOLERANCE_FIELDS, resolve_thresholds
from projects.types import Thresholds

LIMITS = {
    "cost_tolerance_pct": (0, 500),
    "time_tolerance_days": (0, 250),
    "risk_red_score": (1, 25),
    "risk_amber_score": (1, 25),
    "scope_tolerance_pct": (0, 500),
    "quality_tolerance_pct": (0, 500),
    "benefit_tolerance_pct": (0, 500),
}
# Figures with one decimal; the others are whole numbers.
DECIMAL_FIELDS = frozenset(
    {"cost_tolerance_pct", "scope_tolerance_pct", "quality_tolerance_pct", "benefit_tolerance_pct"}
)


def portfolio_benefit_tolerance(portfolio_id: int) -> Decimal:
    """The portfolio's benefit tolerance (its strategy settings, else the settings' default)."""
    found = (
        PortfolioStrategySettings.objects.filter(portfolio_id=portfolio_id)
        .values_list("benefit_tolerance_pct", flat=True)
        .first()
    )
    if found is None:
        return PortfolioStrategySettings._meta.get_field("benefit_tolerance_pct").default
    return found


def can_edit_tolerances(user, project: Project) -> bool:
    return user.is_authenticated and Project.objects.editable_by(user).filter(pk=project.pk).exists()


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    override: ProjectStageTolerance | None
    effective: Thresholds
    current: bool


def stage_rows(project: Project) -> list[StageRow]:
    """Each stage of the project's methodology, its override and the tolerances in force (3 queries:
    the stages, the overrides, the portfolio's benefit tolerance)."""
    if project.methodology_id is None:
        return []
    stages = list(Stage.objects.filter(methodology_id=project.methodology_id).order_by("order"))
    overrides = {row.stage_id: row for row in ProjectStageTolerance.objects.filter(project=project)}
    benefit_default = portfolio_benefit_tolerance(project.portfolio_id)
    return [
        StageRow(
            stage=stage,
            override=overrides.get(stage.pk),
            effective=resolve_thresholds(
                project.portfolio, project, overrides.get(stage.pk), benefit_default
            ),
            current=stage.pk == project.current_stage_id,
        )
        for stage in stages
    ]


@transaction.atomic
def save_stage_tolerances(*, actor, project: Project, rows: dict[int, dict[str, Any]]) -> None:
    """`rows`: stage id → {field: value or None}. Everything is checked before anything is written;
    a stage whose figures are all empty loses its override."""
    if not can_edit_tolerances(actor, project):
        raise PermissionDenied
    stages = set(Stage.objects.filter(methodology_id=project.methodology_id).values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    for stage_id, values in rows.items():
        if stage_id not in stages:
            errors[f"stage-{stage_id}"] = [_("This stage is not a stage of the project's methodology.")]
            continue
        for field, value in values.items():
            if field not in LIMITS:
                errors[f"{stage_id}-{field}"] = [_("Unknown field.")]
            elif value is not None and not LIMITS[field][0] <= value <= LIMITS[field][1]:
                errors[f"{stage_id}-{field}"] = [
                    _("Between %(low)s and %(high)s.") % {"low": LIMITS[field][0], "high": LIMITS[field][1]}
                ]
        red, amber = values.get("risk_red_score"), values.get("risk_amber_score")
        if red is not None and amber is not None and amber >= red:
            errors[f"{stage_id}-risk_amber_score"] = [_("The amber score must be below the red score.")]
    if errors:
        raise ValidationError(errors)
    existing = {row.stage_id: row for row in ProjectStageTolerance.objects.filter(project=project)}
    with audit_context(actor=actor, reason="stage tolerances changed"):
        for stage_id, values in rows.items():
            figures = {field: values.get(field) for field in TOLERANCE_FIELDS}
            row = existing.get(stage_id)
            if all(value is None for value in figures.values()):
                if row is not None:
                    row.delete()
                continue
            if row is None:
                ProjectStageTolerance.objects.create(project=project, stage_id=stage_id, **figures)
            elif any(getattr(row, field) != value for field, value in figures.items()):
                for field, value in figures.items():
                    setattr(row, field, value)
                row.save()
