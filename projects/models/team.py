"""Who does what on a project and who is told what: the RACI matrix, the stakeholder register and
the communication plan."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from projects.models.project import ProjectMember
from projects.models.registers import ProjectRecord

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


@tracked()
class RaciActivity(ProjectRecord):
    """A key activity of the project that is neither a milestone nor a deliverable (a RACI row)."""

    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("key activity")
        verbose_name_plural = _("key activities")
        ordering = ["project", "position", "name"]
        default_related_name = "raci_activities"

    def __str__(self) -> str:
        return self.name


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


@tracked()
class RaciAssignment(TimeStampedModel, VersionedModel):
    """One cell of the RACI matrix: the part a team member plays on one row.

    A row is named by its kind and the id of its object (`row_kind`, `row_id`), not a foreign key,
    so that rows of other apps (gate reviews, documents) join without this app importing them: see
    projects.raci.register_row_kind. At most one Accountable per row (partial unique index); rows
    with none are shown as a warning.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="raci", verbose_name=_("project")
    )
    row_kind = models.CharField(_("row kind"), max_length=30)
    row_id = models.PositiveIntegerField(_("row id"))
    member = models.ForeignKey(
        ProjectMember, on_delete=models.CASCADE, related_name="raci", verbose_name=_("team member")
    )
    role = models.CharField(_("role"), max_length=1, choices=RaciRole.choices)

    class Meta:
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        ordering = ["project", "row_kind", "row_id", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "row_kind", "row_id", "member"], name="raci_one_role_per_member_and_row"
            ),
            models.UniqueConstraint(
                fields=["project", "row_kind", "row_id"],
                condition=Q(role="A"),
                name="raci_one_accountable_per_row",
            ),
            models.CheckConstraint(condition=Q(role__in=["R", "A", "C", "I"]), name="raci_role_is_raci"),
        ]

    def __str__(self) -> str:
        return f"{self.row_kind}:{self.row_id} {self.member} {self.role}"


@tracked()
class Stakeholder(ProjectRecord):
    """Someone with a stake in the project: internal or external, their influence and interest
    (1–5), attitude, expectations and how they are engaged. Not necessarily a user."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    class Attitude(models.TextChoices):
        CHAMPION = "champion", _("Champion")
        SUPPORTER = "supporter", _("Supporter")
        NEUTRAL = "neutral", _("Neutral")
        CRITIC = "critic", _("Critic")
        BLOCKER = "blocker", _("Blocker")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("internal or external"), max_length=10, choices=Kind.choices, default=Kind.INTERNAL
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user account"),
        help_text=_("For an internal stakeholder who uses the application (receives notifications)."),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    influence = models.PositiveSmallIntegerField(_("influence (1–5)"), validators=SCALE)
    interest = models.PositiveSmallIntegerField(_("interest (1–5)"), validators=SCALE)
    attitude = models.CharField(
        _("attitude"), max_length=10, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    expectations = models.TextField(_("expectations"), blank=True)
    engagement_actions = models.TextField(_("engagement actions"), blank=True)
    receives_highlight = models.BooleanField(
        _("receives the highlight reports"),
        default=False,
        help_text=_("Added to the project's highlight report distribution (needs an e-mail or a user)."),
    )
    receives_steering = models.BooleanField(
        _("receives the steering committee packs"),
        default=False,
        help_text=_("Added to the COPIL pack distribution of the portfolio (needs an e-mail or a user)."),
    )

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["project", F("influence").desc(), F("interest").desc(), "name"]
        default_related_name = "stakeholders"
        constraints = [
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5, interest__gte=1, interest__lte=5),
                name="stakeholder_scales_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quadrant(self) -> str:
        """The power/interest grid's advice: manage closely, keep satisfied, keep informed, monitor."""
        high_power, high_interest = self.influence >= 3, self.interest >= 3
        if high_power and high_interest:
            return "manage"
        if high_power:
            return "satisfy"
        if high_interest:
            return "inform"
        return "monitor"


@tracked()
class CommunicationItem(ProjectRecord):
    """One line of the communication plan: what is communicated, to whom, through which channel, how
    often and by whom; `next_date` is the next occurrence (moved on when the owner marks it done)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        MEETING = "meeting", _("Meeting")
        REPORT = "report", _("Report")
        NEWSLETTER = "newsletter", _("Newsletter")
        INTRANET = "intranet", _("Intranet")
        WORKSHOP = "workshop", _("Workshop")
        OTHER = "other", _("Other")

    class Frequency(models.TextChoices):
        ONCE = "once", _("Once")
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    title = models.CharField(_("what"), max_length=200)
    description = models.TextField(_("content"), blank=True)
    stakeholders = models.ManyToManyField(
        Stakeholder, blank=True, related_name="communications", verbose_name=_("to whom")
    )
    audience = models.CharField(
        _("other audience"), max_length=200, blank=True, help_text=_("E.g. all the users of the site.")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_communications",
        verbose_name=_("owner"),
    )
    next_date = models.DateField(_("next date"), null=True, blank=True)
    last_done = models.DateField(_("last done"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("communication item")
        verbose_name_plural = _("communication items")
        ordering = ["project", F("next_date").asc(nulls_last=True), "title"]
        default_related_name = "communication_items"
        indexes = [models.Index(fields=["owner", "is_active", "next_date"], name="communication_owner_next")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return self.frequency != self.Frequency.ONCE
