"""The access matrix: every URL pattern x method x principal, from tests/access_spec.yaml.

RELIABILITY rows 1-4: the spec lists every URL pattern of the site; each row answers the expected
status to each of the 9 principals, with and without `HX-Request: true`; lists return exactly what
each principal may see; write payloads cannot set foreign or PMO-owned values.

The `world` of tests/conftest.py is built once for this module inside a transaction that is rolled
back at the end; each test runs in a savepoint of it (this module's `db` fixture) and every request
of the matrix in a savepoint of its own, so a write by one principal never changes what the next one
sees. Each principal's session is created once too.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from pmo.core.periods import week_start
from portfolio.models import Membership, Portfolio, Programme
from projects import services
from projects.models import (
    Assumption,
    Deliverable,
    Dependency,
    Issue,
    Milestone,
    Project,
    Risk,
)
from tests import access_refs, conftest
from tests.factories import ProjectMemberFactory
from tests.url_coverage import is_login_bounce, load_spec, matches, sample_path, url_patterns

SPEC = load_spec()
PRINCIPALS: tuple[str, ...] = tuple(SPEC["principals"])
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
STATUS_TOKENS = {"login", "admin_login"}
MISSING_PK = 999_999_999


# --- Reading the spec ----------------------------------------------------------------------------


def as_vector(value) -> dict[str, object]:
    """A status vector from the spec: a list in principal order, a mapping with `default`, or the
    name of one of the spec's `vectors`."""
    if isinstance(value, str):
        value = SPEC["vectors"][value]
    if isinstance(value, list):
        if len(value) != len(PRINCIPALS):
            raise ValueError(f"a status vector needs {len(PRINCIPALS)} statuses: {value}")
        return dict(zip(PRINCIPALS, value, strict=True))
    unknown = set(value) - set(PRINCIPALS) - {"default"}
    if unknown:
        raise ValueError(f"unknown principals {sorted(unknown)} in {value}")
    return {name: value.get(name, value.get("default")) for name in PRINCIPALS}


@dataclass(frozen=True)
class Case:
    """One spec entry and one HTTP method: the request and the status expected per principal."""

    id: str
    name: str
    method: str
    kwargs: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    archived: tuple[str, ...] = ()
    data: dict | None = None
    expect: dict = field(default_factory=dict)
    expect_htmx: dict = field(default_factory=dict)

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:") or self.name in {"schema", "swagger-ui"}


def _cases() -> list[Case]:
    cases, seen = [], {}
    for entry in SPEC["urls"]:
        for method in METHODS:
            if method not in entry:
                continue
            spec = entry[method]
            detailed = isinstance(spec, dict) and "expect" in spec
            label = entry["name"] + "".join(
                f" {key}={value}" for key, value in entry.get("kwargs", {}).items()
            )
            if entry.get("archived"):
                label += " archived=" + ",".join(entry["archived"])
            label += f" {method}"
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                label += f" #{seen[label]}"
            cases.append(
                Case(
                    id=label,
                    name=entry["name"],
                    method=method,
                    kwargs=entry.get("kwargs", {}),
                    query=entry.get("query", {}),
                    archived=tuple(entry.get("archived", ())),
                    data=spec.get("data") if detailed else None,
                    expect=as_vector(spec["expect"] if detailed else spec),
                    expect_htmx=as_vector(spec["htmx"]) if detailed and "htmx" in spec else {},
                )
            )
    return cases


CASES = _cases()


def _rule_probes() -> list[tuple[str, str, dict]]:
    """(route, sample path, expected vector) for every pattern no explicit entry targets."""
    explicit = set()
    for case in CASES:
        try:
            explicit.add(resolve(reverse(case.name, kwargs=_placeholder_kwargs(case.kwargs))).route)
        except NoReverseMatch:
            continue
    probes = []
    for pattern in url_patterns():
        if pattern.route in explicit:
            continue
        for rule in SPEC.get("rules", []):
            if matches(rule, pattern):
                probes.append((pattern.route, sample_path(pattern.route), as_vector(rule["GET"])))
                break
    return probes


def _placeholder_kwargs(kwargs: dict) -> dict:
    """Spec kwargs with every reference replaced by a pk-like number (to reverse without a database)."""
    return {key: value if key == "format" else 1 for key, value in kwargs.items()}


