"""Add and change register rows from the project page's tabs: one generic form per register kind.
GET returns the form fragment; a valid POST saves through projects.services and answers the
refreshed tab (HX-Trigger: qcdr:changed); an invalid one answers the form again with 422."""

import copy
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from pmo.core.locking import StaleVersionError
from pmo.core.permissions import require
from pmo.core.views import render_form_errors
from projects import selectors, services
from projects.forms import register_form_class
from projects.models import Assumption, Deliverable, Dependency, Issue, Milestone, Risk
from projects.views.registers import can_edit_registers, render_tab


@dataclass(frozen=True)
class RegisterKind:
    model: type[models.Model]
    fields: tuple[str, ...]
    tab: str  # the fragment re-rendered after a save (a key of registers.TABS)


KINDS: dict[str, RegisterKind] = {
    "milestones": RegisterKind(
        Milestone,
        (
            "name",
            "description",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "is_key",
            "weight",
            "status",
        ),
        "milestones",
    ),
    "risks": RegisterKind(
        Risk,
        (
            "title",
            "cause",
            "effect",
            "is_opportunity",
            "probability",
            "impact",
            "proximity_date",
            "response",
            "owner",
            "mitigation",
            "status",
        ),
        "risks",
    ),
    "issues": RegisterKind(
        Issue, ("title", "description", "severity", "owner", "due_date", "resolution", "status"), "issues"
    ),
    "assumptions": RegisterKind(
        Assumption, ("title", "description", "owner", "due_date", "status"), "issues"
    ),
    "deliverables": RegisterKind(
        Deliverable, ("name", "owner", "due_date", "acceptance_criteria"), "deliverables"
    ),
    "dependencies": RegisterKind(
        Dependency,
        ("title", "description", "depends_on_project", "depends_on_milestone", "needed_by", "status"),
        "dependencies",
    ),
}


def _kind_or_404(kind: str) -> RegisterKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404 from None


def _add_service_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _register_form(request, pk: int, kind: str, row_pk: int | None):
    project = selectors.project_get(user=request.user, pk=pk)
    spec = _kind_or_404(kind)
    require(can_edit_registers(request.user, project))
    row = get_object_or_404(spec.model, pk=row_pk, project=project) if row_pk is not None else None
    form_class = register_form_class(spec.model, spec.fields)
    # The form works on a copy: ModelForm validation writes into its instance, the service wants the
    # row as it was read.
    instance = copy.copy(row) if row is not None else spec.model(project=project)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=instance, user=request.user, project=project)
    if data is not None and form.is_valid():
        try:
            if row is None:
                services.record_create(
                    actor=request.user, model=spec.model, project=project, data=form.changed_values()
                )
            else:
                version = form.cleaned_data.get("version")
                services.record_update(
                    actor=request.user,
                    instance=row,
                    version=-1 if version is None else version,
                    data=form.changed_values(),
                )
        except ValidationError as error:
            _add_service_errors(form, error)
        except StaleVersionError:
            form.add_stale_error()
        else:
            response = render_tab(request, project, spec.tab)
            response["HX-Trigger"] = "qcdr:changed"
            response["HX-Retarget"] = f"#project-{spec.tab}"
            response["HX-Reswap"] = "outerHTML"
            return response
    context = {"project": project, "form": form, "kind": kind, "tab": spec.tab, "row": row}
    context["verbose_name"] = spec.model._meta.verbose_name
    if form.errors:
        return render_form_errors(request, "projects/partials/register_form.html", context)
    return render(request, "projects/partials/register_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def register_create(request, pk, kind):
    return _register_form(request, pk, kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def register_edit(request, pk, kind, row_pk):
    return _register_form(request, pk, kind, row_pk)


urlpatterns = [
    path("projects/<int:pk>/registers/<str:kind>/new/", register_create, name="register-create"),
    path("projects/<int:pk>/registers/<str:kind>/<int:row_pk>/edit/", register_edit, name="register-edit"),
]
