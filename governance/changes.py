"""Writes of change control and of the board's decision on an exception.

Change requests: draft → submitted → assessed → approved / rejected / deferred (a deferred one may
be submitted again). An approved change re-baselines the project with the plan proposed on it.
The board's decision on an exception (exception plan requested, tolerances changed, project
stopped) is logged as a Decision and closes the exception. Every decision is refused, and the
attempt recorded, when the actor is not a decider (see control_permissions)."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from governance.control_permissions import (
    CLOSED_STATES,
    can_assess_change,
    can_decide_change,
    can_decide_exception,
    can_request_change,
    refuse,
)
from governance.models import Action, ChangeRequest, Decision, ProjectException
from pmo.core.audit import audit_context
from pmo.core.locking import StaleVersionError, versioned_update
from pmo.core.models import Notification
from pmo.core.notifications import notify
from pmo.core.roles import Role
from portfolio.models import Membership
from projects.models import Project
from projects.models.registers import CostCategory
from projects.services.baselines import CostDelta, project_rebaseline
from projects.thresholds import TOLERANCE_FIELDS as THRESHOLD_FIELDS

State = ChangeRequest.State
Outcome = Decision.Outcome
CR_OUTCOMES = (Outcome.APPROVED, Outcome.REJECTED, Outcome.DEFERRED)
EXCEPTION_OUTCOMES = (Outcome.EXCEPTION_PLAN, Outcome.TOLERANCES_CHANGED, Outcome.PROJECT_STOPPED)
TOLERANCE_FIELDS = THRESHOLD_FIELDS
PERCENT_FIELDS = (
    "cost_tolerance_pct",
    "scope_tolerance_pct",
    "quality_tolerance_pct",
    "benefit_tolerance_pct",
)
EXCEPTION_PLAN_DAYS = 14
EDITABLE_FIELDS = (
    "title",
    "description",
    "reason",
    "cost_impact",
    "schedule_impact_days",
    "scope_impact",
    "quality_impact",
    "risk_impact",
    "benefits_impact",
    "proposed_milestones",
    "proposed_costs",
)


def _executives(portfolio_id: int) -> list:
    return [
        m.user
        for m in Membership.objects.filter(
            portfolio_id=portfolio_id, role__in=[Role.EXECUTIVE, Role.PMO]
        ).select_related("user")
    ]


# --- The proposed plan on a change request -----------------------------------------------------------


def _parse_date(value, *, field: str, n: int) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationError(
            {field: _("Line %(n)s: “%(v)s” is not a date.") % {"n": n, "v": value}}
        ) from None


def clean_proposed_milestones(value: Any, *, project: Project) -> list[dict]:
    """[{milestone: id, baseline_date: ISO date}], each a milestone of the project, once."""
    if not isinstance(value, list):
        raise ValidationError({"proposed_milestones": _("The proposed milestones must be a list.")})
    cleaned, seen = [], set()
    for n, row in enumerate(value, start=1):
        if not isinstance(row, dict) or row.get("milestone") in (None, ""):
            raise ValidationError({"proposed_milestones": _("Line %(n)s names no milestone.") % {"n": n}})
        try:
            pk = int(row["milestone"])
        except (TypeError, ValueError):
            raise ValidationError(
                {"proposed_milestones": _("Line %(n)s names no milestone.") % {"n": n}}
            ) from None
        if pk in seen:
            raise ValidationError({"proposed_milestones": _("A milestone is listed twice.")})
        seen.add(pk)
        new_date = _parse_date(row.get("baseline_date"), field="proposed_milestones", n=n)
        cleaned.append({"milestone": pk, "baseline_date": new_date.isoformat()})
    known = set(project.milestones.filter(pk__in=seen).values_list("pk", flat=True))
    if seen - known:
        raise ValidationError(
            {"proposed_milestones": _("A proposed milestone is not a milestone of this project.")}
        )
    return cleaned


def clean_proposed_costs(value: Any) -> list[dict]:
    """[{month: ISO first day, category: capex|opex, amount: signed decimal}]."""
    if not isinstance(value, list):
        raise ValidationError({"proposed_costs": _("The proposed cost changes must be a list.")})
    cleaned = []
    for n, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            raise ValidationError({"proposed_costs": _("Line %(n)s is not an object.") % {"n": n}})
        month = _parse_date(row.get("month"), field="proposed_costs", n=n)
        if month.day != 1:
            raise ValidationError({"proposed_costs": _("Line %(n)s: a month starts on the 1st.") % {"n": n}})
        if row.get("category") not in CostCategory.values:
            raise ValidationError(
                {"proposed_costs": _("Line %(n)s: the category is CAPEX or OPEX.") % {"n": n}}
            )
        try:
            amount = Decimal(str(row.get("amount"))).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError):
            raise ValidationError(
                {"proposed_costs": _("Line %(n)s: the amount is not a number.") % {"n": n}}
            ) from None
        cleaned.append({"month": month.isoformat(), "category": row["category"], "amount": str(amount)})
    return cleaned


def _clean(candidate: ChangeRequest) -> None:
    errors: dict[str, list] = {}
    try:
        candidate.full_clean(exclude=["project", "version", "number", "baseline"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    for name, cleaner in (
        ("proposed_milestones", lambda v: clean_proposed_milestones(v, project=candidate.project)),
        ("proposed_costs", clean_proposed_costs),
    ):
        try:
            setattr(candidate, name, cleaner(getattr(candidate, name)))
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.message_dict[name])
    if not errors and candidate.proposed_costs:
        total = sum((Decimal(row["amount"]) for row in candidate.proposed_costs), Decimal("0"))
        if total != Decimal(candidate.cost_impact):
            errors["proposed_costs"] = [
                _("The cost plan changes add up to %(total)s, not to the cost impact (%(impact)s).")
                % {"total": total, "impact": candidate.cost_impact}
            ]
    if errors:
        raise ValidationError(errors)


def _check_project_open(project: Project) -> None:
    if project.state in CLOSED_STATES or project.archived_at is not None:
        raise ValidationError(
            {
                "project": _("The project is %(state)s: no change request can be made on it.")
                % {"state": project.get_state_display().lower()}
            }
        )


# --- Change requests -----------------------------------------------------------------------------------


@transaction.atomic
def change_request_create(*, actor, project: Project, data: dict[str, Any]) -> ChangeRequest:
    """A draft change request by the project's editors; never on a closed or cancelled project."""
    if not can_request_change(actor, project):
        raise PermissionDenied
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_project_open(project)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    number = (project.change_requests.aggregate(models.Max("number"))["number__max"] or 0) + 1
    candidate = ChangeRequest(project=project, number=number, requested_by=actor, **data)
    _clean(candidate)
    with audit_context(actor=actor, reason="change request created"):
        candidate.save()
    return candidate


