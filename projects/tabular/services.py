"""Spreadsheet import jobs: upload (file checked, stored, hashed), dry run, confirmation, application.

Small files are checked and applied within the request; larger ones by Celery tasks
(projects.tasks), their progress kept in Redis (an applying import writes inside one transaction, so
its progress cannot live in the database) and polled by the page and the API.

Celery delivers at least once (acks_late): every task claims its job with a row lock and a state
test, and the application commits the rows and the APPLIED state together, so a redelivered or
duplicated message never writes twice, and a killed worker leaves nothing written.
"""

import hashlib
import json
import logging
import time
from datetime import timedelta

import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portfolio.models import Portfolio
from portfolio.resource_models import Resource
from projects.models import Project, TabularImport
from projects.tabular import engine, reader, safety

logger = logging.getLogger(__name__)

# Files up to this size are checked and applied during the request (a few hundred rows, < 1 s).
SYNC_MAX_BYTES = 64 * 1024
PENDING_LIFETIME = timedelta(days=1)
PROGRESS_TTL = 24 * 3600

State = TabularImport.State


# --- Who may import ---------------------------------------------------------------------------------


def can_import(*, user, portfolio: Portfolio) -> bool:
    """PMO officers of the portfolio (everything), and whoever may change one of its projects (the
    registers of those projects: managers and deputies). Row by row, the engine checks the rest."""
    if not user.is_authenticated or portfolio.is_archived:
        return False
    if Portfolio.objects.editable_by(user).filter(pk=portfolio.pk).exists():
        return True
    return Project.objects.editable_by(user).filter(portfolio=portfolio).exists()


def importable_objects(*, user, portfolio: Portfolio) -> list[str]:
    from projects.tabular.specs import SPECS

    pmo = Portfolio.objects.editable_by(user).filter(pk=portfolio.pk).exists()
    return [name for name in SPECS if pmo or name not in ("projects", "resources", "absences")]


# --- Progress ---------------------------------------------------------------------------------------


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)


def _key(job_id) -> str:
    return f"pmo:tabular-import:{job_id}"


def set_progress(job_id, percent: int, step: str) -> None:
    try:
        _redis().set(_key(job_id), json.dumps({"progress": percent, "step": step}), ex=PROGRESS_TTL)
    except redis.RedisError:  # progress is a nicety: an import never fails because Redis is away
        logger.warning("tabular import %s: progress not stored", job_id)


def progress_of(job: TabularImport) -> dict:
    if job.is_running:
        try:
            raw = _redis().get(_key(job.pk))
        except redis.RedisError:
            raw = None
        if raw:
            return json.loads(raw)
    return {"progress": job.progress, "step": job.step}


def _throttled(job_id):
    last = [-1]

    def report(percent: int, step: str) -> None:
        if percent != last[0]:
            last[0] = percent
            set_progress(job_id, percent, step)

    return report


# --- Upload ---------------------------------------------------------------------------------------


def tabular_import_upload(
    *, actor, portfolio: Portfolio, filename: str, data: bytes, object_type: str = ""
) -> TabularImport:
    """Check the container (size, magic bytes, zip limits) and store the file; nothing else is read yet.

    Raises TabularFileError (French message) for a refused file, PermissionDenied for a user who may
    not import into this portfolio. Small files are checked at once, larger ones by a task."""
    if not can_import(user=actor, portfolio=portfolio):
        raise PermissionDenied
    kind = safety.detect_format(filename=filename, data=data)
    if kind == safety.XLSX:
        safety.check_xlsx_container(data)
    _purge_stale(actor=actor)
    digest = hashlib.sha256(data).hexdigest()
    job = TabularImport(
        portfolio=portfolio,
        created_by=actor,
        original_name=filename[-255:],
        format=kind,
        object_type=object_type,
        size=len(data),
        sha256=digest,
    )
    job.file.save(f"{job.pk}.{kind}", ContentFile(data), save=False)
    job.save()
    if len(data) <= SYNC_MAX_BYTES:
        validate(job.pk)
        job.refresh_from_db()
    else:
        from projects.tasks import tabular_validate

        transaction.on_commit(lambda: tabular_validate.delay(str(job.pk)))
    return job


def _purge_stale(*, actor) -> None:
    cutoff = timezone.now() - PENDING_LIFETIME
    stale = TabularImport.objects.filter(created_by=actor, created_at__lt=cutoff).exclude(state=State.APPLIED)
    for job in stale:
        if job.file:
            job.file.delete(save=False)
    stale.delete()


def _read(job: TabularImport) -> reader.ReadResult:
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        raise safety.TabularFileError(
            "Le fichier déposé n'est plus disponible : déposez-le à nouveau."
        ) from None
    return reader.read_file(filename=job.original_name, data=data, object_type=job.object_type)


def _previous(job: TabularImport) -> TabularImport | None:
    return (
        TabularImport.objects.filter(portfolio=job.portfolio, sha256=job.sha256, state=State.APPLIED)
        .exclude(pk=job.pk)
        .order_by("-applied_at")
        .first()
    )


