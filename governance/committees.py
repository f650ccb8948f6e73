"""Writes of steering committees (COPIL): meetings, their agenda (built from the sources below,
then edited), the decisions taken in the meeting (through the same services as outside it),
the minutes and the actions with their reminders.

Extension points: `AGENDA_SOURCES` (what a meeting must look at) and `DECISION_HANDLERS` (how an
agenda item of a kind is decided): exceptions, change requests, gate reviews, red and watermelon
projects.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import icalendar
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from governance import changes
from governance.control_permissions import (
    can_administer_committees,
    can_manage_committee,
    can_update_action,
    is_decider,
    refuse,
)
from governance.gates import decide_gate, record_denied
from governance.models import (
    Action,
    AgendaItem,
    ChangeRequest,
    Decision,
    GateReview,
    Meeting,
    ProjectException,
    SteeringCommittee,
)
from governance.permissions import is_gate_decider
from governance.selectors import pending_gate_reviews
from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from pmo.core.models import Notification
from pmo.core.notifications import notify
from portfolio.models import Membership, Programme
from projects.models import Project

Kind = AgendaItem.Kind
REMINDER_DAYS_BEFORE = 2
PRODID = "-//PMO Portfolio//COPIL//FR"


@dataclass(frozen=True)
class AgendaProposal:
    """An item a source proposes for a meeting; `source_key` identifies it across rebuilds."""

    kind: str
    title: str
    source_key: str
    project_id: int | None = None
    detail: str = ""
    exception_id: int | None = None
    change_request_id: int | None = None
    gate_review_id: int | None = None


AgendaSource = Callable[..., list[AgendaProposal]]


def committee_projects(committee: SteeringCommittee) -> models.QuerySet[Project]:
    """The projects a committee steers: its portfolio's (or programme's) active, not archived ones."""
    projects = Project.objects.filter(portfolio_id=committee.portfolio_id, archived_at__isnull=True).exclude(
        state__in=[Project.State.CLOSED, Project.State.CANCELLED]
    )
    if committee.programme_id:
        projects = projects.filter(programme_id=committee.programme_id)
    return projects


def exception_source(*, project_ids: list[int]) -> list[AgendaProposal]:
    """Open exceptions, those whose report was sent first (the board is asked to decide them)."""
    rows = (
        ProjectException.objects.open()
        .filter(project_id__in=project_ids)
        .select_related("project", "report")
        .order_by("-state", "raised_at", "pk")
    )
    proposals = []
    for e in rows:
        report = getattr(e, "report", None)
        sent = report is not None and report.is_frozen
        proposals.append(
            AgendaProposal(
                kind=Kind.EXCEPTION,
                title=_("Exception %(tolerance)s — %(project)s")
                % {"tolerance": e.get_tolerance_display().lower(), "project": e.project.name},
                detail=(_("Exception report sent: %(title)s") % {"title": report.title} if sent else "")
                + ("\n" if sent else "")
                + e.summary,
                project_id=e.project_id,
                exception_id=e.pk,
                source_key=f"exception:{e.pk}",
            )
        )
    return proposals


def change_request_source(*, project_ids: list[int]) -> list[AgendaProposal]:
    """Change requests waiting for a decision (submitted or assessed)."""
    rows = ChangeRequest.objects.pending().filter(project_id__in=project_ids).select_related("project")
    return [
        AgendaProposal(
            kind=Kind.CHANGE_REQUEST,
            title=_("Change request DC-%(n)s — %(project)s: %(title)s")
            % {"n": cr.number, "project": cr.project.name, "title": cr.title},
            detail=cr.description[:500],
            project_id=cr.project_id,
            change_request_id=cr.pk,
            source_key=f"change_request:{cr.pk}",
        )
        for cr in rows.order_by("submitted_at", "pk")
    ]


def project_rag_source(*, project_ids: list[int]) -> list[AgendaProposal]:
    """Red projects (indicated or declared overall red on the latest submitted report) and
    watermelons (declared better than the data shows), read from the stored QCDR snapshot."""
    rows = (
        Project.objects.filter(pk__in=project_ids, latest_report__isnull=False)
        .annotate(
            indicated_overall=KeyTextTransform(
                "overall", KeyTransform("indicated", "latest_report__indicated")
            ),
            watermelon=Cast(KeyTextTransform("watermelon", "latest_report__indicated"), BooleanField()),
        )
        .filter(Q(indicated_overall="red") | Q(latest_report__overall="red") | Q(watermelon=True))
        .values("pk", "name", "indicated_overall", "latest_report__overall", "watermelon")
        .order_by("code")
    )
    proposals = []
    for row in rows:
        if row["watermelon"]:
            proposals.append(
                AgendaProposal(
                    kind=Kind.WATERMELON,
                    title=_("Watermelon project — %(project)s") % {"project": row["name"]},
                    detail=_("Declared %(declared)s, the data shows %(indicated)s.")
                    % {"declared": row["latest_report__overall"], "indicated": row["indicated_overall"]},
                    project_id=row["pk"],
                    source_key=f"watermelon:{row['pk']}",
                )
            )
        elif "red" in (row["indicated_overall"], row["latest_report__overall"]):
            proposals.append(
                AgendaProposal(
                    kind=Kind.RED_PROJECT,
                    title=_("Red project — %(project)s") % {"project": row["name"]},
                    project_id=row["pk"],
                    source_key=f"red:{row['pk']}",
                )
            )
    return proposals


# What a meeting's agenda is built from, in this order; each source reads in a constant number of
# queries. The gate-review work appends its pending gate reviews here.
def gate_review_source(*, project_ids: list[int]) -> list[AgendaProposal]:
    """Gate reviews requested and waiting for the board's decision."""
    return [
        AgendaProposal(
            kind=Kind.GATE_REVIEW,
            title=_("Gate review — %(project)s: %(gate)s")
            % {"project": review.project.name, "gate": review.gate},
            detail=_("Requested by %(person)s to leave the stage “%(stage)s”.")
            % {"person": review.requested_by, "stage": review.stage},
            project_id=review.project_id,
            gate_review_id=review.pk,
            source_key=f"gate_review:{review.pk}",
        )
        for review in pending_gate_reviews(project_ids)
    ]


