"""Project intake (demande de projet): a proposal written by anyone of a portfolio, submitted,
reviewed by the PMO, discussed, then approved into the portfolio (the first gate), rejected or
parked. Imported by governance.models, so Django finds the models in the governance app.

A draft lives in `ProjectProposal` alone; on submission it becomes a `Project` in state PROPOSED
(the one-to-one `project`) with planned cost lines and requested role-only allocations, so the
scoring, ranking and scenarios treat proposals and running projects alike."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from pmo.core.roles import PORTFOLIO_WIDE_READ_ROLES
from portfolio.models import Membership, Portfolio, Programme
from projects.models import Project

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}


def _person(label, related_name="+", **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=label,
        **kwargs,
    )


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's own proposals (drafts included), and the submitted proposals of the portfolios
        where the user reads every project (PMO officers, executives, project managers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.filter(Q(requested_by=user) | ~Q(state=ProjectProposal.State.DRAFT))
        wide = Membership.objects.filter(user=user, role__in=PORTFOLIO_WIDE_READ_ROLES).values("portfolio_id")
        mine = Membership.objects.filter(user=user).values("portfolio_id")
        return self.filter(
            Q(requested_by=user, portfolio__in=mine)
            | (Q(portfolio__in=wide) & ~Q(state=ProjectProposal.State.DRAFT))
        )

    def open(self):
        """Waiting for someone: submitted, under review or parked."""
        return self.filter(state__in=ProjectProposal.OPEN_STATES)


@tracked()
class ProjectProposal(TimeStampedModel, VersionedModel):
    """The intake record of a project proposal: what the requester asked for (problem, benefits,
    objectives, people, period, cost and effort estimates, obligation, urgency) and where it stands
    in the intake workflow. Its `project` exists from submission on."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PARKED = "parked", _("Parked")

    class Urgency(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    OPEN_STATES = (State.SUBMITTED, State.UNDER_REVIEW, State.PARKED)

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("portfolio")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    project = models.OneToOneField(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("project"),
        editable=False,
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem / business need"))
    expected_benefits = models.TextField(_("expected benefits"), blank=True)
    objectives = models.JSONField(
        _("objectives served"),
        default=list,
        blank=True,
        help_text=_("The portfolio objectives the project serves: [{objective, contribution 1–3}]."),
    )
    requested_sponsor = _person(_("requested sponsor"), null=True, blank=True)
    proposed_manager = _person(_("proposed project manager"), null=True, blank=True)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("programme"),
    )
    desired_start = models.DateField(_("desired start"))
    desired_end = models.DateField(_("desired end"))
    capex = models.DecimalField(_("estimated CAPEX"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    opex = models.DecimalField(_("estimated OPEX"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    yearly_costs = models.JSONField(
        _("costs per year"),
        default=list,
        blank=True,
        help_text=_("Optional split of the estimates per calendar year: [{year, capex, opex}]."),
    )
    efforts = models.JSONField(
        _("effort per role"),
        default=list,
        blank=True,
        help_text=_("Estimated effort per role of the portfolio's pool, in days: [{role, days}]."),
    )
    mandatory = models.BooleanField(
        _("regulatory / mandatory"), default=False, help_text=_("Required by law, a regulator or a contract.")
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.DRAFT)
    requested_by = _person(_("requested by"), related_name="requested_proposals")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = _person(_("decided by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_rationale = models.TextField(_("decision rationale"), blank=True)
    revisit_on = models.DateField(_("revisit on"), null=True, blank=True)
    decision = models.ForeignKey(
        "governance.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision"),
        editable=False,
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("project proposal")
        verbose_name_plural = _("project proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "number"], name="proposal_unique_number"),
            models.CheckConstraint(
                condition=Q(desired_end__gte=models.F("desired_start")), name="proposal_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(capex__gte=0) & Q(opex__gte=0), name="proposal_costs_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(project__isnull=False), name="proposal_submitted_has_project"
            ),
            models.CheckConstraint(
                condition=~Q(state="parked") | Q(revisit_on__isnull=False),
                name="proposal_parked_has_revisit_date",
            ),
        ]
        indexes = [models.Index(fields=["portfolio", "state"], name="proposal_portfolio_state")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"DP-{self.number:03d}"

    def get_absolute_url(self) -> str:
        return reverse("governance:proposal-detail", args=[self.pk])

    @property
    def total_cost(self) -> Decimal:
        return (self.capex or Decimal(0)) + (self.opex or Decimal(0))

    @property
    def total_days(self) -> Decimal:
        return sum((Decimal(str(row.get("days", 0))) for row in self.efforts or []), Decimal(0))

    @property
    def is_decided(self) -> bool:
        return self.state in (self.State.APPROVED, self.State.REJECTED)


@tracked()
class ProposalComment(TimeStampedModel):
    """One message of a proposal's discussion thread. Never edited."""

    proposal = models.ForeignKey(
        ProjectProposal, on_delete=models.PROTECT, related_name="comments", verbose_name=_("proposal")
    )
    author = _person(_("author"))
    body = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("proposal comment")
        verbose_name_plural = _("proposal comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.body[:40]}"


@tracked()
class ProposalTransition(models.Model):
    """One step of a proposal's workflow: from which state to which, by whom, when, and why."""

    proposal = models.ForeignKey(
        ProjectProposal, on_delete=models.PROTECT, related_name="transitions", verbose_name=_("proposal")
    )
    from_state = models.CharField(_("from"), max_length=15, choices=ProjectProposal.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=15, choices=ProjectProposal.State.choices)
    actor = _person(_("by"))
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("proposal transition")
        verbose_name_plural = _("proposal transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_state} → {self.to_state}"
