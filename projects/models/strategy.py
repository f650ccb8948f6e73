"""A project's place in the portfolio strategy: the objectives it serves, its scores on the
portfolio's criteria, and the benefits it (or its programme) must deliver, measured over time —
also after the project is closed, by the benefit's owner."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from portfolio.models import Programme, ScoringCriterion, StrategicObjective
from projects.models.project import Project
from projects.models.registers import ProjectRecordQuerySet


@tracked()
class ProjectObjective(TimeStampedModel, VersionedModel):
    """The project serves this objective of its portfolio, at a contribution level 0–3."""

    class Contribution(models.IntegerChoices):
        NONE = 0, _("None")
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="objective_links", verbose_name=_("project")
    )
    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.PROTECT,
        related_name="project_links",
        verbose_name=_("objective"),
    )
    contribution = models.PositiveSmallIntegerField(
        _("contribution"), choices=Contribution.choices, default=Contribution.MEDIUM
    )

    objects = ProjectRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("project objective")
        verbose_name_plural = _("project objectives")
        ordering = ["project", "objective"]
        constraints = [
            models.UniqueConstraint(fields=["project", "objective"], name="project_objective_unique"),
            models.CheckConstraint(
                condition=Q(contribution__lte=3), name="project_objective_contribution_0_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} → {self.objective_id} ({self.contribution})"


@tracked()
class ProjectScore(TimeStampedModel, VersionedModel):
    """The project's value on one criterion of its portfolio's scoring model, with the reason."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="scores", verbose_name=_("project")
    )
    criterion = models.ForeignKey(
        ScoringCriterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.SmallIntegerField(_("value"))
    comment = models.TextField(_("comment"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scored by"),
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    objects = ProjectRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("project score")
        verbose_name_plural = _("project scores")
        ordering = ["project", "criterion"]
        constraints = [models.UniqueConstraint(fields=["project", "criterion"], name="project_score_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.criterion_id} = {self.value}"


class BenefitCategory(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    NON_FINANCIAL = "non_financial", _("Non-financial")


class BenefitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Benefits of projects the user may read, and of programmes the user may read."""
        return self.filter(
            Q(project__in=Project.objects.visible_to(user).values("pk"))
            | Q(project__isnull=True, programme__in=Programme.objects.visible_to(user).values("pk"))
        )


@tracked()
class Benefit(TimeStampedModel, VersionedModel):
    """A benefit a project or a programme must deliver: measured from a baseline towards a target by
    an expected date. A financial benefit also states the value it brings each year once realised,
    for `years` years from its expected date — the benefit side of the project's cash flows."""

    Category = BenefitCategory

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        TRACKING = "tracking", _("Being realised")
        REALISED = "realised", _("Realised")
        ABANDONED = "abandoned", _("Abandoned")

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benefits",
        verbose_name=_("project"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benefits",
        verbose_name=_("programme"),
    )
    description = models.CharField(_("description"), max_length=300)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    measure = models.CharField(_("measure"), max_length=200, help_text=_("What is measured, and how."))
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2, default=Decimal("0"))
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_benefits",
        verbose_name=_("owner"),
    )
    expected_date = models.DateField(_("expected date"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    yearly_value = models.DecimalField(
        _("yearly value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Financial benefits: money brought each year once realised (for ROI, NPV, payback)."),
    )
    years = models.PositiveSmallIntegerField(
        _("years of value"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("How many years the yearly value runs from the expected date."),
    )

    objects = BenefitQuerySet.as_manager()

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["expected_date", "description"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(programme__isnull=True))
                | (Q(project__isnull=True) & Q(programme__isnull=False)),
                name="benefit_project_or_programme",
            ),
            models.CheckConstraint(
                condition=Q(yearly_value__isnull=True) | Q(yearly_value__gte=0),
                name="benefit_yearly_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.description


@tracked()
class BenefitMeasurement(TimeStampedModel, VersionedModel):
    """One measurement of a benefit's measure on a date; may be recorded after the project closed."""

    benefit = models.ForeignKey(
        Benefit, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("benefit")
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("benefit measurement")
        verbose_name_plural = _("benefit measurements")
        ordering = ["benefit", "date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "date"], name="benefit_measurement_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.date}: {self.value}"
