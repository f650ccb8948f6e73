"""A parsed schedule mapped onto a project: the preview (what would change) and its application.

Mapping (kept simple, and said so in the preview):
- project start/end ← the file's project dates, widened to cover every imported milestone date;
- WBS summary tasks / WBS nodes → the milestone's `phase` (the outermost level that is not shared by
  every milestone of the file) and the full WBS path in its description (there is no phase model);
- flagged milestones and zero-duration tasks → milestones, matched on re-import by (source format,
  source unique id): MS Project task UID, P6 activity GUID (else activity ID);
  baseline ← baseline 0 / target date, forecast ← current (remaining/early) date, actual, % complete;
- cost-loaded files → one cost line per month in the chosen category (planned ← baseline/target
  cost, actual ← actual cost, forecast ← actual + remaining), written through `cost_line_set`.
Milestones of an earlier import that are absent from the new file are left as they are (counted).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.periods import week_start
from portfolio.selectors import portfolios_creatable_in
from projects.imports.common import ScheduleData, ScheduleImportError, ScheduleTask, check_size
from projects.imports.mspdi import parse_mspdi
from projects.imports.xer import parse_xer
from projects.models import Milestone, MilestoneForecast, Project, ScheduleImport
from projects.services.project import project_create, project_update
from projects.services.registers import cost_line_set

# The preview lists at most this many changed milestones (the counts cover all of them).
PREVIEW_ROWS = 300
# Uploads never applied are deleted (file included) when their owner uploads again after this delay.
PENDING_LIFETIME = timedelta(days=1)
DATE_FIELDS = ("baseline_date", "forecast_date", "actual_date")
COMPARED = ("name", "phase", "description", *DATE_FIELDS, "percent_complete")
SHOWN = ("phase", *DATE_FIELDS, "percent_complete")  # the before/after values a preview row carries


def detect_format(*, filename: str, data: bytes) -> str:
    """'xer' or 'mspdi', from the content first (a renamed file is still recognised), then the name."""
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"ERMHDR"):
        return ScheduleImport.Format.XER
    if head.startswith(b"<"):
        return ScheduleImport.Format.MSPDI
    raise ScheduleImportError(
        f"Type de fichier non reconnu ({filename}) : importez un fichier MS Project XML (.xml) "
        "ou Primavera P6 (.xer)."
    )


def parse_schedule(*, filename: str, data: bytes) -> ScheduleData:
    """Parse either format; every refusal is a ScheduleImportError with a French message."""
    check_size(data)
    if detect_format(filename=filename, data=data) == ScheduleImport.Format.XER:
        return parse_xer(data)
    return parse_mspdi(data)


@dataclass
class MilestoneChange:
    uid: str
    name: str
    phase: str
    action: str  # new / updated / unchanged
    before: dict[str, Any]
    after: dict[str, Any]
    changed: list[str]


@dataclass
class ImportPlan:
    """What applying the file would do; also the JSON of the API preview."""

    format: str
    schedule_name: str
    currency: str
    project_start: date | None
    project_end: date | None
    milestones_in_file: int
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    absent: int = 0  # imported earlier, no longer in the file (left untouched)
    forecast_changes: int = 0
    cost_loaded: bool = False
    cost_months: int = 0
    planned_total: Decimal = Decimal("0")
    actual_total: Decimal = Decimal("0")
    forecast_total: Decimal = Decimal("0")
    changes: list[MilestoneChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Kept out of the JSON: the values to write, per source uid.
    rows: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def as_json(self, *, rows: int = PREVIEW_ROWS) -> dict[str, Any]:
        """The counts, totals and the first `rows` new or updated milestones (not `asdict`: deep-copying
        thousands of changes took seconds on a large XER)."""
        shown = [c for c in self.changes if c.action != "unchanged"][:rows]
        data = {name: getattr(self, name) for name in SUMMARY_FIELDS}
        data["warnings"] = list(self.warnings)
        data["changes"] = [
            {
                "uid": c.uid,
                "name": c.name,
                "phase": c.phase,
                "action": c.action,
                "before": {k: _json_value(v) for k, v in c.before.items()},
                "after": {k: _json_value(v) for k, v in c.after.items()},
                "changed": list(c.changed),
            }
            for c in shown
        ]
        data["changes_truncated"] = self.new + self.updated > len(shown)
        for key in ("project_start", "project_end"):
            data[key] = _json_value(data[key])
        for key in ("planned_total", "actual_total", "forecast_total"):
            data[key] = str(data[key])
        return data


SUMMARY_FIELDS = (
    "format",
    "schedule_name",
    "currency",
    "project_start",
    "project_end",
    "milestones_in_file",
    "new",
    "updated",
    "unchanged",
    "absent",
    "forecast_changes",
    "cost_loaded",
    "cost_months",
    "planned_total",
    "actual_total",
    "forecast_total",
)


def _json_value(value):
    return value.isoformat() if isinstance(value, date) else value


def _common_prefix(paths: list[tuple[str, ...]]) -> int:
    """How many leading WBS levels every milestone shares (a P6 file often nests everything under
    one contract node: the phases are the level below it)."""
    if not paths:
        return 0
    shortest = min(len(p) for p in paths)
    depth = 0
    while depth < shortest and all(p[depth] == paths[0][depth] for p in paths):
        depth += 1
    return depth


def _milestone_values(task: ScheduleTask, *, shared: int) -> dict[str, Any]:
    path = " / ".join(task.wbs_path)
    levels = task.wbs_path[shared:] or task.wbs_path[-1:]
    return {
        "name": task.name[:200],
        "phase": (levels[0] if levels else "")[:200],
        "description": (_("WBS: %(path)s") % {"path": path}) if path else "",
        "baseline_date": task.baseline,
        "forecast_date": task.forecast,
        "actual_date": task.actual,
        "percent_complete": task.percent_complete,
    }


def plan_schedule_import(*, schedule: ScheduleData, project: Project | None) -> ImportPlan:
    """Compare the file with the project's milestones (one query); nothing is written."""
    dates = [d for t in schedule.milestones for d in (t.baseline, t.forecast, t.actual) if d]
    starts = [d for d in (schedule.start, *dates) if d]
    ends = [d for d in (schedule.finish, *dates) if d]
    plan = ImportPlan(
        format=schedule.format,
        schedule_name=schedule.name,
        currency=schedule.currency,
        project_start=min(starts) if starts else None,
        project_end=max(ends) if ends else None,
        milestones_in_file=len(schedule.milestones),
        cost_loaded=schedule.cost_loaded,
        cost_months=len(schedule.costs.months()) if schedule.cost_loaded else 0,
        planned_total=schedule.costs.total("planned"),
        actual_total=schedule.costs.total("actual"),
        forecast_total=schedule.costs.total("forecast"),
        warnings=list(schedule.warnings),
    )
    existing: dict[str, Milestone] = {}
    if project is not None:
        existing = {
            m.source_uid: m
            for m in Milestone.objects.filter(project=project, source=schedule.format).exclude(source_uid="")
        }
    seen: set[str] = set()
    duplicates = 0
    shared = _common_prefix([t.wbs_path for t in schedule.milestones])
    for task in schedule.milestones:
        if task.uid in seen:
            duplicates += 1
            continue
        seen.add(task.uid)
        after = _milestone_values(task, shared=shared)
        current = existing.get(task.uid)
        if current is None:
            action, before, changed = "new", {}, list(COMPARED)
            plan.new += 1
            plan.forecast_changes += after["forecast_date"] is not None
        else:
            before = {name: getattr(current, name) for name in COMPARED}
            changed = [name for name in COMPARED if before[name] != after[name]]
            action = "updated" if changed else "unchanged"
            plan.updated += bool(changed)
            plan.unchanged += not changed
            plan.forecast_changes += "forecast_date" in changed and after["forecast_date"] is not None
        plan.rows[task.uid] = after
        plan.changes.append(
            MilestoneChange(
                uid=task.uid,
                name=after["name"],
                phase=after["phase"],
                action=action,
                before={k: before.get(k) for k in SHOWN} if before else {},
                after={k: after[k] for k in SHOWN},
                changed=changed,
            )
        )
    plan.absent = len(set(existing) - seen)
    if duplicates:
        plan.warnings.append(f"{duplicates} jalon(s) en double (même identifiant) ignoré(s).")
    if plan.absent:
        plan.warnings.append(
            f"{plan.absent} jalon(s) importé(s) précédemment ne sont plus dans le fichier : "
            "ils sont conservés."
        )
    return plan


