"""The demo seed holds seven project proposals per demo portfolio, in every state of the intake."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.intake_seed import seed_intake
from governance.models import Decision, ProjectProposal
from projects.models import Allocation, CostLine, Project

pytestmark = pytest.mark.django_db


def test_the_demo_has_proposals_in_every_state():
    call_command("seed_demo", stdout=io.StringIO())
    proposals = list(ProjectProposal.objects.select_related("portfolio", "project"))
    by_portfolio = Counter(p.portfolio.code for p in proposals)
    assert by_portfolio == {"dsi-groupe": 8, "transfo-indus": 7}
    states = Counter(p.state for p in proposals)
    assert states == {
        "draft": 2,
        "submitted": 3,
        "under_review": 4,
        "approved": 2,
        "rejected": 2,
        "parked": 2,
    }
    for proposal in proposals:
        if proposal.state == "draft":
            assert proposal.project is None
            continue
        assert CostLine.objects.filter(project=proposal.project).exists()
        assert Allocation.objects.filter(project=proposal.project, resource__isnull=True).exists()
    approved = [p for p in proposals if p.state == "approved"]
    assert {p.project.state for p in approved} == {Project.State.ACTIVE}
    assert {p.project.state for p in proposals if p.state == "rejected"} == {Project.State.CANCELLED}
    assert all(p.revisit_on for p in proposals if p.state == "parked")
    assert Decision.objects.filter(details__has_key="proposal").count() == 6
    # running the intake seed again adds nothing
    assert seed_intake(today=timezone.localdate()) == {"ProjectProposal": 0}
    assert ProjectProposal.objects.count() == len(proposals)
