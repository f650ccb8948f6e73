"""The project intake pages: the portfolio's “Demandes” pipeline (filters refresh the list in
place), the proposal form, a proposal's page (estimates, score and rank, discussion, history,
workflow buttons) and its workflow actions. Invalid input answers the form again with 422."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import intake, intake_selectors
from governance.filters import ProposalFilter
from governance.intake_forms import ProposalCommentForm, ProposalDecideForm, ProposalForm
from governance.intake_permissions import can_edit_proposal, can_propose, can_review, is_proposal_decider
from governance.models import ProjectProposal
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from portfolio.models import Portfolio

State = ProjectProposal.State
STALE = _("Someone else changed this proposal since you opened it. Reload the page.")


def _portfolio(request, pk) -> Portfolio:
    return get_visible_or_404(Portfolio.objects.visible_to(request.user), pk=pk)


def _redirect(request, url):
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_GET
def proposals_home(request):
    """The main navigation's entry: the pipeline of the user's first portfolio."""
    portfolios = Portfolio.objects.visible_to(request.user).filter(archived_at__isnull=True).order_by("name")
    chosen = request.GET.get("portfolio", "")
    portfolio = (portfolios.filter(pk=chosen).first() if chosen.isdigit() else None) or portfolios.first()
    if portfolio is None:
        return render(request, "governance/intake/no_portfolio.html")
    return redirect("governance:proposal-list", pk=portfolio.pk)


@login_required
@require_GET
def proposal_list(request, pk):
    """The intake pipeline of a portfolio: counts per state, filters, score, rank, cost and effort."""
    portfolio = _portfolio(request, pk)
    base = intake_selectors.proposal_queryset(user=request.user).filter(portfolio=portfolio)
    filterset = ProposalFilter(request.GET or None, queryset=base)
    data = intake_selectors.pipeline(user=request.user, portfolio=portfolio, queryset=filterset.qs)
    context = {
        "portfolio": portfolio,
        "portfolios": Portfolio.objects.visible_to(request.user)
        .filter(archived_at__isnull=True)
        .order_by("name"),
        "filter": filterset,
        "pipeline": data,
        "states": [(value, label, data.counts.get(value, 0)) for value, label in State.choices],
        "can_propose": can_propose(request.user, portfolio.pk),
        "today": timezone.localdate(),
    }
    partial = request.htmx and not request.htmx.boosted
    template = (
        "governance/intake/partials/pipeline.html" if partial else "governance/intake/proposal_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _form_page(request, portfolio, form, proposal=None, status=200):
    context = {"portfolio": portfolio, "form": form, "proposal": proposal}
    return render(request, "governance/intake/proposal_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request, pk):
    portfolio = _portfolio(request, pk)
    require(can_propose(request.user, portfolio.pk))
    form = ProposalForm(request.POST or None, portfolio=portfolio)
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = intake.proposal_create(
                    actor=request.user,
                    portfolio=portfolio,
                    data=form.data_for_service(),
                    submit="submit" in request.POST,
                    request=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if proposal.state == State.SUBMITTED:
                    messages.success(request, _("Proposal submitted: the PMO was notified."))
                else:
                    messages.success(request, _("Draft saved."))
                return _redirect(request, proposal.get_absolute_url())
        return _form_page(request, portfolio, form, status=422)
    return _form_page(request, portfolio, form)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk):
    proposal = intake_selectors.proposal_get(user=request.user, pk=pk)
    require(can_edit_proposal(request.user, proposal) and proposal.state == State.DRAFT)
    portfolio = proposal.portfolio
    form = ProposalForm(request.POST or None, portfolio=portfolio, proposal=proposal)
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = intake.proposal_update(
                    actor=request.user,
                    proposal=proposal,
                    version=form.cleaned_data.get("version") or proposal.version,
                    data=form.data_for_service(),
                    request=request,
                )
                if "submit" in request.POST:
                    proposal = intake.proposal_submit(actor=request.user, proposal=proposal, request=request)
            except StaleVersionError:
                form.add_error(None, STALE)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Proposal saved."))
                return _redirect(request, proposal.get_absolute_url())
        return _form_page(request, portfolio, form, proposal, status=422)
    return _form_page(request, portfolio, form, proposal)


def _detail_context(request, proposal, *, decide_form=None, comment_form=None) -> dict:
    page = intake_selectors.proposal_page(user=request.user, proposal=proposal)
    user = request.user
    return {
        "proposal": proposal,
        "portfolio": proposal.portfolio,
        "page": page,
        "can_edit": can_edit_proposal(user, proposal) and proposal.state == State.DRAFT,
        "can_review": can_review(user, proposal) and proposal.state == State.SUBMITTED,
        "can_decide": is_proposal_decider(user, proposal) and proposal.state == State.UNDER_REVIEW,
        "can_reopen": is_proposal_decider(user, proposal) and proposal.state == State.PARKED,
        "is_requester": proposal.requested_by_id == user.pk,
        "decide_form": decide_form or ProposalDecideForm(initial={"version": proposal.version}),
        "comment_form": comment_form or ProposalCommentForm(),
    }


def _detail(request, proposal, status=200, **kwargs):
    return render(
        request,
        "governance/intake/proposal_detail.html",
        _detail_context(request, proposal, **kwargs),
        status=status,
    )


@login_required
@require_GET
def proposal_detail(request, pk):
    return _detail(request, intake_selectors.proposal_get(user=request.user, pk=pk))


def _workflow(request, pk, action, success: str):
    proposal = intake_selectors.proposal_get(user=request.user, pk=pk)
    version = request.POST.get("version") or None
    try:
        action(
            actor=request.user, proposal=proposal, version=int(version) if version else None, request=request
        )
    except StaleVersionError:
        messages.error(request, STALE)
        return _detail(request, proposal, status=412)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, proposal, status=422)
    messages.success(request, success)
    return _redirect(request, proposal.get_absolute_url())


@login_required
@require_POST
def proposal_submit(request, pk):
    return _workflow(request, pk, intake.proposal_submit, _("Proposal submitted: the PMO was notified."))


@login_required
@require_POST
def proposal_review(request, pk):
    return _workflow(request, pk, intake.proposal_start_review, _("Review started."))


@login_required
@require_POST
def proposal_reopen(request, pk):
    return _workflow(request, pk, intake.proposal_reopen, _("Proposal re-opened for review."))


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = intake_selectors.proposal_get(user=request.user, pk=pk)
    intake.check_decider(actor=request.user, proposal=proposal, request=request)
    form = ProposalDecideForm(request.POST)
    if form.is_valid():
        try:
            intake.proposal_decide(
                actor=request.user,
                proposal=proposal,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                revisit_on=form.cleaned_data.get("revisit_on"),
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except StaleVersionError:
            form.add_error(None, STALE)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Decision recorded in the decision log."))
            return _redirect(request, proposal.get_absolute_url())
    return _detail(request, proposal, status=422, decide_form=form)


@login_required
@require_POST
def proposal_comment(request, pk):
    """Add a comment; under HTMX the thread comes back alone."""
    proposal = intake_selectors.proposal_get(user=request.user, pk=pk)
    form = ProposalCommentForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            intake.proposal_comment(actor=request.user, proposal=proposal, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error.messages)
            status = 422
        else:
            form = ProposalCommentForm()
    else:
        status = 422
    if request.htmx:
        context = _detail_context(request, proposal, comment_form=form)
        return render(request, "governance/intake/partials/comments.html", context, status=status)
    if status == 200:
        return redirect(proposal.get_absolute_url() + "#proposal-comments")
    return _detail(request, proposal, status=status, comment_form=form)
