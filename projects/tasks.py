"""Celery tasks of projects: spreadsheet imports too large for a request (checked, then applied)."""

from celery import shared_task

from projects.tabular import services


@shared_task(name="projects.tabular_validate", ignore_result=True)
def tabular_validate(job_id: str) -> str:
    """The dry run of an uploaded workbook/CSV; a duplicate message finds the job done and stops."""
    return services.validate(job_id)


@shared_task(name="projects.tabular_apply", ignore_result=True)
def tabular_apply(job_id: str) -> str:
    """Apply a confirmed import in one transaction (a killed worker leaves nothing; the message comes
    back and the job, still APPLYING, is applied then)."""
    return services.apply(job_id)
