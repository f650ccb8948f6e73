"""Celery entry points of governance: the tolerance scan, daily over every active project and after
each weekly report for one project. Both are idempotent (one open exception per project and
tolerance, notifications keyed per exception), so a duplicate delivery raises nothing twice."""

from celery import shared_task

from governance import services
from projects.models import Project


@shared_task(name="governance.scan_tolerances", ignore_result=True)
def scan_tolerances() -> int:
    """Every active project, in batches; returns the number of exceptions raised."""
    return len(services.scan_all().raised)


@shared_task(name="governance.scan_project", ignore_result=True)
def scan_project(project_id: int) -> int:
    """One project (sent by name by projects after a weekly report is submitted)."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    return len(services.scan_project(project=project).raised)


@shared_task(name="governance.action_reminders", ignore_result=True)
def action_reminders() -> int:
    """Remind owners of committee actions due soon or overdue; idempotent (keyed notifications)."""
    from governance.committees import send_action_reminders

    return send_action_reminders()


@shared_task(name="governance.run_scenario", ignore_result=True)
def run_scenario(scenario_id: int) -> str:
    """Run a large portfolio scenario's optimiser; progress is visible on the scenario page."""
    from governance.scenario_services import run_in_worker

    return run_in_worker(scenario_id)