# --- Dry run ----------------------------------------------------------------------------------------


def validate(job_id) -> str:
    """Read and check every row; store the preview (READY) or every error (INVALID). Idempotent."""
    with transaction.atomic():
        job = TabularImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in (State.QUEUED, State.VALIDATING):
            return "skipped"
        job.state = State.VALIDATING
        job.save(update_fields=["state"])
    report = _throttled(job.pk)
    report(0, "Lecture du fichier")
    try:
        read = _read(job)
        report(5, f"{read.row_count} lignes lues")
        plan = engine.plan_import(
            actor=job.created_by,
            portfolio=job.portfolio,
            read=read,
            progress=lambda p, s: report(5 + int(p * 0.95), s),
        )
    except safety.TabularFileError as error:
        _finish(job, State.FAILED, message=error.message, result={})
        return "refused"
    result = _result(job, plan)
    rows = sum(len(sheet.rows) for sheet in plan.sheets)  # the template example rows left out
    _finish(
        job,
        State.READY if plan.ok else State.INVALID,
        result=result,
        rows=rows if plan.ok else read.row_count,
    )
    return job.state


def _result(job: TabularImport, plan: engine.Plan) -> dict:
    usernames = dict(job.portfolio.memberships.values_list("user_id", "user__username"))
    for linked in ("user", "manager"):  # people linked to the pool may not be members
        usernames.update(
            Resource.objects.filter(portfolio=job.portfolio, **{f"{linked}__isnull": False}).values_list(
                f"{linked}_id", f"{linked}__username"
            )
        )
    result = engine.plan_json(plan, usernames=usernames)
    previous = _previous(job)
    if previous is not None:
        result["previously_applied"] = previous.applied_at.isoformat()
    return result


def _finish(
    job: TabularImport, state: str, *, result: dict, message: str = "", rows: int | None = None
) -> None:
    job.state = state
    job.result = result
    job.message = message
    job.progress = 100
    job.step = ""
    if rows is not None:
        job.rows = rows
    fields = ["state", "result", "message", "progress", "step", "rows"]
    if state in (State.READY, State.INVALID, State.FAILED):
        job.validated_at = timezone.now()
        fields.append("validated_at")
    job.save(update_fields=fields)


def _pausing(job_id, report, seconds: float):
    """Reliability drills: stop once, half-way through the writes, for a kill -9 to land there."""
    paused = [False]

    def wrapped(percent: int, step: str) -> None:
        report(percent, step)
        if percent >= 50 and not paused[0]:
            paused[0] = True
            set_progress(job_id, percent, "fault hook: paused")
            time.sleep(seconds)

    return wrapped


# --- Confirmation and application -------------------------------------------------------------------


def confirm(*, actor, job: TabularImport) -> TabularImport:
    """Apply a checked import: at once when small, else queued. Only its uploader confirms it."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        job = TabularImport.objects.select_for_update().get(pk=job.pk)
        if job.state != State.READY:
            return job
        job.state = State.APPLYING
        job.progress, job.step = 0, "En attente"
        job.save(update_fields=["state", "progress", "step"])
    set_progress(job.pk, 0, "En attente")
    if job.size <= SYNC_MAX_BYTES:
        apply(job.pk)
    else:
        from projects.tasks import tabular_apply

        tabular_apply.delay(str(job.pk))
    job.refresh_from_db()
    return job


def apply(job_id) -> str:
    """Write every row in one transaction with the job's APPLIED state; a kill leaves nothing."""
    report = _throttled(job_id)
    pause = getattr(settings, "TABULAR_FAULT_PAUSE_SECONDS", 0)  # reliability drills only
    if pause:
        report = _pausing(job_id, report, pause)
    refused: engine.ImportRefused | None = None
    with transaction.atomic():
        job = TabularImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != State.APPLYING:
            return "skipped"
        try:
            read = _read(job)
            plan = engine.apply_import(
                actor=job.created_by,
                portfolio=job.portfolio,
                read=read,
                reason=f"Import {job.original_name} ({job.sha256[:12]})",
                progress=report,
            )
        except engine.ImportRefused as error:
            refused = error
        except safety.TabularFileError as error:
            _finish(job, State.FAILED, message=error.message, result={})
            return "refused"
        if refused is None:
            result = _result(job, plan)
            result["applied"] = plan.totals()
            job.result = result
            job.state = State.APPLIED
            job.applied_at = timezone.now()
            job.progress, job.step = 100, ""
            job.save(update_fields=["result", "state", "applied_at", "progress", "step"])
    if refused is not None:
        _finish(job, State.INVALID, result=_result(job, refused.plan))
        return "invalid"
    set_progress(job.pk, 100, "Terminé")
    if job.file:
        # after the commit only: a rolled-back caller (a test savepoint, an outer transaction) keeps it
        transaction.on_commit(lambda: job.file.delete(save=True))
    return "applied"
