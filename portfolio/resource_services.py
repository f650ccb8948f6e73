"""Writes on the resource pool: resources, their skills and absences, each audited with its actor."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from portfolio.resource_models import Absence, Resource, ResourceSkill


def _skills(resource: Resource, skills: dict | None) -> None:
    """Replace the resource's skills by `skills` (Skill → level)."""
    if skills is None:
        return
    resource.skills.exclude(skill__in=list(skills)).delete()
    for skill, level in skills.items():
        ResourceSkill.objects.update_or_create(resource=resource, skill=skill, defaults={"level": level})


@transaction.atomic
def resource_create(*, actor, data: dict[str, Any], skills: dict | None = None) -> Resource:
    """Add a person to a portfolio's pool (with skills: Skill → level)."""
    with audit_context(actor=actor):
        resource = Resource(**data)
        resource.full_clean()
        resource.save()
        _skills(resource, skills)
    return resource


@transaction.atomic
def resource_update(
    *, actor, resource: Resource, version: int, data: dict[str, Any], skills: dict | None = None
) -> Resource:
    """Change a resource if nobody did since `version` (else StaleVersionError)."""
    data = {k: v for k, v in data.items() if k != "portfolio"}
    candidate = Resource(
        **{**{f.attname: getattr(resource, f.attname) for f in Resource._meta.concrete_fields}}
    )
    candidate._state.adding = False  # the same row: unique checks exclude it
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(
        exclude=["portfolio", "user"] if "user" not in data else ["portfolio"], validate_unique=True
    )
    with audit_context(actor=actor):
        updated = versioned_update(instance=resource, expected_version=version, fields=data)
        _skills(updated, skills)
    return updated


@transaction.atomic
def resource_set_archived(*, actor, resource: Resource, archived: bool) -> Resource:
    """Archive (leaves the pool; allocations stay in history) or restore a resource."""
    with audit_context(actor=actor, reason="archive" if archived else "restore"):
        resource.archived_at = timezone.now() if archived else None
        resource.save(update_fields=["archived_at", "updated_at"])
    return resource


@transaction.atomic
def absence_add(*, actor, resource: Resource, data: dict[str, Any]) -> Absence:
    """Record a period of absence (both days included)."""
    absence = Absence(resource=resource, **data)
    if absence.start_date and absence.end_date and absence.end_date < absence.start_date:
        raise ValidationError({"end_date": [_("The end date must be on or after the start date.")]})
    absence.full_clean()
    with audit_context(actor=actor):
        absence.save()
    return absence


@transaction.atomic
def absence_remove(*, actor, absence: Absence) -> None:
    with audit_context(actor=actor):
        absence.delete()
