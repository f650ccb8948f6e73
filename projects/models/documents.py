"""Project documents: typed by the methodology's document types, every uploaded version kept."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from pmo.core.models import TimeStampedModel, VersionedModel
from portfolio.models import DocumentType
from projects.models.project import Project


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(project__in=Project.objects.visible_to(user))


@tracked()
class Document(TimeStampedModel, VersionedModel):
    """One document of a project (its PID, its acceptance report…) with its versions; the status is
    the latest version's: a new upload makes the document a draft again until it is approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="documents", verbose_name=_("project")
    )
    document_type = models.ForeignKey(
        DocumentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("document type"),
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_version = models.ForeignKey(
        "projects.DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("current version"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["project", "title"]
        constraints = [
            models.UniqueConstraint(fields=["project", "title"], name="document_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


def version_upload_to(instance, filename: str) -> str:
    """A random name under the project's folder: the uploaded name never reaches the file system."""
    return f"documents/{instance.document.project_id}/{uuid.uuid4().hex}"


@tracked()
class DocumentVersion(models.Model):
    """One uploaded file of a document; never changed nor deleted once written."""

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_upload_to, max_length=255, editable=False)
    original_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=100)
    comment = models.TextField(_("comment"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def get_download_url(self) -> str:
        return reverse("projects:document-download", args=[self.pk])
