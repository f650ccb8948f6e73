"""Project and everything recorded about one project."""

from projects.models.allocations import Allocation
from projects.models.imports import CalendarToken, ScheduleImport
from projects.models.project import Project, ProjectMember, ProjectQuerySet
from projects.models.registers import (
    Assumption,
    CostBaseline,
    CostBaselineLine,
    CostLine,
    Deliverable,
    DeliverableReview,
    Dependency,
    Issue,
    Milestone,
    MilestoneForecast,
    Risk,
)
from projects.models.status import StatusReport

__all__ = [
    "Allocation",
    "Assumption",
    "CalendarToken",
    "CostBaseline",
    "CostBaselineLine",
    "CostLine",
    "Deliverable",
    "DeliverableReview",
    "Dependency",
    "Issue",
    "Milestone",
    "MilestoneForecast",
    "Project",
    "ProjectMember",
    "ProjectQuerySet",
    "Risk",
    "ScheduleImport",
    "StatusReport",
]
