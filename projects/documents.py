"""Reads and the authorised download of project documents (permission-scoped, constant queries)."""

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404

from pmo.core.permissions import get_visible_or_404
from projects.models import Document, DocumentVersion, Project


def project_documents(*, project: Project) -> QuerySet[Document]:
    """A project's documents with their type, current version and every version (3 queries)."""
    return (
        Document.objects.filter(project=project)
        .select_related("document_type", "current_version__uploaded_by", "approved_by")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
            )
        )
        .order_by("document_type__name", "title")
    )


def document_get(*, user, pk) -> Document:
    return get_visible_or_404(
        Document.objects.visible_to(user).select_related("project", "document_type", "current_version"), pk=pk
    )


def version_get(*, user, pk) -> DocumentVersion:
    return get_visible_or_404(
        DocumentVersion.objects.filter(document__in=Document.objects.visible_to(user)).select_related(
            "document__project"
        ),
        pk=pk,
    )


def version_file_response(version: DocumentVersion) -> FileResponse:
    """The stored file as an attachment under its sanitised original name; the content type is the
    one detected at upload, and the browser must not sniff another (the site's CSP applies)."""
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
