"""RELIABILITY row 16, in-process: concurrent PATCHes with the version each writer read.

Threads drive the real API (Django test client, one PostgreSQL connection per thread) against a
real database; `make reliability` runs the same race over HTTP against gunicorn
(reliability/lost_updates.py).
"""

import threading

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from pmo.core.periods import week_start
from projects.models import Project
from reliability.concurrency import Attempt, RaceResult, Writer, race, verify
from tests.factories import StatusReportFactory

pytestmark = pytest.mark.django_db(transaction=True)


def api_writer(user, path: str, field: str) -> Writer:
    client = APIClient()
    client.force_authenticate(user)

    def read() -> int:
        response = client.get(path)
        assert response.status_code == 200, response.content
        return int(response["ETag"].strip('"'))

    def write(version: int, token: str):
        response = client.patch(path, {field: token}, format="json", HTTP_IF_MATCH=f'"{version}"')
        return response.status_code, int(response["ETag"].strip('"')) if response.status_code == 200 else None

    return Writer(read=read, write=write, done=lambda: connection.close())


def events_since(model, pk: int, since: int, field: str) -> list[tuple[int, str]]:
    events = apps.get_model(model._meta.app_label, f"{model.__name__}Event").objects
    return list(
        events.filter(pgh_obj_id=pk, pgh_label="update", pgh_id__gt=since).values_list("version", field)
    )


def last_event_id(model) -> int:
    events = apps.get_model(model._meta.app_label, f"{model.__name__}Event").objects
    return events.order_by("-pgh_id").values_list("pgh_id", flat=True).first() or 0


def run_and_verify(instance, path: str, field: str, users, *, rounds: int, free: int):
    model = type(instance)
    initial = instance.version
    since = last_event_id(model)
    result = race([api_writer(user, path, field) for user in users], rounds=rounds, free_attempts=free)
    instance.refresh_from_db()
    return verify(
        result,
        initial_version=initial,
        final_version=instance.version,
        final_token=getattr(instance, field),
        events=events_since(model, instance.pk, since, field),
    )


def test_fifty_writers_on_one_status_report_lose_nothing(world):
    this_week = week_start(timezone.localdate())
    report = StatusReportFactory(project=world.a1, period_start=this_week, state="draft")
    sponsor = APIClient()
    sponsor.force_authenticate(world.users["sponsor"])
    stop = threading.Event()
    sponsor_statuses = []

    def sponsor_tries():
        while not stop.is_set():
            response = sponsor.patch(
                f"/api/v1/status-reports/{report.pk}/", {"overall_comment": "sponsor"}, HTTP_IF_MATCH='"1"'
            )
            sponsor_statuses.append(response.status_code)
        connection.close()

    hammer = threading.Thread(target=sponsor_tries)
    hammer.start()
    try:
        figures, problems = run_and_verify(
            report,
            f"/api/v1/status-reports/{report.pk}/",
            "overall_comment",
            [world.users["pm_a"]] * 50,
            rounds=3,
            free=1,
        )
    finally:
        stop.set()
        hammer.join()

    assert problems == []
    assert figures["ok"] == figures["versions"] >= 4  # 3 barrier rounds + the free-running phase
    assert figures["stale"] == figures["attempts"] - figures["ok"]
    assert figures["events"] == figures["ok"] and figures["lost"] == 0
    assert sponsor_statuses and set(sponsor_statuses) == {403}


def test_concurrent_project_writers_by_pm_and_pmo_lose_nothing(world):
    users = [world.users["pm_a"], world.users["pmo_a"]] * 10
    figures, problems = run_and_verify(
        world.a1, f"/api/v1/projects/{world.a1.pk}/", "description", users, rounds=3, free=2
    )
    assert problems == []
    assert figures["ok"] == figures["versions"] and figures["server_errors"] == 0
    assert Project.objects.get(pk=world.a1.pk).version == 1 + figures["ok"]


def test_verify_catches_a_lost_update_and_a_double_success():
    """The checker itself: two 200s on one version and a success missing from history both fail."""
    result = RaceResult(
        attempts=[
            Attempt(0, 1, 200, 2, "w0"),
            Attempt(1, 1, 200, 2, "w1"),
            Attempt(2, 2, 412, None, "w2"),
        ]
    )
    _figures, problems = verify(
        result, initial_version=1, final_version=2, final_token="w1", events=[(2, "w1")]
    )
    assert any("2 successes" in p for p in problems)
    assert any("lost" in p for p in problems)
    assert any("version 2: 0 successes" in p for p in problems)