# --- The world, built once for the module ---------------------------------------------------------


@contextmanager
def schema_generated_once():
    """drf-spectacular rebuilds the OpenAPI schema (seconds of CPU) on every request, identical for
    every user when it is public: build it once per key for this module. The authentication and
    permission checks that the matrix tests run before the view on every request, as before."""
    original = SchemaGenerator.get_schema
    built: dict = {}

    def get_schema(self, request=None, public=False):
        key = (public, None if public or request is None else request.user.pk)
        if key not in built:
            built[key] = original(self, request=request, public=public)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SchemaGenerator, "get_schema", get_schema)
        yield


GREEN = dict.fromkeys(("overall", "quality", "cost", "schedule", "risk"), "green")


def _registers(world) -> dict:
    """One row of each register for a1 and b1, the weekly reports, and the dates the spec uses.

    a1 and b1 each have last week's submitted report; a1 also has a draft three weeks back, so this
    week stays free for the pages and the API to create one.
    """
    today = timezone.localdate()
    monday = week_start(today)
    month = today.replace(day=1)
    refs: dict[str, object] = {
        "monday": monday.isoformat(),
        "month": month.isoformat(),
        "in_40_days": (today + timedelta(days=40)).isoformat(),
    }
    for code, project, manager, other in (
        ("a1", world.a1, world.users["pm_a"], world.a2),
        ("b1", world.b1, world.users["pm_b"], world.a1),
    ):

        def create(model, data, project=project, actor=manager):
            return services.record_create(actor=actor, model=model, project=project, data=data)

        refs[f"milestone_{code}"] = create(
            Milestone, {"name": f"Jalon {code}", "baseline_date": today + timedelta(days=30)}
        )
        refs[f"risk_{code}"] = create(Risk, {"title": f"Risque {code}", "probability": 3, "impact": 3})
        refs[f"deliverable_{code}"] = create(Deliverable, {"name": f"Livrable {code}"})
        refs[f"issue_{code}"] = create(Issue, {"title": f"Problème {code}"})
        refs[f"assumption_{code}"] = create(Assumption, {"title": f"Hypothèse {code}"})
        refs[f"dependency_{code}"] = create(
            Dependency, {"title": f"Dépendance {code}", "depends_on_project": other}
        )
        refs[f"cost_line_{code}"] = services.cost_line_set(
            actor=manager, project=project, month=month, category="capex", values={"planned": Decimal("1000")}
        )
        refs[f"report_{code}"] = services.status_report_save(
            actor=manager,
            project=project,
            period_start=monday - timedelta(days=7),
            version=None,
            data=GREEN,
            submit=True,
        )
    refs["draft_a1"] = services.status_report_save(
        actor=world.users["pm_a"],
        project=world.a1,
        period_start=monday - timedelta(days=21),
        version=None,
        data=GREEN,
        submit=False,
    )
    return refs


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The conftest `world` plus the references of the spec and one session per principal."""
    build_world = conftest.world.__wrapped__  # the fixture's own function: one definition of the world
    with django_db_blocker.unblock(), transaction.atomic(), schema_generated_once():
        world = build_world(None)
        users = world.users
        member_b1 = ProjectMemberFactory(project=world.b1, user=users["pmo_b"])
        refs = {
            "portfolio_a": world.portfolio_a,
            "portfolio_b": world.portfolio_b,
            "programme_a": world.programme_a,
            "programme_b": world.programme_b,
            "a1": world.a1,
            "a2": world.a2,
            "b1": world.b1,
            "member": world.member,
            "member_b1": member_b1,
            "membership_executive_a": Membership.objects.get(
                portfolio=world.portfolio_a, user=users["executive"]
            ),
            "membership_pm_b": Membership.objects.get(portfolio=world.portfolio_b, user=users["pm_b"]),
            "other_pm": world.other_pm,
            **users,
            **_registers(world),
        }
        refs.update(access_refs.build_all(world, refs))
        sessions = {}
        for name, user in users.items():
            client = Client()
            conftest.login(client, user)  # second factor passed where the user needs one
            sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield SimpleNamespace(world=world, refs=refs, sessions=sessions, clients={})
        transaction.set_rollback(True)


@pytest.fixture
def db(site):
    """This module's `db`: a savepoint of the module's transaction, rolled back after the test.

    It replaces pytest-django's `db` here (whose per-test TestCase set-up costs more than most of
    these tests) but keeps its name, so pytest-django still creates the test database whatever
    tests of this module are selected.
    """
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _pk(site, value):
    if value == "missing":
        return MISSING_PK
    ref = site.refs.get(value) if isinstance(value, str) else None
    return getattr(ref, "pk", ref) if ref is not None else value


def _fresh(obj, name: str):
    return type(obj)._default_manager.filter(pk=obj.pk).values_list(name, flat=True).get()


def _resolve_data(site, data):
    """`$ref` → the reference's pk (or value: dates); `$ref.field` → that field, read from the database."""
    if isinstance(data, dict):
        return {key: _resolve_data(site, value) for key, value in data.items()}
    if isinstance(data, str) and data.startswith("$"):
        ref, _, name = data[1:].partition(".")
        return _fresh(site.refs[ref], name) if name else _pk(site, ref)
    return data


