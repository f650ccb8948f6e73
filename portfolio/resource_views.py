"""Resource pool pages: list, detail (skills, absences), create and edit for PMO officers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pmo.core.forms import save_versioned_form
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_list
from portfolio import resource_services as services
from portfolio.models import Portfolio
from portfolio.resource_forms import AbsenceForm, ResourceFilterForm, ResourceForm
from portfolio.resource_models import Absence, Resource


def _visible(user):
    return Resource.objects.visible_to(user).select_related("role", "portfolio", "user", "manager")


def _get_resource(request, pk) -> Resource:
    return get_visible_or_404(_visible(request.user), pk=pk)


def _can_edit(user, resource: Resource) -> bool:
    return Resource.objects.editable_by(user).filter(pk=resource.pk).exists()


@login_required
def resource_list(request):
    """The pool: visible, non-archived resources, filtered by name, role and department."""
    form = ResourceFilterForm(request.GET or None)
    resources = (
        _visible(request.user)
        .filter(archived_at__isnull=True)
        .annotate(
            skill_count=Count("skills", distinct=True),
            absence_count=Count("absences", distinct=True),
        )
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            resources = resources.filter(Q(name__icontains=data["q"]) | Q(department__icontains=data["q"]))
        if data["role"]:
            resources = resources.filter(role=data["role"])
        if data["department"]:
            resources = resources.filter(department__iexact=data["department"])
    return render_list(
        request,
        page_template="portfolio/resource_list.html",
        partial_template="portfolio/partials/resource_table.html",
        context={
            "filter_form": form,
            "can_create": Portfolio.objects.editable_by(request.user).active().exists(),
        },
        queryset=resources.order_by("name", "pk"),
    )


@login_required
def resource_detail(request, pk):
    resource = _get_resource(request, pk)
    can_edit = _can_edit(request.user, resource)
    return render(
        request,
        "portfolio/resource_detail.html",
        {
            "resource": resource,
            "can_edit": can_edit,
            "skills": resource.skills.select_related("skill"),
            "absences": resource.absences.all(),
            "absence_form": AbsenceForm() if can_edit else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request):
    require(Portfolio.objects.editable_by(request.user).active().exists())
    form = ResourceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(
                actor=request.user, data=form.changed_values(), skills=form.cleaned_data["skills"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Resource added to the pool."))
            return redirect(resource)
    return render(request, "portfolio/resource_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk):
    resource = _get_resource(request, pk)
    require(_can_edit(request.user, resource))
    form = ResourceForm(request.POST or None, instance=resource, user=request.user)
    if request.method == "POST":
        saved = save_versioned_form(
            form,
            lambda version, data: services.resource_update(
                actor=request.user,
                resource=resource,
                version=version,
                data=data,
                skills=form.cleaned_data.get("skills"),
            ),
        )
        if saved:
            messages.success(request, _("Resource saved."))
            return redirect(resource)
    return render(
        request,
        "portfolio/resource_form.html",
        {"form": form, "resource": resource},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def resource_archive(request, pk):
    resource = _get_resource(request, pk)
    require(_can_edit(request.user, resource))
    archive = request.POST.get("action") != "restore"
    services.resource_set_archived(actor=request.user, resource=resource, archived=archive)
    messages.success(request, _("Resource archived.") if archive else _("Resource restored."))
    return redirect(resource)


@login_required
@require_POST
def absence_add(request, pk):
    resource = _get_resource(request, pk)
    require(_can_edit(request.user, resource))
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            services.absence_add(actor=request.user, resource=resource, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    status = 422 if form.errors else 200
    context = {
        "resource": resource,
        "can_edit": True,
        "absences": resource.absences.all(),
        "absence_form": form if form.errors else AbsenceForm(),
    }
    if request.htmx:
        return render(request, "portfolio/partials/absences.html", context, status=status)
    if status == 422:
        return render(
            request,
            "portfolio/resource_detail.html",
            {**context, "skills": resource.skills.select_related("skill")},
            status=422,
        )
    messages.success(request, _("Absence recorded."))
    return redirect(resource)


@login_required
@require_POST
def absence_remove(request, pk, absence_pk):
    resource = _get_resource(request, pk)
    require(_can_edit(request.user, resource))
    absence = get_visible_or_404(Absence.objects.filter(resource=resource), pk=absence_pk)
    services.absence_remove(actor=request.user, absence=absence)
    if request.htmx:
        return render(
            request,
            "portfolio/partials/absences.html",
            {
                "resource": resource,
                "can_edit": True,
                "absences": resource.absences.all(),
                "absence_form": AbsenceForm(),
            },
        )
    messages.success(request, _("Absence removed."))
    return redirect(resource)
