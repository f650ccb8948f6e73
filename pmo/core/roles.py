"""The roles a user can hold in a portfolio, and what each may read and write."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PMO = "pmo", _("PMO officer")
    EXECUTIVE = "executive", _("Executive")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    TEAM_MEMBER = "team_member", _("Team member")


# Roles that read every project of the portfolio; a team member reads only their own projects.
PORTFOLIO_WIDE_READ_ROLES = (Role.PMO, Role.EXECUTIVE, Role.PROJECT_MANAGER)
