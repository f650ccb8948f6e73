"""Procurement (commitments beside budget, actuals and forecast; EAC floored where it is computed;
contract flags), stakeholders and the communication plan (grid, "My projects", iCal feed, report
distribution) and the portfolio's suppliers."""

from datetime import date, timedelta
from decimal import Decimal

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portfolio.models import Supplier
from projects import selectors
from projects.ical import calendar_token_regenerate
from projects.models import CommunicationItem, Contract, CostLine, PurchaseOrder, Stakeholder, SupplierInvoice
from projects.procurement import open_commitments, project_procurement
from projects.services import team as team_services
from projects.team_selectors import my_communications, next_occurrence, report_stakeholders
from reporting.distribution import recipients
from reporting.models import ReportRun

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def orders(world):
    """a1 (budget 100 000): a contract of 20 000 ending 10 days ago; orders 12 000 received (invoiced
    15 000, with a reason), 8 000 committed (invoiced 3 000), 5 000 draft, 4 000 closed (invoiced
    1 000). Open commitments: 0 + 5 000 + 0 + 0 = 5 000; the contract is invoiced 18 000 (not over),
    its orders 20 000 placed."""
    project = world.a1
    project.budget = Decimal("100000")
    project.save()
    supplier = Supplier.objects.create(portfolio=world.portfolio_a, name="Sopra Steria")
    contract = Contract.objects.create(
        project=project,
        supplier=supplier,
        reference="CT-1",
        title="Intégration",
        amount=Decimal("20000"),
        category="capex",
        end_date=TODAY - timedelta(days=10),
        status="committed",
    )

    def order(ref, amount, status, invoiced, under=contract):
        po = PurchaseOrder.objects.create(
            project=project,
            supplier=supplier,
            contract=under,
            reference=ref,
            description=ref,
            amount=Decimal(amount),
            category="capex",
            status=status,
        )
        if invoiced:
            SupplierInvoice.objects.create(
                project=project,
                purchase_order=po,
                number=f"F-{ref}",
                invoice_date=TODAY,
                amount=Decimal(invoiced),
                over_reason="Avenant" if Decimal(invoiced) > Decimal(amount) else "",
            )
        return po

    order("BC-1", "12000", "received", "15000")
    order("BC-2", "8000", "committed", "3000")
    order("BC-3", "5000", "draft", None, under=None)
    order("BC-4", "4000", "closed", "1000", under=None)
    return contract


def test_open_commitments_by_hand(world, orders):
    assert open_commitments(project_ids=[world.a1.pk, world.b1.pk]) == {world.a1.pk: Decimal("5000")}
    tab = project_procurement(project=world.a1, as_of=TODAY)
    assert tab.commitments == Decimal("5000")
    assert tab.ordered == Decimal("24000")  # 12 000 + 8 000 + 4 000 (not the draft)
    assert tab.invoiced == Decimal("19000")
    (row,) = tab.contracts
    assert (row.ordered, row.invoiced, row.expired, row.overrun) == (
        Decimal("20000"),
        Decimal("18000"),
        True,
        False,
    )
    assert [o.order.reference for o in tab.orders if o.over_invoiced] == ["BC-1"]
    SupplierInvoice.objects.create(
        project=world.a1,
        purchase_order=PurchaseOrder.objects.get(reference="BC-2"),
        number="F-x",
        invoice_date=TODAY,
        amount=Decimal("2500"),
    )
    assert project_procurement(project=world.a1, as_of=TODAY).contracts[0].overrun  # 20 500 > 20 000


def test_eac_of_the_project_counts_open_commitments(world, orders):
    """AC 90 000 (this month), 90 % complete of 100 000: EV 90 000, CPI 1, EAC 100 000. Open
    commitments 5 000: AC + 5 000 = 95 000 ≤ 100 000, EAC unchanged. With another 20 000 committed:
    90 000 + 25 000 = 115 000 > 100 000 → EAC 115 000 and VAC −15 000."""
    CostLine.objects.create(
        project=world.a1,
        month=TODAY.replace(day=1),
        category="capex",
        planned=Decimal("90000"),
        actual=Decimal("90000"),
    )
    result = selectors.project_qcdr(project=world.a1, as_of=TODAY, percent_complete=Decimal("90"))
    assert result.evm.eac == Decimal("100000")
    PurchaseOrder.objects.create(
        project=world.a1,
        supplier=orders.supplier,
        reference="BC-9",
        description="Lot 3",
        amount=Decimal("20000"),
        category="opex",
        status="committed",
    )
    result = selectors.project_qcdr(project=world.a1, as_of=TODAY, percent_complete=Decimal("90"))
    assert result.evm.commitments == Decimal("25000")
    assert result.evm.eac == Decimal("115000")
    assert result.evm.vac == Decimal("-15000")


