"""Schedule import service: preview, all-or-nothing apply, re-import by source id, forecast history."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pmo.core.periods import week_start
from projects.imports import schedule as service
from projects.imports.common import ScheduleImportError
from projects.models import CostLine, Milestone, MilestoneForecast, Project, ScheduleImport
from tests.imports.helpers import milestone, mspdi, phase, sample, work

pytestmark = pytest.mark.django_db


def _plan(*, go_forecast="2026-03-02", go_actual=None, extra=()):
    return mspdi(
        phase(1, "Conception"),
        milestone(2, "Go conception", go_forecast, baseline="2026-02-23", actual=go_actual),
        phase(3, "Réalisation"),
        milestone(4, "Recette", "2026-05-29", baseline="2026-05-15"),
        work(5, "Build", "2026-01-05", "2026-02-27", cost=3000, actual_cost=1000, baseline_cost=2800),
        *extra,
    )


def _import(world, data, *, user="pm_a", project="a1", filename="plan.xml", **kwargs):
    pending, plan = service.schedule_import_upload(
        actor=world.users[user],
        filename=filename,
        data=data,
        project=getattr(world, project) if project else None,
        **kwargs,
    )
    return pending, plan


def test_preview_writes_nothing_then_apply_writes_everything(world):
    pending, plan = _import(world, _plan())

    assert (plan.new, plan.updated, plan.unchanged, plan.milestones_in_file) == (2, 0, 0, 2)
    assert (plan.planned_total, plan.actual_total, plan.forecast_total) == (
        Decimal("2800.00"),
        Decimal("1000.00"),
        Decimal("3000.00"),
    )
    assert not Milestone.objects.filter(project=world.a1, source="mspdi").exists()

    result = service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=pending)

    assert (result["new"], result["cost_lines"], result["project"]) == (2, 2, world.a1.pk)
    go = Milestone.objects.get(project=world.a1, source="mspdi", source_uid="2")
    assert (go.name, go.phase, go.baseline_date, go.forecast_date, go.actual_date) == (
        "Go conception",
        "Conception",
        date(2026, 2, 23),
        date(2026, 3, 2),
        None,
    )
    assert go.description == "WBS : Conception"
    world.a1.refresh_from_db()
    assert (world.a1.start_date, world.a1.end_date) == (date(2026, 1, 5), date(2026, 6, 30))
    lines = CostLine.objects.filter(project=world.a1, category="opex").order_by("month")
    assert [(line.month, line.planned, line.actual, line.forecast) for line in lines] == [
        # 27 days in January and 27 in February; the actual cost, started on 5 January and with no
        # finish or stop date, is booked in January
        (date(2026, 1, 1), Decimal("1400.00"), Decimal("1000.00"), Decimal("1500.00")),
        (date(2026, 2, 1), Decimal("1400.00"), Decimal("0.00"), Decimal("1500.00")),
    ]
    this_week = week_start(timezone.localdate())
    assert set(
        MilestoneForecast.objects.filter(milestone__project=world.a1).values_list("period_start", flat=True)
    ) == {this_week}
    pending.refresh_from_db()
    assert pending.state == ScheduleImport.State.APPLIED


def test_reimport_updates_the_same_milestones_and_records_forecast_history(world):
    first, _plan_first = _import(world, _plan())
    service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=first)
    go = Milestone.objects.get(project=world.a1, source_uid="2")
    # the first forecast was recorded a week ago: the re-import adds this week's point of the trend
    last_week = week_start(timezone.localdate()) - timedelta(weeks=1)
    MilestoneForecast.objects.filter(milestone=go).update(period_start=last_week)

    same, plan_same = _import(world, _plan())
    assert (plan_same.new, plan_same.updated, plan_same.unchanged) == (0, 0, 2)

    slipped, plan = _import(world, _plan(go_forecast="2026-03-16", go_actual="2026-03-16"))
    assert (plan.new, plan.updated, plan.unchanged, plan.forecast_changes) == (0, 1, 1, 1)
    service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=slipped)

    assert Milestone.objects.filter(project=world.a1, source="mspdi").count() == 2
    go.refresh_from_db()
    assert (go.forecast_date, go.actual_date, go.status, go.version) == (
        date(2026, 3, 16),
        date(2026, 3, 16),
        Milestone.Status.ACHIEVED,
        2,
    )
    assert list(
        MilestoneForecast.objects.filter(milestone=go).values_list("period_start", "forecast_date")
    ) == [
        (last_week, date(2026, 3, 2)),
        (week_start(timezone.localdate()), date(2026, 3, 16)),
    ]
    # an unchanged milestone gets no new history point
    assert MilestoneForecast.objects.filter(milestone__source_uid="4").count() == 1


def test_failure_midway_writes_nothing(world, monkeypatch):
    pending, _plan_ = _import(world, _plan())
    start_before = Project.objects.get(pk=world.a1.pk).start_date

    def broken(**kwargs):
        raise ValidationError("panne")

    monkeypatch.setattr(service, "cost_line_set", broken)
    with pytest.raises(ValidationError):
        service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=pending)

    assert not Milestone.objects.filter(project=world.a1).exists()
    assert not CostLine.objects.filter(project=world.a1).exists()
    assert Project.objects.get(pk=world.a1.pk).start_date == start_before
    assert ScheduleImport.objects.get(pk=pending.pk).state == ScheduleImport.State.PENDING


def test_truncated_mspdi_stores_and_writes_nothing(world):
    data = sample("msproject-sample.xml")

    with pytest.raises(ScheduleImportError, match="tronqué"):
        _import(world, data[: len(data) // 3])

    assert not ScheduleImport.objects.exists()
    assert not Milestone.objects.exists()


def test_invalid_xer_is_a_clean_partial_import(world):
    pending, plan = _import(world, sample("p6-invalid.xer"), filename="p6-invalid.xer")
    assert (plan.new, plan.cost_loaded) == (0, False)
    assert "Aucun jalon (activité jalon ou de durée nulle) dans ce projet." in plan.warnings

    result = service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=pending)

    assert result["new"] == 0
    assert not Milestone.objects.filter(project=world.a1).exists()
    world.a1.refresh_from_db()
    assert (world.a1.start_date, world.a1.end_date) == (date(2015, 2, 24), date(2015, 7, 13))


def test_mspdi_sample_into_a_new_project(world):
    pending, plan = _import(
        world,
        sample("msproject-sample.xml"),
        user="pmo_a",
        project=None,
        filename="msproject-sample.xml",
        new_project={"portfolio": world.portfolio_a.pk, "code": "ms-sample", "name": ""},
        cost_category="capex",
    )

    result = service.schedule_import_apply(actor=world.users["pmo_a"], schedule_import=pending)

    project = Project.objects.get(pk=result["project"])
    assert (project.code, project.name, project.portfolio, project.budget) == (
        "ms-sample",
        "sample",
        world.portfolio_a,
        Decimal("352625.00"),
    )
    assert list(project.milestones.values_list("name", "forecast_date")) == [("Third task", date(2003, 1, 7))]
    assert project.cost_lines.filter(category="capex").count() == 3


def test_large_xer_into_a_new_project(world):
    pending, plan = _import(
        world,
        sample("p6-sp10-cost-loaded.xer"),
        user="pmo_a",
        project=None,
        filename="sp10.xer",
        new_project={"portfolio": world.portfolio_a.pk, "code": "hs2", "name": "HS2"},
    )
    started = time.perf_counter()
    result = service.schedule_import_apply(actor=world.users["pmo_a"], schedule_import=pending)
    elapsed = time.perf_counter() - started

    project = Project.objects.get(pk=result["project"])
    assert project.milestones.count() == 1368
    assert project.milestones.filter(actual_date__isnull=False, status="achieved").count() == result[
        "new"
    ] - (project.milestones.filter(actual_date__isnull=True).count())
    lines = project.cost_lines.all()
    assert len(lines) == 49
    assert sum(line.planned for line in lines) == Decimal("215918496.68")
    assert sum(line.actual for line in lines) == Decimal("16001858.60")
    assert sum(line.forecast for line in lines) == Decimal("217652329.92")
    assert project.budget == Decimal("215918496.68")
    assert elapsed < 20

    again, plan_again = _import(
        world,
        sample("p6-sp10-cost-loaded.xer"),
        user="pmo_a",
        project=None,
        filename="sp10.xer",
        new_project={"portfolio": world.portfolio_a.pk, "code": "hs2-b", "name": ""},
    )
    assert plan_again.new == 1368  # another project: nothing matched
    replan = service.plan_schedule_import(
        schedule=service.parse_schedule(filename="x.xer", data=sample("p6-sp10-cost-loaded.xer")),
        project=project,
    )
    assert (replan.new, replan.updated, replan.unchanged) == (0, 0, 1368)


def test_only_editors_may_import_into_a_project(world):
    for name in ("team", "sponsor", "pm_b"):
        with pytest.raises(PermissionDenied):
            _import(world, _plan(), user=name)
    with pytest.raises(PermissionDenied):
        _import(
            world,
            _plan(),
            user="pm_a",
            project=None,
            new_project={"portfolio": world.portfolio_a.pk, "code": "x"},
        )


def test_only_the_uploader_applies_and_only_once(world):
    pending, _plan_ = _import(world, _plan())
    with pytest.raises(PermissionDenied):
        service.schedule_import_apply(actor=world.users["pmo_a"], schedule_import=pending)

    service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=pending)
    with pytest.raises(ValidationError):
        service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=pending)
    assert Milestone.objects.filter(project=world.a1).count() == 2


def test_changed_stored_file_is_refused(world):
    pending, _plan_ = _import(world, _plan())
    with pending.file.open("wb") as handle:
        handle.write(_plan(go_forecast="2027-01-01"))

    with pytest.raises(ScheduleImportError, match="a changé"):
        service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=pending)
    assert not Milestone.objects.exists()


def test_stale_pending_uploads_are_purged_on_the_next_upload(world):
    old, _plan_old = _import(world, _plan())
    ScheduleImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)

    recent, _plan_recent = _import(world, _plan())

    assert list(ScheduleImport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not storage.exists(name)


def test_the_applied_file_is_deleted_after_commit(world, django_capture_on_commit_callbacks):
    pending, _plan_ = _import(world, _plan())
    storage, name = pending.file.storage, pending.file.name

    with django_capture_on_commit_callbacks(execute=True):
        service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=pending)

    assert not storage.exists(name)


def test_management_command_dry_run_writes_nothing(world):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "import_schedule",
        "tests/imports/samples/msproject-sample.xml",
        user="pm_a",
        project=world.a1.pk,
        dry_run=True,
        stdout=out,
    )

    result = json.loads(out.getvalue())
    assert (result["new"], result["planned_total"]) == (1, "352625.00")
    assert not ScheduleImport.objects.exists() and not Milestone.objects.exists()


def test_every_written_milestone_is_audited_with_actor_and_reason(world):
    from django.apps import apps

    pending, _plan_ = _import(world, _plan(), filename="plan-v1.xml")
    service.schedule_import_apply(actor=world.users["pm_a"], schedule_import=pending)

    events = apps.get_model("projects", "MilestoneEvent").objects.filter(pgh_obj__project=world.a1)
    assert events.count() == 2
    for event in events:
        assert event.pgh_label == "insert"
        assert event.pgh_context.metadata["user"] == world.users["pm_a"].pk
        assert event.pgh_context.metadata["reason"] == "Import de planning MS Project XML : plan-v1.xml"