AGENDA_SOURCES: list[AgendaSource] = [
    exception_source,
    change_request_source,
    gate_review_source,
    project_rag_source,
]


def agenda_proposals(committee: SteeringCommittee) -> list[AgendaProposal]:
    project_ids = list(committee_projects(committee).values_list("pk", flat=True))
    return [proposal for source in AGENDA_SOURCES for proposal in source(project_ids=project_ids)]


def _require_manager(actor, committee) -> None:
    if not can_manage_committee(actor, committee):
        raise PermissionDenied


def _require_planned(meeting: Meeting) -> None:
    if not meeting.agenda_editable:
        raise ValidationError(_("The meeting was held: its agenda can no longer change."))


# --- Committees ---------------------------------------------------------------------------------------

COMMITTEE_FIELDS = ("name", "programme", "chair", "default_place")


def _validate_committee(*, portfolio_id: int, data: dict[str, Any], members) -> None:
    """Everything checked before anything is written: a name, a programme of the same portfolio, a
    chair and members who belong to the portfolio."""
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = [_("A committee needs a name.")]
    programme = data.get("programme")
    if programme is not None and programme.portfolio_id != portfolio_id:
        errors["programme"] = [_("The programme must belong to the committee's portfolio.")]
    people = {user.pk for user in members}
    chair = data.get("chair")
    if chair is not None:
        people.add(chair.pk)
    allowed = set(
        Membership.objects.filter(portfolio_id=portfolio_id, user_id__in=people).values_list(
            "user_id", flat=True
        )
    )
    if chair is not None and chair.pk not in allowed:
        errors["chair"] = [_("The chair must be a member of the portfolio.")]
    outsiders = [str(user) for user in members if user.pk not in allowed]
    if outsiders:
        errors["members"] = [
            _("Not members of the portfolio: %(names)s.") % {"names": ", ".join(sorted(outsiders))}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def committee_create(
    *,
    actor,
    portfolio,
    name: str,
    programme: Programme | None = None,
    chair=None,
    members=(),
    default_place: str = "",
) -> SteeringCommittee:
    """A new committee of the portfolio (or of one of its programmes); the PMO officers create it."""
    if not can_administer_committees(actor, portfolio.pk):
        raise PermissionDenied
    members = list(members)
    data = {"name": name, "programme": programme, "chair": chair, "default_place": default_place}
    _validate_committee(portfolio_id=portfolio.pk, data=data, members=members)
    with audit_context(actor=actor, reason="committee created"):
        committee = SteeringCommittee.objects.create(portfolio=portfolio, **{**data, "name": name.strip()})
        committee.members.set(members)
    return committee


@transaction.atomic
def committee_update(
    *, actor, committee: SteeringCommittee, data: dict[str, Any], version: int | None = None
) -> SteeringCommittee:
    """Change the name, programme, chair, usual place and members (the portfolio stays) if the
    committee is still at `version` (StaleVersionError otherwise; None: the version read)."""
    if not can_administer_committees(actor, committee.portfolio_id):
        raise PermissionDenied
    data = dict(data)
    members = data.pop("members", None)
    unknown = set(data) - set(COMMITTEE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    merged = {field: getattr(committee, field) for field in COMMITTEE_FIELDS} | data
    _validate_committee(
        portfolio_id=committee.portfolio_id,
        data=merged,
        members=list(members) if members is not None else [],
    )
    with audit_context(actor=actor, reason="committee edited"):
        committee = versioned_update(
            instance=committee,
            expected_version=committee.version if version is None else version,
            fields={field: value.strip() if field == "name" else value for field, value in data.items()},
        )
        if members is not None:
            committee.members.set(members)
    return committee


# --- Meetings and agenda -------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor,
    committee: SteeringCommittee,
    starts_at: datetime,
    duration_minutes: int = 120,
    place: str = "",
    attendees=None,
) -> Meeting:
    """Plan a meeting (the committee's managers) and build its agenda; attendees default to the members."""
    _require_manager(actor, committee)
    if attendees is None:
        attendees = list(committee.members.all())
    with audit_context(actor=actor, reason="meeting planned"):
        meeting = Meeting.objects.create(
            committee=committee,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            place=place or committee.default_place,
        )
        meeting.attendees.set(attendees)
        _add_proposals(meeting, agenda_proposals(committee))
        with override(settings.LANGUAGE_CODE):
            notify(
                recipients=meeting.attendees.all(),
                kind=Notification.Kind.DECISION,
                title=_("%(committee)s on %(date)s")
                % {"committee": committee.name, "date": _local(starts_at)},
                body=_("The agenda is ready; the invitation (.ics) is on the meeting page."),
                key=f"meeting-{meeting.pk}-planned",
                url=reverse("governance:meeting-detail", args=[meeting.pk]),
            )
    return meeting


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def _add_proposals(meeting: Meeting, proposals: list[AgendaProposal]) -> list[AgendaItem]:
    known = set(meeting.items.values_list("source_key", flat=True))
    position = meeting.items.aggregate(models.Max("position"))["position__max"] or 0
    new = []
    for proposal in proposals:
        if proposal.source_key in known:
            continue
        known.add(proposal.source_key)
        position += 1
        new.append(
            AgendaItem(
                meeting=meeting,
                position=position,
                kind=proposal.kind,
                title=proposal.title[:300],
                detail=proposal.detail,
                project_id=proposal.project_id,
                exception_id=proposal.exception_id,
                change_request_id=proposal.change_request_id,
                gate_review_id=proposal.gate_review_id,
                source_key=proposal.source_key,
            )
        )
    return AgendaItem.objects.bulk_create(new)


@transaction.atomic
def agenda_refresh(*, actor, meeting: Meeting) -> list[AgendaItem]:
    """Add what appeared since the agenda was built (new exceptions, requests…); removed items stay
    removed, the order of the others is kept."""
    _require_manager(actor, meeting.committee)
    _require_planned(meeting)
    with audit_context(actor=actor, reason="agenda refreshed"):
        return _add_proposals(meeting, agenda_proposals(meeting.committee))


@transaction.atomic
def agenda_item_add(
    *, actor, meeting: Meeting, title: str, detail: str = "", project: Project | None = None
) -> AgendaItem:
    _require_manager(actor, meeting.committee)
    _require_planned(meeting)
    if not title.strip():
        raise ValidationError({"title": _("Give the item a title.")})
    if project is not None and not committee_projects(meeting.committee).filter(pk=project.pk).exists():
        raise ValidationError({"project": _("This project is not steered by this committee.")})
    position = (meeting.items.aggregate(models.Max("position"))["position__max"] or 0) + 1
    with audit_context(actor=actor, reason="agenda item added"):
        return AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            kind=Kind.OTHER,
            title=title.strip()[:300],
            detail=detail.strip(),
            project=project,
        )


