"""The weekly loop: "Mes projets", the two-minute status update and its live indicators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pmo.core.locking import StaleVersionError
from pmo.core.periods import week_start
from pmo.core.permissions import get_visible_or_404, require
from projects import qcdr, selectors, services
from projects.forms import CostQuickForm, MilestoneQuickForm, RiskAddForm, RiskQuickForm, StatusReportForm
from projects.models import Project, Risk
from projects.services.status import CARRIED_FIELDS, previous_report
from projects.types import RAG, Declared


def _today():
    return timezone.localdate()


def _editable(request, pk) -> Project:
    """A visible project (else 404) that the user may update (else 403)."""
    project = selectors.project_get(user=request.user, pk=pk)
    require(Project.objects.editable_by(request.user).filter(pk=project.pk).exists())
    return project


@login_required
def my_projects(request):
    today = _today()
    return render(
        request,
        "projects/my_projects.html",
        {
            "cards": selectors.my_week(user=request.user, today=today),
            "today": today,
            "monday": week_start(today),
        },
    )


@login_required
def project_card_partial(request, pk):
    today = _today()
    card = selectors.week_card(user=request.user, pk=pk, today=today)
    return render(request, "projects/partials/card.html", {"card": card, "today": today})


@login_required
@require_POST
def weekly_no_change(request, pk):
    """ "Rien à signaler": this week's report = last week's, submitted in one click."""
    project = _editable(request, pk)
    today = _today()
    error = None
    try:
        services.status_report_no_change(
            actor=request.user, project=project, period_start=week_start(today), today=today
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Report submitted: nothing to report this week."))
        return redirect("projects:my-projects")
    card = selectors.week_card(user=request.user, pk=pk, today=today)
    return render(
        request,
        "projects/partials/card.html",
        {"card": card, "today": today, "error": error},
        status=422 if error else 200,
    )


def _initial_from(report, previous) -> dict:
    source = report or previous
    initial = {name: getattr(source, name) for name in CARRIED_FIELDS} if source else {}
    initial["version"] = report.version if report else 0
    return initial


def _weekly_context(request, project, form, report, previous):
    today = _today()
    return {
        "project": project,
        "form": form,
        "report": report,
        "monday": week_start(today),
        "today": today,
        "previous": previous,
        **selectors.weekly_registers(project=project, month=today.replace(day=1)),
        "risk_add_form": RiskAddForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def weekly_update(request, pk):
    """The update form, pre-filled from this week's draft or last week's report."""
    project = _editable(request, pk)
    today = _today()
    monday = week_start(today)
    report = selectors.report_for_week(project=project, period_start=monday)
    if report is not None and report.is_frozen:
        return render(
            request, "projects/weekly_done.html", {"project": project, "report": report, "monday": monday}
        )
    previous = previous_report(project=project, before=monday)
    form = StatusReportForm(request.POST or None, initial=_initial_from(report, previous))
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.status_report_save(
                actor=request.user,
                project=project,
                period_start=monday,
                version=form.cleaned_data.get("version"),
                data=form.changed_values(),
                submit=submit,
                today=today,
            )
        except StaleVersionError:
            form.add_stale_error()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if submit:
                messages.success(request, _("Report of %(project)s submitted.") % {"project": project.code})
                return redirect("projects:my-projects")
            messages.success(request, _("Draft saved."))
            return redirect("projects:weekly-update", pk=project.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "projects/weekly_update.html",
        _weekly_context(request, project, form, report, previous),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_qcdr_partial(request, pk):
    """Declared vs indicated per axis with reasons. POST previews the form's declared météo (no write)."""
    project = selectors.project_get(user=request.user, pk=pk)
    today = _today()
    report = selectors.report_for_week(project=project, period_start=week_start(today))
    result = selectors.project_qcdr(project=project, as_of=today, report=report if report else None)
    if request.method == "POST":
        declared = Declared(
            **{
                axis: RAG(request.POST.get(axis))
                if request.POST.get(axis) in RAG._value2member_map_
                else RAG.UNKNOWN
                for axis in ("quality", "cost", "schedule", "risk", "overall")
            }
        )
        result = qcdr.compute_qcdr_with_declared(result, declared)
    return render(
        request,
        "projects/partials/qcdr.html",
        {
            "project": project,
            "qcdr": qcdr.qcdr_as_dict(result),
            "currency": project.portfolio.currency,
            "live": request.method == "POST",
        },
    )


