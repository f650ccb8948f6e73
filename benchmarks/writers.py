"""Write operations of the benchmark: fresh objects per request, and the way back.

Every row a writer creates carries `MARK` in its `achievements` text, so `restore()` finds them even
after an interrupted run: it deletes the marked reports, the milestone forecasts their submission
recorded, and points each touched project back at its newest remaining submitted report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from benchmarks.operations import Context, Request, Sql

MARK = "[benchmark run: removed by benchmarks.writers.restore]"

_FORECASTS_OF_MARKED = """
DELETE FROM projects_milestoneforecast f
USING projects_milestone m, projects_statusreport r
WHERE f.milestone_id = m.id AND m.project_id = r.project_id AND f.period_start = r.period_start
  AND f.created_at >= r.created_at AND r.achievements = %s
"""
_LATEST = """
UPDATE projects_project p SET latest_report_id = (
    SELECT r.id FROM projects_statusreport r
    WHERE r.project_id = p.id AND r.state = 'submitted' AND r.is_current
    ORDER BY r.period_start DESC LIMIT 1)
WHERE p.id = ANY(%s)
"""


def restore(*, actor) -> int:
    """Remove every marked report and what its submission wrote; returns the number of reports."""
    from django.db import connection, transaction

    from pmo.core.audit import audit_context
    from projects.models import StatusReport

    marked = StatusReport.objects.filter(achievements=MARK)
    ids = list(marked.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic(), audit_context(actor=actor, reason="benchmark restore"):
        with connection.cursor() as cursor:
            cursor.execute(_FORECASTS_OF_MARKED, [MARK])
        delete_reports(ids)
    return len(ids)


def delete_reports(ids: list[int]) -> None:
    """Delete status reports and point their projects at their newest remaining submitted report
    (call inside a transaction and an audit context)."""
    from django.db import connection

    from projects.models import Project, StatusReport

    projects = sorted(set(StatusReport.objects.filter(pk__in=ids).values_list("project_id", flat=True)))
    Project.objects.filter(latest_report_id__in=ids).update(latest_report=None)
    StatusReport.objects.filter(pk__in=ids).delete()
    with connection.cursor() as cursor:
        cursor.execute(_LATEST, [projects])


def purge_broker() -> int:
    """Drop the Celery messages the writes sent (a submit queues a tolerance scan) from the
    benchmark's own broker (pmo.settings.bench: Redis database 14), so repeated runs leave nothing."""
    from pmo.celery import app

    try:
        return app.control.purge() or 0
    except Exception:  # no broker: nothing was queued either (the sends are robust)
        return 0


def _candidates(ctx: Context, actor):
    """Running projects the PMO officer may update, other than the one the read operations use,
    benchmark portfolios first, in a fixed order."""
    from django.db.models import Case, Value, When

    from projects.models import Project

    return (
        Project.objects.editable_by(actor)
        .filter(state__in=[Project.State.ACTIVE, Project.State.ON_HOLD], archived_at__isnull=True)
        .exclude(pk=ctx.project_id)
        .order_by(
            Case(When(portfolio__code__startswith="bench-", then=Value(0)), default=Value(1)), "code", "pk"
        )
    )


def _submit_floor(*, report_id: int, project_id: int, period_start, user_id: int, insert: bool) -> Sql:
    """The statements a submit needs, bare: (insert or) update the report, read the QCDR facts,
    point the project at its latest report and record the milestone forecasts of the period."""
    statements: Sql = []
    if insert:
        statements.append(
            (
                "INSERT INTO projects_statusreport (created_at, updated_at, version, project_id, "
                "period_start, revision, is_current, correction_reason, state, overall, quality, cost, "
                "schedule, risk, overall_comment, quality_comment, cost_comment, schedule_comment, "
                "risk_comment, percent_complete, achievements, next_steps, help_needed) VALUES (now(), "
                "now(), 1, %s, %s, 1, true, '', 'draft', 'green', 'green', 'amber', 'green', 'green', "
                "'', '', '', '', '', 50, %s, '', '') RETURNING id",
                (project_id, period_start, MARK),
            )
        )
    else:
        statements.append(("SELECT * FROM projects_statusreport WHERE id = %s FOR UPDATE", (report_id,)))
    statements += [
        (
            "SELECT p.*, pf.* FROM projects_project p JOIN portfolio_portfolio pf "
            "ON pf.id = p.portfolio_id WHERE p.id = %s",
            (project_id,),
        ),
        ("SELECT * FROM projects_milestone WHERE project_id = %s", (project_id,)),
        ("SELECT * FROM projects_costline WHERE project_id = %s", (project_id,)),
        ("SELECT * FROM projects_risk WHERE project_id = %s", (project_id,)),
        ("SELECT * FROM projects_deliverable WHERE project_id = %s", (project_id,)),
        (
            "UPDATE projects_statusreport SET state = 'submitted', submitted_at = now(), "
            "submitted_by_id = %s, indicated = '{}'::jsonb, version = version + 1 "
            "WHERE project_id = %s AND period_start = %s AND is_current",
            (user_id, project_id, period_start),
        ),
        (
            "UPDATE projects_project SET latest_report_id = (SELECT id FROM projects_statusreport "
            "WHERE project_id = %s AND state = 'submitted' AND is_current "
            "ORDER BY period_start DESC LIMIT 1) WHERE id = %s",
            (project_id, project_id),
        ),
        (
            "INSERT INTO projects_milestoneforecast (created_at, updated_at, milestone_id, period_start, "
            "forecast_date) SELECT now(), now(), id, %s, forecast_date FROM projects_milestone "
            "WHERE project_id = %s AND forecast_date IS NOT NULL ON CONFLICT (milestone_id, period_start) "
            "DO UPDATE SET forecast_date = EXCLUDED.forecast_date, updated_at = now()",
            (period_start, project_id),
        ),
    ]
    return statements


