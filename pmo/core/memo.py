"""A per-request memo on the signed-in user, for facts many queries of one request need (the user's
portfolio roles): computed once per request instead of once per queryset.

`RequestMemoMiddleware` gives the request's user an empty memo; a user object without one (a
management command, a Celery task, a test calling a selector directly) computes every time, so
nothing is ever stale across requests.
"""

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_ATTRIBUTE = "_request_memo"


def memoised(user, key: str, compute: Callable[[], T]) -> T:
    """`compute()` once per request for this user and key; every time outside a request."""
    memo = getattr(user, _ATTRIBUTE, None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(user) -> None:
    """Drop what was memoised for this user object (after changing their memberships)."""
    memo = getattr(user, _ATTRIBUTE, None)
    if memo is not None:
        memo.clear()


def start(user) -> None:
    setattr(user, _ATTRIBUTE, {})
