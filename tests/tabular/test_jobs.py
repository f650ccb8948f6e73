"""Import jobs: small files checked and applied within the request, large ones by Celery tasks with
progress in Redis; a duplicated message never writes twice; other people's jobs are invisible."""

import pytest
from django.core.exceptions import PermissionDenied

from projects.models import Risk, TabularImport
from projects.tabular import safety, services
from projects.tasks import tabular_apply, tabular_validate
from tests.tabular.helpers import row, workbook

pytestmark = pytest.mark.django_db
State = TabularImport.State


def _risks(count: int, project: str = "a1") -> bytes:
    return workbook(
        {
            "risks": [
                row("risks", project=project, title=f"R{i}", probability=2, impact=3) for i in range(count)
            ]
        }
    )


def test_small_file_is_checked_then_applied_in_the_request(world, django_capture_on_commit_callbacks):
    pm = world.users["pm_a"]
    job = services.tabular_import_upload(
        actor=pm, portfolio=world.portfolio_a, filename="r.xlsx", data=_risks(3)
    )

    assert job.state == State.READY and job.rows == 3 and len(job.sha256) == 64
    assert job.result["totals"] == {"create": 3, "update": 0, "unchanged": 0}
    assert not Risk.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        job = services.confirm(actor=pm, job=job)
    job.refresh_from_db()

    assert job.state == State.APPLIED and Risk.objects.count() == 3
    assert job.result["applied"] == {"create": 3, "update": 0, "unchanged": 0}
    assert not job.file  # the upload is deleted once applied
    # a second confirmation does nothing
    assert services.confirm(actor=pm, job=job).state == State.APPLIED and Risk.objects.count() == 3


def test_same_content_again_is_recognised_and_creates_nothing(world):
    pm = world.users["pm_a"]
    data = _risks(2)  # one file: two workbooks saved a second apart differ by their timestamps
    first = services.tabular_import_upload(
        actor=pm, portfolio=world.portfolio_a, filename="r.xlsx", data=data
    )
    services.confirm(actor=pm, job=first)

    again = services.tabular_import_upload(
        actor=pm, portfolio=world.portfolio_a, filename="r2.xlsx", data=data
    )

    assert again.sha256 == first.sha256 and "previously_applied" in again.result
    assert again.result["totals"] == {"create": 0, "update": 0, "unchanged": 2}


def test_large_file_runs_in_tasks_with_progress(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "SYNC_MAX_BYTES", 10)
    steps = []
    original = services.set_progress
    monkeypatch.setattr(services, "set_progress", lambda *a: (steps.append(a[1:]), original(*a)))
    pm = world.users["pm_a"]
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.tabular_import_upload(
            actor=pm, portfolio=world.portfolio_a, filename="r.xlsx", data=_risks(50)
        )
    assert job.state == State.QUEUED and len(callbacks) == 1

    assert tabular_validate(str(job.pk)) == State.READY
    assert tabular_validate(str(job.pk)) == "skipped"  # a redelivered message
    job.refresh_from_db()
    monkeypatch.setattr(tabular_apply, "delay", lambda job_id: None)  # the worker runs it below
    job = services.confirm(actor=pm, job=job)
    assert job.state == State.APPLYING
    assert services.progress_of(job)["step"] == "En attente"

    assert tabular_apply(str(job.pk)) == "applied"
    assert tabular_apply(str(job.pk)) == "skipped"
    assert Risk.objects.count() == 50
    assert steps[0][0] == 0 and max(p for p, _s in steps) == 100
    assert any("créations" in step for _p, step in steps)


def test_data_changed_since_the_preview_is_caught_when_applying(world):
    pm = world.users["pm_a"]
    job = services.tabular_import_upload(
        actor=pm, portfolio=world.portfolio_a, filename="r.xlsx", data=_risks(2)
    )
    world.a1.manager = world.other_pm  # pm_a no longer manages a1
    world.a1.save()

    job = services.confirm(actor=pm, job=job)

    assert job.state == State.INVALID and job.result["error_count"] == 2
    assert not Risk.objects.exists()


def test_refused_files_store_nothing(world):
    with pytest.raises(safety.TabularFileError):
        services.tabular_import_upload(
            actor=world.users["pm_a"],
            portfolio=world.portfolio_a,
            filename="r.xlsx",
            data=b"PK\x03\x04broken",
        )
    assert not TabularImport.objects.exists()


def test_only_importers_upload_and_only_the_uploader_confirms(world):
    for name in ("team", "sponsor", "executive", "pm_b"):
        with pytest.raises(PermissionDenied):
            services.tabular_import_upload(
                actor=world.users[name], portfolio=world.portfolio_a, filename="r.xlsx", data=_risks(1)
            )
    job = services.tabular_import_upload(
        actor=world.users["pm_a"], portfolio=world.portfolio_a, filename="r.xlsx", data=_risks(1)
    )
    with pytest.raises(PermissionDenied):
        services.confirm(actor=world.users["pmo_a"], job=job)
    assert services.importable_objects(user=world.users["pm_a"], portfolio=world.portfolio_a) == [
        "milestones",
        "cost_lines",
        "risks",
        "issues",
    ]
