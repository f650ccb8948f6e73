"""Writes on allocations: request, change, staff, confirm, delete, apply a what-if draft.

Every write validates everything first and writes all-or-nothing. In a portfolio in strict mode the
resource's row is locked (SELECT ... FOR UPDATE) before its bookings are read and checked, so two
concurrent requests for the same person are serialised by PostgreSQL and cannot both pass.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import StaleVersionError, retry_on_conflict
from pmo.core.notifications import notify
from pmo.core.roles import Role as MembershipRole
from portfolio.models import Membership, Portfolio
from portfolio.resource_models import Resource
from projects import capacity
from projects.models import Allocation, Project

EFFORT_FIELDS = ("unit", "percent", "hours_per_week")
WRITABLE = ("resource", "role", "start_date", "end_date", "unit", "percent", "hours_per_week", "note")
CLOSED_STATES = (Project.State.CLOSED, Project.State.CANCELLED)


def can_confirm(*, user, allocation: Allocation) -> bool:
    """The PMO officers of the project's portfolio and the resource's manager confirm bookings."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if allocation.resource_id and allocation.resource.manager_id == user.pk:
        return True
    return Membership.objects.filter(
        user=user, portfolio_id=allocation.project.portfolio_id, role=MembershipRole.PMO
    ).exists()


def can_confirm_in(*, user, project: Project) -> bool:
    """May `user` confirm bookings on `project` whatever the resource? (the portfolio's PMO)"""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, portfolio_id=project.portfolio_id, role=MembershipRole.PMO
        ).exists()
    )


