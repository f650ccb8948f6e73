"""The registers of a project at an instant, rebuilt from their pghistory audit events.

An event counts at the row's own `updated_at` as it recorded it (set on every write, by `save()` and
by `versioned_update`): that is when the change happened, also for rows written with a past date
(imports, the demo's history); a delete counts when it happened. A row that exists at an instant but
whose first recorded state is later (written once in its final state) is taken to have been in its
initial status (open, planned) with the same values until then.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

# --- Registers at an instant, from their audit events ----------------------------------------------


def _event_time(event: dict) -> datetime:
    return event["pgh_created_at"] if event["pgh_label"] == "delete" else event["updated_at"]


def states_at(events: Iterable[dict], at: datetime, *, initial: dict) -> dict[int, dict]:
    """Each row's values at `at`, by row id, from its audit events (see the module docstring).

    `events` are the rows of a pghistory event table as dicts (pgh_obj_id, pgh_id, pgh_label,
    pgh_created_at, created_at, updated_at and the fields wanted). Rows not created yet at `at`, or
    deleted by then, are absent.
    """
    by_row: dict[int, list[dict]] = defaultdict(list)
    for event in events:
        by_row[event["pgh_obj_id"]].append(event)
    states = {}
    for row_id, row_events in by_row.items():
        created = min(e["created_at"] for e in row_events)
        if at < created:
            continue
        timeline = sorted(row_events, key=lambda e: (_event_time(e), e["pgh_id"]))
        known = [e for e in timeline if _event_time(e) <= at]
        if known:
            if known[-1]["pgh_label"] == "delete":
                continue
            states[row_id] = dict(known[-1])
        else:
            first = next(e for e in timeline if e["pgh_label"] != "delete")
            states[row_id] = {**first, **initial}
    return states


def events_of(model, *, project_id: int, until: datetime, fields: tuple[str, ...]) -> list[dict]:
    """The audit events of one project's rows created by `until` (1 query, indexed on project)."""
    return list(
        model.pgh_event_model.objects.filter(project_id=project_id, created_at__lte=until)
        .order_by("pgh_obj_id", "pgh_id")
        .values("pgh_obj_id", "pgh_id", "pgh_label", "pgh_created_at", "created_at", "updated_at", *fields)
    )


RISK_FIELDS = (
    "title",
    "probability",
    "impact",
    "is_opportunity",
    "status",
    "owner_id",
    "proximity_date",
    "trend",
)
ISSUE_FIELDS = ("title", "severity", "status", "owner_id", "due_date")
MILESTONE_FIELDS = ("name", "baseline_date", "forecast_date", "actual_date", "is_key", "status")
DELIVERABLE_FIELDS = ("name", "due_date", "state", "owner_id")