# ----------------------------------------------------------------------------------------------
# Upload and apply


def schedule_import_upload(
    *,
    actor,
    filename: str,
    data: bytes,
    project: Project | None,
    new_project: dict[str, Any] | None = None,
    cost_category: str = "opex",
) -> tuple[ScheduleImport, ImportPlan]:
    """Parse the file (refused with nothing stored if unreadable), keep it for the apply step under a
    random id, and return the preview. The target must be editable by / creatable for `actor`."""
    _check_target(actor=actor, project=project, new_project=new_project)
    schedule = parse_schedule(filename=filename, data=data)
    _purge_stale_uploads(actor=actor)
    plan = plan_schedule_import(schedule=schedule, project=project)
    pending = ScheduleImport(
        created_by=actor,
        project=project,
        new_project=new_project or {},
        cost_category=cost_category,
        format=schedule.format,
        original_name=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        result={"preview": plan.as_json(rows=0)},
    )
    # The stored name is random (the uuid), never derived from the user's file name.
    pending.file.save(f"{pending.id.hex}.{schedule.format}", ContentFile(data), save=False)
    pending.save()
    return pending, plan


def _purge_stale_uploads(*, actor) -> None:
    stale = ScheduleImport.objects.filter(
        created_by=actor,
        state=ScheduleImport.State.PENDING,
        created_at__lt=timezone.now() - PENDING_LIFETIME,
    )
    for pending in stale:
        pending.file.delete(save=False)
        pending.delete()


