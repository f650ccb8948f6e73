"""Control acts: tolerance exceptions and their exception reports (gate reviews, change requests and
committees join with the governance issue)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from projects.models import Project


class ProjectExceptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(project__in=Project.objects.visible_to(user))

    def open(self):
        return self.exclude(state=ProjectException.State.CLOSED)


@tracked()
class ProjectException(TimeStampedModel, VersionedModel):
    """A tolerance forecast to be breached (PRINCE2 exception): raised by the tolerance scan or by
    hand, it drafts an exception report for the project manager and escalates to the sponsor and PMO.

    At most one open exception per project and tolerance: the scan updates its forecast instead of
    raising it again every day.
    """

    class Tolerance(models.TextChoices):
        COST = "cost", _("Cost")
        TIME = "time", pgettext_lazy("tolerance", "Time")
        RISK = "risk", _("Risk")
        QUALITY = "quality", _("Quality")
        SCOPE = "scope", _("Scope")
        BENEFITS = "benefits", _("Benefits")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        REPORTED = "reported", _("Exception report sent")
        CLOSED = "closed", _("Closed")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="exceptions", verbose_name=_("project")
    )
    tolerance = models.CharField(_("tolerance"), max_length=10, choices=Tolerance.choices)
    forecast_value = models.DecimalField(_("forecast value"), max_digits=14, decimal_places=2)
    limit = models.DecimalField(_("tolerance limit"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    raised_at = models.DateTimeField(_("raised at"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
        help_text=_("Empty when raised by the tolerance scan."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    objects = ProjectExceptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "tolerance"],
                condition=~Q(state="closed"),
                name="one_open_exception_per_tolerance",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} — {self.get_tolerance_display()}"


@tracked()
class ExceptionReport(TimeStampedModel, VersionedModel):
    """The PRINCE2 exception report of one exception: pre-filled from the project's data, completed
    by the project manager, then sent (frozen) to the sponsor and the PMO for a decision."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    exception = models.OneToOneField(
        ProjectException, on_delete=models.PROTECT, related_name="report", verbose_name=_("exception")
    )
    title = models.CharField(_("title"), max_length=200)
    cause = models.TextField(_("cause"), blank=True)
    consequences = models.TextField(_("consequences"), blank=True)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_("Each option: title, description, cost impact, schedule impact in days, risk."),
    )
    recommendation = models.TextField(_("recommendation"), blank=True)
    decision_requested = models.TextField(_("decision requested"), blank=True)
    facts = models.JSONField(
        _("facts at the time of the exception"),
        default=dict,
        blank=True,
        help_text=_("QCDR, EVM and milestone figures frozen when the report was drafted."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    html_snapshot = models.TextField(_("frozen HTML"), blank=True, editable=False)

    class Meta:
        verbose_name = _("exception report")
        verbose_name_plural = _("exception reports")

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.state == self.State.SENT


class GateReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(project__in=Project.objects.visible_to(user))

    def pending(self):
        return self.filter(state=GateReview.State.REQUESTED)


@tracked()
class GateReview(TimeStampedModel, VersionedModel):
    """The passage of a project's current stage gate: requested by the project manager with the
    checklist answered and the required documents linked, then decided by the sponsor or an
    executive of the portfolio (the gate board). Only `go` and `go with conditions` move the project
    to the next stage; at most one review per project waits for a decision."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting decision")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Decision(models.TextChoices):
        GO = "go", pgettext_lazy("gate decision", "Go")
        GO_WITH_CONDITIONS = "go_conditions", _("Go with conditions")
        RECYCLE = "recycle", _("Recycle")
        HOLD = "hold", _("Hold")
        STOP = "stop", _("Stop")

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")
        NOT_APPLICABLE = "na", _("Not applicable")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="gate_reviews", verbose_name=_("project")
    )
    gate = models.ForeignKey(
        "portfolio.GateDefinition", on_delete=models.PROTECT, related_name="reviews", verbose_name=_("gate")
    )
    stage = models.ForeignKey(
        "portfolio.Stage",
        on_delete=models.PROTECT,
        related_name="gate_reviews",
        verbose_name=_("stage"),
        help_text=_("The stage the gate closes (the project's current stage when requested)."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    request_comment = models.TextField(_("comment of the request"), blank=True)
    checklist = models.JSONField(
        _("checklist answers"),
        default=list,
        blank=True,
        help_text=_("One entry per criterion of the gate: criterion, answer, comment."),
    )
    documents = models.ManyToManyField(
        "projects.DocumentVersion", blank=True, related_name="gate_reviews", verbose_name=_("documents")
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = GateReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("gate review")
        verbose_name_plural = _("gate reviews")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(state="requested"), name="one_pending_gate_review"
            ),
            models.CheckConstraint(
                condition=Q(state="decided", decided_at__isnull=False) & ~Q(decision="")
                | ~Q(state="decided") & Q(decision=""),
                name="gate_review_decided_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} — {self.gate}"

    @property
    def moves_forward(self) -> bool:
        return self.decision in (self.Decision.GO, self.Decision.GO_WITH_CONDITIONS)


# Change control, committees, decisions, actions and lessons learned (issue 5).
from governance.control_models import (  # noqa: E402
    Action,
    AgendaItem,
    ChangeRequest,
    Decision,
    LessonLearned,
    Meeting,
    SteeringCommittee,
)
from governance.intake_models import ProjectProposal, ProposalComment, ProposalTransition  # noqa: E402

# Portfolio scenarios chosen by the optimiser (issue 7 item 4).
from governance.scenario_models import (  # noqa: E402
    Scenario,
    ScenarioBudget,
    ScenarioCapacity,
    ScenarioDependency,
    ScenarioProject,
)

__all__ = [
    "Action",
    "AgendaItem",
    "ChangeRequest",
    "Decision",
    "ExceptionReport",
    "GateReview",
    "LessonLearned",
    "Meeting",
    "ProjectException",
    "ProjectProposal",
    "ProposalComment",
    "ProposalTransition",
    "Scenario",
    "ScenarioBudget",
    "ScenarioCapacity",
    "ScenarioDependency",
    "ScenarioProject",
    "SteeringCommittee",
]
