"""Pending gate reviews feed the decision sources: the dashboard's "pending decisions" tile and the
steering pack's decisions requested; the selector the COPIL agenda uses is scoped by project ids."""

from datetime import date

import pytest

from governance.gates import decide_gate, request_gate
from governance.selectors import pending_gate_reviews
from projects.models import Project
from reporting.dashboard import build_dashboard, open_projects
from reporting.generators.steering import decisions_requested
from tests.gates.conftest import on_methodology, upload_required, yes_to_all

pytestmark = pytest.mark.django_db


def test_pending_gate_reviews_are_decisions_to_take(world):
    a1 = on_methodology(world.a1, stage="Exécution")
    b1 = on_methodology(world.b1)
    upload_required(a1, world.users["pm_a"])
    review = request_gate(actor=world.users["pm_a"], project=a1, checklist=yes_to_all(a1))
    upload_required(b1, world.users["pm_b"])
    request_gate(actor=world.users["pm_b"], project=b1, checklist=yes_to_all(b1))

    data = build_dashboard(
        projects=open_projects(Project.objects.filter(portfolio=world.portfolio_a)), as_of=date.today()
    )
    assert {item.kind: item.count for item in data.kpis.pending.items}["gate_reviews"] == 1

    decisions = decisions_requested(
        ids=[world.a1.pk, world.a2.pk], rows=(), exceptions=[], currency="EUR", as_of=None
    )
    gates = [d for d in decisions if d.kind == "gate_review"]
    assert [(d.project_code, d.subject) for d in gates] == [("a1", "Jalon d'entrée en recette")]
    assert "Exécution" in gates[0].requested

    assert list(pending_gate_reviews([a1.pk, b1.pk]).values_list("project__code", flat=True)) == ["a1", "b1"]
    assert list(pending_gate_reviews([world.a2.pk])) == []
    decide_gate(actor=world.users["sponsor"], review=review, decision="go", rationale="OK")
    assert list(pending_gate_reviews([a1.pk]).values_list("pk", flat=True)) == []
