"""Decision gates: the project's "Decision gates" tab (stage timeline, request form), one gate
review with its decision form, the withdrawal of a request, and the pending reviews of the user's
portfolios (the PMO's and the deciders' list)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from governance import gates, selectors
from governance.forms import GateDecisionForm, GateRequestForm
from governance.models import GateReview
from governance.permissions import can_request_gate, is_gate_decider
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404
from pmo.core.views import render_list
from portfolio.models import Stage
from projects.models import DocumentVersion, Project
from projects.selectors import project_list

TAB = "governance/partials/project_gates.html"


def _gates_project(*, user, pk) -> Project:
    """One visible project with what the tab shows of its methodology and stage joined."""
    return get_visible_or_404(project_list(user=user).select_related("methodology", "current_stage"), pk=pk)


def _stages(project) -> list[Stage]:
    """The stages of the project's methodology with their gate and its required document types."""
    if project.methodology_id is None:
        return []
    return list(
        Stage.objects.filter(methodology_id=project.methodology_id)
        .select_related("gate")
        .prefetch_related("gate__required_document_types")
        .order_by("order")
    )


def _request_form(project, gate, data=None, required=None) -> GateRequestForm:
    versions = (
        DocumentVersion.objects.filter(document__project=project, document__current_version__isnull=False)
        .filter(pk__in=project.documents.values("current_version"))
        .select_related("document__document_type")
        .order_by("document__title")
    )
    if required is None:
        required = gates.required_documents(project, gate)
    initial = [r.document.current_version for r in required if r.uploaded]
    return GateRequestForm(data, gate=gate, versions=versions, initial_versions=initial)


def _timeline(project, reviews, stages) -> list[dict]:
    """Each stage of the methodology with its place (done / current / to come) and its last review."""
    if project.methodology_id is None:
        return []
    last_review = {}
    for review in reversed(reviews):  # oldest first: the newest one wins
        last_review[review.stage_id] = review
    current_order = next((s.order for s in stages if s.pk == project.current_stage_id), 0)
    rows = []
    for stage in stages:
        if project.state == Project.State.CLOSED or stage.order < current_order:
            place = "done"
        elif stage.order == current_order:
            place = "current"
        else:
            place = "next"
        rows.append(
            {
                "stage": stage,
                "gate": getattr(stage, "gate", None),
                "place": place,
                "review": last_review.get(stage.pk),
            }
        )
    return rows


def _tab_context(request, project, form=None) -> dict:
    reviews = selectors.project_gate_reviews(project=project)
    pending = next((r for r in reviews if r.state == GateReview.State.REQUESTED), None)
    # The stages carry the current gate and its required types: no separate read of them.
    stages = _stages(project)
    gate = next((getattr(s, "gate", None) for s in stages if s.pk == project.current_stage_id), None)
    required = gates.required_documents(project, gate) if gate is not None else []
    can_request = (
        can_request_gate(request.user, project)
        and gate is not None
        and pending is None
        and project.state in gates.OPEN_STATES
    )
    return {
        "project": project,
        "timeline": _timeline(project, reviews, stages),
        "reviews": reviews,
        "pending": pending,
        "gate": gate,
        "required": required,
        "can_request": can_request,
        "is_decider": is_gate_decider(request.user, project),
        "request_form": (form or _request_form(project, gate, required=required)) if can_request else None,
    }


@login_required
@require_GET
def project_gates_partial(request, pk):
    project = _gates_project(user=request.user, pk=pk)
    return render(request, TAB, _tab_context(request, project))


@login_required
@require_POST
def gate_request(request, pk):
    """Request the current gate; missing documents or answers re-render the form (422)."""
    project = _gates_project(user=request.user, pk=pk)
    if not can_request_gate(request.user, project):
        gates.record_denied(actor=request.user, action="request", project=project, request=request)
        raise PermissionDenied
    gate = gates.current_gate(project)
    if gate is None:
        context = _tab_context(request, project)
        context["gate_error"] = _("The project follows no methodology stage: there is no gate to request.")
        return render(request, TAB, context, status=422)
    form = _request_form(project, gate, request.POST)
    if form.is_valid():
        try:
            gates.request_gate(
                actor=request.user,
                project=project,
                checklist=form.checklist(),
                document_versions=list(form.cleaned_data["documents"]),
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as error:
            # missing documents and answers lead the form: they are what blocks the request
            for errors in getattr(error, "message_dict", {None: error.messages}).values():
                form.add_error(None, errors)
        else:
            if not request.htmx:
                return redirect(project.get_absolute_url())
            return render(request, TAB, _tab_context(request, project))
    context = {**_tab_context(request, project, form), "request_open": True}
    if not context["can_request"]:  # already pending or closed: say so above the tab
        context["gate_error"] = " ".join(str(e) for e in form.non_field_errors())
    return render(request, TAB, context, status=422)


def _detail_context(request, review, form=None) -> dict:
    decidable = review.state == GateReview.State.REQUESTED and is_gate_decider(request.user, review.project)
    return {
        "review": review,
        "project": review.project,
        "is_decider": decidable,
        "can_withdraw": review.state == GateReview.State.REQUESTED
        and can_request_gate(request.user, review.project),
        "form": (form or GateDecisionForm(initial={"version": review.version})) if decidable else None,
    }


@login_required
@require_GET
def gate_review_detail(request, pk):
    review = selectors.gate_review_get(user=request.user, pk=pk)
    return render(request, "governance/gate_review_detail.html", _detail_context(request, review))


@login_required
@require_POST
def gate_decide(request, pk):
    """The sponsor's or an executive's decision; anyone else's attempt is recorded and refused."""
    review = selectors.gate_review_get(user=request.user, pk=pk)
    form = GateDecisionForm(request.POST)
    if not is_gate_decider(request.user, review.project):
        gates.record_denied(actor=request.user, action="decision", project=review.project, request=request)
        raise PermissionDenied
    if form.is_valid():
        data = form.cleaned_data
        try:
            gates.decide_gate(
                actor=request.user,
                review=review,
                decision=data["decision"],
                rationale=data["rationale"],
                conditions=data["conditions"],
                version=data.get("version") or review.version,
                request=request,
            )
        except StaleVersionError:
            form.add_error(
                None, _("Someone else changed this gate review since you opened it. Reload the page.")
            )
        except ValidationError as error:
            for name, errors in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Decision recorded."))
            url = reverse("governance:gate-review-detail", args=[pk])
            if request.htmx:
                response = HttpResponse()
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    return render(
        request, "governance/gate_review_detail.html", _detail_context(request, review, form), status=422
    )


@login_required
@require_POST
def gate_withdraw(request, pk):
    review = selectors.gate_review_get(user=request.user, pk=pk)
    try:
        gates.withdraw_gate(actor=request.user, review=review, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Gate request withdrawn."))
    return redirect("governance:gate-review-detail", pk=pk)


@login_required
@require_GET
def pending_gate_reviews(request):
    """Every gate review awaiting a decision in the projects the user can see."""
    return render_list(
        request,
        page_template="governance/gate_review_list.html",
        partial_template="governance/partials/gate_review_table.html",
        context={},
        queryset=selectors.pending_gate_reviews_for(user=request.user),
    )
