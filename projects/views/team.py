"""The project page's "Team & RACI", "Stakeholders" and "Procurement" tabs, their inline forms, and
"my communications" on the "My projects" page. Adapters: parse, call one selector or service, render."""

import copy
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_form_errors
from projects import raci, selectors, team_selectors
from projects.charts_team import power_interest_figure
from projects.models import (
    CommunicationItem,
    Contract,
    PurchaseOrder,
    RaciActivity,
    Stakeholder,
    SupplierInvoice,
)
from projects.procurement import project_procurement
from projects.services import procurement as procurement_services
from projects.services import registers as register_services
from projects.services import team as team_services
from projects.team_forms import (
    CommunicationItemForm,
    ContractModelForm,
    PurchaseOrderModelForm,
    RaciActivityForm,
    RaciCellForm,
    StakeholderForm,
    SupplierInvoiceModelForm,
    TeamMemberForm,
)
from projects.views.registers import can_edit_registers


def _today():
    return timezone.localdate()


# --- Team & RACI -------------------------------------------------------------------------------


def team_context(request, project, *, form=None, activity_form=None) -> dict:
    can_edit = can_edit_registers(request.user, project)
    matrix = raci.raci_matrix(project=project)
    return {
        "project": project,
        "members": matrix.members,
        "matrix": matrix,
        "roles": ["R", "A", "C", "I"],
        "raci_cell_url": reverse("projects:raci-cell", args=[project.pk]),
        "can_edit": can_edit,
        "form": (form or TeamMemberForm(project=project)) if can_edit else None,
        "activity_form": (activity_form or RaciActivityForm()) if can_edit else None,
    }


def render_team(request, project, *, status=200, **kwargs):
    return render(
        request, "projects/partials/team.html", team_context(request, project, **kwargs), status=status
    )


