"""Report runs: the list, one run with its progress bar (HTMX polling), the authorised download, and
the request of a new run (steering pack, highlight report)."""

import re

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from pmo.core.permissions import get_visible_or_404
from pmo.core.views import render_form_errors, render_list
from reporting import selectors, services
from reporting.forms import RunRequestForm
from reporting.models import ReportRun


@login_required
@require_GET
def run_list(request):
    runs = selectors.run_list(
        user=request.user, kind=request.GET.get("kind"), status=request.GET.get("status")
    )
    return render_list(
        request,
        page_template="reporting/runs.html",
        partial_template="reporting/partials/run_table.html",
        context={
            "form": RunRequestForm(user=request.user),
            "kinds": ReportRun.Kind.choices,
            "statuses": ReportRun.Status.choices,
        },
        queryset=runs,
    )


@login_required
@require_GET
def run_detail(request, pk):
    run = get_visible_or_404(selectors.run_list(user=request.user), pk=pk)
    return render(request, "reporting/run.html", {"run": run})


@login_required
@require_GET
def run_progress(request, pk):
    """The progress bar alone; it keeps polling itself until the run is done or failed."""
    run = get_visible_or_404(selectors.run_list(user=request.user), pk=pk)
    return render(request, "reporting/partials/run_progress.html", {"run": run})


@login_required
@require_GET
def run_download(request, pk):
    """The run's file, as an attachment, only for whoever can see the run's scope."""
    return file_response(get_visible_or_404(selectors.run_list(user=request.user), pk=pk))


def file_response(run: ReportRun) -> FileResponse:
    """The finished run's PDF as an attachment (pages and API); 404 until it is done."""
    if run.status != ReportRun.Status.DONE or not run.file:
        raise Http404
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=download_name(run), content_type="application/pdf"
    )


def download_name(run: ReportRun) -> str:
    """A safe, readable file name: kind, scope and period in ASCII, no path or quote characters."""
    stem = slugify(f"{run.get_kind_display()} {run.scope_label} {run.period:%Y-%m-%d}")
    return re.sub(r"[^a-z0-9-]", "", stem)[:120] + ".pdf"


@login_required
@require_POST
def run_request(request):
    """Request a run (idempotent: an existing run of the same kind, scope and period is reused)."""
    form = RunRequestForm(request.POST, user=request.user)
    if not form.is_valid():
        if not request.htmx:
            return render(request, "reporting/runs.html", _list_context(request, form), status=422)
        return render_form_errors(request, "reporting/partials/run_request_form.html", {"form": form})
    data = form.cleaned_data
    run, _queued = services.request_run(
        actor=request.user,
        kind=data["kind"],
        portfolio=data.get("portfolio"),
        programme=data.get("programme"),
        project=data.get("project"),
        period=data.get("period"),
    )
    url = reverse("reporting:run", kwargs={"pk": run.pk})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _list_context(request, form):
    runs = selectors.run_list(user=request.user)
    page = Paginator(runs, 50).get_page(1)
    return {
        "form": form,
        "kinds": ReportRun.Kind.choices,
        "statuses": ReportRun.Status.choices,
        "page_obj": page,
        "object_list": page.object_list,
    }
