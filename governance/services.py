"""Writes on exceptions: the tolerance scan raises them and drafts their report; people raise one by
hand, complete and send the report, and close the exception (a decision, never automatic)."""

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import override

from governance import drafting, selectors, tolerances
from governance.models import ExceptionReport, ProjectException
from governance.permissions import can_close, can_edit_report, can_raise
from governance.rendering import report_document_html
from pmo.core.audit import audit_context
from pmo.core.locking import StaleVersionError, versioned_update
from pmo.core.models import Notification
from pmo.core.notifications import notify
from pmo.core.roles import Role
from portfolio.models import Membership
from projects import qcdr, strategy_selectors
from projects.models import Project, Risk
from projects.selectors import declared_from, facts_for_projects, stage_tolerances_for, thresholds_for

logger = logging.getLogger(__name__)

SCAN_REASON = "tolerance scan"
SCAN_BATCH_SIZE = 200
Tolerance = ProjectException.Tolerance
State = ProjectException.State


class ReportFrozenError(Exception):
    """The exception report was sent: it is frozen (pages answer 403, the API 409)."""


# --- The tolerance scan ---------------------------------------------------------------------------


@dataclass
class ScanResult:
    """What one scan did: projects read, exceptions raised, open exceptions whose forecast moved."""

    scanned: int = 0
    raised: list[ProjectException] = field(default_factory=list)
    updated: int = 0

    def add(self, other: "ScanResult") -> None:
        self.scanned += other.scanned
        self.raised += other.raised
        self.updated += other.updated


def scannable_projects():
    """Active, not archived projects: the ones whose tolerances are watched."""
    return Project.objects.filter(state=Project.State.ACTIVE, archived_at__isnull=True)


def scan_project(*, project: Project, as_of: date | None = None) -> ScanResult:
    """Scan one project (after its weekly report, or on demand); a project not active is skipped."""
    return scan_projects(project_ids=[project.pk], as_of=as_of)


