"""Portfolio and programme pages and fragments: adapters over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pmo.core.forms import save_versioned_form
from pmo.core.history import history_for
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_list
from portfolio import selectors, services
from portfolio.filters import PortfolioFilter, ProgrammeFilter
from portfolio.forms import MembershipForm, PortfolioForm, ProgrammeForm
from portfolio.models import Portfolio, Programme


def _get_portfolio(request, pk) -> Portfolio:
    return get_visible_or_404(selectors.portfolio_list(user=request.user), pk=pk)


def _can_edit_portfolio(user, portfolio: Portfolio) -> bool:
    return Portfolio.objects.editable_by(user).filter(pk=portfolio.pk).exists()


@login_required
def portfolio_list(request):
    portfolio_filter = PortfolioFilter(request.GET, queryset=selectors.portfolio_list(user=request.user))
    return render_list(
        request,
        page_template="portfolio/portfolio_list.html",
        partial_template="portfolio/partials/portfolio_table.html",
        context={
            "filter": portfolio_filter,
            "can_create": selectors.is_pmo_anywhere(user=request.user),
        },
        queryset=portfolio_filter.qs.filter(archived_at__isnull=True),
    )


@login_required
def portfolio_detail(request, pk):
    portfolio = _get_portfolio(request, pk)
    return render(
        request,
        "portfolio/portfolio_detail.html",
        {
            "portfolio": portfolio,
            "can_edit": _can_edit_portfolio(request.user, portfolio),
            "programmes": selectors.programme_list(user=request.user).filter(
                portfolio=portfolio, archived_at__isnull=True
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_create(request):
    require(selectors.is_pmo_anywhere(user=request.user))
    form = PortfolioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        portfolio = services.portfolio_create(actor=request.user, data=form.changed_values())
        messages.success(request, _("Portfolio created."))
        return redirect(portfolio)
    return render(
        request, "portfolio/portfolio_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_edit(request, pk):
    portfolio = _get_portfolio(request, pk)
    require(_can_edit_portfolio(request.user, portfolio))
    form = PortfolioForm(request.POST or None, instance=portfolio)
    saved = request.method == "POST" and save_versioned_form(
        form,
        lambda version, data: services.portfolio_update(
            actor=request.user, portfolio=portfolio, version=version, data=data
        ),
    )
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect(portfolio)
    return render(
        request,
        "portfolio/portfolio_form.html",
        {"form": form, "portfolio": portfolio},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def portfolio_archive(request, pk):
    portfolio = _get_portfolio(request, pk)
    require(_can_edit_portfolio(request.user, portfolio))
    archive = request.POST.get("action") != "restore"
    services.portfolio_set_archived(actor=request.user, portfolio=portfolio, archived=archive)
    messages.success(request, _("Portfolio archived.") if archive else _("Portfolio restored."))
    return redirect(portfolio)


def _members_response(request, portfolio, form=None, status=200):
    can_edit = _can_edit_portfolio(request.user, portfolio)
    return render(
        request,
        "portfolio/partials/members.html",
        {
            "portfolio": portfolio,
            "memberships": selectors.membership_list(portfolio=portfolio),
            "can_edit": can_edit,
            "form": form or (MembershipForm() if can_edit else None),
        },
        status=status,
    )


@login_required
def portfolio_members_partial(request, pk):
    return _members_response(request, _get_portfolio(request, pk))


@login_required
@require_POST
def portfolio_member_add(request, pk):
    portfolio = _get_portfolio(request, pk)
    require(_can_edit_portfolio(request.user, portfolio))
    form = MembershipForm(request.POST)
    if not form.is_valid():
        return _members_response(request, portfolio, form=form, status=422)
    services.membership_set(
        actor=request.user,
        portfolio=portfolio,
        user=form.cleaned_data["user"],
        role=form.cleaned_data["role"],
    )
    return _members_response(request, portfolio)


@login_required
@require_POST
def portfolio_member_remove(request, pk, membership_pk):
    portfolio = _get_portfolio(request, pk)
    membership = get_visible_or_404(selectors.membership_list(portfolio=portfolio), pk=membership_pk)
    require(_can_edit_portfolio(request.user, portfolio))
    if membership.user_id == request.user.pk:
        form = MembershipForm()
        form.add_error(None, _("You cannot remove your own membership."))
        return _members_response(request, portfolio, form=form, status=422)
    services.membership_remove(actor=request.user, membership=membership)
    return _members_response(request, portfolio)


@login_required
def portfolio_history_partial(request, pk):
    portfolio = _get_portfolio(request, pk)
    return render(request, "htmx/history.html", {"entries": history_for(portfolio), "object": portfolio})


# --- Programmes ------------------------------------------------------------------------------


def _get_programme(request, pk) -> Programme:
    return get_visible_or_404(selectors.programme_list(user=request.user), pk=pk)


def _can_edit_programme(user, programme: Programme) -> bool:
    return Programme.objects.editable_by(user).filter(pk=programme.pk).exists()


@login_required
def programme_list(request):
    programme_filter = ProgrammeFilter(request.GET, queryset=selectors.programme_list(user=request.user))
    return render_list(
        request,
        page_template="portfolio/programme_list.html",
        partial_template="portfolio/partials/programme_table.html",
        context={
            "filter": programme_filter,
            "portfolios": selectors.portfolio_list(user=request.user),
            "can_create": selectors.portfolios_creatable_in(user=request.user).exists(),
        },
        queryset=programme_filter.qs,
    )


@login_required
def programme_detail(request, pk):
    programme = _get_programme(request, pk)
    return render(
        request,
        "portfolio/programme_detail.html",
        {"programme": programme, "can_edit": _can_edit_programme(request.user, programme)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request):
    portfolios = selectors.portfolios_creatable_in(user=request.user)
    require(portfolios.exists())
    form = ProgrammeForm(
        request.POST or None,
        portfolios=portfolios,
        initial={"portfolio": request.GET.get("portfolio")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, data=form.changed_values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Programme created."))
            return redirect(programme)
    return render(
        request, "portfolio/programme_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk):
    programme = _get_programme(request, pk)
    require(_can_edit_programme(request.user, programme))
    form = ProgrammeForm(request.POST or None, instance=programme, portfolios=None)
    saved = request.method == "POST" and save_versioned_form(
        form,
        lambda version, data: services.programme_update(
            actor=request.user, programme=programme, version=version, data=data
        ),
    )
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect(programme)
    return render(
        request,
        "portfolio/programme_form.html",
        {"form": form, "programme": programme},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def programme_archive(request, pk):
    programme = _get_programme(request, pk)
    require(_can_edit_programme(request.user, programme))
    archive = request.POST.get("action") != "restore"
    services.programme_set_archived(actor=request.user, programme=programme, archived=archive)
    messages.success(request, _("Programme archived.") if archive else _("Programme restored."))
    return redirect(programme)


@login_required
def programme_history_partial(request, pk):
    programme = _get_programme(request, pk)
    return render(request, "htmx/history.html", {"entries": history_for(programme), "object": programme})


@login_required
def resources_home(request):
    """People of the user's portfolios and their roles; the resource pool issue adds capacity."""
    return render_list(
        request,
        page_template="portfolio/resources.html",
        partial_template="portfolio/partials/people_table.html",
        context={},
        queryset=selectors.people_list(user=request.user),
    )
