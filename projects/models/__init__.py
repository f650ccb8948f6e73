"""Project and everything recorded about one project."""

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
from projects.models.strategy import Benefit, BenefitMeasurement, ProjectObjective, ProjectScore

__all__ = [
    "Assumption",
    "Benefit",
    "BenefitMeasurement",
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
    "ProjectObjective",
    "ProjectScore",
    "ProjectQuerySet",
    "Risk",
    "ScheduleImport",
    "StatusReport",
]
