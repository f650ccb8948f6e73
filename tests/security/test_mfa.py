"""Two-factor authentication (issue 9, hardening item 2): TOTP required for PMO officers, executives
and administrators, optional for everyone else; backup codes; throttling; the token endpoint.

The users log in through the real login form here (the suite's force_login passes the second
factor for them, see tests/conftest.py).
"""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmo.core import mfa
from pmo.core.models import SecurityEvent
from pmo.core.roles import Role
from tests.conftest import login_without_mfa
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py
NOON = dt.datetime(2026, 11, 23, 12, 0, 5, tzinfo=dt.UTC)


def password_login(username: str, ip: str = "10.1.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def code_for(key: bytes, *, shift_steps: int = 0) -> str:
    totp = TOTP(key)
    totp.drift = shift_steps
    return f"{totp.token():06d}"


def enrol(client: Client) -> tuple[bytes, list[str]]:
    """Go through the enrolment page like a user: read the key shown, type the app's code."""
    page = client.get(reverse("mfa:setup"))
    assert page.status_code == 200
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.content.decode())[1].replace(" ", "")
    key = __import__("base64").b32decode(secret + "=" * (-len(secret) % 8))
    done = client.post(reverse("mfa:setup"), {"code": code_for(key)})
    assert done.status_code == 200, done.content[:500]
    codes = re.findall(r'user-select-all">([a-z2-7]{8})<', done.content.decode())
    return key, codes


@pytest.mark.parametrize("name", ["pmo_a", "pmo_b", "executive", "sponsor", "superuser"])
def test_mfa_is_required_for_pmo_officers_executives_and_administrators(world, name):
    assert mfa.mfa_required(world.users[name]) is True


@pytest.mark.parametrize("name", ["team", "pm_a", "pm_b"])
def test_mfa_is_optional_for_the_others(world, name):
    assert mfa.mfa_required(world.users[name]) is False
    client = password_login(name)
    assert client.get(reverse("projects:project-list")).status_code == 200


def test_a_staff_member_without_a_role_needs_it_too(world):
    user = world.other_pm
    user.is_staff = True
    user.save()
    assert mfa.mfa_required(user) is True


