"""The REST API under /api/v1/: one router for every app's viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from governance.api.gates import GateReviewViewSet
from governance.api.scenarios import ScenarioViewSet
from governance.api.urls import register_control
from governance.api.views import ExceptionReportViewSet, ExceptionViewSet
from pmo.core.mfa.api import ObtainAuthTokenView
from portfolio.api.methodologies import DocumentTypeViewSet, MethodologyViewSet
from portfolio.api.resources import ResourceViewSet, RoleViewSet  # noqa: I001
from portfolio.api.views import MeView, PortfolioViewSet, ProgrammeViewSet
from projects.api.allocations import AllocationViewSet, CapacityView  # noqa: I001
from projects.api.documents import DocumentViewSet
from projects.api.team import ROUTES as TEAM_ROUTES
from projects.api.views import (
    AssumptionViewSet,
    CostLineViewSet,
    DeliverableViewSet,
    DependencyViewSet,
    IssueViewSet,
    MilestoneViewSet,
    ProjectViewSet,
    RiskViewSet,
    StatusReportViewSet,
)
from projects.imports.api import ScheduleImportViewSet
from projects.strategy_api import ROUTES as STRATEGY_ROUTES
from projects.tabular.api import TabularImportViewSet
from reporting.api import ReportRunViewSet

router = DefaultRouter()
router.register("portfolios", PortfolioViewSet, basename="portfolio")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("projects", ProjectViewSet, basename="project")
router.register("status-reports", StatusReportViewSet, basename="status-report")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("cost-lines", CostLineViewSet, basename="cost-line")
router.register("deliverables", DeliverableViewSet, basename="deliverable")
router.register("risks", RiskViewSet, basename="risk")
router.register("issues", IssueViewSet, basename="issue")
router.register("assumptions", AssumptionViewSet, basename="assumption")
router.register("dependencies", DependencyViewSet, basename="dependency")
router.register("exceptions", ExceptionViewSet, basename="exception")
router.register("exception-reports", ExceptionReportViewSet, basename="exception-report")
register_control(router)
router.register("reports", ReportRunViewSet, basename="report")
router.register("schedule-imports", ScheduleImportViewSet, basename="schedule-import")
for prefix, viewset, basename in TEAM_ROUTES:  # team, RACI, stakeholders, procurement (issue 10)
    router.register(prefix, viewset, basename=basename)
router.register("tabular-imports", TabularImportViewSet, basename="tabular-import")
router.register("resources", ResourceViewSet, basename="resource")
router.register("roles", RoleViewSet, basename="role")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("methodologies", MethodologyViewSet, basename="methodology")
router.register("document-types", DocumentTypeViewSet, basename="document-type")
router.register("documents", DocumentViewSet, basename="document")
router.register("gate-reviews", GateReviewViewSet, basename="gate-review")
router.register("scenarios", ScenarioViewSet, basename="scenario")

for prefix, viewset, basename in STRATEGY_ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", ObtainAuthTokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("capacity/", CapacityView.as_view(), name="capacity"),
    *router.urls,
]
