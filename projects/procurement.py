"""Reads of procurement: open commitments per project (for EAC and the cost tab) and the project's
procurement tab, each in a constant number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from projects.models import Contract, ProcurementStatus, Project, PurchaseOrder, SupplierInvoice
from projects.models.procurement import OPEN_STATUSES

ZERO = Decimal("0")


def _invoiced_subquery():
    return Coalesce(
        Subquery(
            SupplierInvoice.objects.filter(purchase_order_id=OuterRef("pk"))
            .order_by()
            .values("purchase_order_id")
            .annotate(total=Sum("amount"))
            .values("total")[:1]
        ),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def open_commitment(*, amount: Decimal, invoiced: Decimal, status: str) -> Decimal:
    """What an order still commits: its amount minus its invoices while committed or received, never
    below zero; nothing for a draft or a closed order."""
    if status not in OPEN_STATUSES:
        return ZERO
    return max(amount - invoiced, ZERO)


def open_commitments(*, project_ids: list[int]) -> dict[int, Decimal]:
    """Open commitments per project id (0 when none), in one query whatever the number of orders."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        PurchaseOrder.objects.filter(project_id__in=project_ids, status__in=OPEN_STATUSES)
        .annotate(invoiced=_invoiced_subquery())
        .values("project_id", "amount", "invoiced", "status")
    ):
        totals[row["project_id"]] += open_commitment(
            amount=row["amount"], invoiced=row["invoiced"], status=row["status"]
        )
    return totals


@dataclass(frozen=True)
class OrderRow:
    order: PurchaseOrder
    invoiced: Decimal
    remaining: Decimal  # amount − invoiced (negative when over-invoiced)
    commitment: Decimal

    @property
    def over_invoiced(self) -> bool:
        return self.remaining < 0


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    ordered: Decimal  # purchase orders placed under it (not drafts)
    invoiced: Decimal
    expired: bool  # end date passed while the contract is not closed
    overrun: bool  # invoiced more than the contract amount


@dataclass(frozen=True)
class ProcurementTab:
    contracts: tuple[ContractRow, ...]
    orders: tuple[OrderRow, ...]
    invoices: tuple[SupplierInvoice, ...]
    commitments: Decimal
    ordered: Decimal
    invoiced: Decimal

    @property
    def flags(self) -> int:
        return sum(1 for row in self.contracts if row.expired or row.overrun) + sum(
            1 for row in self.orders if row.over_invoiced
        )


def project_procurement(*, project: Project, as_of: date) -> ProcurementTab:
    """Contracts (with their orders and invoices summed and their flags), orders with invoiced and
    remaining amounts, and invoices of one project, in 3 queries."""
    orders = list(
        PurchaseOrder.objects.filter(project=project)
        .select_related("supplier", "contract")
        .annotate(invoiced=_invoiced_subquery())
        .order_by("reference")
    )
    order_rows = tuple(
        OrderRow(
            order=o,
            invoiced=o.invoiced,
            remaining=o.amount - o.invoiced,
            commitment=open_commitment(amount=o.amount, invoiced=o.invoiced, status=o.status),
        )
        for o in orders
    )
    ordered_by_contract: dict[int, Decimal] = defaultdict(lambda: ZERO)
    invoiced_by_contract: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for o in orders:
        if o.contract_id is None:
            continue
        if o.status != ProcurementStatus.DRAFT:
            ordered_by_contract[o.contract_id] += o.amount
        invoiced_by_contract[o.contract_id] += o.invoiced
    contracts = tuple(
        ContractRow(
            contract=c,
            ordered=ordered_by_contract[c.pk],
            invoiced=invoiced_by_contract[c.pk],
            expired=c.end_date is not None and c.end_date < as_of and c.status != ProcurementStatus.CLOSED,
            overrun=invoiced_by_contract[c.pk] > c.amount,
        )
        for c in Contract.objects.filter(project=project).select_related("supplier").order_by("reference")
    )
    invoices = tuple(
        SupplierInvoice.objects.filter(project=project)
        .select_related("purchase_order")
        .order_by("-invoice_date", "number")
    )
    return ProcurementTab(
        contracts=contracts,
        orders=order_rows,
        invoices=invoices,
        commitments=sum((row.commitment for row in order_rows), ZERO),
        ordered=sum((o.amount for o in orders if o.status != ProcurementStatus.DRAFT), ZERO),
        invoiced=sum((o.invoiced for o in orders), ZERO),
    )
