"""What a project buys: contracts and purchase orders with its suppliers, and the suppliers'
invoices. Open commitments (ordered, not yet invoiced) feed the estimate at completion."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pmo.core.audit import tracked
from portfolio.models import Supplier
from projects.models.registers import MONEY, CostCategory, ProjectRecord


class ProcurementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMMITTED = "committed", _("Committed")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")


# Purchase orders whose remaining amount is still owed: ordered (committed) or delivered (received).
OPEN_STATUSES = (ProcurementStatus.COMMITTED, ProcurementStatus.RECEIVED)


@tracked()
class Contract(ProjectRecord):
    """A framework or fixed-price contract with a supplier; its purchase orders draw on it."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("supplier")
    )
    reference = models.CharField(_("reference"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    category = models.CharField(_("category"), max_length=5, choices=CostCategory.choices)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProcurementStatus.choices, default=ProcurementStatus.DRAFT
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["project", "reference"]
        default_related_name = "contracts"
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="contract_unique_reference"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="contract_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"


@tracked()
class PurchaseOrder(ProjectRecord):
    """An order placed with a supplier (optionally under a contract). Committed and received orders
    count as commitments until invoiced; a closed order commits nothing more."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_orders",
        verbose_name=_("contract"),
    )
    reference = models.CharField(_("reference"), max_length=60)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    category = models.CharField(_("category"), max_length=5, choices=CostCategory.choices)
    order_date = models.DateField(_("order date"), null=True, blank=True)
    expected_date = models.DateField(_("expected delivery"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProcurementStatus.choices, default=ProcurementStatus.DRAFT
    )

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["project", "reference"]
        default_related_name = "purchase_orders"
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="purchase_order_unique_reference"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="purchase_order_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.description}"


@tracked()
class SupplierInvoice(ProjectRecord):
    """A supplier's invoice against one purchase order; more than the order's remaining amount needs
    a reason (`over_reason`)."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("purchase order")
    )
    number = models.CharField(_("invoice number"), max_length=60)
    invoice_date = models.DateField(_("invoice date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    over_reason = models.TextField(
        _("reason for exceeding the order"),
        blank=True,
        help_text=_("Required when the invoice is larger than what remains on the purchase order."),
    )

    class Meta:
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        ordering = ["project", "invoice_date", "number"]
        default_related_name = "supplier_invoices"
        constraints = [
            models.UniqueConstraint(
                fields=["purchase_order", "number"], name="supplier_invoice_unique_number"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_invoice_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.number