def client_for(site, principal: str) -> Client:
    """The principal's client, its cookies reset to the session made at set-up (a logout, a login or
    a password change by an earlier request does not leak into the next one)."""
    client = site.clients.setdefault(principal, Client())
    client.cookies = SimpleCookie()
    if principal != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = site.sessions[principal]
    return client


def _archive(site, names) -> None:
    for name in names:
        obj = site.refs[name]
        type(obj)._default_manager.filter(pk=obj.pk).update(archived_at=timezone.now())


def send(site, principal: str, case: Case, *, htmx: bool):
    """Perform the case's request as `principal`, in a savepoint rolled back afterwards."""
    kwargs = {key: _pk(site, value) for key, value in case.kwargs.items()}
    path = reverse(case.name, kwargs=kwargs)
    headers = {"HX-Request": "true"} if htmx else {}
    client = client_for(site, principal)
    with transaction.atomic():
        _archive(site, case.archived)
        data = _resolve_data(site, case.data or {})
        if case.method == "GET":
            response = client.get(path, _resolve_data(site, case.query), headers=headers)
        elif case.is_api:
            target = site.refs.get(case.kwargs.get("pk"))
            if case.method in ("PUT", "PATCH") and target is not None:
                headers["If-Match"] = f'"{_fresh(target, "version")}"'
            body = json.dumps(data) if case.method != "DELETE" else ""
            response = client.generic(
                case.method, path, body, content_type="application/json", headers=headers
            )
        elif case.method == "POST":
            response = client.post(path, data, headers=headers)
        else:
            body = urlencode(data, doseq=True)
            response = client.generic(
                case.method, path, body, content_type="application/x-www-form-urlencoded", headers=headers
            )
        transaction.set_rollback(True)
    return response


def observed(response):
    """The status as the spec spells it: `login`/`admin_login` for a bounce to a login page."""
    if is_login_bounce(response):
        return "admin_login" if response["Location"].startswith(reverse("admin:login")) else "login"
    return response.status_code


# --- (a) The spec lists every URL pattern of the site --------------------------------------------


def _allowed_methods(callback) -> set[str] | None:
    """The methods a class-based view answers (None for function views: not introspectable)."""
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route
        return {method.upper() for method in actions} - {"OPTIONS", "HEAD"}
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return None
    methods = {name.upper() for name in view_class.http_method_names if hasattr(view_class, name)}
    return methods & set(METHODS)


def _is_format_suffix(pattern) -> bool:
    return "(?P<format>" in pattern.route or "<drf_format_suffix:format>" in pattern.route


def _base_route(pattern, patterns):
    """The route a format-suffix route was generated from (same name, no format)."""
    return next((p for p in patterns if p.name == pattern.name and not _is_format_suffix(p)), None)


def _view_of(callback):
    return getattr(callback, "cls", None), getattr(callback, "actions", None)


