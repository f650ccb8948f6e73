"""A project and the people attached to it; the registers of a project join it in later issues."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import ArchivableModel, TimeStampedModel, VersionedModel
from pmo.core.roles import PORTFOLIO_WIDE_READ_ROLES, Role
from portfolio.models import Methodology, Portfolio, Programme, Stage, portfolio_roles, portfolios_where

# Bounds of a tolerance override: a percentage (0 to 500 %) and a risk score (1 to 25).
PERCENT_TOLERANCE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))]
RISK_SCORE = [MinValueValidator(1), MaxValueValidator(25)]

EV_METHOD_CHOICES = [
    ("percent_complete", _("Percent complete × budget")),
    ("milestones", _("Weights of achieved milestones")),
]


class ProjectQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def visible_to(self, user):
        """Projects the user may read.

        PMO officers, executives and project managers read every project of their portfolios; a
        team member reads only the projects they manage, sponsor or belong to. Archived projects
        are visible to the portfolio's PMO officers only.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        roles = portfolio_roles(user)
        wide = [pk for pk, role in roles.items() if role in PORTFOLIO_WIDE_READ_ROLES]
        narrow = [pk for pk, role in roles.items() if role not in PORTFOLIO_WIDE_READ_ROLES]
        pmo_of = [pk for pk, role in roles.items() if role == Role.PMO]
        readable = Q(portfolio_id__in=wide)
        if narrow:
            involved = (
                Q(manager=user)
                | Q(deputy=user)
                | Q(sponsor=user)
                | Q(id__in=ProjectMember.objects.filter(user=user).values("project_id"))
            )
            readable |= Q(portfolio_id__in=narrow) & involved
        return self.filter((readable & Q(archived_at__isnull=True)) | Q(portfolio_id__in=pmo_of))

    def editable_by(self, user):
        """Projects the user may change: PMO officers of the portfolio, the manager and the deputy
        (the same rule for one loaded project, without a query: Project.is_editable_by)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        pmo_of = portfolios_where(user, Role.PMO)
        managers = portfolios_where(user, Role.PROJECT_MANAGER)
        return self.filter(
            Q(portfolio_id__in=pmo_of)
            | (Q(portfolio_id__in=managers, archived_at__isnull=True) & (Q(manager=user) | Q(deputy=user)))
        )


@tracked()
class Project(TimeStampedModel, VersionedModel, ArchivableModel):
    """A unit of delivery in one portfolio, optionally in one of its programmes."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="projects", verbose_name=_("portfolio")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("programme"),
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_projects",
        verbose_name=_("project manager"),
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputised_projects",
        verbose_name=_("deputy"),
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_projects",
        verbose_name=_("sponsor"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PROPOSED)
    methodology = models.ForeignKey(
        Methodology,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("methodology"),
    )
    current_stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("current stage"),
        help_text=_("Moves forward only through a gate review decided go (governance)."),
    )
    # The current stage's name, denormalised: lists, filters and the dashboard read it. The gate
    # service keeps it equal to current_stage.name.
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (BAC)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    strategic_score = models.PositiveSmallIntegerField(
        _("strategic score"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("0-100: the value of the project for the portfolio's objectives (set by the PMO)."),
    )
    ev_method = models.CharField(
        _("earned value method"),
        max_length=20,
        choices=EV_METHOD_CHOICES,
        default="percent_complete",
        help_text=_(
            "Earned value from the percent complete of the status report, or from milestone weights."
        ),
    )
    # Per-project overrides of the portfolio's tolerances; empty means "as the portfolio".
    cost_tolerance_pct = models.DecimalField(
        _("cost tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_TOLERANCE,
    )
    time_tolerance_days = models.PositiveSmallIntegerField(
        _("time tolerance (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(250)],
    )
    risk_red_score = models.PositiveSmallIntegerField(
        _("risk score for red"), null=True, blank=True, validators=RISK_SCORE
    )
    risk_amber_score = models.PositiveSmallIntegerField(
        _("risk score for amber"), null=True, blank=True, validators=RISK_SCORE
    )
    scope_tolerance_pct = models.DecimalField(
        _("scope tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_TOLERANCE,
    )
    quality_tolerance_pct = models.DecimalField(
        _("quality tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_TOLERANCE,
    )
    benefit_tolerance_pct = models.DecimalField(
        _("benefit tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_TOLERANCE,
        help_text=_("Empty: the portfolio's benefit tolerance (strategy settings)."),
    )
    # Denormalised pointer to the current submitted report of the latest week (lists embed it).
    latest_report = models.ForeignKey(
        "projects.StatusReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("latest status report"),
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "code"], name="project_unique_code"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_dates_ordered",
            ),
        ]
        indexes = [
            # Lists filter by portfolio and state and sort by code: read in index order, a page of
            # 100 stops after 100 rows instead of sorting the portfolio (benchmarks/README.md).
            models.Index(fields=["portfolio", "state", "code"], name="project_portfolio_state_code"),
            models.Index(fields=["manager"]),
        ]

    def is_editable_by(self, user) -> bool:
        """ProjectQuerySet.editable_by for this project, from its loaded columns and the user's
        memoised roles: the check a detail page or API write makes, without a query."""
        if not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        role = portfolio_roles(user).get(self.portfolio_id)
        if role == Role.PMO:
            return True
        return (
            role == Role.PROJECT_MANAGER
            and self.archived_at is None
            and user.pk in (self.manager_id, self.deputy_id)
        )

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:project-detail", args=[self.pk])


@tracked()
class ProjectMember(TimeStampedModel, VersionedModel):
    """A person on a project's team: a user (which makes the project visible to them) or a named
    external person (a contractor, a supplier's consultant) who has no account.

    Resources (portfolio.Resource, another issue) will add a third kind: a nullable `resource` FK
    beside `user`, and the `project_member_is_someone` constraint extended to accept it.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="members", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="project_memberships",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name (external person)"),
        max_length=200,
        blank=True,
        help_text=_("For someone without an account; leave empty when a user is chosen."),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    project_role = models.CharField(_("role in the project"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("project team member")
        verbose_name_plural = _("project team members")
        ordering = ["project", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], condition=Q(user__isnull=False), name="project_member_unique"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="project_member_is_someone"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @cached_property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.name

    @property
    def is_external(self) -> bool:
        return self.user_id is None
