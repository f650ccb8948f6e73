"""The user model and the abstract bases every domain model builds on."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked


@tracked(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who logs in; portfolio roles live in portfolio.Membership, not here."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class TimeStampedModel(models.Model):
    """Creation and last-change timestamps (who changed what lives in the audit trail)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """An optimistic-locking counter: every write bumps it in the same UPDATE (see core.locking)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class ArchivableModel(models.Model):
    """Soft delete: archived rows disappear from lists and from non-PMO readers, history stays."""

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Heartbeat(models.Model):
    """Last time the beat scheduler and a worker proved alive; one row per source."""

    source = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")

    def __str__(self) -> str:
        return f"{self.source} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """One message in a user's in-app notification centre (reports ready, reminders, decisions).

    `key` makes a notification idempotent: a re-run of the task that sends it (a redelivered Celery
    message, two beats) finds the row and sends nothing twice.
    """

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        REMINDER = "reminder", _("Reminder")
        EXCEPTION = "exception", _("Exception")
        DECISION = "decision", _("Decision")

    recipient = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("deduplication key"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_unique_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


class SecurityEvent(models.Model):
    """One authentication event (login, lockout, two-factor step) with who, from where and when.

    Written for every login attempt and every two-factor enrolment, verification and failure, so
    that 100 % of attempts are on record; the per-username failure ceiling counts these rows.
    Never updated: the audit of authentication, as pghistory is the audit of data.
    """

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("Login succeeded")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGOUT = "logout", _("Logout")
        MFA_ENROLLED = "mfa_enrolled", _("Two-factor authentication enabled")
        MFA_VERIFIED = "mfa_verified", _("Two-factor code accepted")
        MFA_FAILED = "mfa_failed", _("Two-factor code rejected")
        MFA_BACKUP_CODES = "mfa_backup_codes", _("Backup codes generated")
        MFA_REMOVED = "mfa_removed", _("Two-factor authentication removed")
        PERMISSION_DENIED = "permission_denied", _("Forbidden action attempted")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        "core.User",
        # A user with a security record is deactivated, never deleted (and the app's database role
        # may not UPDATE this append-only table, which SET_NULL would need).
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    path = models.CharField(_("path"), max_length=255, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["username", "kind", "-created_at"], name="security_event_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"