def test_access_spec_lists_every_url_pattern():
    patterns = url_patterns()
    by_route = {pattern.route: pattern for pattern in patterns}
    covered: dict[str, set[str]] = {}
    stale = []
    for case in CASES:
        try:
            path = reverse(case.name, kwargs=_placeholder_kwargs(case.kwargs))
        except NoReverseMatch:
            stale.append(f"{case.id}: no such URL name/kwargs")
            continue
        match = resolve(path)
        if match.view_name != case.name or match.route not in by_route:
            stale.append(f"{case.id}: {path} resolves to {match.view_name} ({match.route})")
            continue
        covered.setdefault(match.route, set()).add(case.method)
    for rule in SPEC.get("rules", []):
        selected = [p for p in patterns if matches(rule, p)]
        if not selected:
            stale.append(f"rule {rule}: matches no pattern")
        for pattern in selected:
            covered.setdefault(pattern.route, set()).update(m for m in METHODS if m in rule)
    names = {pattern.name for pattern in patterns}
    for exemption in SPEC.get("coverage_exemptions", []):
        if not any(matches(exemption, pattern) for pattern in patterns):
            stale.append(f"coverage exemption {exemption}: matches no pattern")
        stale.extend(
            f"coverage exemption: no URL named {n}" for n in exemption.get("except", []) if n not in names
        )

    missing = [pattern.label for pattern in patterns if pattern.route not in covered]
    untested_methods = []
    for pattern in patterns:
        allowed = _allowed_methods(pattern.callback)
        if pattern.route not in covered or allowed is None or pattern.route.startswith("admin/"):
            continue
        if _is_format_suffix(pattern):
            base = _base_route(pattern, patterns)
            if base is None or _view_of(base.callback) != _view_of(pattern.callback):
                untested_methods.append(f"{pattern.label}: not the same view as its base route")
            continue
        if allowed - covered[pattern.route]:
            untested_methods.append(f"{pattern.label}: {sorted(allowed - covered[pattern.route])}")
    assert not missing, "URL patterns missing from tests/access_spec.yaml:\n  " + "\n  ".join(missing)
    assert not stale, "Spec entries that match nothing any more:\n  " + "\n  ".join(stale)
    assert not untested_methods, "Methods the view accepts but the spec does not test:\n  " + "\n  ".join(
        untested_methods
    )


def test_access_spec_is_well_formed():
    known_keys = {"name", "kwargs", "query", "archived", *METHODS}
    problems = []
    for entry in SPEC["urls"]:
        if set(entry) - known_keys:
            problems.append(f"{entry['name']}: unknown keys {sorted(set(entry) - known_keys)}")
        if not set(entry) & set(METHODS):
            problems.append(f"{entry['name']}: no method")
    for case in CASES:
        for principal, status in case.expect.items():
            if not (isinstance(status, int) or status in STATUS_TOKENS):
                problems.append(f"{case.id}: {principal} has status {status!r} (explicit entries: no ~)")
            if principal != "anonymous" and status == "login":
                problems.append(f"{case.id}: a logged-in {principal} bounced to the login page")
    assert set(PRINCIPALS) == set(conftest.PRINCIPALS)
    assert not problems, "\n".join(problems)


# --- (b) The matrix: spec rows x principals, with and without HX-Request --------------------------


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_access_matrix(site, db, case, principal):
    expected = case.expect[principal]
    expected_htmx = case.expect_htmx.get(principal, expected)
    plain = observed(send(site, principal, case, htmx=False))
    with_htmx = observed(send(site, principal, case, htmx=True))
    assert (plain, with_htmx) == (expected, expected_htmx), (
        f"{principal} {case.method} {case.id}: expected {expected} (with HX-Request: {expected_htmx}), "
        f"got {plain} (with HX-Request: {with_htmx})"
    )


RULE_PROBES = _rule_probes()


@pytest.mark.parametrize(
    ("route", "path", "expect"), RULE_PROBES, ids=[route for route, _path, _expect in RULE_PROBES]
)
def test_access_rules(site, db, route, path, expect):
    """Patterns covered by a rule (the admin): one test per pattern, the whole vector at once.

    Without HX-Request only: the admin is not an HTMX surface, and the explicit admin entries
    (index, changelists, change page) run both ways for every principal."""
    assert resolve(path).route == route, f"sample path {path} does not reach {route}"
    got = {}
    for principal, expected in expect.items():
        if expected is None:
            continue
        with transaction.atomic():
            got[principal] = observed(client_for(site, principal).get(path))
            transaction.set_rollback(True)
    wanted = {principal: status for principal, status in expect.items() if status is not None}
    assert got == wanted


