"""Schedule imports waiting for confirmation, and the secret tokens of personal calendar feeds."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models.project import Project


class ScheduleImport(models.Model):
    """An uploaded MS Project / Primavera file between its preview and its application.

    Keyed by a random UUID (never by a path the user chose); readable only by the person who
    uploaded it. The file lives in the default storage and is deleted once applied.
    """

    class Format(models.TextChoices):
        MSPDI = "mspdi", _("MS Project XML")
        XER = "xer", _("Primavera P6 XER")

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        APPLIED = "applied", _("Applied")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    # A new project: portfolio id, code, name, cost category (validated again when applied).
    new_project = models.JSONField(_("new project"), default=dict, blank=True)
    cost_category = models.CharField(_("cost category"), max_length=5, default="opex")
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="schedule-imports/", max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule import")
        verbose_name_plural = _("schedule imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"


class CalendarToken(models.Model):
    """The secret of one user's calendar feed URLs, stored as a SHA-256 hash (the token is shown once).

    Deleting the row revokes every feed URL of the user; regenerating replaces the hash.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class TabularImport(models.Model):
    """An Excel/CSV import into one portfolio: uploaded, checked row by row (dry run), then applied.

    Keyed by a random UUID and readable only by its uploader. `result` holds the preview (counts per
    sheet, changed rows, every row error up to a bound) and, once applied, what was written. The file
    is kept until applied (the apply step reads it again inside its transaction), then deleted.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking")
        READY = "ready", _("Ready to apply")
        INVALID = "invalid", _("Errors to fix")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Refused")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    portfolio = models.ForeignKey(
        "portfolio.Portfolio", on_delete=models.PROTECT, related_name="+", verbose_name=_("portfolio")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="tabular-imports/", max_length=255, blank=True)

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook")
        CSV = "csv", _("CSV")

    class ObjectType(models.TextChoices):
        PROJECTS = "projects", _("Projects")
        MILESTONES = "milestones", _("Milestones")
        COST_LINES = "cost_lines", _("Cost lines")
        RISKS = "risks", _("Risks")
        ISSUES = "issues", _("Issues")

    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    # For a CSV: the objects it holds (empty: guessed from its header). A workbook names its sheets.
    object_type = models.CharField(_("object type"), max_length=20, blank=True, choices=ObjectType.choices)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["portfolio", "created_by", "-created_at"], name="tabular_import_owner")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.VALIDATING, self.State.APPLYING)
