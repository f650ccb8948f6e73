"""The portfolio dashboard: KPI tiles, the QCDR matrix and the portfolio charts of one portfolio
(or one of its programmes), filtered by programme, state, stage and project manager; by default the
running portfolio (active and on-hold projects), with the intake pipeline (open proposals) apart.

One URL: the whole page on first load; an HTMX request refreshes the dashboard's body (filters) or
only the matrix (sorting, paging) when it targets it. Every part comes from one
`build_dashboard` call over the reader's visible projects of the scope.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from governance.intake_selectors import pipeline_summary
from pmo.core.roles import PORTFOLIO_WIDE_READ_ROLES, Role
from pmo.core.templatetags.pmo_tags import EncodedFigure
from portfolio.models import Portfolio, Programme, portfolio_roles
from projects.models import Project
from reporting import charts
from reporting.dashboard import (
    DELIVERY_STATES,
    WORST_FIRST,
    ProjectRow,
    build_dashboard,
    proposed_projects,
    sort_key,
)
from reporting.dashboard import cache as dashboard_cache
from reporting.filters import DashboardFilter, filter_options

MATRIX_PAGE_SIZE = 50
MATRIX_TARGET = "dashboard-matrix"
MATRIX_TEMPLATE = "reporting/partials/dashboard_matrix.html"


def _rag_order(rag: str) -> int:
    return WORST_FIRST.get(rag, 2)


# Sortable columns of the matrix: key → row sort key (ascending; "-key" reverses).
SORTS = {
    "code": lambda r: r.code,
    "name": lambda r: r.name.lower(),
    "programme": lambda r: (r.programme_name.lower(), r.code),
    "manager": lambda r: (r.manager_name.lower(), r.code),
    "stage": lambda r: (r.stage.lower(), r.code),
    "overall": sort_key,
    "declared": lambda r: (_rag_order(r.declared["overall"]), r.code),
    "quality": lambda r: (_rag_order(r.indicated["quality"]), r.code),
    "cost": lambda r: (_rag_order(r.indicated["cost"]), r.code),
    "schedule": lambda r: (_rag_order(r.indicated["schedule"]), r.code),
    "risk": lambda r: (_rag_order(r.indicated["risk"]), r.code),
    "trend": lambda r: ({"worse": 0, "same": 1, "better": 2}.get(r.trend, 3), r.code),
    # oldest update first; never updated before everything
    "updated": lambda r: (r.last_submitted is not None, r.last_submitted or r.code, r.code),
    "budget": lambda r: (-r.budget, r.code),
    "exceptions": lambda r: (-r.open_exceptions, r.code),
}


def sorted_rows(rows: tuple[ProjectRow, ...], ordering: str) -> list[ProjectRow]:
    """The matrix rows in the requested order; unknown keys keep the default (worst first)."""
    key = ordering.removeprefix("-")
    if key not in SORTS:
        return list(rows)
    return sorted(rows, key=SORTS[key], reverse=ordering.startswith("-"))


ALL_PORTFOLIOS = "all"


@dataclass(frozen=True)
class Scope:
    """What the dashboard shows: one portfolio (or one of its programmes), or, with
    `?portfolio=all`, every live portfolio the reader sees, consolidated (a PMO head's or an
    executive's view of the whole book)."""

    portfolio: Portfolio | None
    programme: Programme | None
    portfolios: list[Portfolio]
    consolidated: bool = False

    @property
    def shown(self) -> bool:
        return self.portfolio is not None or self.consolidated

    @property
    def live_portfolios(self) -> list[Portfolio]:
        return [p for p in self.portfolios if p.archived_at is None]

    @property
    def currencies(self) -> set[str]:
        return {p.currency for p in self.live_portfolios}

    @property
    def currency(self) -> str:
        """The currency of the amounts shown (a consolidated scope is shown only in one currency)."""
        if self.portfolio is not None:
            return self.portfolio.currency
        return min(self.currencies, default="EUR")

    @property
    def portfolio_param(self) -> str:
        """The `portfolio` query value that shows this scope again."""
        return ALL_PORTFOLIOS if self.consolidated else str(self.portfolio.pk) if self.portfolio else ""

    @property
    def query(self) -> str:
        """The query string of this scope, without the filters (links and resets)."""
        query = QueryDict(mutable=True)
        query["portfolio"] = self.portfolio_param
        if self.programme is not None:
            query["programme"] = self.programme.pk
        return query.urlencode()


def _scope(request) -> Scope:
    """The portfolio shown: `?programme=` (its portfolio), else `?portfolio=` (a portfolio's id, or
    `all` for every live portfolio the reader sees), else the reader's first visible portfolio. A
    portfolio or programme the reader cannot see is a 404."""
    user = request.user
    portfolios = list(
        Portfolio.objects.visible_to(user).order_by(F("archived_at").asc(nulls_first=True), "name")
    )
    roles = portfolio_roles(user)  # read once per request
    for portfolio in portfolios:
        portfolio.is_pmo = roles.get(portfolio.pk) == Role.PMO
        portfolio.reads_all = roles.get(portfolio.pk) in PORTFOLIO_WIDE_READ_ROLES
    by_id = {str(p.pk): p for p in portfolios}
    programme = None
    wanted = request.GET.get("programme") or ""
    if wanted:
        if not wanted.isdigit():
            raise Http404
        programme = Programme.objects.visible_to(user).filter(pk=wanted).first()
        if programme is None:
            raise Http404
        portfolio = by_id.get(str(programme.portfolio_id))
    elif request.GET.get("portfolio") == ALL_PORTFOLIOS:
        scope = Scope(portfolio=None, programme=None, portfolios=portfolios, consolidated=True)
        if not scope.live_portfolios:
            raise Http404
        return scope
    elif request.GET.get("portfolio"):
        portfolio = by_id.get(request.GET["portfolio"])
    else:
        portfolio = portfolios[0] if portfolios else None
    if (wanted or request.GET.get("portfolio")) and portfolio is None:
        raise Http404
    return Scope(portfolio=portfolio, programme=programme, portfolios=portfolios)


def _visible_projects(request, scope: Scope):
    """The reader's visible projects of the scope (archived projects are left out by the build)."""
    visible = Project.objects.visible_to(request.user)
    if scope.consolidated:
        return visible.filter(portfolio__in=[p.pk for p in scope.live_portfolios])
    visible = visible.filter(portfolio=scope.portfolio)
    if scope.programme is not None:
        visible = visible.filter(programme=scope.programme)
    return visible


@login_required
def dashboard(request):
    """The portfolio dashboard (every reader of a portfolio; each sees the projects visible to them)."""
    scope = _scope(request)
    today = timezone.localdate()
    context = {"scope": scope, "portfolio": scope.portfolio, "today": today}
    template = "reporting/dashboard.html"
    is_refresh = request.htmx and not request.htmx.boosted
    if scope.consolidated and len(scope.currencies) > 1:
        # amounts in different currencies are not added up: one portfolio at a time
        context["mixed_currencies"] = sorted(scope.currencies)
    elif scope.shown:
        visible = _visible_projects(request, scope)
        options = filter_options(projects=visible)
        if scope.programme is not None:
            options = options.with_programme(scope.programme)
        data_filter = DashboardFilter(request.GET, queryset=visible, options=options)
        data, figures = _built(request, data_filter, today)
        ordering = request.GET.get("ordering", "")
        paginator = Paginator(sorted_rows(data.rows, ordering), MATRIX_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        if is_refresh:
            template = (
                MATRIX_TEMPLATE
                if request.htmx.target == MATRIX_TARGET
                else "reporting/partials/dashboard_body.html"
            )
        if template != MATRIX_TEMPLATE:
            # the intake pipeline, apart from delivery: the open proposals the reader may see in the
            # scope, and the proposed projects the default figures leave out (2 queries)
            context.update(
                pipeline=pipeline_summary(
                    user=request.user,
                    portfolios=scope.live_portfolios if scope.consolidated else [scope.portfolio],
                    programme=scope.programme,
                ),
                proposed=proposed_projects(visible),
            )
        context.update(
            filter=data_filter,
            data=data,
            kpis=data.kpis,
            page_obj=page,
            ordering=ordering,
            # a matrix refresh (sort, page) draws no chart
            figures=figures if template != MATRIX_TEMPLATE else {},
            # chasing and the COPIL pack are per portfolio: not from the consolidated view
            can_chase=not scope.consolidated and (request.user.is_superuser or scope.portfolio.is_pmo),
            # the COPIL pack: whoever reads the whole portfolio (reporting.services.can_request)
            can_request_pack=not scope.consolidated
            and (request.user.is_superuser or scope.portfolio.reads_all),
            export_query=_export_query(scope, data_filter),
            # the consolidated matrix names each row's portfolio
            portfolio_names={p.pk: p.name for p in scope.live_portfolios} if scope.consolidated else {},
        )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Query parameters that do not change what is built (the matrix's order and page).
VIEW_ONLY_PARAMETERS = ("ordering", "page")


def _built(request, data_filter: DashboardFilter, today) -> tuple:
    """(dashboard data, chart figures) of the filtered scope, built once per committed state of the
    database for this reader, language and day (reporting.dashboard.cache): sorting and paging the
    matrix do not rebuild 2,000 projects. `Cache-Control: no-cache` (a hard refresh) rebuilds."""
    key = (
        "dashboard",
        request.user.pk,
        get_language(),
        today,
        tuple(sorted((k, tuple(v)) for k, v in request.GET.lists() if k not in VIEW_ONLY_PARAMETERS)),
    )

    def build():
        data = build_dashboard(projects=data_filter.qs, as_of=today)
        # each figure's JSON block is encoded once for every request that shows this build
        return data, {name: EncodedFigure(figure) for name, figure in charts.dashboard_figures(data).items()}

    refresh = "no-cache" in request.headers.get("Cache-Control", "")
    built, _was_kept = dashboard_cache.kept(key, build, refresh=refresh)
    return built


def _export_query(scope: Scope, data_filter: DashboardFilter) -> str:
    """The query string of the matrix export (the project list's filters) for what the dashboard shows."""
    query = QueryDict(mutable=True)
    if not scope.consolidated:
        query["portfolio"] = scope.portfolio.pk
    cleaned = data_filter.form.cleaned_data if data_filter.is_bound and data_filter.is_valid() else {}
    if cleaned.get("programme"):
        query["programme"] = cleaned["programme"]
    if cleaned.get("manager"):
        query["manager"] = cleaned["manager"]
    state = cleaned.get("state")
    if not state:
        query.setlist("state", list(DELIVERY_STATES))
    elif state != "all":
        query["state"] = state
    return query.urlencode()
