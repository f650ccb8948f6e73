"""Writes on a project's team, RACI matrix, stakeholders and communication plan; validated first,
audited with the actor, nothing written on error."""

import copy
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from portfolio.models import Membership
from projects import raci
from projects.models import (
    CommunicationItem,
    Project,
    ProjectMember,
    RaciAssignment,
    RaciRole,
    Stakeholder,
)
from projects.services.registers import record_create, record_update
from projects.team_selectors import next_occurrence


def _is_portfolio_member(*, project: Project, user) -> bool:
    return Membership.objects.filter(portfolio_id=project.portfolio_id, user=user).exists()


def _check_member_data(*, project: Project, data: dict[str, Any], member: ProjectMember | None) -> None:
    errors: dict[str, str] = {}
    user = data.get("user")
    name = (data.get("name") or "").strip()
    if user is None and not name:
        errors["name"] = _("Choose a user or give the name of an external person.")
    if user is not None and not _is_portfolio_member(project=project, user=user):
        errors["user"] = _("%(person)s is not a member of this portfolio.") % {"person": user}
    if user is not None:
        others = ProjectMember.objects.filter(project=project, user=user)
        if member is not None:
            others = others.exclude(pk=member.pk)
        if others.exists():
            errors["user"] = _("%(person)s is already on the team.") % {"person": user}
    if errors:
        raise ValidationError(errors)


MEMBER_FIELDS = ("user", "name", "organisation", "email", "project_role")


@transaction.atomic
def team_member_create(*, actor, project: Project, data: dict[str, Any]) -> ProjectMember:
    """Put a user (or a named external person) on the project's team with their project role."""
    data = {name: value for name, value in data.items() if name in MEMBER_FIELDS}
    if data.get("user") is not None:
        data["name"] = ""
    _check_member_data(project=project, data=data, member=None)
    member = ProjectMember(project=project, **data)
    member.full_clean(exclude=["version"], validate_constraints=False)
    with audit_context(actor=actor):
        member.save()
    return member


@transaction.atomic
def team_member_update(*, actor, member: ProjectMember, version: int, data: dict[str, Any]) -> ProjectMember:
    """Change a team member's role or details if still at `version`."""
    data = {name: value for name, value in data.items() if name in MEMBER_FIELDS}
    merged = {name: getattr(member, name) for name in MEMBER_FIELDS} | data
    if merged.get("user") is not None:
        data["name"] = merged["name"] = ""
    _check_member_data(project=member.project, data=merged, member=member)
    candidate = copy.copy(member)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["version"], validate_constraints=False)
    with audit_context(actor=actor):
        return versioned_update(instance=member, expected_version=version, fields=data)


@transaction.atomic
def team_member_remove(*, actor, member: ProjectMember) -> None:
    """Take someone off the team; their RACI cells go with them (recorded in the audit trail)."""
    with audit_context(actor=actor):
        member.delete()


# --- RACI ---------------------------------------------------------------------------------------


@transaction.atomic
def raci_set(*, actor, project: Project, row_kind: str, row_id: int, member: ProjectMember, role: str):
    """Set (or clear, with an empty role) the part `member` plays on one row of the matrix.

    Exactly one Accountable per row: a second A is refused with a message naming the current one
    (the partial unique index raci_one_accountable_per_row holds it under concurrency too).
    Returns the assignment, or None when cleared.
    """
    errors: dict[str, str] = {}
    if role not in ("", *RaciRole.values):
        errors["role"] = _("Choose R, A, C, I or nothing.")
    if member.project_id != project.pk:
        errors["member"] = _("This person is not on the project's team.")
    if not raci.row_exists(project=project, kind=row_kind, row_id=row_id):
        errors["row"] = _("This row is not a deliverable or key activity of the project.")
    if errors:
        raise ValidationError(errors)
    current = (
        RaciAssignment.objects.select_for_update()
        .filter(project=project, row_kind=row_kind, row_id=row_id, member=member)
        .first()
    )
    if role == RaciRole.ACCOUNTABLE:
        other = (
            RaciAssignment.objects.filter(
                project=project, row_kind=row_kind, row_id=row_id, role=RaciRole.ACCOUNTABLE
            )
            .exclude(member=member)
            .select_related("member__user")
            .first()
        )
        if other is not None:
            raise ValidationError(
                {
                    "role": _(
                        "%(person)s is already accountable for this row: exactly one Accountable per row. "
                        "Change their A first."
                    )
                    % {"person": other.member.display_name}
                }
            )
    with audit_context(actor=actor):
        if not role:
            if current is not None:
                current.delete()
            return None
        try:
            with transaction.atomic():
                if current is None:
                    return RaciAssignment.objects.create(
                        project=project, row_kind=row_kind, row_id=row_id, member=member, role=role
                    )
                return versioned_update(
                    instance=current, expected_version=current.version, fields={"role": role}
                )
        except IntegrityError:
            raise ValidationError(
                {"role": _("Someone else made another person accountable for this row meanwhile.")}
            ) from None


