"""Methodology pages: every user reads them (and downloads the document templates); PMO officers
edit them. Edit forms load into the methodology page under HTMX, or as pages without it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.uploads import read_limited
from portfolio import methodology_services as services
from portfolio.methodology_forms import DocumentTypeForm, MethodologyForm, StageForm
from portfolio.models import DocumentType, GateDefinition, Methodology, Stage, is_pmo_officer

FORM_PARTIAL = "portfolio/partials/methodology_form.html"


def methodology_queryset():
    return Methodology.objects.all()


@login_required
@require_GET
def methodology_list(request):
    methodologies = Methodology.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("order"))
    ).order_by("-is_active", "name")
    return render(
        request,
        "portfolio/methodology_list.html",
        {"methodologies": methodologies, "can_edit": is_pmo_officer(request.user)},
    )


@login_required
@require_GET
def methodology_detail(request, pk):
    methodology = get_visible_or_404(methodology_queryset(), pk=pk)
    stages = (
        Stage.objects.filter(methodology=methodology)
        .select_related("gate")
        .prefetch_related(
            Prefetch("gate__required_document_types", queryset=DocumentType.objects.order_by("name"))
        )
        .order_by("order")
    )
    return render(
        request,
        "portfolio/methodology_detail.html",
        {
            "methodology": methodology,
            "stages": stages,
            "document_types": methodology.document_types.order_by("name"),
            "can_edit": is_pmo_officer(request.user),
        },
    )


def _form_response(request, context, *, status=200):
    template = FORM_PARTIAL if request.htmx else "portfolio/methodology_form_page.html"
    return render(request, template, context, status=status)


def _done(request, methodology, message):
    messages.success(request, message)
    url = methodology.get_absolute_url()
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _add_errors(form, error: ValidationError) -> None:
    for name, errors in getattr(error, "message_dict", {None: error.messages}).items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def methodology_create(request):
    require(is_pmo_officer(request.user))
    form = MethodologyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            methodology = services.methodology_create(actor=request.user, data=form.changed_values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, methodology, _("Methodology created."))
    context = {"form": form, "title": _("New methodology"), "action": request.path, "multipart": False}
    return _form_response(request, context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def methodology_edit(request, pk):
    methodology = get_visible_or_404(methodology_queryset(), pk=pk)
    require(is_pmo_officer(request.user))
    form = MethodologyForm(request.POST or None, instance=methodology)
    if request.method == "POST" and form.is_valid():
        try:
            services.methodology_update(
                actor=request.user,
                methodology=methodology,
                version=form.cleaned_data.get("version") or methodology.version,
                data=form.changed_values(),
            )
        except StaleVersionError:
            form.add_stale_error()
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, methodology, _("Methodology saved."))
    context = {"form": form, "title": methodology.name, "action": request.path, "methodology": methodology}
    return _form_response(request, context, status=422 if form.errors else 200)


def _stage_initial(stage: Stage) -> dict:
    gate = GateDefinition.objects.filter(stage=stage).first()
    return {
        "name": stage.name,
        "description": stage.description,
        "gate_name": gate.name if gate else "",
        "criteria": "\n".join(gate.criteria) if gate else "",
        "required_document_types": list(gate.required_document_types.all()) if gate else [],
    }


def _stage_view(request, methodology, stage=None):
    require(is_pmo_officer(request.user))
    if request.method == "POST":
        form = StageForm(request.POST, methodology=methodology)
    else:
        form = StageForm(initial=_stage_initial(stage) if stage else None, methodology=methodology)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_save(
                actor=request.user, methodology=methodology, data=form.cleaned_data, stage=stage
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, methodology, _("Stage saved."))
    title = stage.name if stage else _("New stage")
    context = {"form": form, "title": title, "action": request.path, "methodology": methodology}
    return _form_response(request, context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def stage_add(request, pk):
    return _stage_view(request, get_visible_or_404(methodology_queryset(), pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def stage_edit(request, pk):
    stage = get_visible_or_404(Stage.objects.select_related("methodology"), pk=pk)
    return _stage_view(request, stage.methodology, stage)


def _document_type_view(request, methodology, document_type=None):
    require(is_pmo_officer(request.user))
    initial = (
        {"code": document_type.code, "name": document_type.name, "description": document_type.description}
        if document_type
        else None
    )
    form = DocumentTypeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("template")
        try:
            template_data = read_limited(upload) if upload else None
            services.document_type_save(
                actor=request.user,
                methodology=methodology,
                data={k: form.cleaned_data[k] for k in ("code", "name", "description")},
                document_type=document_type,
                template_name=upload.name if upload else "",
                template_data=template_data,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, methodology, _("Document type saved."))
    title = document_type.name if document_type else _("New document type")
    context = {
        "form": form,
        "title": title,
        "action": request.path,
        "methodology": methodology,
        "multipart": True,
    }
    return _form_response(request, context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def document_type_add(request, pk):
    return _document_type_view(request, get_visible_or_404(methodology_queryset(), pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def document_type_edit(request, pk):
    document_type = get_visible_or_404(DocumentType.objects.select_related("methodology"), pk=pk)
    return _document_type_view(request, document_type.methodology, document_type)


@login_required
@require_GET
def document_template(request, pk):
    """The document type's template, as an attachment (every signed-in user; 404 when none)."""
    document_type = get_visible_or_404(DocumentType.objects.all(), pk=pk)
    if not document_type.template:
        raise Http404
    try:
        handle = document_type.template.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=document_type.template_name or "modele")
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("methodologies/", methodology_list, name="methodology-list"),
    path("methodologies/new/", methodology_create, name="methodology-create"),
    path("methodologies/<int:pk>/", methodology_detail, name="methodology-detail"),
    path("methodologies/<int:pk>/edit/", methodology_edit, name="methodology-edit"),
    path("methodologies/<int:pk>/stages/new/", stage_add, name="stage-add"),
    path("methodology-stages/<int:pk>/edit/", stage_edit, name="stage-edit"),
    path("methodologies/<int:pk>/document-types/new/", document_type_add, name="document-type-add"),
    path("document-types/<int:pk>/edit/", document_type_edit, name="document-type-edit"),
    path("document-types/<int:pk>/template/", document_template, name="document-template"),
]
