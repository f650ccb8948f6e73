"""Capacity pages: the heat map (person / role × week / month), its cells, over-allocations, the
what-if draft, and the capacity summary fragment that reporting's dashboard loads by URL name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404
from portfolio.models import Portfolio
from portfolio.resource_models import Resource, Role
from projects import capacity_selectors as selectors
from projects.capacity_forms import CapacityFilterForm, CellForm, WhatIfForm
from projects.models import Allocation, Project
from projects.services import allocations as services

SESSION_KEY = "capacity_whatif"


def _departments(user) -> list[str]:
    return list(
        Resource.objects.visible_to(user)
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def _filter_form(request) -> CapacityFilterForm:
    return CapacityFilterForm(request.GET or None, user=request.user, departments=_departments(request.user))


def _editable_allocations(user):
    return Allocation.objects.filter(project__in=Project.objects.editable_by(user).values("pk"))


def _draft(request) -> dict:
    """The session's what-if draft, limited to allocations the user may still change."""
    raw = request.session.get(SESSION_KEY) or {}
    return services.draft_changes(raw)


def _draft_rows(request, draft: dict) -> list[dict]:
    rows = Allocation.objects.filter(pk__in=list(draft)).select_related("project", "resource", "role")
    return [{"allocation": a, "change": draft[a.pk]} for a in rows.order_by("project__code", "pk")]


def _hours_formatter():
    """A fast number formatter for thousands of cells (Django's number_format costs ~0.1 ms each)."""
    if get_language().startswith("fr"):
        return lambda value: f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return lambda value: f"{value:,.1f}"


def _grid(heat, rows, drafted: set, query: str) -> list[dict]:
    """The page's rows with their cells as ready HTML (level, load, tooltip, drill-down URL), built
    in Python: template tags per cell made a 50 × 52 page take a second. Every value is escaped."""
    hours = _hours_formatter()
    title = escape(_("Capacity %(capacity)s h, booked %(booked)s h, free %(free)s h"))
    kind = "role" if heat.filters.view == "role" else "resource"
    base = escape(reverse("projects:capacity-cell-partial"))
    tail = escape(f"&{query}" if query else "")
    spans = [(b.start.isoformat(), b.end.isoformat()) for b in heat.columns]
    grid = []
    for row in rows:
        cells = []
        outline = " heat-drafted" if row.key in drafted else ""
        for (start, end), cell in zip(spans, row.cells, strict=True):
            load = cell.load
            label = f"{round(load)} %" if load is not None else ("∞" if cell.allocated > 1e-6 else "—")
            level = cell.level
            tooltip = title % {
                "capacity": hours(cell.capacity),
                "booked": hours(cell.allocated),
                "free": hours(cell.free),
            }
            cells.append(
                f'<td class="heat heat-{level}{outline}" title="{tooltip}"><button type="button" '
                f'hx-get="{base}?{kind}={row.key}&amp;start={start}&amp;end={end}{tail}" '
                f'hx-target="#capacity-cell" hx-swap="innerHTML" data-load="{level}">{label}</button></td>'
            )
        grid.append({"row": row, "cells": mark_safe("".join(cells))})  # noqa: S308 - escaped above
    return grid


