"""Capacity and resource pages: heat map, drill-down, over-allocations, what-if through the session,
the project's Resources tab (422 on bad input) and constant query counts as the pool grows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.resource_models import Absence, Resource
from projects.models import Allocation
from tests.factories import ProjectFactory
from tests.resources.conftest import book

pytestmark = pytest.mark.django_db


def grow(world, pool, people: int) -> None:
    """`people` more resources in A, each on two projects with an absence: the pool grows."""
    projects = ProjectFactory.create_batch(
        3, portfolio=world.portfolio_a, manager=world.users["pm_a"], state="active"
    )
    have = Resource.objects.filter(portfolio=world.portfolio_a).count()
    created = Resource.objects.bulk_create(
        Resource(portfolio=world.portfolio_a, name=f"Personne {i:03d}", role=pool.dev, department=f"D{i % 3}")
        for i in range(have, have + people)
    )
    Allocation.objects.bulk_create(
        Allocation(
            project=projects[(r.pk + k) % 3],
            resource=r,
            role=pool.dev,
            start_date=pool.monday,
            end_date=pool.monday + timedelta(weeks=8),
            unit="percent",
            percent=Decimal(60),
            state="confirmed",
        )
        for r in created
        for k in range(2)
    )
    Absence.objects.bulk_create(
        Absence(
            resource=r,
            start_date=pool.monday + timedelta(weeks=2),
            end_date=pool.monday + timedelta(weeks=2, days=4),
        )
        for r in created
    )


def count(client, url, **params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(queries), response


PAGES = [
    (reverse("projects:capacity"), {}),
    (reverse("projects:capacity"), {"view": "role", "granularity": "month"}),
    (reverse("projects:overallocations"), {}),
    (reverse("projects:capacity-summary-partial"), {}),
    (reverse("portfolio:resource-list"), {}),
    (reverse("api:capacity"), {"periods": "52"}),
    # API lists: pages of 2, full at both sizes (a short first page skips its COUNT: pmo.core.api)
    (reverse("api:resource-list"), {"page_size": "2"}),
    (reverse("api:allocation-list"), {"page_size": "2"}),
]


@pytest.mark.parametrize(("url", "params"), PAGES)
def test_query_count_does_not_grow_with_the_pool(world, pool, client_for, url, params):
    client = client_for("pmo_a")
    grow(world, pool, 3)
    client.get(url, params)  # warm the session and caches
    small, _ = count(client, url, **params)
    grow(world, pool, 60)
    large, response = count(client, url, **params)
    print(f"QUERY-BUDGET {url}?{params}: {small} → {large}")
    assert large == small
    assert large <= 15


def test_project_tab_query_count_does_not_grow(world, pool, client_for):
    client = client_for("pm_a")
    url = reverse("projects:allocations-partial", args=[world.a1.pk])
    book(world.a1, pool.alice)
    small, _ = count(client, url)
    for _ in range(20):
        book(world.a1, pool.bob, percent=10)
        book(world.a1, role=pool.archi, percent=10)
    large, response = count(client, url)
    assert large == small
    assert response.content.decode().count('id="allocation-') >= 41


def test_heat_map_shows_load_and_flags_over_allocation(world, pool, client_for):
    book(world.a1, pool.alice, percent=80)
    book(world.a2, pool.alice, percent=40)
    client = client_for("pmo_a")
    page = client.get(reverse("projects:capacity"))
    html = page.content.decode()
    assert "Alice Dev" in html and "Bob Archi" in html and "Carol B" not in html
    assert "120 %" in html and "heat-over" in html
    fragment = client.get(
        reverse("projects:capacity"), headers={"HX-Request": "true", "HX-Target": "capacity-grid"}
    )
    assert fragment.content.decode().startswith('<div id="capacity-grid"')
    assert "<html" not in fragment.content.decode()
    over = client.get(reverse("projects:overallocations")).content.decode()
    assert "Alice Dev" in over and "a1" in over and "a2" in over and "Bob Archi" not in over


def test_heat_map_filters_by_department_and_skill(world, pool, client_for):
    client = client_for("pmo_a")
    html = client.get(reverse("projects:capacity"), {"department": "Infra"}).content.decode()
    assert "Bob Archi" in html and "Alice Dev" not in html
    html = client.get(reverse("projects:capacity"), {"skill": pool.java.pk}).content.decode()
    assert "Alice Dev" in html and "Bob Archi" not in html


def test_the_cell_lists_the_allocations_behind_it(world, pool, client_for):
    allocation = book(world.a1, pool.alice, percent=80)
    client = client_for("pmo_a")
    response = client.get(
        reverse("projects:capacity-cell-partial"),
        {"resource": pool.alice.pk, "start": pool.monday, "end": pool.monday + timedelta(days=6)},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "a1" in html and "80 %" in html
    assert f'value="{allocation.pk}"' in html  # a what-if form: pmo_a may change it


def test_what_if_changes_nothing_until_confirmed(world, pool, client_for):
    allocation = book(world.a1, pool.alice, percent=100)
    client = client_for("pm_a")
    response = client.post(
        reverse("projects:whatif-change"),
        {
            "allocation": allocation.pk,
            "start_date": pool.monday + timedelta(weeks=8),
            "end_date": pool.monday + timedelta(weeks=9),
            "percent": "50",
        },
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.percent == Decimal("100")
    html = client.get(reverse("projects:capacity")).content.decode()
    assert "What-if draft" in html or "Simulation" in html or "whatif-draft" in html
    client.post(reverse("projects:whatif-confirm"))
    allocation.refresh_from_db()
    assert (allocation.percent, allocation.start_date) == (Decimal("50"), pool.monday + timedelta(weeks=8))
    assert "whatif-draft" not in client.get(reverse("projects:capacity")).content.decode()


def test_what_if_refuses_a_bad_change_with_422(world, pool, client_for):
    allocation = book(world.a1, pool.alice, percent=100)
    response = client_for("pm_a").post(
        reverse("projects:whatif-change"),
        {"allocation": allocation.pk, "start_date": pool.monday, "end_date": pool.monday, "percent": "140"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"percent": "-5"}, "percent"),
        ({"percent": "101"}, "percent"),
        ({"role": "999999", "resource": ""}, "role"),
        ({"end_date": "2020-01-01"}, "end_date"),
    ],
)
def test_the_tab_form_answers_422_naming_the_field(world, pool, client_for, payload, field):
    data = {
        "resource": pool.alice.pk,
        "start_date": pool.monday,
        "end_date": pool.monday + timedelta(weeks=3),
        "unit": "percent",
        "percent": "50",
    }
    data.update(payload)
    response = client_for("pm_a").post(
        reverse("projects:allocation-create", args=[world.a1.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Allocation.objects.exists()


def test_a_closed_project_answers_422(world, pool, client_for):
    world.a1.state = "closed"
    world.a1.save()
    data = {
        "resource": pool.alice.pk,
        "start_date": pool.monday,
        "end_date": pool.monday + timedelta(weeks=3),
        "unit": "percent",
        "percent": "50",
    }
    response = client_for("pmo_a").post(reverse("projects:allocation-create", args=[world.a1.pk]), data)
    assert response.status_code == 422
    assert "project" in response.content.decode().lower() or "projet" in response.content.decode().lower()
    assert not Allocation.objects.exists()


def test_costs_tab_shows_allocation_cost_apart_from_the_cost_plan(world, pool, client_for):
    book(world.a1, pool.alice, percent=100, weeks=(0, 1), start=pool.monday + timedelta(weeks=60))
    client = client_for("pm_a")
    html = client.get(reverse("projects:costs-partial", args=[world.a1.pk])).content.decode()
    assert reverse("projects:allocation-costs-partial", args=[world.a1.pk]) in html
    fragment = client.get(reverse("projects:allocation-costs-partial", args=[world.a1.pk])).content.decode()
    assert 'id="allocation-costs"' in fragment and "2" in fragment


def test_resource_pool_pages(world, pool, client_for):
    client = client_for("pmo_a")
    detail = client.get(reverse("portfolio:resource-detail", args=[pool.alice.pk])).content.decode()
    assert "Java" in detail and "Études" in detail
    response = client.post(
        reverse("portfolio:absence-add", args=[pool.alice.pk]),
        {"start_date": pool.monday + timedelta(days=4), "end_date": pool.monday},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422 and not pool.alice.absences.exists()
    response = client.post(
        reverse("portfolio:resource-edit", args=[pool.alice.pk]),
        {
            "version": pool.alice.version,
            "name": "Alice",
            "role": pool.dev.pk,
            "cost_rate_per_day": "500",
            "hours_per_week": "35",
            "working_time_pct": "150",
            "skills": "Java: 9",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_working_time_pct_error"' in html and 'id="id_skills_error"' in html


def test_flexible_mode_flags_the_booking_that_overloads(world, pool, client_for):
    book(world.a2, pool.alice, percent=80)
    data = {
        "resource": pool.alice.pk,
        "start_date": pool.monday,
        "end_date": pool.monday + timedelta(weeks=3),
        "unit": "percent",
        "percent": "50",
    }
    response = client_for("pm_a").post(reverse("projects:allocation-create", args=[world.a1.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert-warning" in html and "Alice Dev" in html and "130 %" in html
    assert Allocation.objects.filter(project=world.a1).count() == 1


def test_resource_page_loads_its_bookings_and_load(world, pool, client_for):
    book(world.a1, pool.alice, percent=80)
    book(world.b1, pool.carol, percent=50)
    client = client_for("pm_a")
    page = client.get(reverse("portfolio:resource-detail", args=[pool.alice.pk])).content.decode()
    fragment_url = reverse("projects:resource-allocations-partial", args=[pool.alice.pk])
    assert fragment_url in page
    html = client.get(fragment_url).content.decode()
    assert "a1" in html and "80 %" in html and "heat-" in html
    assert (
        client.get(reverse("projects:resource-allocations-partial", args=[pool.carol.pk])).status_code == 404
    )
