"""Schedule import pages (upload → preview → apply) and the calendar feeds with their token page."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pmo.core.permissions import get_visible_or_404, require
from portfolio.models import Portfolio
from portfolio.selectors import portfolios_creatable_in
from projects import ical, selectors
from projects.imports import schedule
from projects.imports.common import ScheduleImportError
from projects.imports.forms import NewProjectScheduleForm, ScheduleUploadForm
from projects.models import CalendarToken, Project, ScheduleImport
from projects.models.registers import CostCategory


def _upload(request, form, *, project, new_project=None):
    """Parse and keep the upload; a refused file becomes a form error (422), nothing is stored."""
    upload = form.cleaned_data["file"]
    try:
        pending, _plan = schedule.schedule_import_upload(
            actor=request.user,
            filename=upload.name,
            data=upload.read(),
            project=project,
            new_project=new_project,
            cost_category=form.cleaned_data["cost_category"],
        )
    except ScheduleImportError as error:
        form.add_error("file", error.message)
        return None
    return redirect("projects:schedule-import-preview", pk=pending.pk)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_import_project(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require(Project.objects.editable_by(request.user).filter(pk=project.pk).exists())
    form = ScheduleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = _upload(request, form, project=project)
        if response:
            return response
    context = {"form": form, "project": project}
    return render(request, "projects/imports/upload.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_import_new_project(request):
    portfolios = portfolios_creatable_in(user=request.user)
    require(portfolios.exists())
    form = NewProjectScheduleForm(request.POST or None, request.FILES or None, portfolios=portfolios)
    if request.method == "POST" and form.is_valid():
        response = _upload(request, form, project=None, new_project=form.new_project())
        if response:
            return response
    return render(request, "projects/imports/upload.html", {"form": form}, status=422 if form.errors else 200)


def _pending(request, pk: str) -> ScheduleImport:
    """A pending import of the requesting user (anyone else's, or an applied one: 404)."""
    try:
        pk = uuid.UUID(pk)
    except ValueError:
        raise Http404 from None
    return get_visible_or_404(
        ScheduleImport.objects.select_related("project", "project__portfolio").filter(
            created_by=request.user, state=ScheduleImport.State.PENDING
        ),
        pk=pk,
    )


def _change_row(change) -> dict:
    cells = [
        {
            "before": change.before.get(name),
            "after": change.after.get(name),
            "changed": change.action == "updated" and change.before.get(name) != change.after.get(name),
        }
        for name in schedule.DATE_FIELDS
    ]
    return {
        "action": change.action,
        "name": change.name,
        "phase": change.phase,
        "old_phase": change.before.get("phase") if "phase" in change.changed and change.before else None,
        "cells": cells,
        "after": change.after,
    }


@login_required
@require_GET
def schedule_import_preview(request, pk):
    pending = _pending(request, pk)
    try:
        plan = schedule.schedule_import_preview(schedule_import=pending)
    except ScheduleImportError as error:
        messages.error(request, error.message)
        return redirect("projects:project-list")
    portfolio = pending.project.portfolio if pending.project else None
    if portfolio is None and pending.new_project:
        portfolio = Portfolio.objects.filter(pk=pending.new_project.get("portfolio")).first()
    context = {
        "pending": pending,
        "plan": plan,
        "changes": [_change_row(c) for c in plan.changes if c.action != "unchanged"][: schedule.PREVIEW_ROWS],
        "currency": portfolio.currency if portfolio else "EUR",
        "category": CostCategory(pending.cost_category).label,
    }
    return render(request, "projects/imports/preview.html", context)


@login_required
@require_POST
def schedule_import_apply(request, pk):
    pending = _pending(request, pk)
    try:
        result = schedule.schedule_import_apply(actor=request.user, schedule_import=pending)
    except (ScheduleImportError, ValidationError) as error:
        text = error.message if isinstance(error, ScheduleImportError) else " ".join(error.messages)
        messages.error(request, text)
        return redirect("projects:schedule-import-preview", pk=pending.pk)
    messages.success(
        request,
        _("Schedule imported: %(new)s new and %(updated)s updated milestones, %(months)s cost lines.")
        % {"new": result["new"], "updated": result["updated"], "months": result["cost_lines"]},
    )
    return redirect("projects:project-detail", pk=result["project"])


# ----------------------------------------------------------------------------------------------
# Calendar feeds


def _feed_urls(request, token: str) -> dict:
    portfolios = Portfolio.objects.visible_to(request.user).order_by("name")
    return {
        "user_feed": request.build_absolute_uri(reverse("projects:calendar-user-feed", args=[token])),
        "portfolio_feeds": [
            (p, request.build_absolute_uri(reverse("projects:calendar-portfolio-feed", args=[token, p.pk])))
            for p in portfolios
        ],
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_token_page(request):
    """The user's feed URLs: generated (shown once, stored hashed), regenerated or revoked here."""
    context = {"has_token": CalendarToken.objects.filter(user=request.user).exists()}
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            ical.calendar_token_revoke(user=request.user)
            messages.success(request, _("Your calendar links no longer work."))
            return redirect("projects:calendar-token")
        token = ical.calendar_token_regenerate(user=request.user)
        context = {"has_token": True, "token": token, **_feed_urls(request, token)}
    return render(request, "projects/imports/calendar.html", context)


def _feed_response(*, name: str, events, request) -> HttpResponse:
    body = ical.render_calendar(name=name, events=events, base_url=request.build_absolute_uri("/")[:-1])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="pmo.ics"'
    return response


@require_GET
def calendar_user_feed(request, token):
    """No session needed: the token stands for its user, who sees only what they may see."""
    user = ical.user_for_token(token)
    if user is None:
        raise Http404
    with ical.in_site_language():
        events = ical.user_feed_events(user=user)
        name = _("My projects")
    return _feed_response(name=f"PMO – {name}", events=events, request=request)


@require_GET
def calendar_portfolio_feed(request, token, pk):
    user = ical.user_for_token(token)
    if user is None:
        raise Http404
    portfolio = get_visible_or_404(Portfolio.objects.visible_to(user), pk=pk)
    with ical.in_site_language():
        events = ical.portfolio_feed_events(user=user, portfolio=portfolio)
    return _feed_response(name=f"PMO – {portfolio.name}", events=events, request=request)


urlpatterns = [
    path("projects/<int:pk>/schedule-import/", schedule_import_project, name="schedule-import"),
    path("projects/schedule-import/new/", schedule_import_new_project, name="schedule-import-new"),
    path(
        "projects/schedule-imports/<str:pk>/",
        schedule_import_preview,
        name="schedule-import-preview",
    ),
    path(
        "projects/schedule-imports/<str:pk>/apply/",
        schedule_import_apply,
        name="schedule-import-apply",
    ),
    path("calendar/", calendar_token_page, name="calendar-token"),
    path("calendar/<str:token>/me.ics", calendar_user_feed, name="calendar-user-feed"),
    path(
        "calendar/<str:token>/portfolios/<int:pk>.ics",
        calendar_portfolio_feed,
        name="calendar-portfolio-feed",
    ),
]