# --- (c) Lists return exactly what each principal may see (NetBox test_list_objects) -------------

# The PROPOSED projects of submitted proposals (tests/access_refs/intake.py): readers of their
# portfolio list them; they have planned cost lines and no other register rows.
PROPOSED_A = {"dp_submitted_a", "dp_review_a", "dp_parked_a"}
PROPOSED_B = {"dp_b"}
PROPOSED = PROPOSED_A | PROPOSED_B
VISIBLE_PROJECTS = {
    "team": {"a1"},
    "pm_a": {"a1", "a2", *PROPOSED_A},
    "pm_b": {"b1", *PROPOSED_B},
    "sponsor": {"a1", "a2", *PROPOSED_A},
    "executive": {"a1", "a2", *PROPOSED_A},
    "pmo_a": {"a1", "a2", *PROPOSED_A},
    "pmo_b": {"b1", *PROPOSED_B},
    "superuser": {"a1", "a2", "b1", *PROPOSED},
}
MEMBERS_OF_A = {"team", "pm_a", "sponsor", "executive", "pmo_a"}


def _portfolio_wide(principal: str, a: str, b: str) -> set[str]:
    if principal == "superuser":
        return {a, b}
    return {a} if principal in MEMBERS_OF_A else {b}


def _names(site, model, pks) -> set[str]:
    by_pk = {obj.pk: name for name, obj in site.refs.items() if isinstance(obj, model)}
    return {by_pk.get(pk, f"#{pk}") for pk in pks}


def _api_list(site, principal: str, url: str, **query) -> tuple[int, list[int]]:
    response = client_for(site, principal).get(url, {"page_size": 500, **query})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    return body["count"], [row["id"] for row in body["results"]]


AUTHENTICATED = [name for name in PRINCIPALS if name != "anonymous"]


@pytest.mark.parametrize("principal", AUTHENTICATED)
def test_api_project_list_is_exactly_the_visible_projects(site, db, principal):
    count, ids = _api_list(site, principal, reverse("api:project-list"))
    assert _names(site, Project, ids) == VISIBLE_PROJECTS[principal]
    assert count == len(ids) == len(VISIBLE_PROJECTS[principal])


@pytest.mark.parametrize("principal", AUTHENTICATED)
def test_api_programme_list_is_exactly_the_visible_programmes(site, db, principal):
    count, ids = _api_list(site, principal, reverse("api:programme-list"))
    expected = _portfolio_wide(principal, "programme_a", "programme_b")
    assert _names(site, Programme, ids) == expected
    assert count == len(ids) == len(expected)


@pytest.mark.parametrize("principal", AUTHENTICATED)
def test_api_portfolio_list_is_exactly_the_visible_portfolios(site, db, principal):
    count, ids = _api_list(site, principal, reverse("api:portfolio-list"))
    expected = _portfolio_wide(principal, "portfolio_a", "portfolio_b")
    assert _names(site, Portfolio, ids) == expected
    assert count == len(ids) == len(expected)


@pytest.mark.parametrize("principal", AUTHENTICATED)
def test_project_list_page_is_exactly_the_visible_projects(site, db, principal):
    for headers in ({}, {"HX-Request": "true"}):
        response = client_for(site, principal).get(reverse("projects:project-list"), headers=headers)
        assert response.status_code == 200
        page = response.context["page_obj"]
        assert _names(site, Project, [p.pk for p in page.object_list]) == VISIBLE_PROJECTS[principal]
        assert page.paginator.count == len(VISIBLE_PROJECTS[principal])


@pytest.mark.parametrize("principal", AUTHENTICATED)
def test_project_export_holds_exactly_the_visible_projects(site, db, principal):
    response = client_for(site, principal).get(reverse("reporting:project-export"))
    rows = response.content.decode("utf-8-sig").splitlines()[1:]
    names = {obj.code: name for name, obj in site.refs.items() if isinstance(obj, Project)}
    assert {names.get(row.split(";")[0], row.split(";")[0]) for row in rows} == VISIBLE_PROJECTS[principal]


