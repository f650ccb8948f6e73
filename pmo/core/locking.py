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
