"""Change control pages: the project's "Changes" tab (its change requests and the baseline
comparison), a request's form, its page with the workflow buttons, and the board's decision on an
exception (the form sits on the exception's page)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import changes, control_selectors, selectors
from governance.control_forms import AssessForm, ChangeRequestForm, DecideForm, cost_formset, proposed_costs
from governance.control_permissions import (
    CLOSED_STATES,
    can_assess_change,
    can_decide_change,
    can_decide_exception,
    can_request_change,
)
from governance.models import ChangeRequest
from governance.views.exceptions import _detail_context
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import require
from projects.baseline_selectors import baseline_comparison
from projects.selectors import project_get

State = ChangeRequest.State


def _hx_redirect(request, url):
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _put_errors(form, error: ValidationError, formset=None) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        if name == "proposed_costs" and formset is not None:
            formset._non_form_errors = formset.error_class(messages_, renderer=formset.renderer)
        elif name in form.fields:
            form.add_error(name, messages_)
        else:
            form.add_error(None, messages_)


@login_required
@require_GET
def project_changes_partial(request, pk):
    """The project page's "Changes" tab: its change requests and its baselines compared."""
    project = project_get(user=request.user, pk=pk)
    return render(
        request,
        "governance/partials/project_changes.html",
        {
            "project": project,
            "change_requests": control_selectors.project_change_requests(project=project),
            "can_request": can_request_change(request.user, project) and project.state not in CLOSED_STATES,
            "comparison": baseline_comparison(project=project),
        },
    )


@login_required
@require_GET
def project_baselines_partial(request, pk):
    """Baseline N (`?number=`, default the latest) against N-1 and today's forecast."""
    project = project_get(user=request.user, pk=pk)
    try:
        number = int(request.GET.get("number") or 0) or None
    except ValueError:
        number = None
    return render(
        request,
        "governance/partials/baseline_comparison.html",
        {"project": project, "comparison": baseline_comparison(project=project, number=number)},
    )


def _form_context(project, form, formset, change_request=None) -> dict:
    return {"project": project, "form": form, "formset": formset, "change_request": change_request}


@login_required
@require_http_methods(["GET", "POST"])
def change_create(request, pk):
    """A new change request (draft) by the project's editors; refused on a closed project."""
    project = project_get(user=request.user, pk=pk)
    require(can_request_change(request.user, project))
    milestones = (
        project.milestones.filter(actual_date__isnull=True)
        .exclude(status="cancelled")
        .order_by("baseline_date", "name")
    )
    data = request.POST if request.method == "POST" else None
    form = ChangeRequestForm(data, milestones=milestones)
    formset = cost_formset(None, data)
    if project.state in CLOSED_STATES:
        form.add_error(
            None,
            _("The project is %(state)s: no change request can be made on it.")
            % {"state": project.get_state_display().lower()},
        )
        return render(
            request, "governance/change_form.html", _form_context(project, form, formset), status=422
        )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        values = {**form.changed_values(), "proposed_milestones": form.proposed_milestones()}
        values["proposed_costs"] = proposed_costs(formset)
        try:
            created = changes.change_request_create(actor=request.user, project=project, data=values)
        except ValidationError as error:
            _put_errors(form, error, formset)
        else:
            messages.success(request, _("Change request saved as a draft."))
            return _hx_redirect(request, reverse("governance:change-detail", args=[created.pk]))
    status = 422 if request.method == "POST" else 200
    return render(
        request, "governance/change_form.html", _form_context(project, form, formset), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_edit(request, pk):
    change_request = control_selectors.change_request_get(user=request.user, pk=pk)
    project = change_request.project
    require(can_request_change(request.user, project))
    require(change_request.state in (State.DRAFT, State.SUBMITTED, State.DEFERRED))
    milestones = (
        project.milestones.filter(actual_date__isnull=True)
        .exclude(status="cancelled")
        .order_by("baseline_date", "name")
    )
    data = request.POST if request.method == "POST" else None
    form = ChangeRequestForm(data, instance=change_request, milestones=milestones)
    formset = cost_formset(change_request, data)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        values = {**form.changed_values(), "proposed_milestones": form.proposed_milestones()}
        values["proposed_costs"] = proposed_costs(formset)
        try:
            changes.change_request_update(
                actor=request.user,
                change_request=change_request,
                version=form.cleaned_data.get("version") or 0,
                data=values,
            )
        except StaleVersionError:
            form.add_stale_error()
        except ValidationError as error:
            _put_errors(form, error, formset)
        else:
            messages.success(request, _("Change request saved."))
            return _hx_redirect(request, reverse("governance:change-detail", args=[pk]))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "governance/change_form.html",
        _form_context(project, form, formset, change_request),
        status=status,
    )