@pytest.mark.parametrize("principal", AUTHENTICATED)
def test_archived_projects_are_listed_only_to_the_portfolio_pmo(site, db, principal):
    _archive(site, ["a2"])
    _count, ids = _api_list(site, principal, reverse("api:project-list"), archived="true")
    expected = {"a2"} if principal in {"pmo_a", "superuser"} else set()
    assert _names(site, Project, ids) == expected
    _count, ids = _api_list(site, principal, reverse("api:project-list"))
    assert "a2" not in _names(site, Project, ids)


REGISTER_LISTS = [
    "api:status-report-list",
    "api:milestone-list",
    "api:cost-line-list",
    "api:deliverable-list",
    "api:risk-list",
    "api:issue-list",
    "api:assumption-list",
    "api:dependency-list",
]


@pytest.mark.parametrize("principal", AUTHENTICATED)
@pytest.mark.parametrize("url", REGISTER_LISTS)
def test_register_lists_hold_rows_of_visible_projects_only(site, db, url, principal):
    response = client_for(site, principal).get(reverse(url), {"page_size": 500})
    assert response.status_code == 200
    projects = {row["project"] for row in response.json()["results"]}
    # a2 has no rows; a1 and b1 have some in every register; proposals only planned cost lines
    expected = VISIBLE_PROJECTS[principal] - {"a2"}
    if url != "api:cost-line-list":
        expected -= PROPOSED
    assert _names(site, Project, projects) == expected


@pytest.mark.parametrize("url", REGISTER_LISTS)
def test_register_lists_filtered_by_a_foreign_project_tell_nothing(site, db, url):
    """`?project=` with an invisible id answers like an unknown id (no existence oracle)."""
    client = client_for(site, "pm_a")
    answers = {
        name: client.get(reverse(url), {"project": pk})
        for name, pk in [
            ("own", site.refs["a1"].pk),
            ("foreign", site.refs["b1"].pk),
            ("unknown", MISSING_PK),
        ]
    }
    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(answers, 200)
    assert answers["foreign"].json()["count"] == answers["unknown"].json()["count"] == 0
    assert answers["own"].json()["count"] >= 1


@pytest.mark.parametrize(
    "url", ["api:project-list", "api:programme-list", "api:portfolio-list", "api:me", "api:api-root"]
)
def test_api_lists_refuse_anonymous(site, db, url):
    response = client_for(site, "anonymous").get(reverse(url))
    assert response.status_code in (401, 403)


# --- (d) Write payloads: FK injection, mass assignment, PMO-owned fields (RELIABILITY row 4) -----


def _snapshot(model, pk) -> dict:
    return model._default_manager.filter(pk=pk).values().get()


def _patch(site, principal: str, url: str, obj, payload: dict):
    return client_for(site, principal).patch(
        url,
        json.dumps(payload),
        content_type="application/json",
        headers={"If-Match": f'"{_fresh(obj, "version")}"'},
    )


def _injections(site) -> dict[str, object]:
    return {
        "portfolio": site.refs["portfolio_b"].pk,
        "programme": site.refs["programme_b"].pk,
        "code": "hijacked",
        "budget": "1.00",
        "manager": site.refs["other_pm"].pk,
        "sponsor": site.refs["executive"].pk,
        "state": "cancelled",
        "stage": "closure",
        "version": 99,
        "id": site.refs["b1"].pk,
        "archived_at": "2026-01-01T00:00:00Z",
    }


INJECTED_FIELDS = [
    "portfolio",
    "programme",
    "code",
    "budget",
    "manager",
    "sponsor",
    "state",
    "stage",
    "version",
    "id",
    "archived_at",
]


@pytest.mark.parametrize("field_name", INJECTED_FIELDS)
def test_manager_cannot_set_pmo_owned_or_read_only_fields_through_the_api(site, db, field_name):
    a1 = site.refs["a1"]
    before = _snapshot(Project, a1.pk)
    payload = {"name": "Projet A1 renommé", field_name: _injections(site)[field_name]}
    response = _patch(site, "pm_a", reverse("api:project-detail", args=[a1.pk]), a1, payload)
    assert response.status_code in (400, 403), response.content[:300]
    assert _snapshot(Project, a1.pk) == before


def test_manager_cannot_set_all_of_them_at_once(site, db):
    a1 = site.refs["a1"]
    before = _snapshot(Project, a1.pk)
    response = _patch(site, "pm_a", reverse("api:project-detail", args=[a1.pk]), a1, _injections(site))
    assert response.status_code in (400, 403)
    assert _snapshot(Project, a1.pk) == before


