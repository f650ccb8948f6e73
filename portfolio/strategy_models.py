"""The portfolio's strategy frame: strategic objectives and the scoring model (weighted criteria with
scales), set by its PMO officers. Weights are relative: the pages show each one as a share of the
total of the active ones, so they need not add up to 100."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from portfolio.models import Portfolio, portfolios_where

WEIGHT = {
    "max_digits": 6,
    "decimal_places": 2,
    "default": Decimal("1"),
    "validators": [MinValueValidator(Decimal("0"))],
}


class StrategyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(portfolio__in=Portfolio.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(portfolio_id__in=portfolios_where(user, "pmo"))


@tracked()
class StrategicObjective(TimeStampedModel, VersionedModel):
    """A strategic objective of the portfolio, weighted; projects say how much they contribute to it."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("portfolio")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), **WEIGHT)
    active = models.BooleanField(_("active"), default=True)

    objects = StrategyQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        ordering = ["portfolio", "code"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "code"], name="objective_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="objective_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


@tracked()
class ScoringCriterion(TimeStampedModel, VersionedModel):
    """A weighted criterion of the portfolio's scoring model, scored on an integer scale (1–5 by
    default); a risk-like criterion scores better when lower. Each scale level may be described."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="scoring_criteria", verbose_name=_("portfolio")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), **WEIGHT)
    scale_low = models.SmallIntegerField(
        _("scale low"), default=1, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    scale_high = models.SmallIntegerField(
        _("scale high"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    lower_is_better = models.BooleanField(_("lower is better"), default=False)
    level_descriptions = models.JSONField(
        _("description of each level"),
        default=dict,
        blank=True,
        help_text=_("What each level of the scale means, keyed by level."),
    )
    active = models.BooleanField(_("active"), default=True)

    objects = StrategyQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["portfolio", "code"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "code"], name="criterion_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_not_negative"),
            models.CheckConstraint(
                condition=Q(scale_high__gt=models.F("scale_low")),
                name="criterion_scale_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def clean(self):
        super().clean()
        if self.scale_low is not None and self.scale_high is not None and self.scale_high <= self.scale_low:
            raise ValidationError({"scale_high": _("The top of the scale must be above its bottom.")})
        if not isinstance(self.level_descriptions, dict):
            raise ValidationError({"level_descriptions": _("Describe the levels as level: text.")})

    @property
    def levels(self) -> list[tuple[int, str]]:
        """Each level of the scale with its description (empty when none)."""
        described = self.level_descriptions or {}
        return [
            (level, described.get(str(level), "")) for level in range(self.scale_low, self.scale_high + 1)
        ]


@tracked()
class PortfolioStrategySettings(TimeStampedModel, VersionedModel):
    """The portfolio's figures for investment appraisal and benefits tolerance (one row per
    portfolio, kept apart from Portfolio so that several branches can add to the portfolio app)."""

    portfolio = models.OneToOneField(
        Portfolio, on_delete=models.PROTECT, related_name="strategy_settings", verbose_name=_("portfolio")
    )
    discount_rate = models.DecimalField(
        _("discount rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("8"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Yearly rate used for the net present value of projects."),
    )
    benefit_tolerance_pct = models.DecimalField(
        _("benefit tolerance (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Shortfall of a benefit against its target beyond which an exception is raised."),
    )

    class Meta:
        verbose_name = _("strategy settings")
        verbose_name_plural = _("strategy settings")

    def __str__(self) -> str:
        return f"{self.portfolio}"