@login_required
@require_safe
def capacity_heat_map(request):
    """The heat map; an HTMX request (filters, paging) gets the grid only."""
    form = _filter_form(request)
    filters = form.filters()
    draft = _draft(request)
    heat = selectors.heat_map(user=request.user, filters=filters, draft=draft or None)
    page = Paginator(heat.rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    draft_rows = _draft_rows(request, draft) if draft else []
    drafted = {
        (item["allocation"].resource_id if heat.filters.view == "person" else item["allocation"].role_id)
        for item in draft_rows
    }
    context = {
        "form": form,
        "heat": heat,
        "page_obj": page,
        "grid": _grid(heat, page.object_list, drafted, request.GET.urlencode()),
        "draft_rows": draft_rows,
        "query": request.GET.urlencode(),
    }
    is_refresh = request.htmx and not request.htmx.boosted and request.htmx.target == "capacity-grid"
    response = render(
        request, "projects/partials/capacity_grid.html" if is_refresh else "projects/capacity.html", context
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def capacity_cell_partial(request):
    """The allocations behind one cell (drill-down), with what-if forms for those the user may change."""
    form = CellForm(request.GET)
    if not form.is_valid():
        return render(
            request, "projects/partials/capacity_cell.html", {"errors": form.errors, "rows": []}, status=400
        )
    data = form.cleaned_data
    filters = _filter_form(request).filters()
    if data.get("resource"):
        subject = get_visible_or_404(Resource.objects.visible_to(request.user), pk=data["resource"])
    else:
        subject = get_visible_or_404(Role.objects.all(), pk=data["role"])
    rows = list(
        selectors.cell_allocations(
            user=request.user,
            start=data["start"],
            end=data["end"],
            resource=data.get("resource"),
            role=None if data.get("resource") else data.get("role"),
            filters=filters,
        )
    )
    editable = set(
        _editable_allocations(request.user).filter(pk__in=[a.pk for a in rows]).values_list("pk", flat=True)
    )
    draft = _draft(request)
    return render(
        request,
        "projects/partials/capacity_cell.html",
        {
            "subject": subject,
            "start": data["start"],
            "end": data["end"],
            "rows": [
                {
                    "allocation": a,
                    "editable": a.pk in editable,
                    "change": draft.get(a.pk),
                    "form": WhatIfForm(
                        initial={
                            "allocation": a.pk,
                            "start_date": draft.get(a.pk, {}).get("start_date", a.start_date),
                            "end_date": draft.get(a.pk, {}).get("end_date", a.end_date),
                            "percent": draft.get(a.pk, {}).get("percent", a.percent),
                            "hours_per_week": draft.get(a.pk, {}).get("hours_per_week", a.hours_per_week),
                        },
                        auto_id=f"whatif-{a.pk}-%s",
                    ),
                }
                for a in rows
            ],
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_safe
def overallocation_list(request):
    form = _filter_form(request)
    filters = form.filters()
    return render(
        request,
        "projects/overallocations.html",
        {
            "form": form,
            "rows": selectors.overallocations(user=request.user, filters=filters),
            "filters": filters,
        },
    )


@login_required
@require_safe
def capacity_summary_partial(request):
    """Overloaded roles next quarter in the user's visible portfolios (or `?portfolio=`)."""
    portfolios = Portfolio.objects.visible_to(request.user).active()
    if request.GET.get("portfolio", "").isdigit():
        portfolios = portfolios.filter(pk=int(request.GET["portfolio"]))
    portfolio_ids = set(
        Resource.objects.visible_to(request.user)
        .filter(portfolio__in=portfolios)
        .order_by()
        .values_list("portfolio_id", flat=True)
        .distinct()
    )
    start, end = selectors.next_quarter(timezone.localdate())
    return render(
        request,
        "projects/partials/capacity_summary.html",
        {
            "roles": selectors.overloaded_roles(portfolio_ids=portfolio_ids, start=start, end=end),
            "start": start,
            "end": end,
        },
    )


@login_required
@require_POST
def whatif_change(request):
    """Put one moved/resized allocation in the session draft; the heat map shows it at once."""
    pk = request.POST.get("allocation", "")
    if not pk.isdigit():
        return render(
            request, "projects/partials/whatif_error.html", {"errors": [_("Unknown allocation.")]}, status=422
        )
    allocation = get_visible_or_404(_editable_allocations(request.user), pk=int(pk))
    form = WhatIfForm(request.POST)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label if name in form.fields else ''} {' '.join(msgs)}".strip()
            for name, msgs in form.errors.items()
        ]
        return render(request, "projects/partials/whatif_error.html", {"errors": errors}, status=422)
    data = form.cleaned_data
    raw = dict(request.session.get(SESSION_KEY) or {})
    raw[str(allocation.pk)] = {
        "start_date": data["start_date"].isoformat(),
        "end_date": data["end_date"].isoformat(),
        "percent": str(data["percent"]) if data["percent"] is not None else None,
        "hours_per_week": str(data["hours_per_week"])
        if data["percent"] is None and data["hours_per_week"] is not None
        else None,
        "version": allocation.version,
    }
    request.session[SESSION_KEY] = raw
    messages.info(request, _("Draft updated: nothing is saved until you confirm."))
    if request.htmx:
        response = render(request, "projects/partials/whatif_error.html", {"errors": []})
        response["HX-Refresh"] = "true"
        return response
    return redirect(request.POST.get("next") or "projects:capacity")


@login_required
@require_POST
def whatif_discard(request):
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("What-if draft discarded."))
    return redirect(_next(request))


def _next(request) -> str:
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if (
        target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
        and target.startswith("/")
    ):
        return target
    return reverse("projects:capacity")


@login_required
@require_POST
def whatif_confirm(request):
    """Apply the whole draft atomically: all changes or none (stale version, validation, strict mode)."""
    changes = _draft(request)
    if not changes:
        messages.warning(request, _("The what-if draft is empty."))
        return redirect(_next(request))
    editable = set(
        _editable_allocations(request.user).filter(pk__in=list(changes)).values_list("pk", flat=True)
    )
    try:
        applied = services.allocation_apply_draft(actor=request.user, changes=changes, editable=editable)
    except StaleVersionError:
        messages.error(
            request,
            _("Someone changed one of these allocations since the draft was made: nothing was saved."),
        )
        return redirect(_next(request))
    except ValidationError as error:
        messages.error(request, _("Nothing was saved: %(errors)s") % {"errors": " ".join(error.messages)})
        return redirect(_next(request))
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        ngettext("%(count)s allocation changed.", "%(count)s allocations changed.", len(applied))
        % {"count": len(applied)},
    )
    return redirect(_next(request))


@login_required
@require_safe
def resource_allocations_partial(request, pk):
    """A pool resource's bookings on the projects the user sees and its next 12 weeks' load: the
    resource page (portfolio) loads it by URL name."""
    resource = get_visible_or_404(Resource.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    heat = selectors.heat_map(
        user=request.user,
        filters=selectors.CapacityFilters(start=today, periods=12, portfolio=resource.portfolio_id),
        only=[resource.pk],
    )
    rows = (
        Allocation.objects.filter(resource=resource, project__in=Project.objects.visible_to(request.user))
        .select_related("project", "role")
        .order_by("-end_date", "pk")
    )
    return render(
        request,
        "projects/partials/resource_allocations.html",
        {
            "resource": resource,
            "rows": rows,
            "heat": heat,
            "grid": _grid(heat, heat.rows, set(), f"portfolio={resource.portfolio_id}"),
        },
    )


urlpatterns = [
    path(
        "resources/pool/<int:pk>/partials/allocations/",
        resource_allocations_partial,
        name="resource-allocations-partial",
    ),
    path("resources/capacity/", capacity_heat_map, name="capacity"),
    path("resources/capacity/partials/cell/", capacity_cell_partial, name="capacity-cell-partial"),
    path("resources/capacity/partials/summary/", capacity_summary_partial, name="capacity-summary-partial"),
    path("resources/capacity/overallocations/", overallocation_list, name="overallocations"),
    path("resources/capacity/whatif/change/", whatif_change, name="whatif-change"),
    path("resources/capacity/whatif/discard/", whatif_discard, name="whatif-discard"),
    path("resources/capacity/whatif/confirm/", whatif_confirm, name="whatif-confirm"),
]
