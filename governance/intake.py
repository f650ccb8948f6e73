"""Writes of the project intake: draft → submitted → under review → approved / rejected / parked
(a parked proposal may be re-opened for review).

- Every input is validated before anything is written; an error names its field.
- Submission turns the proposal into a `Project` in state PROPOSED, with the estimates as PLANNED
  cost lines (spread evenly over the months of the desired period, CAPEX and OPEX; per year when
  the requester split them) and REQUESTED role-only allocations (the effort of each role spread
  over the period as hours per week), all in one transaction.
- The decision is logged in the governance Decision log (approved / rejected / deferred); approval
  is the first gate (“gate 0”): the project becomes ACTIVE at its methodology's first stage with
  its sponsor and manager; rejection cancels the project; parking keeps it PROPOSED until its
  “revisit on” date.
- A refused workflow action is recorded as a security event, then refused (PermissionDenied).
- Every transition is recorded (ProposalTransition) and audited (pghistory, with the actor)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from governance.control_permissions import refuse
from governance.intake_permissions import (
    can_edit_proposal,
    can_propose,
    can_review,
    is_proposal_decider,
    proposal_reviewers,
)
from governance.models import Decision, ProjectProposal, ProposalComment, ProposalTransition
from pmo.core.audit import audit_context
from pmo.core.locking import StaleVersionError, versioned_update
from pmo.core.models import Notification
from pmo.core.notifications import notify
from portfolio.models import Membership, Programme, Resource, StrategicObjective
from portfolio.models import ResourceRole as Role
from projects.capacity import STANDARD_DAILY_HOURS, working_days
from projects.models import Allocation, CostLine, Project, ProjectObjective
from projects.models.registers import CostCategory
from projects.services.project import project_create

State = ProjectProposal.State
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
FIELDS = (
    "title",
    "problem",
    "expected_benefits",
    "objectives",
    "requested_sponsor",
    "proposed_manager",
    "programme",
    "desired_start",
    "desired_end",
    "capex",
    "opex",
    "yearly_costs",
    "efforts",
    "mandatory",
    "urgency",
)
DECISIONS = {
    State.APPROVED: Decision.Outcome.APPROVED,
    State.REJECTED: Decision.Outcome.REJECTED,
    State.PARKED: Decision.Outcome.DEFERRED,
}


# --- Validation -------------------------------------------------------------------------------------


def _date(value, errors, field) -> date | None:
    if value in (None, ""):
        errors[field] = _("This field is required.")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Enter a valid date.")
        return None


def _amount(value, errors, field) -> Decimal | None:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = _("Enter a number.")
        return None
    if not amount.is_finite():
        errors[field] = _("Enter a number.")
        return None
    if amount < 0:
        errors[field] = _("An amount cannot be negative.")
        return None
    if amount >= Decimal("1e12"):
        errors[field] = _("This amount is too large.")
        return None
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _pk(value):
    return getattr(value, "pk", value)


def _member(value, portfolio_id: int, errors, field):
    """A user of the portfolio, or None."""
    if value in (None, ""):
        return None
    user = (
        get_user_model().objects.filter(pk=_pk(value), is_active=True).first()
        if str(_pk(value)).isdigit()
        else None
    )
    if user is None or not Membership.objects.filter(portfolio_id=portfolio_id, user=user).exists():
        errors[field] = _("Choose a member of this portfolio.")
        return None
    return user


def _objectives(value, portfolio_id: int, errors) -> list[dict]:
    rows = value or []
    if not isinstance(rows, list):
        errors["objectives"] = _("Give a list of objectives.")
        return []
    known = {
        o.pk: o
        for o in StrategicObjective.objects.filter(portfolio_id=portfolio_id, active=True).order_by("code")
    }
    cleaned, seen = [], set()
    for row in rows:
        row = row if isinstance(row, dict) else {}
        objective = _pk(row.get("objective"))
        try:
            objective = int(objective)
            contribution = int(row.get("contribution", 2))
        except (TypeError, ValueError):
            errors["objectives"] = _("Each objective needs an objective and a contribution from 1 to 3.")
            return []
        if objective not in known:
            errors["objectives"] = _("This objective is not an active objective of the portfolio.")
            return []
        if contribution not in (1, 2, 3):
            errors["objectives"] = _("A contribution is between 1 and 3.")
            return []
        if objective in seen:
            errors["objectives"] = _("An objective is listed twice.")
            return []
        seen.add(objective)
        cleaned.append({"objective": objective, "contribution": contribution})
    return cleaned


def pool_roles(portfolio_id: int):
    """The roles held by the active resources of the portfolio's pool."""
    return Role.objects.filter(
        pk__in=Resource.objects.filter(portfolio_id=portfolio_id, archived_at__isnull=True).values("role_id")
    ).order_by("name")


