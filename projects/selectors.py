"""Permission-scoped reads of projects, in a constant number of queries."""

from django.db.models import Q, QuerySet

from pmo.core.permissions import get_visible_or_404
from projects.models import Project, ProjectMember


def project_list(*, user) -> QuerySet[Project]:
    """Visible projects with portfolio, programme and people joined (one query per page)."""
    return Project.objects.visible_to(user).select_related(
        "portfolio", "programme", "manager", "deputy", "sponsor"
    )


def project_get(*, user, pk) -> Project:
    """One visible project or 404."""
    return get_visible_or_404(project_list(user=user), pk=pk)


def project_team(*, project: Project) -> QuerySet[ProjectMember]:
    return project.members.select_related("user").order_by("user__last_name")


def my_projects(*, user) -> QuerySet[Project]:
    """Open projects the user manages or deputises, for their weekly loop."""
    return (
        project_list(user=user)
        .filter(Q(manager=user) | Q(deputy=user), archived_at__isnull=True)
        .exclude(state__in=[Project.State.CLOSED, Project.State.CANCELLED])
        .order_by("code")
    )
