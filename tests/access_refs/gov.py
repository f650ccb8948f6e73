"""References of tests/access_spec.d/gov.yaml: a meeting of committee A whose minutes were approved
(frozen), on top of the committees and meetings of tests/access_refs/change.py."""

from datetime import timedelta

from django.utils import timezone

from governance.models import Meeting


def references(world, refs: dict) -> dict:
    approved = Meeting.objects.create(
        committee=refs["committee_a"],
        starts_at=timezone.now() - timedelta(days=30),
        place="Salle du conseil",
        state=Meeting.State.MINUTES_APPROVED,
        minutes="Relevé approuvé.",
    )
    approved.attendees.set(refs["committee_a"].members.all())
    return {"meeting_approved_a": approved}