def _efforts(value, portfolio_id: int, errors) -> list[dict]:
    rows = value or []
    if not isinstance(rows, list):
        errors["efforts"] = _("Give a list of roles with their effort in days.")
        return []
    roles = {r.pk: r for r in pool_roles(portfolio_id)}
    cleaned, seen = [], set()
    for row in rows:
        row = row if isinstance(row, dict) else {}
        try:
            role = int(_pk(row.get("role")))
            days = Decimal(str(row.get("days")))
        except (InvalidOperation, TypeError, ValueError):
            errors["efforts"] = _("Each effort needs a role and a number of days.")
            return []
        if role not in roles:
            errors["efforts"] = _("This role is not in the portfolio's resource pool.")
            return []
        if not days.is_finite() or days <= 0 or days > 100000:
            errors["efforts"] = _("An effort is a positive number of days.")
            return []
        if role in seen:
            errors["efforts"] = _("A role is listed twice.")
            return []
        seen.add(role)
        cleaned.append({"role": role, "role_name": roles[role].name, "days": str(days.quantize(TENTH))})
    return cleaned


def _yearly(value, start, end, errors) -> list[dict]:
    rows = value or []
    if not isinstance(rows, list):
        errors["yearly_costs"] = _("Give a list of years with their CAPEX and OPEX.")
        return []
    cleaned, seen = [], set()
    for row in rows:
        row = row if isinstance(row, dict) else {}
        try:
            year = int(row.get("year"))
        except (TypeError, ValueError):
            errors["yearly_costs"] = _("Each year needs a year, a CAPEX and an OPEX.")
            return []
        local: dict[str, str] = {}
        capex = _amount(row.get("capex"), local, "capex")
        opex = _amount(row.get("opex"), local, "opex")
        if local:
            errors["yearly_costs"] = _("%(year)s: %(error)s") % {
                "year": year,
                "error": next(iter(local.values())),
            }
            return []
        if start and end and not start.year <= year <= end.year:
            errors["yearly_costs"] = _("%(year)s is outside the desired period.") % {"year": year}
            return []
        if year in seen:
            errors["yearly_costs"] = _("A year is listed twice.")
            return []
        seen.add(year)
        cleaned.append({"year": year, "capex": str(capex), "opex": str(opex)})
    return sorted(cleaned, key=lambda r: r["year"])


