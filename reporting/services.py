"""Report runs: request (idempotent), claim, progress, finish, fail, sweep, distribute.

A run is unique per (kind, scope, period). Requesting it again returns the same run; only a failed
run is queued again. The Celery task claims a run under a PostgreSQL advisory lock held for the whole
generation: a duplicate message (second beat, redelivery while the first copy still runs) finds the
lock taken and does nothing, while a copy redelivered after its worker died finds the lock free (the
dead worker's connection released it) and finishes the run. The file is written once, complete, by
`finish_run`; a failure stores the error and no file.
"""

import hashlib
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import ProjectException
from pmo.core.periods import week_start
from pmo.core.roles import PORTFOLIO_WIDE_READ_ROLES, Role
from portfolio.models import Membership, Portfolio, Programme
from projects.models import Project
from reporting.generators import Rendered
from reporting.models import ReportRun

logger = logging.getLogger(__name__)

# Advisory-lock class id of report runs (the second key is the run's id).
LOCK_CLASS = 7301
Kind = ReportRun.Kind
Status = ReportRun.Status


# --- Who may request what -----------------------------------------------------------------------


def can_request(*, user, kind: str, portfolio: Portfolio, project: Project | None = None) -> bool:
    """Steering packs: whoever reads the whole portfolio (PMO, executives, project managers).
    Highlight and exception reports: the project's editors (PMO, manager, deputy) and the portfolio's
    executives. Team members read reports; they do not request them."""
    if user.is_superuser:
        return True
    role = Membership.objects.filter(user=user, portfolio=portfolio).values_list("role", flat=True).first()
    if kind == Kind.STEERING:
        return role in PORTFOLIO_WIDE_READ_ROLES
    if role in (Role.PMO, Role.EXECUTIVE):
        return True
    return project is not None and user.pk in (project.manager_id, project.deputy_id)


# --- Requesting a run ----------------------------------------------------------------------------


def scope_key(*, kind: str, portfolio=None, programme=None, project=None, exception=None) -> str:
    if kind == Kind.HIGHLIGHT:
        return f"project-{project.pk}"
    if kind == Kind.EXCEPTION:
        return f"exception-{exception.pk}"
    return f"programme-{programme.pk}" if programme else f"portfolio-{portfolio.pk}"


def default_period(kind: str, today: date) -> date:
    """Highlight reports cover the ISO week (its Monday); packs and exception reports the day."""
    return week_start(today) if kind == Kind.HIGHLIGHT else today


def request_run(
    *,
    actor,
    kind: str,
    portfolio: Portfolio | None = None,
    programme: Programme | None = None,
    project: Project | None = None,
    exception: ProjectException | None = None,
    period: date | None = None,
    options: dict | None = None,
) -> tuple[ReportRun, bool]:
    """The run of (kind, scope, period), created and queued if new, re-queued if it failed.

    Returns (run, queued_now). `actor` None means the schedule; otherwise the actor must be allowed
    to request this kind of report for this scope (PermissionDenied).
    """
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown report kind.")})
    if kind == Kind.HIGHLIGHT and project is None:
        raise ValidationError({"project": _("A highlight report needs a project.")})
    if kind == Kind.EXCEPTION and exception is None:
        raise ValidationError({"exception": _("An exception report needs an exception.")})
    if kind == Kind.STEERING and portfolio is None and programme is None:
        raise ValidationError({"portfolio": _("A steering committee pack needs a portfolio or a programme.")})
    if exception is not None:
        project = exception.project
    if programme is not None:
        portfolio = programme.portfolio
    if project is not None:
        portfolio = project.portfolio
    if actor is not None and not can_request(user=actor, kind=kind, portfolio=portfolio, project=project):
        raise PermissionDenied
    period = period or default_period(kind, timezone.localdate())
    if kind == Kind.HIGHLIGHT:
        period = week_start(period)
    key = ReportRun.make_key(
        kind,
        scope=scope_key(
            kind=kind, portfolio=portfolio, programme=programme, project=project, exception=exception
        ),
        period=period,
    )
    fields = {
        "kind": kind,
        "portfolio": portfolio if kind == Kind.STEERING else None,
        "programme": programme if kind == Kind.STEERING else None,
        "project": project if kind == Kind.HIGHLIGHT else None,
        "exception": exception if kind == Kind.EXCEPTION else None,
        "period": period,
        "options": options or {},
        "requested_by": actor,
    }
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(key=key).first()
        if run is None:
            try:
                with transaction.atomic():
                    run = ReportRun.objects.create(key=key, **fields)
            except IntegrityError:  # a concurrent request created it first
                return ReportRun.objects.get(key=key), False
        elif run.status == Status.FAILED:
            run.status, run.error, run.progress, run.step = Status.QUEUED, "", 0, ""
            run.requested_by = actor or run.requested_by
            run.save(update_fields=["status", "error", "progress", "step", "requested_by"])
        else:
            return run, False
        enqueue(run)
    return run, True


