"""The project's Documents tab: upload (a new document or a new version), approve, and the
authorised download of any version (404 for whoever cannot see the project)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from pmo.core.permissions import require
from pmo.core.uploads import MAX_BYTES, read_limited
from projects import documents as reads
from projects.forms import DocumentUploadForm
from projects.permissions import can_approve_documents, can_manage_documents
from projects.selectors import project_get
from projects.services.documents import document_approve, document_upload

TEMPLATE = "projects/partials/documents.html"


def _context(request, project, *, form=None, errors=None) -> dict:
    can_upload = can_manage_documents(request.user, project)
    return {
        "project": project,
        "documents": reads.project_documents(project=project),
        "can_upload": can_upload,
        "can_approve": can_approve_documents(request.user, project),
        "form": (form or DocumentUploadForm(project=project)) if can_upload else None,
        "max_mb": MAX_BYTES // (1024 * 1024),
        "action_errors": errors or [],
    }


@login_required
@require_GET
def project_documents_partial(request, pk):
    project = project_get(user=request.user, pk=pk)
    return render(request, TEMPLATE, _context(request, project))


@login_required
@require_POST
def document_upload_view(request, pk):
    """Upload a file; every error (size, type, content, title) is shown on the form (422)."""
    project = project_get(user=request.user, pk=pk)
    require(can_manage_documents(request.user, project))
    form = DocumentUploadForm(request.POST, request.FILES, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            document_upload(
                actor=request.user,
                project=project,
                name=data["file"].name,
                data=read_limited(data["file"]),
                comment=data["comment"],
                document=data["document"],
                document_type=data["document_type"] if data["document"] is None else None,
                title=data["title"],
            )
        except ValidationError as error:
            for name, messages in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(name if name in form.fields else None, messages)
        else:
            return render(request, TEMPLATE, _context(request, project))
    return render(request, TEMPLATE, _context(request, project, form=form), status=422)


@login_required
@require_POST
def document_approve_view(request, pk):
    document = reads.document_get(user=request.user, pk=pk)
    project = document.project
    require(can_approve_documents(request.user, project))
    try:
        document_approve(actor=request.user, document=document)
    except ValidationError as error:
        return render(request, TEMPLATE, _context(request, project, errors=error.messages), status=422)
    return render(request, TEMPLATE, _context(request, project))


@login_required
@require_GET
def document_download(request, pk):
    return reads.version_file_response(reads.version_get(user=request.user, pk=pk))


urlpatterns = [
    path("projects/<int:pk>/partials/documents/", project_documents_partial, name="documents-partial"),
    path("projects/<int:pk>/documents/upload/", document_upload_view, name="document-upload"),
    path("documents/<int:pk>/approve/", document_approve_view, name="document-approve"),
    path("document-versions/<int:pk>/download/", document_download, name="document-download"),
]
