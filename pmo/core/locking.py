"""Optimistic locking as one compare-and-swap UPDATE, so two writers can never both win."""

import functools
import random
import time
from typing import Any

from django.db import OperationalError, connection, models
from django.db.models import F


class StaleVersionError(Exception):
    """The row changed since the caller read it (HTTP 412)."""


def versioned_update(
    *, instance: models.Model, expected_version: int, fields: dict[str, Any]
) -> models.Model:
    """Write `fields` only if the row still has `expected_version`; bump the version atomically.

    Includes: the UPDATE and the instance brought up to date (the written values set on it when it was
    read at `expected_version`, else read back). Excludes: validation (callers validate first).
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
    if (
        instance.version == expected_version
        and not any(hasattr(value, "resolve_expression") for value in values.values())
        and not any(getattr(f, "generated", False) for f in model._meta.concrete_fields)
    ):
        # The instance was read at the version just replaced, so its other columns are the row's:
        # set what was written instead of reading the row back (not when the database computes
        # columns: generated fields).
        for name, value in values.items():
            field = model._meta.get_field(name)
            if not field.is_relation and value is not None:
                value = field.to_python(value)
            setattr(instance, name, value)
        instance.version = expected_version + 1
    else:
        instance.refresh_from_db()
    return instance


# serialization_failure and deadlock_detected: PostgreSQL aborted the transaction, and running it
# again from the start is the documented remedy.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_retryable(error: BaseException) -> bool:
    """True when `error` (or what caused it) is a PostgreSQL serialization failure or deadlock."""
    while error is not None:
        if getattr(error, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        error = error.__cause__
    return False


def retry_on_conflict(func=None, *, attempts: int = 5, backoff: float = 0.02):
    """Re-run a whole transaction (up to `attempts` times, with a short growing pause) when
    PostgreSQL aborts it with 40001/40P01. Wrap the outermost `transaction.atomic`: inside an
    enclosing transaction there is nothing left to retry, so the error is raised at once."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    return function(*args, **kwargs)
                except OperationalError as error:
                    if connection.in_atomic_block or attempt == attempts or not is_retryable(error):
                        raise
                    time.sleep(backoff * attempt * (1 + random.random()))
            raise AssertionError("unreachable")

        return wrapper

    return decorate(func) if func is not None else decorate
