"""Project and everything recorded about one project."""

from projects.models.documents import Document, DocumentVersion
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
    "Assumption",
    "CalendarToken",
    "CostBaseline",
    "CostBaselineLine",
    "CostLine",
    "Deliverable",
    "DeliverableReview",
    "Dependency",
    "Document",
    "DocumentVersion",
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
