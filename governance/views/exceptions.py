"""Exception pages: the list of a portfolio, the project tab, one exception with its report, the
report's edit form and preview, and the closing decision. Sending the report is reporting's view
(reporting:exception-send): only reporting creates report runs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import selectors, services
from governance.changes import EXCEPTION_OUTCOMES
from governance.control_forms import DecideForm
from governance.control_permissions import can_decide_exception
from governance.filters import ExceptionFilter
from governance.forms import CloseExceptionForm, ExceptionReportForm, RaiseExceptionForm, option_formset
from governance.models import ProjectException
from governance.permissions import can_close, can_edit_report, can_raise
from governance.rendering import report_document_context
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_list
from portfolio.models import Portfolio, Programme
from projects.selectors import project_get


@login_required
@require_GET
def portfolio_exceptions(request, pk):
    """A portfolio's exceptions, filtered by state, tolerance and programme (HTMX refresh of the table)."""
    portfolio = get_visible_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    exception_filter = ExceptionFilter(
        request.GET, queryset=selectors.exception_list(user=request.user).filter(project__portfolio=portfolio)
    )
    return render_list(
        request,
        page_template="governance/exception_list.html",
        partial_template="governance/partials/exception_table.html",
        context={
            "portfolio": portfolio,
            "filter": exception_filter,
            "programmes": Programme.objects.visible_to(request.user)
            .filter(portfolio=portfolio)
            .order_by("name"),
            "states": ProjectException.State.choices,
            "tolerances": ProjectException.Tolerance.choices,
        },
        queryset=exception_filter.qs,
    )


def _project_tab_context(request, project, form=None) -> dict:
    allowed = can_raise(request.user, project)
    return {
        "project": project,
        "exceptions": selectors.project_exceptions(project=project),
        "can_raise": allowed,
        "raise_form": (form or RaiseExceptionForm()) if allowed else None,
    }


@login_required
@require_GET
def project_exceptions_partial(request, pk):
    """The project page's "Exceptions" tab."""
    project = project_get(user=request.user, pk=pk)
    return render(
        request, "governance/partials/project_exceptions.html", _project_tab_context(request, project)
    )


@login_required
@require_POST
def exception_raise(request, pk):
    """Raise an exception by hand from the project's tab, then complete its drafted report."""
    project = project_get(user=request.user, pk=pk)
    require(can_raise(request.user, project))
    form = RaiseExceptionForm(request.POST)
    if form.is_valid():
        try:
            exception = services.raise_exception(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            for name, messages_ in error.message_dict.items():
                form.add_error(name if name in form.fields else None, messages_)
        else:
            url = reverse("governance:report-edit", args=[exception.pk])
            if request.htmx:
                response = HttpResponse()
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    context = {**_project_tab_context(request, project, form), "raise_open": True}
    return render(request, "governance/partials/project_exceptions.html", context, status=422)


def _detail_context(request, exception: ProjectException) -> dict:
    report = getattr(exception, "report", None)
    editable = can_edit_report(request.user, exception)
    closable = can_close(request.user, exception) and exception.state != ProjectException.State.CLOSED
    open_draft = (
        report is not None and not report.is_frozen and exception.state != ProjectException.State.CLOSED
    )
    return (
        {
            "exception": exception,
            "project": exception.project,
            "report": report,
            "can_edit": editable and open_draft,
            "can_close": closable,
            "close_form": CloseExceptionForm(initial={"version": exception.version}) if closable else None,
        }
        | (report_document_context(report) if report is not None else {})
        | _decision_context(request, exception)
    )


def _decision_context(request, exception: ProjectException) -> dict:
    """The board's decision on the exception: the form for deciders, and the decision log."""
    decider = (
        can_decide_exception(request.user, exception) and exception.state != ProjectException.State.CLOSED
    )
    form = DecideForm(
        initial={"version": exception.version}, outcomes=EXCEPTION_OUTCOMES, with_tolerances=True
    )
    return {
        "can_decide": decider,
        "decide_form": form if decider else None,
        "exception_decisions": exception.decisions.select_related("decided_by", "meeting__committee"),
    }


@login_required
@require_GET
def exception_detail(request, pk):
    exception = selectors.exception_get(user=request.user, pk=pk)
    return render(request, "governance/exception_detail.html", _detail_context(request, exception))


def report_edit_context(report, form, formset, *, send_errors=None) -> dict:
    """What the edit page shows; also used by reporting's send view to show the send's errors."""
    return {
        "report": report,
        "exception": report.exception,
        "project": report.exception.project,
        "form": form,
        "formset": formset,
        "send_errors": send_errors or {},
    }


def bind_report_form(request, report):
    """The edit form and its options, bound to the POST (or unbound on GET)."""
    data = request.POST if request.method == "POST" else None
    return ExceptionReportForm(data, instance=report), option_formset(report, data)


def save_report_form(request, report, form, formset) -> bool:
    """Validate and save; errors (including a stale version or the service's) land on the form."""
    if not (form.is_valid() and formset.is_valid()):
        return False
    data = {**form.changed_values(), "options": formset.options()}
    try:
        services.exception_report_update(
            actor=request.user, report=report, version=form.cleaned_data.get("version") or 0, data=data
        )
    except StaleVersionError:
        form.add_stale_error()
        return False
    except ValidationError as error:
        add_service_errors(form, formset, error)
        return False
    return True


def add_service_errors(form, formset, error: ValidationError) -> None:
    """Put a service's errors on the form field they name (options on the option rows)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        if name == "options":
            formset._non_form_errors = formset.error_class(
                list(formset.non_form_errors()) + messages_, renderer=formset.renderer
            )
        elif name in form.fields:
            form.add_error(name, messages_)
        else:
            form.add_error(None, messages_)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """The project manager (or the PMO) completes the draft report; a sent report is read only (403)."""
    report = selectors.report_get(user=request.user, pk=pk)
    require(can_edit_report(request.user, report.exception))
    if report.is_frozen or report.exception.state == ProjectException.State.CLOSED:
        raise PermissionDenied
    form, formset = bind_report_form(request, report)
    if request.method == "POST" and save_report_form(request, report, form, formset):
        messages.success(request, _("Exception report saved."))
        url = reverse("governance:exception-detail", args=[pk])
        if request.htmx:
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    context = report_edit_context(report, form, formset)
    failed = request.method == "POST"
    if failed and request.htmx:
        return render(request, "governance/partials/report_form.html", context, status=422)
    return render(request, "governance/report_edit.html", context, status=422 if failed else 200)


@login_required
@require_GET
def report_preview(request, pk):
    """The report as it will be frozen (a draft) or as it was frozen (a sent report's snapshot)."""
    report = selectors.report_get(user=request.user, pk=pk)
    context = {"report": report, "exception": report.exception, "project": report.exception.project}
    if not report.is_frozen:
        context.update(report_document_context(report))
    return render(request, "governance/report_preview.html", context)


@login_required
@require_POST
def exception_close(request, pk):
    """Close an exception: the sponsor's or the PMO's decision, with a note."""
    exception = selectors.exception_get(user=request.user, pk=pk)
    require(can_close(request.user, exception))
    form = CloseExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.close_exception(
                actor=request.user,
                exception=exception,
                note=form.cleaned_data["note"],
                version=form.cleaned_data.get("version") or exception.version,
            )
        except StaleVersionError:
            form.add_error(
                None, _("Someone else changed this exception since you opened it. Reload the page.")
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Exception closed."))
            return redirect("governance:exception-detail", pk=pk)
    context = {**_detail_context(request, exception), "close_form": form, "show_close": True}
    return render(request, "governance/exception_detail.html", context, status=422)