@transaction.atomic
def agenda_item_remove(*, actor, item: AgendaItem) -> None:
    """Take an item off the agenda (it is kept, marked removed, so a rebuild does not bring it back)."""
    _require_manager(actor, item.meeting.committee)
    _require_planned(item.meeting)
    with audit_context(actor=actor, reason="agenda item removed"):
        AgendaItem.objects.filter(pk=item.pk).update(removed=True, updated_at=timezone.now())


@transaction.atomic
def agenda_item_move(*, actor, item: AgendaItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) among the items still on the agenda."""
    _require_manager(actor, item.meeting.committee)
    _require_planned(item.meeting)
    items = list(item.meeting.items.select_for_update().filter(removed=False).order_by("position", "pk"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    target = index + offset
    if target < 0 or target >= len(items):
        return
    items[index], items[target] = items[target], items[index]
    with audit_context(actor=actor, reason="agenda reordered"):
        for position, row in enumerate(items, start=1):
            if row.position != position:
                AgendaItem.objects.filter(pk=row.pk).update(position=position, updated_at=timezone.now())


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, version: int, data: dict[str, Any]) -> Meeting:
    """Change date, duration, place, attendees and, once held, the minutes; approved minutes are frozen."""
    _require_manager(actor, meeting.committee)
    if meeting.state == Meeting.State.MINUTES_APPROVED:
        raise ValidationError(_("The minutes were approved: the meeting is frozen."))
    data = dict(data)
    attendees = data.pop("attendees", None)
    if "minutes" in data and meeting.state == Meeting.State.PLANNED and data["minutes"]:
        raise ValidationError({"minutes": _("Minutes are written once the meeting is held.")})
    with audit_context(actor=actor, reason="meeting edited"):
        updated = versioned_update(instance=meeting, expected_version=version, fields=data)
        if attendees is not None:
            updated.attendees.set(attendees)
    return updated


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting, version: int | None = None) -> Meeting:
    """The meeting took place: the agenda is frozen, minutes can be written."""
    _require_manager(actor, meeting.committee)
    if meeting.state != Meeting.State.PLANNED:
        raise ValidationError(_("The meeting was already held."))
    with audit_context(actor=actor, reason="meeting held"):
        return versioned_update(
            instance=meeting,
            expected_version=meeting.version if version is None else version,
            fields={"state": Meeting.State.HELD},
        )


@transaction.atomic
def meeting_approve_minutes(*, actor, meeting: Meeting, version: int | None = None) -> Meeting:
    """Approve (freeze) the minutes of a held meeting; the attendees are told."""
    _require_manager(actor, meeting.committee)
    if meeting.state != Meeting.State.HELD:
        raise ValidationError(_("Only the minutes of a held meeting can be approved."))
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes before approving them.")})
    with audit_context(actor=actor, reason="minutes approved"):
        approved = versioned_update(
            instance=meeting,
            expected_version=meeting.version if version is None else version,
            fields={
                "state": Meeting.State.MINUTES_APPROVED,
                "minutes_approved_by": actor,
                "minutes_approved_at": timezone.now(),
            },
        )
        with override(settings.LANGUAGE_CODE):
            notify(
                recipients=approved.attendees.all(),
                kind=Notification.Kind.DECISION,
                title=_("Minutes approved: %(meeting)s") % {"meeting": approved},
                key=f"meeting-{approved.pk}-minutes",
                url=reverse("governance:meeting-detail", args=[approved.pk]),
            )
    return approved


# --- Deciding an agenda item ---------------------------------------------------------------------------


def _decide_exception_item(*, actor, item, outcome, rationale, tolerances=None, request=None) -> Decision:
    return changes.exception_decide(
        actor=actor,
        exception=item.exception,
        outcome=outcome,
        rationale=rationale,
        tolerances=tolerances,
        meeting=item.meeting,
        agenda_item=item,
        request=request,
    )


def _decide_change_item(*, actor, item, outcome, rationale, tolerances=None, request=None) -> Decision:
    return changes.change_request_decide(
        actor=actor,
        change_request=item.change_request,
        outcome=outcome,
        rationale=rationale,
        meeting=item.meeting,
        agenda_item=item,
        request=request,
    )


def _record_item_decision(*, actor, item, outcome, rationale, tolerances=None, request=None) -> Decision:
    """An item without a workflow (red or watermelon project, other): the decision is logged only.
    On a project, only its deciders; on a free item, the committee's managers."""
    allowed = (
        is_decider(actor, item.project)
        if item.project_id
        else can_manage_committee(actor, item.meeting.committee)
    )
    if not allowed:
        refuse(actor=actor, what=f"decide agenda item {item.pk}", request=request)
    if outcome not in (Decision.Outcome.NOTED, Decision.Outcome.OTHER):
        raise ValidationError({"outcome": _("Choose “noted” or “decided”.")})
    if not (rationale or "").strip():
        raise ValidationError({"rationale": _("Give the rationale of the decision.")})
    with transaction.atomic(), audit_context(actor=actor, reason="decision recorded"):
        return Decision.objects.create(
            title=item.title,
            outcome=outcome,
            rationale=rationale.strip(),
            project=item.project,
            meeting=item.meeting,
            agenda_item=item,
            decided_by=actor,
            decided_at=timezone.now(),
        )