def test_cost_tab_shows_commitments_and_the_procurement_tab_its_flags(world, client_for, orders):
    client = client_for("team")  # a reader
    costs = client.get(f"/projects/{world.a1.pk}/partials/costs/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="costs-commitments">5' in costs and "000" in costs
    page = client.get(f"/projects/{world.a1.pk}/partials/procurement/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="procurement-commitments"' in html
    assert "table-warning" in html  # the expired contract and the over-invoiced order
    assert "record-create" not in html and "/records/" not in html  # a reader gets no buttons


def test_procurement_tab_query_count_is_constant(world, client_for, orders):
    client = client_for("pm_a")
    url = f"/projects/{world.a1.pk}/partials/procurement/"
    with CaptureQueriesContext(connection) as small:
        client.get(url, HTTP_HX_REQUEST="true")
    supplier = Supplier.objects.get()
    for i in range(30):
        po = PurchaseOrder.objects.create(
            project=world.a1,
            supplier=supplier,
            contract=orders,
            reference=f"X{i}",
            description="x",
            amount=Decimal("100"),
            category="opex",
            status="committed",
        )
        SupplierInvoice.objects.create(
            project=world.a1, purchase_order=po, number="F", invoice_date=TODAY, amount=Decimal("50")
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url, HTTP_HX_REQUEST="true")
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (date(2026, 1, 31), "monthly", date(2026, 2, 28)),
        (date(2026, 11, 30), "quarterly", date(2027, 2, 28)),
        (date(2026, 12, 28), "weekly", date(2027, 1, 4)),
        (date(2026, 12, 28), "biweekly", date(2027, 1, 11)),
        (date(2026, 12, 28), "once", None),
    ],
)
def test_next_occurrence(day, frequency, expected):
    assert next_occurrence(day, frequency) == expected


@pytest.fixture
def plan(world):
    pm = world.users["pm_a"]
    dsi = team_services.stakeholder_create(
        actor=pm,
        project=world.a1,
        data={
            "name": "DSI",
            "influence": 5,
            "interest": 4,
            "email": "dsi@example.org",
            "receives_highlight": True,
            "receives_steering": True,
        },
    )
    sponsor = team_services.stakeholder_create(
        actor=pm,
        project=world.a1,
        data={
            "name": "Sponsor",
            "influence": 4,
            "interest": 2,
            "user": world.users["executive"],
            "receives_highlight": True,
        },
    )
    team_services.stakeholder_create(
        actor=pm, project=world.a1, data={"name": "Utilisateurs", "influence": 2, "interest": 5}
    )
    weekly = team_services.communication_item_create(
        actor=pm,
        project=world.a1,
        data={
            "title": "Point hebdo",
            "channel": "meeting",
            "frequency": "weekly",
            "owner": pm,
            "next_date": TODAY - timedelta(days=1),
        },
        stakeholders=[dsi, sponsor],
    )
    return dsi, sponsor, weekly


