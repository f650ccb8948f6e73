"""Permission-scoped reads of the portfolio structure, in a constant number of queries."""

from django.db.models import Count, Q, QuerySet

from pmo.core.roles import Role
from portfolio.models import Membership, Portfolio, Programme


def portfolio_list(*, user) -> QuerySet[Portfolio]:
    """Visible portfolios with their programme and project counts (one query; no budget is summed here)."""
    return (
        Portfolio.objects.visible_to(user)
        .annotate(
            programme_count=Count(
                "programmes", filter=Q(programmes__archived_at__isnull=True), distinct=True
            ),
            project_count=Count("projects", filter=Q(projects__archived_at__isnull=True), distinct=True),
        )
        .order_by("name")
    )


def programme_list(*, user) -> QuerySet[Programme]:
    """Visible programmes with portfolio, manager, sponsor and project count (one query)."""
    return (
        Programme.objects.visible_to(user)
        .select_related("portfolio", "manager", "sponsor")
        .annotate(project_count=Count("projects", filter=Q(projects__archived_at__isnull=True)))
    )


def membership_list(*, portfolio: Portfolio) -> QuerySet[Membership]:
    return portfolio.memberships.select_related("user").order_by("role", "user__last_name")


def user_roles(*, user) -> dict[int, str]:
    """The user's role per portfolio id."""
    if not user.is_authenticated:
        return {}
    return dict(Membership.objects.filter(user=user).values_list("portfolio_id", "role"))


def is_pmo_anywhere(*, user) -> bool:
    return user.is_superuser or Membership.objects.filter(user=user, role=Role.PMO).exists()


def portfolios_creatable_in(*, user) -> QuerySet[Portfolio]:
    """Portfolios in which the user may create programmes and projects (their PMO ones)."""
    return Portfolio.objects.editable_by(user).active()


def people_list(*, user):
    """People of the user's portfolios with their role there (one query), for the resources page."""
    portfolio_ids = Portfolio.objects.visible_to(user).values("pk")
    return (
        Membership.objects.filter(portfolio_id__in=portfolio_ids, user__is_active=True)
        .select_related("user", "portfolio")
        .order_by("user__last_name", "user__first_name", "portfolio__name")
    )