def _check_target(*, actor, project: Project | None, new_project: dict[str, Any] | None) -> None:
    if project is not None:
        if not Project.objects.editable_by(actor).filter(pk=project.pk).exists():
            raise PermissionDenied
        return
    if not new_project:
        raise ValidationError(_("Choose a project or describe the new one."))
    if not portfolios_creatable_in(user=actor).filter(pk=new_project.get("portfolio")).exists():
        raise PermissionDenied


def schedule_import_preview(*, schedule_import: ScheduleImport) -> ImportPlan:
    """The preview of a pending import, recomputed against the project as it is now."""
    schedule = _read_pending(schedule_import)
    return plan_schedule_import(schedule=schedule, project=schedule_import.project)


def _read_pending(schedule_import: ScheduleImport) -> ScheduleData:
    with schedule_import.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != schedule_import.sha256:
        raise ScheduleImportError("Le fichier déposé a changé depuis l'aperçu : déposez-le à nouveau.")
    return parse_schedule(filename=schedule_import.original_name, data=data)


@transaction.atomic
def schedule_import_apply(*, actor, schedule_import: ScheduleImport) -> dict[str, Any]:
    """Write the whole import or nothing: project (created or its dates), milestones (created or
    updated by source id), this week's forecast history, cost lines by month. Returns the result."""
    locked = ScheduleImport.objects.select_for_update().get(pk=schedule_import.pk)
    if locked.created_by_id != actor.pk:
        raise PermissionDenied
    if locked.state == ScheduleImport.State.APPLIED:
        raise ValidationError(_("This import has already been applied."))
    _check_target(actor=actor, project=locked.project, new_project=locked.new_project)
    schedule = _read_pending(locked)
    reason = f"Import de planning {locked.get_format_display()} : {locked.original_name}"[:200]
    project = locked.project
    if project is None:
        dates = plan_schedule_import(schedule=schedule, project=None)
        project = project_create(
            actor=actor,
            data={
                "portfolio_id": int(locked.new_project["portfolio"]),
                "code": locked.new_project["code"],
                "name": locked.new_project.get("name") or schedule.name[:200] or locked.new_project["code"],
                "start_date": dates.project_start,
                "end_date": dates.project_end,
                "budget": dates.planned_total,
                "state": Project.State.ACTIVE,
            },
        )
    plan = plan_schedule_import(schedule=schedule, project=project)
    with audit_context(actor=actor, reason=reason):
        _apply_project_dates(actor=actor, project=project, plan=plan)
        _apply_milestones(project=project, plan=plan, source=schedule.format)
        months = _apply_costs(actor=actor, project=project, schedule=schedule, category=locked.cost_category)
        result = {
            **plan.as_json(rows=0),
            "project": project.pk,
            "cost_lines": months,
        }
        locked.project = project
        locked.state = ScheduleImport.State.APPLIED
        locked.applied_at = timezone.now()
        locked.result = result
        locked.save(update_fields=["project", "state", "applied_at", "result"])
    name = locked.file.name
    storage = locked.file.storage
    transaction.on_commit(lambda: storage.delete(name))
    return result


