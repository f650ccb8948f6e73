"""The issue's bad input, through the forms (422, inline message naming the field) and the API (400
with field errors): two Accountables on one RACI row, influence outside 1–5, an invoice larger than
its purchase order without a reason, a contract on a closed project. Nothing is written."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from portfolio.models import Supplier
from projects.models import Contract, Project, PurchaseOrder, RaciAssignment, Stakeholder, SupplierInvoice
from projects.services import team as team_services
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procurement(world):
    supplier = Supplier.objects.create(portfolio=world.portfolio_a, name="Sopra Steria")
    order = PurchaseOrder.objects.create(
        project=world.a1,
        supplier=supplier,
        reference="BC-1",
        description="Lot 1",
        amount=Decimal("10000"),
        category="capex",
        status="committed",
    )
    SupplierInvoice.objects.create(
        project=world.a1,
        purchase_order=order,
        number="F1",
        invoice_date=date(2026, 10, 1),
        amount=Decimal("6000"),
    )
    return supplier, order


@pytest.fixture
def milestone_with_accountable(world):
    milestone = MilestoneFactory(project=world.a1, name="Recette")
    other = team_services.team_member_create(
        actor=world.users["pm_a"], project=world.a1, data={"name": "Léa Rousseau"}
    )
    team_services.raci_set(
        actor=world.users["pm_a"],
        project=world.a1,
        row_kind="milestone",
        row_id=milestone.pk,
        member=world.member,
        role="A",
    )
    return milestone, other


def _api(client, method, url, data, **headers):
    return getattr(client, method)(url, data, content_type="application/json", **headers)


# --- Two Accountables on one RACI row -------------------------------------------------------------


def test_second_accountable_through_the_page_is_422_and_writes_nothing(
    world, client_for, milestone_with_accountable
):
    milestone, other = milestone_with_accountable
    response = client_for("pm_a").post(
        f"/projects/{world.a1.pk}/raci/cell/",
        {"row_kind": "milestone", "row_id": milestone.pk, "member": other.pk, "role": "A"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "already accountable" in response.content.decode() or "déjà" in response.content.decode()
    assert f'id="raci-milestone-{milestone.pk}-error"' in response.content.decode()
    assert not RaciAssignment.objects.filter(member=other).exists()


def test_second_accountable_through_the_api_is_400_and_writes_nothing(
    world, client_for, milestone_with_accountable
):
    milestone, other = milestone_with_accountable
    response = _api(
        client_for("pm_a"),
        "post",
        "/api/v1/raci-assignments/",
        {
            "project": world.a1.pk,
            "row_kind": "milestone",
            "row_id": milestone.pk,
            "member": other.pk,
            "role": "A",
        },
    )
    assert response.status_code == 400
    assert "role" in response.json()
    assert not RaciAssignment.objects.filter(member=other).exists()
    # the If-Match edit of an existing R into a second A: 400 as well
    cell = RaciAssignment.objects.create(
        project=world.a1, row_kind="milestone", row_id=milestone.pk, member=other, role="R"
    )
    response = _api(
        client_for("pm_a"),
        "patch",
        f"/api/v1/raci-assignments/{cell.pk}/",
        {"role": "A"},
        HTTP_IF_MATCH=f'"{cell.version}"',
    )
    assert response.status_code == 400
    assert RaciAssignment.objects.get(pk=cell.pk).role == "R"
    response = _api(
        client_for("pm_a"),
        "patch",
        f"/api/v1/raci-assignments/{cell.pk}/",
        {"role": "C"},
        HTTP_IF_MATCH='"99"',
    )
    assert response.status_code == 412


# --- Influence outside 1–5 ------------------------------------------------------------------------

STAKEHOLDER = {
    "name": "Direction financière",
    "kind": "internal",
    "influence": "6",
    "interest": "3",
    "attitude": "neutral",
}


def test_influence_outside_the_scale_in_the_form_is_422(world, client_for):
    response = client_for("pm_a").post(
        f"/projects/{world.a1.pk}/records/stakeholders/new/", STAKEHOLDER, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert 'id="id_influence_error"' in response.content.decode()
    assert not Stakeholder.objects.exists()


def test_influence_outside_the_scale_in_the_api_is_400(world, client_for):
    for value in (0, 6):
        response = _api(
            client_for("pm_a"),
            "post",
            "/api/v1/stakeholders/",
            {**STAKEHOLDER, "influence": value, "project": world.a1.pk},
        )
        assert response.status_code == 400
        assert "influence" in response.json()
    assert not Stakeholder.objects.exists()


def test_the_database_refuses_an_influence_outside_the_scale(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Stakeholder.objects.create(project=world.a1, name="X", influence=7, interest=3)


# --- Invoice larger than its purchase order -------------------------------------------------------


def test_invoice_beyond_the_order_without_reason_in_the_form_is_422(world, client_for, procurement):
    _supplier, order = procurement
    data = {"purchase_order": order.pk, "number": "F2", "invoice_date": "2026-11-02", "amount": "4000.01"}
    response = client_for("pm_a").post(
        f"/projects/{world.a1.pk}/records/invoices/new/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert 'id="id_over_reason_error"' in response.content.decode()
    assert SupplierInvoice.objects.count() == 1
    # exactly the remaining 4 000 needs no reason; beyond it, a reason makes it acceptable
    data["amount"] = "4000.00"
    assert (
        client_for("pm_a")
        .post(f"/projects/{world.a1.pk}/records/invoices/new/", data, HTTP_HX_REQUEST="true")
        .status_code
        == 200
    )
    data.update(number="F3", amount="500", over_reason="Avenant n°1 validé en COPIL.")
    assert (
        client_for("pm_a")
        .post(f"/projects/{world.a1.pk}/records/invoices/new/", data, HTTP_HX_REQUEST="true")
        .status_code
        == 200
    )
    assert SupplierInvoice.objects.count() == 3


def test_invoice_beyond_the_order_without_reason_in_the_api_is_400(world, client_for, procurement):
    _supplier, order = procurement
    data = {
        "project": world.a1.pk,
        "purchase_order": order.pk,
        "number": "F2",
        "invoice_date": "2026-11-02",
        "amount": "5000.00",
    }
    response = _api(client_for("pm_a"), "post", "/api/v1/supplier-invoices/", data)
    assert response.status_code == 400
    assert "over_reason" in response.json()
    assert SupplierInvoice.objects.count() == 1
    # raising an existing invoice above the order through PATCH (If-Match) is refused as well
    invoice = SupplierInvoice.objects.get()
    response = _api(
        client_for("pm_a"),
        "patch",
        f"/api/v1/supplier-invoices/{invoice.pk}/",
        {"amount": "10000.01"},
        HTTP_IF_MATCH=f'"{invoice.version}"',
    )
    assert response.status_code == 400
    assert SupplierInvoice.objects.get().amount == Decimal("6000")


# --- A contract on a closed project ---------------------------------------------------------------


def test_contract_on_a_closed_project_is_refused(world, client_for, procurement):
    supplier, _order = procurement
    Project.objects.filter(pk=world.a1.pk).update(state=Project.State.CLOSED)
    data = {
        "supplier": supplier.pk,
        "reference": "CT-1",
        "title": "Marché",
        "amount": "1000",
        "category": "opex",
        "status": "draft",
    }
    response = client_for("pm_a").post(
        f"/projects/{world.a1.pk}/records/contracts/new/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "closed" in response.content.decode() or "clôturé" in response.content.decode()
    response = _api(client_for("pm_a"), "post", "/api/v1/contracts/", {**data, "project": world.a1.pk})
    assert response.status_code == 400
    assert "project" in response.json()
    assert not Contract.objects.exists()


def test_supplier_of_another_portfolio_is_refused(world, client_for):
    foreign = Supplier.objects.create(portfolio=world.portfolio_b, name="Capgemini")
    data = {
        "project": world.a1.pk,
        "supplier": foreign.pk,
        "reference": "CT-1",
        "title": "M",
        "amount": "1",
        "category": "opex",
    }
    response = _api(client_for("pmo_a"), "post", "/api/v1/contracts/", data)
    assert response.status_code == 400  # an invisible supplier is an unknown id
    assert not Contract.objects.exists()