def test_until_enrolled_every_page_fragment_and_session_api_call_is_sent_to_the_enrolment(world):
    client = password_login("pmo_a")
    page = client.get("/projects/?q=x")
    assert page.status_code == 302
    assert page["Location"] == reverse("mfa:setup") + "?next=%2Fprojects%2F%3Fq%3Dx"
    fragment = client.get(
        f"/projects/{world.a1.pk}/partials/risks/",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver/projects/{world.a1.pk}/"},
    )
    assert fragment.status_code == 403
    assert fragment["HX-Redirect"] == reverse("mfa:setup") + f"?next=%2Fprojects%2F{world.a1.pk}%2F"
    post = client.post(f"/projects/{world.a1.pk}/weekly/no-change/")
    assert post.status_code == 302 and post["Location"] == reverse("mfa:setup")
    api = client.get("/api/v1/projects/")
    assert api.status_code == 403
    assert api.json()["code"] == "mfa_required"
    assert client.get(reverse("admin:index")).status_code == 302
    # what stays reachable: the step itself, the language switch, logging out
    assert client.get(reverse("mfa:setup")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_showing_the_enrolment_page_writes_nothing_and_keeps_its_secret(world):
    client = password_login("pmo_a")
    first = client.get(reverse("mfa:setup"))
    second = client.get(reverse("mfa:setup"))
    assert TOTPDevice.objects.filter(user=world.users["pmo_a"]).count() == 0
    assert b'src="data:image/svg+xml;base64,' in first.content
    secret = re.search(rb'id="totp-secret">([^<]+)<', first.content)[1]
    assert secret == re.search(rb'id="totp-secret">([^<]+)<', second.content)[1]
    assert len(secret.replace(b" ", b"")) == 32  # 20 random bytes, base32


def test_enrolment_confirms_the_device_shows_ten_backup_codes_once_and_verifies_the_session(world):
    user = world.users["pmo_a"]
    client = password_login("pmo_a")
    before = client.cookies["sessionid"].value
    wrong = client.post(reverse("mfa:setup"), {"code": "000000"})
    assert wrong.status_code == 422
    assert not TOTPDevice.objects.filter(user=user).exists()
    key, codes = enrol(client)
    assert len(codes) == 10 == len(set(codes))
    assert StaticToken.objects.filter(device__user=user).count() == 10
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.bin_key == key
    assert client.cookies["sessionid"].value != before  # new session key at the privilege change
    assert client.get(reverse("reporting:dashboard")).status_code == 200
    assert client.get("/api/v1/projects/").status_code == 200
    kinds = list(SecurityEvent.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["login_succeeded", "mfa_failed", "mfa_enrolled"]
    # the codes are not shown again: the enrolment page now leads to the account page
    assert client.get(reverse("mfa:setup"))["Location"] == reverse("mfa:account")


def test_next_login_asks_for_the_code_and_throttles_wrong_ones(world):
    user = world.users["executive"]
    with time_machine.travel(NOON, tick=False) as clock:
        key, _codes = enrol(password_login("executive"))
        clock.shift(dt.timedelta(seconds=60))
        client = password_login("executive", ip="10.1.0.2")
        assert client.get("/dashboard/")["Location"] == reverse("mfa:verify") + "?next=%2Fdashboard%2F"
        wrong = client.post(reverse("mfa:verify"), {"code": "123456", "next": "/dashboard/"})
        assert wrong.status_code == 422
        assert "This code is not valid." in wrong.content.decode() or "Ce code" in wrong.content.decode()
        # right away, even the right code is refused: django-otp's throttle (1 s after 1 failure)
        throttled = client.post(reverse("mfa:verify"), {"code": code_for(key), "next": "/dashboard/"})
        assert throttled.status_code == 422
        assert client.get("/dashboard/").status_code == 302
        clock.shift(dt.timedelta(seconds=2))
        ok = client.post(reverse("mfa:verify"), {"code": code_for(key), "next": "/dashboard/"})
        assert ok.status_code == 302 and ok["Location"] == "/dashboard/"
        assert client.get("/dashboard/").status_code == 200
        # the same code cannot be replayed in another session
        other = password_login("executive", ip="10.1.0.3")
        replay = other.post(reverse("mfa:verify"), {"code": code_for(key)})
        assert replay.status_code == 422
    events = SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.MFA_FAILED)
    assert sorted(events.values_list("detail", flat=True)) == ["throttled", "totp code", "totp code"]


def test_a_backup_code_works_once(world):
    with time_machine.travel(NOON, tick=False) as clock:
        _key, codes = enrol(password_login("sponsor"))
        clock.shift(dt.timedelta(seconds=60))
        client = password_login("sponsor", ip="10.1.0.4")
        response = client.post(reverse("mfa:verify"), {"code": codes[0].upper()})
        assert response.status_code == 302
        assert client.get("/dashboard/").status_code == 200
        clock.shift(dt.timedelta(seconds=60))
        again = password_login("sponsor", ip="10.1.0.5")
        assert again.post(reverse("mfa:verify"), {"code": codes[0]}).status_code == 422
    assert mfa.backup_codes_left(world.users["sponsor"]) == 9


def test_verification_never_redirects_off_site(world):
    with time_machine.travel(NOON, tick=False) as clock:
        key, _codes = enrol(password_login("pmo_b"))
        clock.shift(dt.timedelta(seconds=60))
        client = password_login("pmo_b", ip="10.1.0.6")
        response = client.post(
            reverse("mfa:verify"), {"code": code_for(key), "next": "https://evil.example/steal"}
        )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_token_endpoint_requires_the_code_for_accounts_with_two_factor(world):
    url = reverse("api:auth-token")
    with time_machine.travel(NOON, tick=False) as clock:
        key, codes = enrol(password_login("pmo_a"))
        clock.shift(dt.timedelta(seconds=60))
        api = Client(REMOTE_ADDR="10.1.0.7")
        missing = api.post(url, {"username": "pmo_a", "password": PASSWORD})
        assert missing.status_code == 400 and "otp" in missing.json()
        bad = api.post(url, {"username": "pmo_a", "password": PASSWORD, "otp": "000000"})
        assert bad.status_code == 400 and "otp" in bad.json()
        clock.shift(dt.timedelta(seconds=5))
        good = api.post(url, {"username": "pmo_a", "password": PASSWORD, "otp": code_for(key)})
        assert good.status_code == 200, good.content
        token = good.json()["token"]
        backup = api.post(url, {"username": "pmo_a", "password": PASSWORD, "otp": codes[1]})
        assert backup.status_code == 200 and backup.json()["token"] == token
    answer = Client().get("/api/v1/projects/", headers={"Authorization": f"Token {token}"})
    assert answer.status_code == 200
    # a wrong password with a right code is still a wrong password
    wrong = Client(REMOTE_ADDR="10.1.0.8").post(url, {"username": "pmo_a", "password": "x", "otp": "1"})
    assert wrong.status_code == 400 and "non_field_errors" in wrong.json()


def test_token_endpoint_without_two_factor_needs_no_code(world):
    response = Client().post(reverse("api:auth-token"), {"username": "pm_a", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


def test_an_optional_user_may_enrol_and_is_then_asked_at_each_login(world):
    with time_machine.travel(NOON, tick=False) as clock:
        client = password_login("pm_a")
        account = client.get(reverse("mfa:account"))
        assert account.status_code == 200 and reverse("mfa:setup").encode() in account.content
        key, _codes = enrol(client)
        clock.shift(dt.timedelta(seconds=60))
        again = password_login("pm_a", ip="10.1.0.9")
        assert again.get("/projects/")["Location"].startswith(reverse("mfa:verify"))
        assert again.post(reverse("mfa:verify"), {"code": code_for(key)}).status_code == 302
        # and may turn it off again
        assert again.post(reverse("mfa:remove")).status_code == 302
    assert not TOTPDevice.objects.filter(user=world.users["pm_a"]).exists()
    assert again.get("/projects/").status_code == 200
    assert SecurityEvent.objects.filter(user=world.users["pm_a"], kind="mfa_removed").count() == 1


def test_a_required_user_who_replaces_the_app_enrols_again(world):
    client = password_login("pmo_a")
    enrol(client)
    response = client.post(reverse("mfa:remove"))
    assert response["Location"] == reverse("mfa:setup")
    assert client.get("/dashboard/")["Location"].startswith(reverse("mfa:setup"))


def test_backup_codes_can_be_regenerated_and_the_old_ones_stop_working(world):
    client = password_login("pmo_a")
    _key, old = enrol(client)
    response = client.post(reverse("mfa:backup-codes"))
    new = re.findall(r'user-select-all">([a-z2-7]{8})<', response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(
        StaticToken.objects.filter(device__user=world.users["pmo_a"]).values_list("token", flat=True)
    ) == set(new)
    assert client.get(reverse("mfa:backup-codes")).status_code == 405


def test_a_role_granted_during_a_session_requires_two_factor_within_the_recheck_period(world, settings):
    with time_machine.travel(NOON, tick=False) as clock:
        client = password_login("pm_b")
        assert client.get("/projects/").status_code == 200
        MembershipFactory(portfolio=world.portfolio_a, user=world.users["pm_b"], role=Role.EXECUTIVE)
        clock.shift(dt.timedelta(seconds=settings.MFA_RECHECK_SECONDS + 1))
        assert client.get("/projects/")["Location"].startswith(reverse("mfa:setup"))


def test_force_login_of_the_suite_gives_a_verified_session_and_login_without_mfa_does_not(world):
    verified, unverified = Client(), Client()
    verified.force_login(world.users["pmo_a"])
    login_without_mfa(unverified, world.users["pmo_a"])
    assert verified.get("/dashboard/").status_code == 200
    assert unverified.get("/dashboard/").status_code == 302


def test_the_pages_are_in_french(world):
    client = password_login("pmo_a")
    body = client.get(reverse("mfa:setup")).content.decode()
    assert 'lang="fr"' in body