# The board's outcome on a gate review item → the gate's own decision.
GATE_OUTCOMES = {
    Decision.Outcome.GO: GateReview.Decision.GO,
    Decision.Outcome.GO_WITH_CONDITIONS: GateReview.Decision.GO_WITH_CONDITIONS,
    Decision.Outcome.RECYCLE: GateReview.Decision.RECYCLE,
    Decision.Outcome.HOLD: GateReview.Decision.HOLD,
    Decision.Outcome.STOP: GateReview.Decision.STOP,
}


def _decide_gate_item(*, actor, item, outcome, rationale, tolerances=None, request=None) -> Decision:
    """Decide a gate review in the meeting through the gate's own service (same deciders, same
    checks, the project moved to its next stage on a go), then log the decision."""
    if outcome not in GATE_OUTCOMES:
        raise ValidationError({"outcome": _("Choose go, go with conditions, recycle, hold or stop.")})
    review = GateReview.objects.select_related("project", "gate", "stage").get(pk=item.gate_review_id)
    if not is_gate_decider(actor, review.project):
        # refused before the transaction, so that the record of the attempt stays
        raise record_denied(actor=actor, action="decision", project=review.project, request=request)
    with transaction.atomic():
        decide_gate(
            actor=actor,
            review=review,
            decision=GATE_OUTCOMES[outcome],
            rationale=rationale,
            # in a meeting the rationale states the conditions of a conditional go
            conditions=rationale if outcome == Decision.Outcome.GO_WITH_CONDITIONS else "",
            request=request,
        )
        with audit_context(actor=actor, reason="decision recorded"):
            return Decision.objects.create(
                title=item.title,
                outcome=outcome,
                rationale=rationale.strip(),
                project=item.project,
                meeting=item.meeting,
                agenda_item=item,
                gate_review_id=review.pk,
                decided_by=actor,
                decided_at=timezone.now(),
            )


