"""Who may change what on a project: the PMO owns the frame, the project manager the content."""

from pmo.core.roles import Role
from portfolio.models import Membership
from projects.models import Project
from projects.thresholds import TOLERANCE_FIELDS

# The project's tolerance overrides (empty: the portfolio's); its stages' are on the tolerances page.
PROJECT_TOLERANCE_FIELDS = TOLERANCE_FIELDS
# Fields only a PMO officer of the portfolio may set: the frame, the baseline and the tolerances the
# project manager is held to.
PMO_OWNED_FIELDS = frozenset(
    {"portfolio", "programme", "code", "manager", "sponsor", "budget", "state", "stage", "strategic_score"}
) | frozenset(PROJECT_TOLERANCE_FIELDS)
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
    *PROJECT_TOLERANCE_FIELDS,
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


def can_manage_documents(user, project: Project) -> bool:
    """Uploading documents and new versions: whoever edits the project (PMO, manager, deputy)."""
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()


def can_approve_documents(user, project: Project) -> bool:
    """Approving a document's version: the project manager (or deputy), the sponsor or the PMO."""
    if not user.is_authenticated:
        return False
    if project.sponsor_id is not None and project.sponsor_id == user.pk:
        return True
    return can_manage_documents(user, project)
