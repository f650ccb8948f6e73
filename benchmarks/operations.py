"""The operation registry: every operation `make bench` measures and `make bench-smoke` guards.

One entry per operation: how to address it (a URL name, reversed at run time, or a Celery task name),
which demo user sends it, the issue's targets it is judged against, and its SQL floor: the bare SQL
(psycopg, no ORM, no template) that fetches the same data the page needs, timed in the same run.

Features that other issues are still building (capacity heat map, COPIL pack, highlight batch) are
registered too: while their URL name or task does not exist they print "not built yet". Their
owners replace the placeholder names, requests and floors when they land.

Writes (status submit) use a `Writer`: fresh objects per request, prepared untimed before the
measure, and `restore()` puts the database back as it was so the bench can be re-run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.urls import reverse

from benchmarks import tasks
from benchmarks.writers import ApiSubmitWriter, FormSubmitWriter, Writer

MAX_QUERIES = 15  # the "≤ 15 queries per page"
# A write is not a page: its targets are time (p50/p95); its query count is reported, and the smoke
# still fails when it grows with the data.
WRITE = {"max_queries": None}


@dataclass(frozen=True)
class Context:
    """Ids the operations address, resolved from the benchmark database (benchmarks/context.py)."""

    today: date
    monday: date
    pmo_username: str  # a PMO officer of the benchmark portfolios
    pm_username: str  # the manager of `project_id` ("Mes projets")
    portfolio_id: int  # the benchmark portfolio of `project_id`
    project_id: int  # an active benchmark project with two years of history
    projects_visible: int  # how many projects the PMO officer sees (the dashboard's scope)
    user_ids: dict[str, int] = field(default_factory=dict)  # username -> id, for the SQL floors


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = None
    htmx: bool = False
    no_cache: bool = False  # `Cache-Control: no-cache`: what a hard refresh sends


@dataclass(frozen=True)
class Targets:
    """The issue's targets for one operation; None means "no target on this figure"."""

    p50_ms: float | None = None
    p95_ms: float | None = None
    floor_ratio: float | None = None
    max_queries: int | None = MAX_QUERIES
    total_s: float | None = None  # task operations: the whole run
    # False for a page that keeps its build (the dashboard): fewer queries when it is kept, all of
    # them when the database changed since (bench-smoke still guards the build's count, cache off)
    constant_queries: bool = True

    def describe(self) -> str:
        parts = []
        if self.p50_ms is not None:
            parts.append(f"p50≤{self.p50_ms:g}ms")
        if self.p95_ms is not None:
            parts.append(f"p95≤{self.p95_ms:g}ms")
        if self.floor_ratio is not None:
            parts.append(f"≤{self.floor_ratio:g}×floor")
        if self.max_queries is not None:
            parts.append(f"≤{self.max_queries}q")
        if self.total_s is not None:
            parts.append(f"≤{self.total_s:g}s")
        return " ".join(parts)


Sql = list[tuple[str, tuple]]


@dataclass(frozen=True)
class Operation:
    key: str  # what BENCH_OPS selects
    label: str
    url_name: str | None = None
    args: Callable[[Context], list] = field(default=lambda ctx: [])
    query: Callable[[Context], dict] | None = None
    user: str = "pmo"  # "pmo" or "pm": whose session sends it
    htmx: bool = False
    no_cache: bool = False
    expect: tuple[int, ...] = (200,)
    targets: Targets = field(default_factory=Targets)
    floor: Callable[[Context], Sql] | None = None
    writer: Writer | None = None
    task: str | None = None  # a Celery task name: the operation is a background job
    # Task operations: enqueue the job(s) on the running benchmark worker, wait, and return at least
    # {"total_s": ..., "items": ...}; the runner adds the worker's peak memory.
    run_task: Callable[[Context], dict] | None = None
    redirect_to: Callable[[Context], str] | None = None  # expected Location of a 3xx answer
    note: str = ""

    def path(self, ctx: Context) -> str:
        path = reverse(self.url_name, args=self.args(ctx))
        if self.query is not None:
            path += "?" + urlencode(self.query(ctx), doseq=True)
        return path

    def missing(self, ctx: Context) -> str | None:
        """Why the operation cannot run yet (its URL name or task does not exist), else None."""
        if self.task is not None:
            from pmo.celery import app

            app.loader.import_default_modules()
            if self.task not in app.tasks:
                return f"task {self.task} is not registered"
            if self.run_task is None:
                return f"task {self.task} exists but its entry has no run_task yet"
            return None
        from django.urls import NoReverseMatch

        try:
            self.path(ctx)
        except NoReverseMatch:
            return f"URL {self.url_name} does not exist"
        return None

    def read_request(self, ctx: Context) -> Request:
        return Request("GET", self.path(ctx), htmx=self.htmx, no_cache=self.no_cache)


