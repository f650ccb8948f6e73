"""RELIABILITY row 18: every tracked model, every write path, one audit event per affected row.

The tracked models are found through pghistory (any new `@tracked()` model joins automatically).
Each runs on rows of the demo seed: `save()`, `QuerySet.update()`, `bulk_update()`, raw SQL
`UPDATE`, `QuerySet.delete()`, then `bulk_create()` of the deleted rows. Inside the audit context
and a request context (what HistoryMiddleware adds), each event must name the user and the URL and
carry a UTC timestamp. tests/core/test_audit.py covers the same paths on Project alone.
"""

from datetime import timedelta
from unittest import mock

import pghistory
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from pghistory.models import Event

from pmo.core.audit import audit_context
from tests.factories import PortfolioFactory, ProgrammeFactory, UserFactory

ROWS = 3
URL = "/reliability/audit/"


def tracked_models() -> list[type[models.Model]]:
    """(tracked model) for every concrete pghistory event model of the project's apps."""
    found = {
        model.pgh_tracked_model
        for model in apps.get_models()
        if issubclass(model, Event) and getattr(model, "pgh_tracked_model", None) is not None
    }
    return sorted(found, key=lambda m: m._meta.label)


def event_model(model):
    return next(
        m
        for m in apps.get_models()
        if issubclass(m, Event) and getattr(m, "pgh_tracked_model", None) is model
    )


def changeable_field(model) -> models.Field:
    """A field safe to change on any row: free text when there is one (not unique, no choices, in
    no constraint), else the `updated_at` timestamp."""
    constrained = {
        name for constraint in model._meta.constraints for name in getattr(constraint, "fields", ()) or ()
    } | {name for group in model._meta.unique_together for name in group}
    tracked = {f.name for f in event_model(model)._meta.fields}
    candidates = [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField | models.EmailField)
        and not field.unique
        and not field.choices
        and field.name not in constrained
        and field.name in tracked
        and field.name not in ("password", "username")
    ]
    candidates.sort(key=lambda f: (not isinstance(f, models.TextField), f.name))
    if candidates:
        return candidates[0]
    assert "updated_at" in tracked, f"{model._meta.label}: no field to change"
    return model._meta.get_field("updated_at")


