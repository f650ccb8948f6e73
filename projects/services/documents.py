"""Writes on project documents: upload a version (a new document or a new version of one) and
approve the current version. Files are written under random names; every row is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.uploads import check_upload
from portfolio.models import DocumentType
from projects.models import Document, DocumentVersion, Project
from projects.permissions import can_approve_documents, can_manage_documents

CLOSED_STATES = (Project.State.CLOSED, Project.State.CANCELLED)


def _check_open(project: Project) -> None:
    if project.state in CLOSED_STATES or project.archived_at is not None:
        raise ValidationError(_("The project is closed: its documents can no longer change."))


def document_upload(
    *,
    actor,
    project: Project,
    name: str,
    data: bytes,
    comment: str = "",
    document: Document | None = None,
    document_type: DocumentType | None = None,
    title: str = "",
) -> DocumentVersion:
    """Upload a file: a new version of `document`, or a new document (typed, titled) of `project`.

    Everything is validated first (permission, project open, type, title, content); nothing is
    written on failure. A new version makes the document a draft again."""
    if not can_manage_documents(actor, project):
        raise PermissionDenied
    _check_open(project)
    errors: dict[str, list[str]] = {}
    if document is None:
        title = (title or (document_type.name if document_type else "")).strip()
        if document_type is not None and document_type.methodology_id != project.methodology_id:
            errors.setdefault("document_type", []).append(
                _("This document type belongs to another methodology than the project's.")
            )
        if not title:
            errors.setdefault("title", []).append(_("Give the document a title or a type."))
        elif Document.objects.filter(project=project, title=title).exists():
            errors.setdefault("title", []).append(
                _("A document with this title already exists: upload a new version of it.")
            )
    elif document.project_id != project.pk:
        raise PermissionDenied
    try:
        checked = check_upload(name=name, data=data)
    except ValidationError as error:
        errors.setdefault("file", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit_context(actor=actor):
        if document is None:
            document = Document.objects.create(
                project=project, document_type=document_type, title=title[:200]
            )
        else:
            document = Document.objects.select_for_update().get(pk=document.pk)
        number = (document.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = DocumentVersion(
            document=document,
            number=number,
            original_name=checked.name,
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
            comment=comment.strip(),
            uploaded_by=actor,
        )
        version.file.save(checked.name, ContentFile(checked.data), save=False)
        stored = version.file.name
        try:
            version.save()
            Document.objects.filter(pk=document.pk).update(
                current_version=version,
                status=Document.Status.DRAFT,
                approved_by=None,
                approved_at=None,
                updated_at=timezone.now(),
            )
        except Exception:
            version.file.storage.delete(stored)
            raise
        document.current_version, document.status = version, Document.Status.DRAFT
        document.approved_by = document.approved_at = None
        version.document = document
    return version


def document_approve(*, actor, document: Document) -> Document:
    """Approve the document's current version (the project manager, the sponsor or the PMO)."""
    project = document.project
    if not can_approve_documents(actor, project):
        raise PermissionDenied
    _check_open(project)
    with transaction.atomic(), audit_context(actor=actor, reason="document approved"):
        current = Document.objects.select_for_update().get(pk=document.pk)
        if current.current_version_id is None:
            raise ValidationError(_("Upload a version before approving the document."))
        if current.status == Document.Status.APPROVED:
            raise ValidationError(_("This version is already approved."))
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.APPROVED,
            approved_by=actor,
            approved_at=timezone.now(),
            updated_at=timezone.now(),
        )
    document.refresh_from_db()
    return document