# How an agenda item of each kind is decided: the workflow's own service, with the same checks.
DECISION_HANDLERS: dict[str, Callable[..., Decision]] = {
    Kind.EXCEPTION: _decide_exception_item,
    Kind.CHANGE_REQUEST: _decide_change_item,
    Kind.GATE_REVIEW: _decide_gate_item,
    Kind.RED_PROJECT: _record_item_decision,
    Kind.WATERMELON: _record_item_decision,
    Kind.OTHER: _record_item_decision,
}

# The outcomes offered for each kind of item (the gate-review work adds its own).
ITEM_OUTCOMES: dict[str, tuple[str, ...]] = {
    Kind.EXCEPTION: changes.EXCEPTION_OUTCOMES,
    Kind.CHANGE_REQUEST: changes.CR_OUTCOMES,
    Kind.GATE_REVIEW: tuple(GATE_OUTCOMES),
    Kind.RED_PROJECT: (Decision.Outcome.NOTED, Decision.Outcome.OTHER),
    Kind.WATERMELON: (Decision.Outcome.NOTED, Decision.Outcome.OTHER),
    Kind.OTHER: (Decision.Outcome.NOTED, Decision.Outcome.OTHER),
}


def agenda_item_decide(
    *, actor, item: AgendaItem, outcome: str, rationale: str, tolerances: dict | None = None, request=None
) -> Decision:
    """Decide an agenda item during the meeting (planned or held, not after the minutes): the item's
    workflow is applied through its own service (an approved change request re-baselines)."""
    if item.meeting.state == Meeting.State.MINUTES_APPROVED:
        raise ValidationError(_("The minutes were approved: no decision can be added."))
    if item.removed:
        raise ValidationError(_("This item was removed from the agenda."))
    handler = DECISION_HANDLERS.get(item.kind)
    if handler is None:
        raise ValidationError(_("Items of this kind cannot be decided here yet."))
    return handler(
        actor=actor, item=item, outcome=outcome, rationale=rationale, tolerances=tolerances, request=request
    )


