"""Re-baselining: the project's plan (milestone baseline dates, monthly planned costs, budget) is
changed as approved, and frozen as a new numbered baseline; every previous baseline is kept."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from projects.models import (
    CostBaseline,
    CostBaselineLine,
    CostLine,
    Milestone,
    MilestoneBaseline,
    Project,
)
from projects.models.registers import CostCategory

ZERO = Decimal("0")


@dataclass(frozen=True)
class CostDelta:
    """A change of the planned amount of one month and category (negative for a reduction)."""

    month: date
    category: str
    amount: Decimal


def _snapshot(*, baseline: CostBaseline, project: Project) -> None:
    """Copy the project's current plan into `baseline` (its cost lines and milestone dates)."""
    lines = list(CostLine.objects.filter(project=project).order_by("month", "category"))
    CostBaselineLine.objects.bulk_create(
        CostBaselineLine(baseline=baseline, month=line.month, category=line.category, planned=line.planned)
        for line in lines
    )
    _snapshot_milestones(baseline=baseline, project=project)
    CostBaseline.objects.filter(pk=baseline.pk).update(
        total_planned=sum((line.planned for line in lines), ZERO)
    )


def _snapshot_milestones(*, baseline: CostBaseline, project: Project) -> None:
    MilestoneBaseline.objects.bulk_create(
        MilestoneBaseline(
            baseline=baseline, milestone=m, name=m.name, baseline_date=m.baseline_date, is_key=m.is_key
        )
        for m in Milestone.objects.filter(project=project).exclude(status=Milestone.Status.CANCELLED)
    )


def validate_rebaseline(
    *, project: Project, milestone_dates: dict[int, date], cost_deltas: list[CostDelta]
) -> dict[str, list[str]]:
    """What makes the proposed plan impossible (unknown milestone, date before the start, unknown
    category, a month that is not a first day, a planned amount becoming negative), by field."""
    errors: dict[str, list[str]] = {}
    known = set(
        Milestone.objects.filter(project=project, pk__in=list(milestone_dates)).values_list("pk", flat=True)
    )
    for pk, new_date in milestone_dates.items():
        if pk not in known:
            errors.setdefault("milestones", []).append(
                _("Milestone %(id)s is not a milestone of this project.") % {"id": pk}
            )
        elif project.start_date and new_date < project.start_date:
            errors.setdefault("milestones", []).append(
                _("A new baseline date (%(date)s) is before the project start.")
                % {"date": new_date.strftime("%d/%m/%Y")}
            )
    planned = {
        (line.month, line.category): line.planned
        for line in CostLine.objects.filter(project=project, month__in=[d.month for d in cost_deltas])
    }
    totals: dict[tuple[date, str], Decimal] = {}
    for delta in cost_deltas:
        if delta.category not in CostCategory.values:
            errors.setdefault("cost_plan", []).append(
                _("Unknown cost category “%(c)s”.") % {"c": delta.category}
            )
            continue
        if delta.month.day != 1:
            errors.setdefault("cost_plan", []).append(_("A month of the cost plan starts on the 1st."))
            continue
        key = (delta.month, delta.category)
        totals[key] = totals.get(key, planned.get(key, ZERO)) + delta.amount
    for (month, category), total in totals.items():
        if total < 0:
            errors.setdefault("cost_plan", []).append(
                _("The planned %(category)s of %(month)s would become negative.")
                % {"category": category.upper(), "month": month.strftime("%m/%Y")}
            )
    return errors


@transaction.atomic
def project_rebaseline(
    *,
    actor,
    project: Project,
    reason: str,
    milestone_dates: dict[int, date] | None = None,
    cost_deltas: list[CostDelta] | None = None,
    budget_delta: Decimal = ZERO,
) -> CostBaseline:
    """Apply an approved change to the plan and freeze it as baseline N+1 (N, N-1… stay readable).

    Includes: the new baseline dates of the named milestones, the planned-cost deltas per month and
    category (a missing line is created), the budget (BAC) moved by `budget_delta`, and the frozen
    copy. When the project has no baseline yet, the plan in force before the change is frozen first
    as baseline 1; a baseline taken before milestones were frozen gets the dates in force (the
    baseline dates being replaced), so N-1 is always comparable. Validation first: nothing is written
    when one entry is wrong (ValidationError by field).
    """
    milestone_dates = dict(milestone_dates or {})
    cost_deltas = list(cost_deltas or [])
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the new baseline.")})
    project = Project.objects.select_for_update().get(pk=project.pk)
    errors = validate_rebaseline(project=project, milestone_dates=milestone_dates, cost_deltas=cost_deltas)
    if project.budget + budget_delta < 0:
        errors.setdefault("cost_impact", []).append(_("The budget cannot become negative."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with audit_context(actor=actor, reason=reason):
        previous = CostBaseline.objects.filter(project=project).order_by("-number").first()
        if previous is None:
            previous = CostBaseline.objects.create(
                project=project, number=1, reason=_("Plan in force before the first change"), created_by=actor
            )
            _snapshot(baseline=previous, project=project)
        elif not previous.milestones.exists():
            _snapshot_milestones(baseline=previous, project=project)
        for pk, new_date in milestone_dates.items():
            Milestone.objects.filter(pk=pk, project=project).update(
                baseline_date=new_date, version=F("version") + 1, updated_at=now
            )
        for delta in cost_deltas:
            updated = CostLine.objects.filter(
                project=project, month=delta.month, category=delta.category
            ).update(planned=F("planned") + delta.amount, version=F("version") + 1, updated_at=now)
            if not updated:
                CostLine.objects.create(
                    project=project, month=delta.month, category=delta.category, planned=delta.amount
                )
        if budget_delta:
            Project.objects.filter(pk=project.pk).update(
                budget=F("budget") + budget_delta, version=F("version") + 1, updated_at=now
            )
        number = (
            CostBaseline.objects.filter(project=project).aggregate(models.Max("number"))["number__max"] or 0
        ) + 1
        baseline = CostBaseline.objects.create(
            project=project, number=number, reason=reason.strip(), created_by=actor
        )
        _snapshot(baseline=baseline, project=project)
    baseline.refresh_from_db()
    return baseline