def test_stakeholder_tab_grid_and_plan(world, client_for, plan):
    response = client_for("team").get(
        f"/projects/{world.a1.pk}/partials/stakeholders/", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="power-interest-chart-data"' in html
    assert "Point hebdo" in html and "DSI, Sponsor" in html
    assert [s.quadrant for s in Stakeholder.objects.order_by("name")] == ["manage", "satisfy", "inform"]


def test_a_stakeholder_who_receives_reports_needs_an_address(world):
    with pytest.raises(Exception) as error:
        team_services.stakeholder_create(
            actor=world.users["pm_a"],
            project=world.a1,
            data={"name": "X", "influence": 3, "interest": 3, "receives_highlight": True},
        )
    assert "email" in error.value.message_dict


def test_recurring_items_in_my_projects_and_done_moves_the_date(world, client_for, plan):
    _dsi, _sponsor, weekly = plan
    assert my_communications(user=world.users["pm_a"], today=TODAY) == [weekly]
    assert my_communications(user=world.users["team"], today=TODAY) == []
    client = client_for("pm_a")
    panel = client.get("/projects/mine/partials/communications/").content.decode()
    assert "Point hebdo" in panel
    response = client.post(
        f"/projects/{world.a1.pk}/communications/{weekly.pk}/done/",
        {"version": weekly.version, "from": "mine"},
    )
    assert response.status_code == 200
    weekly.refresh_from_db()
    assert weekly.last_done == TODAY
    assert weekly.next_date == TODAY + timedelta(days=6)  # yesterday + 1 week
    # a reader who does not own it may not mark it done
    assert (
        client_for("team").post(f"/projects/{world.a1.pk}/communications/{weekly.pk}/done/").status_code
        == 403
    )


def test_recurring_items_in_the_personal_ical_feed(world, client, plan):
    _dsi, _sponsor, weekly = plan
    token = calendar_token_regenerate(user=world.users["pm_a"])
    from django.urls import reverse

    response = client.get(reverse("projects:calendar-user-feed", args=[token]))
    events = [
        e
        for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        if str(e["UID"]).startswith("communication-")
    ]
    days = sorted(e.decoded("DTSTART") for e in events)
    assert days[0] == TODAY - timedelta(days=1)
    assert days[1] == TODAY + timedelta(days=6)
    assert len(days) == len({e["UID"] for e in events}) >= 13  # weekly over the coming quarter
    other = calendar_token_regenerate(user=world.users["team"])
    response = client.get(reverse("projects:calendar-user-feed", args=[other]))
    assert b"communication-" not in response.content


def test_stakeholders_join_the_highlight_and_steering_distribution(world, plan):
    users, emails = report_stakeholders(kind="highlight", project_ids=[world.a1.pk])
    assert (users, emails) == ([world.users["executive"]], ["dsi@example.org"])
    run = ReportRun(kind=ReportRun.Kind.HIGHLIGHT, project=world.a1, period=TODAY, key="k")
    people, externals = recipients(run)
    assert world.users["executive"] in people and "dsi@example.org" in externals
    steering = ReportRun(kind=ReportRun.Kind.STEERING, portfolio=world.portfolio_a, period=TODAY, key="s")
    _people, externals = recipients(steering)
    assert externals == ["dsi@example.org"]
    exception = ReportRun(kind=ReportRun.Kind.EXCEPTION, project=world.a1, period=TODAY, key="e")
    assert "dsi@example.org" not in recipients(exception)[1]


def test_suppliers_page_and_api(world, client_for):
    client = client_for("pm_a")
    response = client.post(
        f"/portfolios/{world.portfolio_a.pk}/suppliers/", {"name": "Capgemini"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Capgemini" in response.content.decode()
    response = client.post(
        f"/portfolios/{world.portfolio_a.pk}/suppliers/", {"name": "capgemini"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert (
        client_for("team").post(f"/portfolios/{world.portfolio_a.pk}/suppliers/", {"name": "X"}).status_code
        == 403
    )
    assert client_for("pm_b").get(f"/portfolios/{world.portfolio_a.pk}/suppliers/").status_code == 404
    supplier = Supplier.objects.get()
    api = client.patch(
        f"/api/v1/suppliers/{supplier.pk}/",
        {"phone": "01 02 03 04 05"},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{supplier.version}"',
    )
    assert api.status_code == 200 and api["ETag"] == f'"{supplier.version + 1}"'
    assert client_for("pm_b").get(f"/api/v1/suppliers/{supplier.pk}/").status_code == 404
    assert CommunicationItem.objects.count() == 0


def test_the_submitted_report_keeps_the_floored_eac(world, orders):
    """The status recompute on submit (projects.services.status) goes through the same facts: the
    snapshot stored on the report, which dashboards and highlight reports read, holds EAC ≥ AC +
    open commitments. AC 90 000, EV 90 000 (90 %), commitments 5 000 + 20 000 → EAC 115 000."""
    from pmo.core.periods import week_start
    from projects import services

    CostLine.objects.create(
        project=world.a1,
        month=TODAY.replace(day=1),
        category="capex",
        planned=Decimal("90000"),
        actual=Decimal("90000"),
    )
    PurchaseOrder.objects.create(
        project=world.a1,
        supplier=orders.supplier,
        reference="BC-9",
        description="Lot 3",
        amount=Decimal("20000"),
        category="opex",
        status="committed",
    )
    report = services.status_report_save(
        actor=world.users["pm_a"],
        project=world.a1,
        period_start=week_start(TODAY),
        version=None,
        data={
            **dict.fromkeys(("overall", "quality", "cost", "schedule", "risk"), "green"),
            "percent_complete": 90,
        },
        submit=True,
    )
    assert report.indicated["evm"]["eac"] == "115000.0000"
    assert report.indicated["evm"]["commitments"] == "25000.0000"


def test_team_tab_adds_an_external_person_and_refuses_an_empty_one(world, client_for):
    client = client_for("pm_a")
    url = f"/projects/{world.a1.pk}/team/add/"
    response = client.post(url, {"name": "", "project_role": "Testeur"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert 'id="id_name_error"' in response.content.decode()
    response = client.post(
        url, {"name": "Léa Rousseau", "organisation": "Wavestone", "project_role": "Conduite du changement"}
    )
    assert response.status_code == 200
    assert "Léa Rousseau" in response.content.decode()
    assert world.a1.members.filter(user__isnull=True, organisation="Wavestone").count() == 1


def test_stakeholders_tab_query_count_is_constant(world, client_for, plan):
    client = client_for("pm_a")
    url = f"/projects/{world.a1.pk}/partials/stakeholders/"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    people = [
        Stakeholder.objects.create(project=world.a1, name=f"S{i}", influence=1 + i % 5, interest=1 + i % 3)
        for i in range(40)
    ]
    for i in range(20):
        item = CommunicationItem.objects.create(
            project=world.a1, title=f"C{i}", owner=world.users["pm_a"], next_date=TODAY
        )
        item.stakeholders.set(people[i : i + 5])
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
