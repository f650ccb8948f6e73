"""Project pages and fragments: adapters that parse, call one selector or service, and render."""

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
from projects import qcdr, selectors, services
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
