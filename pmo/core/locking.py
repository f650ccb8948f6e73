"""Optimistic locking as one compare-and-swap UPDATE, so two writers can never both win."""

from typing import Any

from django.db import models
from django.db.models import F


class StaleVersionError(Exception):
    """The row changed since the caller read it (HTTP 412)."""


def versioned_update(
    *, instance: models.Model, expected_version: int, fields: dict[str, Any]
) -> models.Model:
    """Write `fields` only if the row still has `expected_version`; bump the version atomically.

    Includes: the UPDATE and a refresh of the instance. Excludes: validation (callers validate first).
    """
    model = type(instance)
    values = dict(fields)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        from django.utils import timezone

        values["updated_at"] = timezone.now()
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated == 0:
        raise StaleVersionError
    instance.refresh_from_db()
    return instance
