"""The registers of a project: milestones, costs, deliverables and RAID (risks, issues,
assumptions, dependencies). Each row belongs to one project and is read through it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from projects.models.project import Project

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0"), "validators": [MinValueValidator(0)]}
SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class ProjectRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows of projects the user may read (same rules as Project.visible_to)."""
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        """Rows of projects the user may change (PMO of the portfolio, manager, deputy)."""
        return self.filter(project__in=Project.objects.editable_by(user).values("pk"))


class ProjectRecord(TimeStampedModel, VersionedModel):
    """Base of every register row: belongs to one project; history is never cascaded away."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, verbose_name=_("project"))

    objects = ProjectRecordQuerySet.as_manager()

    class Meta:
        abstract = True


def _person(related_name: str, label):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=label,
    )


@tracked()
class Milestone(ProjectRecord):
    """A dated event with baseline, forecast and actual dates; key milestones drive the schedule axis."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACHIEVED = "achieved", _("Achieved")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    forecast_date = models.DateField(_("forecast date"), null=True, blank=True)
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    is_key = models.BooleanField(_("key milestone"), default=False)
    weight = models.DecimalField(
        _("weight (earned value)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    # Filled by schedule imports (MS Project, Primavera): a re-import finds the row by its source id.
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    phase = models.CharField(_("phase"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, blank=True)
    source_uid = models.CharField(_("source id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", F("baseline_date").asc(nulls_last=True), "name"]
        default_related_name = "milestones"
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="milestone_weight_not_negative"),
            models.UniqueConstraint(
                fields=["project", "source", "source_uid"],
                condition=~Q(source_uid=""),
                name="milestone_unique_source_uid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def slip_days(self) -> int | None:
        """Calendar days between baseline and forecast (or actual); the working-day figure is in qcdr."""
        end = self.actual_date or self.forecast_date
        if self.baseline_date is None or end is None:
            return None
        return (end - self.baseline_date).days


@tracked()
class MilestoneForecast(TimeStampedModel):
    """The forecast of a milestone as it stood in one status period: the milestone trend (MTA)."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, related_name="forecasts", verbose_name=_("milestone")
    )
    period_start = models.DateField(_("week of"))
    forecast_date = models.DateField(_("forecast date"))

    class Meta:
        verbose_name = _("milestone forecast")
        verbose_name_plural = _("milestone forecasts")
        ordering = ["milestone", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "period_start"], name="milestone_forecast_one_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone} @ {self.period_start}: {self.forecast_date}"


class CostCategory(models.TextChoices):
    CAPEX = "capex", _("CAPEX")
    OPEX = "opex", _("OPEX")


@tracked()
class CostLine(ProjectRecord):
    """One month of one category: baseline plan (planned), actual spend and forecast, in Decimal."""

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    category = models.CharField(_("category"), max_length=5, choices=CostCategory.choices)
    planned = models.DecimalField(_("planned (baseline)"), **MONEY)
    actual = models.DecimalField(_("actual"), **MONEY)
    forecast = models.DecimalField(_("forecast"), **MONEY)

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["project", "month", "category"]
        default_related_name = "cost_lines"
        constraints = [
            models.UniqueConstraint(fields=["project", "month", "category"], name="cost_line_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="cost_line_month_starts_on_day_1"),
            models.CheckConstraint(
                condition=Q(planned__gte=0) & Q(actual__gte=0) & Q(forecast__gte=0),
                name="cost_line_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.month:%Y-%m} {self.category}"


@tracked()
class CostBaseline(TimeStampedModel):
    """A frozen copy of the cost plan, taken when the project is (re-)baselined; old plans stay readable."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="cost_baselines", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("baseline number"))
    reason = models.TextField(_("reason"), blank=True)
    created_by = _person("+", _("created by"))
    total_planned = models.DecimalField(
        _("total planned"), max_digits=16, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("cost baseline")
        verbose_name_plural = _("cost baselines")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="cost_baseline_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} baseline {self.number}"


class CostBaselineLine(models.Model):
    """One month of a frozen cost plan."""

    baseline = models.ForeignKey(CostBaseline, on_delete=models.PROTECT, related_name="lines")
    month = models.DateField()
    category = models.CharField(max_length=5, choices=CostCategory.choices)
    planned = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["baseline", "month", "category"]

    def __str__(self) -> str:
        return f"{self.baseline} {self.month:%Y-%m} {self.category}"


class MilestoneBaseline(models.Model):
    """One milestone's baseline date as frozen in a numbered project baseline (CostBaseline holds
    the number, the reason and the cost plan); the name is copied so a deleted milestone stays
    readable in old baselines."""

    baseline = models.ForeignKey(
        CostBaseline, on_delete=models.PROTECT, related_name="milestones", verbose_name=_("baseline")
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("milestone"),
    )
    name = models.CharField(_("name"), max_length=200)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    is_key = models.BooleanField(_("key milestone"), default=False)

    class Meta:
        verbose_name = _("milestone baseline")
        verbose_name_plural = _("milestone baselines")
        ordering = ["baseline", F("baseline_date").asc(nulls_last=True), "name"]
        constraints = [
            models.UniqueConstraint(fields=["baseline", "milestone"], name="milestone_baseline_once")
        ]

    def __str__(self) -> str:
        return f"{self.baseline} {self.name}: {self.baseline_date}"


@tracked()
class Deliverable(ProjectRecord):
    """A product with acceptance criteria; its acceptance state is the quality axis."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_REVIEW = "in_review", _("In review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=200)
    owner = _person("owned_deliverables", _("owner"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["project", F("due_date").asc(nulls_last=True), "name"]
        default_related_name = "deliverables"

    def __str__(self) -> str:
        return self.name


@tracked()
class DeliverableReview(TimeStampedModel):
    """One step of a deliverable's review: submitted for review, accepted or rejected, with a comment."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("deliverable")
    )
    state = models.CharField(_("state"), max_length=20, choices=Deliverable.State.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = _person("+", _("reviewer"))

    class Meta:
        verbose_name = _("deliverable review")
        verbose_name_plural = _("deliverable reviews")
        ordering = ["deliverable", "created_at"]

    def __str__(self) -> str:
        return f"{self.deliverable}: {self.state}"


@tracked()
class Risk(ProjectRecord):
    """A threat (or an opportunity) with probability × impact on 1–5 scales."""

    class Response(models.TextChoices):
        AVOID = "avoid", _("Avoid")
        REDUCE = "reduce", _("Reduce")
        TRANSFER = "transfer", _("Transfer")
        ACCEPT = "accept", _("Accept")
        EXPLOIT = "exploit", _("Exploit")
        ENHANCE = "enhance", _("Enhance")
        SHARE = "share", _("Share")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Trend(models.TextChoices):
        NEW = "new", _("New")
        UP = "up", _("Rising")
        STABLE = "stable", _("Stable")
        DOWN = "down", _("Falling")

    title = models.CharField(_("title"), max_length=200)
    cause = models.TextField(_("cause"), blank=True)
    effect = models.TextField(_("effect"), blank=True)
    is_opportunity = models.BooleanField(_("opportunity"), default=False)
    probability = models.PositiveSmallIntegerField(_("probability (1–5)"), validators=SCALE)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), validators=SCALE)
    score = models.GeneratedField(
        expression=F("probability") * F("impact"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    proximity_date = models.DateField(_("proximity"), null=True, blank=True)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices, blank=True)
    owner = _person("owned_risks", _("owner"))
    mitigation = models.TextField(_("mitigation"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    trend = models.CharField(_("trend"), max_length=10, choices=Trend.choices, default=Trend.NEW)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["project", "-score", "title"]
        default_related_name = "risks"
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scales_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(is_opportunity=False, response__in=["", "avoid", "reduce", "transfer", "accept"])
                | Q(is_opportunity=True, response__in=["", "exploit", "enhance", "share", "accept"]),
                name="risk_response_fits_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.title


@tracked()
class Issue(ProjectRecord):
    """Something that has happened and needs resolving (a realised risk, a blocker)."""

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    owner = _person("owned_issues", _("owner"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["project", "status", F("due_date").asc(nulls_last=True)]
        default_related_name = "issues"

    def __str__(self) -> str:
        return self.title


@tracked()
class Assumption(ProjectRecord):
    """Something taken as true for planning, to be confirmed by a date."""

    class Status(models.TextChoices):
        OPEN = "open", _("To confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        INVALIDATED = "invalidated", _("Invalidated")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = _person("owned_assumptions", _("owner"))
    due_date = models.DateField(_("confirm by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("assumption")
        verbose_name_plural = _("assumptions")
        ordering = ["project", "status", "title"]
        default_related_name = "assumptions"

    def __str__(self) -> str:
        return self.title


@tracked()
class Dependency(ProjectRecord):
    """This project needs another project (or one of its milestones), possibly in another portfolio."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        AT_RISK = "at_risk", _("At risk")
        RESOLVED = "resolved", _("Resolved")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    depends_on_project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("depends on project"),
    )
    depends_on_milestone = models.ForeignKey(
        Milestone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("depends on milestone"),
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["project", F("needed_by").asc(nulls_last=True)]
        default_related_name = "dependencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(depends_on_project__isnull=False) | Q(depends_on_milestone__isnull=False),
                name="dependency_has_a_target",
            ),
            models.CheckConstraint(
                condition=~Q(depends_on_project=F("project")), name="dependency_not_on_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title
