"""The periodic jobs page (PMO officers): every job of pmo/schedule.py with its django-celery-beat
row, inline crontab edits, "run now" (limited to the portfolios the officer runs) and "reset to the
default". It lives in the wiring because the jobs of every app are listed here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from pmo.celery import app as celery_app
from pmo.core.audit import audit_context
from pmo.core.permissions import require
from pmo.core.roles import Role
from pmo.core.views import render_form_errors
from pmo.schedule import BEAT_SCHEDULE, install_schedules
from portfolio.models import Membership, Portfolio
from portfolio.selectors import is_pmo_anywhere
from reporting.forms import ScheduleForm
from reporting.models import DistributionList

# Infrastructure jobs are shown but not editable: nobody should switch the sweeper off.
INFRASTRUCTURE = frozenset({"heartbeat", "report-sweeper"})


def _pmo_portfolio_ids(user) -> list[int] | None:
    """The portfolios whose jobs the user may run now (None: all, for the superuser)."""
    if user.is_superuser:
        return None
    return list(Membership.objects.filter(user=user, role=Role.PMO).values_list("portfolio_id", flat=True))


def _require_pmo(user) -> None:
    require(is_pmo_anywhere(user=user))


def _schedule_rows():
    tasks = {
        task.name: task
        for task in PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE).select_related("crontab")
    }
    return [
        {"name": name, "task": tasks.get(name), "editable": name not in INFRASTRUCTURE, "default": entry}
        for name, entry in BEAT_SCHEDULE.items()
    ]


@login_required
@require_GET
def schedule_list(request):
    _require_pmo(request.user)
    portfolios = Portfolio.objects.editable_by(request.user).filter(archived_at__isnull=True).order_by("name")
    lists = {(d.portfolio_id, d.kind): d for d in DistributionList.objects.filter(portfolio__in=portfolios)}
    return render(
        request,
        "reporting/schedules.html",
        {
            "rows": _schedule_rows(),
            "portfolios": [
                (
                    portfolio,
                    [
                        (kind, label, lists.get((portfolio.pk, kind)))
                        for kind, label in DistributionList.Kind.choices
                    ],
                )
                for portfolio in portfolios
            ],
        },
    )


def _task_or_404(name: str) -> PeriodicTask:
    if name not in BEAT_SCHEDULE or name in INFRASTRUCTURE:
        raise Http404
    task = PeriodicTask.objects.select_related("crontab").filter(name=name).first()
    if task is None:
        install_schedules()
        task = PeriodicTask.objects.select_related("crontab").get(name=name)
    return task


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, name):
    """Change a job's crontab and whether it runs (HTMX inline form; 422 with the errors)."""
    _require_pmo(request.user)
    task = _task_or_404(name)
    cron = task.crontab
    initial = {
        "enabled": task.enabled,
        "minute": cron.minute if cron else "0",
        "hour": cron.hour if cron else "0",
        "day_of_week": cron.day_of_week if cron else "*",
        "day_of_month": cron.day_of_month if cron else "*",
    }
    form = ScheduleForm(request.POST or None, initial=initial)
    context = {
        "row": {"name": name, "task": task, "editable": True, "default": BEAT_SCHEDULE[name]},
        "form": form,
    }
    if request.method == "GET":
        return render(request, "reporting/partials/schedule_form.html", context)
    if not form.is_valid():
        return render_form_errors(request, "reporting/partials/schedule_form.html", context)
    data = form.cleaned_data
    with transaction.atomic(), audit_context(actor=request.user, reason=f"schedule {name}"):
        crontab_row, _created = CrontabSchedule.objects.get_or_create(
            minute=data["minute"],
            hour=data["hour"],
            day_of_week=data["day_of_week"],
            day_of_month=data["day_of_month"],
            month_of_year="*",
            timezone=cron.timezone if cron else timezone.get_current_timezone_name(),
        )
        task.crontab = crontab_row
        task.enabled = data["enabled"]
        task.save()
    task.refresh_from_db()
    context["row"]["task"] = task
    return render(request, "reporting/partials/schedule_row.html", context)


@login_required
@require_POST
def schedule_reset(request, name):
    _require_pmo(request.user)
    _task_or_404(name)
    install_schedules(reset=(name,))
    messages.success(request, _("The default schedule is back."))
    return redirect("schedules")


@login_required
@require_POST
def schedule_run(request, name):
    """Run a job now, limited to the portfolios the user is PMO officer of."""
    _require_pmo(request.user)
    task = _task_or_404(name)
    portfolio_ids = _pmo_portfolio_ids(request.user)
    transaction.on_commit(lambda: celery_app.send_task(task.task, kwargs={"portfolio_ids": portfolio_ids}))
    messages.success(request, _("The job was started; its reports appear in the report runs."))
    return redirect("schedules")
