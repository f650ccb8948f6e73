"""Portfolio structure: portfolios, their programmes, and who holds which role in them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.memo import forget, memoised
from pmo.core.models import ArchivableModel, TimeStampedModel, VersionedModel
from pmo.core.roles import Role


def portfolio_roles(user) -> dict[int, str]:
    """The user's role per portfolio id: one query, once per request (pmo.core.memo). Visibility
    rules filter on these ids as literal lists rather than on membership subqueries."""
    return memoised(
        user,
        "portfolio_roles",
        lambda: dict(Membership.objects.filter(user=user).order_by().values_list("portfolio_id", "role")),
    )


def portfolios_where(user, *roles: str) -> list[int]:
    """Ids of the portfolios where the user holds one of `roles` (any role when none is given)."""
    return [pk for pk, role in portfolio_roles(user).items() if not roles or role in roles]


class PortfolioQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def visible_to(self, user):
        """Portfolios the user is a member of (any role); archived ones only for their PMO."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            Q(id__in=portfolios_where(user), archived_at__isnull=True)
            | Q(id__in=portfolios_where(user, Role.PMO))
        )

    def editable_by(self, user):
        """Portfolios whose settings the user may change: PMO officers of that portfolio."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(id__in=portfolios_where(user, Role.PMO))


@tracked()
class Portfolio(TimeStampedModel, VersionedModel, ArchivableModel):
    """Top container of a PMO: currency and fiscal calendar; objectives and scoring come later."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        choices=[("EUR", "EUR"), ("USD", "USD"), ("GBP", "GBP"), ("CHF", "CHF")],
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year start month"),
        default=1,
        choices=[(m, m) for m in range(1, 13)],
    )

    cost_tolerance_pct = models.DecimalField(
        _("cost tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))],
        help_text=_("Forecast overrun of the budget beyond which the cost axis turns amber (red at twice)."),
    )
    time_tolerance_days = models.PositiveSmallIntegerField(
        _("time tolerance (working days)"),
        default=10,
        validators=[MaxValueValidator(250)],
        help_text=_("Key-milestone slip beyond which the schedule axis turns amber (red at twice)."),
    )
    risk_red_score = models.PositiveSmallIntegerField(
        _("risk score for red"), default=15, validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    risk_amber_score = models.PositiveSmallIntegerField(
        _("risk score for amber"), default=8, validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    scope_tolerance_pct = models.DecimalField(
        _("scope tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))],
        help_text=_(
            "Deliverables added or removed since the current baseline, with the pending scope changes, "
            "in % of the baselined deliverables, beyond which an exception is raised."
        ),
    )
    quality_tolerance_pct = models.DecimalField(
        _("quality tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))],
        help_text=_(
            "Share of the deliverables due or decided that are rejected or late, "
            "beyond which an exception is raised."
        ),
    )

    class AllocationMode(models.TextChoices):
        FLEXIBLE = "flexible", _("Flexible: over-allocation allowed and flagged")
        STRICT = "strict", _("Strict: an allocation beyond capacity is refused")

    allocation_mode = models.CharField(
        _("allocation mode"),
        max_length=10,
        choices=AllocationMode.choices,
        default=AllocationMode.FLEXIBLE,
    )
    default_methodology = models.ForeignKey(
        "portfolio.Methodology",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default methodology"),
        help_text=_("The stages and gates new projects of this portfolio follow."),
    )
    stale_after_days = models.PositiveSmallIntegerField(
        _("stale after (days)"),
        default=14,
        help_text=_("A project without a report for longer is flagged stale."),
    )

    objects = PortfolioQuerySet.as_manager()

    class Meta:
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:portfolio-detail", args=[self.pk])


@tracked()
class Membership(TimeStampedModel):
    """A user's role in one portfolio; a user may hold one role per portfolio."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("portfolio")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "user"], name="membership_unique_user"),
        ]
        ordering = ["portfolio", "role", "user"]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.portfolio})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget(self.user)

    def delete(self, *args, **kwargs):
        forget(self.user)
        return super().delete(*args, **kwargs)


class ProgrammeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def visible_to(self, user):
        """Programmes of portfolios the user is a member of; archived ones only for their PMO."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            Q(portfolio_id__in=portfolios_where(user), archived_at__isnull=True)
            | Q(portfolio_id__in=portfolios_where(user, Role.PMO))
        )

    def editable_by(self, user):
        """Programmes the user may change: PMO officers of the portfolio."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(portfolio_id__in=portfolios_where(user, Role.PMO))


@tracked()
class Programme(TimeStampedModel, VersionedModel, ArchivableModel):
    """A group of related projects delivering shared benefits, inside one portfolio."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("portfolio")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_programmes",
        verbose_name=_("programme manager"),
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_programmes",
        verbose_name=_("sponsor"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ACTIVE)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["portfolio__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "code"], name="programme_unique_code"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="programme_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:programme-detail", args=[self.pk])


class SupplierQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Suppliers of the portfolios the user is a member of (archived ones for their PMO only)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        mine = Membership.objects.filter(user=user)
        pmo_of = mine.filter(role=Role.PMO).values("portfolio_id")
        return self.filter(
            Q(portfolio_id__in=mine.values("portfolio_id"), archived_at__isnull=True)
            | Q(portfolio_id__in=pmo_of)
        )

    def editable_by(self, user):
        """Suppliers the user may add or change: PMO officers and project managers of the portfolio."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            portfolio_id__in=Membership.objects.filter(
                user=user, role__in=[Role.PMO, Role.PROJECT_MANAGER]
            ).values("portfolio_id")
        )


@tracked()
class Supplier(TimeStampedModel, VersionedModel, ArchivableModel):
    """A company the portfolio buys from; its projects' contracts and purchase orders name it."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="suppliers", verbose_name=_("portfolio")
    )
    name = models.CharField(_("name"), max_length=200)
    registration_number = models.CharField(_("registration number (SIREN/SIRET)"), max_length=30, blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["portfolio", "name"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "name"], name="supplier_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


# --- Methodologies: the PMO's standards of stages, gates and documents ------------------------------


class MethodologyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


def is_pmo_officer(user) -> bool:
    """PMO officers of any portfolio (and the superuser) own the methodologies: they are the
    organisation's standards, shared by every portfolio."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Role.PMO).exists()


@tracked()
class Methodology(TimeStampedModel, VersionedModel):
    """A delivery method set by the PMO: ordered stages, each ending with a decision gate that checks
    criteria and required documents. Shared by every portfolio; a portfolio names its default one."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive methodologies are not offered to new projects.")
    )

    objects = MethodologyQuerySet.as_manager()

    class Meta:
        verbose_name = _("methodology")
        verbose_name_plural = _("methodologies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:methodology-detail", args=[self.pk])


@tracked()
class Stage(TimeStampedModel):
    """One stage of a methodology, in order; it ends with its gate."""

    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="stages", verbose_name=_("methodology")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["methodology", "order"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "order"], name="stage_unique_order"),
            models.UniqueConstraint(fields=["methodology", "name"], name="stage_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


def template_upload_to(instance, filename: str) -> str:
    """Templates are stored under a random name: the original (sanitised) name is kept in a field."""
    import uuid

    return f"document-templates/{uuid.uuid4().hex}"


@tracked()
class DocumentType(TimeStampedModel):
    """A kind of project document of a methodology (project brief, PID, acceptance report…), with an
    optional template that project managers download from the methodology."""

    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="document_types", verbose_name=_("methodology")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    template = models.FileField(
        _("template"), upload_to=template_upload_to, max_length=255, blank=True, editable=False
    )
    template_name = models.CharField(_("template file name"), max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["methodology", "name"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "code"], name="document_type_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


@tracked()
class GateDefinition(TimeStampedModel):
    """The decision gate at the end of a stage: the checklist the project manager answers and the
    document types that must be uploaded before the gate can be requested."""

    stage = models.OneToOneField(
        Stage, on_delete=models.PROTECT, related_name="gate", verbose_name=_("stage")
    )
    name = models.CharField(_("name"), max_length=150)
    criteria = models.JSONField(
        _("checklist criteria"), default=list, blank=True, help_text=_("One question per line.")
    )
    required_document_types = models.ManyToManyField(
        DocumentType, blank=True, related_name="gates", verbose_name=_("required documents")
    )

    class Meta:
        verbose_name = _("gate definition")
        verbose_name_plural = _("gate definitions")
        ordering = ["stage__methodology", "stage__order"]

    def __str__(self) -> str:
        return self.name


# The resource pool (issue 6) lives in its own module; importing it registers its models here.
from portfolio.resource_models import Absence, Resource, ResourceSkill, Skill  # noqa: E402, F401
from portfolio.resource_models import Role as ResourceRole  # noqa: E402, F401
from portfolio.strategy_models import PortfolioStrategySettings, ScoringCriterion, StrategicObjective  # noqa: E402, F401