def team_member_add(request, pk):
    """The Team tab's add form (projects:member-add): a user or an external person."""
    project = selectors.project_get(user=request.user, pk=pk)
    require(can_edit_registers(request.user, project))
    form = TeamMemberForm(request.POST, project=project)
    if form.is_valid():
        try:
            team_services.team_member_create(actor=request.user, project=project, data=form.changed_values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return render_team(request, project)
    return render_team(request, project, status=422, form=form)


@login_required
@require_POST
def raci_cell(request, pk):
    """Set one cell; answers the row again (its warning updated), or the row with the error (422)."""
    project = selectors.project_get(user=request.user, pk=pk)
    require(can_edit_registers(request.user, project))
    form = RaciCellForm(request.POST, project=project)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            team_services.raci_set(
                actor=request.user,
                project=project,
                row_kind=data["row_kind"],
                row_id=data["row_id"],
                member=data["member"],
                role=data["role"],
            )
        except ValidationError as exc:
            error = " ".join(m for messages in exc.message_dict.values() for m in messages)
    else:
        error = " ".join(m for messages in form.errors.values() for m in messages)
    kind, row_id = (
        request.POST.get("row_kind", ""),
        form.cleaned_data.get("row_id") if form.is_valid() else None,
    )
    matrix = raci.raci_matrix(project=project, only=(kind, row_id)) if row_id else None
    if matrix is None or not matrix.rows:
        raise Http404
    context = {
        "project": project,
        "row": matrix.rows[0],
        "roles": ["R", "A", "C", "I"],
        "raci_cell_url": reverse("projects:raci-cell", args=[project.pk]),
        "can_edit": True,
        "error": error,
        "error_member": form.cleaned_data.get("member") if form.is_valid() else None,
    }
    response = render(request, "projects/partials/raci_row.html", context, status=422 if error else 200)
    if not error:
        response["HX-Trigger"] = "raci:changed"
    return response


@login_required
@require_POST
def raci_activity_add(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require(can_edit_registers(request.user, project))
    form = RaciActivityForm(request.POST)
    if form.is_valid():
        position = RaciActivity.objects.filter(project=project).count()
        try:
            register_services.record_create(
                actor=request.user,
                model=RaciActivity,
                project=project,
                data={"name": form.cleaned_data["name"], "position": position},
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return render_team(request, project)
    return render_team(request, project, status=422, activity_form=form)


# --- Stakeholders and communication plan --------------------------------------------------------


def stakeholders_context(request, project) -> dict:
    tab = team_selectors.project_stakeholders(project=project)
    return {
        "project": project,
        "tab": tab,
        "today": _today(),
        "grid_figure": power_interest_figure(tab.grid_points),
        "can_edit": can_edit_registers(request.user, project),
    }


def procurement_context(request, project) -> dict:
    return {
        "project": project,
        "tab": project_procurement(project=project, as_of=_today()),
        "currency": project.portfolio.currency,
        "can_edit": can_edit_registers(request.user, project),
    }


TABS = {
    "team": ("projects/partials/team.html", team_context),
    "stakeholders": ("projects/partials/stakeholders.html", stakeholders_context),
    "procurement": ("projects/partials/procurement.html", procurement_context),
}


def render_tab(request, project, name: str, **kwargs):
    template, build = TABS[name]
    return render(request, template, build(request, project), **kwargs)


@login_required
@require_safe
def project_stakeholders_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render_tab(request, project, "stakeholders")


@login_required
@require_safe
def project_procurement_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render_tab(request, project, "procurement")


# --- One form view for the rows of these tabs -----------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    model: type[models.Model]
    form: type
    tab: str
    create: object  # service(actor=, project=, data=, **extra)
    update: object  # service(actor=, instance, version=, data=, **extra)


def _stakeholder_update(*, actor, instance, version, data, **extra):
    return team_services.stakeholder_update(actor=actor, stakeholder=instance, version=version, data=data)


def _communication_create(*, actor, project, data, form):
    return team_services.communication_item_create(
        actor=actor, project=project, data=data, stakeholders=form.cleaned_data.get("stakeholders") or ()
    )


def _communication_update(*, actor, instance, version, data, form):
    return team_services.communication_item_update(
        actor=actor,
        item=instance,
        version=version,
        data=data,
        stakeholders=form.cleaned_data.get("stakeholders") or (),
    )


def _with_form(service):
    def call(*, form, **kwargs):
        return service(**kwargs)

    return call


KINDS: dict[str, RecordKind] = {
    "stakeholders": RecordKind(
        Stakeholder,
        StakeholderForm,
        "stakeholders",
        _with_form(team_services.stakeholder_create),
        _with_form(_stakeholder_update),
    ),
    "communications": RecordKind(
        CommunicationItem, CommunicationItemForm, "stakeholders", _communication_create, _communication_update
    ),
    "contracts": RecordKind(
        Contract,
        ContractModelForm,
        "procurement",
        _with_form(procurement_services.contract_create),
        _with_form(
            lambda *, actor, instance, version, data: procurement_services.contract_update(
                actor=actor, contract=instance, version=version, data=data
            )
        ),
    ),
    "purchase-orders": RecordKind(
        PurchaseOrder,
        PurchaseOrderModelForm,
        "procurement",
        _with_form(procurement_services.purchase_order_create),
        _with_form(
            lambda *, actor, instance, version, data: procurement_services.purchase_order_update(
                actor=actor, order=instance, version=version, data=data
            )
        ),
    ),
    "invoices": RecordKind(
        SupplierInvoice,
        SupplierInvoiceModelForm,
        "procurement",
        _with_form(procurement_services.supplier_invoice_create),
        _with_form(
            lambda *, actor, instance, version, data: procurement_services.supplier_invoice_update(
                actor=actor, invoice=instance, version=version, data=data
            )
        ),
    ),
}


def _add_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _record_form(request, pk: int, kind: str, row_pk: int | None):
    project = selectors.project_get(user=request.user, pk=pk)
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404
    require(can_edit_registers(request.user, project))
    row = get_object_or_404(spec.model, pk=row_pk, project=project) if row_pk is not None else None
    instance = copy.copy(row) if row is not None else spec.model(project=project)
    data = request.POST if request.method == "POST" else None
    form = spec.form(data, instance=instance, user=request.user, project=project)
    if data is not None and form.is_valid():
        try:
            if row is None:
                spec.create(actor=request.user, project=project, data=form.changed_values(), form=form)
            else:
                version = form.cleaned_data.get("version")
                spec.update(
                    actor=request.user,
                    instance=row,
                    version=-1 if version is None else version,
                    data=form.changed_values(),
                    form=form,
                )
        except ValidationError as error:
            _add_errors(form, error)
        except StaleVersionError:
            form.add_stale_error()
        else:
            response = render_tab(request, project, spec.tab)
            response["HX-Trigger"] = "qcdr:changed"
            response["HX-Retarget"] = f"#project-{spec.tab}"
            response["HX-Reswap"] = "outerHTML"
            return response
    context = {
        "project": project,
        "form": form,
        "kind": kind,
        "tab": spec.tab,
        "row": row,
        "verbose_name": spec.model._meta.verbose_name,
    }
    if form.errors:
        return render_form_errors(request, "projects/partials/record_form.html", context)
    return render(request, "projects/partials/record_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request, pk, kind):
    return _record_form(request, pk, kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk, kind, row_pk):
    return _record_form(request, pk, kind, row_pk)


@login_required
@require_POST
def communication_done(request, pk, row_pk):
    """The owner (or an editor of the project) marks this occurrence sent: the next date moves on."""
    project = selectors.project_get(user=request.user, pk=pk)
    item = get_visible_or_404(CommunicationItem.objects.filter(project=project), pk=row_pk)
    require(item.owner_id == request.user.pk or can_edit_registers(request.user, project))
    try:
        version = int(request.POST.get("version", item.version))
    except ValueError:
        version = -1
    status = 200
    try:
        team_services.communication_item_done(
            actor=request.user, item=item, version=version, done_on=_today()
        )
    except StaleVersionError:
        status = 409
    if request.POST.get("from") == "mine":
        return render(
            request,
            "projects/partials/my_communications.html",
            {"items": team_selectors.my_communications(user=request.user, today=_today()), "today": _today()},
            status=status,
        )
    return render_tab(request, project, "stakeholders", status=status)


@login_required
@require_safe
def my_communications_partial(request):
    return render(
        request,
        "projects/partials/my_communications.html",
        {"items": team_selectors.my_communications(user=request.user, today=_today()), "today": _today()},
    )


urlpatterns = [
    path("projects/<int:pk>/raci/cell/", raci_cell, name="raci-cell"),
    path("projects/<int:pk>/raci/activities/new/", raci_activity_add, name="raci-activity-add"),
    path(
        "projects/<int:pk>/partials/stakeholders/", project_stakeholders_partial, name="stakeholders-partial"
    ),
    path("projects/<int:pk>/partials/procurement/", project_procurement_partial, name="procurement-partial"),
    path("projects/<int:pk>/records/<str:kind>/new/", record_create, name="record-create"),
    path("projects/<int:pk>/records/<str:kind>/<int:row_pk>/edit/", record_edit, name="record-edit"),
    path(
        "projects/<int:pk>/communications/<int:row_pk>/done/", communication_done, name="communication-done"
    ),
    path(
        "projects/mine/partials/communications/", my_communications_partial, name="my-communications-partial"
    ),
]
