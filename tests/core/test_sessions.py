"""Login, lockout and session lifetime (RELIABILITY rows 7 and 9)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password"


@pytest.fixture
def pm(world):
    user = world.users["pm_a"]
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, username, password, ip="10.0.0.1", **headers):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )


def test_login_cycles_the_session_key(pm):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen"
    response = login(client, "pm_a", PASSWORD)
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != "attacker-chosen"


def test_cookie_replayed_after_logout_is_anonymous(pm):
    client = Client()
    login(client, "pm_a", PASSWORD)
    stolen = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = stolen
    assert replay.get("/projects/").status_code == 302


def test_five_failures_lock_the_username_from_that_address_even_with_spoofed_forwarded_for(pm):
    client = Client()
    for attempt in range(5):
        login(client, "pm_a", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    locked = login(client, "pm_a", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_idle_session_expires_after_30_minutes(pm):
    client = Client()
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        login(client, "pm_a", PASSWORD)
        assert client.get("/projects/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/projects/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/projects/").status_code == 302


def test_active_session_ends_after_12_hours(pm):
    client = Client()
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC), tick=False) as clock:
        login(client, "pm_a", PASSWORD)
        client.get("/projects/")
        for _ in range(24):
            clock.shift(dt.timedelta(minutes=25))
            client.get("/projects/")
        assert client.get("/projects/").status_code == 200  # 10 h of activity
        for _ in range(6):
            clock.shift(dt.timedelta(minutes=25))
            last = client.get("/projects/")
        assert last.status_code == 302


def test_deactivated_user_is_rejected_on_the_next_request(pm):
    client = Client()
    login(client, "pm_a", PASSWORD)
    pm.is_active = False
    pm.save()
    assert client.get("/projects/").status_code == 302


def test_password_change_ends_the_other_sessions(pm):
    first, second = Client(), Client()
    login(first, "pm_a", PASSWORD)
    login(second, "pm_a", PASSWORD, ip="10.0.0.2")
    response = first.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "une nouvelle phrase secrète",
            "new_password2": "une nouvelle phrase secrète",
        },
    )
    assert response.status_code == 302
    assert first.get("/projects/").status_code == 200
    assert second.get("/projects/").status_code == 302
