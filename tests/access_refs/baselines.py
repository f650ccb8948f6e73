"""References of the plan's history on a1: a re-baseline (baseline 1, the plan in force before, and
baseline 2, both with their milestones frozen) and a review of deliverable_a1 with a comment.

The pages of tests/access_spec.d/change.yaml (project-baselines-partial, numbers 1 and 2) and the
deliverables tab then show text of CostBaseline, MilestoneBaseline and DeliverableReview rows:
the stored-XSS crawl (tests/security/test_xss.py) reaches them."""

from projects import services
from projects.services.baselines import project_rebaseline


def references(world, refs: dict) -> dict:
    pmo_a = world.users["pmo_a"]
    baseline = project_rebaseline(
        actor=pmo_a, project=world.a1, reason="Avenant 1 : périmètre recette confirmé"
    )
    deliverable = refs["deliverable_a1"]
    reviewed = services.deliverable_review(
        actor=pmo_a,
        deliverable=deliverable,
        version=deliverable.version,
        state="in_review",
        comment="Relecture par la qualité en cours.",
    )
    # The spec's payloads carry the row's version: the reviewed deliverable replaces the reference.
    return {"baseline_a1": baseline, "deliverable_a1": reviewed}
