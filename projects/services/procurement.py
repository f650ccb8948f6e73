"""Writes on a project's contracts, purchase orders and supplier invoices: every rule checked before
anything is written, audited with the actor."""

import copy
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from projects.models import Contract, ProcurementStatus, Project, PurchaseOrder, SupplierInvoice
from projects.services.registers import record_create, record_update

CLOSED_STATES = (Project.State.CLOSED, Project.State.CANCELLED)


def _merge(errors: dict[str, list], error: ValidationError) -> None:
    for name, messages in error.message_dict.items():
        errors.setdefault(name, []).extend(messages)


def _validate(instance, *, checks) -> None:
    """Model validation plus the procurement rules, every error at once."""
    errors: dict[str, list] = {}
    try:
        instance.full_clean(exclude=["version", "project"], validate_unique=False)
    except ValidationError as error:
        _merge(errors, error)
    for check in checks:
        try:
            check()
        except ValidationError as error:
            _merge(errors, error)
    if errors:
        raise ValidationError(errors)


def _project_open(project: Project) -> None:
    if project.state in CLOSED_STATES or project.is_archived:
        raise ValidationError(
            {
                "project": _("The project is %(state)s: no new contract or purchase order.")
                % {"state": project.get_state_display().lower() if not project.is_archived else _("archived")}
            }
        )


def _supplier_of_portfolio(instance) -> None:
    supplier = getattr(instance, "supplier", None)
    if supplier is not None and supplier.portfolio_id != instance.project.portfolio_id:
        raise ValidationError({"supplier": _("This supplier belongs to another portfolio.")})


def _unique_reference(instance) -> None:
    others = type(instance).objects.filter(project_id=instance.project_id, reference=instance.reference)
    if instance.pk:
        others = others.exclude(pk=instance.pk)
    if instance.reference and others.exists():
        raise ValidationError({"reference": _("This reference is already used on the project.")})


def _contract_fits(order: PurchaseOrder) -> None:
    contract = order.contract
    if contract is None:
        return
    if contract.project_id != order.project_id:
        raise ValidationError({"contract": _("Choose a contract of this project.")})
    if order.supplier_id and contract.supplier_id != order.supplier_id:
        raise ValidationError({"contract": _("This contract is with another supplier.")})


@transaction.atomic
def contract_create(*, actor, project: Project, data: dict[str, Any]) -> Contract:
    """A contract with a supplier of the portfolio; refused on a closed, cancelled or archived project."""
    instance = Contract(project=project, **data)
    _validate(
        instance,
        checks=(
            lambda: _project_open(project),
            lambda: _supplier_of_portfolio(instance),
            lambda: _unique_reference(instance),
        ),
    )
    return record_create(actor=actor, model=Contract, project=project, data=data)


@transaction.atomic
def contract_update(*, actor, contract: Contract, version: int, data: dict[str, Any]) -> Contract:
    candidate = copy.copy(contract)
    for name, value in data.items():
        setattr(candidate, name, value)
    _validate(
        candidate, checks=(lambda: _supplier_of_portfolio(candidate), lambda: _unique_reference(candidate))
    )
    return record_update(actor=actor, instance=contract, version=version, data=data)


@transaction.atomic
def purchase_order_create(*, actor, project: Project, data: dict[str, Any]) -> PurchaseOrder:
    """An order with a supplier of the portfolio, optionally under one of the project's contracts
    with the same supplier; refused on a closed, cancelled or archived project."""
    instance = PurchaseOrder(project=project, **data)
    _validate(
        instance,
        checks=(
            lambda: _project_open(project),
            lambda: _supplier_of_portfolio(instance),
            lambda: _contract_fits(instance),
            lambda: _unique_reference(instance),
        ),
    )
    return record_create(actor=actor, model=PurchaseOrder, project=project, data=data)


@transaction.atomic
def purchase_order_update(
    *, actor, order: PurchaseOrder, version: int, data: dict[str, Any]
) -> PurchaseOrder:
    candidate = copy.copy(order)
    for name, value in data.items():
        setattr(candidate, name, value)
    _validate(
        candidate,
        checks=(
            lambda: _supplier_of_portfolio(candidate),
            lambda: _contract_fits(candidate),
            lambda: _unique_reference(candidate),
        ),
    )
    return record_update(actor=actor, instance=order, version=version, data=data)


def _check_invoice(invoice: SupplierInvoice) -> None:
    """The order must be of the same project and placed (not a draft); more than its remaining amount
    needs a reason. The order row is locked so that two invoices cannot both fit the same remainder."""
    order = invoice.purchase_order
    if order is None:
        return
    if order.project_id != invoice.project_id:
        raise ValidationError({"purchase_order": _("Choose a purchase order of this project.")})
    if order.status == ProcurementStatus.DRAFT:
        raise ValidationError({"purchase_order": _("This purchase order is still a draft: commit it first.")})
    PurchaseOrder.objects.select_for_update().filter(pk=order.pk).first()
    others = SupplierInvoice.objects.filter(purchase_order=order)
    if invoice.pk:
        others = others.exclude(pk=invoice.pk)
    invoiced = others.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    remaining = order.amount - invoiced
    if invoice.amount is not None and invoice.amount > remaining and not invoice.over_reason.strip():
        raise ValidationError(
            {
                "over_reason": _(
                    "This invoice (%(amount)s) is larger than what remains on the purchase order "
                    "(%(remaining)s): give the reason."
                )
                % {"amount": f"{invoice.amount:.2f}", "remaining": f"{remaining:.2f}"}
            }
        )
    duplicates = others.filter(number=invoice.number)
    if invoice.number and duplicates.exists():
        raise ValidationError({"number": _("This invoice number is already recorded on the order.")})


@transaction.atomic
def supplier_invoice_create(*, actor, project: Project, data: dict[str, Any]) -> SupplierInvoice:
    """Record a supplier invoice against one of the project's placed purchase orders."""
    instance = SupplierInvoice(project=project, **data)
    _validate(instance, checks=(lambda: _check_invoice(instance),))
    return record_create(actor=actor, model=SupplierInvoice, project=project, data=data)


@transaction.atomic
def supplier_invoice_update(
    *, actor, invoice: SupplierInvoice, version: int, data: dict[str, Any]
) -> SupplierInvoice:
    candidate = copy.copy(invoice)
    for name, value in data.items():
        setattr(candidate, name, value)
    _validate(candidate, checks=(lambda: _check_invoice(candidate),))
    return record_update(actor=actor, instance=invoice, version=version, data=data)