# --- SQL floors: the data each page needs, fetched with the fewest plain statements ----------------

_VISIBLE = "p.portfolio_id IN (SELECT portfolio_id FROM portfolio_membership WHERE user_id = %s)"


def _uid(ctx: Context, username: str | None = None) -> int:
    return ctx.user_ids[username or ctx.pmo_username]


_PROJECT_ROW = """
SELECT p.*, pf.name, pf.currency, pf.stale_after_days, pg.name, m.first_name, m.last_name,
       s.first_name, s.last_name, d.first_name, d.last_name, r.*
FROM projects_project p JOIN portfolio_portfolio pf ON pf.id = p.portfolio_id
LEFT JOIN portfolio_programme pg ON pg.id = p.programme_id
LEFT JOIN core_user m ON m.id = p.manager_id LEFT JOIN core_user s ON s.id = p.sponsor_id
LEFT JOIN core_user d ON d.id = p.deputy_id
LEFT JOIN projects_statusreport r ON r.id = p.latest_report_id
WHERE p.id = %s AND p.portfolio_id IN (SELECT portfolio_id FROM portfolio_membership WHERE user_id = %s)
"""


def _project_row(ctx: Context, username: str | None = None) -> tuple[str, tuple]:
    return _PROJECT_ROW, (ctx.project_id, _uid(ctx, username))


def _facts(ctx: Context) -> Sql:
    """QCDR facts of one project: milestones, cost lines, risks, deliverables, latest report."""
    pid = (ctx.project_id,)
    return [
        ("SELECT * FROM projects_milestone WHERE project_id = %s", pid),
        ("SELECT * FROM projects_costline WHERE project_id = %s ORDER BY month, category", pid),
        ("SELECT * FROM projects_risk WHERE project_id = %s", pid),
        ("SELECT * FROM projects_deliverable WHERE project_id = %s", pid),
        (
            "SELECT * FROM projects_statusreport WHERE project_id = %s AND state = 'submitted' "
            "AND is_current AND period_start <= %s ORDER BY period_start DESC LIMIT 1",
            (ctx.project_id, ctx.today),
        ),
    ]


def _project_page(ctx: Context) -> Sql:
    return [_project_row(ctx), *_facts(ctx)]


_LIST_COLUMNS = """
p.id, p.portfolio_id, p.programme_id, p.code, p.name, p.description, p.manager_id, p.deputy_id,
p.sponsor_id, p.stage, p.state, p.start_date, p.end_date, p.budget, p.version, p.archived_at,
r.id, r.period_start, r.overall, r.quality, r.cost, r.schedule, r.risk, r.submitted_at,
r.indicated -> 'watermelon'
"""


def _list_api(ctx: Context, *, filtered: bool, limit: int) -> Sql:
    where = f"p.archived_at IS NULL AND {_VISIBLE}"
    params: tuple = (_uid(ctx),)
    if filtered:
        where += " AND p.portfolio_id = %s AND p.state = 'active'"
        params += (ctx.portfolio_id,)
    return [
        (
            f"SELECT {_LIST_COLUMNS} FROM projects_project p "
            f"LEFT JOIN projects_statusreport r ON r.id = p.latest_report_id "
            f"WHERE {where} ORDER BY p.code, p.id LIMIT {limit}",
            params,
        ),
        (f"SELECT count(*) FROM projects_project p WHERE {where}", params),
    ]


