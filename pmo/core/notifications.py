"""The in-app notification centre: write once per (recipient, key), read by the user only."""

from collections.abc import Iterable

from pmo.core.models import Notification


def notify(*, recipients: Iterable, kind: str, title: str, key: str, body: str = "", url: str = "") -> int:
    """Notify each recipient once per `key` (a re-run sends nothing twice); returns how many were new."""
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not users:
        return 0
    existing = set(
        Notification.objects.filter(recipient_id__in=users, key=key).values_list("recipient_id", flat=True)
    )
    created = Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, kind=kind, title=title[:200], body=body, url=url, key=key[:200])
            for pk in users
            if pk not in existing
        ],
        ignore_conflicts=True,
    )
    return len(created)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    from django.utils import timezone

    notifications = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        notifications = notifications.filter(pk__in=list(ids))
    return notifications.update(read_at=timezone.now())
