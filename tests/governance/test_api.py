"""The exceptions API: visible rows only, raise by hand, close; the report with If-Match, frozen once sent."""

import json

import pytest
from django.urls import reverse

from governance.models import ExceptionReport, ProjectException
from tests.access_refs.governance import exception_with_report

pytestmark = pytest.mark.django_db

VISIBLE = {
    "team": {"a1"},
    "pm_a": {"a1", "a2"},
    "pm_b": {"b1"},
    "sponsor": {"a1", "a2"},
    "executive": {"a1", "a2"},
    "pmo_a": {"a1", "a2"},
    "pmo_b": {"b1"},
    "superuser": {"a1", "a2", "b1"},
}


@pytest.fixture
def exceptions(world):
    return {code: exception_with_report(getattr(world, code), "cost")[0] for code in ("a1", "a2", "b1")}


def patch(client, url, payload, **headers):
    return client.patch(url, json.dumps(payload), content_type="application/json", headers=headers)


@pytest.mark.parametrize("principal", sorted(VISIBLE))
def test_the_list_is_exactly_the_visible_exceptions(exceptions, client_for, principal):
    response = client_for(principal).get(reverse("api:exception-list"), {"page_size": 100})
    body = response.json()
    codes = {code for code, e in exceptions.items() if e.pk in {row["id"] for row in body["results"]}}
    assert codes == VISIBLE[principal]
    assert body["count"] == len(VISIBLE[principal])


def test_the_list_filters(exceptions, world, client_for):
    exception_with_report(world.a1, "time", sent_by=world.users["pm_a"])
    client = client_for("pmo_a")

    def ids(**query):
        return {
            row["tolerance"] + ":" + row["state"]
            for row in client.get(reverse("api:exception-list"), query).json()["results"]
        }

    assert ids(project=world.a1.pk) == {"cost:open", "time:reported"}
    assert ids(project=world.a1.pk, state="reported") == {"time:reported"}
    assert ids(project=world.b1.pk) == set()  # invisible: as an unknown id
    assert client.get(reverse("api:exception-list"), {"project": world.b1.pk}).status_code == 200


def test_raising_by_hand_through_the_api(world, client_for):
    response = client_for("pm_a").post(
        reverse("api:exception-list"),
        {
            "project": world.a1.pk,
            "tolerance": "scope",
            "summary": "Périmètre élargi par le métier.",
            "forecast_value": "3",
            "limit": "0",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["tolerance"], body["state"], body["forecast_value"], body["raised_by"]) == (
        "scope",
        "open",
        "3.00",
        world.users["pm_a"].pk,
    )
    assert body["report"] == ExceptionReport.objects.get(exception_id=body["id"]).pk
    again = client_for("pm_a").post(
        reverse("api:exception-list"),
        {
            "project": world.a1.pk,
            "tolerance": "scope",
            "summary": "Encore",
            "forecast_value": "3",
            "limit": "0",
        },
        content_type="application/json",
    )
    assert again.status_code == 400 and "tolerance" in again.json()


def test_closing_through_the_api_checks_the_version_when_given(exceptions, client_for):
    exception = exceptions["a1"]
    url = reverse("api:exception-close", args=[exception.pk])
    stale = client_for("sponsor").post(
        url, {"note": "x"}, content_type="application/json", headers={"If-Match": '"0"'}
    )
    assert stale.status_code == 412
    missing_note = client_for("sponsor").post(url, {}, content_type="application/json")
    assert missing_note.status_code == 400
    done = client_for("sponsor").post(
        url,
        {"note": "COPIL : option 1."},
        content_type="application/json",
        headers={"If-Match": f'"{exception.version}"'},
    )
    assert done.status_code == 200
    assert done.json()["state"] == "closed"
    assert done["ETag"] == f'"{exception.version + 1}"'
    assert (
        client_for("sponsor").post(url, {"note": "Encore"}, content_type="application/json").status_code
        == 400
    )


def test_the_report_is_updated_with_if_match(exceptions, client_for):
    report = exceptions["a1"].report
    client = client_for("pm_a")
    url = reverse("api:exception-report-detail", args=[report.pk])
    read = client.get(url)
    assert read["ETag"] == f'"{report.version}"'
    assert read.json()["options"][0]["title"] == "Accepter le dépassement"
    assert patch(client, url, {"cause": "x"}).status_code == 428
    assert patch(client, url, {"cause": "x"}, **{"If-Match": '"99"'}).status_code == 412
    options = [{"title": "Réduire le périmètre", "cost_impact": "-1500.5", "schedule_impact_days": 4}]
    done = patch(client, url, {"cause": "Cause API", "options": options}, **{"If-Match": read["ETag"]})
    assert done.status_code == 200, done.content
    assert done["ETag"] == f'"{report.version + 1}"'
    report.refresh_from_db()
    assert report.cause == "Cause API"
    assert report.options == [
        {
            "title": "Réduire le périmètre",
            "description": "",
            "cost_impact": "-1500.50",
            "schedule_impact_days": 4,
            "risk": "",
        }
    ]


def test_the_report_refuses_bad_options_and_read_only_fields(exceptions, client_for):
    report = exceptions["a1"].report
    client = client_for("pm_a")
    url = reverse("api:exception-report-detail", args=[report.pk])
    etag = {"If-Match": f'"{report.version}"'}
    assert patch(client, url, {"options": [{"description": "sans titre"}]}, **etag).status_code == 400
    assert patch(client, url, {"state": "sent"}, **etag).status_code == 400
    assert patch(client, url, {"facts": {"qcdr": {}}}, **etag).status_code == 400
    assert ExceptionReport.objects.get(pk=report.pk).state == "draft"


def test_a_sent_report_answers_409(world, client_for):
    sent, report = exception_with_report(world.a1, "time", sent_by=world.users["pm_a"])
    before = ExceptionReport.objects.values().get(pk=report.pk)
    response = patch(
        client_for("pmo_a"),
        reverse("api:exception-report-detail", args=[report.pk]),
        {"cause": "x"},
        **{"If-Match": f'"{report.version}"'},
    )
    assert response.status_code == 409
    assert ExceptionReport.objects.values().get(pk=report.pk) == before
    assert ProjectException.objects.get(pk=sent.pk).state == "reported"