def _list_page(ctx: Context) -> Sql:
    where = f"p.archived_at IS NULL AND p.portfolio_id = %s AND p.state = 'active' AND {_VISIBLE}"
    params = (ctx.portfolio_id, _uid(ctx))
    return [
        (
            "SELECT p.id, p.code, p.name, p.state, p.stage, p.start_date, p.end_date, p.budget, "
            "pf.name, pg.name, m.first_name, m.last_name, r.overall, r.period_start, r.submitted_at "
            "FROM projects_project p JOIN portfolio_portfolio pf ON pf.id = p.portfolio_id "
            "LEFT JOIN portfolio_programme pg ON pg.id = p.programme_id "
            "LEFT JOIN core_user m ON m.id = p.manager_id "
            "LEFT JOIN projects_statusreport r ON r.id = p.latest_report_id "
            f"WHERE {where} ORDER BY p.code, p.id LIMIT 25",
            params,
        ),
        (f"SELECT count(*) FROM projects_project p WHERE {where}", params),
        (
            "SELECT id, name FROM portfolio_portfolio WHERE id IN "
            "(SELECT portfolio_id FROM portfolio_membership WHERE user_id = %s) ORDER BY name",
            (_uid(ctx),),
        ),
    ]


def _export(ctx: Context) -> Sql:
    return [
        (
            "SELECT p.code, p.name, pf.name, pg.name, p.state, m.first_name, m.last_name, "
            "s.first_name, s.last_name, p.start_date, p.end_date, p.budget "
            "FROM projects_project p JOIN portfolio_portfolio pf ON pf.id = p.portfolio_id "
            "LEFT JOIN portfolio_programme pg ON pg.id = p.programme_id "
            "LEFT JOIN core_user m ON m.id = p.manager_id LEFT JOIN core_user s ON s.id = p.sponsor_id "
            f"WHERE p.archived_at IS NULL AND {_VISIBLE} ORDER BY p.code, p.id",
            (_uid(ctx),),
        )
    ]


def _capacity(ctx: Context) -> Sql:
    """The pool the PMO officer reads, its absences and the live allocations touching 52 weeks:
    what the heat map's computation reads (issue 6)."""
    pools = "SELECT portfolio_id FROM portfolio_membership WHERE user_id = %s"
    window = (ctx.monday, ctx.monday + timedelta(weeks=52))
    uid = _uid(ctx)
    return [
        (
            "SELECT r.id, r.hours_per_week, r.working_time_pct, r.available_from, r.available_until, "
            "r.name, ro.name, r.department, r.role_id FROM portfolio_resource r "
            "JOIN portfolio_role ro ON ro.id = r.role_id "
            f"WHERE r.archived_at IS NULL AND r.portfolio_id IN ({pools}) ORDER BY r.name, r.id",
            (uid,),
        ),
        (
            "SELECT a.resource_id, a.start_date, a.end_date FROM portfolio_absence a "
            f"JOIN portfolio_resource r ON r.id = a.resource_id WHERE r.portfolio_id IN ({pools}) "
            "AND a.start_date <= %s AND a.end_date >= %s",
            (uid, window[1], window[0]),
        ),
        (
            "SELECT a.id, a.resource_id, a.role_id, a.start_date, a.end_date, a.percent, a.hours_per_week, "
            "a.state FROM projects_allocation a JOIN projects_project p ON p.id = a.project_id "
            "JOIN portfolio_resource r ON r.id = a.resource_id "
            f"WHERE r.portfolio_id IN ({pools}) AND p.archived_at IS NULL "
            "AND p.state NOT IN ('closed', 'cancelled') AND a.start_date <= %s AND a.end_date >= %s",
            (uid, window[1], window[0]),
        ),
    ]


