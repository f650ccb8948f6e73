"""Sending an exception report: freeze it (governance) and request its PDF (reporting), in one
transaction, then follow the run. Only reporting creates report runs, hence this view lives here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from governance import selectors as governance_selectors
from governance import services as governance_services
from governance.models import ProjectException
from governance.permissions import can_edit_report
from governance.views.exceptions import (
    add_service_errors,
    bind_report_form,
    report_edit_context,
    save_report_form,
)
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import require
from reporting import selectors, services
from reporting.models import ReportRun


class _NotSent(Exception):
    """Rolls the transaction back after the form's own errors (nothing written)."""


@login_required
@require_POST
def exception_send(request, pk):
    """Save the posted edits (when the edit form is posted), check the report is complete, freeze it
    and request its PDF; redirect to the run. Errors: the edit form again, 422, nothing written."""
    report = governance_selectors.report_get(user=request.user, pk=pk)
    require(can_edit_report(request.user, report.exception))
    if report.is_frozen or report.exception.state == ProjectException.State.CLOSED:
        raise PermissionDenied
    with_form = "title" in request.POST
    form, formset = bind_report_form(request, report) if with_form else (None, None)
    send_errors: dict = {}
    try:
        with transaction.atomic():
            if with_form and not save_report_form(request, report, form, formset):
                raise _NotSent
            report.refresh_from_db()
            version = None if with_form else _posted_version(request)
            governance_services.send_exception_report(actor=request.user, report=report, version=version)
            run, _queued = services.request_run(
                actor=request.user, kind=ReportRun.Kind.EXCEPTION, exception=report.exception
            )
    except _NotSent:
        pass
    except StaleVersionError:
        send_errors = {
            "version": [_("Someone else changed this report since you opened it. Reload the page.")]
        }
    except ValidationError as error:
        send_errors = error.message_dict if hasattr(error, "error_dict") else {"report": error.messages}
        if with_form:
            add_service_errors(form, formset, error)
    else:
        messages.success(request, _("Exception report sent: its PDF is being generated."))
        url = reverse("reporting:run", kwargs={"pk": run.pk})
        if request.htmx:
            response = HttpResponse()
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    report.refresh_from_db()
    if form is None:
        form, formset = bind_report_form(request, report)  # unbound: the stored values
    context = report_edit_context(report, form, formset, send_errors=send_errors)
    template = "governance/partials/report_form.html" if request.htmx else "governance/report_edit.html"
    return render(request, template, context, status=422)


def _posted_version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@login_required
@require_GET
def exception_pdf(request, pk):
    """The PDF of a sent exception report: its latest run (progress page, download from there)."""
    exception = governance_selectors.exception_get(user=request.user, pk=pk)
    run = (
        selectors.run_list(user=request.user)
        .filter(exception=exception)
        .order_by("-requested_at", "-id")
        .first()
    )
    if run is None:
        raise Http404
    return redirect("reporting:run", pk=run.pk)