@transaction.atomic
def change_request_update(
    *, actor, change_request: ChangeRequest, version: int, data: dict[str, Any]
) -> ChangeRequest:
    """Edit a draft or a submitted (not yet assessed) request; the project's editors only."""
    if not can_request_change(actor, change_request.project):
        raise PermissionDenied
    if change_request.state not in (State.DRAFT, State.SUBMITTED, State.DEFERRED):
        raise ValidationError(_("This change request was assessed or decided: it can no longer change."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    candidate = ChangeRequest.objects.get(pk=change_request.pk)
    candidate.project = change_request.project
    for name, value in data.items():
        setattr(candidate, name, value)
    _clean(candidate)
    fields = {name: getattr(candidate, name) for name in data}
    with audit_context(actor=actor, reason="change request edited"):
        return versioned_update(instance=change_request, expected_version=version, fields=fields)


@transaction.atomic
def change_request_submit(
    *, actor, change_request: ChangeRequest, version: int | None = None
) -> ChangeRequest:
    """Draft (or deferred) → submitted; the deciders and the PMO are notified."""
    if not can_request_change(actor, change_request.project):
        raise PermissionDenied
    _check_project_open(change_request.project)
    if change_request.state not in (State.DRAFT, State.DEFERRED):
        raise ValidationError(_("Only a draft or deferred change request can be submitted."))
    with audit_context(actor=actor, reason="change request submitted"):
        submitted = versioned_update(
            instance=change_request,
            expected_version=change_request.version if version is None else version,
            fields={"state": State.SUBMITTED, "submitted_at": timezone.now()},
        )
        project = change_request.project
        with override(settings.LANGUAGE_CODE):
            notify(
                recipients=[project.sponsor, *_executives(project.portfolio_id)],
                kind=Notification.Kind.DECISION,
                title=_("Change request to decide on %(project)s: %(title)s")
                % {"project": project.name, "title": submitted.title},
                body=submitted.description[:500],
                key=f"change-request-{submitted.pk}-submitted-{submitted.version}",
                url=reverse("governance:change-detail", args=[submitted.pk]),
            )
    return submitted


@transaction.atomic
def change_request_assess(
    *, actor, change_request: ChangeRequest, assessment: str, version: int | None = None
) -> ChangeRequest:
    """Submitted → assessed: the PMO checks the impact analysis, with its note."""
    if not can_assess_change(actor, change_request):
        raise PermissionDenied
    if change_request.state != State.SUBMITTED:
        raise ValidationError(_("Only a submitted change request can be assessed."))
    if not assessment.strip():
        raise ValidationError({"assessment": _("Write the assessment of the impacts.")})
    with audit_context(actor=actor, reason="change request assessed"):
        return versioned_update(
            instance=change_request,
            expected_version=change_request.version if version is None else version,
            fields={
                "state": State.ASSESSED,
                "assessment": assessment.strip(),
                "assessed_by": actor,
                "assessed_at": timezone.now(),
            },
        )


def change_request_decide(
    *,
    actor,
    change_request: ChangeRequest,
    outcome: str,
    rationale: str,
    version: int | None = None,
    meeting=None,
    agenda_item=None,
    request=None,
) -> Decision:
    """The sponsor's or the board's decision on an assessed change request, logged as a Decision.
    Approved: the project is re-baselined with the proposed plan (baseline N+1). A non-decider is
    refused (PermissionDenied) and the attempt recorded; nothing else is written."""
    if not can_decide_change(actor, change_request):
        refuse(actor=actor, what=f"decide change request {change_request.pk}", request=request)
    return _decide_change(
        actor=actor,
        change_request=change_request,
        outcome=outcome,
        rationale=rationale,
        version=version,
        meeting=meeting,
        agenda_item=agenda_item,
    )


@transaction.atomic
def _decide_change(*, actor, change_request, outcome, rationale, version, meeting, agenda_item) -> Decision:
    change_request = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("project__portfolio", "project__manager", "project__deputy", "requested_by")
        .get(pk=change_request.pk)
    )
    if version is not None and version != change_request.version:
        raise StaleVersionError
    errors: dict[str, list[str]] = {}
    if outcome not in CR_OUTCOMES:
        errors["outcome"] = [_("Choose approved, rejected or deferred.")]
    if not (rationale or "").strip():
        errors["rationale"] = [_("Give the rationale of the decision.")]
    if change_request.state != State.ASSESSED:
        errors.setdefault("__all__", []).append(_("Only an assessed change request can be decided."))
    project = change_request.project
    if project.state in CLOSED_STATES:
        errors.setdefault("__all__", []).append(
            _("The project is closed: the change can no longer be decided.")
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    fields: dict[str, Any] = {
        "state": outcome,
        "decided_by": actor,
        "decided_at": now,
        "decision_rationale": rationale.strip(),
    }
    with audit_context(actor=actor, reason=f"change request {outcome}"):
        if outcome == Outcome.APPROVED:
            fields["baseline"] = project_rebaseline(
                actor=actor,
                project=project,
                reason=_("Change request DC-%(n)s approved: %(title)s")
                % {"n": change_request.number, "title": change_request.title},
                milestone_dates={
                    row["milestone"]: date.fromisoformat(row["baseline_date"])
                    for row in change_request.proposed_milestones
                },
                cost_deltas=[
                    CostDelta(
                        month=date.fromisoformat(r["month"]),
                        category=r["category"],
                        amount=Decimal(r["amount"]),
                    )
                    for r in change_request.proposed_costs
                ],
                budget_delta=Decimal(change_request.cost_impact),
            )
        decided = versioned_update(
            instance=change_request, expected_version=change_request.version, fields=fields
        )
        decision = Decision.objects.create(
            title=_("DC-%(n)s %(title)s") % {"n": decided.number, "title": decided.title},
            outcome=outcome,
            rationale=rationale.strip(),
            project=project,
            meeting=meeting,
            agenda_item=agenda_item,
            change_request=decided,
            details={"baseline": decided.baseline.number} if decided.baseline_id else {},
            decided_by=actor,
            decided_at=now,
        )
        with override(settings.LANGUAGE_CODE):
            notify(
                recipients=[project.manager, project.deputy, decided.requested_by],
                kind=Notification.Kind.DECISION,
                title=_("Change request %(outcome)s on %(project)s: %(title)s")
                % {
                    "outcome": decision.get_outcome_display().lower(),
                    "project": project.name,
                    "title": decided.title,
                },
                body=decision.rationale,
                key=f"change-request-{decided.pk}-decided-{decided.version}",
                url=reverse("governance:change-detail", args=[decided.pk]),
            )
    return decision


# --- The board's decision on an exception ---------------------------------------------------------------


def clean_tolerances(values: dict[str, Any] | None) -> dict[str, Any]:
    """The new tolerances of a "tolerances changed" decision: at least one, each in its range."""
    values = {k: v for k, v in (values or {}).items() if v not in (None, "")}
    unknown = set(values) - set(TOLERANCE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown tolerance.") for name in sorted(unknown)})
    if not values:
        raise ValidationError({"tolerances": _("Give at least one new tolerance.")})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            number = Decimal(str(value)) if name in PERCENT_FIELDS else int(value)
        except (InvalidOperation, TypeError, ValueError):
            errors[name] = [_("Enter a number.")]
            continue
        limit = 500 if name in PERCENT_FIELDS else 25 if "risk" in name else 250
        if number < 0 or number > limit:
            errors[name] = [_("Enter a value between 0 and %(limit)s.") % {"limit": limit}]
            continue
        cleaned[name] = str(number) if isinstance(number, Decimal) else number
    red, amber = cleaned.get("risk_red_score"), cleaned.get("risk_amber_score")
    if red is not None and amber is not None and amber >= red:
        errors["risk_amber_score"] = [_("The amber score must be below the red score.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def exception_decide(
    *,
    actor,
    exception: ProjectException,
    outcome: str,
    rationale: str,
    tolerances: dict[str, Any] | None = None,
    version: int | None = None,
    meeting=None,
    agenda_item=None,
    request=None,
) -> Decision:
    """The board's decision on an exception, logged with who, when and why, closing the exception.
    Tolerances changed: the new values are set on the project. Project stopped: the project is
    cancelled. Exception plan requested: an action "exception plan" goes to the project manager.
    A non-decider is refused and the attempt recorded."""
    if not can_decide_exception(actor, exception):
        refuse(actor=actor, what=f"decide exception {exception.pk}", request=request)
    return _decide_exception(
        actor=actor,
        exception=exception,
        outcome=outcome,
        rationale=rationale,
        tolerances=tolerances,
        version=version,
        meeting=meeting,
        agenda_item=agenda_item,
    )


@transaction.atomic
def _decide_exception(
    *, actor, exception, outcome, rationale, tolerances, version, meeting, agenda_item
) -> Decision:
    exception = ProjectException.objects.select_for_update().get(pk=exception.pk)
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("manager", "deputy", "sponsor")
        .get(pk=exception.project_id)
    )
    if version is not None and version != exception.version:
        raise StaleVersionError
    errors: dict[str, list[str]] = {}
    if outcome not in EXCEPTION_OUTCOMES:
        errors["outcome"] = [_("Choose exception plan requested, tolerances changed or project stopped.")]
    if not (rationale or "").strip():
        errors["rationale"] = [_("Give the rationale of the decision.")]
    if exception.state == ProjectException.State.CLOSED:
        errors.setdefault("__all__", []).append(_("This exception is already closed."))
    new_tolerances: dict[str, Any] = {}
    if outcome == Outcome.TOLERANCES_CHANGED:
        try:
            new_tolerances = clean_tolerances(tolerances)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with (
        override(settings.LANGUAGE_CODE),
        audit_context(actor=actor, reason=f"exception decision: {outcome}"),
    ):
        label = Decision.Outcome(outcome).label
        decision = Decision.objects.create(
            title=_("Exception %(tolerance)s on %(project)s: %(outcome)s")
            % {
                "tolerance": exception.get_tolerance_display().lower(),
                "project": project.code,
                "outcome": str(label).lower(),
            },
            outcome=outcome,
            rationale=rationale.strip(),
            project=project,
            meeting=meeting,
            agenda_item=agenda_item,
            exception=exception,
            details={
                "tolerances": {
                    "before": {f: _str(getattr(project, f)) for f in new_tolerances},
                    "after": new_tolerances,
                }
            }
            if new_tolerances
            else {},
            decided_by=actor,
            decided_at=now,
        )
        versioned_update(
            instance=exception,
            expected_version=exception.version,
            fields={
                "state": ProjectException.State.CLOSED,
                "closed_at": now,
                "closing_note": f"{label} — {rationale.strip()}",
            },
        )
        if new_tolerances:
            versioned_update(instance=project, expected_version=project.version, fields=new_tolerances)
        elif outcome == Outcome.PROJECT_STOPPED:
            versioned_update(
                instance=project, expected_version=project.version, fields={"state": Project.State.CANCELLED}
            )
        elif outcome == Outcome.EXCEPTION_PLAN and project.manager_id:
            Action.objects.create(
                title=_("Exception plan for %(project)s") % {"project": project.name},
                description=rationale.strip(),
                owner=project.manager,
                due_date=timezone.localdate() + timedelta(days=EXCEPTION_PLAN_DAYS),
                project=project,
                meeting=meeting,
                decision=decision,
                created_by=actor,
            )
        notify(
            recipients=[project.manager, project.deputy, project.sponsor],
            kind=Notification.Kind.DECISION,
            title=_("Decision on the exception of %(project)s: %(outcome)s")
            % {"project": project.name, "outcome": str(label).lower()},
            body=decision.rationale,
            key=f"exception-{exception.pk}-decided",
            url=reverse("governance:exception-detail", args=[exception.pk]),
        )
    return decision


def _str(value) -> Any:
    return str(value) if isinstance(value, Decimal) else value