def _row_response(request, template, context, *, status=200, changed=True):
    response = render(request, template, context, status=status)
    if changed and status == 200:
        response["HX-Trigger"] = "qcdr:changed"
    return response


@login_required
@require_POST
def weekly_milestone(request, pk, milestone_pk):
    project = _editable(request, pk)
    milestone = get_visible_or_404(project.milestones.all(), pk=milestone_pk)
    form = MilestoneQuickForm(request.POST)
    if form.is_valid():
        try:
            milestone = services.record_update(
                actor=request.user,
                instance=milestone,
                version=form.cleaned_data["version"],
                data={
                    "forecast_date": form.cleaned_data["forecast_date"],
                    "actual_date": form.cleaned_data["actual_date"],
                },
            )
        except StaleVersionError:
            form.add_error(None, _("Changed by someone else meanwhile: reload the page."))
        except ValidationError as error:
            form.add_error(None, error)
    context = {"project": project, "milestone": milestone, "errors": form.errors}
    return _row_response(
        request, "projects/partials/weekly_milestone_row.html", context, status=422 if form.errors else 200
    )


@login_required
@require_POST
def weekly_cost(request, pk):
    """This month's actual and forecast for one category (CAPEX or OPEX)."""
    project = _editable(request, pk)
    month = _today().replace(day=1)
    form = CostQuickForm(request.POST)
    line = None
    if form.is_valid():
        try:
            with transaction.atomic():
                line = services.cost_line_set(
                    actor=request.user,
                    project=project,
                    month=month,
                    category=form.cleaned_data["category"],
                    values={"actual": form.cleaned_data["actual"], "forecast": form.cleaned_data["forecast"]},
                )
        except ValidationError as error:
            form.add_error(None, error)
    if line is None:
        line = project.cost_lines.filter(month=month, category=request.POST.get("category")).first()
    context = {
        "project": project,
        "category": form.cleaned_data.get("category") if form.is_bound else None,
        "line": line,
        "errors": form.errors,
        "month": month,
    }
    context["category"] = context["category"] or request.POST.get("category")
    return _row_response(
        request, "projects/partials/weekly_cost_row.html", context, status=422 if form.errors else 200
    )


@login_required
@require_POST
def weekly_risk(request, pk, risk_pk):
    project = _editable(request, pk)
    risk = get_visible_or_404(project.risks.all(), pk=risk_pk)
    form = RiskQuickForm(request.POST)
    if form.is_valid():
        try:
            risk = services.record_update(
                actor=request.user,
                instance=risk,
                version=form.cleaned_data["version"],
                data={"probability": form.cleaned_data["probability"], "impact": form.cleaned_data["impact"]},
            )
        except StaleVersionError:
            form.add_error(None, _("Changed by someone else meanwhile: reload the page."))
        except ValidationError as error:
            form.add_error(None, error)
    context = {"project": project, "risk": risk, "errors": form.errors}
    return _row_response(
        request, "projects/partials/weekly_risk_row.html", context, status=422 if form.errors else 200
    )


@login_required
@require_POST
def weekly_risk_add(request, pk):
    project = _editable(request, pk)
    form = RiskAddForm(request.POST)
    if form.is_valid():
        try:
            services.record_create(
                actor=request.user, model=Risk, project=project, data=dict(form.cleaned_data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = RiskAddForm()
    risks = list(
        project.risks.filter(status=Risk.Status.OPEN).select_related("owner").order_by("-score", "title")
    )
    return _row_response(
        request,
        "projects/partials/weekly_risks.html",
        {"project": project, "risks": risks, "risk_add_form": form},
        status=422 if form.errors else 200,
    )


urlpatterns = [
    path("projects/mine/", my_projects, name="my-projects"),
    path("projects/<int:pk>/partials/card/", project_card_partial, name="card-partial"),
    path("projects/<int:pk>/partials/qcdr/", project_qcdr_partial, name="qcdr-partial"),
    path("projects/<int:pk>/weekly/", weekly_update, name="weekly-update"),
    path("projects/<int:pk>/weekly/no-change/", weekly_no_change, name="weekly-no-change"),
    path(
        "projects/<int:pk>/weekly/milestones/<int:milestone_pk>/", weekly_milestone, name="weekly-milestone"
    ),
    path("projects/<int:pk>/weekly/costs/", weekly_cost, name="weekly-cost"),
    path("projects/<int:pk>/weekly/risks/<int:risk_pk>/", weekly_risk, name="weekly-risk"),
    path("projects/<int:pk>/weekly/risks/new/", weekly_risk_add, name="weekly-risk-add"),
]
