"""Control acts beyond exceptions: change requests, steering committees (COPIL) with their meetings,
agenda, decision log and actions, and the lessons learned (REX) register. Imported by
governance.models, so Django finds them in the governance app."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from pmo.core.roles import PORTFOLIO_WIDE_READ_ROLES
from portfolio.models import Membership, Portfolio, Programme
from projects.models import CostBaseline, Project

# The search configuration of the lessons register (PostgreSQL's French stemming and stop words).
SEARCH_CONFIG = "french"


def _person(label, related_name="+", **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=label,
        **kwargs,
    )


class ChangeRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def pending(self):
        """Waiting for a decision: submitted or assessed."""
        return self.filter(state__in=[ChangeRequest.State.SUBMITTED, ChangeRequest.State.ASSESSED])


@tracked()
class ChangeRequest(TimeStampedModel, VersionedModel):
    """A request to change a project's scope, cost or schedule, with its impact analysis and the
    decision of the sponsor or the board. Approved, it re-baselines the project with the plan the
    project manager proposed on it (`proposed_milestones`, `proposed_costs`)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ASSESSED = "assessed", _("Assessed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DEFERRED = "deferred", _("Deferred")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="change_requests", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    reason = models.TextField(_("reason"))
    cost_impact = models.DecimalField(
        _("cost impact"),
        max_digits=14,
        decimal_places=2,
        default=0,
        help_text=_("Change of the budget (BAC); negative for a saving."),
    )
    schedule_impact_days = models.IntegerField(
        _("schedule impact (working days)"), default=0, help_text=_("Negative when the change saves time.")
    )
    scope_impact = models.TextField(_("impact on scope"), blank=True)
    quality_impact = models.TextField(_("impact on quality"), blank=True)
    risk_impact = models.TextField(_("impact on risks"), blank=True)
    benefits_impact = models.TextField(_("impact on benefits"), blank=True)
    proposed_milestones = models.JSONField(
        _("proposed milestone baseline"),
        default=list,
        blank=True,
        help_text=_(
            "The new baseline date of each milestone the change moves: [{milestone, baseline_date}]."
        ),
    )
    proposed_costs = models.JSONField(
        _("proposed cost plan change"),
        default=list,
        blank=True,
        help_text=_("Planned-cost changes per month and category: [{month, category, amount}]."),
    )
    assessment = models.TextField(_("assessment"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    requested_by = _person(_("requested by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    assessed_by = _person(_("assessed by"))
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    decided_by = _person(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_rationale = models.TextField(_("decision rationale"), blank=True)
    baseline = models.ForeignKey(
        CostBaseline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("baseline created"),
    )

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="change_request_unique_number"),
        ]
        indexes = [models.Index(fields=["project", "state"], name="change_request_project_state")]

    def __str__(self) -> str:
        return f"{self.project.code} DC-{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:change-detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.SUBMITTED, self.State.ASSESSED)

    @property
    def is_decided(self) -> bool:
        return self.state in (self.State.APPROVED, self.State.REJECTED)


class SteeringCommitteeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Committees of the portfolios where the user reads every project, and those they sit on."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        wide = Membership.objects.filter(user=user, role__in=PORTFOLIO_WIDE_READ_ROLES).values("portfolio_id")
        return self.filter(Q(portfolio_id__in=wide) | Q(members=user) | Q(chair=user)).distinct()


@tracked()
class SteeringCommittee(TimeStampedModel, VersionedModel):
    """A COPIL: the steering committee of a portfolio or of one of its programmes, its members and chair."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="committees", verbose_name=_("portfolio")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committees",
        verbose_name=_("programme"),
    )
    name = models.CharField(_("name"), max_length=200)
    chair = _person(_("chair"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="committees", blank=True, verbose_name=_("members")
    )
    default_place = models.CharField(_("usual place"), max_length=200, blank=True)

    objects = SteeringCommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("steering committee")
        verbose_name_plural = _("steering committees")
        ordering = ["portfolio", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:committee-detail", args=[self.pk])


@tracked()
class Meeting(TimeStampedModel, VersionedModel):
    """One meeting (séance) of a committee: planned, then held, then its minutes approved (frozen)."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")

    committee = models.ForeignKey(
        SteeringCommittee, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("committee")
    )
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="meetings", blank=True, verbose_name=_("attendees")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_approved_by = _person(_("minutes approved by"))
    minutes_approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["committee", "starts_at"], name="meeting_committee_date")]

    def __str__(self) -> str:
        return f"{self.committee.name} — {self.starts_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting-detail", args=[self.pk])

    @property
    def agenda_editable(self) -> bool:
        return self.state == self.State.PLANNED


