"""Portfolio scenarios (issue 7 item 4): which projects to fund under a horizon's budget per year and
kind (CAPEX/OPEX) and role capacity per quarter, chosen by the optimiser (governance/optimiser.py).

A scenario is a draft the portfolio's PMO officers edit and run as often as they like; committing it
records a governance Decision and freezes it (no edit, no run afterwards). The last run is kept as a
JSON snapshot (selection, uses, binding limits, projects left out and why) for display and comparison.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from portfolio.models import Portfolio, portfolios_where
from portfolio.resource_models import Role
from projects.models import Project

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class ScenarioQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Scenarios of the portfolios the user reads."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(portfolio__in=Portfolio.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        """Scenarios the user may edit, run and commit: the portfolio's PMO officers."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(portfolio_id__in=portfolios_where(user, "pmo"))


@tracked(exclude=["run_progress"])
class Scenario(TimeStampedModel, VersionedModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMMITTED = "committed", _("Committed")

    class RunStatus(models.TextChoices):
        NEVER = "never", _("Never run")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        OPTIMAL = "optimal", _("Optimal")
        INFEASIBLE = "infeasible", _("Infeasible")
        FAILED = "failed", _("Failed")

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="scenarios", verbose_name=_("portfolio")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    first_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    years = models.PositiveSmallIntegerField(
        _("number of years"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("committed by"),
    )
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    # The last run.
    run_status = models.CharField(
        _("run status"), max_length=10, choices=RunStatus.choices, default=RunStatus.NEVER
    )
    run_progress = models.PositiveSmallIntegerField(_("run progress"), default=0)
    run_at = models.DateTimeField(_("run at"), null=True, blank=True)
    solver_seconds = models.FloatField(_("solver time (s)"), null=True, blank=True)
    objective = models.FloatField(_("total score"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    frontier = models.JSONField(_("efficient frontier"), default=list, blank=True)

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["portfolio", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "name"], name="scenario_unique_name"),
            models.CheckConstraint(condition=Q(years__gte=1, years__lte=5), name="scenario_years_1_to_5"),
            models.CheckConstraint(condition=Q(run_progress__lte=100), name="scenario_progress_max_100"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.state == self.State.COMMITTED

    @property
    def is_running(self) -> bool:
        return self.run_status in (self.RunStatus.QUEUED, self.RunStatus.RUNNING)

    @property
    def year_list(self) -> list[int]:
        return list(range(self.first_year, self.first_year + self.years))

    @property
    def quarters(self) -> list[str]:
        return [f"{year}-T{q}" for year in self.year_list for q in (1, 2, 3, 4)]


class CostKind(models.TextChoices):
    CAPEX = "capex", _("CAPEX")
    OPEX = "opex", _("OPEX")


@tracked()
class ScenarioBudget(TimeStampedModel):
    """The budget of one year and kind (CAPEX or OPEX) of the scenario."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("scenario")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=5, choices=CostKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("scenario budget")
        verbose_name_plural = _("scenario budgets")
        ordering = ["scenario", "year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "year", "kind"], name="scenario_budget_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="scenario_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.kind}: {self.amount}"


@tracked()
class ScenarioCapacity(TimeStampedModel):
    """The capacity of one role in one quarter ("2027-T1"), in days; prefilled from the pool,
    editable (to simulate hiring or a reorganisation)."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, related_name="capacities", verbose_name=_("scenario")
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name=_("role"))
    quarter = models.CharField(_("quarter"), max_length=7)
    days = models.DecimalField(_("days"), max_digits=9, decimal_places=1, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("scenario capacity")
        verbose_name_plural = _("scenario capacities")
        ordering = ["scenario", "role", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "role", "quarter"], name="scenario_capacity_unique"),
            models.CheckConstraint(condition=Q(days__gte=0), name="scenario_capacity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.role_id} {self.quarter}: {self.days}"


@tracked()
class ScenarioProject(TimeStampedModel):
    """A project in the scenario: candidate (the optimiser decides), mandatory or excluded; after a
    run, whether it was selected; an optional hand-made choice to compare with the optimum."""

    class Mode(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        MANDATORY = "mandatory", _("Mandatory")
        EXCLUDED = "excluded", _("Excluded")

    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, related_name="entries", verbose_name=_("scenario")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="scenario_entries", verbose_name=_("project")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.CANDIDATE)
    selected = models.BooleanField(_("selected"), null=True, blank=True)
    manual = models.BooleanField(
        _("hand-made choice"),
        null=True,
        blank=True,
        help_text=_("In or out of a hand-made selection compared with the optimum; empty: not set."),
    )

    class Meta:
        verbose_name = _("scenario project")
        verbose_name_plural = _("scenario projects")
        ordering = ["scenario", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "project"], name="scenario_project_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario_id} {self.project_id} ({self.mode})"


@tracked()
class ScenarioDependency(TimeStampedModel):
    """In this scenario, `project` can only be funded together with `requires` (B needs A);
    prefilled from the projects' dependency register."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, related_name="dependencies", verbose_name=_("scenario")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    requires = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("requires")
    )

    class Meta:
        verbose_name = _("scenario dependency")
        verbose_name_plural = _("scenario dependencies")
        ordering = ["scenario", "project", "requires"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "project", "requires"], name="scenario_dependency_unique"
            ),
            models.CheckConstraint(
                condition=~Q(project=models.F("requires")), name="scenario_dependency_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} → {self.requires_id}"
