"""Who may request, assess and decide changes, decide on exceptions, run a committee and write
lessons. Deciders are the project's sponsor and the portfolio's executives (the board); the
project's manager and deputy never decide their own project's changes or exceptions. A refused
decision is recorded as a security event (`refuse`)."""

from django.core.exceptions import PermissionDenied

from pmo.core.models import SecurityEvent
from pmo.core.roles import Role
from pmo.core.security import record
from portfolio.models import Membership
from projects.models import Project

CLOSED_STATES = (Project.State.CLOSED, Project.State.CANCELLED)


def _role_in(user, portfolio_id: int, *roles) -> bool:
    return Membership.objects.filter(user=user, portfolio_id=portfolio_id, role__in=roles).exists()


def is_decider(user, project: Project) -> bool:
    """The project's sponsor or an executive of its portfolio, unless they manage the project."""
    if not user.is_authenticated:
        return False
    if user.pk in (project.manager_id, project.deputy_id) and not user.is_superuser:
        return False
    if user.is_superuser or (project.sponsor_id is not None and project.sponsor_id == user.pk):
        return True
    return _role_in(user, project.portfolio_id, Role.EXECUTIVE)


def can_edit_project(user, project: Project) -> bool:
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()


def can_request_change(user, project: Project) -> bool:
    """Whoever edits the project (PMO, manager, deputy); the state check is the service's."""
    return can_edit_project(user, project)


def can_assess_change(user, change_request) -> bool:
    """The impact assessment is the PMO's independent review (never the requester's own)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or _role_in(user, change_request.project.portfolio_id, Role.PMO)


def can_decide_change(user, change_request) -> bool:
    """A decider who did not request the change."""
    if change_request.requested_by_id == user.pk and not user.is_superuser:
        return False
    return is_decider(user, change_request.project)


def can_decide_exception(user, exception) -> bool:
    return is_decider(user, exception.project)


def can_manage_committee(user, committee) -> bool:
    """The portfolio's PMO officers (the committee's secretary) and the chair."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or committee.chair_id == user.pk:
        return True
    return _role_in(user, committee.portfolio_id, Role.PMO)


def can_administer_committees(user, portfolio_id: int) -> bool:
    """Creating a committee and editing its name, scope, chair and members: the portfolio's PMO officers."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or _role_in(user, portfolio_id, Role.PMO)


def can_record_lesson(user, portfolio_id: int) -> bool:
    """PMO officers and project managers of the portfolio write lessons."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or _role_in(user, portfolio_id, Role.PMO, Role.PROJECT_MANAGER)


def can_edit_lesson(user, lesson) -> bool:
    """Its author (still a PMO officer or project manager there) and the portfolio's PMO officers."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or _role_in(user, lesson.portfolio_id, Role.PMO):
        return True
    return lesson.created_by_id == user.pk and can_record_lesson(user, lesson.portfolio_id)


def can_update_action(user, action) -> bool:
    """The owner reports progress; the committee's managers and the portfolio's PMO edit it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or action.owner_id == user.pk:
        return True
    if action.meeting_id is not None and can_manage_committee(user, action.meeting.committee):
        return True
    if action.project_id is not None:
        return _role_in(user, action.project.portfolio_id, Role.PMO)
    return False


def refuse(*, actor, what: str, request=None) -> None:
    """Record the refused attempt (who, what) as a security event, then raise PermissionDenied.
    Called outside the write's transaction so the record survives the refusal."""
    record(SecurityEvent.Kind.PERMISSION_DENIED, request=request, user=actor, detail=what)
    raise PermissionDenied
