"""Writes on a project's strategy: the objectives it serves, its scores (PMO-owned, like
`Project.strategic_score`, which they keep in sync), its benefits and their measurements.
Everything is validated before anything is written; audited with the actor."""

import copy
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from portfolio.models import Membership, ScoringCriterion, StrategicObjective
from projects import scoring
from projects.models import Benefit, BenefitMeasurement, Project, ProjectObjective, ProjectScore


@transaction.atomic
def project_objectives_set(*, actor, project: Project, contributions: dict[int, int]) -> None:
    """Set the project's contribution (0–3) to each given objective of its portfolio; 0 unlinks."""
    objectives = set(
        StrategicObjective.objects.filter(portfolio_id=project.portfolio_id).values_list("pk", flat=True)
    )
    errors = {}
    for objective_id, level in contributions.items():
        if objective_id not in objectives:
            errors["objective"] = _("This objective does not belong to the project's portfolio.")
        elif level not in (0, 1, 2, 3):
            errors[f"objective_{objective_id}"] = _("A contribution is between 0 and 3.")
    if errors:
        raise ValidationError(errors)
    existing = {link.objective_id: link for link in ProjectObjective.objects.filter(project=project)}
    with audit_context(actor=actor):
        for objective_id, level in contributions.items():
            link = existing.get(objective_id)
            if link is None and level:
                ProjectObjective.objects.create(
                    project=project, objective_id=objective_id, contribution=level
                )
            elif link is not None and not level:
                link.delete()
            elif link is not None and link.contribution != level:
                ProjectObjective.objects.filter(pk=link.pk).update(
                    contribution=level, version=F("version") + 1, updated_at=timezone.now()
                )


def validate_scores(
    *, project: Project, values: dict[int, tuple[int | None, str]]
) -> dict[int, ScoringCriterion]:
    """Every criterion must be an active one of the project's portfolio and every value on its scale."""
    criteria = {
        c.pk: c for c in ScoringCriterion.objects.filter(portfolio_id=project.portfolio_id, active=True)
    }
    errors: dict[str, str] = {}
    for criterion_id, (value, _comment) in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            errors["criterion"] = _("This criterion is not an active criterion of the project's portfolio.")
        elif value is not None and not criterion.scale_low <= value <= criterion.scale_high:
            errors[f"criterion_{criterion_id}"] = _("%(name)s is scored from %(low)d to %(high)d.") % {
                "name": criterion.name,
                "low": criterion.scale_low,
                "high": criterion.scale_high,
            }
    if errors:
        raise ValidationError(errors)
    return criteria


@transaction.atomic
def project_scores_set(
    *, actor, project: Project, values: dict[int, tuple[int | None, str]]
) -> Decimal | None:
    """Score the project on the given criteria ((value, comment); None clears the score), then keep
    `Project.strategic_score` equal to the weighted score rounded. Returns the weighted score."""
    criteria = validate_scores(project=project, values=values)
    existing = {s.criterion_id: s for s in ProjectScore.objects.select_for_update().filter(project=project)}
    now = timezone.now()
    with audit_context(actor=actor):
        for criterion_id, (value, comment) in values.items():
            score = existing.get(criterion_id)
            if value is None:
                if score is not None:
                    score.delete()
                    del existing[criterion_id]
                continue
            if score is None:
                existing[criterion_id] = ProjectScore.objects.create(
                    project=project,
                    criterion_id=criterion_id,
                    value=value,
                    comment=comment,
                    scored_by=actor,
                    scored_at=now,
                )
            elif score.value != value or score.comment != comment:
                ProjectScore.objects.filter(pk=score.pk).update(
                    value=value,
                    comment=comment,
                    scored_by=actor,
                    scored_at=now,
                    version=F("version") + 1,
                    updated_at=now,
                )
                score.value = value
        result = scoring.weighted_score(
            {pk: Decimal(s.value) for pk, s in existing.items() if pk in criteria},
            [
                scoring.Criterion(c.pk, c.weight, c.scale_low, c.scale_high, c.lower_is_better)
                for c in criteria.values()
            ],
        )
        rounded = None if result.value is None else int(result.value.quantize(Decimal(1), "ROUND_HALF_UP"))
        if project.strategic_score != rounded:
            Project.objects.filter(pk=project.pk).update(
                strategic_score=rounded, version=F("version") + 1, updated_at=now
            )
            project.strategic_score = rounded
    return result.value


