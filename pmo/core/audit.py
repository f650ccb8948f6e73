"""Who did it and why: every service write runs inside this context, so pghistory events carry it."""

import pghistory


def audit_context(*, actor, reason: str = ""):
    """Attach the acting user (and an optional reason) to every audit event written inside."""
    metadata = {"user": actor.pk if actor is not None else None}
    if reason:
        metadata["reason"] = reason
    return pghistory.context(**metadata)


def tracked(**kwargs):
    """Audit every insert, update and delete of a model with database triggers, append-only.

    Triggers (not signals) so that `update()`, bulk writes and raw SQL are caught too.
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
        **kwargs,
    )
