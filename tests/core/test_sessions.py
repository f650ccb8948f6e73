"""Login, lockout and session lifetime (RELIABILITY rows 7 and 9).

Row 9, the six session-lifecycle checks: a new key at login, a replayed cookie after logout,
idle 30 min, absolute 12 h, a deactivated user, a password change ending the other sessions.
Row 7, brute force: axes locks a username from one address after 5 failures in 15 min (a spoofed
X-Forwarded-For does not reset the counter); pmo.core.bruteforce caps the password checks of one
username at 100 per hour across every address; every attempt is recorded (SecurityEvent).
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from pmo.core.bruteforce import client_ip, password_failures_in_window
from pmo.core.models import SecurityEvent
from tests.security.figures import Tally

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password"
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)

LIFECYCLE = Tally(
    "9",
    "session lifecycle checks pass (new key at login, replay after logout refused, idle 30 min, "
    "absolute 12 h, deactivated user rejected, password change ends the other sessions)",
    ["fixation", "replay", "idle", "absolute", "deactivated", "password change"],
)
BRUTE_FORCE = Tally(
    "7",
    "brute-force checks pass",
    [
        "5 per user+IP, XFF ignored",
        "other address not locked",
        "cool-off 15 min",
        "100 per username per hour across addresses",
        "100 % of attempts logged",
        "trusted proxy address",
    ],
)


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    LIFECYCLE.report()
    BRUTE_FORCE.report()


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


# --- Row 9: session lifecycle ---------------------------------------------------------------------


def test_login_cycles_the_session_key(pm):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen"
    response = login(client, "pm_a", PASSWORD)
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != "attacker-chosen"
    LIFECYCLE.passed("fixation")


def test_cookie_replayed_after_logout_is_anonymous(pm):
    client = Client()
    login(client, "pm_a", PASSWORD)
    stolen = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = stolen
    assert replay.get("/projects/").status_code == 302
    api = replay.get("/api/v1/projects/")
    assert api.status_code == 403
    LIFECYCLE.passed("replay")


def test_idle_session_expires_after_30_minutes(pm):
    client = Client()
    with time_machine.travel(MONDAY, tick=False) as clock:
        login(client, "pm_a", PASSWORD)
        assert client.get("/projects/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/projects/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/projects/").status_code == 302
    LIFECYCLE.passed("idle")


def test_an_active_session_is_saved_at_most_once_a_minute(pm):
    """The idle timeout moves by saving the session; a request within a minute of the last save
    writes nothing (no UPDATE of django_session), the first one after it renews the expiry."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with time_machine.travel(MONDAY, tick=False) as clock:
        login(client, "pm_a", PASSWORD)
        client.get("/projects/")
        key = client.cookies["sessionid"].value
        expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(dt.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/projects/").status_code == 200
        assert not [q for q in queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")]
        assert Session.objects.get(session_key=key).expire_date == expiry
        clock.shift(dt.timedelta(seconds=31))
        assert client.get("/projects/").status_code == 200
        assert Session.objects.get(session_key=key).expire_date == expiry + dt.timedelta(seconds=61)


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
    LIFECYCLE.passed("absolute")


def test_deactivated_user_is_rejected_on_the_next_request(pm):
    client = Client()
    login(client, "pm_a", PASSWORD)
    pm.is_active = False
    pm.save()
    assert client.get("/projects/").status_code == 302
    LIFECYCLE.passed("deactivated")


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
    LIFECYCLE.passed("password change")


# --- Row 7: brute force ---------------------------------------------------------------------------


def test_five_failures_lock_the_username_from_that_address_even_with_spoofed_forwarded_for(pm):
    client = Client()
    for attempt in range(4):
        assert login(client, "pm_a", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}").status_code == 200
    fifth = login(client, "pm_a", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert fifth.status_code == 429
    locked = login(client, "pm_a", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    BRUTE_FORCE.passed("5 per user+IP, XFF ignored")


def test_a_lockout_from_one_address_does_not_lock_the_office_next_door(pm):
    """Keyed on username + address: a colleague's typos behind another address lock nobody else."""
    for _ in range(5):
        login(Client(), "pm_a", "wrong", ip="10.0.0.1")
    assert login(Client(), "pm_a", PASSWORD, ip="10.0.0.1").status_code == 429
    assert login(Client(), "pm_a", PASSWORD, ip="10.0.0.2").status_code == 302
    BRUTE_FORCE.passed("other address not locked")


def test_the_lockout_ends_after_15_minutes(pm):
    with time_machine.travel(MONDAY, tick=False) as clock:
        for _ in range(5):
            login(Client(), "pm_a", "wrong")
        clock.shift(dt.timedelta(minutes=14))
        assert login(Client(), "pm_a", PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=16))
        assert login(Client(), "pm_a", PASSWORD).status_code == 302
    BRUTE_FORCE.passed("cool-off 15 min")


def test_rotating_addresses_get_at_most_100_password_checks_per_hour(pm, settings):
    """25 addresses x 4 failures (under axes' 5 each) reach the per-username ceiling of 100; the
    attacker's further guesses are refused unchecked, even the right password, from a new address;
    an hour after the 100th failure the account opens again."""
    with time_machine.travel(MONDAY, tick=False) as clock:
        statuses = []
        for address in range(25):
            for _ in range(4):
                statuses.append(login(Client(), "pm_a", "wrong", ip=f"203.0.113.{address}").status_code)
                clock.shift(dt.timedelta(seconds=10))
        assert statuses == [200] * 100
        assert password_failures_in_window("pm_a") == 100
        refused = [login(Client(), "pm_a", "wrong", ip=f"198.51.100.{n}").status_code for n in range(50)]
        right_password = login(Client(), "pm_a", PASSWORD, ip="198.51.100.200")
        assert refused == [429] * 50 and right_password.status_code == 429
        checked = SecurityEvent.objects.filter(username="pm_a", kind="login_failed", detail="bad_credentials")
        assert checked.count() == 100
        clock.shift(dt.timedelta(minutes=61))
        assert login(Client(), "pm_a", PASSWORD, ip="198.51.100.201").status_code == 302
    print(
        f"\nRELIABILITY row 7 (ceiling): 151 attempts on one account (150 wrong, then the right "
        f"password) from 76 addresses within the hour, "
        f"{checked.count()} password checks (ceiling {settings.LOGIN_FAILURE_CEILING}/h per username), "
        f"51 refused unchecked (429); account open again 61 min after"
    )
    BRUTE_FORCE.passed("100 per username per hour across addresses")


def test_every_attempt_is_recorded(pm, world):
    """Successes, failures, refusals, unknown usernames, the admin login and the API token: one
    SecurityEvent each."""
    attempts = 0
    for ip, username, password in [
        ("10.9.0.1", "pm_a", PASSWORD),
        ("10.9.0.1", "pm_a", "wrong"),
        ("10.9.0.2", "nobody-of-that-name", "wrong"),
        *[("10.9.0.3", "pm_a", "wrong")] * 6,  # the sixth is refused by the lockout
        ("10.9.0.3", "pm_a", PASSWORD),  # refused too
    ]:
        login(Client(), username, password, ip=ip)
        attempts += 1
    Client().post(reverse("admin:login"), {"username": "pm_a", "password": "wrong"}, REMOTE_ADDR="10.9.0.4")
    attempts += 1
    token = reverse("api:auth-token")
    Client().post(token, {"username": "pm_a", "password": PASSWORD}, REMOTE_ADDR="10.9.0.5")
    Client().post(token, {"username": "pm_a", "password": "wrong"}, REMOTE_ADDR="10.9.0.5")
    attempts += 2
    events = SecurityEvent.objects.filter(kind__in=["login_succeeded", "login_failed"])
    assert events.count() == attempts == 13
    assert set(events.values_list("ip_address", flat=True)) == {f"10.9.0.{n}" for n in range(1, 6)}
    assert events.filter(kind="login_failed", detail="locked").count() == 2
    assert events.filter(kind="login_succeeded").count() == 2
    print(f"\nRELIABILITY row 7 (logging): {events.count()}/{attempts} attempts recorded (100 %)")
    BRUTE_FORCE.passed("100 % of attempts logged")


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(pm):
    """The load balancer appends the client's address; whatever the client wrote before it is
    ignored, so rotating a spoofed X-Forwarded-For does not reset the lockout."""
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.50")
    assert client_ip(request) == "192.0.2.50"
    for attempt in range(5):
        login(Client(), "pm_a", "wrong", ip="10.0.0.254", HTTP_X_FORWARDED_FOR=f"1.1.1.{attempt}, 192.0.2.50")
    locked = login(Client(), "pm_a", PASSWORD, ip="10.0.0.254", HTTP_X_FORWARDED_FOR="8.8.8.8, 192.0.2.50")
    assert locked.status_code == 429
    other = login(Client(), "pm_a", PASSWORD, ip="10.0.0.254", HTTP_X_FORWARDED_FOR="192.0.2.51")
    assert other.status_code == 302
    BRUTE_FORCE.passed("trusted proxy address")
