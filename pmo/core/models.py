"""The user model and the abstract bases every domain model builds on."""

from django.contrib.auth.models import AbstractUser
from django.db import models
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