# --- Benefits --------------------------------------------------------------------------------------

BENEFIT_FIELDS = (
    "description",
    "category",
    "measure",
    "unit",
    "baseline",
    "target",
    "owner",
    "expected_date",
    "state",
    "yearly_value",
    "years",
)


def _portfolio_id(benefit: Benefit) -> int:
    return benefit.project.portfolio_id if benefit.project_id else benefit.programme.portfolio_id


def _clean_benefit(benefit: Benefit) -> None:
    errors: dict[str, list] = {}
    try:
        benefit.full_clean(exclude=["version"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if (
        benefit.owner_id
        and not Membership.objects.filter(
            portfolio_id=_portfolio_id(benefit), user_id=benefit.owner_id
        ).exists()
    ):
        errors.setdefault("owner", []).append(
            _("%(person)s is not a member of this portfolio.") % {"person": benefit.owner}
        )
    if benefit.target == benefit.baseline and "target" not in errors:
        errors.setdefault("target", []).append(_("The target must differ from the baseline."))
    if benefit.category == Benefit.Category.NON_FINANCIAL and benefit.yearly_value:
        errors.setdefault("yearly_value", []).append(_("Only a financial benefit brings a yearly value."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def benefit_create(*, actor, data: dict[str, Any], project: Project | None = None, programme=None) -> Benefit:
    benefit = Benefit(project=project, programme=programme, **data)
    _clean_benefit(benefit)
    with audit_context(actor=actor):
        benefit.save()
    return benefit


@transaction.atomic
def benefit_update(*, actor, benefit: Benefit, version: int, data: dict[str, Any]) -> Benefit:
    candidate = copy.copy(benefit)
    for name, value in data.items():
        setattr(candidate, name, value)
    _clean_benefit(candidate)
    with audit_context(actor=actor):
        return versioned_update(instance=benefit, expected_version=version, fields=data)


@transaction.atomic
def measurement_record(*, actor, benefit: Benefit, data: dict[str, Any]) -> BenefitMeasurement:
    """Record a measurement of the benefit (one per date); allowed after the project's closure."""
    measurement = BenefitMeasurement(benefit=benefit, recorded_by=actor, **data)
    errors: dict[str, list] = {}
    try:
        measurement.full_clean(exclude=["version", "recorded_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if measurement.date and measurement.date > timezone.localdate():
        errors.setdefault("date", []).append(_("A measurement cannot be dated in the future."))
    if errors:
        raise ValidationError(errors)
    with audit_context(actor=actor):
        measurement.save()
    return measurement


@transaction.atomic
def measurement_update(*, actor, measurement: BenefitMeasurement, version: int, data: dict[str, Any]):
    candidate = copy.copy(measurement)
    for name, value in data.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean(exclude=["version", "recorded_by", "benefit"], validate_unique=False)
    except ValidationError:
        raise
    if candidate.date > timezone.localdate():
        raise ValidationError({"date": [_("A measurement cannot be dated in the future.")]})
    if (
        BenefitMeasurement.objects.filter(benefit_id=measurement.benefit_id, date=candidate.date)
        .exclude(pk=measurement.pk)
        .exists()
    ):
        raise ValidationError({"date": [_("This benefit already has a measurement on this date.")]})
    with audit_context(actor=actor):
        return versioned_update(instance=measurement, expected_version=version, fields=data)
