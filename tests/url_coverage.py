"""URL inventory helpers and the Zulip-style URL-coverage gate (RELIABILITY rows 1-2).

The helpers walk the resolver and read ``tests/access_spec.yaml``; ``tests/test_access_matrix.py``
uses them to check that the spec lists every URL pattern. As a pytest plugin (registered from
``tests/conftest.py``) this module also records every URL pattern that answered a request with a
2xx or 3xx during the session, and fails the session when a pattern of the site was never exercised.

A 3xx that only bounces an anonymous or unauthorised user to a login page (``?next=`` to the site or
admin login) does not count: it proves the page is closed, not that it works.

The gate runs only for a full run of ``tests/``: it is skipped when ``-k``/``-m``/``--deselect`` narrow
the selection, when a test file of ``tests/`` was not collected, or when the run stopped early.
Patterns exempted by ``coverage_exemptions`` in the spec are not required.
"""

from __future__ import annotations

import contextlib
import fnmatch
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

TESTS_DIR = Path(__file__).resolve().parent
SPEC_PATH = TESTS_DIR / "access_spec.yaml"
# One more file per area (reports, governance, ...): its `urls` extend the main list; a status vector
# may be the name of one of the main file's `vectors` (YAML anchors do not cross files).
SPEC_DIR = TESTS_DIR / "access_spec.d"

# Routes (as ResolverMatch.route spells them) answered with a 2xx/3xx that is not a login bounce.
EXERCISED: set[str] = set()


# --- URL inventory -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlPattern:
    """One leaf pattern of the site: its namespaced name (None when unnamed) and its full route."""

    name: str | None
    route: str
    callback: object

    @property
    def label(self) -> str:
        return f"{self.name or '(unnamed)'}  {self.route}"


def join_route(route1: str, route2: str) -> str:
    """The same join as django.urls.URLResolver._join_route, so routes match ResolverMatch.route."""
    if not route1:
        return route2
    return route1 + route2.removeprefix("^")


