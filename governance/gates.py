"""Writes on gate reviews: the project manager requests the passage of the current gate, the
sponsor or an executive of the portfolio decides it, the requester may withdraw it.

Rules (issue 5, RELIABILITY row 5):
- a gate can be requested only for the project's current stage, once at a time, with every
  criterion of the checklist answered and a version of every required document type linked; a
  required document counts once **uploaded** (any version; it need not be approved yet: the
  deciders see each linked version's status and may recycle the gate or set conditions);
- only the sponsor or an executive of the portfolio decides, never the project's manager or deputy;
  a refused attempt is recorded as a security event (`permission_denied`);
- only `go` and `go with conditions` move the project on, one stage at a time (the last gate closes
  the project); `stop` cancels it, `hold` puts it on hold, `recycle` leaves it in its stage;
- every write runs in one transaction inside the audit context (pghistory records each row).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import GateReview
from governance.permissions import can_request_gate, gate_deciders, is_gate_decider
from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from pmo.core.models import Notification, SecurityEvent
from pmo.core.notifications import notify
from pmo.core.security import record
from portfolio.models import GateDefinition, Stage
from projects.models import Document, DocumentVersion, Project

Decision = GateReview.Decision
OPEN_STATES = (Project.State.PROPOSED, Project.State.ACTIVE, Project.State.ON_HOLD)


@dataclass(frozen=True)
class RequiredDocument:
    """A document type the gate requires and the project's document of that type, if any."""

    document_type: object
    document: Document | None

    @property
    def uploaded(self) -> bool:
        return self.document is not None and self.document.current_version_id is not None


def current_gate(project: Project) -> GateDefinition | None:
    if project.current_stage_id is None:
        return None
    return (
        GateDefinition.objects.filter(stage_id=project.current_stage_id)
        .prefetch_related("required_document_types")
        .first()
    )


def required_documents(project: Project, gate: GateDefinition) -> list[RequiredDocument]:
    """Each required document type of `gate` with the project's latest document of that type."""
    types = list(gate.required_document_types.all())
    documents = {}
    for document in (
        Document.objects.filter(project=project, document_type__in=types)
        .select_related("current_version")
        .order_by("updated_at")
    ):
        if document.current_version_id is not None:
            documents[document.document_type_id] = document
    return [RequiredDocument(document_type=t, document=documents.get(t.pk)) for t in types]


def _clean_checklist(gate: GateDefinition, answers) -> list[dict]:
    """One entry per criterion, in the gate's order: every one answered with a known answer."""
    answers = answers or []
    if isinstance(answers, dict):
        answers = [answers.get(str(i)) or answers.get(i) for i in range(len(gate.criteria))]
    if len(answers) != len(gate.criteria):
        raise ValidationError({"checklist": _("Answer every criterion of the gate's checklist.")})
    cleaned, missing = [], []
    for index, (criterion, answer) in enumerate(zip(gate.criteria, answers, strict=True), start=1):
        value = (answer or {}).get("answer", "") if isinstance(answer, dict) else (answer or "")
        comment = str((answer or {}).get("comment", "")).strip() if isinstance(answer, dict) else ""
        if value not in GateReview.Answer.values:
            missing.append(str(index))
        cleaned.append({"criterion": criterion, "answer": value, "comment": comment[:2000]})
    if missing:
        raise ValidationError(
            {
                "checklist": _("Answer every criterion of the checklist (missing: %(items)s).")
                % {"items": ", ".join(missing)}
            }
        )
    return cleaned


def record_denied(*, actor, action: str, project: Project, request=None) -> PermissionDenied:
    record(
        SecurityEvent.Kind.PERMISSION_DENIED,
        request=request,
        user=actor,
        detail=f"gate review {action} refused on project {project.pk} ({project.code})",
    )
    return PermissionDenied


