"""Query counts of the gate and document pages: constant as documents, versions and reviews grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import GateReview
from portfolio.models import Methodology
from projects.services.documents import document_upload
from tests.factories import ProjectFactory
from tests.gates.conftest import PDF, on_methodology

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25


def grow(world, project, n: int) -> None:
    """n more documents of 3 versions each on `project`, n decided reviews on it, and n projects
    of portfolio A each with a review awaiting a decision."""
    pm = world.users["pm_a"]
    stage = project.current_stage
    for i in range(n):
        version = None
        for v in range(3):
            version = document_upload(
                actor=pm,
                project=project,
                name=f"doc-{i}-{v}.pdf",
                data=PDF + str((i, v)).encode(),
                title=f"Document {GateReview.objects.count()}-{i}" if version is None else "",
                document=version.document if version else None,
            )
        review = GateReview.objects.create(
            project=project,
            gate=stage.gate,
            stage=stage,
            state="decided",
            decision="recycle",
            rationale="À revoir",
            requested_by=pm,
            requested_at=timezone.now() - timedelta(days=30 + i),
            decided_by=world.users["sponsor"],
            decided_at=timezone.now() - timedelta(days=29 + i),
        )
        review.documents.set([version])
        other = on_methodology(
            ProjectFactory(portfolio=world.portfolio_a, manager=pm, sponsor=world.users["sponsor"])
        )
        GateReview.objects.create(
            project=other,
            gate=other.current_stage.gate,
            stage=other.current_stage,
            requested_by=pm,
            requested_at=timezone.now() - timedelta(hours=i),
        )


def measure(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_gate_and_document_pages_run_a_constant_number_of_queries(world, client_for):
    project = on_methodology(world.a1)
    pending = None
    grow(world, project, 2)
    pending = GateReview.objects.filter(state="requested").first()
    decided = GateReview.objects.filter(project=project).first()
    classic = Methodology.objects.get(code="classique")
    pages = {
        "documents tab": reverse("projects:documents-partial", args=[project.pk]),
        "gates tab": reverse("governance:project-gates-partial", args=[project.pk]),
        "pending gate reviews": reverse("governance:gate-review-list"),
        "gate review (pending)": reverse("governance:gate-review-detail", args=[pending.pk]),
        "gate review (decided)": reverse("governance:gate-review-detail", args=[decided.pk]),
        "methodology list": reverse("portfolio:methodology-list"),
        "methodology": reverse("portfolio:methodology-detail", args=[classic.pk]),
        "API gate reviews": "/api/v1/gate-reviews/",
        "API documents": f"/api/v1/documents/?project={project.pk}",
        "API methodologies": "/api/v1/methodologies/",
    }
    client = client_for("pm_a")
    small = {name: measure(client, url) for name, url in pages.items()}
    grow(world, project, 12)
    large = {name: measure(client, url) for name, url in pages.items()}
    for name in pages:
        print(f"QUERY-BUDGET {name}: {small[name]} → {large[name]} queries")
    assert large == small
    assert max(large.values()) <= MAX_QUERIES


def test_the_gates_tab_stays_within_the_page_budget_of_15_queries(world, client_for):
    """The project page's "Decision gates" tab, for the manager (request form) and the sponsor
    (decider): at most 15 queries (tests/test_query_budget.py's budget), whatever the history."""
    project = on_methodology(world.a1)
    grow(world, project, 2)
    url = reverse("governance:project-gates-partial", args=[project.pk])
    clients = {name: client_for(name) for name in ("pm_a", "sponsor")}

    def counts():
        found = {}
        for name, client in clients.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, HTTP_HX_REQUEST="true")
            assert response.status_code == 200
            found[name] = len(queries)
        return found

    small = counts()
    grow(world, project, 10)
    large = counts()
    print(f"QUERY-BUDGET gates tab: {small} → {large} queries")
    assert large == small
    assert max(large.values()) <= 15
