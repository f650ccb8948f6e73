"""Permission-scoped reads of exceptions and their reports, in a constant number of queries."""

from django.db.models import Count, Q, QuerySet

from governance.models import ExceptionReport, ProjectException
from pmo.core.permissions import get_visible_or_404
from portfolio.models import Portfolio


def exception_list(*, user) -> QuerySet[ProjectException]:
    """Exceptions of the projects the user can see, with project, portfolio, programme, people and
    report joined (one query per page)."""
    return ProjectException.objects.visible_to(user).select_related(
        "project__portfolio",
        "project__programme",
        "project__manager",
        "project__sponsor",
        "raised_by",
        "report",
    )


def exception_get(*, user, pk) -> ProjectException:
    """One visible exception (with its report) or 404."""
    return get_visible_or_404(exception_list(user=user).select_related("report__sent_by"), pk=pk)


def report_get(*, user, pk) -> ExceptionReport:
    """The report of one visible exception (by the exception's id) or 404."""
    return get_visible_or_404(
        ExceptionReport.objects.filter(
            exception__in=ProjectException.objects.visible_to(user)
        ).select_related(
            "exception__project__portfolio",
            "exception__project__programme",
            "exception__raised_by",
            "sent_by",
        ),
        exception_id=pk,
    )


def project_exceptions(*, project) -> QuerySet[ProjectException]:
    """One project's exceptions, open ones first then the newest (the caller checked visibility)."""
    return (
        ProjectException.objects.filter(project=project)
        .select_related("report", "raised_by")
        .order_by("state", "-raised_at", "-id")
    )


def portfolios_with_exception_counts(*, user) -> QuerySet[Portfolio]:
    """Visible portfolios with the number of open and reported exceptions of their visible projects
    (one query)."""
    visible = ProjectException.objects.visible_to(user).values("pk")
    return (
        Portfolio.objects.visible_to(user)
        .annotate(
            open_exceptions=Count(
                "projects__exceptions",
                filter=Q(
                    projects__exceptions__in=visible, projects__exceptions__state=ProjectException.State.OPEN
                ),
            ),
            reported_exceptions=Count(
                "projects__exceptions",
                filter=Q(
                    projects__exceptions__in=visible,
                    projects__exceptions__state=ProjectException.State.REPORTED,
                ),
            ),
        )
        .order_by("name")
    )
