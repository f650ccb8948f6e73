"""Who may do what with an exception: the project's editors write the report, the sponsor and the
PMO decide. Reading follows the project (ProjectException.objects.visible_to)."""

from django.db import models

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


# --- Gate reviews ---------------------------------------------------------------------------------


def can_request_gate(user, project: Project) -> bool:
    """Requesting the passage of the current gate: the project manager, the deputy, or the PMO on
    their behalf (whoever edits the project)."""
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()


def is_gate_decider(user, project: Project) -> bool:
    """Deciding a gate: the project's sponsor or an executive of its portfolio (the gate board),
    never the project's manager or deputy, whatever else they are."""
    if not user.is_authenticated:
        return False
    if user.pk in (project.manager_id, project.deputy_id):
        return False
    if project.sponsor_id is not None and project.sponsor_id == user.pk:
        return True
    return Membership.objects.filter(
        user=user, portfolio_id=project.portfolio_id, role=Role.EXECUTIVE
    ).exists()


def gate_deciders(project: Project) -> list:
    """Everyone who may decide the project's gates (for notifications)."""
    from django.contrib.auth import get_user_model

    executives = Membership.objects.filter(portfolio_id=project.portfolio_id, role=Role.EXECUTIVE).values(
        "user_id"
    )
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(models.Q(pk__in=executives) | models.Q(pk=project.sponsor_id))
    )
    return [user for user in users if user.pk not in (project.manager_id, project.deputy_id)]
