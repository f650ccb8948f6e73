"""Writes on portfolios, programmes and memberships, each audited with its actor."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from pmo.core.roles import Role
from portfolio.models import Membership, Portfolio, Programme


@transaction.atomic
def portfolio_create(*, actor, data: dict[str, Any]) -> Portfolio:
    """Create a portfolio and make its creator a PMO officer of it."""
    with audit_context(actor=actor):
        portfolio = Portfolio(**data)
        portfolio.full_clean()
        portfolio.save()
        Membership.objects.create(portfolio=portfolio, user=actor, role=Role.PMO)
    return portfolio


@transaction.atomic
def portfolio_update(*, actor, portfolio: Portfolio, version: int, data: dict[str, Any]) -> Portfolio:
    """Change a portfolio's fields if nobody changed it since `version` (else StaleVersionError)."""
    with audit_context(actor=actor):
        return versioned_update(instance=portfolio, expected_version=version, fields=data)


@transaction.atomic
def portfolio_set_archived(*, actor, portfolio: Portfolio, archived: bool) -> Portfolio:
    """Archive (soft delete) or restore a portfolio; its programmes and projects stay untouched."""
    with audit_context(actor=actor, reason="archive" if archived else "restore"):
        portfolio.archived_at = timezone.now() if archived else None
        portfolio.save(update_fields=["archived_at", "updated_at"])
    return portfolio


@transaction.atomic
def membership_set(*, actor, portfolio: Portfolio, user, role: str) -> Membership:
    """Give `user` the role `role` in `portfolio` (replacing any previous role there)."""
    with audit_context(actor=actor):
        membership, _ = Membership.objects.update_or_create(
            portfolio=portfolio, user=user, defaults={"role": role}
        )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Remove a user's role from a portfolio; their past actions stay in the audit trail."""
    with audit_context(actor=actor):
        membership.delete()


@transaction.atomic
def programme_create(*, actor, data: dict[str, Any]) -> Programme:
    """Create a programme in a portfolio."""
    with audit_context(actor=actor):
        programme = Programme(**data)
        programme.full_clean()
        programme.save()
    return programme


@transaction.atomic
def programme_update(*, actor, programme: Programme, version: int, data: dict[str, Any]) -> Programme:
    """Change a programme's fields if nobody changed it since `version`."""
    with audit_context(actor=actor):
        return versioned_update(instance=programme, expected_version=version, fields=data)


@transaction.atomic
def programme_set_archived(*, actor, programme: Programme, archived: bool) -> Programme:
    """Archive or restore a programme; its projects keep their link."""
    with audit_context(actor=actor, reason="archive" if archived else "restore"):
        programme.archived_at = timezone.now() if archived else None
        programme.save(update_fields=["archived_at", "updated_at"])
    return programme
