"""Shared fixtures: the principals of RELIABILITY.md and a two-portfolio world they live in.

Logging in: PMO officers, executives and the superuser need a second factor (pmo.core.mfa). In
tests, `client.force_login(user)` gives a session that has passed it, as if the user had typed the
code of a confirmed TOTP device (see `login` below); tests of the two-factor steps themselves use
`login_without_mfa` or the real login form.
"""

import time
from types import SimpleNamespace

import pytest
from django.test import Client

from pmo.core.roles import Role
from tests.factories import (
    MembershipFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectMemberFactory,
    UserFactory,
)

pytest_plugins = ["tests.url_coverage"]

# --- Parallel runs ------------------------------------------------------------------------------
# `make test` runs the suite on every core with pytest-xdist's `--dist loadgroup`: each test goes to
# the next free worker, but the tests that share an expensive module-scoped world (the access
# matrix's, built once per module) are grouped so that each group builds it once. The matrix is cut
# into MATRIX_GROUPS contiguous slices of its spec cases; the crawls' two long walks each get a group.
MATRIX_GROUPS = 4
CRAWL_WALKS = {
    "test_no_get_changes_the_database_and_every_answer_has_the_headers",
    "test_unsafe_requests_have_the_headers_and_without_a_csrf_token_are_refused",
}


def _xdist_group(item, case_index: dict) -> str | None:
    module = getattr(item, "module", None)
    name = getattr(module, "__name__", "")
    if name == "tests.test_access_matrix":
        case = item.callspec.params.get("case") if hasattr(item, "callspec") else None
        if case is None:
            return "matrix"
        if not case_index:
            case_index.update({c.id: i for i, c in enumerate(module.CASES)})
        return f"matrix-{case_index[case.id] * MATRIX_GROUPS // len(case_index)}"
    if name == "tests.security.test_crawl":
        return f"crawl-{item.name}" if item.name in CRAWL_WALKS else "crawl"
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the groups
def pytest_collection_modifyitems(config, items):
    case_index: dict[str, int] = {}
    for item in items:
        group = _xdist_group(item, case_index)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


PRINCIPALS = (
    "anonymous",
    "team",
    "pm_a",
    "pm_b",
    "sponsor",
    "executive",
    "pmo_a",
    "pmo_b",
    "superuser",
)


@pytest.fixture
def world(db):
    """Portfolio A (project A1 managed by pm_a, sponsored by `sponsor`, with `team` on its team;
    project A2 run by someone else) and portfolio B (project B1 managed by pm_b)."""
    users = {name: UserFactory(username=name) for name in PRINCIPALS if name != "anonymous"}
    users["superuser"].is_superuser = users["superuser"].is_staff = True
    users["superuser"].save()
    portfolio_a = PortfolioFactory(code="pf-a", name="Portefeuille A")
    portfolio_b = PortfolioFactory(code="pf-b", name="Portefeuille B")
    for name, portfolio, role in [
        ("team", portfolio_a, Role.TEAM_MEMBER),
        ("pm_a", portfolio_a, Role.PROJECT_MANAGER),
        ("sponsor", portfolio_a, Role.EXECUTIVE),
        ("executive", portfolio_a, Role.EXECUTIVE),
        ("pmo_a", portfolio_a, Role.PMO),
        ("pm_b", portfolio_b, Role.PROJECT_MANAGER),
        ("pmo_b", portfolio_b, Role.PMO),
    ]:
        MembershipFactory(portfolio=portfolio, user=users[name], role=role)
    other_pm = UserFactory(username="other_pm")
    MembershipFactory(portfolio=portfolio_a, user=other_pm, role=Role.PROJECT_MANAGER)
    programme_a = ProgrammeFactory(portfolio=portfolio_a, code="prog-a", name="Programme A")
    programme_b = ProgrammeFactory(portfolio=portfolio_b, code="prog-b", name="Programme B")
    a1 = ProjectFactory(
        portfolio=portfolio_a,
        programme=programme_a,
        code="a1",
        name="Projet A1",
        manager=users["pm_a"],
        sponsor=users["sponsor"],
    )
    a2 = ProjectFactory(portfolio=portfolio_a, code="a2", name="Projet A2", manager=other_pm)
    b1 = ProjectFactory(
        portfolio=portfolio_b,
        programme=programme_b,
        code="b1",
        name="Projet B1",
        manager=users["pm_b"],
    )
    member = ProjectMemberFactory(project=a1, user=users["team"])
    return SimpleNamespace(
        users=users,
        portfolio_a=portfolio_a,
        portfolio_b=portfolio_b,
        programme_a=programme_a,
        programme_b=programme_b,
        a1=a1,
        a2=a2,
        b1=b1,
        member=member,
        other_pm=other_pm,
    )


@pytest.fixture
def client_for(client, world):
    """A logged-in Django test client for a principal name (anonymous: not logged in); sessions of
    principals that need two-factor authentication are verified."""

    def make(name: str) -> Client:
        new = Client()
        if name != "anonymous":
            login(new, world.users[name])
        return new

    return make


# --- Logging in, second factor included ---------------------------------------------------------

_django_force_login = Client.force_login


def login_without_mfa(client: Client, user) -> None:
    """Django's own force_login: the password step only (a user who needs two-factor authentication
    is then sent to the enrolment or verification step)."""
    _django_force_login(client, user)


def verify_mfa(client: Client, user):
    """Mark the client's session as having passed the second factor, the way a correct code does
    (pmo.core.mfa.mark_verified): django-otp's `otp_device_id` names a confirmed TOTP device of the
    user (created when missing). Returns the device, or None when the user needs no second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from pmo.core import mfa

    status = mfa.user_status(user)
    if not status.needed:
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_DEVICE_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[mfa.STATE_KEY] = {"required": status.required, "enrolled": True, "at": int(time.time())}
    session.save()
    return device


def login(client: Client, user, backend=None) -> None:
    """force_login, then the second factor where the user needs one."""
    _django_force_login(client, user, backend)
    verify_mfa(client, user)


# Every force_login of the suite (fixtures, other test modules, DRF's APIClient) logs in completely.
Client.force_login = login
