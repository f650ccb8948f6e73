"""Who may change what of a project's strategy.

- objectives served: whoever may change the project (PMO of the portfolio, manager, deputy);
- scores: PMO officers of the portfolio only (they own `Project.strategic_score`);
- benefits: a project's benefits by whoever may change the project; a programme's by the PMO and
  the programme manager;
- measurements: whoever may change the benefit, and its owner — also after the project's closure,
  when the owner takes the benefit over (owner hand-over).
"""

from portfolio.models import Programme
from projects.models import Benefit, Project
from projects.permissions import is_portfolio_pmo


def can_edit_project(user, project: Project) -> bool:
    return project.is_editable_by(user)


def can_score(user, project: Project) -> bool:
    return is_portfolio_pmo(user=user, portfolio_id=project.portfolio_id)


def can_edit_benefit(user, benefit: Benefit) -> bool:
    if benefit.project_id:
        return can_edit_project(user, benefit.project)
    return can_edit_programme_benefits(user, benefit.programme)


def can_edit_programme_benefits(user, programme: Programme) -> bool:
    return programme.manager_id == user.pk or is_portfolio_pmo(user=user, portfolio_id=programme.portfolio_id)


def can_measure(user, benefit: Benefit) -> bool:
    return (benefit.owner_id is not None and benefit.owner_id == user.pk) or can_edit_benefit(user, benefit)
