"""Who may do what with a project proposal.

- submit one: anyone with a role in the portfolio (team members included);
- edit and submit a draft: its requester;
- start the review: the portfolio's PMO officers;
- comment: whoever sees the proposal (see ProjectProposal.objects.visible_to);
- decide (approve, reject, park) and re-open a parked one: the portfolio's PMO officers and its
  executives (the gate board of governance.permissions), never the requester of the proposal.
A refused workflow action is recorded as a security event (control_permissions.refuse)."""

from pmo.core.roles import Role
from portfolio.models import Membership


def _role_in(user, portfolio_id: int, *roles) -> bool:
    queryset = Membership.objects.filter(user=user, portfolio_id=portfolio_id)
    if roles:
        queryset = queryset.filter(role__in=roles)
    return queryset.exists()


def can_propose(user, portfolio_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or _role_in(user, portfolio_id)


def can_edit_proposal(user, proposal) -> bool:
    """The requester, while the proposal is a draft (the state check is the service's)."""
    return user.is_authenticated and proposal.requested_by_id == user.pk


def can_review(user, proposal) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or _role_in(user, proposal.portfolio_id, Role.PMO)


def is_proposal_decider(user, proposal) -> bool:
    """PMO officers and executives of the portfolio, never the proposal's own requester."""
    if not user.is_authenticated or proposal.requested_by_id == user.pk:
        return False
    return user.is_superuser or _role_in(user, proposal.portfolio_id, Role.PMO, Role.EXECUTIVE)


def proposal_reviewers(portfolio_id: int) -> list:
    """The PMO officers of the portfolio (notified of each submission)."""
    return [
        m.user
        for m in Membership.objects.filter(portfolio_id=portfolio_id, role=Role.PMO).select_related("user")
    ]
