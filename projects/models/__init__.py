"""Project and everything recorded about one project."""

from projects.models.allocations import Allocation
from projects.models.documents import Document, DocumentVersion
from projects.models.imports import CalendarToken, ScheduleImport, TabularImport
from projects.models.procurement import Contract, ProcurementStatus, PurchaseOrder, SupplierInvoice
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
    MilestoneBaseline,
    MilestoneForecast,
    Risk,
)
from projects.models.stage_tolerance import ProjectStageTolerance
from projects.models.status import StatusReport
from projects.models.strategy import Benefit, BenefitMeasurement, ProjectObjective, ProjectScore
from projects.models.team import CommunicationItem, RaciActivity, RaciAssignment, RaciRole, Stakeholder

__all__ = [
    "Allocation",
    "ProjectStageTolerance",
    "Assumption",
    "Benefit",
    "BenefitMeasurement",
    "CalendarToken",
    "CommunicationItem",
    "Contract",
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
    "ProcurementStatus",
    "PurchaseOrder",
    "RaciActivity",
    "RaciAssignment",
    "RaciRole",
    "MilestoneBaseline",
    "MilestoneForecast",
    "Project",
    "ProjectMember",
    "ProjectObjective",
    "ProjectScore",
    "ProjectQuerySet",
    "Risk",
    "ScheduleImport",
    "Stakeholder",
    "StatusReport",
    "SupplierInvoice",
    "TabularImport",
]
