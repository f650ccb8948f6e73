"""Who may do what with an exception: the project's editors write the report, the sponsor and the
PMO decide. Reading follows the project (ProjectException.objects.visible_to)."""

from governance.models import ProjectException
from pmo.core.roles import Role
from portfolio.models import Membership
from projects.models import Project


def can_edit_report(user, exception: ProjectException) -> bool:
    """The PMO officers of the portfolio, the project manager and the deputy (draft reports only
    are editable: the caller checks the state)."""
    return Project.objects.editable_by(user).filter(pk=exception.project_id).exists()


def can_raise(user, project: Project) -> bool:
    """Raising an exception by hand: whoever edits the project (PMO, manager, deputy)."""
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()


def can_close(user, exception: ProjectException) -> bool:
    """Closing is a decision: the project's sponsor or a PMO officer of the portfolio."""
    if user.is_superuser:
        return True
    project = exception.project
    if project.sponsor_id is not None and project.sponsor_id == user.pk:
        return True
    return Membership.objects.filter(user=user, portfolio_id=project.portfolio_id, role=Role.PMO).exists()
