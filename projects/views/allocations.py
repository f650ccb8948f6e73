"""The project's Resources tab: its allocations and staffing requests, the planned cost they make,
and the forms to request, change, staff, confirm and remove them (HTMX, 422 on bad input)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pmo.core.forms import STALE_MESSAGE
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from projects import selectors
from projects.capacity_forms import AllocationForm, StaffForm
from projects.capacity_selectors import overload_warning, project_allocation_costs
from projects.models import Allocation, Project
from projects.services import allocations as services


def _can_edit(user, project) -> bool:
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()


def _context(request, project, *, form=None) -> dict:
    can_edit = _can_edit(request.user, project)
    costs = project_allocation_costs(project=project)
    confirmable = services.can_confirm_in(user=request.user, project=project)
    return {
        "project": project,
        "costs": costs,
        "currency": project.portfolio.currency,
        "can_edit": can_edit,
        "can_confirm": confirmable,
        "form": form if form is not None else (AllocationForm(project=project) if can_edit else None),
        "closed": project.state in services.CLOSED_STATES or project.archived_at is not None,
    }


def _tab(request, project, *, form=None, status=200):
    return render(
        request, "projects/partials/allocations.html", _context(request, project, form=form), status=status
    )


@login_required
@require_safe
def project_allocations_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return _tab(request, project)


@login_required
@require_safe
def project_allocation_costs_partial(request, pk):
    """The planned cost of the project's allocations, loaded by the costs tab beside the cost plan."""
    project = selectors.project_get(user=request.user, pk=pk)
    return render(
        request,
        "projects/partials/allocation_costs.html",
        {"costs": project_allocation_costs(project=project), "currency": project.portfolio.currency},
    )


@login_required
@require_POST
def allocation_create(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require(_can_edit(request.user, project))
    form = AllocationForm(request.POST, project=project)
    if form.is_valid():
        confirm = request.POST.get("confirm") == "1" and services.can_confirm_in(
            user=request.user, project=project
        )
        try:
            created = services.allocation_create(
                actor=request.user, project=project, data=form.changed_values(), confirm=confirm
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            context = _context(request, project)
            context["warning"] = overload_warning(allocation=created)
            return render(request, "projects/partials/allocations.html", context)
    return _tab(request, project, form=form, status=422)


def _allocation(request, pk, allocation_pk) -> tuple[Project, Allocation]:
    project = selectors.project_get(user=request.user, pk=pk)
    allocation = get_visible_or_404(
        Allocation.objects.filter(project=project).select_related("project__portfolio", "resource", "role"),
        pk=allocation_pk,
    )
    return project, allocation


@login_required
@require_http_methods(["GET", "POST"])
def allocation_edit(request, pk, allocation_pk):
    project, allocation = _allocation(request, pk, allocation_pk)
    require(_can_edit(request.user, project))
    form = AllocationForm(request.POST or None, instance=allocation, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_update(
                actor=request.user,
                allocation=allocation,
                version=form.cleaned_data.get("version") or 0,
                data=form.changed_values(),
            )
        except StaleVersionError:
            form.add_stale_error()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _tab(request, project)
    response = render(
        request,
        "projects/partials/allocation_form.html",
        {"project": project, "allocation": allocation, "form": form},
        status=422 if form.errors else 200,
    )
    if form.errors:  # the errors replace the form, not the tab
        response["HX-Retarget"] = f"#allocation-edit-{allocation.pk}"
        response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def allocation_confirm(request, pk, allocation_pk):
    project, allocation = _allocation(request, pk, allocation_pk)
    if not services.can_confirm(user=request.user, allocation=allocation):
        raise PermissionDenied
    try:
        services.allocation_confirm(
            actor=request.user,
            allocation=allocation,
            version=int(request.POST.get("version") or allocation.version),
        )
    except StaleVersionError:
        return _tab_with_error(request, project, STALE_MESSAGE)
    except ValidationError as error:
        return _tab_with_error(request, project, " ".join(error.messages))
    return _tab(request, project)


def _tab_with_error(request, project, message):
    context = _context(request, project)
    context["error"] = message
    return render(request, "projects/partials/allocations.html", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def allocation_staff(request, pk, allocation_pk):
    project, allocation = _allocation(request, pk, allocation_pk)
    require(_can_edit(request.user, project) or services.can_confirm_in(user=request.user, project=project))
    form = StaffForm(request.POST or None, allocation=allocation)
    if request.method == "POST" and form.is_valid():
        confirm = request.POST.get("confirm") == "1" and services.can_confirm_in(
            user=request.user, project=project
        )
        try:
            services.allocation_staff(
                actor=request.user,
                allocation=allocation,
                version=form.cleaned_data["version"],
                resource=form.cleaned_data["resource"],
                confirm=confirm,
            )
        except StaleVersionError:
            form.add_error(None, STALE_MESSAGE)
        except ValidationError as error:
            form.add_error(
                None,
                error.messages if not hasattr(error, "error_dict") else sum(error.message_dict.values(), []),
            )
        else:
            return _tab(request, project)
    response = render(
        request,
        "projects/partials/allocation_staff.html",
        {
            "project": project,
            "allocation": allocation,
            "form": form,
            "can_confirm": services.can_confirm_in(user=request.user, project=project),
        },
        status=422 if form.errors else 200,
    )
    if form.errors:
        response["HX-Retarget"] = f"#allocation-staff-{allocation.pk}"
        response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def allocation_delete(request, pk, allocation_pk):
    project, allocation = _allocation(request, pk, allocation_pk)
    require(_can_edit(request.user, project))
    services.allocation_delete(actor=request.user, allocation=allocation)
    return _tab(request, project)


urlpatterns = [
    path("projects/<int:pk>/partials/allocations/", project_allocations_partial, name="allocations-partial"),
    path(
        "projects/<int:pk>/partials/allocation-costs/",
        project_allocation_costs_partial,
        name="allocation-costs-partial",
    ),
    path("projects/<int:pk>/allocations/new/", allocation_create, name="allocation-create"),
    path("projects/<int:pk>/allocations/<int:allocation_pk>/edit/", allocation_edit, name="allocation-edit"),
    path(
        "projects/<int:pk>/allocations/<int:allocation_pk>/confirm/",
        allocation_confirm,
        name="allocation-confirm",
    ),
    path(
        "projects/<int:pk>/allocations/<int:allocation_pk>/staff/", allocation_staff, name="allocation-staff"
    ),
    path(
        "projects/<int:pk>/allocations/<int:allocation_pk>/delete/",
        allocation_delete,
        name="allocation-delete",
    ),
]
