"""References of tests/access_spec.d/reports.yaml: report runs with a file, notifications."""

from django.core.files.base import ContentFile
from django.utils import timezone

from pmo.core.models import Notification
from pmo.core.periods import week_start
from reporting.models import ReportRun


def _done_run(kind, key, **scope):
    run = ReportRun.objects.create(
        kind=kind,
        key=key,
        period=week_start(timezone.localdate()),
        status=ReportRun.Status.DONE,
        progress=100,
        **scope,
    )
    run.file.save(f"{key.replace(':', '-')}.pdf", ContentFile(b"%PDF-1.4 test\n%%EOF\n"), save=True)
    return run


def references(world, refs: dict) -> dict:
    monday = week_start(timezone.localdate())
    run_a1 = _done_run("highlight", f"highlight:project-{world.a1.pk}:{monday.isoformat()}", project=world.a1)
    run_b1 = _done_run("highlight", f"highlight:project-{world.b1.pk}:{monday.isoformat()}", project=world.b1)
    steering_a = _done_run(
        "steering",
        f"steering:portfolio-{world.portfolio_a.pk}:{monday.isoformat()}",
        portfolio=world.portfolio_a,
    )
    notification = Notification.objects.create(
        recipient=world.users["pm_a"],
        kind="report",
        title="Rapport prêt",
        key="access-spec",
        url="/reports/runs/",
    )
    return {"run_a1": run_a1, "run_b1": run_b1, "steering_a": steering_a, "notification_pm_a": notification}