def url_patterns() -> list[UrlPattern]:
    """Every leaf URL pattern of the site, found by walking ``get_resolver()`` recursively."""
    from django.urls import URLResolver, get_resolver

    found: list[UrlPattern] = []

    def walk(resolver, prefix: str, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            route = join_route(prefix, str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, route, inner)
            else:
                name = f"{namespace}{pattern.name}" if pattern.name else None
                found.append(UrlPattern(name=name, route=route, callback=pattern.callback))

    walk(get_resolver(), "", "")
    return found


@cache
def load_spec() -> dict:
    """The main spec with the `urls`, `rules` and `coverage_exemptions` of every file of SPEC_DIR."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    for path in sorted(SPEC_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            part = yaml.safe_load(handle) or {}
        for key in ("urls", "rules", "coverage_exemptions"):
            spec.setdefault(key, []).extend(part.get(key) or [])
    return spec


def matches(selector: dict, pattern: UrlPattern) -> bool:
    """A rule or exemption selects patterns by ``route`` glob and/or ``name`` glob (both must match)."""
    route_ok = "route" not in selector or fnmatch.fnmatchcase(pattern.route, selector["route"])
    name_ok = "name" not in selector or fnmatch.fnmatchcase(pattern.name or "", selector["name"])
    return route_ok and name_ok


def exempted(pattern: UrlPattern, spec: dict) -> bool:
    for exemption in spec.get("coverage_exemptions", []):
        if matches(exemption, pattern) and pattern.name not in exemption.get("except", []):
            return True
    return False


def is_login_bounce(response) -> bool:
    """A redirect to the site or admin login page carrying ``next``: access refused, nothing exercised."""
    from django.conf import settings
    from django.shortcuts import resolve_url
    from django.urls import NoReverseMatch, reverse

    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = urlsplit(response.get("Location", ""))
    login_paths = {urlsplit(resolve_url(settings.LOGIN_URL)).path}
    with contextlib.suppress(NoReverseMatch):
        login_paths.add(reverse("admin:login"))
    return location.path in login_paths and "next" in parse_qs(location.query)


# --- Recording -----------------------------------------------------------------------------------


def _record(request, response) -> None:
    match = getattr(request, "resolver_match", None)
    if match is None or not 200 <= response.status_code < 400 or is_login_bounce(response):
        return
    EXERCISED.add(match.route)


def _install_recorder() -> None:
    """Wrap BaseHandler.get_response: sees the test client, DRF's APIClient and the live server."""
    from django.core.handlers.base import BaseHandler

    if getattr(BaseHandler.get_response, "_url_coverage", False):
        return
    original = BaseHandler.get_response

    def get_response(self, request):
        response = original(self, request)
        _record(request, response)
        return response

    get_response._url_coverage = True
    BaseHandler.get_response = get_response


# --- The gate ------------------------------------------------------------------------------------


def _all_test_files() -> set[Path]:
    files = set(TESTS_DIR.rglob("test_*.py")) | set(TESTS_DIR.rglob("*_test.py"))
    return {path.resolve() for path in files}


class UrlCoverageGate:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.collected_files: set[Path] = set()
        self.deselected = 0
        self.never_exercised: list[str] = []
        self.skipped_because = ""
        self.judged = 0

    @pytest.hookimpl
    def pytest_collectstart(self, collector) -> None:
        if isinstance(collector, pytest.Module):
            self.collected_files.add(Path(collector.path).resolve())

    @pytest.hookimpl
    def pytest_deselected(self, items) -> None:
        self.deselected += len(items)

    def _why_not_full_run(self, session: pytest.Session) -> str:
        option = self.config.option
        if getattr(option, "collectonly", False):
            return "--collect-only"
        if getattr(option, "keyword", "") or getattr(option, "markexpr", ""):
            return "-k/-m narrowed the selection"
        if self.deselected:
            return f"{self.deselected} tests deselected"
        missing = _all_test_files() - self.collected_files
        if missing:
            return f"{len(missing)} test files of tests/ not collected"
        if session.shouldstop or session.shouldfail:
            return "the run stopped early"
        if not session.testscollected:
            return "no tests collected"
        return ""

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        if exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            self.skipped_because = f"exit status {exitstatus!r}"
            return
        self.skipped_because = self._why_not_full_run(session)
        if self.skipped_because:
            return
        spec = load_spec()
        self.never_exercised = sorted(
            pattern.label
            for pattern in url_patterns()
            if pattern.route not in EXERCISED and not exempted(pattern, spec)
        )
        self.judged = len(url_patterns())
        if self.never_exercised:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.never_exercised:
            terminalreporter.section("URL coverage", red=True, bold=True)
            terminalreporter.write_line("URLs never exercised with a 2xx/3xx:", red=True)
            for label in self.never_exercised:
                terminalreporter.write_line(f"    {label}")
            terminalreporter.write_line(
                "Exercise each with a test that gets a 2xx/3xx, or exempt it (with a reason) under "
                "coverage_exemptions in tests/access_spec.yaml."
            )
        elif self.judged:
            terminalreporter.write_line(
                f"URL coverage gate: every one of the {self.judged} URL patterns exercised with a "
                f"2xx/3xx or exempted ({len(EXERCISED)} routes exercised)."
            )
        elif self.skipped_because and self.config.option.verbose > 0:
            terminalreporter.write_line(f"URL coverage gate skipped: {self.skipped_because}.")


class WorkerReport:
    """In an xdist worker: record, and hand the controller what it needs to judge the whole run
    (the routes exercised, the test files collected, the tests deselected)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.collected_files: set[str] = set()
        self.deselected = 0

    @pytest.hookimpl
    def pytest_collectstart(self, collector) -> None:
        if isinstance(collector, pytest.Module):
            self.collected_files.add(str(Path(collector.path).resolve()))

    @pytest.hookimpl
    def pytest_deselected(self, items) -> None:
        self.deselected += len(items)

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.config.workeroutput["url_coverage"] = {
            "exercised": sorted(EXERCISED),
            "collected_files": sorted(self.collected_files),
            "deselected": self.deselected,
        }


class ControllerGate(UrlCoverageGate):
    """The gate in the xdist controller: the workers collect and run; their reports are merged as
    each finishes. A worker that died without a report leaves the gate unable to judge (skipped)."""

    def __init__(self, config: pytest.Config) -> None:
        super().__init__(config)
        self.reports = 0
        self.lost_workers = 0

    @pytest.hookimpl
    def pytest_testnodedown(self, node, error) -> None:
        report = getattr(node, "workeroutput", {}).get("url_coverage")
        if report is None:
            self.lost_workers += 1
            return
        self.reports += 1
        EXERCISED.update(report["exercised"])
        self.collected_files.update(Path(path) for path in report["collected_files"])
        # every worker collects and deselects the same items: count them once
        self.deselected = max(self.deselected, report["deselected"])

    def _why_not_full_run(self, session: pytest.Session) -> str:
        if self.lost_workers or not self.reports:
            return "a worker ended without its report"
        return super()._why_not_full_run(session)


def pytest_configure(config: pytest.Config) -> None:
    _install_recorder()
    if hasattr(config, "workerinput"):  # an xdist worker: only the whole session can judge coverage
        config.pluginmanager.register(WorkerReport(config), "url-coverage-report")
    elif config.pluginmanager.hasplugin("xdist") and getattr(config.option, "numprocesses", None):
        config.pluginmanager.register(ControllerGate(config), "url-coverage-gate")
    else:
        config.pluginmanager.register(UrlCoverageGate(config), "url-coverage-gate")


# --- Sample paths for rule-matched patterns -------------------------------------------------------

_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def sample_path(route: str) -> str:
    """A concrete path for a route (placeholders become ``1``), used to probe rule-matched patterns."""

    def group(match: re.Match) -> str:
        body = match["body"]
        if re.fullmatch(r"[\w|]+", body):  # an alternation of literals: the first one
            return body.split("|")[0]
        if body == ".*":
            return "no-such-page"
        return "1"

    path = _GROUP.sub(group, route)
    path = _CONVERTER.sub("1", path)
    path = path.removeprefix("^").removesuffix("$").replace("/?", "/").replace("\\.", ".")
    return "/" + path
