"""The REST API under /api/v1/: one router for every app's viewsets."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from portfolio.api.views import MeView, PortfolioViewSet, ProgrammeViewSet
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

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
