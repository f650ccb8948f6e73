"""The resources, allocations and capacity API: scoped lists, 400 on bad input with nothing written,
If-Match on edits, strict mode, staffing and confirmation, the heat-map data."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from projects.capacity_selectors import next_quarter, overloaded_roles
from projects.models import Allocation
from tests.resources.conftest import book

pytestmark = pytest.mark.django_db


def post(client, url, payload, **headers):
    return client.post(
        url, json.dumps(payload, default=str), content_type="application/json", headers=headers
    )


def patch(client, url, payload, **headers):
    return client.patch(
        url, json.dumps(payload, default=str), content_type="application/json", headers=headers
    )


def payload(world, pool, **overrides):
    body = {
        "project": world.a1.pk,
        "resource": pool.alice.pk,
        "start_date": pool.monday.isoformat(),
        "end_date": (pool.monday + timedelta(weeks=4)).isoformat(),
        "unit": "percent",
        "percent": "50",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("principal", "names"),
    [
        ("team", set()),
        ("pm_a", {"Alice Dev", "Bob Archi"}),
        ("executive", {"Alice Dev", "Bob Archi"}),
        ("pmo_b", {"Carol B"}),
        ("superuser", {"Alice Dev", "Bob Archi", "Carol B"}),
    ],
)
def test_resource_list_is_exactly_the_visible_pool(pool, client_for, principal, names):
    body = client_for(principal).get(reverse("api:resource-list")).json()
    assert {row["name"] for row in body["results"]} == names


def test_a_team_member_sees_their_own_resource(world, pool, client_for):
    pool.bob.user = world.users["team"]
    pool.bob.save()
    body = client_for("team").get(reverse("api:resource-list")).json()
    assert [row["name"] for row in body["results"]] == ["Bob Archi"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"percent": "-10"}, "percent"),
        ({"percent": "100.5"}, "percent"),
        ({"role": 999999, "resource": None}, "role"),
        ({"end_date": "2020-01-01"}, "end_date"),
        ({"unit": "hours", "percent": None, "hours_per_week": "0"}, "hours_per_week"),
    ],
)
def test_bad_allocations_answer_400_and_write_nothing(world, pool, client_for, overrides, field):
    response = post(client_for("pm_a"), reverse("api:allocation-list"), payload(world, pool, **overrides))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Allocation.objects.exists()


def test_outside_availability_and_closed_project_answer_400(world, pool, client_for):
    pool.alice.available_from = pool.monday + timedelta(weeks=2)
    pool.alice.save()
    client = client_for("pmo_a")
    response = post(client, reverse("api:allocation-list"), payload(world, pool))
    assert response.status_code == 400 and "start_date" in response.json()
    world.a2.state = "cancelled"
    world.a2.save()
    response = post(
        client,
        reverse("api:allocation-list"),
        payload(world, pool, project=world.a2.pk, resource=pool.bob.pk),
    )
    assert response.status_code == 400 and "project" in response.json()
    assert not Allocation.objects.exists()


def test_strict_mode_answers_400_beyond_capacity(world, pool, client_for):
    world.portfolio_a.allocation_mode = "strict"
    world.portfolio_a.save()
    client = client_for("pm_a")
    assert post(client, reverse("api:allocation-list"), payload(world, pool, percent="70")).status_code == 201
    response = post(client, reverse("api:allocation-list"), payload(world, pool, percent="40"))
    assert response.status_code == 400 and "resource" in response.json()
    assert Allocation.objects.count() == 1


def test_edits_need_if_match(world, pool, client_for):
    allocation = book(world.a1, pool.alice)
    client = client_for("pm_a")
    url = reverse("api:allocation-detail", args=[allocation.pk])
    assert patch(client, url, {"percent": "30"}).status_code == 428
    assert patch(client, url, {"percent": "30"}, **{"If-Match": '"99"'}).status_code == 412
    response = patch(client, url, {"percent": "30"}, **{"If-Match": f'"{allocation.version}"'})
    assert response.status_code == 200 and response["ETag"] == f'"{allocation.version + 1}"'
    assert response.json()["state"] == "requested"  # the PM changed a confirmed booking
    assert patch(client, url, {"project": world.a2.pk}, **{"If-Match": response["ETag"]}).status_code == 400


def test_staff_then_confirm(world, pool, client_for):
    demand = book(world.a1, role=pool.dev, percent=40)
    response = post(
        client_for("pm_a"), reverse("api:allocation-staff", args=[demand.pk]), {"resource": pool.alice.pk}
    )
    assert response.status_code == 200 and response.json()["resource"] == pool.alice.pk
    assert (
        post(client_for("pm_a"), reverse("api:allocation-confirm", args=[demand.pk]), {}).status_code == 403
    )
    response = post(client_for("executive"), reverse("api:allocation-confirm", args=[demand.pk]), {})
    assert response.status_code == 200 and response.json()["state"] == "confirmed"


def test_resource_create_and_update(world, pool, client_for):
    client = client_for("pmo_a")
    body = {
        "portfolio": world.portfolio_a.pk,
        "name": "Dana",
        "role": pool.dev.pk,
        "skills": [{"skill": "Java", "level": 4}],
    }
    response = post(client, reverse("api:resource-list"), body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["skills"] == [{"skill": "Java", "level": 4}] and created["capacity"] == 35.0
    bad = post(client, reverse("api:resource-list"), {**body, "role": 999999, "working_time_pct": 120})
    assert bad.status_code == 400 and {"role", "working_time_pct"} <= set(bad.json())
    # a NUL character in a skill's name is an unknown skill, not a database error (schemathesis, row 27)
    nul = post(
        client, reverse("api:resource-list"), {**body, "skills": [{"skill": "Ja\u0000va", "level": 2}]}
    )
    assert nul.status_code == 400 and "skills" in nul.json(), nul.content
    url = reverse("api:resource-detail", args=[created["id"]])
    response = patch(client, url, {"working_time_pct": 50}, **{"If-Match": f'"{created["version"]}"'})
    assert response.status_code == 200 and response.json()["capacity"] == 17.5


def test_capacity_endpoint_returns_the_heat_map(world, pool, client_for):
    book(world.a1, pool.alice, percent=80)
    book(world.a2, pool.alice, percent=40)
    body = (
        client_for("pmo_a")
        .get(reverse("api:capacity"), {"start": pool.monday.isoformat(), "periods": 4})
        .json()
    )
    assert body["unit"] == "hours" and len(body["periods"]) == 4
    alice = next(row for row in body["rows"] if row["label"] == "Alice Dev")
    assert alice["overloaded"] is True
    assert alice["cells"][1]["load"] == 120.0 and alice["cells"][1]["level"] == "over"
    roles = (
        client_for("pmo_a")
        .get(reverse("api:capacity"), {"view": "role", "start": pool.monday.isoformat()})
        .json()
    )
    assert {row["label"] for row in roles["rows"]} == {"Développeur", "Architecte"}
    assert client_for("pmo_b").get(reverse("api:capacity")).json()["rows"][0]["label"] == "Carol B"


def test_overloaded_roles_next_quarter(world, pool, client_for):
    start, end = next_quarter(pool.monday)
    book(world.a1, pool.alice, percent=100, weeks=(0, 4), start=start)
    book(world.a1, role=pool.dev, percent=100, weeks=(0, 4), start=start)
    roles = overloaded_roles(portfolio_ids=[world.portfolio_a.pk], start=start, end=end)
    assert [r.role for r in roles] == ["Développeur"]
    assert roles[0].peak_load > 100
    html = client_for("executive").get(reverse("projects:capacity-summary-partial")).content.decode()
    assert "Développeur" in html and "Architecte" not in html
    assert (
        "Développeur"
        not in client_for("pmo_b").get(reverse("projects:capacity-summary-partial")).content.decode()
    )


def test_capacity_rows_are_paged(world, pool, client_for):
    body = client_for("superuser").get(reverse("api:capacity"), {"page_size": 2}).json()
    assert (body["count"], body["page"], len(body["rows"])) == (3, 1, 2)
    second = client_for("superuser").get(reverse("api:capacity"), {"page_size": 2, "page": 2}).json()
    assert [row["label"] for row in second["rows"]] == ["Carol B"]
    assert client_for("superuser").get(reverse("api:capacity"), {"page": "x"}).status_code == 400