def _apply_project_dates(*, actor, project: Project, plan: ImportPlan) -> None:
    data = {}
    if plan.project_start and plan.project_start != project.start_date:
        data["start_date"] = plan.project_start
    if plan.project_end and plan.project_end != project.end_date:
        data["end_date"] = plan.project_end
    if data:
        project_update(actor=actor, project=project, version=project.version, data=data)
        project.refresh_from_db()


def _apply_milestones(*, project: Project, plan: ImportPlan, source: str) -> None:
    """Bulk writes (a P6 file has thousands of milestones); pghistory triggers audit each row."""
    existing = {
        m.source_uid: m
        for m in Milestone.objects.select_for_update().filter(
            Q(project=project, source=source) & ~Q(source_uid="")
        )
    }
    now = timezone.now()
    created, updated = [], []
    for change in plan.changes:
        values = plan.rows[change.uid]
        if change.action == "new":
            milestone = Milestone(project=project, source=source, source_uid=change.uid, **values)
            if values["actual_date"]:
                milestone.status = Milestone.Status.ACHIEVED
            milestone.full_clean(
                exclude=["project", "version"], validate_unique=False, validate_constraints=False
            )
            created.append(milestone)
        elif change.action == "updated":
            milestone = existing[change.uid]
            for name, value in values.items():
                setattr(milestone, name, value)
            if values["actual_date"] and milestone.status == Milestone.Status.PLANNED:
                milestone.status = Milestone.Status.ACHIEVED
            milestone.version += 1
            milestone.updated_at = now
            updated.append((milestone, "forecast_date" in change.changed))
    Milestone.objects.bulk_create(created, batch_size=500)
    Milestone.objects.bulk_update(
        [m for m, _f in updated],
        [*COMPARED, "status", "version", "updated_at"],
        batch_size=500,
    )
    # The milestone trend (MTA) of the weekly loop: this week's forecast, as record_update keeps it.
    period = week_start(timezone.localdate())
    forecasts = [
        MilestoneForecast(milestone=m, period_start=period, forecast_date=m.forecast_date)
        for m in [*created, *(m for m, forecast_changed in updated if forecast_changed)]
        if m.forecast_date is not None
    ]
    MilestoneForecast.objects.bulk_create(
        forecasts,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["milestone", "period_start"],
        update_fields=["forecast_date", "updated_at"],
    )


def _apply_costs(*, actor, project: Project, schedule: ScheduleData, category: str) -> int:
    if not schedule.cost_loaded:
        return 0
    costs = schedule.costs
    months = costs.months()
    for month in months:
        cost_line_set(
            actor=actor,
            project=project,
            month=month,
            category=category,
            values={
                "planned": costs.planned.get(month, Decimal("0")),
                "actual": costs.actual.get(month, Decimal("0")),
                "forecast": costs.forecast.get(month, Decimal("0")),
            },
        )
    return len(months)
