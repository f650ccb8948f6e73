"""Writes on methodologies (PMO officers): the methodology, its stages with their gates, and its
document types with their templates. Audited; validated before anything is written."""

import copy
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from pmo.core.uploads import check_upload
from portfolio.models import DocumentType, GateDefinition, Methodology, Stage, is_pmo_officer


def _require_pmo(actor) -> None:
    if not is_pmo_officer(actor):
        raise PermissionDenied


def methodology_create(*, actor, data: dict[str, Any]) -> Methodology:
    _require_pmo(actor)
    methodology = Methodology(**data)
    methodology.full_clean()
    with transaction.atomic(), audit_context(actor=actor):
        methodology.save()
    return methodology


def methodology_update(*, actor, methodology: Methodology, version: int, data: dict[str, Any]) -> Methodology:
    _require_pmo(actor)
    candidate = copy.copy(methodology)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["version"])
    with transaction.atomic(), audit_context(actor=actor):
        return versioned_update(instance=methodology, expected_version=version, fields=data)


def _clean_criteria(criteria) -> list[str]:
    if isinstance(criteria, str):
        criteria = criteria.splitlines()
    return [str(line).strip()[:500] for line in criteria if str(line).strip()]


def stage_save(
    *,
    actor,
    methodology: Methodology,
    data: dict[str, Any],
    stage: Stage | None = None,
) -> Stage:
    """Create (at the end) or change a stage and its gate: name, description, gate name, criteria
    (a list or one per line) and required document types (of the same methodology)."""
    _require_pmo(actor)
    required = list(data.get("required_document_types") or [])
    if any(t.methodology_id != methodology.pk for t in required):
        raise ValidationError(
            {"required_document_types": _("These document types belong to another methodology.")}
        )
    name = (data.get("name") or "").strip()
    clash = Stage.objects.filter(methodology=methodology, name=name)
    if stage is not None:
        clash = clash.exclude(pk=stage.pk)
    errors = {}
    if not name:
        errors["name"] = _("This field is required.")
    elif clash.exists():
        errors["name"] = _("This methodology already has a stage of that name.")
    if not (data.get("gate_name") or "").strip():
        errors["gate_name"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit_context(actor=actor):
        if stage is None:
            last = Stage.objects.filter(methodology=methodology).aggregate(last=Max("order"))["last"] or 0
            stage = Stage.objects.create(
                methodology=methodology, order=last + 1, name=name, description=data.get("description", "")
            )
        else:
            stage.name, stage.description = name, data.get("description", "")
            stage.save(update_fields=["name", "description", "updated_at"])
        gate, _created = GateDefinition.objects.get_or_create(
            stage=stage, defaults={"name": data["gate_name"]}
        )
        gate.name = data["gate_name"].strip()
        gate.criteria = _clean_criteria(data.get("criteria") or [])
        gate.save(update_fields=["name", "criteria", "updated_at"])
        gate.required_document_types.set(required)
        Methodology.objects.filter(pk=methodology.pk).update(version=methodology.version + 1)
    return stage


def document_type_save(
    *,
    actor,
    methodology: Methodology,
    data: dict[str, Any],
    document_type: DocumentType | None = None,
    template_name: str = "",
    template_data: bytes | None = None,
) -> DocumentType:
    """Create or change a document type; an uploaded template is checked like any document."""
    _require_pmo(actor)
    checked = None
    errors: dict[str, list[str]] = {}
    if template_data is not None:
        try:
            checked = check_upload(name=template_name, data=template_data)
        except ValidationError as error:
            errors["template"] = error.messages
    candidate = document_type or DocumentType(methodology=methodology)
    for name in ("code", "name", "description"):
        if name in data:
            setattr(candidate, name, data[name])
    try:
        candidate.full_clean(exclude=["template"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit_context(actor=actor):
        if checked is not None:
            old = candidate.template.name if candidate.template else ""
            candidate.template.save(checked.name, ContentFile(checked.data), save=False)
            candidate.template_name = checked.name
            if old:
                transaction.on_commit(lambda: candidate.template.storage.delete(old))
        candidate.save()
    return candidate
