"""The weekly loop's writes: start a report pre-filled from last week, edit it, submit and freeze it."""

import copy
from datetime import date
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from pmo.core.periods import is_week_start, week_start
from projects import qcdr, selectors
from projects.models import Project, StatusReport

CARRIED_FIELDS = (
    "overall",
    "quality",
    "cost",
    "schedule",
    "risk",
    "overall_comment",
    "quality_comment",
    "cost_comment",
    "schedule_comment",
    "risk_comment",
    "percent_complete",
    "achievements",
    "next_steps",
    "help_needed",
)


def _check_period(period_start: date, *, today: date) -> None:
    if not is_week_start(period_start):
        raise ValidationError({"period_start": _("A status period starts on a Monday.")})
    if period_start > week_start(today):
        raise ValidationError({"period_start": _("You cannot report on a week that has not started.")})


def previous_report(*, project: Project, before: date) -> StatusReport | None:
    return (
        StatusReport.objects.filter(
            project=project, state=StatusReport.State.SUBMITTED, is_current=True, period_start__lt=before
        )
        .order_by("-period_start")
        .first()
    )


@transaction.atomic
def status_report_start(
    *, actor, project: Project, period_start: date, today: date | None = None, data: dict | None = None
) -> StatusReport:
    """This week's report: the existing one, or a new draft pre-filled from the last submitted report."""
    today = today or timezone.localdate()
    _check_period(period_start, today=today)
    existing = StatusReport.objects.filter(
        project=project, period_start=period_start, is_current=True
    ).first()
    if existing is not None:
        return existing
    return _draft_create(actor=actor, project=project, period_start=period_start, today=today, data=data)


def _draft_create(
    *, actor, project: Project, period_start: date, today: date | None, data: dict | None
) -> StatusReport:
    """A new draft pre-filled from the last submitted report (the week has none: the caller, inside
    its transaction, just looked)."""
    today = today or timezone.localdate()
    _check_period(period_start, today=today)
    previous = previous_report(project=project, before=period_start)
    carried = {name: getattr(previous, name) for name in CARRIED_FIELDS} if previous else {}
    report = StatusReport(project=project, period_start=period_start, **{**carried, **(data or {})})
    report.full_clean(exclude=["version", "project", "indicated"], validate_constraints=False)
    with audit_context(actor=actor):
        report.save()
    return report


@transaction.atomic
def status_report_update(*, actor, report: StatusReport, version: int, data: dict[str, Any]) -> StatusReport:
    """Change a draft; a submitted report is frozen (corrections go through status_report_correct)."""
    if report.is_frozen:
        raise ValidationError(_("This report is submitted and frozen; record a correction instead."))
    candidate = copy.copy(report)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["version", "project", "indicated"], validate_constraints=False)
    with audit_context(actor=actor):
        return versioned_update(instance=report, expected_version=version, fields=data)


@transaction.atomic
def status_report_submit(
    *, actor, report: StatusReport, version: int, today: date | None = None
) -> StatusReport:
    """Freeze the report with the QCDR indicated by the data today; it becomes the project's latest."""
    return _submit(actor=actor, report=report, version=version, today=today)


def _submit(*, actor, report: StatusReport, version: int, today: date | None) -> StatusReport:
    """status_report_submit inside the caller's transaction: the services that start or correct a
    report and submit it in one transaction call this, without a savepoint of their own (all or
    nothing already; a savepoint costs two statements)."""
    today = today or timezone.localdate()
    if report.is_frozen:
        raise ValidationError(_("This week's report is already submitted."))
    _check_period(report.period_start, today=today)
    project = _project_with_portfolio(report)
    result = selectors.project_qcdr(
        project=project, as_of=today, report=report, percent_complete=report.percent_complete
    )
    with audit_context(actor=actor):
        submitted = versioned_update(
            instance=report,
            expected_version=version,
            fields={
                "state": StatusReport.State.SUBMITTED,
                "submitted_at": timezone.now(),
                "submitted_by": actor,
                "indicated": qcdr.qcdr_as_dict(result),
            },
        )
        _after_submit(submitted)
    # The tolerance scan of this project (DESIGN step 3). Governance sits above projects, so the
    # task is sent by name; after commit, and `robust` so a broker outage never fails the submit.
    transaction.on_commit(
        lambda: current_app.send_task("governance.scan_project", args=[project.pk]), robust=True
    )
    return submitted