def new_value(field: models.Field, path: str, old=None):
    if isinstance(field, models.DateTimeField):
        return timezone.now() + timedelta(days=1 + len(path))
    return f"{(old or '')[:50]} maj par {path}"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seed, loaded once for the module inside a transaction rolled back at the end."""
    started = timezone.now()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # Rows of every seeded model are what matters here, not half a year of weekly reports.
            with mock.patch("projects.seed.HISTORY_WEEKS", 4):
                call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
            # Triggers stamp events with now(), the start of this long transaction: the lower bound.
            yield started
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def actor(seeded, db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="pmo")


@pytest.fixture
def transaction_started(seeded):
    return seeded


def new_events(model, since: int, label: str):
    return list(
        event_model(model).objects.filter(pgh_id__gt=since, pgh_label=label).select_related("pgh_context")
    )


def last_event_id(model) -> int:
    return event_model(model).objects.order_by("-pgh_id").values_list("pgh_id", flat=True).first() or 0


def deletable_rows(model, count: int) -> list[models.Model]:
    """Rows that delete() may remove (nothing PROTECTs or RESTRICTs them), newest first."""
    rows = []
    for row in model._default_manager.order_by("-pk")[:500]:
        try:
            Collector(using="default").collect([row])
        except (ProtectedError, RestrictedError):
            continue
        rows.append(row)
        if len(rows) == count:
            break
    return rows


def check_context(events, actor, since_time) -> list[str]:
    problems = []
    for event in events:
        metadata = event.pgh_context.metadata if event.pgh_context else {}
        if metadata.get("user") != actor.pk or metadata.get("url") != URL:
            problems.append(f"event {event.pgh_id}: context {metadata}")
        at = event.pgh_created_at
        if at.utcoffset() != timedelta(0) or not since_time <= at <= timezone.now():
            problems.append(f"event {event.pgh_id}: timestamp {at!r}")
    return problems


def run_path(model, path: str, rows, field, actor):
    """Apply one write path to `rows`; returns (label of the events expected, affected row count)."""
    pks = [row.pk for row in rows]
    manager = model._default_manager
    with pghistory.context(url=URL), audit_context(actor=actor):
        if path == "save":
            for row in rows:
                setattr(row, field.attname, new_value(field, path, getattr(row, field.attname)))
                row.save()
            return "update", len(rows)
        if path == "update":
            return "update", manager.filter(pk__in=pks).update(**{field.attname: new_value(field, path)})
        if path == "bulk_update":
            for row in rows:
                setattr(row, field.attname, new_value(field, path))
            return "update", manager.bulk_update(rows, [field.name])
        if path == "raw_sql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{model._meta.db_table}" SET "{field.column}" = %s '  # noqa: S608
                    f'WHERE "{model._meta.pk.column}" = ANY(%s)',
                    [new_value(field, path), pks],
                )
                return "update", cursor.rowcount
        if path == "delete":
            _total, per_model = manager.filter(pk__in=pks).delete()
            return "delete", per_model.get(model._meta.label, 0)
        if path == "bulk_create":
            return "insert", len(manager.bulk_create(rows))
    raise AssertionError(path)


MODELS = tracked_models()

# Models whose seeded rows are all protected by a child: the delete and bulk_create paths run on
# fresh rows made by a factory, or else on copies of seeded rows (when their constraints allow it).
FRESH = {
    "core.User": lambda: UserFactory.create_batch(ROWS),
    "portfolio.Portfolio": lambda: PortfolioFactory.create_batch(ROWS),
    "portfolio.Programme": lambda: ProgrammeFactory.create_batch(ROWS),
}


def copies_of_seeded_rows(model) -> list[models.Model]:
    """Unprotected copies of seeded rows, unique text fields suffixed; [] when a constraint refuses."""
    copies = []
    for number, row in enumerate(model._default_manager.order_by("-pk")[:ROWS]):
        row.pk = None
        row._state.adding = True
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key:
                if not isinstance(field, models.CharField):
                    return []
                setattr(
                    row, field.attname, f"{getattr(row, field.attname)}-copie{number}"[: field.max_length]
                )
        try:
            with transaction.atomic():
                row.save()
        except Exception:  # noqa: BLE001 - any refusal means "no copy possible"
            return []
        copies.append(row)
    return copies


def rows_to_delete(model) -> list[models.Model]:
    rows = deletable_rows(model, ROWS)
    if len(rows) >= 2:
        return rows
    if model._meta.label in FRESH:
        return FRESH[model._meta.label]()
    return copies_of_seeded_rows(model)


def check_paths(model, paths, field, actor, since) -> list[str]:
    problems = []
    for path, targets in paths:
        before = last_event_id(model)
        label, affected = run_path(model, path, targets, field, actor)
        events = new_events(model, before, label)
        if affected != len(targets):
            problems.append(f"{path}: {affected} rows affected, expected {len(targets)}")
        if len(events) != affected:
            problems.append(f"{path}: {len(events)} {label} events for {affected} rows")
        problems += [f"{path}: {p}" for p in check_context(events, actor, since)]
        if path == "delete" and model._default_manager.filter(pk__in=[r.pk for r in targets]).exists():
            problems.append("delete: rows still there")
    return problems


IDS = [m._meta.label for m in MODELS]


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_updates_leave_one_event_per_affected_row(model, actor, transaction_started):
    """save(), QuerySet.update(), bulk_update() and raw SQL UPDATE on seeded rows."""
    rows = list(model._default_manager.order_by("-pk")[:ROWS])
    if not rows:
        pytest.skip(f"the demo seed has no {model._meta.label} row")
    field = changeable_field(model)
    paths = [(path, rows) for path in ("save", "update", "bulk_update", "raw_sql")]
    assert check_paths(model, paths, field, actor, transaction_started) == [], field.name


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_delete_and_bulk_create_leave_one_event_per_row(model, actor, transaction_started):
    """QuerySet.delete() of unprotected rows, then bulk_create() of the same rows."""
    rows = rows_to_delete(model)
    if not rows:
        pytest.skip(f"no deletable {model._meta.label} row (add a factory to FRESH)")
    field = changeable_field(model)
    paths = [("delete", rows), ("bulk_create", rows)]
    assert check_paths(model, paths, field, actor, transaction_started) == []


def test_every_tracked_model_is_exercised(seeded, db):
    """The models found above include every one the project decorated with @tracked()."""
    labels = {m._meta.label for m in MODELS}
    assert {"projects.Project", "projects.StatusReport", "projects.CostLine", "core.User"} <= labels
