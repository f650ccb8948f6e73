"""The Import / export page of a portfolio: templates, exports, upload → dry run → confirmation.

Reading: every member of the portfolio exports what they may see. Importing: PMO officers (all
objects) and the managers/deputies of its projects (the registers of their projects); a job is
readable by its uploader only (anyone else: 404).
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pmo.core.permissions import get_visible_or_404, require
from portfolio.models import Portfolio
from portfolio.resource_models import Resource
from projects.models import Project, TabularImport
from projects.tabular import services, writer
from projects.tabular.forms import TabularUploadForm
from projects.tabular.safety import TabularFileError
from projects.tabular.specs import SPECS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
WORKBOOK = "workbook"
RECENT_JOBS = 10


def _attachment(content: bytes, *, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE if fmt == "xlsx" else CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _wanted(kind: str, fmt: str):
    if kind == WORKBOOK and fmt == "xlsx":
        return list(SPECS.values())
    if kind in SPECS and fmt in ("xlsx", "csv"):
        return [SPECS[kind]]
    raise Http404


def _page_context(request, portfolio: Portfolio, form) -> dict:
    can_import = services.can_import(user=request.user, portfolio=portfolio)
    jobs = (
        TabularImport.objects.filter(portfolio=portfolio, created_by=request.user).order_by("-created_at")[
            :RECENT_JOBS
        ]
        if can_import
        else []
    )
    return {
        "portfolio": portfolio,
        "form": form,
        "can_import": can_import,
        "importable": services.importable_objects(user=request.user, portfolio=portfolio)
        if can_import
        else [],
        "specs": list(SPECS.values()),
        "jobs": jobs,
    }


@login_required
@require_http_methods(["GET", "POST"])
def tabular_page(request, pk):
    portfolio = get_visible_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    posted = request.method == "POST"
    form = TabularUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted:
        require(services.can_import(user=request.user, portfolio=portfolio))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.tabular_import_upload(
                    actor=request.user,
                    portfolio=portfolio,
                    filename=upload.name,
                    data=upload.read(),
                    object_type=form.cleaned_data["object_type"],
                )
            except TabularFileError as error:
                form.add_error("file", error.message)
            else:
                return redirect("projects:tabular-job", pk=job.pk)
    context = _page_context(request, portfolio, form)
    return render(request, "projects/tabular/page.html", context, status=422 if form.errors else 200)


def _job(request, pk) -> TabularImport:
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise Http404 from None
    return get_visible_or_404(
        TabularImport.objects.select_related("portfolio").filter(created_by=request.user), pk=pk
    )


def _job_context(job: TabularImport) -> dict:
    result = job.result or {}
    return {
        "job": job,
        "portfolio": job.portfolio,
        "result": result,
        "progress": services.progress_of(job),
        "errors": result.get("errors", []),
        "sheets": result.get("sheets", []),
        "totals": result.get("totals", {}),
        "applied": result.get("applied"),
    }


@login_required
@never_cache
@require_GET
def tabular_job(request, pk):
    job = _job(request, pk)
    return render(request, "projects/tabular/job.html", _job_context(job))


@login_required
@never_cache
@require_GET
def tabular_job_status(request, pk):
    """Polled every second while the job runs; once it has finished the page reloads itself."""
    job = _job(request, pk)
    response = render(request, "projects/tabular/partials/status.html", _job_context(job))
    if not job.is_running and request.GET.get("running"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def tabular_job_apply(request, pk):
    job = _job(request, pk)
    if job.state != TabularImport.State.READY:
        messages.error(request, _("This import cannot be applied in its current state."))
        return redirect("projects:tabular-job", pk=job.pk)
    # the job page says what was applied (or shows the progress of a queued application)
    job = services.confirm(actor=request.user, job=job)
    return redirect("projects:tabular-job", pk=job.pk)


@login_required
@require_GET
def tabular_template(request, kind, fmt):
    wanted = _wanted(kind, fmt)
    content = writer.csv_template(wanted[0]) if fmt == "csv" else writer.workbook_bytes(wanted, template=True)
    name = _("template") + "-" + (wanted[0].title if len(wanted) == 1 else _("portfolio"))
    return _attachment(content, name=name, fmt=fmt)


@login_required
@require_GET
def tabular_export(request, pk, kind, fmt):
    """The portfolio's data as the import format; `?project=<id>` limits it to one project."""
    portfolio = get_visible_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    wanted = _wanted(kind, fmt)
    projects = Project.objects.visible_to(request.user).filter(portfolio=portfolio)
    resources = Resource.objects.visible_to(request.user).filter(portfolio=portfolio)
    name = portfolio.code
    if request.GET.get("project"):
        project = get_visible_or_404(projects, pk=request.GET["project"])
        projects = projects.filter(pk=project.pk)
        resources = resources.none()  # the pool belongs to the portfolio, not to one project
        name = project.code
    if fmt == "csv":
        content = writer.csv_export(wanted[0], projects=projects, resources=resources)
    else:
        content = writer.workbook_bytes(wanted, projects=projects, resources=resources)
    suffix = wanted[0].title if len(wanted) == 1 else "export"
    return _attachment(content, name=f"{name}-{suffix}-{timezone.localdate():%Y%m%d}", fmt=fmt)


urlpatterns = [
    path("portfolios/<int:pk>/import-export/", tabular_page, name="tabular"),
    path("portfolios/<int:pk>/export/<slug:kind>.<slug:fmt>", tabular_export, name="tabular-export"),
    path("imports/templates/<slug:kind>.<slug:fmt>", tabular_template, name="tabular-template"),
    path("imports/<str:pk>/", tabular_job, name="tabular-job"),
    path("imports/<str:pk>/status/", tabular_job_status, name="tabular-job-status"),
    path("imports/<str:pk>/apply/", tabular_job_apply, name="tabular-job-apply"),
]