def _project_with_portfolio(report: StatusReport) -> Project:
    """The report's project and portfolio: as loaded with the report (the API's submit reads them
    with it to check the user may edit the project), else read."""
    if StatusReport.project.is_cached(report) and Project.portfolio.is_cached(report.project):
        return report.project
    return Project.objects.select_related("portfolio").get(pk=report.project_id)


def _after_submit(report: StatusReport) -> None:
    """Point the project at its newest report and record this period's milestone forecasts (MTA).

    Two statements whatever the number of milestones: one UPDATE with the newest report as a
    sub-select, one INSERT … SELECT … ON CONFLICT UPDATE of the forecasts from the milestones
    (audited by the same triggers as any write)."""
    newest = (
        StatusReport.objects.filter(
            project_id=report.project_id, state=StatusReport.State.SUBMITTED, is_current=True
        )
        .order_by("-period_start")
        .values("pk")[:1]
    )
    Project.objects.filter(pk=report.project_id).update(latest_report_id=Subquery(newest))
    with connection.cursor() as cursor:
        cursor.execute(FORECASTS_FROM_MILESTONES, [report.period_start, report.project_id])


# This period's forecast of each of the project's dated milestones (the tables of MilestoneForecast
# and Milestone; tests/projects/test_status_services.py checks the rows it writes and their audit).
FORECASTS_FROM_MILESTONES = """
INSERT INTO projects_milestoneforecast (milestone_id, period_start, forecast_date, created_at, updated_at)
SELECT id, %s, forecast_date, statement_timestamp(), statement_timestamp() FROM projects_milestone
WHERE project_id = %s AND forecast_date IS NOT NULL
ON CONFLICT (milestone_id, period_start)
DO UPDATE SET forecast_date = EXCLUDED.forecast_date, updated_at = EXCLUDED.updated_at
"""


@transaction.atomic
def status_report_no_change(
    *, actor, project: Project, period_start: date, today: date | None = None
) -> StatusReport:
    """ "Rien à signaler": submit this week's report with last week's values and comments, in one step."""
    if previous_report(project=project, before=period_start) is None:
        raise ValidationError(_("There is no previous report to copy: fill in this first report."))
    report = status_report_start(actor=actor, project=project, period_start=period_start, today=today)
    return _submit(actor=actor, report=report, version=report.version, today=today)


@transaction.atomic
def status_report_correct(
    *, actor, report: StatusReport, reason: str, data: dict[str, Any], today: date | None = None
) -> StatusReport:
    """Correct a submitted report: a new, submitted revision with a reason; the old one is kept."""
    if not report.is_frozen or not report.is_current:
        raise ValidationError(_("Only the current submitted report can be corrected."))
    if not reason.strip():
        raise ValidationError({"correction_reason": _("Say why the report is corrected.")})
    fields = {name: getattr(report, name) for name in CARRIED_FIELDS}
    fields.update(data)
    with audit_context(actor=actor, reason=reason):
        StatusReport.objects.filter(pk=report.pk, version=report.version).update(is_current=False)
        correction = StatusReport(
            project_id=report.project_id,
            period_start=report.period_start,
            revision=report.revision + 1,
            correction_reason=reason,
            **fields,
        )
        correction.full_clean(exclude=["version", "project", "indicated"], validate_constraints=False)
        correction.save()
    return _submit(actor=actor, report=correction, version=correction.version, today=today)


@transaction.atomic
def status_report_save(
    *,
    actor,
    project: Project,
    period_start: date,
    version: int | None,
    data: dict[str, Any],
    submit: bool,
    today: date | None = None,
) -> StatusReport:
    """The update form's one write: create the week's draft if needed, save it, optionally submit.

    All or nothing: a validation error or a stale version leaves no draft behind.
    """
    report = StatusReport.objects.filter(project=project, period_start=period_start, is_current=True).first()
    if report is None:
        report = _draft_create(
            actor=actor, project=project, period_start=period_start, today=today, data=data
        )
    else:
        report = status_report_update(actor=actor, report=report, version=version or 0, data=data)
    if submit:
        report = _submit(actor=actor, report=report, version=report.version, today=today)
    return report
