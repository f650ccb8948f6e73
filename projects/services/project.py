"""Writes on projects and their teams, each audited with its actor."""

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from portfolio.models import Membership
from projects.models import Project, ProjectMember

PEOPLE_FIELDS = ("manager", "deputy", "sponsor")


def _validate_frame(*, data: dict[str, Any], portfolio_id: int) -> None:
    """Programme and people must belong to the project's portfolio; collect every error at once."""
    errors: dict[str, str] = {}
    programme = data.get("programme")
    if programme is not None and programme.portfolio_id != portfolio_id:
        errors["programme"] = _("This programme belongs to another portfolio.")
    people = {name: data[name] for name in PEOPLE_FIELDS if data.get(name) is not None}
    if people:
        members = set(
            Membership.objects.filter(
                portfolio_id=portfolio_id, user__in=[u.pk for u in people.values()]
            ).values_list("user_id", flat=True)
        )
        for name, person in people.items():
            if person.pk not in members:
                errors[name] = _("%(person)s is not a member of this portfolio.") % {"person": person}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(*, actor, data: dict[str, Any]) -> Project:
    """Create a project; all fields validated before anything is written."""
    project = Project(**data)
    _validate_frame(data=data, portfolio_id=project.portfolio_id)
    _start_methodology(project)
    project.full_clean()
    with audit_context(actor=actor):
        project.save()
    return project


def _start_methodology(project: Project) -> None:
    """A new project follows its portfolio's default methodology, at the stage its `stage` names
    (else the first); `stage` becomes that stage's exact name."""
    from portfolio.methodologies import stage_for_name

    if project.methodology_id is None and project.portfolio_id is not None:
        project.methodology_id = project.portfolio.default_methodology_id
    if project.methodology_id is None or project.current_stage_id is not None:
        return
    stages = list(project.methodology.stages.order_by("order"))
    stage = stage_for_name(stages, project.stage) or (stages[0] if stages else None)
    if stage is not None:
        project.current_stage = stage
        project.stage = stage.name


@transaction.atomic
def project_update(*, actor, project: Project, version: int, data: dict[str, Any]) -> Project:
    """Change `data` on `project` if it is still at `version` (else StaleVersionError)."""
    candidate = copy.copy(project)
    for name, value in data.items():
        setattr(candidate, name, value)
    _validate_frame(data={**_related_values(project), **data}, portfolio_id=candidate.portfolio_id)
    candidate.full_clean(exclude=["version"])
    with audit_context(actor=actor):
        return versioned_update(instance=project, expected_version=version, fields=data)


@transaction.atomic
def project_set_archived(*, actor, project: Project, archived: bool) -> Project:
    """Archive (soft delete) or restore a project; nothing recorded about it is removed."""
    with audit_context(actor=actor, reason="archive" if archived else "restore"):
        project.archived_at = timezone.now() if archived else None
        project.save(update_fields=["archived_at", "updated_at"])
    return project


@transaction.atomic
def project_member_add(*, actor, project: Project, user, project_role: str = "") -> ProjectMember:
    """Put `user` on the project's team (they must be a member of the portfolio)."""
    if not Membership.objects.filter(portfolio_id=project.portfolio_id, user=user).exists():
        raise ValidationError({"user": _("%(person)s is not a member of this portfolio.") % {"person": user}})
    with audit_context(actor=actor):
        member, _created = ProjectMember.objects.update_or_create(
            project=project, user=user, defaults={"project_role": project_role}
        )
    return member


@transaction.atomic
def project_member_remove(*, actor, member: ProjectMember) -> None:
    with audit_context(actor=actor):
        member.delete()


def _related_values(project: Project) -> dict[str, Any]:
    return {
        "programme": project.programme,
        **{name: getattr(project, name) for name in PEOPLE_FIELDS},
    }
