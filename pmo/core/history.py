"""Readable audit history of one object, from the pghistory event tables."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events

HIDDEN_FIELDS = {
    "id",
    "created_at",
    "updated_at",
    "version",
    "password",
    "last_login",
    "latest_report",
    "indicated",
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    user: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _display(model: type[models.Model], name: str, value, related: dict) -> str:
    if value in (None, ""):
        return "—"
    try:
        model_field = model._meta.get_field(name.removesuffix("_id"))
    except Exception:  # noqa: BLE001 - a field since removed from the model
        return str(value)
    if model_field.is_relation:
        return related.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return _format_value(model_field, value)


def _format_value(model_field, value) -> str:
    """Dates, amounts and flags as a French reader expects them (the event JSON holds raw values)."""
    try:
        if isinstance(model_field, models.DateTimeField):
            return date_format(parse_datetime(str(value)), "DATETIME_FORMAT")
        if isinstance(model_field, models.DateField):
            return date_format(date.fromisoformat(str(value)[:10]), "DATE_FORMAT")
        if isinstance(model_field, models.DecimalField):
            return number_format(
                Decimal(str(value)), decimal_pos=model_field.decimal_places, force_grouping=True
            )
        if isinstance(model_field, models.BooleanField):
            return str(_("yes") if value else _("no"))
    except (ValueError, TypeError, ArithmeticError):
        pass
    return str(value)


def history_for(obj: models.Model, *, limit: int = 200) -> list[HistoryEntry]:
    """Newest first: who changed which fields of `obj`, from what to what; excludes bookkeeping."""
    model = type(obj)
    newest = Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[: limit + 1]
    events = list(newest)[::-1]
    # Resolve users and related objects with one query per related model, never per event.
    wanted: dict[type[models.Model], set] = {}
    user_model = get_user_model()
    for event in events:
        if (event.pgh_context or {}).get("user"):
            wanted.setdefault(user_model, set()).add(event.pgh_context["user"])
        for name, value in (event.pgh_data or {}).items():
            try:
                model_field = model._meta.get_field(name.removesuffix("_id"))
            except Exception:  # noqa: BLE001, S112
                continue
            if model_field.is_relation and value is not None and model_field.related_model:
                wanted.setdefault(model_field.related_model, set()).add(value)
    related = {
        (related_model, pk): str(instance)
        for related_model, pks in wanted.items()
        for pk, instance in related_model._default_manager.in_bulk(list(pks)).items()
    }
    entries = []
    previous: dict = {}
    for event in events:
        data = event.pgh_data or {}
        action = event.pgh_label
        changes = []
        for name, value in data.items():
            if name in HIDDEN_FIELDS or name.removesuffix("_id") in HIDDEN_FIELDS:
                continue
            old = previous.get(name)
            if action == "insert" and value in (None, ""):
                continue
            if action != "insert" and old == value:
                continue
            if action == "delete":
                continue
            try:
                label = str(model._meta.get_field(name.removesuffix("_id")).verbose_name)
            except Exception:  # noqa: BLE001
                label = name
            changes.append(
                Change(
                    field=name,
                    label=label,
                    old=_display(model, name, old, related) if action != "insert" else "",
                    new=_display(model, name, value, related),
                )
            )
        context = event.pgh_context or {}
        if action == "update" and not changes:
            previous = data
            continue
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                action=action,
                user=related.get((user_model, context.get("user")), "") if context.get("user") else "",
                reason=context.get("reason", ""),
                changes=changes,
            )
        )
        previous = data
    entries.reverse()
    return entries[:limit]
