"""Writes with side effects on projects, their registers and their weekly status reports."""

from projects.services.costs import cost_line_add_actual
from projects.services.project import (
    project_create,
    project_member_add,
    project_member_remove,
    project_set_archived,
    project_update,
)
from projects.services.registers import (
    cost_line_set,
    cost_rebaseline,
    deliverable_review,
    record_create,
    record_update,
)
from projects.services.status import (
    status_report_correct,
    status_report_no_change,
    status_report_save,
    status_report_start,
    status_report_submit,
    status_report_update,
)

__all__ = [
    "cost_line_add_actual",
    "cost_line_set",
    "cost_rebaseline",
    "deliverable_review",
    "project_create",
    "project_member_add",
    "project_member_remove",
    "project_set_archived",
    "project_update",
    "record_create",
    "record_update",
    "status_report_correct",
    "status_report_no_change",
    "status_report_save",
    "status_report_start",
    "status_report_submit",
    "status_report_update",
]