# --- Actions ---------------------------------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    actor,
    meeting: Meeting,
    title: str,
    owner,
    due_date: date,
    description: str = "",
    project=None,
    decision=None,
) -> Action:
    """An action decided in a meeting; its owner is notified."""
    _require_manager(actor, meeting.committee)
    errors = {}
    if not title.strip():
        errors["title"] = [_("Give the action a title.")]
    if owner is None:
        errors["owner"] = [_("Name the owner.")]
    if project is not None and not committee_projects(meeting.committee).filter(pk=project.pk).exists():
        errors["project"] = [_("This project is not steered by this committee.")]
    if errors:
        raise ValidationError(errors)
    with audit_context(actor=actor, reason="action created"):
        action = Action.objects.create(
            title=title.strip()[:300],
            description=description.strip(),
            owner=owner,
            due_date=due_date,
            project=project,
            meeting=meeting,
            decision=decision,
            created_by=actor,
        )
        with override(settings.LANGUAGE_CODE):
            notify(
                recipients=[owner],
                kind=Notification.Kind.REMINDER,
                title=_("New action for you: %(title)s (due %(date)s)")
                % {"title": action.title, "date": due_date.strftime("%d/%m/%Y")},
                key=f"action-{action.pk}-assigned",
                url=reverse("governance:my-actions"),
            )
    return action


@transaction.atomic
def action_set_status(*, actor, action: Action, status: str, version: int | None = None) -> Action:
    if not can_update_action(actor, action):
        raise PermissionDenied
    if status not in Action.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    fields: dict[str, Any] = {
        "status": status,
        "done_at": timezone.now() if status == Action.Status.DONE else None,
    }
    with audit_context(actor=actor, reason="action status"):
        return versioned_update(
            instance=action, expected_version=action.version if version is None else version, fields=fields
        )


def send_action_reminders(*, today: date | None = None) -> int:
    """Remind each owner of their open actions due within two days (once per action) and of the
    overdue ones (once per action and week). Idempotent through the notification keys."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=REMINDER_DAYS_BEFORE)
    sent = 0
    rows = Action.objects.open().filter(due_date__lte=soon, owner__is_active=True).select_related("owner")
    with override(settings.LANGUAGE_CODE):
        for action in rows.order_by("due_date", "pk"):
            overdue = action.due_date < today
            week = today.isocalendar()
            sent += notify(
                recipients=[action.owner],
                kind=Notification.Kind.REMINDER,
                title=(
                    _("Overdue action: %(title)s (due %(date)s)")
                    if overdue
                    else _("Action due soon: %(title)s (due %(date)s)")
                )
                % {"title": action.title, "date": action.due_date.strftime("%d/%m/%Y")},
                key=f"action-{action.pk}-overdue-{week.year}-{week.week}"
                if overdue
                else f"action-{action.pk}-due",
                url=reverse("governance:my-actions"),
            )
    return sent


# --- The invitation ---------------------------------------------------------------------------------------


def meeting_ical(meeting: Meeting, *, agenda: list[AgendaItem], site_url: str = "") -> bytes:
    """The invitation of one meeting (RFC 5545 VEVENT, METHOD:PUBLISH) with its attendees and agenda."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@pmo")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", str(meeting.committee.name))
    if meeting.place:
        event.add("location", meeting.place)
    lines = [f"{n}. {item.title}" for n, item in enumerate(agenda, start=1)]
    event.add("description", "\n".join(lines))
    if site_url:
        event.add("url", site_url + meeting.get_absolute_url())
    event.add("sequence", meeting.version)
    if meeting.committee.chair_id and meeting.committee.chair.email:
        organizer = icalendar.vCalAddress(f"mailto:{meeting.committee.chair.email}")
        organizer.params["cn"] = icalendar.vText(
            meeting.committee.chair.get_full_name() or meeting.committee.chair.username
        )
        event["organizer"] = organizer
    for person in meeting.attendees.all():
        if not person.email:
            continue
        attendee = icalendar.vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = icalendar.vText(person.get_full_name() or person.username)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
