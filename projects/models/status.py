"""The weekly status report (météo) of a project: declared RAG per QCDR axis, frozen once submitted."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from projects.models.project import Project
from projects.models.registers import ProjectRecordQuerySet


class RAGChoices(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")
    UNKNOWN = "unknown", _("Unknown")


def _rag(label):
    return models.CharField(label, max_length=10, choices=RAGChoices.choices, default=RAGChoices.UNKNOWN)


@tracked()
class StatusReport(TimeStampedModel, VersionedModel):
    """One project's report for one ISO week (period_start is the Monday).

    Submitted reports are frozen; a correction is a new revision with a reason, the old one is kept
    and stops being current. The indicated QCDR computed at submission is stored beside the
    declared one, so reports and charts never recompute history.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="status_reports", verbose_name=_("project")
    )
    period_start = models.DateField(_("week of (Monday)"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    is_current = models.BooleanField(_("current revision"), default=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)

    overall = _rag(_("overall"))
    quality = _rag(_("quality"))
    cost = _rag(_("cost"))
    schedule = _rag(_("schedule"))
    risk = _rag(_("risk"))
    overall_comment = models.TextField(_("overall comment"), blank=True)
    quality_comment = models.TextField(_("quality comment"), blank=True)
    cost_comment = models.TextField(_("cost comment"), blank=True)
    schedule_comment = models.TextField(_("schedule comment"), blank=True)
    risk_comment = models.TextField(_("risk comment"), blank=True)
    percent_complete = models.DecimalField(
        _("percent complete"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    achievements = models.TextField(_("achievements this period"), blank=True)
    next_steps = models.TextField(_("plan for next period"), blank=True)
    help_needed = models.TextField(_("help needed / escalation"), blank=True)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    indicated = models.JSONField(_("indicated QCDR at submission"), null=True, blank=True, editable=False)

    objects = ProjectRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["project", "-period_start", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period_start", "revision"], name="status_report_unique_revision"
            ),
            models.UniqueConstraint(
                fields=["project", "period_start"],
                condition=Q(is_current=True),
                name="status_report_one_current_per_week",
            ),
            models.CheckConstraint(
                condition=Q(period_start__iso_week_day=1), name="status_report_starts_monday"
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True)
                | Q(percent_complete__gte=0, percent_complete__lte=100),
                name="status_report_percent_0_100",
            ),
        ]
        indexes = [models.Index(fields=["project", "-period_start"], name="status_report_latest")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period_start:%G-W%V} r{self.revision}"

    @property
    def is_frozen(self) -> bool:
        return self.state == self.State.SUBMITTED