def enqueue(run: ReportRun) -> None:
    """Send the generation task once the transaction commits (nothing runs for a rolled-back run)."""
    from reporting.tasks import generate_report

    ReportRun.objects.filter(pk=run.pk).update(enqueued_at=timezone.now())
    transaction.on_commit(lambda: generate_report.delay(run.pk))


# --- Running a run --------------------------------------------------------------------------------


def try_lock(run_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, run_id])
        return cursor.fetchone()[0]


def unlock(run_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, run_id])


def claim(run_id: int) -> ReportRun | None:
    """Mark a queued (or orphaned running) run as running; None if it is finished or gone.

    The caller holds the run's advisory lock, so a run found `running` here was left by a worker
    that died: it is taken over.
    """
    now = timezone.now()
    updated = ReportRun.objects.filter(pk=run_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.RUNNING, started_at=now, progress=0, step=""
    )
    if not updated:
        return None
    run = ReportRun.objects.select_related(
        "portfolio", "programme", "project__portfolio", "exception__project__portfolio", "requested_by"
    ).get(pk=run_id)
    ReportRun.objects.filter(pk=run_id).update(attempts=run.attempts + 1)
    run.attempts += 1
    return run


def set_progress(run: ReportRun, percent: int, step: str = "") -> None:
    """Visible progress, committed at once (the generation itself runs outside any transaction)."""
    percent = max(0, min(99, int(percent)))
    ReportRun.objects.filter(pk=run.pk).update(progress=percent, step=step[:200])


def finish_run(run: ReportRun, rendered: Rendered) -> ReportRun:
    """Store the complete file under its deterministic name and mark the run done, in one step."""
    storage = run.file.storage
    name = run.file.field.generate_filename(run, rendered.filename)
    if storage.exists(name):  # left by an attempt that died between writing and marking done
        storage.delete(name)
    saved = storage.save(name, ContentFile(rendered.content))
    ReportRun.objects.filter(pk=run.pk).update(
        status=Status.DONE,
        progress=100,
        step="",
        error="",
        file=saved,
        file_sha256=hashlib.sha256(rendered.content).hexdigest(),
        file_size=len(rendered.content),
        page_count=rendered.page_count,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def fail_run(run_id: int, message: str) -> None:
    ReportRun.objects.filter(pk=run_id).exclude(status=Status.DONE).update(
        status=Status.FAILED, error=message[:2000], finished_at=timezone.now(), step=""
    )


def requeue_for_retry(run_id: int, message: str) -> None:
    ReportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
        status=Status.QUEUED,
        step=_("Retrying after an error: %(error)s") % {"error": message[:150]},
        enqueued_at=timezone.now(),
    )


def sweep(*, older_than: timedelta | None = None) -> list[int]:
    """Re-queue runs whose message was lost: queued for too long, or running with nobody holding
    their lock (the worker died and Redis has not redelivered yet, or was flushed)."""
    from reporting.tasks import generate_report

    older_than = older_than or timedelta(seconds=settings.REPORT_SWEEP_AFTER_SECONDS)
    limit = timezone.now() - older_than
    stuck = list(
        ReportRun.objects.filter(status=Status.QUEUED, enqueued_at__lt=limit).values_list("pk", flat=True)
    )
    for run_id in ReportRun.objects.filter(status=Status.RUNNING, started_at__lt=limit).values_list(
        "pk", flat=True
    ):
        if try_lock(run_id):  # nobody is generating it
            unlock(run_id)
            stuck.append(run_id)
    for run_id in stuck:
        ReportRun.objects.filter(pk=run_id).update(enqueued_at=timezone.now())
        generate_report.delay(run_id)
    if stuck:
        logger.warning("Re-queued %d stuck report runs: %s", len(stuck), stuck)
    return stuck
