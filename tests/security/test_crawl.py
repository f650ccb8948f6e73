# ruff: noqa: F811  (the matrix's fixtures `site` and `db` are imported, then named as arguments)
"""Crawls of the whole access spec (RELIABILITY rows 10 and 12).

Every entry of tests/access_spec.yaml (and access_spec.d/) × every method it lists × the 9
principals, with and without `HX-Request`, through the access matrix's own cases, world and
sessions (tests/test_access_matrix.py):

- row 12: under the production HTTPS settings (pmo/settings/https.py), every response carries HSTS,
  a strict CSP, nosniff, a Referrer-Policy and, when authenticated, `no-store`; every cookie set is
  Secure, HttpOnly, SameSite=Lax and `__Host-`;
- row 10: every unsafe request sent without a CSRF token answers 403; every GET leaves every table
  of the database as it was (per-table row count + md5 of the ordered rows, before and after).
"""

import re
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from pmo.settings import https
from tests.test_access_matrix import (  # the matrix's world, sessions and request helper
    CASES,
    PRINCIPALS,
    _archive,
    _pk,
    client_for,
    db,  # noqa: F401  (fixture: a savepoint of the module's transaction per test)
    send,
    site,  # noqa: F401  (fixture: the world, built once for this module)
)

HTTPS_SETTINGS = {name: getattr(https, name) for name in dir(https) if name.isupper()}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class HttpsClient(Client):
    """Every request over https, as behind production's TLS (HSTS is only sent on secure requests)."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def _use_clients(site, **client_kwargs) -> None:
    """Give the matrix's `client_for` a new https client per principal, built with `client_kwargs`."""
    site.clients.clear()
    site.clients.update({principal: HttpsClient(**client_kwargs) for principal in PRINCIPALS})


class Row12:
    """Responses checked and failures, over both crawls of this module (printed at its end)."""

    responses = 0
    printed = False
    failures: list[str] = []
    cookies: Counter = Counter()

    @classmethod
    def check(cls, response, label: str, *, authenticated: bool) -> None:
        cls.responses += 1
        cls.cookies.update(response.cookies.keys())
        problems = header_problems(response, authenticated=authenticated) + cookie_problems(response)
        if problems:
            cls.failures.append(f"{label}: {'; '.join(problems)}")


@pytest.fixture(scope="module", autouse=True)
def row_12_figure():
    yield
    if Row12.responses and not Row12.printed:
        Row12.printed = True
        ok = Row12.responses - len(Row12.failures)
        print(
            f"\nRELIABILITY row 12: {Row12.responses} responses (every GET spec case x "
            f"{len(PRINCIPALS)} principals x with/without HX-Request, every unsafe case x "
            f"{len(PRINCIPALS)} principals) under production HTTPS settings: {ok} = "
            f"{100 * ok / Row12.responses:.1f} % with HSTS >= 31536000 s + includeSubDomains, CSP "
            f"(object-src/base-uri/frame-ancestors 'none', script-src 'self' + nonce, no unsafe-*), "
            f"nosniff, Referrer-Policy, X-Frame-Options DENY, no-store when authenticated; "
            f"{sum(Row12.cookies.values())} cookies set ({', '.join(sorted(Row12.cookies))}), all __Host-, "
            f"Secure, SameSite=Lax, Path=/, HttpOnly (but the empty deletions at logout)"
        )


# --- Row 12: headers and cookies on every response ------------------------------------------------


def _csp(response) -> dict[str, set[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0]] = set(tokens[1:])
    return directives


def header_problems(response, *, authenticated: bool) -> list[str]:
    """What this response lacks of row 12's headers (empty: all there)."""
    problems = []
    hsts = response.get("Strict-Transport-Security", "")
    age = re.search(r"max-age=(\d+)", hsts)
    if not age or int(age[1]) < 31_536_000 or "includeSubDomains" not in hsts:
        problems.append(f"HSTS {hsts!r}")
    csp = _csp(response)
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if csp.get(directive) != {"'none'"}:
            problems.append(f"CSP {directive} {sorted(csp.get(directive, []))}")
    scripts = csp.get("script-src", set())
    others = {token for token in scripts if token != "'self'" and not token.startswith("'nonce-")}
    if "'self'" not in scripts or others:  # 'unsafe-inline', 'unsafe-eval', hosts, data: ...
        problems.append(f"CSP script-src {sorted(scripts)}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff")
    if not response.get("Referrer-Policy"):
        problems.append("Referrer-Policy")
    if response.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options")
    if authenticated and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r}")
    return problems


