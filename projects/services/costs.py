"""Counters on cost lines: additions that many writers may make at the same time."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import retry_on_conflict
from projects.models import CostLine

CENT = Decimal("0.01")


@retry_on_conflict
@transaction.atomic
def cost_line_add_actual(*, actor, line: CostLine, amount: Decimal, reason: str = "") -> CostLine:
    """Add `amount` (negative for a credit) to a line's actual spend in one UPDATE, so concurrent
    additions all count (no read-modify-write), and bump its version so open forms see the change.

    Excludes: planned and forecast, which are set, not accumulated (cost_line_set).
    """
    amount = Decimal(amount)
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("An amount has at most two decimals.")})
    if amount == 0:
        raise ValidationError({"amount": _("Enter a non-zero amount.")})
    with audit_context(actor=actor, reason=reason):
        # The floor is checked in the same statement: a credit larger than the spend changes nothing.
        updated = CostLine.objects.filter(pk=line.pk, actual__gte=-amount if amount < 0 else 0).update(
            actual=F("actual") + amount, version=F("version") + 1, updated_at=timezone.now()
        )
    if not updated:
        if CostLine.objects.filter(pk=line.pk).exists():
            raise ValidationError({"amount": _("The actual spend cannot become negative.")})
        raise CostLine.DoesNotExist
    line.refresh_from_db()
    return line
