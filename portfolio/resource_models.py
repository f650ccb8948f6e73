"""The resource pool of a portfolio: roles, skills, people (named or not) and their capacity."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import ArchivableModel, TimeStampedModel, VersionedModel
from pmo.core.roles import PORTFOLIO_WIDE_READ_ROLES
from pmo.core.roles import Role as MembershipRole

STANDARD_HOURS_PER_WEEK = Decimal("35")  # the French legal week: a generic role's day is 7 h


@tracked()
class Role(TimeStampedModel):
    """A job in the pool (chef de projet, architecte...): the unit of demand before staffing.

    Shared reference data across portfolios; its day rate prices demand that is not staffed yet.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    cost_rate_per_day = models.DecimalField(
        _("standard cost rate per day"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@tracked()
class Skill(TimeStampedModel):
    """A competence a resource holds at some level (Java, SAP FI, PRINCE2...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ResourceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def visible_to(self, user):
        """Resources of pools where the user reads portfolio-wide (PMO, executive, PM), and the
        user's own resource; archived ones only for the pool's PMO officers."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        from portfolio.models import Membership

        mine = Membership.objects.filter(user=user)
        wide = mine.filter(role__in=PORTFOLIO_WIDE_READ_ROLES).values("portfolio_id")
        pmo_of = mine.filter(role=MembershipRole.PMO).values("portfolio_id")
        readable = Q(portfolio_id__in=wide) | Q(user=user, portfolio_id__in=mine.values("portfolio_id"))
        return self.filter((readable & Q(archived_at__isnull=True)) | Q(portfolio_id__in=pmo_of))

    def editable_by(self, user):
        """Resources the user may change: the PMO officers of the pool's portfolio."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        from portfolio.models import Membership

        return self.filter(
            portfolio_id__in=Membership.objects.filter(user=user, role=MembershipRole.PMO).values(
                "portfolio_id"
            )
        )


@tracked()
class Resource(TimeStampedModel, VersionedModel, ArchivableModel):
    """A person of a portfolio's pool (optionally a user) with a role, skills and a capacity.

    Capacity per working day = hours per week × working time % / 5, between the availability dates,
    less absences. Excludes: allocations (projects.Allocation) and public holidays (computed).
    """

    portfolio = models.ForeignKey(
        "portfolio.Portfolio", on_delete=models.PROTECT, related_name="resources", verbose_name=_("portfolio")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="resources", verbose_name=_("role"))
    department = models.CharField(_("department"), max_length=100, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_resources",
        verbose_name=_("resource manager"),
        help_text=_("Confirms the staffing requests of this resource, beside the PMO."),
    )
    cost_rate_per_day = models.DecimalField(
        _("cost rate per day"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        default=STANDARD_HOURS_PER_WEEK,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("60"))],
    )
    working_time_pct = models.PositiveSmallIntegerField(
        _("working time (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="resource_availability_ordered",
            ),
            models.CheckConstraint(
                condition=Q(working_time_pct__gte=1, working_time_pct__lte=100),
                name="resource_working_time_pct_range",
            ),
            models.UniqueConstraint(
                fields=["portfolio", "user"], condition=Q(user__isnull=False), name="resource_unique_user"
            ),
        ]
        indexes = [models.Index(fields=["portfolio", "role"], name="resource_portfolio_role")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:resource-detail", args=[self.pk])

    @property
    def daily_hours(self) -> Decimal:
        """Hours of one working day at this resource's working time."""
        return self.hours_per_week * self.working_time_pct / Decimal(500)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.available_from and self.available_until and self.available_until < self.available_from:
            raise ValidationError({"available_until": _("The end of availability must follow its start.")})


@tracked()
class ResourceSkill(TimeStampedModel):
    """A skill held by a resource, at a level from 1 (notions) to 4 (expert)."""

    class Level(models.IntegerChoices):
        NOTIONS = 1, _("Notions")
        PRACTICE = 2, _("Practice")
        MASTERY = 3, _("Mastery")
        EXPERT = 4, _("Expert")

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="skills")
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="holders", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.PRACTICE)

    class Meta:
        verbose_name = _("resource skill")
        verbose_name_plural = _("resource skills")
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "skill"], name="resource_skill_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_level_display()})"


@tracked()
class Absence(TimeStampedModel):
    """A period (both days included) when a resource does not work: leave, training, sickness."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="absences")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="absence_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource}: {self.start_date} – {self.end_date}"