def cookie_problems(response) -> list[str]:
    problems = []
    for name, morsel in response.cookies.items():
        flaws = []
        if not name.startswith("__Host-"):
            flaws.append("no __Host- prefix")
        if not morsel["secure"]:
            flaws.append("not Secure")
        deletion = morsel.value == "" and str(morsel["max-age"]) == "0"
        if not morsel["httponly"] and not deletion:  # a deletion (logout) carries nothing to read
            flaws.append("not HttpOnly")
        if str(morsel["samesite"]).lower() != "lax":
            flaws.append(f"SameSite={morsel['samesite']!r}")
        if morsel["path"] != "/" or morsel["domain"]:
            flaws.append(f"path={morsel['path']!r} domain={morsel['domain']!r}")
        if flaws:
            problems.append(f"cookie {name}: {', '.join(flaws)}")
    return problems


def test_the_check_itself_catches_a_weak_response():
    """The checks above fail on what they must fail on (a test that cannot fail proves nothing)."""
    from django.http import HttpResponse

    weak = HttpResponse()
    weak["Content-Security-Policy"] = "script-src 'self' 'unsafe-inline'; object-src *"
    weak.set_cookie("sessionid", "x", samesite="None")
    assert len(header_problems(weak, authenticated=True)) >= 7
    assert cookie_problems(weak) == [
        "cookie sessionid: no __Host- prefix, not Secure, not HttpOnly, SameSite='None'"
    ]


def test_htmx_is_configured_for_the_strict_csp(site, db):
    """htmx must not evaluate strings (hx-on, js: values) nor inject its indicator <style>."""
    page = client_for(site, "pm_a").get(reverse("projects:project-list")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page)
    assert config, "no htmx-config meta tag"
    assert '"allowEval": false' in config[1] and '"includeIndicatorStyles": false' in config[1]
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", page), "inline script"


# --- Row 10: CSRF on every unsafe method ------------------------------------------------------------

# Credentials-for-token endpoint: it authenticates nobody by cookie (no session, no CSRF to ride
# on); a forged cross-site POST could only obtain a token the attacker's page cannot read.
CSRF_EXEMPT = {"api:auth-token"}


@override_settings(**HTTPS_SETTINGS)
def test_unsafe_requests_have_the_headers_and_without_a_csrf_token_are_refused(site, db):
    """Every POST/PUT/PATCH/DELETE of the spec, for every principal:
    row 12, sent as the matrix sends it (rolled back): headers and cookies of each response;
    row 10 (a), sent again from a client that enforces CSRF and has no token, with and without
    HX-Request: 403."""
    unsafe = [case for case in CASES if case.method in UNSAFE]
    _use_clients(site)
    for case in unsafe:
        for principal in PRINCIPALS:
            response = send(site, principal, case, htmx=False)
            Row12.check(response, f"{principal} {case.id}", authenticated=principal != "anonymous")
    # what only unsafe requests set: the session cookie (login) and the language cookie
    assert {https.SESSION_COOKIE_NAME, https.LANGUAGE_COOKIE_NAME} <= set(Row12.cookies)

    # over plain http: under https Django also checks the Referer, and the refusal must come from
    # the missing token alone
    site.clients.clear()
    site.clients.update({p: Client(enforce_csrf_checks=True) for p in PRINCIPALS})
    guarded = [case for case in unsafe if case.name not in CSRF_EXEMPT]
    failures, sent, csrf_refusals = [], 0, 0
    for case in guarded:
        for principal in PRINCIPALS:
            for htmx in (False, True):
                response = send(site, principal, case, htmx=htmx)
                sent += 1
                if response.status_code != 403:
                    failures.append(f"{principal} {case.id} htmx={htmx}: {response.status_code}")
                elif "CSRF" in response.content.decode(errors="replace"):
                    csrf_refusals += 1
    _use_clients(site)
    print(
        f"\nRELIABILITY row 10 (CSRF): {sent} unsafe requests ({len(guarded)} spec cases x "
        f"{len(PRINCIPALS)} principals x with/without HX-Request) without a token: "
        f"{100 * (sent - len(failures)) / sent:.0f} % answered 403 ({csrf_refusals} by the CSRF check "
        f"itself, the rest refused before it: anonymous API calls); exempt: {sorted(CSRF_EXEMPT)}"
    )
    assert sent > 1000
    assert not failures, "\n".join(failures[:40])
    assert not Row12.failures, f"{len(Row12.failures)} responses fail:\n" + "\n".join(Row12.failures[:40])