def scan_all(*, as_of: date | None = None, batch_size: int = SCAN_BATCH_SIZE) -> ScanResult:
    """The daily scan: every active project, in batches read in a constant number of queries each."""
    total = ScanResult()
    ids = list(scannable_projects().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        total.add(scan_projects(project_ids=ids[start : start + batch_size], as_of=as_of))
    return total


def scan_projects(*, project_ids: Iterable[int], as_of: date | None = None) -> ScanResult:
    """Raise an exception for every watched tolerance forecast to be breached that has none open;
    refresh the forecast of the open ones. Never closes one. Idempotent: a re-scan raises nothing.

    Reads: the projects with their people (1 query), their facts (5), their benefits (up to 3),
    their scope against the baseline (up to 3), their stage tolerances (1), their open exceptions (1),
    whatever their number; each raise then writes its exception, its drafted report and the
    notifications (and reads the top threat's texts for a risk exception).
    """
    as_of = as_of or timezone.localdate()
    projects = list(
        scannable_projects()
        .filter(pk__in=list(project_ids))
        .select_related("portfolio", "programme", "manager", "deputy", "sponsor", "latest_report")
    )
    result = ScanResult(scanned=len(projects))
    if not projects:
        return result
    facts = facts_for_projects(projects=projects, as_of=as_of)
    benefit_shortfalls = strategy_selectors.worst_benefit_shortfalls(projects=projects, as_of=as_of)
    scope_changes = selectors.scope_changes_for(projects=projects, facts=facts)
    stage_tolerances = stage_tolerances_for(projects)
    open_ones = {
        (e.project_id, e.tolerance): e
        for e in ProjectException.objects.open().filter(project_id__in=[p.pk for p in projects])
    }
    pmo_officers: dict[int, list] = {}
    with override(settings.LANGUAGE_CODE), audit_context(actor=None, reason=SCAN_REASON):
        for project in projects:
            thresholds = thresholds_for(project, stage_tolerances.get(project.pk))
            computed = qcdr.compute_qcdr(
                facts[project.pk], declared_from(project.latest_report), as_of, thresholds
            )
            found = _measures(
                computed,
                thresholds,
                facts=facts[project.pk],
                as_of=as_of,
                scope=scope_changes.get(project.pk),
                benefit=benefit_shortfalls.get(project.pk),
            )
            for tolerance, measure in found.items():
                existing = open_ones.get((project.pk, tolerance))
                if existing is not None:
                    result.updated += _refresh_forecast(existing, measure)
                elif measure.breached:
                    raised = _raise_from_scan(
                        project=project,
                        measure=measure,
                        computed=computed,
                        facts=facts[project.pk],
                        as_of=as_of,
                    )
                    if raised is not None:
                        result.raised.append(raised)
                        if project.portfolio_id not in pmo_officers:
                            pmo_officers[project.portfolio_id] = _pmo_officers(project.portfolio_id)
                        notify_raised(raised, pmo_officers=pmo_officers[project.portfolio_id])
    if result.raised:
        logger.info("Tolerance scan raised %d exceptions", len(result.raised))
    return result


def _measures(computed, thresholds, *, facts, as_of, scope, benefit) -> dict[str, tolerances.Measure]:
    """Every measurable tolerance; the benefit tolerance is the stage's or project's override, else the
    portfolio's strategy setting read with the benefits (`benefit`: (worst shortfall, that default))."""
    found = tolerances.measures(computed, thresholds, facts=facts, as_of=as_of, scope=scope)
    if benefit is not None:
        worst, portfolio_default = benefit
        limit = thresholds.benefit_tolerance_pct
        measure = tolerances.benefit_measure(worst, portfolio_default if limit is None else limit)
        if measure is not None:
            found[measure.tolerance] = measure
    return found


def _refresh_forecast(exception: ProjectException, measure: tolerances.Measure) -> int:
    """Keep the open exception's forecast current (it may come back within the limit: the PMO or the
    sponsor then decides to close it). One UPDATE, only when the value moved."""
    if exception.forecast_value == measure.value and exception.limit == measure.limit:
        return 0
    return ProjectException.objects.filter(pk=exception.pk).update(
        forecast_value=measure.value, limit=measure.limit, version=F("version") + 1, updated_at=timezone.now()
    )


def _draft_input(
    *, project: Project, tolerance: str, measure, computed, facts, as_of: date
) -> drafting.DraftInput:
    detail = {}
    if tolerance == tolerances.RISK:
        top = (
            Risk.objects.filter(project=project, status=Risk.Status.OPEN, is_opportunity=False)
            .order_by("-score", "title")
            .values("cause", "effect", "mitigation")
            .first()
        )
        detail = top or {}
    return drafting.DraftInput(
        project_code=project.code,
        project_name=project.name,
        currency=project.portfolio.currency,
        budget=project.budget,
        start_date=project.start_date,
        as_of=as_of,
        tolerance=tolerance,
        measure=measure,
        result=computed,
        facts=facts,
        thresholds=thresholds_for(project),
        top_risk_detail=detail,
        people={
            "portfolio": project.portfolio.name,
            "programme": project.programme.name if project.programme_id else "",
            "manager": str(project.manager or ""),
            "sponsor": str(project.sponsor or ""),
            "budget": str(project.budget),
        },
    )


def _raise_from_scan(*, project, measure, computed, facts, as_of) -> ProjectException | None:
    data = _draft_input(
        project=project,
        tolerance=measure.tolerance,
        measure=measure,
        computed=computed,
        facts=facts,
        as_of=as_of,
    )
    try:
        with transaction.atomic():
            exception = ProjectException.objects.create(
                project=project,
                tolerance=measure.tolerance,
                forecast_value=measure.value,
                limit=measure.limit,
                unit=measure.unit,
                summary=drafting.exception_summary(measure, currency=project.portfolio.currency),
                raised_at=timezone.now(),
                raised_by=None,
            )
            ExceptionReport.objects.create(exception=exception, **drafting.draft_report(data))
    except IntegrityError:  # a concurrent scan raised it first (one open exception per tolerance)
        return None
    exception.project = project
    return exception


def _pmo_officers(portfolio_id: int) -> list:
    return [
        m.user
        for m in Membership.objects.filter(portfolio_id=portfolio_id, role=Role.PMO).select_related("user")
    ]


def notify_raised(exception: ProjectException, *, pmo_officers: list) -> int:
    """The project manager (and deputy) to complete the report; the sponsor and the PMO to know.
    Once per person and exception (a re-run notifies nobody twice)."""
    project = exception.project
    key = f"exception-{exception.pk}-raised"
    values = {"project": project.name, "tolerance": exception.get_tolerance_display().lower()}
    sent = notify(
        recipients=[project.manager, project.deputy],
        kind=Notification.Kind.EXCEPTION,
        title=_("Exception on %(project)s (%(tolerance)s): complete the exception report") % values,
        body=exception.summary,
        key=key,
        url=reverse("governance:report-edit", args=[exception.pk]),
    )
    sent += notify(
        recipients=[project.sponsor, *pmo_officers],
        kind=Notification.Kind.EXCEPTION,
        title=_("Exception raised on %(project)s (%(tolerance)s)") % values,
        body=exception.summary,
        key=key,
        url=reverse("governance:exception-detail", args=[exception.pk]),
    )
    return sent


# --- Raising by hand, closing ---------------------------------------------------------------------


@transaction.atomic
def raise_exception(
    *,
    actor,
    project: Project,
    tolerance: str,
    summary: str,
    forecast_value: Decimal | None = None,
    limit: Decimal | None = None,
    unit: str = "",
    as_of: date | None = None,
) -> ProjectException:
    """An exception raised by the project manager or the PMO (any tolerance). The figures default to
    the measured ones when the tolerance can be measured; the report is
    drafted as the scan drafts it, with the given summary as its cause."""
    if not can_raise(actor, project):
        raise PermissionDenied
    as_of = as_of or timezone.localdate()
    if tolerance not in Tolerance.values:
        raise ValidationError({"tolerance": _("Unknown tolerance.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Say what is forecast to be breached.")})
    if ProjectException.objects.open().filter(project=project, tolerance=tolerance).exists():
        raise ValidationError({"tolerance": _("An exception is already open for this tolerance.")})
    project = Project.objects.select_related(
        "portfolio", "programme", "manager", "deputy", "sponsor", "latest_report"
    ).get(pk=project.pk)
    thresholds = thresholds_for(project)
    all_facts = facts_for_projects(projects=[project], as_of=as_of)
    facts = all_facts[project.pk]
    computed = qcdr.compute_qcdr(facts, declared_from(project.latest_report), as_of, thresholds)
    measure = _measures(
        computed,
        thresholds,
        facts=facts,
        as_of=as_of,
        scope=selectors.scope_changes_for(projects=[project], facts=all_facts).get(project.pk),
        benefit=strategy_selectors.worst_benefit_shortfalls(projects=[project], as_of=as_of).get(project.pk),
    ).get(tolerance)
    if forecast_value is None or limit is None:
        if measure is None:
            raise ValidationError(
                {
                    "forecast_value": _(
                        "Give the forecast value and the limit: this tolerance is not measured."
                    )
                }
            )
        forecast_value = measure.value if forecast_value is None else forecast_value
        limit = measure.limit if limit is None else limit
    with override(settings.LANGUAGE_CODE), audit_context(actor=actor, reason="exception raised by hand"):
        exception = ProjectException.objects.create(
            project=project,
            tolerance=tolerance,
            forecast_value=forecast_value,
            limit=limit,
            unit=unit or tolerances.UNITS.get(tolerance, ""),
            summary=summary.strip(),
            raised_at=timezone.now(),
            raised_by=actor,
        )
        # The options are computed only when the data shows the breach; otherwise the manager writes them.
        drafted_from = measure if measure is not None and measure.breached else None
        data = _draft_input(
            project=project,
            tolerance=tolerance,
            measure=drafted_from,
            computed=computed,
            facts=facts,
            as_of=as_of,
        )
        draft = drafting.draft_report(data)
        draft["cause"] = summary.strip() + ("\n" + draft["cause"] if draft["cause"] else "")
        ExceptionReport.objects.create(exception=exception, **draft)
        notify_raised(exception, pmo_officers=_pmo_officers(project.portfolio_id))
    return exception


@transaction.atomic
def close_exception(
    *, actor, exception: ProjectException, note: str, version: int | None = None
) -> ProjectException:
    """Close an exception: a decision of the sponsor or the PMO, with the note that records it."""
    if not can_close(actor, exception):
        raise PermissionDenied
    if exception.state == State.CLOSED:
        raise ValidationError(_("This exception is already closed."))
    if not note.strip():
        raise ValidationError({"note": _("Record the decision that closes the exception.")})
    with override(settings.LANGUAGE_CODE), audit_context(actor=actor, reason="exception closed"):
        closed = versioned_update(
            instance=exception,
            expected_version=exception.version if version is None else version,
            fields={"state": State.CLOSED, "closed_at": timezone.now(), "closing_note": note.strip()},
        )
        project = Project.objects.select_related("manager", "deputy", "sponsor").get(pk=closed.project_id)
        notify(
            recipients=[
                project.manager,
                project.deputy,
                project.sponsor,
                *_pmo_officers(project.portfolio_id),
            ],
            kind=Notification.Kind.EXCEPTION,
            title=_("Exception closed on %(project)s (%(tolerance)s)")
            % {"project": project.name, "tolerance": closed.get_tolerance_display().lower()},
            body=closed.closing_note,
            key=f"exception-{closed.pk}-closed",
            url=reverse("governance:exception-detail", args=[closed.pk]),
        )
    return closed


# --- The exception report: edit, send -------------------------------------------------------------

OPTION_KEYS = ("title", "description", "cost_impact", "schedule_impact_days", "risk")


def clean_options(options: Any) -> list[dict]:
    """Options as stored: a list of {title, description, cost_impact (string), schedule_impact_days
    (int), risk}; rows without a title are dropped, bad figures are a ValidationError."""
    if not isinstance(options, list):
        raise ValidationError({"options": _("Options must be a list.")})
    cleaned = []
    for index, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            raise ValidationError({"options": _("Option %(n)s is not an object.") % {"n": index}})
        title = str(option.get("title") or "").strip()
        description = str(option.get("description") or "").strip()
        if not title and not description:
            continue
        if not title:
            raise ValidationError({"options": _("Option %(n)s needs a title.") % {"n": index}})
        cost = option.get("cost_impact")
        days = option.get("schedule_impact_days")
        try:
            cost = str(Decimal(str(cost)).quantize(Decimal("0.01"))) if cost not in (None, "") else None
        except InvalidOperation:
            raise ValidationError(
                {"options": _("Option %(n)s: the cost impact is not a number.") % {"n": index}}
            ) from None
        try:
            days = int(days) if days not in (None, "") else None
        except (TypeError, ValueError):
            raise ValidationError(
                {
                    "options": _("Option %(n)s: the schedule impact is not a whole number of days.")
                    % {"n": index}
                }
            ) from None
        cleaned.append(
            {
                "title": title[:200],
                "description": description,
                "cost_impact": cost,
                "schedule_impact_days": days,
                "risk": str(option.get("risk") or "").strip(),
            }
        )
    return cleaned


EDITABLE_REPORT_FIELDS = ("title", "cause", "consequences", "options", "recommendation", "decision_requested")


def _check_report_editable(*, actor, report: ExceptionReport) -> None:
    if not can_edit_report(actor, report.exception):
        raise PermissionDenied
    if report.is_frozen:
        raise ReportFrozenError
    if report.exception.state == State.CLOSED:
        raise ValidationError(_("The exception is closed: its report can no longer change."))


@transaction.atomic
def exception_report_update(
    *, actor, report: ExceptionReport, version: int, data: dict[str, Any]
) -> ExceptionReport:
    """Change a draft report (PM, deputy, PMO); a sent report is frozen (ReportFrozenError)."""
    _check_report_editable(actor=actor, report=report)
    unknown = set(data) - set(EDITABLE_REPORT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    data = dict(data)
    if "options" in data:
        data["options"] = clean_options(data["options"])
    candidate = copy.copy(report)
    for name, value in data.items():
        setattr(candidate, name, value)
    if not (candidate.title or "").strip():
        raise ValidationError({"title": _("The report needs a title.")})
    candidate.full_clean(exclude=["exception", "version", "facts"], validate_constraints=False)
    with audit_context(actor=actor, reason="exception report edited"):
        return versioned_update(instance=report, expected_version=version, fields=data)


def completeness_errors(report: ExceptionReport) -> dict[str, list[str]]:
    """What is missing before the report can be sent, each message naming its field."""
    errors: dict[str, list[str]] = {}
    for name in ("title", "cause", "consequences", "recommendation", "decision_requested"):
        if not str(getattr(report, name) or "").strip():
            label = capfirst(ExceptionReport._meta.get_field(name).verbose_name)
            errors[name] = [_("Fill in “%(field)s” before sending the report.") % {"field": label}]
    try:
        options = clean_options(report.options)
    except ValidationError as error:
        errors["options"] = error.message_dict["options"]
    else:
        if not options:
            errors["options"] = [_("Give at least one option, with its title, before sending the report.")]
    return errors


@transaction.atomic
def send_exception_report(*, actor, report: ExceptionReport, version: int | None = None) -> ExceptionReport:
    """Check the report is complete (ValidationError naming each missing field, nothing written),
    then freeze it: state sent, sender and time, and the HTML as it is read from now on. The
    exception becomes "reported". The caller (reporting) requests the PDF in the same transaction."""
    report = (
        ExceptionReport.objects.select_for_update()
        .select_related("exception__project__portfolio")
        .get(pk=report.pk)
    )
    _check_report_editable(actor=actor, report=report)
    if version is not None and version != report.version:
        raise StaleVersionError
    errors = completeness_errors(report)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    frozen = copy.copy(report)
    frozen.state, frozen.sent_at, frozen.sent_by = ExceptionReport.State.SENT, now, actor
    frozen.options = clean_options(report.options)
    with override(settings.LANGUAGE_CODE):
        html = report_document_html(frozen)
    with audit_context(actor=actor, reason="exception report sent"):
        sent = versioned_update(
            instance=report,
            expected_version=report.version,
            fields={
                "state": ExceptionReport.State.SENT,
                "sent_at": now,
                "sent_by": actor,
                "options": frozen.options,
                "html_snapshot": html,
            },
        )
        ProjectException.objects.filter(pk=report.exception_id, state=State.OPEN).update(
            state=State.REPORTED, version=F("version") + 1, updated_at=now
        )
    return sent