@dataclass
class Writer:
    """Fresh requests for a write operation; `floor()` runs in a transaction that is rolled back."""

    spare: tuple | None = None  # (report id or None, project id, period start): the floor's target

    def prepare(self, ctx: Context, count: int, *, actor) -> list[Request]:
        raise NotImplementedError

    def floor(self, ctx: Context, *, user_id: int) -> Sql:
        raise NotImplementedError

    def restore(self, *, actor) -> int:
        purge_broker()
        return restore(actor=actor)


class ApiSubmitWriter(Writer):
    """POST /api/v1/status-reports/{id}/submit/ on drafts prepared (untimed) in free past weeks."""

    def prepare(self, ctx: Context, count: int, *, actor) -> list[Request]:
        from django.db.models import Min
        from django.urls import reverse

        from benchmarks.operations import Request
        from projects import services

        projects = list(
            _candidates(ctx, actor).annotate(first_week=Min("status_reports__period_start"))[: count + 1]
        )
        if len(projects) < 2:
            raise RuntimeError("Not enough benchmark projects to prepare fresh drafts.")
        requests = []
        for project in projects:
            # The week before the first report of the project is always free; without any report,
            # the week before this one.
            week = (project.first_week or ctx.monday) - timedelta(weeks=1)
            draft = services.status_report_start(
                actor=actor,
                project=project,
                period_start=week,
                today=ctx.today,
                data={"achievements": MARK, "overall": "green", "percent_complete": 40},
            )
            requests.append((draft, Request("POST", reverse("api:status-report-submit", args=[draft.pk]))))
        (draft, _request), *rest = requests
        self.spare = (draft.pk, draft.project_id, draft.period_start)
        return [request for _draft, request in rest]

    def floor(self, ctx: Context, *, user_id: int) -> Sql:
        report_id, project_id, week = self.spare
        return _submit_floor(
            report_id=report_id, project_id=project_id, period_start=week, user_id=user_id, insert=False
        )


class FormSubmitWriter(Writer):
    """POST the weekly form (create this week's report and submit it) on projects without one yet."""

    def prepare(self, ctx: Context, count: int, *, actor) -> list[Request]:
        from django.urls import reverse

        from benchmarks.operations import Request
        from projects.models import StatusReport

        reported = StatusReport.objects.filter(period_start=ctx.monday, is_current=True).values("project_id")
        projects = list(_candidates(ctx, actor).exclude(pk__in=reported)[: count + 1])
        if len(projects) < 2:
            raise RuntimeError("No benchmark project is left without this week's report.")
        spare, *rest = projects
        self.spare = (None, spare.pk, ctx.monday)
        form = {
            "overall": "amber",
            "quality": "green",
            "cost": "amber",
            "schedule": "green",
            "risk": "green",
            "overall_comment": "Recette décalée d'une semaine.",
            "percent_complete": "55",
            "achievements": MARK,
            "next_steps": "Comité de recette.",
            "version": "0",
            "action": "submit",
        }
        body = urlencode(form).encode()
        return [
            Request(
                "POST",
                reverse("projects:weekly-update", args=[p.pk]),
                body=body,
                content_type="application/x-www-form-urlencoded",
            )
            for p in rest
        ]

    def floor(self, ctx: Context, *, user_id: int) -> Sql:
        _none, project_id, week = self.spare
        return _submit_floor(
            report_id=None, project_id=project_id, period_start=week, user_id=user_id, insert=True
        )