def test_with_the_token_the_same_requests_pass_the_csrf_check(site, db):
    """The control: the 403s above come from the missing token, not from the client."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = site.sessions["pm_a"]
    page = client.get(reverse("projects:project-list"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    htmx = client.post(reverse("logout"), headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert htmx.status_code == 302


# --- Row 10: no GET changes the database ----------------------------------------------------------

# Tables a GET may legitimately change, each for a reason:
#   django_session: an active session is re-saved at most once a minute (its expiry moves: that
#     is the 30-minute idle timeout of row 9), and a GET to the login page stores the
#     test cookie, the enrolment page its pending secret.
NOT_HASHED = {"django_session"}


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Row count and md5 of the ordered rows of every table (outside NOT_HASHED)."""
    fingerprints = {}
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names()) - NOT_HASHED):
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "  # noqa: S608
                f"FROM {quoted} t"
            )
            fingerprints[table] = cursor.fetchone()
    return fingerprints


def write_counters() -> dict[str, int]:
    """Rows inserted, updated or deleted per table so far in this transaction (to name a culprit)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return {table: count for table, count in cursor.fetchall() if table not in NOT_HASHED}


def _get(site, principal, case, *, htmx: bool):
    """The case's GET, kept (not rolled back): a savepoint only isolates an error."""
    kwargs = {key: _pk(site, value) for key, value in case.kwargs.items()}
    headers = {"HX-Request": "true"} if htmx else {}
    with transaction.atomic():
        return client_for(site, principal).get(reverse(case.name, kwargs=kwargs), case.query, headers=headers)


def _crawl(site, cases, writers: list) -> int:
    requests = 0
    for case in cases:
        for principal in PRINCIPALS:
            for htmx in (False, True):
                before = write_counters()
                response = _get(site, principal, case, htmx=htmx)
                label = f"{principal} {case.id} htmx={htmx}"
                Row12.check(response, label, authenticated=principal != "anonymous")
                requests += 1
                after = write_counters()
                changed = {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}
                if changed:
                    writers.append(f"{principal} {case.id} htmx={htmx}: {changed}")
    return requests


@override_settings(**HTTPS_SETTINGS)
def test_no_get_changes_the_database_and_every_answer_has_the_headers(site, db):
    """The GET of every spec entry, for every principal, with and without HX-Request:
    row 10 (b), every table's row count and content hash unchanged;
    row 12, the headers and cookies of every response."""
    _use_clients(site)
    gets = [case for case in CASES if case.method == "GET"]
    writers: list[str] = []
    before = table_fingerprints()
    requests = _crawl(site, [case for case in gets if not case.archived], writers)
    after = table_fingerprints()
    changed = sorted(table for table in before if before[table] != after.get(table))
    # cases on archived objects: archive (a write of the test), fingerprint, crawl, fingerprint, undo
    for archived in sorted({case.archived for case in gets if case.archived}):
        with transaction.atomic():
            _archive(site, archived)
            group_before = table_fingerprints()
            requests += _crawl(site, [case for case in gets if case.archived == archived], writers)
            group_after = table_fingerprints()
            changed += sorted(t for t in group_before if group_before[t] != group_after.get(t))
            transaction.set_rollback(True)
    print(
        f"\nRELIABILITY row 10 (safe methods): {requests} GET requests ({len(gets)} spec cases x "
        f"{len(PRINCIPALS)} principals x with/without HX-Request), {len(before)} tables fingerprinted "
        f"(row count + md5 of ordered rows; not hashed: {sorted(NOT_HASHED)}): {len(changed)} tables "
        f"changed, {len(writers)} requests wrote"
    )
    assert requests > 3000
    assert not changed and not writers, f"tables changed: {changed}\n" + "\n".join(writers[:40])
    assert https.CSRF_COOKIE_NAME in Row12.cookies  # pages with forms set the CSRF cookie
    assert not Row12.failures, f"{len(Row12.failures)} responses fail:\n" + "\n".join(Row12.failures[:40])


def test_the_fingerprint_sees_a_change(site, db):
    """The control: one updated row changes its table's fingerprint."""
    a1 = site.refs["a1"]
    before = table_fingerprints()
    type(a1).objects.filter(pk=a1.pk).update(name="Projet A1 modifié")
    after = table_fingerprints()
    changed = {table for table in before if before[table] != after[table]}
    # the row, and the audit event its trigger wrote
    assert changed == {type(a1)._meta.db_table, type(a1).pgh_event_model._meta.db_table}
