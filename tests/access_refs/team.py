"""References of tests/access_spec.d/team.yaml: for a1 and b1 a stakeholder, a communication item
owned by the manager, a key activity, a RACI cell (the team row of a1 / b1 responsible for the
project's milestone), a contract, a committed purchase order with an invoice; a supplier per
portfolio."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from portfolio.models import Supplier
from projects.models import (
    CommunicationItem,
    Contract,
    PurchaseOrder,
    RaciActivity,
    RaciAssignment,
    Stakeholder,
    SupplierInvoice,
)


def references(world, refs: dict) -> dict:
    today = timezone.localdate()
    made: dict = {}
    for code, project, portfolio, member in (
        ("a1", world.a1, world.portfolio_a, refs["member"]),
        ("b1", world.b1, world.portfolio_b, refs["member_b1"]),
    ):
        supplier = Supplier.objects.create(portfolio=portfolio, name=f"Fournisseur {code}")
        made[f"supplier_{code}"] = supplier
        made[f"stakeholder_{code}"] = Stakeholder.objects.create(
            project=project, name=f"Partie prenante {code}", influence=4, interest=3
        )
        made[f"communication_{code}"] = CommunicationItem.objects.create(
            project=project,
            title=f"COPIL {code}",
            frequency="monthly",
            owner=project.manager,
            next_date=today,
        )
        made[f"raci_activity_{code}"] = RaciActivity.objects.create(project=project, name=f"Activité {code}")
        made[f"raci_{code}"] = RaciAssignment.objects.create(
            project=project,
            row_kind="milestone",
            row_id=refs[f"milestone_{code}"].pk,
            member=member,
            role="R",
        )
        contract = Contract.objects.create(
            project=project,
            supplier=supplier,
            reference=f"CT-{code}",
            title="Marché",
            amount=Decimal("10000"),
            category="capex",
            end_date=today + timedelta(days=90),
            status="committed",
        )
        made[f"contract_{code}"] = contract
        order = PurchaseOrder.objects.create(
            project=project,
            supplier=supplier,
            contract=contract,
            reference=f"BC-{code}",
            description="Lot 1",
            amount=Decimal("5000"),
            category="capex",
            status="committed",
        )
        made[f"order_{code}"] = order
        made[f"invoice_{code}"] = SupplierInvoice.objects.create(
            project=project,
            purchase_order=order,
            number=f"F-{code}",
            invoice_date=today,
            amount=Decimal("1000"),
        )
    return made
