"""Writes on a project's registers: validated first, audited with the actor, version-checked."""

import copy
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from pmo.core.periods import week_start
from portfolio.models import Membership
from projects.models import (
    CostBaseline,
    CostBaselineLine,
    CostLine,
    Deliverable,
    DeliverableReview,
    Milestone,
    MilestoneForecast,
    Project,
    Risk,
)

PEOPLE = ("owner",)


def _check_people_and_dates(*, instance: models.Model, project: Project) -> None:
    """Owners must belong to the portfolio; milestone and deliverable dates may not precede the start."""
    errors: dict[str, str] = {}
    owner = getattr(instance, "owner", None)
    if (
        owner is not None
        and not Membership.objects.filter(portfolio_id=project.portfolio_id, user=owner).exists()
    ):
        errors["owner"] = _("%(person)s is not a member of this portfolio.") % {"person": owner}
    if project.start_date:
        for name in ("forecast_date", "baseline_date", "due_date"):
            value = getattr(instance, name, None)
            if isinstance(value, date) and value < project.start_date:
                errors[name] = _("This date is before the project start (%(start)s).") % {
                    "start": project.start_date.strftime("%d/%m/%Y")
                }
    if errors:
        raise ValidationError(errors)


def _clean(instance: models.Model, *, project: Project) -> None:
    errors: dict[str, list] = {}
    try:
        instance.full_clean(exclude=["version", "project"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        _check_people_and_dates(instance=instance, project=project)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_create(*, actor, model: type[models.Model], project: Project, data: dict[str, Any]):
    """Create one register row of `project` after validating every field (nothing written on error)."""
    instance = model(project=project, **data)
    _clean(instance, project=project)
    with audit_context(actor=actor):
        instance.save()
        _after_write(instance, previous=None)
    return instance


@transaction.atomic
def record_update(*, actor, instance: models.Model, version: int, data: dict[str, Any]):
    """Change a register row if it is still at `version` (StaleVersionError otherwise)."""
    previous = copy.copy(instance)
    candidate = copy.copy(instance)
    for name, value in data.items():
        setattr(candidate, name, value)
    _clean(candidate, project=instance.project)
    fields = dict(data)
    if isinstance(instance, Risk) and ({"probability", "impact"} & set(data)):
        fields["trend"] = _risk_trend(previous, candidate)
    achieved_now = isinstance(instance, Milestone) and data.get("actual_date") is not None
    if achieved_now and candidate.status == Milestone.Status.PLANNED:
        fields["status"] = Milestone.Status.ACHIEVED
    with audit_context(actor=actor):
        updated = versioned_update(instance=instance, expected_version=version, fields=fields)
        _after_write(updated, previous=previous)
    return updated


def _risk_trend(before: Risk, after: Risk) -> str:
    old, new = before.probability * before.impact, after.probability * after.impact
    if new > old:
        return Risk.Trend.UP
    if new < old:
        return Risk.Trend.DOWN
    return Risk.Trend.STABLE


def _after_write(instance: models.Model, *, previous) -> None:
    """Keep the milestone trend: the forecast as it stands this week is recorded once per week."""
    changed = previous is None or getattr(previous, "forecast_date", None) != getattr(
        instance, "forecast_date", None
    )
    if isinstance(instance, Milestone) and instance.forecast_date is not None and changed:
        MilestoneForecast.objects.update_or_create(
            milestone=instance,
            period_start=week_start(timezone.localdate()),
            defaults={"forecast_date": instance.forecast_date},
        )


@transaction.atomic
def deliverable_review(
    *, actor, deliverable: Deliverable, version: int, state: str, comment: str = ""
) -> Deliverable:
    """Move a deliverable through review (in review → accepted / rejected), keeping every step."""
    if state not in (Deliverable.State.IN_REVIEW, Deliverable.State.ACCEPTED, Deliverable.State.REJECTED):
        raise ValidationError({"state": _("Choose in review, accepted or rejected.")})
    if state == Deliverable.State.REJECTED and not comment.strip():
        raise ValidationError({"comment": _("Say why the deliverable is rejected.")})
    with audit_context(actor=actor):
        updated = versioned_update(instance=deliverable, expected_version=version, fields={"state": state})
        DeliverableReview.objects.create(deliverable=updated, state=state, comment=comment, reviewer=actor)
    return updated


@transaction.atomic
def cost_line_set(*, actor, project: Project, month: date, category: str, values: dict[str, Any]) -> CostLine:
    """Create or change the cost line of one month and category (planned / actual / forecast)."""
    if month.day != 1:
        raise ValidationError({"month": _("A cost line is for a whole month: use its first day.")})
    line = (
        CostLine.objects.select_for_update().filter(project=project, month=month, category=category).first()
    )
    if line is None:
        return record_create(
            actor=actor,
            model=CostLine,
            project=project,
            data={"month": month, "category": category, **values},
        )
    return record_update(actor=actor, instance=line, version=line.version, data=values)


@transaction.atomic
def cost_rebaseline(*, actor, project: Project, reason: str) -> CostBaseline:
    """Freeze the current cost plan as a numbered baseline before the plan changes (re-baselining)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the new baseline.")})
    lines = list(CostLine.objects.filter(project=project).order_by("month", "category"))
    number = (
        CostBaseline.objects.filter(project=project).aggregate(models.Max("number"))["number__max"] or 0
    ) + 1
    with audit_context(actor=actor, reason=reason):
        baseline = CostBaseline.objects.create(
            project=project,
            number=number,
            reason=reason,
            created_by=actor,
            total_planned=sum((line.planned for line in lines), 0),
        )
        CostBaselineLine.objects.bulk_create(
            CostBaselineLine(
                baseline=baseline, month=line.month, category=line.category, planned=line.planned
            )
            for line in lines
        )
    return baseline