def _dashboard(ctx: Context, portfolio: int | None = None) -> Sql:
    """Counts and budget per portfolio and state, the RAG of every project's latest report, the
    projects ending soon and past their end: the figures of a portfolio dashboard (of every visible
    project, or of one portfolio's)."""
    visible = f"p.archived_at IS NULL AND {_VISIBLE}"
    uid: tuple = (_uid(ctx),)
    if portfolio is not None:
        visible += " AND p.portfolio_id = %s"
        uid = (*uid, portfolio)
    return [
        (
            "SELECT p.portfolio_id, pf.name, p.state, count(*), sum(p.budget), "
            "count(*) FILTER (WHERE p.manager_id IS NULL) FROM projects_project p "
            f"JOIN portfolio_portfolio pf ON pf.id = p.portfolio_id WHERE {visible} "
            "GROUP BY 1, 2, 3 ORDER BY 2",
            uid,
        ),
        (
            "SELECT p.portfolio_id, r.overall, count(*) FROM projects_project p "
            f"LEFT JOIN projects_statusreport r ON r.id = p.latest_report_id WHERE {visible} "
            "GROUP BY 1, 2",
            uid,
        ),
        (
            "SELECT p.id, p.code, p.name, p.end_date FROM projects_project p "
            f"WHERE {visible} AND p.state = 'active' AND p.end_date BETWEEN %s AND %s + 30 "
            "ORDER BY p.end_date LIMIT 20",
            (*uid, ctx.today, ctx.today),
        ),
        (
            "SELECT p.id, p.code, p.name, p.end_date, count(*) OVER () FROM projects_project p "
            f"WHERE {visible} AND p.state = 'active' AND p.end_date < %s ORDER BY p.end_date LIMIT 10",
            (*uid, ctx.today),
        ),
    ]


def _my_projects(ctx: Context) -> Sql:
    uid = _uid(ctx, ctx.pm_username)
    mine = (
        "SELECT p.id FROM projects_project p WHERE (p.manager_id = %s OR p.deputy_id = %s) "
        "AND p.archived_at IS NULL AND p.state NOT IN ('closed', 'cancelled')"
    )
    return [
        (
            "SELECT p.*, pf.stale_after_days, r.* FROM projects_project p "
            "JOIN portfolio_portfolio pf ON pf.id = p.portfolio_id "
            "LEFT JOIN projects_statusreport r ON r.id = p.latest_report_id "
            f"WHERE p.id IN ({mine}) ORDER BY p.code",
            (uid, uid),
        ),
        (
            f"SELECT * FROM projects_statusreport WHERE project_id IN ({mine}) "
            "AND period_start = %s AND is_current",
            (uid, uid, ctx.monday),
        ),
        (
            f"SELECT * FROM projects_milestone WHERE project_id IN ({mine}) AND status = 'planned' "
            "AND actual_date IS NULL AND coalesce(forecast_date, baseline_date) <= %s + 14",
            (uid, uid, ctx.today),
        ),
    ]


def _register(table: str, order: str) -> Callable[[Context], Sql]:
    def floor(ctx: Context) -> Sql:
        return [
            (
                f"SELECT * FROM {table} WHERE project_id = %s AND project_id IN (SELECT p.id FROM "
                f"projects_project p WHERE {_VISIBLE}) ORDER BY {order} LIMIT 100",
                (ctx.project_id, _uid(ctx)),
            ),
            (f"SELECT count(*) FROM {table} WHERE project_id = %s", (ctx.project_id,)),
        ]

    return floor


def _tab(*statements: str) -> Callable[[Context], Sql]:
    """A project tab: the project row, then statements taking the project id."""

    def floor(ctx: Context) -> Sql:
        return [_project_row(ctx), *((sql, (ctx.project_id,)) for sql in statements)]

    return floor


def _tab_with_facts(*statements: str) -> Callable[[Context], Sql]:
    def floor(ctx: Context) -> Sql:
        return [*_tab(*statements)(ctx), *_facts(ctx)]

    return floor