def test_manager_may_send_back_unchanged_pmo_fields(site, db):
    """A PUT of the representation read with GET changes only what the manager may change."""
    a1 = site.refs["a1"]
    client = client_for(site, "pm_a")
    url = reverse("api:project-detail", args=[a1.pk])
    read = client.get(url)
    body = {**read.json(), "name": "Projet A1 renommé"}
    response = client.put(
        url, json.dumps(body), content_type="application/json", headers={"If-Match": read["ETag"]}
    )
    assert response.status_code == 200, response.content[:300]
    after = _snapshot(Project, a1.pk)
    assert after["name"] == "Projet A1 renommé"
    assert after["budget"] == a1.budget and after["manager_id"] == a1.manager_id


@pytest.mark.parametrize(
    ("principal", "payload"),
    [
        ("pm_a", {"portfolio": "$portfolio_b", "code": "x1", "name": "Intrus"}),
        ("pm_a", {"portfolio": "$portfolio_a", "programme": "$programme_b", "code": "x1", "name": "Intrus"}),
        ("pm_a", {"portfolio": "$portfolio_a", "code": "x1", "name": "Intrus"}),
        ("pmo_a", {"portfolio": "$portfolio_b", "code": "x1", "name": "Intrus"}),
        ("pmo_a", {"portfolio": "$portfolio_a", "programme": "$programme_b", "code": "x1", "name": "Intrus"}),
        ("pmo_a", {"portfolio": "$portfolio_a", "manager": "$pm_b", "code": "x1", "name": "Intrus"}),
        ("pmo_b", {"portfolio": "$portfolio_a", "code": "x1", "name": "Intrus"}),
    ],
)
def test_projects_cannot_be_created_outside_ones_portfolio(site, db, principal, payload):
    before = Project.objects.count()
    data = _resolve_data(site, payload)
    api = client_for(site, principal).post(
        reverse("api:project-list"), json.dumps(data), content_type="application/json"
    )
    assert api.status_code in (400, 403), api.content[:300]
    page = client_for(site, principal).post(reverse("projects:project-create"), data)
    assert page.status_code in (403, 422)
    assert Project.objects.count() == before


@pytest.mark.parametrize(
    ("principal", "payload"),
    [
        ("pmo_a", {"programme": "$programme_b"}),
        ("pmo_a", {"manager": "$pm_b"}),
        ("pmo_a", {"sponsor": "$pmo_b"}),
        ("pmo_a", {"portfolio": "$portfolio_b"}),
    ],
)
def test_pmo_cannot_attach_a_project_to_another_portfolio(site, db, principal, payload):
    a1 = site.refs["a1"]
    before = _snapshot(Project, a1.pk)
    response = _patch(
        site, principal, reverse("api:project-detail", args=[a1.pk]), a1, _resolve_data(site, payload)
    )
    assert response.status_code in (400, 403), response.content[:300]
    assert _snapshot(Project, a1.pk) == before


def test_pmo_cannot_move_a_programme_to_another_portfolio(site, db):
    programme = site.refs["programme_a"]
    before = _snapshot(Programme, programme.pk)
    response = _patch(
        site,
        "pmo_a",
        reverse("api:programme-detail", args=[programme.pk]),
        programme,
        {"portfolio": site.refs["portfolio_b"].pk, "code": "moved"},
    )
    assert response.status_code in (400, 403)
    assert _snapshot(Programme, programme.pk) == before


def test_edit_form_ignores_the_fields_it_does_not_offer_the_manager(site, db):
    """The page form offers the manager only their fields; extra POSTed fields are not written."""
    a1 = site.refs["a1"]
    before = _snapshot(Project, a1.pk)
    injected = _injections(site)
    data = {key: injected[key] for key in ("portfolio", "programme", "code", "budget", "manager", "state")}
    data.update({"name": "Projet A1 renommé", "version": a1.version})
    response = client_for(site, "pm_a").post(reverse("projects:project-edit", args=[a1.pk]), data)
    assert response.status_code == 302
    after = _snapshot(Project, a1.pk)
    assert after["name"] == "Projet A1 renommé"
    unchanged = ("portfolio_id", "programme_id", "code", "budget", "manager_id", "sponsor_id", "state")
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