def request_gate(
    *,
    actor,
    project: Project,
    checklist,
    document_versions: list[DocumentVersion] | None = None,
    comment: str = "",
    request=None,
) -> GateReview:
    """Request the passage of the project's current gate; nothing is written on any error.

    `document_versions`: the versions to link; None links the current version of every required
    document. Missing required documents raise a ValidationError naming them."""
    if not can_request_gate(actor, project):
        raise record_denied(actor=actor, action="request", project=project, request=request)
    if project.state not in OPEN_STATES or project.archived_at is not None:
        raise ValidationError(_("The project is closed: its gates can no longer be requested."))
    gate = current_gate(project)
    if gate is None:
        raise ValidationError(_("The project follows no methodology stage: there is no gate to request."))
    if GateReview.objects.filter(project=project, state=GateReview.State.REQUESTED).exists():
        raise ValidationError(_("A review of this project's gate is already awaiting a decision."))
    errors: dict[str, list[str]] = {}
    try:
        answers = _clean_checklist(gate, checklist)
    except ValidationError as error:
        errors.update(error.message_dict)
    required = required_documents(project, gate)
    if document_versions is None:
        versions = [r.document.current_version for r in required if r.uploaded]
    else:
        versions = list(document_versions)
        foreign = [v for v in versions if v.document.project_id != project.pk]
        if foreign:
            errors.setdefault("documents", []).append(_("These documents belong to another project."))
    linked_types = {v.document.document_type_id for v in versions}
    missing = [r.document_type.name for r in required if r.document_type.pk not in linked_types]
    if missing:
        errors.setdefault("documents", []).append(
            _("Missing required documents: %(names)s. Upload them in the Documents tab and link them.")
            % {"names": ", ".join(missing)}
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit_context(actor=actor, reason="gate requested"):
        review = GateReview.objects.create(
            project=project,
            gate=gate,
            stage_id=gate.stage_id,
            requested_by=actor,
            requested_at=timezone.now(),
            request_comment=comment.strip(),
            checklist=answers,
        )
        review.documents.set(versions)
        notify_deciders(review)
    return review


def _review_url(review: GateReview) -> str:
    return reverse("governance:gate-review-detail", args=[review.pk])


def notify_deciders(review: GateReview) -> int:
    project = review.project
    return notify(
        recipients=gate_deciders(project),
        kind=Notification.Kind.DECISION,
        title=_("Gate review requested: %(project)s — %(gate)s")
        % {"project": project.code, "gate": review.gate},
        key=f"gate-review-{review.pk}-requested",
        body=_("%(user)s asks for the passage of the gate of stage %(stage)s.")
        % {"user": review.requested_by, "stage": review.stage.name},
        url=_review_url(review),
    )


def _next_stage(stage: Stage) -> Stage | None:
    return (
        Stage.objects.filter(methodology_id=stage.methodology_id, order__gt=stage.order)
        .order_by("order")
        .first()
    )


def decide_gate(
    *,
    actor,
    review: GateReview,
    decision: str,
    rationale: str,
    conditions: str = "",
    version: int | None = None,
    request=None,
) -> GateReview:
    """Record the decision on a requested gate and apply it to the project (one transaction).

    A non-decider's attempt is recorded (security event) then refused (PermissionDenied)."""
    project = review.project
    if not is_gate_decider(actor, project):
        raise record_denied(actor=actor, action="decision", project=project, request=request)
    errors: dict[str, list[str]] = {}
    if decision not in Decision.values:
        errors["decision"] = [_("Choose a decision.")]
    if not (rationale or "").strip():
        errors["rationale"] = [_("Give the rationale of the decision.")]
    if decision == Decision.GO_WITH_CONDITIONS and not (conditions or "").strip():
        errors["conditions"] = [_("State the conditions of the go.")]
    if errors:
        raise ValidationError(errors)
    if review.state != GateReview.State.REQUESTED:
        raise ValidationError(_("This gate review was already decided or withdrawn."))
    with transaction.atomic(), audit_context(actor=actor, reason=f"gate decision: {decision}"):
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.current_stage_id != review.stage_id:
            raise ValidationError(_("The project is no longer in the stage this gate closes."))
        now = timezone.now()
        review = versioned_update(
            instance=review,
            expected_version=version if version is not None else review.version,
            fields={
                "state": GateReview.State.DECIDED,
                "decision": decision,
                "rationale": rationale.strip(),
                "conditions": (conditions or "").strip() if decision == Decision.GO_WITH_CONDITIONS else "",
                "decided_by": actor,
                "decided_at": now,
            },
        )
        changes = _project_changes(locked, review)
        if changes:
            Project.objects.filter(pk=locked.pk).update(version=F("version") + 1, updated_at=now, **changes)
        _notify_team(review)
    return review


def _project_changes(project: Project, review: GateReview) -> dict:
    decision = review.decision
    if decision in (Decision.GO, Decision.GO_WITH_CONDITIONS):
        following = _next_stage(review.stage)
        if following is None:
            return {"state": Project.State.CLOSED}
        changes = {"current_stage": following, "stage": following.name}
        if project.state in (Project.State.PROPOSED, Project.State.ON_HOLD):
            changes["state"] = Project.State.ACTIVE
        return changes
    if decision == Decision.STOP:
        return {"state": Project.State.CANCELLED}
    if decision == Decision.HOLD:
        return {"state": Project.State.ON_HOLD}
    return {}


def _notify_team(review: GateReview) -> int:
    project = review.project
    return notify(
        recipients=[project.manager, project.deputy, review.requested_by],
        kind=Notification.Kind.DECISION,
        title=_("Gate decided: %(project)s — %(decision)s")
        % {"project": project.code, "decision": review.get_decision_display()},
        key=f"gate-review-{review.pk}-decided",
        body=review.rationale,
        url=_review_url(review),
    )


def withdraw_gate(*, actor, review: GateReview, request=None) -> GateReview:
    """The requester's side withdraws a request still awaiting its decision."""
    if not can_request_gate(actor, review.project):
        raise record_denied(actor=actor, action="withdrawal", project=review.project, request=request)
    if review.state != GateReview.State.REQUESTED:
        raise ValidationError(_("This gate review was already decided or withdrawn."))
    with transaction.atomic(), audit_context(actor=actor, reason="gate request withdrawn"):
        return versioned_update(
            instance=review, expected_version=review.version, fields={"state": GateReview.State.WITHDRAWN}
        )