# --- Stakeholders and communication plan -------------------------------------------------------


def _check_stakeholder(*, project: Project, instance: Stakeholder) -> None:
    errors: dict[str, str] = {}
    if instance.user_id is not None and not _is_portfolio_member(project=project, user=instance.user):
        errors["user"] = _("%(person)s is not a member of this portfolio.") % {"person": instance.user}
    if (instance.receives_highlight or instance.receives_steering) and not (
        instance.email or instance.user_id
    ):
        errors["email"] = _("A stakeholder who receives reports needs an e-mail address or a user account.")
    if errors:
        raise ValidationError(errors)


def _validate_all(instance, *, project: Project, extra) -> None:
    """Model validation and the extra rule together, so every field error comes back at once."""
    errors: dict[str, list] = {}
    for check in (
        lambda: instance.full_clean(exclude=["version", "project"]),
        lambda: extra(project=project, instance=instance),
    ):
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def stakeholder_create(*, actor, project: Project, data: dict[str, Any]) -> Stakeholder:
    """Add a stakeholder; influence and interest on 1–5 (also a database check)."""
    _validate_all(Stakeholder(project=project, **data), project=project, extra=_check_stakeholder)
    return record_create(actor=actor, model=Stakeholder, project=project, data=data)


@transaction.atomic
def stakeholder_update(*, actor, stakeholder: Stakeholder, version: int, data: dict[str, Any]) -> Stakeholder:
    candidate = copy.copy(stakeholder)
    for name, value in data.items():
        setattr(candidate, name, value)
    _validate_all(candidate, project=stakeholder.project, extra=_check_stakeholder)
    return record_update(actor=actor, instance=stakeholder, version=version, data=data)


def _check_audience(*, project: Project, stakeholders) -> None:
    foreign = [s for s in stakeholders if s.project_id != project.pk]
    if foreign:
        raise ValidationError({"stakeholders": _("Choose stakeholders of this project.")})


@transaction.atomic
def communication_item_create(
    *, actor, project: Project, data: dict[str, Any], stakeholders=()
) -> CommunicationItem:
    """Add a line to the communication plan, addressed to some of the project's stakeholders."""
    stakeholders = list(stakeholders)
    _check_audience(project=project, stakeholders=stakeholders)
    item = record_create(actor=actor, model=CommunicationItem, project=project, data=data)
    with audit_context(actor=actor):
        item.stakeholders.set(stakeholders)
    return item


@transaction.atomic
def communication_item_update(
    *, actor, item: CommunicationItem, version: int, data: dict[str, Any], stakeholders=None
) -> CommunicationItem:
    if stakeholders is not None:
        stakeholders = list(stakeholders)
        _check_audience(project=item.project, stakeholders=stakeholders)
    updated = record_update(actor=actor, instance=item, version=version, data=data)
    if stakeholders is not None:
        with audit_context(actor=actor):
            updated.stakeholders.set(stakeholders)
    return updated


@transaction.atomic
def communication_item_done(
    *, actor, item: CommunicationItem, version: int, done_on: date
) -> CommunicationItem:
    """The owner sent this occurrence: record it and move `next_date` to the next one (a one-off
    item becomes inactive)."""
    upcoming = next_occurrence(item.next_date or done_on, item.frequency)
    while upcoming is not None and upcoming <= done_on:
        upcoming = next_occurrence(upcoming, item.frequency)
    fields: dict[str, Any] = {"last_done": done_on, "next_date": upcoming}
    if upcoming is None:
        fields["is_active"] = False
    with audit_context(actor=actor, reason="communication done"):
        return versioned_update(instance=item, expected_version=version, fields=fields)