def _change_context(request, change_request, *, assess_form=None, decide_form=None) -> dict:
    user = request.user
    editable = can_request_change(user, change_request.project)
    milestones = {m.pk: m for m in change_request.project.milestones.all()}
    proposed = [
        {
            "milestone": milestones.get(row["milestone"]),
            "baseline_date": date.fromisoformat(row["baseline_date"]),
        }
        for row in change_request.proposed_milestones
    ]
    decider = can_decide_change(user, change_request)
    return {
        "change_request": change_request,
        "project": change_request.project,
        "proposed": proposed,
        "can_edit": editable and change_request.state in (State.DRAFT, State.SUBMITTED, State.DEFERRED),
        "can_submit": editable and change_request.state in (State.DRAFT, State.DEFERRED),
        "can_assess": can_assess_change(user, change_request) and change_request.state == State.SUBMITTED,
        "can_decide": decider and change_request.state == State.ASSESSED,
        "assess_form": assess_form or AssessForm(initial={"version": change_request.version}),
        "decide_form": decide_form or DecideForm(initial={"version": change_request.version}),
        "decisions": change_request.decisions.select_related("decided_by", "meeting__committee"),
    }


@login_required
@require_GET
def change_detail(request, pk):
    change_request = control_selectors.change_request_get(user=request.user, pk=pk)
    return render(request, "governance/change_detail.html", _change_context(request, change_request))


@login_required
@require_POST
def change_submit(request, pk):
    change_request = control_selectors.change_request_get(user=request.user, pk=pk)
    require(can_request_change(request.user, change_request.project))
    try:
        changes.change_request_submit(actor=request.user, change_request=change_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(
            request, "governance/change_detail.html", _change_context(request, change_request), status=422
        )
    messages.success(request, _("Change request submitted to the deciders."))
    return redirect("governance:change-detail", pk=pk)


@login_required
@require_POST
def change_assess(request, pk):
    change_request = control_selectors.change_request_get(user=request.user, pk=pk)
    require(can_assess_change(request.user, change_request))
    form = AssessForm(request.POST)
    if form.is_valid():
        try:
            changes.change_request_assess(
                actor=request.user,
                change_request=change_request,
                assessment=form.cleaned_data["assessment"],
                version=form.cleaned_data.get("version") or change_request.version,
            )
        except StaleVersionError:
            form.add_error(
                None, _("Someone else changed this change request since you opened it. Reload the page.")
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Change request assessed: it waits for the decision."))
            return redirect("governance:change-detail", pk=pk)
    context = _change_context(request, change_request, assess_form=form)
    return render(request, "governance/change_detail.html", context, status=422)


@login_required
@require_POST
def change_decide(request, pk):
    """Approve, reject or defer (sponsor or board; never the requester or the project's manager). A
    refused attempt is recorded as a security event."""
    change_request = control_selectors.change_request_get(user=request.user, pk=pk)
    form = DecideForm(request.POST)
    if not can_decide_change(request.user, change_request):
        changes.change_request_decide(  # refuses (403) and records the attempt
            actor=request.user, change_request=change_request, outcome="", rationale="", request=request
        )
    if form.is_valid():
        try:
            changes.change_request_decide(
                actor=request.user,
                change_request=change_request,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                version=form.cleaned_data.get("version") or None,
                request=request,
            )
        except StaleVersionError:
            form.add_error(
                None, _("Someone else changed this change request since you opened it. Reload the page.")
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("governance:change-detail", pk=pk)
    context = _change_context(request, change_request, decide_form=form)
    return render(request, "governance/change_detail.html", context, status=422)


@login_required
@require_POST
def exception_decide(request, pk):
    """The board's decision on an exception (exception plan, tolerances changed, project stopped),
    which closes it. A refused attempt is recorded as a security event."""
    exception = selectors.exception_get(user=request.user, pk=pk)
    if not can_decide_exception(request.user, exception):
        changes.exception_decide(
            actor=request.user, exception=exception, outcome="", rationale="", request=request
        )
    form = DecideForm(request.POST, outcomes=changes.EXCEPTION_OUTCOMES, with_tolerances=True)
    if form.is_valid():
        try:
            changes.exception_decide(
                actor=request.user,
                exception=exception,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                tolerances=form.tolerances(),
                version=form.cleaned_data.get("version") or None,
                request=request,
            )
        except StaleVersionError:
            form.add_error(
                None, _("Someone else changed this exception since you opened it. Reload the page.")
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Decision recorded: the exception is closed."))
            return redirect("governance:exception-detail", pk=pk)
    context = {**_detail_context(request, exception), "decide_form": form, "show_decide": True}
    return render(request, "governance/exception_detail.html", context, status=422)
