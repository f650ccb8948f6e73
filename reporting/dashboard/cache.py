"""Built dashboards kept in the process until the database's committed state changes.

Building the dashboard of 2,000 projects reads ~40,000 rows and costs a few hundred milliseconds;
sorting or paging its matrix, switching back to it, or a second reader of the same scope asks for the
same build. A build is kept under the PostgreSQL snapshot it was read after
(`pg_current_snapshot()`: the oldest running transaction, the next transaction id and the running
ones): any write committed anywhere in the database changes it, so a kept build is never older than
the last committed change, whatever wrote it (a form, the API, a Celery task, bulk SQL). Nothing is
kept while the current transaction has written (it would not see its own later writes), nor when the
request asks `Cache-Control: no-cache` (a hard refresh).

The kept objects are immutable (frozen dataclasses, tuples): requests share them without copies.
`DASHBOARD_CACHE_SIZE` builds per process (0: off, as in the tests that count queries).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.db import connection

T = TypeVar("T")

_lock = threading.Lock()
_entries: OrderedDict[Hashable, object] = OrderedDict()


def committed_state() -> str | None:
    """The snapshot of committed transactions, or None when this transaction has written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text, txid_current_if_assigned() IS NOT NULL")
        snapshot, has_written = cursor.fetchone()
    return None if has_written else snapshot


def size() -> int:
    return getattr(settings, "DASHBOARD_CACHE_SIZE", 8)


def kept(key: Hashable, build: Callable[[], T], *, refresh: bool = False) -> tuple[T, bool]:
    """(the build for `key` at the current committed state, whether it was kept from before)."""
    if size() <= 0:
        return build(), False
    state = committed_state()
    if state is None:
        return build(), False
    full_key = (key, state)
    with _lock:
        found = None if refresh else _entries.get(full_key)
        if found is not None:
            _entries.move_to_end(full_key)
            return found, True
    value = build()
    with _lock:
        _entries[full_key] = value
        _entries.move_to_end(full_key)
        while len(_entries) > size():
            _entries.popitem(last=False)
    return value, False


def clear() -> None:
    with _lock:
        _entries.clear()
