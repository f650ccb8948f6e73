"""Permission-scoped reads of exceptions and their reports, in a constant number of queries."""

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from governance import tolerances
from governance.models import ChangeRequest, ExceptionReport, GateReview, ProjectException
from pmo.core.permissions import get_visible_or_404
from portfolio.models import Portfolio
from projects.models import CostBaseline


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


# --- Gate reviews ---------------------------------------------------------------------------------


def gate_review_list(*, user) -> QuerySet[GateReview]:
    """Gate reviews of the projects the user can see, with what a list row shows (one query)."""
    return GateReview.objects.visible_to(user).select_related(
        "project__portfolio",
        "project__sponsor",
        "project__manager",
        "gate",
        "stage",
        "requested_by",
        "decided_by",
    )


def gate_review_get(*, user, pk) -> GateReview:
    return get_visible_or_404(gate_review_list(user=user).prefetch_related(*_DOCUMENT_PREFETCH), pk=pk)


_DOCUMENT_PREFETCH = ("documents__document__document_type",)


def project_gate_reviews(*, project) -> list[GateReview]:
    """One project's gate reviews, newest first, with their linked versions (constant queries)."""
    return list(
        GateReview.objects.filter(project=project)
        .select_related("gate", "stage", "requested_by", "decided_by")
        .prefetch_related(*_DOCUMENT_PREFETCH)
        .order_by("-requested_at", "-id")
    )


def pending_gate_reviews(project_ids) -> QuerySet[GateReview]:
    """Reviews awaiting a decision for these projects (the COPIL agenda, the decision sources), oldest
    request first. The caller scoped `project_ids` to what its user may see."""
    return (
        GateReview.objects.pending()
        .filter(project_id__in=project_ids)
        .select_related("project", "gate", "stage", "requested_by")
        .order_by("requested_at", "id")
    )


def pending_gate_reviews_for(*, user) -> QuerySet[GateReview]:
    """The PMO list: every review awaiting a decision in the user's visible projects."""
    return gate_review_list(user=user).filter(state=GateReview.State.REQUESTED).order_by("requested_at", "id")


def scope_changes_for(*, projects, facts: dict) -> dict:
    """Per project id, its scope against its current baseline (governance.tolerances.ScopeChange):
    the latest numbered baseline, the deliverables deleted since and the pending change requests
    with a scope impact. Three queries whatever the number of projects; a project without a
    baseline is left out."""
    ids = [p.pk for p in projects]
    baselines = {
        row["project_id"]: row
        for row in CostBaseline.objects.filter(project_id__in=ids)
        .order_by("project_id", "-number")
        .distinct("project_id")
        .values("project_id", "number", "created_at")
    }
    if not baselines:
        return {}
    deletions = apps.get_model("projects", "DeliverableEvent").objects.filter(
        pgh_label="delete", project_id__in=list(baselines)
    )
    removed: dict[int, int] = {}
    for row in deletions.values("project_id", "created_at", "pgh_created_at"):
        taken = baselines[row["project_id"]]["created_at"]
        if row["created_at"] <= taken < row["pgh_created_at"]:
            removed[row["project_id"]] = removed.get(row["project_id"], 0) + 1
    pending: dict[int, list[str]] = {}
    for row in (
        ChangeRequest.objects.pending()
        .filter(project_id__in=list(baselines))
        .exclude(scope_impact="")
        .order_by("pk")
        .values("project_id", "title")
    ):
        pending.setdefault(row["project_id"], []).append(row["title"])
    found = {}
    for project_id, baseline in baselines.items():
        change = tolerances.scope_change(
            facts[project_id],
            baseline_number=baseline["number"],
            baseline_day=timezone.localdate(baseline["created_at"]),
            removed=removed.get(project_id, 0),
            pending=pending.get(project_id, ()),
        )
        if change is not None:
            found[project_id] = change
    return found
