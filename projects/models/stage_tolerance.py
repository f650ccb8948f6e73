"""Tolerances of one stage of a project (issue 5 item 4): each figure left empty falls back to the
project's override, then to the portfolio's default (projects.thresholds.resolve_thresholds)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel
from portfolio.models import Stage

SCORE = [MinValueValidator(1), MaxValueValidator(25)]
PERCENT = [MinValueValidator(0), MaxValueValidator(500)]


@tracked()
class ProjectStageTolerance(TimeStampedModel):
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="stage_tolerances",
        verbose_name=_("project"),
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="project_tolerances", verbose_name=_("stage")
    )
    cost_tolerance_pct = models.DecimalField(
        _("cost tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
    )
    time_tolerance_days = models.PositiveSmallIntegerField(
        _("time tolerance (working days)"), null=True, blank=True
    )
    risk_red_score = models.PositiveSmallIntegerField(
        _("risk score for red"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
    )
    risk_amber_score = models.PositiveSmallIntegerField(
        _("risk score for amber"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
    )
    scope_tolerance_pct = models.DecimalField(
        _("scope tolerance (%)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=PERCENT
    )
    quality_tolerance_pct = models.DecimalField(
        _("quality tolerance (%)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=PERCENT
    )
    benefit_tolerance_pct = models.DecimalField(
        _("benefit tolerance (%)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=PERCENT
    )

    class Meta:
        verbose_name = _("stage tolerance")
        verbose_name_plural = _("stage tolerances")
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="project_stage_tolerance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.stage}"
