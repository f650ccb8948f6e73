"""References of tests/access_spec.d/intake.yaml: portfolio A's pool role and objective, and
proposals requested by `team` in A in each state (draft, submitted, under review, parked) and one
submitted by pm_b in B; a discussion on the submitted proposal of A (a question of the PMO, the
requester's answer) and a comment on B's."""

from datetime import date, timedelta

from django.utils import timezone

from governance import intake
from portfolio.models import Resource, ResourceRole, StrategicObjective


def references(world, refs: dict) -> dict:
    role = ResourceRole.objects.create(code="intake-analyste", name="Analyste (intake)")
    Resource.objects.create(portfolio=world.portfolio_a, role=role, name="Ana Lyste")
    objective = StrategicObjective.objects.create(
        portfolio=world.portfolio_a, code="intake-obj", name="Objectif intake"
    )
    users = world.users

    def data(**overrides):
        values = {
            "title": "Demande",
            "problem": "Besoin",
            "objectives": [{"objective": objective.pk, "contribution": 2}],
            "requested_sponsor": users["sponsor"],
            "desired_start": date(2027, 1, 4),
            "desired_end": date(2027, 6, 30),
            "capex": "10000",
            "opex": "2000",
            "efforts": [{"role": role.pk, "days": "20"}],
        }
        values.update(overrides)
        return values

    def make(title, *, submit=True, actor="team", portfolio=None, **overrides):
        return intake.proposal_create(
            actor=users[actor],
            portfolio=portfolio or world.portfolio_a,
            data=data(title=title, **overrides),
            submit=submit,
        )

    draft = make("Brouillon", submit=False)
    sent = make("Soumise")
    review = intake.proposal_start_review(actor=users["pmo_a"], proposal=make("En revue"))
    parked = intake.proposal_decide(
        actor=users["pmo_a"],
        proposal=intake.proposal_start_review(actor=users["pmo_a"], proposal=make("Parquée")),
        outcome="parked",
        rationale="Plus tard",
        revisit_on=timezone.localdate() + timedelta(days=60),
    )
    in_b = make(
        "Demande B",
        actor="pm_b",
        portfolio=world.portfolio_b,
        objectives=[],
        efforts=[],
        requested_sponsor=users["pmo_b"],
    )
    # the discussion threads the proposal page shows: the PMO asks, the requester answers
    question = intake.proposal_comment(
        actor=users["pmo_a"], proposal=sent, body="Pouvez-vous chiffrer l'OPEX ?"
    )
    answer = intake.proposal_comment(actor=users["team"], proposal=sent, body="2 000 € par an.")
    comment_b = intake.proposal_comment(actor=users["pmo_b"], proposal=in_b, body="Demande complète.")
    return {
        "intake_role": role,
        "intake_objective": objective,
        "proposal_draft_a": draft,
        "proposal_submitted_a": sent,
        "proposal_review_a": review,
        "proposal_parked_a": parked,
        "proposal_b": in_b,
        "proposal_comment_question_a": question,
        "proposal_comment_answer_a": answer,
        "proposal_comment_b": comment_b,
        # the PROPOSED projects the submitted proposals became: listed like any project
        "dp_submitted_a": sent.project,
        "dp_review_a": review.project,
        "dp_parked_a": parked.project,
        "dp_b": in_b.project,
    }
