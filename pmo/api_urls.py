"""The REST API under /api/v1/: one router for every app's viewsets."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from portfolio.api.views import MeView, PortfolioViewSet, ProgrammeViewSet
from projects.api.views import ProjectViewSet

router = DefaultRouter()
router.register("portfolios", PortfolioViewSet, basename="portfolio")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
