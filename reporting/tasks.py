"""Celery tasks of reporting: generate a run, sweep lost runs, distribute, and the scheduled jobs.

Every task is idempotent: Celery on Redis delivers at least once (acks_late and
reject_on_worker_lost re-queue a message whose worker died; two beats send twice), so the database
decides what is done: unique run keys, an advisory lock per run, a conditional claim of the e-mail.
"""

import logging
import random
import time
from datetime import timedelta

from celery import shared_task, signals
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from reporting import distribution, services
from reporting.generators import TransientError, generator_for
from reporting.models import ReportRun

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@signals.worker_process_init.connect
def warm_chart_browser(**_kwargs) -> None:
    """Each Celery pool process boots its chart browser in the background at start, for the COPIL
    packs it will make (reporting.chart_images.pool; settings.CHART_BROWSER_*)."""
    if settings.CHART_BROWSER_WARM_START:
        from reporting.chart_images import pool

        pool.warm()


def backoff(retries: int) -> float:
    """1, 2, 4, 8... seconds (capped at 60) with ±25 % jitter."""
    delay = min(60.0, 2.0**retries)
    return delay * random.uniform(0.75, 1.25)  # noqa: S311 (jitter, not security)


@shared_task(bind=True, name="reporting.generate", ignore_result=True, max_retries=MAX_RETRIES)
def generate_report(self, run_id: int) -> str:
    """Generate one run; a duplicate copy of the message while another runs it is a no-op."""
    if not services.try_lock(run_id):
        return "locked"
    try:
        run = services.claim(run_id)
        if run is None:
            return "finished"
        try:
            with override(settings.LANGUAGE_CODE):
                generator = generator_for(run.kind)
                pause = settings.REPORT_FAULT_PAUSE_SECONDS  # tests only: a window to kill the worker
                if pause:
                    services.set_progress(run, 50, "fault hook: paused")
                    time.sleep(pause)
                rendered = generator(run, lambda percent, step="": services.set_progress(run, percent, step))
            services.finish_run(run, rendered)
        except TransientError as error:
            if self.request.retries >= MAX_RETRIES:
                services.fail_run(
                    run_id, _("Failed after %(n)d attempts: %(error)s") % {"n": run.attempts, "error": error}
                )
                distribution.notify_failure(run_id)
                return "failed"
            services.requeue_for_retry(run_id, str(error))
            raise self.retry(countdown=backoff(self.request.retries), exc=error) from error
        except SoftTimeLimitExceeded:
            services.fail_run(run_id, _("The report took longer than the time limit."))
            distribution.notify_failure(run_id)
            return "failed"
        except Exception as error:  # a permanent failure: stored and shown, never a half file
            logger.exception("Report run %s failed", run_id)
            services.fail_run(run_id, f"{type(error).__name__}: {error}")
            distribution.notify_failure(run_id)
            return "failed"
    finally:
        services.unlock(run_id)
    distribute_run.delay(run_id)
    return "done"


@shared_task(bind=True, name="reporting.distribute", ignore_result=True, max_retries=MAX_RETRIES)
def distribute_run(self, run_id: int) -> int:
    """E-mail the finished report (PDF attached) and notify in-app, once per run."""
    try:
        return distribution.distribute(run_id)
    except TransientError as error:
        raise self.retry(countdown=backoff(self.request.retries), exc=error) from error


@shared_task(name="reporting.sweep", ignore_result=True)
def sweep_runs() -> int:
    return len(services.sweep())


@shared_task(name="reporting.weekly_highlights", ignore_result=True)
def weekly_highlights() -> int:
    """Friday evening: this week's highlight report for every active project (idempotent per week)."""
    from projects.models import Project

    queued = 0
    for project in Project.objects.filter(
        state=Project.State.ACTIVE, archived_at__isnull=True
    ).select_related("portfolio"):
        _run, new = services.request_run(actor=None, kind=ReportRun.Kind.HIGHLIGHT, project=project)
        queued += new
    return queued


@shared_task(name="reporting.monday_reminders", ignore_result=True)
def monday_reminders(portfolio_ids: list[int] | None = None) -> int:
    """Monday morning: remind every manager whose report of the week just ended is missing."""
    from projects.models import Project

    today = timezone.localdate()
    projects = Project.objects.filter(portfolio_id__in=portfolio_ids) if portfolio_ids is not None else None
    return distribution.send_update_reminders(period=today - timedelta(days=7), actor=None, projects=projects)


@shared_task(name="reporting.monthly_steering_packs", ignore_result=True)
def monthly_steering_packs(portfolio_ids: list[int] | None = None) -> int:
    """On the first working day of the month (the crontab fires on days 1-7, the code checks), a
    steering committee pack per active portfolio; on demand (portfolio ids given), today."""
    from portfolio.models import Portfolio
    from projects.qcdr import first_working_day_of_month

    today = timezone.localdate()
    portfolios = Portfolio.objects.filter(archived_at__isnull=True)
    if portfolio_ids is not None:
        portfolios = portfolios.filter(pk__in=portfolio_ids)
    elif today != first_working_day_of_month(today):
        return 0
    queued = 0
    for portfolio in portfolios:
        _run, new = services.request_run(actor=None, kind=ReportRun.Kind.STEERING, portfolio=portfolio)
        queued += new
    return queued