def validate_allocation(*, project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """Check one allocation's fields; raise ValidationError naming every faulty field."""
    errors: dict[str, list[str]] = {}
    resource: Resource | None = data.get("resource")
    role = data.get("role") or (resource.role if resource else None)
    start, end = data.get("start_date"), data.get("end_date")
    unit = data.get("unit") or Allocation.Unit.PERCENT
    percent, hours = data.get("percent"), data.get("hours_per_week")
    if project.archived_at is not None or project.state in CLOSED_STATES:
        errors.setdefault("project", []).append(
            _("The project is %(state)s: it cannot receive allocations.")
            % {"state": project.get_state_display().lower()}
        )
    if role is None:
        errors.setdefault("role", []).append(_("Choose a role (or a resource, whose role is used)."))
    if start is None:
        errors.setdefault("start_date", []).append(_("This field is required."))
    if end is None:
        errors.setdefault("end_date", []).append(_("This field is required."))
    if start and end and end < start:
        errors.setdefault("end_date", []).append(_("The end date must be on or after the start date."))
    if unit == Allocation.Unit.PERCENT:
        if percent is None:
            errors.setdefault("percent", []).append(_("Give the share of capacity, in %."))
        elif percent <= 0 or percent > 100:
            errors.setdefault("percent", []).append(
                _("An allocation is between 0 % (excluded) and 100 % of capacity.")
            )
        data["hours_per_week"] = None
    elif unit == Allocation.Unit.HOURS:
        limit = resource.hours_per_week if resource else Decimal("60")
        if hours is None:
            errors.setdefault("hours_per_week", []).append(_("Give the hours per week."))
        elif hours <= 0 or hours > limit:
            errors.setdefault("hours_per_week", []).append(
                _("Hours per week must be above 0 and at most %(limit)s.") % {"limit": f"{limit:g}"}
            )
        data["percent"] = None
    else:
        errors.setdefault("unit", []).append(_("Unknown unit."))
    if resource is not None:
        if resource.portfolio_id != project.portfolio_id:
            errors.setdefault("resource", []).append(_("This resource belongs to another portfolio's pool."))
        if resource.archived_at is not None:
            errors.setdefault("resource", []).append(_("This resource is archived."))
        if start and resource.available_from and start < resource.available_from:
            errors.setdefault("start_date", []).append(
                _("%(name)s is available from %(date)s only.")
                % {"name": resource.name, "date": resource.available_from.strftime("%d/%m/%Y")}
            )
        if end and resource.available_until and end > resource.available_until:
            errors.setdefault("end_date", []).append(
                _("%(name)s is available until %(date)s only.")
                % {"name": resource.name, "date": resource.available_until.strftime("%d/%m/%Y")}
            )
    if errors:
        raise ValidationError(errors)
    data["role"] = role
    data["unit"] = unit
    return data


def _resource_fact(resource: Resource) -> capacity.ResourceFact:
    return capacity.ResourceFact(
        id=resource.pk,
        daily_hours=float(resource.daily_hours),
        available_from=resource.available_from,
        available_until=resource.available_until,
        absences=tuple(resource.absences.order_by("start_date").values_list("start_date", "end_date")),
    )


def _fact(allocation: Allocation) -> capacity.AllocationFact:
    return capacity.AllocationFact(
        id=allocation.pk or 0,
        resource_id=allocation.resource_id,
        role_id=allocation.role_id,
        start=allocation.start_date,
        end=allocation.end_date,
        percent=float(allocation.percent) if allocation.percent is not None else None,
        hours_per_week=float(allocation.hours_per_week) if allocation.hours_per_week is not None else None,
        confirmed=allocation.state == Allocation.State.CONFIRMED,
    )


def check_capacity(*, allocations: list[Allocation]) -> None:
    """Strict mode: lock each named resource of `allocations` whose portfolio is strict, then refuse
    (ValidationError) if its bookings, with these ones as they will be saved, exceed its capacity in
    any week they touch. Call inside the writing transaction."""
    by_resource: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        if allocation.resource_id is None:
            continue
        if allocation.project.portfolio.allocation_mode != Portfolio.AllocationMode.STRICT:
            continue
        by_resource.setdefault(allocation.resource_id, []).append(allocation)
    for resource_id in sorted(by_resource):  # a fixed lock order: two drafts cannot deadlock
        resource = Resource.objects.select_for_update().get(pk=resource_id)
        changed = by_resource[resource_id]
        start = min(a.start_date for a in changed)
        end = max(a.end_date for a in changed)
        others = (
            Allocation.objects.filter(resource_id=resource_id, start_date__lte=end, end_date__gte=start)
            .exclude(project__archived_at__isnull=False)
            .exclude(project__state__in=CLOSED_STATES)
            .exclude(pk__in=[a.pk for a in changed if a.pk])
        )
        facts = [_fact(a) for a in others] + [_fact(a) for a in changed]
        overload = capacity.first_overload(_resource_fact(resource), facts, start, end)
        if overload is not None:
            bucket, cell = overload
            raise ValidationError(
                {
                    "resource": [
                        _(
                            "Strict allocation mode: %(name)s would be booked %(booked)s h "
                            "for %(capacity)s h of capacity in the week of %(week)s."
                        )
                        % {
                            "name": resource.name,
                            "booked": f"{cell.allocated:.1f}".replace(".", ","),
                            "capacity": f"{cell.capacity:.1f}".replace(".", ","),
                            "week": bucket.start.strftime("%d/%m/%Y"),
                        }
                    ]
                }
            )


def _notify_confirmers(allocation: Allocation) -> None:
    if allocation.resource_id is None:
        return
    recipients = [allocation.resource.manager] if allocation.resource.manager_id else []
    if recipients:
        notify(
            recipients=recipients,
            kind="decision",
            title=_("Staffing request: %(name)s on %(project)s")
            % {"name": allocation.resource.name, "project": allocation.project.code},
            key=f"allocation-request-{allocation.pk}-{allocation.version}",
            body=(
                f"{allocation.start_date:%d/%m/%Y} → {allocation.end_date:%d/%m/%Y}, "
                f"{allocation.effort_label}"
            ),
            url=allocation.project.get_absolute_url(),
        )


@retry_on_conflict
@transaction.atomic
def allocation_create(*, actor, project: Project, data: dict[str, Any], confirm: bool = False) -> Allocation:
    """Book a resource (or request a role) on a project; `confirm` books it confirmed at once (only
    for someone who may confirm). Strict portfolios refuse a booking beyond capacity."""
    data = validate_allocation(project=project, data=dict(data))
    allocation = Allocation(
        project=project, requested_by=actor, **{k: v for k, v in data.items() if k in WRITABLE}
    )
    if confirm:
        if allocation.resource_id is None:
            raise ValidationError({"resource": [_("Only a named allocation can be confirmed.")]})
        allocation.state = Allocation.State.CONFIRMED
        allocation.confirmed_by = actor
        allocation.confirmed_at = timezone.now()
    with audit_context(actor=actor):
        check_capacity(allocations=[allocation])
        allocation.save()
    if allocation.state == Allocation.State.REQUESTED:
        transaction.on_commit(lambda: _notify_confirmers(allocation))
    return allocation


@retry_on_conflict
@transaction.atomic
def allocation_update(*, actor, allocation: Allocation, version: int, data: dict[str, Any]) -> Allocation:
    """Change an allocation if nobody did since `version`. A change by someone who may not confirm
    puts a confirmed booking back to requested."""
    current = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("project__portfolio", "resource")
        .get(pk=allocation.pk)
    )
    if current.version != version:
        raise StaleVersionError
    merged = {name: getattr(current, name) for name in WRITABLE}
    merged.update({k: v for k, v in data.items() if k in WRITABLE})
    if "resource" in data and "role" not in data and data["resource"] is not None:
        merged["role"] = data["resource"].role
    merged = validate_allocation(project=current.project, data=merged)
    for name in WRITABLE:
        setattr(current, name, merged.get(name))
    if current.state == Allocation.State.CONFIRMED and not can_confirm(user=actor, allocation=current):
        current.state = Allocation.State.REQUESTED
        current.confirmed_by = None
        current.confirmed_at = None
    if current.resource_id is None and current.state == Allocation.State.CONFIRMED:
        current.state = Allocation.State.REQUESTED
    current.version += 1
    with audit_context(actor=actor):
        check_capacity(allocations=[current])
        current.save()
    return current


