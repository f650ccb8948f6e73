"""Who may change what on a project: the PMO owns the frame, the project manager the content."""

from pmo.core.roles import Role
from portfolio.models import Membership
from projects.models import Project

# Fields only a PMO officer of the portfolio may set: the frame and the baseline.
PMO_OWNED_FIELDS = frozenset(
    {"portfolio", "programme", "code", "manager", "sponsor", "budget", "state", "stage", "strategic_score"}
)
PROJECT_FIELDS = (
    "portfolio",
    "programme",
    "code",
    "name",
    "description",
    "manager",
    "deputy",
    "sponsor",
    "state",
    "stage",
    "start_date",
    "end_date",
    "budget",
    "strategic_score",
)


def is_portfolio_pmo(*, user, portfolio_id: int) -> bool:
    return (
        user.is_superuser
        or Membership.objects.filter(user=user, portfolio_id=portfolio_id, role=Role.PMO).exists()
    )


def project_editable_fields(*, user, project: Project) -> frozenset[str]:
    """The fields `user` may change on `project` (empty: read only)."""
    if is_portfolio_pmo(user=user, portfolio_id=project.portfolio_id):
        return frozenset(PROJECT_FIELDS) - {"portfolio"}
    if Project.objects.editable_by(user).filter(pk=project.pk).exists():
        return frozenset(PROJECT_FIELDS) - PMO_OWNED_FIELDS
    return frozenset()
