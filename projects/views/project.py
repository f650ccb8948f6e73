"""Project pages and fragments: adapters that parse, call one selector or service, and render."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pmo.core.forms import save_versioned_form
from pmo.core.history import history_for
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_form_errors, render_list
from portfolio.models import Portfolio
from portfolio.selectors import portfolios_creatable_in
from projects import qcdr, selectors, services, stage_tolerances
from projects.filters import ProjectFilter
from projects.forms import ProjectForm
from projects.permissions import PROJECT_FIELDS, is_portfolio_pmo, project_editable_fields
from projects.views import team as team_views


@login_required
def project_list(request):
    project_filter = ProjectFilter(request.GET, queryset=selectors.project_list(user=request.user))
    return render_list(
        request,
        page_template="projects/project_list.html",
        partial_template="projects/partials/project_table.html",
        context={
            "filter": project_filter,
            "can_create": portfolios_creatable_in(user=request.user).exists(),
            "portfolios": Portfolio.objects.visible_to(request.user).order_by("name"),
        },
        queryset=project_filter.qs,
    )


def _detail_context(request, project):
    editable = project_editable_fields(user=request.user, project=project)
    result = selectors.project_qcdr(project=project, as_of=timezone.localdate())
    return {
        "project": project,
        "qcdr": qcdr.qcdr_as_dict(result),
        "currency": project.portfolio.currency,
        "editable_fields": editable,
        "can_edit": bool(editable),
        "is_pmo": is_portfolio_pmo(user=request.user, portfolio_id=project.portfolio_id),
    }


@login_required
def project_detail(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render(request, "projects/project_detail.html", _detail_context(request, project))


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    portfolios = portfolios_creatable_in(user=request.user)
    require(portfolios.exists())
    editable = frozenset(PROJECT_FIELDS)
    form = ProjectForm(
        request.POST or None,
        user=request.user,
        editable_fields=editable,
        portfolios=portfolios,
        initial={"portfolio": request.GET.get("portfolio")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, data=form.changed_values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Project %(code)s created.") % {"code": project.code})
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form}, status=422 if form.errors else 200)


def _save_project_form(request, project):
    """Validate and save the edit form; returns (form, saved)."""
    editable = project_editable_fields(user=request.user, project=project)
    require(bool(editable))
    form = ProjectForm(request.POST or None, instance=project, user=request.user, editable_fields=editable)
    saved = request.method == "POST" and save_versioned_form(
        form,
        lambda version, data: services.project_update(
            actor=request.user, project=project, version=version, data=data
        ),
    )
    return form, saved


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    form, saved = _save_project_form(request, project)
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect(project)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def project_archive(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require(is_portfolio_pmo(user=request.user, portfolio_id=project.portfolio_id))
    archive = request.POST.get("action") != "restore"
    services.project_set_archived(actor=request.user, project=project, archived=archive)
    messages.success(request, _("Project archived.") if archive else _("Project restored."))
    return redirect(project)


@login_required
def project_summary_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render(request, "projects/partials/summary.html", _detail_context(request, project))


@login_required
@require_http_methods(["GET", "POST"])
def project_summary_edit_partial(request, pk):
    """Inline edit of the summary card: GET the form, POST to save; errors come back as 422."""
    project = selectors.project_get(user=request.user, pk=pk)
    form, saved = _save_project_form(request, project)
    if saved:
        project = selectors.project_get(user=request.user, pk=pk)
        response = render(request, "projects/partials/summary.html", _detail_context(request, project))
        response["HX-Trigger"] = "project:changed"
        return response
    context = {"project": project, "form": form}
    if form.errors:
        return render_form_errors(request, "projects/partials/summary_form.html", context)
    return render(request, "projects/partials/summary_form.html", context)


@login_required
def project_header_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render(request, "projects/partials/header.html", _detail_context(request, project))


@login_required
def project_team_partial(request, pk):
    """The "Team & RACI" tab: the team (users and external people) and the RACI matrix."""
    project = selectors.project_get(user=request.user, pk=pk)
    return team_views.render_team(request, project)


@login_required
@require_POST
def project_member_add(request, pk):
    return team_views.team_member_add(request, pk)


@login_required
@require_POST
def project_member_remove(request, pk, member_pk):
    project = selectors.project_get(user=request.user, pk=pk)
    member = get_visible_or_404(selectors.project_team(project=project), pk=member_pk)
    if not project_editable_fields(user=request.user, project=project):
        raise PermissionDenied
    services.project_member_remove(actor=request.user, member=member)
    return project_team_partial(request, pk)


@login_required
def project_history_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render(request, "htmx/history.html", {"entries": history_for(project), "object": project})


@login_required
@require_http_methods(["GET", "POST"])
def project_stage_tolerances(request, pk):
    """Tolerances per stage: one row per stage of the methodology; an empty figure falls back to the
    project's, then the portfolio's."""
    project = selectors.project_get(user=request.user, pk=pk)
    editable = stage_tolerances.can_edit_tolerances(request.user, project)
    errors: dict = {}
    status = 200
    if request.method == "POST":
        require(editable)
        rows: dict[int, dict] = {}
        for stage_row in stage_tolerances.stage_rows(project):
            values = {}
            for field in stage_tolerances.LIMITS:
                raw = request.POST.get(f"{stage_row.stage.pk}-{field}", "").strip().replace(",", ".")
                if not raw:
                    values[field] = None
                    continue
                try:
                    number = Decimal(raw)
                except InvalidOperation:
                    errors[f"{stage_row.stage.pk}-{field}"] = [_("Enter a number.")]
                    continue
                decimal = field in stage_tolerances.DECIMAL_FIELDS
                if not decimal and number != number.to_integral_value():
                    errors[f"{stage_row.stage.pk}-{field}"] = [_("Enter a whole number.")]
                    continue
                if decimal and number != number.quantize(Decimal("0.1")):
                    errors[f"{stage_row.stage.pk}-{field}"] = [_("At most one decimal place.")]
                    continue
                values[field] = number if decimal else int(number)
            rows[stage_row.stage.pk] = values
        if not errors:
            try:
                stage_tolerances.save_stage_tolerances(actor=request.user, project=project, rows=rows)
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, _("Stage tolerances saved."))
                return redirect("projects:stage-tolerances", pk=project.pk)
        status = 422
    table = []
    for stage_row in stage_tolerances.stage_rows(project):
        cells = []
        for field in stage_tolerances.LIMITS:
            name = f"{stage_row.stage.pk}-{field}"
            if request.method == "POST":
                value = request.POST.get(name, "")
            else:
                stored = getattr(stage_row.override, field, None) if stage_row.override else None
                value = "" if stored is None else stored
            cells.append(
                {
                    "name": name,
                    "value": value,
                    "effective": getattr(stage_row.effective, field),
                    "errors": errors.get(name, []),
                }
            )
        table.append({"row": stage_row, "cells": cells})
    return render(
        request,
        "projects/stage_tolerances.html",
        {
            "project": project,
            "table": table,
            "editable": editable,
            "general_errors": [
                m for key, messages_ in errors.items() if key.startswith("stage-") for m in messages_
            ],
        },
        status=status,
    )