@transaction.atomic
def allocation_confirm(*, actor, allocation: Allocation, version: int) -> Allocation:
    """The resource manager or the PMO confirms a named booking (strict mode re-checks capacity)."""
    current = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("project__portfolio", "resource")
        .get(pk=allocation.pk)
    )
    if current.version != version:
        raise StaleVersionError
    if current.resource_id is None:
        raise ValidationError(
            {"resource": [_("Staff the request with a named resource before confirming it.")]}
        )
    validate_allocation(project=current.project, data={name: getattr(current, name) for name in WRITABLE})
    current.state = Allocation.State.CONFIRMED
    current.confirmed_by = actor
    current.confirmed_at = timezone.now()
    current.version += 1
    with audit_context(actor=actor, reason="confirm"):
        check_capacity(allocations=[current])
        current.save()
    if current.requested_by_id and current.requested_by_id != actor.pk:
        requester = current.requested_by
        transaction.on_commit(
            lambda: notify(
                recipients=[requester],
                kind="decision",
                title=_("Allocation confirmed: %(name)s on %(project)s")
                % {"name": current.resource.name, "project": current.project.code},
                key=f"allocation-confirmed-{current.pk}-{current.version}",
                body="",
                url=current.project.get_absolute_url(),
            )
        )
    return current


@retry_on_conflict
@transaction.atomic
def allocation_staff(
    *, actor, allocation: Allocation, version: int, resource: Resource, confirm: bool = False
) -> Allocation:
    """Turn a role demand into a named allocation of `resource` (requested, or confirmed at once by
    someone who may confirm)."""
    current = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("project__portfolio")
        .get(pk=allocation.pk)
    )
    if current.version != version:
        raise StaleVersionError
    if current.resource_id is not None:
        raise ValidationError({"resource": [_("This allocation is already staffed.")]})
    if resource.role_id != current.role_id:
        raise ValidationError(
            {
                "resource": [
                    _("%(name)s does not hold the role %(role)s.")
                    % {"name": resource.name, "role": current.role}
                ]
            }
        )
    data = {name: getattr(current, name) for name in WRITABLE}
    data["resource"] = resource
    validate_allocation(project=current.project, data=data)
    current.resource = resource
    current.version += 1
    if confirm:
        current.state = Allocation.State.CONFIRMED
        current.confirmed_by = actor
        current.confirmed_at = timezone.now()
    with audit_context(actor=actor, reason="staff"):
        check_capacity(allocations=[current])
        current.save()
    if current.state == Allocation.State.REQUESTED:
        transaction.on_commit(lambda: _notify_confirmers(current))
    return current


@transaction.atomic
def allocation_delete(*, actor, allocation: Allocation) -> None:
    """Remove a booking; the audit trail keeps it."""
    with audit_context(actor=actor):
        allocation.delete()


def draft_changes(raw: dict) -> dict[int, dict[str, Any]]:
    """A what-if draft kept in the session (JSON) as allocation id → change with real types."""
    changes = {}
    for key, change in (raw or {}).items():
        changes[int(key)] = {
            "start_date": date.fromisoformat(change["start_date"]),
            "end_date": date.fromisoformat(change["end_date"]),
            "percent": Decimal(change["percent"]) if change.get("percent") not in (None, "") else None,
            "hours_per_week": Decimal(change["hours_per_week"])
            if change.get("hours_per_week") not in (None, "")
            else None,
            "version": int(change["version"]),
        }
    return changes


@retry_on_conflict
@transaction.atomic
def allocation_apply_draft(
    *, actor, changes: dict[int, dict[str, Any]], editable: set[int]
) -> list[Allocation]:
    """Apply a what-if draft in one transaction: every allocation must still have the version the
    draft was made from (else StaleVersionError, nothing saved), be in `editable` (the allocations
    the actor may change), and pass validation and the strict-mode check together."""
    rows = {
        a.pk: a
        for a in Allocation.objects.select_for_update(of=("self",))
        .select_related("project__portfolio", "resource")
        .filter(pk__in=list(changes))
        .order_by("pk")
    }
    errors: list[str] = []
    updated = []
    for pk, change in sorted(changes.items()):
        current = rows.get(pk)
        if current is None or pk not in editable:
            errors.append(_("Allocation %(pk)s cannot be changed.") % {"pk": pk})
            continue
        if current.version != change["version"]:
            raise StaleVersionError
        data = {name: getattr(current, name) for name in WRITABLE}
        data.update({k: change[k] for k in ("start_date", "end_date", "percent", "hours_per_week")})
        data["unit"] = Allocation.Unit.PERCENT if change["percent"] is not None else Allocation.Unit.HOURS
        try:
            data = validate_allocation(project=current.project, data=data)
        except ValidationError as error:
            errors.extend(
                f"{current.project.code} / {current.resource or current.role}: {m}" for m in error.messages
            )
            continue
        for name in WRITABLE:
            setattr(current, name, data.get(name))
        if current.state == Allocation.State.CONFIRMED and not can_confirm(user=actor, allocation=current):
            current.state = Allocation.State.REQUESTED
            current.confirmed_by = None
            current.confirmed_at = None
        current.version += 1
        updated.append(current)
    if errors:
        raise ValidationError(errors)
    with audit_context(actor=actor, reason="what-if"):
        check_capacity(allocations=updated)
        for allocation in updated:
            allocation.save()
    return updated
