"""Portfolio-level figures for the dashboard, computed in the database in a constant number of queries."""

from datetime import date, timedelta

from django.db.models import Count, Q, Sum

from projects.models import Project
from projects.selectors import project_list


def portfolio_summary(*, user) -> list[dict]:
    """Per visible portfolio: project counts by state, the budget of the running portfolio (active and
    on-hold projects) and, apart, the budget the proposed projects request (one query)."""
    states = Project.State
    return list(
        project_list(user=user)
        .filter(archived_at__isnull=True)
        .values("portfolio_id", "portfolio__name", "portfolio__currency")
        .annotate(
            total=Count("id"),
            proposed=Count("id", filter=Q(state=states.PROPOSED)),
            active=Count("id", filter=Q(state=states.ACTIVE)),
            on_hold=Count("id", filter=Q(state=states.ON_HOLD)),
            closed=Count("id", filter=Q(state=states.CLOSED)),
            cancelled=Count("id", filter=Q(state=states.CANCELLED)),
            # before `budget`: once annotated, that name would shadow the field
            proposed_budget=Sum("budget", filter=Q(state=states.PROPOSED)),
            budget=Sum("budget", filter=Q(state__in=[states.ACTIVE, states.ON_HOLD])),
            without_manager=Count("id", filter=Q(manager__isnull=True, state=states.ACTIVE)),
        )
        .order_by("portfolio__name")
    )


def projects_ending_soon(*, user, today: date, days: int = 30):
    """Active projects whose planned end falls in the next `days` days, soonest first."""
    return (
        project_list(user=user)
        .filter(
            archived_at__isnull=True,
            state=Project.State.ACTIVE,
            end_date__gte=today,
            end_date__lte=today + timedelta(days=days),
        )
        .order_by("end_date")[:20]
    )


def projects_past_end(*, user, today: date):
    """Active projects past their planned end (to close or re-plan): their count and the first 10."""
    late = project_list(user=user).filter(
        archived_at__isnull=True, state=Project.State.ACTIVE, end_date__lt=today
    )
    return late.count(), list(late.order_by("end_date")[:10])


def run_list(*, user, kind: str | None = None, status: str | None = None):
    """Report runs the user can see, newest first, with their scope (one query per page)."""
    from reporting.models import ReportRun

    runs = ReportRun.objects.visible_to(user).select_related(
        "portfolio", "programme", "project", "exception__project", "requested_by"
    )
    if kind in ReportRun.Kind.values:
        runs = runs.filter(kind=kind)
    if status in ReportRun.Status.values:
        runs = runs.filter(status=status)
    return runs.order_by("-requested_at", "-id")