@tracked()
class AgendaItem(TimeStampedModel):
    """One item of a meeting's agenda: built from a source (an open exception, a pending change
    request or gate review, a red or watermelon project) or added by hand; `source_key` keeps a
    rebuild from adding an item twice, and a removed item stays removed (`removed`)."""

    class Kind(models.TextChoices):
        EXCEPTION = "exception", _("Exception")
        CHANGE_REQUEST = "change_request", _("Change request")
        GATE_REVIEW = "gate_review", _("Gate review")
        RED_PROJECT = "red_project", _("Red project")
        WATERMELON = "watermelon", _("Watermelon project")
        OTHER = "other", _("Other item")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="items", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("project")
    )
    exception = models.ForeignKey(
        "governance.ProjectException",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("exception"),
    )
    change_request = models.ForeignKey(
        ChangeRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("change request"),
    )
    # The gate review decided here (governance.GateReview joins with the gate-review work).
    gate_review_id = models.PositiveIntegerField(_("gate review"), null=True, blank=True)
    source_key = models.CharField(_("source"), max_length=100, blank=True)
    removed = models.BooleanField(_("removed"), default=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "source_key"], condition=~Q(source_key=""), name="agenda_item_source_once"
            )
        ]

    def __str__(self) -> str:
        return self.title


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Decisions on visible projects, and decisions of visible committees not tied to a project."""
        if not user.is_authenticated:
            return self.none()
        projects = Project.objects.visible_to(user).values("pk")
        committees = SteeringCommittee.objects.visible_to(user).values("pk")
        portfolios = Portfolio.objects.visible_to(user).values("pk")
        return self.filter(
            Q(project__in=projects)
            | Q(project__isnull=True, meeting__committee__in=committees)
            | Q(project__isnull=True, scenario__portfolio__in=portfolios)
        )


@tracked()
class Decision(TimeStampedModel):
    """The decision log: what was decided, by whom, when and why, on which project and about which
    exception, change request or gate review, in a meeting or outside one. Never edited."""

    class Outcome(models.TextChoices):
        EXCEPTION_PLAN = "exception_plan", _("Exception plan requested")
        TOLERANCES_CHANGED = "tolerances_changed", _("Tolerances changed")
        PROJECT_STOPPED = "project_stopped", _("Project stopped")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DEFERRED = "deferred", _("Deferred")
        GO = "go", _("Go")
        GO_WITH_CONDITIONS = "go_with_conditions", _("Go with conditions")
        RECYCLE = "recycle", _("Recycle")
        HOLD = "hold", _("Hold")
        STOP = "stop", _("Stop")
        NOTED = "noted", _("Noted")
        OTHER = "other", _("Decided")

    title = models.CharField(_("title"), max_length=300)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"))
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("project"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("meeting"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    exception = models.ForeignKey(
        "governance.ProjectException",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("exception"),
    )
    change_request = models.ForeignKey(
        ChangeRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("change request"),
    )
    gate_review_id = models.PositiveIntegerField(_("gate review"), null=True, blank=True)
    scenario = models.ForeignKey(
        "governance.Scenario",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("scenario"),
    )
    details = models.JSONField(
        _("details"), default=dict, blank=True, help_text=_("E.g. the new tolerances.")
    )
    decided_by = _person(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"))

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Actions of visible projects or visible committees, and the user's own."""
        if not user.is_authenticated:
            return self.none()
        projects = Project.objects.visible_to(user).values("pk")
        committees = SteeringCommittee.objects.visible_to(user).values("pk")
        return self.filter(
            Q(project__in=projects)
            | Q(project__isnull=True, meeting__committee__in=committees)
            | Q(owner=user)
        )

    def open(self):
        return self.filter(status__in=[Action.Status.OPEN, Action.Status.IN_PROGRESS])


@tracked()
class Action(TimeStampedModel, VersionedModel):
    """An action decided by a committee (or recorded against a decision): an owner, a due date and a
    status; its owner is reminded before and after the due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="governance_actions",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_actions",
        verbose_name=_("project"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("meeting"),
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("decision"),
    )
    created_by = _person(_("created by"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="governance_action_owner")]

    def __str__(self) -> str:
        return self.title


class LessonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Lessons are shared across the portfolio: every member of the portfolio reads them."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(portfolio_id__in=Membership.objects.filter(user=user).values("portfolio_id"))


def lesson_search_vector():
    """The indexed document of a lesson: title and tags first, then the texts (French stemming)."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("context", "what_happened", weight="B", config=SEARCH_CONFIG)
        + SearchVector("recommendation", weight="A", config=SEARCH_CONFIG)
    )


@tracked()
class LessonLearned(TimeStampedModel, VersionedModel):
    """A lesson learned (REX): what happened on a project and what to do next time, searchable in
    French full text and suggested to similar projects."""

    class Category(models.TextChoices):
        GOVERNANCE = "governance", _("Governance")
        PLANNING = "planning", _("Planning")
        BUDGET = "budget", _("Budget")
        SCOPE = "scope", _("Scope and requirements")
        SUPPLIERS = "suppliers", _("Suppliers and contracts")
        TECHNICAL = "technical", _("Technical")
        DATA = "data", _("Data migration")
        CHANGE = "change", _("Change management")
        TESTING = "testing", _("Testing and acceptance")
        RISK = "risk", _("Risks")
        PEOPLE = "people", _("Team and resources")

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="lessons", verbose_name=_("portfolio")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("project"),
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    context = models.TextField(_("context"), blank=True)
    what_happened = models.TextField(_("what happened"))
    recommendation = models.TextField(_("recommendation"))
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    methodology = models.CharField(_("methodology"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    created_by = _person(_("recorded by"))

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        ordering = ["-created_at", "-id"]
        indexes = [
            GinIndex(lesson_search_vector(), name="lesson_search_fr"),
            GinIndex(fields=["tags"], name="lesson_tags"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:lesson-detail", args=[self.pk])