# --- The registry --------------------------------------------------------------------------------

PROJECT = lambda ctx: [ctx.project_id]  # noqa: E731
FILTERED = lambda ctx: {"portfolio": ctx.portfolio_id, "state": "active"}  # noqa: E731
REGISTER_TARGET = Targets(p50_ms=10)

OPERATIONS: list[Operation] = [
    Operation(
        "dashboard",
        "Portfolio dashboard, all portfolios (every visible project)",
        "reporting:dashboard",
        query=lambda ctx: {"portfolio": "all"},
        targets=Targets(p50_ms=100, constant_queries=False),
        floor=_dashboard,
    ),
    Operation(
        "dashboard-cold",
        "Portfolio dashboard, all portfolios, rebuilt (hard refresh)",
        "reporting:dashboard",
        query=lambda ctx: {"portfolio": "all"},
        no_cache=True,
        # at ~2 requests a second the run outlasts the session's once-a-minute save (one UPDATE)
        targets=Targets(constant_queries=False),
        floor=_dashboard,
        note="Cache-Control: no-cache: every request builds the 2,000 projects again",
    ),
    Operation(
        "dashboard-portfolio",
        "Portfolio dashboard, one portfolio",
        "reporting:dashboard",
        query=lambda ctx: {"portfolio": ctx.portfolio_id},
        targets=Targets(p50_ms=100, constant_queries=False),
        floor=lambda ctx: _dashboard(ctx, portfolio=ctx.portfolio_id),
    ),
    Operation(
        "list-page",
        "Project list page (filtered, 25/page)",
        "projects:project-list",
        query=FILTERED,
        floor=_list_page,
    ),
    Operation(
        "list-htmx",
        "Project list HTMX refresh (filtered)",
        "projects:project-list",
        query=FILTERED,
        htmx=True,
        floor=_list_page,
    ),
    Operation(
        "list-api",
        "API projects, 100/page filtered",
        "api:project-list",
        query=lambda ctx: {**FILTERED(ctx), "page_size": 100},
        targets=Targets(p50_ms=20, floor_ratio=10),
        floor=lambda ctx: _list_api(ctx, filtered=True, limit=100),
    ),
    Operation(
        "list-api-500",
        "API projects, largest page (500)",
        "api:project-list",
        query=lambda ctx: {"page_size": 500},
        floor=lambda ctx: _list_api(ctx, filtered=False, limit=500),
    ),
    Operation(
        "export",
        "CSV export of the whole list",
        "reporting:project-export",
        targets=Targets(p50_ms=200),
        floor=_export,
    ),
    Operation(
        "project",
        "Project page",
        "projects:project-detail",
        args=PROJECT,
        floor=_project_page,
    ),
    Operation(
        "tab-header",
        "Project tab: header",
        "projects:header-partial",
        args=PROJECT,
        htmx=True,
        floor=_project_page,
    ),
    Operation(
        "tab-summary",
        "Project tab: summary",
        "projects:summary-partial",
        args=PROJECT,
        htmx=True,
        floor=_project_page,
    ),
    Operation(
        "tab-qcdr",
        "Project tab: QCDR",
        "projects:qcdr-partial",
        args=PROJECT,
        htmx=True,
        floor=_project_page,
    ),
    Operation(
        "tab-milestones",
        "Project tab: milestones (MTA)",
        "projects:milestones-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab(
            "SELECT * FROM projects_milestone WHERE project_id = %s",
            "SELECT f.* FROM projects_milestoneforecast f WHERE f.milestone_id IN "
            "(SELECT id FROM projects_milestone WHERE project_id = %s) ORDER BY f.period_start",
        ),
    ),
    Operation(
        "tab-costs",
        "Project tab: costs (S-curve, EVM)",
        "projects:costs-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab_with_facts(
            "SELECT b.*, u.first_name, u.last_name FROM projects_costbaseline b "
            "LEFT JOIN core_user u ON u.id = b.created_by_id WHERE b.project_id = %s ORDER BY number DESC",
            "SELECT period_start, indicated -> 'evm' -> 'ev' FROM projects_statusreport "
            "WHERE project_id = %s AND state = 'submitted' AND is_current ORDER BY period_start",
        ),
    ),
    Operation(
        "tab-risks",
        "Project tab: risks (heat map)",
        "projects:risks-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab(
            "SELECT r.*, u.first_name, u.last_name FROM projects_risk r "
            "LEFT JOIN core_user u ON u.id = r.owner_id WHERE r.project_id = %s ORDER BY r.score DESC"
        ),
    ),
    Operation(
        "tab-issues",
        "Project tab: issues",
        "projects:issues-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab(
            "SELECT i.*, u.first_name, u.last_name FROM projects_issue i "
            "LEFT JOIN core_user u ON u.id = i.owner_id WHERE i.project_id = %s",
            "SELECT a.*, u.first_name, u.last_name FROM projects_assumption a "
            "LEFT JOIN core_user u ON u.id = a.owner_id WHERE a.project_id = %s",
        ),
    ),
    Operation(
        "tab-deliverables",
        "Project tab: deliverables",
        "projects:deliverables-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab(
            "SELECT d.*, u.first_name, u.last_name FROM projects_deliverable d "
            "LEFT JOIN core_user u ON u.id = d.owner_id WHERE d.project_id = %s",
            "SELECT v.* FROM projects_deliverablereview v WHERE v.deliverable_id IN "
            "(SELECT id FROM projects_deliverable WHERE project_id = %s) ORDER BY v.created_at",
        ),
    ),
    Operation(
        "tab-dependencies",
        "Project tab: dependencies",
        "projects:dependencies-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab(
            "SELECT * FROM projects_dependency WHERE project_id = %s",
            "SELECT * FROM projects_dependency WHERE depends_on_project_id = %s",
        ),
    ),
    Operation(
        "tab-status-history",
        "Project tab: status history (2 years)",
        "projects:status-history-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab(
            "SELECT r.*, u.first_name, u.last_name FROM projects_statusreport r "
            "LEFT JOIN core_user u ON u.id = r.submitted_by_id WHERE r.project_id = %s "
            "AND r.state = 'submitted' AND r.is_current ORDER BY r.period_start DESC"
        ),
    ),
    Operation(
        "tab-team",
        "Project tab: team",
        "projects:team-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab(
            "SELECT pm.*, u.first_name, u.last_name FROM projects_projectmember pm "
            "JOIN core_user u ON u.id = pm.user_id WHERE pm.project_id = %s ORDER BY u.last_name"
        ),
    ),
    Operation(
        "tab-history",
        "Project tab: change history",
        "projects:history-partial",
        args=PROJECT,
        htmx=True,
        floor=_tab(
            "SELECT e.*, c.metadata FROM projects_projectevent e "
            "LEFT JOIN pghistory_context c ON c.id = e.pgh_context_id "
            "WHERE e.pgh_obj_id = %s ORDER BY e.pgh_created_at DESC LIMIT 50"
        ),
    ),
    Operation(
        "weekly-form",
        "Weekly update form",
        "projects:weekly-update",
        args=PROJECT,
        floor=_tab(
            "SELECT * FROM projects_statusreport WHERE project_id = %s AND is_current "
            "ORDER BY period_start DESC LIMIT 2",
            "SELECT * FROM projects_milestone WHERE project_id = %s AND status <> 'cancelled'",
            "SELECT * FROM projects_costline WHERE project_id = %s AND month = date_trunc('month', now())",
            "SELECT * FROM projects_risk WHERE project_id = %s AND status = 'open' ORDER BY score DESC",
        ),
    ),
    Operation(
        "my-projects",
        "Mes projets (a manager's week)",
        "projects:my-projects",
        user="pm",
        floor=_my_projects,
    ),
    Operation(
        "qcdr-api",
        "API QCDR of a project",
        "api:project-qcdr",
        args=PROJECT,
        targets=Targets(p50_ms=20),
        floor=_project_page,
    ),
    Operation(
        "reports-api",
        "API status reports of a project",
        "api:status-report-list",
        query=lambda ctx: {"project": ctx.project_id, "page_size": 100},
        targets=REGISTER_TARGET,
        floor=_register("projects_statusreport", "period_start DESC, revision DESC"),
    ),
    Operation(
        "risks-api",
        "API risks of a project",
        "api:risk-list",
        query=lambda ctx: {"project": ctx.project_id, "page_size": 100},
        targets=REGISTER_TARGET,
        floor=_register("projects_risk", "id"),
    ),
    Operation(
        "issues-api",
        "API issues of a project",
        "api:issue-list",
        query=lambda ctx: {"project": ctx.project_id, "page_size": 100},
        targets=REGISTER_TARGET,
        floor=_register("projects_issue", "id"),
    ),
    Operation(
        "submit-api",
        "Status submit, API (write + QCDR)",
        "api:status-report-list",
        expect=(200,),
        targets=Targets(p50_ms=20, p95_ms=50, **WRITE),
        writer=ApiSubmitWriter(),
        note="POST status-reports/{id}/submit/ on a fresh draft (a free past week of another project)",
    ),
    Operation(
        "submit-form",
        "Status submit, weekly form (write + QCDR)",
        "projects:weekly-update",
        args=PROJECT,
        expect=(302,),
        redirect_to=lambda ctx: reverse("projects:my-projects"),
        targets=Targets(p50_ms=20, p95_ms=50, **WRITE),
        writer=FormSubmitWriter(),
        note="POST the weekly form (create + submit this week) on projects without this week's report",
    ),
    # --- Built by other issues: registered now, measured once their URL name / task exists. -------
    Operation(
        "capacity",
        "Capacity heat map, every visible person × 52 weeks (page of 50 rows)",
        "projects:capacity",
        query=lambda ctx: {"periods": 52, "start": ctx.monday.isoformat()},
        targets=Targets(p50_ms=1000),
        floor=_capacity,
    ),
    Operation(
        "capacity-role",
        "Capacity heat map by role × 52 weeks",
        "projects:capacity",
        query=lambda ctx: {"periods": 52, "start": ctx.monday.isoformat(), "view": "role"},
        targets=Targets(p50_ms=1000),
        floor=_capacity,
    ),
    Operation(
        "capacity-api",
        "API capacity: every visible person × 52 weeks (computed), 100 rows per page",
        "api:capacity",
        query=lambda ctx: {"periods": 52, "start": ctx.monday.isoformat()},
        targets=Targets(p50_ms=1500),
        floor=_capacity,
    ),
    Operation(
        "copil-pack",
        "COPIL pack PDF, 50 projects (issue 4)",
        task="reporting.generate",
        run_task=tasks.copil_pack,
        targets=Targets(max_queries=None, total_s=5),
    ),
    Operation(
        "highlight-batch",
        "Highlight batch, all projects (issue 4)",
        task="reporting.weekly_highlights",  # see also benchmarks/highlight_batch.py (in process)
        run_task=tasks.highlight_batch,
        targets=Targets(max_queries=None, total_s=600),
    ),
]

BY_KEY = {op.key: op for op in OPERATIONS}


def select(spec: str | None) -> list[Operation]:
    """BENCH_OPS: comma-separated keys or key prefixes ("tab-" = every tab); empty = all."""
    if not spec:
        return list(OPERATIONS)
    wanted = [w.strip() for w in spec.split(",") if w.strip()]
    chosen = [op for op in OPERATIONS if any(op.key == w or op.key.startswith(w) for w in wanted)]
    unknown = [w for w in wanted if not any(op.key == w or op.key.startswith(w) for op in OPERATIONS)]
    if unknown:
        raise SystemExit(f"Unknown operation(s) {unknown}; known: {', '.join(BY_KEY)}")
    return chosen
