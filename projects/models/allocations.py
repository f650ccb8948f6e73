"""Allocations: a resource (or a role not staffed yet) booked on a project for a period."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from portfolio.resource_models import Resource, Role
from projects.models.registers import ProjectRecord


@tracked()
class Allocation(ProjectRecord):
    """A share of a resource's capacity (or, without a resource, a role demand) on a project.

    Effort is either a % of the resource's capacity or a number of hours per week. A project manager
    requests it; the resource manager or the PMO confirms it. Without a resource it is a staffing
    request: demand for the role, turned into a named allocation by `allocation_staff`.
    """

    class Unit(models.TextChoices):
        PERCENT = "percent", _("% of capacity")
        HOURS = "hours", _("Hours per week")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")

    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("resource"),
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("role")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    percent = models.DecimalField(_("% of capacity"), max_digits=5, decimal_places=1, null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_allocations",
        verbose_name=_("requested by"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="confirmed_allocations",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="allocation_dates_ordered"
            ),
            models.CheckConstraint(
                condition=(
                    Q(unit="percent", percent__gt=0, percent__lte=100, hours_per_week__isnull=True)
                    | Q(unit="hours", hours_per_week__gt=0, percent__isnull=True)
                ),
                name="allocation_effort_valid",
            ),
            models.CheckConstraint(
                condition=Q(state="requested") | Q(resource__isnull=False),
                name="allocation_confirmed_is_named",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "start_date", "end_date"], name="allocation_resource_period"),
            models.Index(fields=["role", "start_date"], name="allocation_role_period"),
        ]

    def __str__(self) -> str:
        who = self.resource or self.role
        return f"{who} – {self.project_id} ({self.start_date} → {self.end_date})"

    @property
    def is_staffed(self) -> bool:
        return self.resource_id is not None

    @property
    def effort_label(self) -> str:
        if self.unit == self.Unit.PERCENT:
            return f"{(self.percent or Decimal(0)).normalize():f} %"
        return f"{(self.hours_per_week or Decimal(0)).normalize():f} h/sem."
