"""Suppliers of a portfolio: permission-scoped reads and audited writes."""

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from portfolio.models import Portfolio, Supplier

SUPPLIER_FIELDS = ("name", "registration_number", "contact_name", "email", "phone", "notes")


def supplier_list(*, user, portfolio: Portfolio | None = None) -> QuerySet[Supplier]:
    """Suppliers the user may see (of their portfolios), optionally of one portfolio; one query."""
    suppliers = (
        Supplier.objects.visible_to(user).select_related("portfolio").order_by("portfolio__name", "name")
    )
    return suppliers.filter(portfolio=portfolio) if portfolio is not None else suppliers


def can_manage_suppliers(*, user, portfolio: Portfolio) -> bool:
    """PMO officers and project managers of the portfolio add and change its suppliers."""
    from pmo.core.roles import Role
    from portfolio.models import Membership

    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, portfolio=portfolio, role__in=[Role.PMO, Role.PROJECT_MANAGER]
        ).exists()
    )


def _unique_name(supplier: Supplier) -> None:
    others = Supplier.objects.filter(portfolio_id=supplier.portfolio_id, name__iexact=supplier.name)
    if supplier.pk:
        others = others.exclude(pk=supplier.pk)
    if others.exists():
        raise ValidationError({"name": _("A supplier of this portfolio already has this name.")})


@transaction.atomic
def supplier_create(*, actor, portfolio: Portfolio, data: dict[str, Any]) -> Supplier:
    """Add a supplier to the portfolio; names are unique per portfolio (case-insensitive)."""
    supplier = Supplier(portfolio=portfolio, **{k: v for k, v in data.items() if k in SUPPLIER_FIELDS})
    supplier.full_clean(exclude=["version"], validate_constraints=False)
    _unique_name(supplier)
    with audit_context(actor=actor):
        supplier.save()
    return supplier


@transaction.atomic
def supplier_update(*, actor, supplier: Supplier, version: int, data: dict[str, Any]) -> Supplier:
    data = {k: v for k, v in data.items() if k in SUPPLIER_FIELDS}
    candidate = copy.copy(supplier)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["version"], validate_constraints=False)
    _unique_name(candidate)
    with audit_context(actor=actor):
        return versioned_update(instance=supplier, expected_version=version, fields=data)


@transaction.atomic
def supplier_set_archived(*, actor, supplier: Supplier, archived: bool) -> Supplier:
    """Archive a supplier: it leaves the choice lists; contracts and orders naming it stay."""
    with audit_context(actor=actor, reason="archive" if archived else "restore"):
        supplier.archived_at = timezone.now() if archived else None
        supplier.save(update_fields=["archived_at", "updated_at"])
    return supplier