def clean_proposal(*, portfolio, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of a proposal checked at once; raises a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for field in ("title", "problem"):
        text = str(data.get(field) or "").strip()
        if not text:
            errors[field] = _("This field is required.")
        cleaned[field] = text
    if len(cleaned["title"]) > 200:
        errors["title"] = _("At most 200 characters.")
    cleaned["expected_benefits"] = str(data.get("expected_benefits") or "").strip()
    cleaned["objectives"] = _objectives(data.get("objectives"), portfolio.pk, errors)
    cleaned["requested_sponsor"] = _member(
        data.get("requested_sponsor"), portfolio.pk, errors, "requested_sponsor"
    )
    cleaned["proposed_manager"] = _member(
        data.get("proposed_manager"), portfolio.pk, errors, "proposed_manager"
    )
    programme = data.get("programme")
    cleaned["programme"] = None
    if programme not in (None, ""):
        found = (
            Programme.objects.filter(pk=_pk(programme), portfolio=portfolio).first()
            if str(_pk(programme)).isdigit()
            else None
        )
        if found is None:
            errors["programme"] = _("Choose a programme of this portfolio.")
        cleaned["programme"] = found
    start = _date(data.get("desired_start"), errors, "desired_start")
    end = _date(data.get("desired_end"), errors, "desired_end")
    if start and end and end < start:
        errors["desired_end"] = _("The desired end is before the desired start.")
    elif start and end and working_days(start, end) == 0:
        errors["desired_end"] = _("The desired period holds no working day.")
    cleaned["desired_start"], cleaned["desired_end"] = start, end
    cleaned["capex"] = _amount(data.get("capex"), errors, "capex")
    cleaned["opex"] = _amount(data.get("opex"), errors, "opex")
    cleaned["yearly_costs"] = _yearly(data.get("yearly_costs"), start, end, errors)
    if cleaned["yearly_costs"]:
        cleaned["capex"] = sum((Decimal(r["capex"]) for r in cleaned["yearly_costs"]), Decimal(0))
        cleaned["opex"] = sum((Decimal(r["opex"]) for r in cleaned["yearly_costs"]), Decimal(0))
    cleaned["efforts"] = _efforts(data.get("efforts"), portfolio.pk, errors)
    cleaned["mandatory"] = bool(data.get("mandatory"))
    urgency = data.get("urgency") or ProjectProposal.Urgency.NORMAL
    if urgency not in ProjectProposal.Urgency.values:
        errors["urgency"] = _("Choose an urgency.")
    cleaned["urgency"] = urgency
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- The plan written on submission --------------------------------------------------------------------


def months(start: date, end: date) -> list[date]:
    """First day of each month from `start`'s to `end`'s, inclusive."""
    result, current = [], start.replace(day=1)
    while current <= end:
        result.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return result


def spread(amount: Decimal, slots: list[date]) -> dict[date, Decimal]:
    """`amount` split evenly over `slots` to the cent; the rounding remainder goes to the last slot."""
    if not slots or not amount:
        return {}
    share = (amount / len(slots)).quantize(CENT, rounding=ROUND_HALF_UP)
    result = dict.fromkeys(slots, share)
    result[slots[-1]] = amount - share * (len(slots) - 1)
    return result


def planned_costs(proposal: ProjectProposal) -> dict[tuple[date, str], Decimal]:
    """The planned amount per (month, category) of the proposal's estimates."""
    slots = months(proposal.desired_start, proposal.desired_end)
    plan: dict[tuple[date, str], Decimal] = {}
    if proposal.yearly_costs:
        parts = [
            (Decimal(row[category]), [m for m in slots if m.year == row["year"]], category)
            for row in proposal.yearly_costs
            for category in (CostCategory.CAPEX, CostCategory.OPEX)
        ]
    else:
        parts = [(proposal.capex, slots, CostCategory.CAPEX), (proposal.opex, slots, CostCategory.OPEX)]
    for amount, of, category in parts:
        for month, value in spread(Decimal(amount), of).items():
            plan[(month, category)] = plan.get((month, category), Decimal(0)) + value
    return plan


def hours_per_week(days: Decimal, start: date, end: date) -> Decimal:
    """The weekly hours that book `days` of effort evenly over the working days of the period."""
    workdays = working_days(start, end)
    hours = Decimal(str(days)) * Decimal(str(STANDARD_DAILY_HOURS)) * 5 / workdays
    return max(hours.quantize(TENTH, rounding=ROUND_HALF_UP), TENTH)


def _project_code(proposal: ProjectProposal) -> str:
    base = f"DP-{proposal.number:03d}"
    taken = set(
        Project.objects.filter(portfolio_id=proposal.portfolio_id, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


def _write_plan(*, actor, proposal: ProjectProposal) -> Project:
    project = project_create(
        actor=actor,
        data={
            "portfolio": proposal.portfolio,
            "programme": proposal.programme,
            "code": _project_code(proposal),
            "name": proposal.title,
            "description": proposal.problem,
            "start_date": proposal.desired_start,
            "end_date": proposal.desired_end,
            "budget": proposal.total_cost,
            "state": Project.State.PROPOSED,
        },
    )
    CostLine.objects.bulk_create(
        [
            CostLine(project=project, month=month, category=category, planned=amount, forecast=amount)
            for (month, category), amount in sorted(planned_costs(proposal).items())
            if amount
        ]
    )
    Allocation.objects.bulk_create(
        [
            Allocation(
                project=project,
                role_id=row["role"],
                start_date=proposal.desired_start,
                end_date=proposal.desired_end,
                unit=Allocation.Unit.HOURS,
                hours_per_week=hours_per_week(
                    Decimal(row["days"]), proposal.desired_start, proposal.desired_end
                ),
                state=Allocation.State.REQUESTED,
                requested_by=proposal.requested_by,
                note=_("%(ref)s: %(days)s days estimated") % {"ref": proposal.reference, "days": row["days"]},
            )
            for row in proposal.efforts
        ]
    )
    ProjectObjective.objects.bulk_create(
        [
            ProjectObjective(project=project, objective_id=row["objective"], contribution=row["contribution"])
            for row in proposal.objectives
        ]
    )
    return project


# --- The workflow ------------------------------------------------------------------------------------


def _transition(proposal, *, actor, to_state, note="", from_state=None) -> None:
    ProposalTransition.objects.create(
        proposal=proposal,
        from_state=proposal.state if from_state is None else from_state,
        to_state=to_state,
        actor=actor,
        at=timezone.now(),
        note=note,
    )


def _denied(actor, what, proposal_or_portfolio, request):
    refuse(actor=actor, what=f"proposal {what} refused ({proposal_or_portfolio})", request=request)


def _locked(proposal: ProjectProposal, version: int | None) -> ProjectProposal:
    locked = (
        ProjectProposal.objects.select_for_update(of=("self",))
        .select_related("portfolio", "requested_by", "project")
        .get(pk=proposal.pk)
    )
    if version is not None and int(version) != locked.version:
        raise StaleVersionError
    return locked


def _url(proposal) -> str:
    return reverse("governance:proposal-detail", args=[proposal.pk])


def proposal_create(
    *, actor, portfolio, data: dict[str, Any], submit: bool = False, request=None
) -> ProjectProposal:
    """Write a draft proposal in `portfolio` (and submit it at once when `submit`)."""
    if not can_propose(actor, portfolio.pk):
        _denied(actor, "creation", f"portfolio {portfolio.pk}", request)
    cleaned = clean_proposal(portfolio=portfolio, data=data)
    if submit:
        _check_submittable(cleaned)
    with transaction.atomic(), audit_context(actor=actor, reason="proposal created"):
        number = (
            ProjectProposal.objects.select_for_update()
            .filter(portfolio=portfolio)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        proposal = ProjectProposal.objects.create(
            portfolio=portfolio, number=number, requested_by=actor, **cleaned
        )
        _transition(proposal, actor=actor, to_state=State.DRAFT, from_state="")
        if submit:
            proposal = _submit(actor=actor, proposal=proposal)
    return proposal


def proposal_update(*, actor, proposal: ProjectProposal, version: int, data: dict[str, Any], request=None):
    """Change a draft (its requester only) if nobody changed it since `version`. `data` may be partial."""
    if not can_edit_proposal(actor, proposal):
        _denied(actor, "update", proposal.pk, request)
    if proposal.state != State.DRAFT:
        raise ValidationError(_("Only a draft proposal can be changed."))
    current = {name: getattr(proposal, name) for name in FIELDS}
    cleaned = clean_proposal(portfolio=proposal.portfolio, data={**current, **data})
    with transaction.atomic(), audit_context(actor=actor, reason="proposal updated"):
        return versioned_update(instance=proposal, expected_version=version, fields=cleaned)


def _check_submittable(cleaned: dict[str, Any]) -> None:
    if cleaned.get("requested_sponsor") is None:
        raise ValidationError({"requested_sponsor": _("Name the sponsor you ask for before submitting.")})


def _submit(*, actor, proposal: ProjectProposal) -> ProjectProposal:
    project = _write_plan(actor=actor, proposal=proposal)
    _transition(proposal, actor=actor, to_state=State.SUBMITTED)
    proposal = versioned_update(
        instance=proposal,
        expected_version=proposal.version,
        fields={"state": State.SUBMITTED, "project": project, "submitted_at": timezone.now()},
    )
    proposal_ref = proposal.reference
    with override(settings.LANGUAGE_CODE):
        title = _("Project proposal submitted: %(ref)s %(title)s") % {
            "ref": proposal_ref,
            "title": proposal.title,
        }
        body = _("%(user)s asks for a new project in %(portfolio)s.") % {
            "user": proposal.requested_by,
            "portfolio": proposal.portfolio.name,
        }
    recipients = [u for u in proposal_reviewers(proposal.portfolio_id) if u.pk != actor.pk]
    notify(
        recipients=recipients,
        kind=Notification.Kind.DECISION,
        title=title,
        body=body,
        key=f"proposal-{proposal.pk}-submitted",
        url=_url(proposal),
    )
    return proposal


def proposal_submit(
    *, actor, proposal: ProjectProposal, version: int | None = None, request=None
) -> ProjectProposal:
    """Submit a draft: the project PROPOSED with its planned costs and requested roles, the PMO notified."""
    if not can_edit_proposal(actor, proposal):
        _denied(actor, "submission", proposal.pk, request)
    with transaction.atomic(), audit_context(actor=actor, reason="proposal submitted"):
        proposal = _locked(proposal, version)
        if proposal.state != State.DRAFT:
            raise ValidationError(_("Only a draft proposal can be submitted."))
        # The pool, the objectives or the members may have changed since the draft was written.
        cleaned = clean_proposal(portfolio=proposal.portfolio, data={n: getattr(proposal, n) for n in FIELDS})
        _check_submittable(cleaned)
        return _submit(actor=actor, proposal=proposal)


def proposal_start_review(*, actor, proposal: ProjectProposal, version: int | None = None, request=None):
    """The PMO takes a submitted proposal into review."""
    if not can_review(actor, proposal):
        _denied(actor, "review", proposal.pk, request)
    with transaction.atomic(), audit_context(actor=actor, reason="proposal review started"):
        proposal = _locked(proposal, version)
        if proposal.state != State.SUBMITTED:
            raise ValidationError(_("Only a submitted proposal can be taken into review."))
        _transition(proposal, actor=actor, to_state=State.UNDER_REVIEW)
        return versioned_update(
            instance=proposal, expected_version=proposal.version, fields={"state": State.UNDER_REVIEW}
        )


def proposal_comment(*, actor, proposal: ProjectProposal, body: str) -> ProposalComment:
    """Add a message to the proposal's discussion (the caller fetched it through visible_to)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("At most 5000 characters.")})
    with transaction.atomic(), audit_context(actor=actor, reason="proposal comment"):
        return ProposalComment.objects.create(proposal=proposal, author=actor, body=body)


def check_decider(*, actor, proposal: ProjectProposal, request=None) -> None:
    """Refuse (and record) a decision by anyone but a decider."""
    if not is_proposal_decider(actor, proposal):
        _denied(actor, "decision", proposal.pk, request)


def proposal_decide(
    *,
    actor,
    proposal: ProjectProposal,
    outcome: str,
    rationale: str,
    revisit_on: date | None = None,
    version: int | None = None,
    request=None,
) -> ProjectProposal:
    """Approve, reject or park a proposal under review; log the decision; tell the requester."""
    check_decider(actor=actor, proposal=proposal, request=request)
    errors: dict[str, str] = {}
    if outcome not in DECISIONS:
        errors["outcome"] = _("Choose approved, rejected or parked.")
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = _("Give the rationale of the decision.")
    if outcome == State.PARKED:
        if revisit_on in (None, ""):
            errors["revisit_on"] = _("Give the date to revisit the proposal.")
        else:
            revisit_on = _date(revisit_on, errors, "revisit_on")
            if revisit_on and revisit_on <= timezone.localdate():
                errors["revisit_on"] = _("The date to revisit is in the future.")
    else:
        revisit_on = None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit_context(actor=actor, reason=f"proposal {outcome}"):
        proposal = _locked(proposal, version)
        if proposal.state != State.UNDER_REVIEW:
            raise ValidationError(_("Only a proposal under review can be decided."))
        project = (
            Project.objects.select_for_update(of=("self",))
            .select_related("methodology")
            .get(pk=proposal.project_id)
        )
        now = timezone.now()
        details: dict[str, Any] = {"proposal": proposal.pk, "reference": proposal.reference}
        changes: dict[str, Any] = {}
        if outcome == State.APPROVED:
            stage = project.methodology.stages.order_by("order").first() if project.methodology_id else None
            changes = {
                "state": Project.State.ACTIVE,
                "sponsor": proposal.requested_sponsor,
                "manager": proposal.proposed_manager,
                "current_stage": stage,
                "stage": stage.name if stage else "",
            }
            details.update({"gate": 0, "stage": stage.name if stage else ""})
        elif outcome == State.REJECTED:
            changes = {"state": Project.State.CANCELLED}
        else:
            details["revisit_on"] = revisit_on.isoformat()
        if changes:
            versioned_update(instance=project, expected_version=project.version, fields=changes)
        decision = Decision.objects.create(
            title=_("%(ref)s %(title)s") % {"ref": proposal.reference, "title": proposal.title},
            outcome=DECISIONS[outcome],
            rationale=rationale,
            project=project,
            details=details,
            decided_by=actor,
            decided_at=now,
        )
        _transition(proposal, actor=actor, to_state=outcome, note=rationale)
        proposal = versioned_update(
            instance=proposal,
            expected_version=proposal.version,
            fields={
                "state": outcome,
                "decided_by": actor,
                "decided_at": now,
                "decision_rationale": rationale,
                "revisit_on": revisit_on,
                "decision": decision,
            },
        )
        with override(settings.LANGUAGE_CODE):
            title = _("Your project proposal %(ref)s: %(outcome)s") % {
                "ref": proposal.reference,
                "outcome": proposal.get_state_display().lower(),
            }
        recipients = [proposal.requested_by]
        if outcome == State.APPROVED:
            recipients += [proposal.proposed_manager, proposal.requested_sponsor]
        notify(
            recipients=[u for u in recipients if u is not None and u.pk != actor.pk],
            kind=Notification.Kind.DECISION,
            title=title,
            body=rationale,
            key=f"proposal-{proposal.pk}-decided-{proposal.version}",
            url=_url(proposal),
        )
    return proposal


def proposal_reopen(*, actor, proposal: ProjectProposal, version: int | None = None, request=None):
    """Take a parked proposal back into review (a decider, never its requester)."""
    if not is_proposal_decider(actor, proposal):
        _denied(actor, "re-opening", proposal.pk, request)
    with transaction.atomic(), audit_context(actor=actor, reason="proposal re-opened"):
        proposal = _locked(proposal, version)
        if proposal.state != State.PARKED:
            raise ValidationError(_("Only a parked proposal can be re-opened."))
        _transition(proposal, actor=actor, to_state=State.UNDER_REVIEW)
        return versioned_update(
            instance=proposal,
            expected_version=proposal.version,
            fields={"state": State.UNDER_REVIEW, "revisit_on": None},
        )
