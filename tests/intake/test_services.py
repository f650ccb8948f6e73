"""The intake services: each transition, each bad input named by its field, all-or-nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance import intake
from governance.models import Decision, ProjectProposal, ProposalTransition
from pmo.core.locking import StaleVersionError
from pmo.core.models import Notification, SecurityEvent
from projects.capacity import working_days
from projects.models import Allocation, CostLine, Project, ProjectObjective
from tests.intake.conftest import END, START, proposal_data, submitted, under_review

State = ProjectProposal.State
pytestmark = pytest.mark.django_db


def _counts():
    return (
        ProjectProposal.objects.count(),
        Project.objects.count(),
        CostLine.objects.count(),
        Allocation.objects.count(),
        ProjectObjective.objects.count(),
        ProposalTransition.objects.count(),
        Decision.objects.count(),
    )


def test_a_draft_is_a_proposal_without_a_project(world, frame):
    proposal = intake.proposal_create(
        actor=world.users["team"], portfolio=world.portfolio_a, data=proposal_data(world, frame)
    )
    assert proposal.state == State.DRAFT
    assert proposal.project is None
    assert proposal.number == 1 and proposal.reference == "DP-001"
    assert proposal.capex == Decimal("120000.00") and proposal.opex == Decimal("24000.00")
    assert list(proposal.transitions.values_list("from_state", "to_state")) == [("", "draft")]


def test_submission_writes_the_project_its_planned_costs_and_requested_roles(world, frame):
    proposal = submitted(world, frame)
    project = proposal.project
    assert proposal.state == State.SUBMITTED and proposal.submitted_at is not None
    assert project.state == Project.State.PROPOSED
    assert project.code == "DP-001" and project.name == "Portail fournisseurs"
    assert (project.start_date, project.end_date) == (START, END)
    assert project.budget == Decimal("144000.00")
    assert project.programme == world.programme_a
    lines = CostLine.objects.filter(project=project)
    assert lines.count() == 24
    assert sum(line.planned for line in lines if line.category == "capex") == Decimal("120000.00")
    assert sum(line.planned for line in lines if line.category == "opex") == Decimal("24000.00")
    assert {line.planned for line in lines if line.category == "capex"} == {Decimal("10000.00")}
    assert all(line.actual == 0 for line in lines)
    allocations = {a.role_id: a for a in Allocation.objects.filter(project=project)}
    assert set(allocations) == {frame.dev.pk, frame.archi.pk}
    dev = allocations[frame.dev.pk]
    assert dev.resource_id is None and dev.state == Allocation.State.REQUESTED
    assert (dev.start_date, dev.end_date, dev.unit) == (START, END, Allocation.Unit.HOURS)
    # 200 days × 7 h spread over the working days of 2027 (public holidays excluded), 5 days a week
    workdays = working_days(START, END)
    assert workdays == 254
    assert dev.hours_per_week == (Decimal(200 * 7 * 5) / workdays).quantize(Decimal("0.1"))
    assert list(
        ProjectObjective.objects.filter(project=project).values_list("objective_id", "contribution")
    ) == [(frame.growth.pk, 3)]
    notified = Notification.objects.filter(key=f"proposal-{proposal.pk}-submitted")
    assert list(notified.values_list("recipient__username", flat=True)) == ["pmo_a"]
    assert list(proposal.transitions.values_list("to_state", flat=True)) == ["draft", "submitted"]


def test_costs_split_per_year_are_spread_over_the_months_of_each_year(world, frame):
    proposal = submitted(
        world,
        frame,
        desired_start=date(2027, 7, 1),
        desired_end=date(2028, 6, 30),
        capex="0",
        opex="0",
        yearly_costs=[
            {"year": 2027, "capex": "60000", "opex": "0"},
            {"year": 2028, "capex": "0", "opex": "30000"},
        ],
    )
    assert (proposal.capex, proposal.opex) == (Decimal("60000"), Decimal("30000"))
    lines = CostLine.objects.filter(project=proposal.project).order_by("month", "category")
    assert [(line.month, line.category, line.planned) for line in lines][:1] == [
        (date(2027, 7, 1), "capex", Decimal("10000.00"))
    ]
    assert {line.month.year for line in lines if line.category == "capex"} == {2027}
    assert {line.month.year for line in lines if line.category == "opex"} == {2028}
    assert sum(line.planned for line in lines) == Decimal("90000.00")


def test_the_spread_keeps_every_cent():
    slots = intake.months(date(2027, 1, 15), date(2027, 3, 2))
    assert slots == [date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)]
    shares = intake.spread(Decimal("100.00"), slots)
    assert list(shares.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"problem": "  "}, "problem"),
        ({"desired_end": date(2026, 12, 1)}, "desired_end"),
        ({"desired_start": "pas une date"}, "desired_start"),
        ({"desired_start": date(2027, 1, 2), "desired_end": date(2027, 1, 3)}, "desired_end"),
        ({"capex": "-1"}, "capex"),
        ({"opex": "abc"}, "opex"),
        ({"efforts": [{"role": "elsewhere", "days": "5"}]}, "efforts"),
        ({"efforts": [{"role": "dev", "days": "0"}]}, "efforts"),
        ({"efforts": [{"role": "dev", "days": "5"}, {"role": "dev", "days": "3"}]}, "efforts"),
        ({"objectives": [{"objective": "foreign", "contribution": 2}]}, "objectives"),
        ({"objectives": [{"objective": "growth", "contribution": 5}]}, "objectives"),
        ({"requested_sponsor": "pmo_b"}, "requested_sponsor"),
        ({"proposed_manager": "pm_b"}, "proposed_manager"),
        ({"programme": "programme_b"}, "programme"),
        ({"urgency": "tomorrow"}, "urgency"),
        ({"yearly_costs": [{"year": 2031, "capex": "1", "opex": "1"}]}, "yearly_costs"),
        ({"yearly_costs": [{"year": 2027, "capex": "-5", "opex": "1"}]}, "yearly_costs"),
        ({"requested_sponsor": None}, "requested_sponsor"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(world, frame, overrides, field):
    names = {
        "elsewhere": frame.elsewhere.pk,
        "dev": frame.dev.pk,
        "foreign": frame.foreign.pk,
        "growth": frame.growth.pk,
        "pmo_b": world.users["pmo_b"].pk,
        "pm_b": world.users["pm_b"].pk,
        "programme_b": world.programme_b.pk,
    }
    for key, value in overrides.items():
        if isinstance(value, list):
            overrides[key] = [
                {k: names.get(v, v) if k in ("role", "objective") else v for k, v in row.items()}
                for row in value
            ]
        elif isinstance(value, str) and value in names:
            overrides[key] = names[value]
    before = _counts()
    with pytest.raises(ValidationError) as error:
        submitted(world, frame, **overrides)
    assert field in error.value.message_dict
    assert _counts() == before


def test_every_bad_field_is_reported_at_once(world, frame):
    with pytest.raises(ValidationError) as error:
        submitted(world, frame, title="", capex="-3", desired_end=date(2020, 1, 1))
    assert {"title", "capex", "desired_end"} <= set(error.value.message_dict)


def test_a_failure_while_writing_the_plan_leaves_nothing(world, frame, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Allocation.objects, "bulk_create", boom)
    before = _counts()
    with pytest.raises(RuntimeError):
        submitted(world, frame)
    assert _counts() == before


def test_the_draft_is_edited_then_submitted_by_its_requester(world, frame):
    team = world.users["team"]
    proposal = intake.proposal_create(
        actor=team, portfolio=world.portfolio_a, data=proposal_data(world, frame)
    )
    proposal = intake.proposal_update(
        actor=team, proposal=proposal, version=proposal.version, data={"capex": "1000"}
    )
    assert proposal.capex == Decimal("1000.00") and proposal.version == 2
    with pytest.raises(StaleVersionError):
        intake.proposal_update(actor=team, proposal=proposal, version=1, data={"capex": "2"})
    with pytest.raises(PermissionDenied):
        intake.proposal_update(
            actor=world.users["pmo_a"], proposal=proposal, version=proposal.version, data={}
        )
    proposal = intake.proposal_submit(actor=team, proposal=proposal, version=proposal.version)
    assert proposal.state == State.SUBMITTED
    with pytest.raises(ValidationError):
        intake.proposal_update(actor=team, proposal=proposal, version=proposal.version, data={"capex": "3"})
    with pytest.raises(ValidationError):
        intake.proposal_submit(actor=team, proposal=proposal)


def test_approval_is_gate_zero_the_project_becomes_active_at_the_first_stage(world, frame):
    proposal = under_review(world, frame)
    proposal = intake.proposal_decide(
        actor=world.users["pmo_a"], proposal=proposal, outcome="approved", rationale="Aligné et finançable."
    )
    project = Project.objects.get(pk=proposal.project_id)
    assert proposal.state == State.APPROVED and proposal.decided_by == world.users["pmo_a"]
    assert project.state == Project.State.ACTIVE
    assert (project.current_stage, project.stage) == (frame.first, "Cadrage")
    assert (project.sponsor, project.manager) == (world.users["sponsor"], world.users["pm_a"])
    decision = Decision.objects.get(project=project)
    assert decision.outcome == Decision.Outcome.APPROVED and decision.rationale == "Aligné et finançable."
    assert decision.details == {"proposal": proposal.pk, "reference": "DP-001", "gate": 0, "stage": "Cadrage"}
    assert proposal.decision == decision
    assert list(proposal.transitions.values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "under_review",
        "approved",
    ]
    recipients = set(
        Notification.objects.filter(key__startswith=f"proposal-{proposal.pk}-decided").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"team", "pm_a", "sponsor"}


def test_rejection_cancels_the_project_and_needs_a_rationale(world, frame):
    proposal = under_review(world, frame)
    before = _counts()
    with pytest.raises(ValidationError) as error:
        intake.proposal_decide(
            actor=world.users["executive"], proposal=proposal, outcome="rejected", rationale=" "
        )
    assert "rationale" in error.value.message_dict
    assert _counts() == before
    proposal = intake.proposal_decide(
        actor=world.users["executive"],
        proposal=proposal,
        outcome="rejected",
        rationale="Doublon du projet A1.",
    )
    assert proposal.state == State.REJECTED
    assert Project.objects.get(pk=proposal.project_id).state == Project.State.CANCELLED
    assert Decision.objects.get(project=proposal.project).outcome == Decision.Outcome.REJECTED


def test_parking_defers_until_a_date_and_the_proposal_can_be_reopened(world, frame):
    proposal = under_review(world, frame)
    with pytest.raises(ValidationError) as error:
        intake.proposal_decide(
            actor=world.users["pmo_a"], proposal=proposal, outcome="parked", rationale="Plus tard"
        )
    assert "revisit_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        intake.proposal_decide(
            actor=world.users["pmo_a"],
            proposal=proposal,
            outcome="parked",
            rationale="Plus tard",
            revisit_on=timezone.localdate(),
        )
    assert "revisit_on" in error.value.message_dict
    revisit = timezone.localdate() + timedelta(days=90)
    proposal = intake.proposal_decide(
        actor=world.users["pmo_a"],
        proposal=proposal,
        outcome="parked",
        rationale="Budget 2027 bouclé.",
        revisit_on=revisit,
    )
    assert (proposal.state, proposal.revisit_on) == (State.PARKED, revisit)
    assert Project.objects.get(pk=proposal.project_id).state == Project.State.PROPOSED
    decision = Decision.objects.get(project=proposal.project)
    assert (
        decision.outcome == Decision.Outcome.DEFERRED
        and decision.details["revisit_on"] == revisit.isoformat()
    )
    proposal = intake.proposal_reopen(actor=world.users["executive"], proposal=proposal)
    assert (proposal.state, proposal.revisit_on) == (State.UNDER_REVIEW, None)


def test_only_a_proposal_under_review_is_decided(world, frame):
    proposal = submitted(world, frame)
    with pytest.raises(ValidationError):
        intake.proposal_decide(
            actor=world.users["pmo_a"], proposal=proposal, outcome="approved", rationale="Oui"
        )
    with pytest.raises(ValidationError):
        intake.proposal_reopen(actor=world.users["pmo_a"], proposal=proposal)
    with pytest.raises(ValidationError) as error:
        intake.proposal_decide(
            actor=world.users["pmo_a"], proposal=proposal, outcome="maybe", rationale="Oui"
        )
    assert "outcome" in error.value.message_dict


def test_a_stale_version_is_refused(world, frame):
    proposal = under_review(world, frame)
    with pytest.raises(StaleVersionError):
        intake.proposal_decide(
            actor=world.users["pmo_a"], proposal=proposal, outcome="approved", rationale="Oui", version=1
        )
    assert ProjectProposal.objects.get(pk=proposal.pk).state == State.UNDER_REVIEW


def test_comments_are_the_discussion_thread(world, frame):
    proposal = under_review(world, frame)
    comment = intake.proposal_comment(
        actor=world.users["pmo_a"], proposal=proposal, body=" Précisez le CAPEX. "
    )
    assert comment.body == "Précisez le CAPEX." and comment.author == world.users["pmo_a"]
    with pytest.raises(ValidationError) as error:
        intake.proposal_comment(actor=world.users["team"], proposal=proposal, body="")
    assert "body" in error.value.message_dict


# --- Permissions -----------------------------------------------------------------------------------


def _denials():
    return SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).count()


@pytest.mark.parametrize("name", ["team", "pm_a", "sponsor", "executive", "pmo_a", "superuser"])
def test_anyone_of_the_portfolio_may_propose(world, frame, name):
    proposal = intake.proposal_create(
        actor=world.users[name], portfolio=world.portfolio_a, data=proposal_data(world, frame)
    )
    assert proposal.requested_by == world.users[name]


@pytest.mark.parametrize("name", ["pm_b", "pmo_b"])
def test_outsiders_may_not_propose_and_the_attempt_is_recorded(world, frame, name):
    before = _denials()
    with pytest.raises(PermissionDenied):
        intake.proposal_create(
            actor=world.users[name], portfolio=world.portfolio_a, data=proposal_data(world, frame)
        )
    assert _denials() == before + 1


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("team", False),
        ("pm_a", False),
        ("sponsor", True),
        ("executive", True),
        ("pmo_a", True),
        ("pmo_b", False),
    ],
)
def test_deciders_are_the_pmo_and_the_executives(world, frame, name, allowed):
    proposal = under_review(world, frame)
    before = _denials()
    if allowed:
        intake.proposal_decide(actor=world.users[name], proposal=proposal, outcome="approved", rationale="Go")
        assert _denials() == before
    else:
        with pytest.raises(PermissionDenied):
            intake.proposal_decide(
                actor=world.users[name], proposal=proposal, outcome="approved", rationale="Go"
            )
        assert _denials() == before + 1
        assert ProjectProposal.objects.get(pk=proposal.pk).state == State.UNDER_REVIEW


def test_the_requester_never_decides_their_own_proposal(world, frame):
    pmo = world.users["pmo_a"]
    proposal = intake.proposal_create(
        actor=pmo, portfolio=world.portfolio_a, data=proposal_data(world, frame), submit=True
    )
    proposal = intake.proposal_start_review(actor=pmo, proposal=proposal)
    before = _denials()
    with pytest.raises(PermissionDenied):
        intake.proposal_decide(actor=pmo, proposal=proposal, outcome="approved", rationale="Je me l'accorde")
    assert _denials() == before + 1


def test_only_the_pmo_starts_the_review(world, frame):
    proposal = submitted(world, frame)
    with pytest.raises(PermissionDenied):
        intake.proposal_start_review(actor=world.users["executive"], proposal=proposal)
    with pytest.raises(PermissionDenied):
        intake.proposal_submit(actor=world.users["pmo_a"], proposal=proposal)


def test_drafts_are_seen_by_their_requester_only(world, frame):
    draft = intake.proposal_create(
        actor=world.users["team"], portfolio=world.portfolio_a, data=proposal_data(world, frame)
    )
    sent = submitted(world, frame)
    visible = {
        name: set(ProjectProposal.objects.visible_to(world.users[name]).values_list("pk", flat=True))
        for name in ("team", "pm_a", "executive", "pmo_a", "pm_b", "pmo_b", "superuser")
    }
    assert visible["team"] == {draft.pk, sent.pk}
    assert visible["pmo_a"] == visible["executive"] == visible["pm_a"] == visible["superuser"] == {sent.pk}
    assert visible["pm_b"] == visible["pmo_b"] == set()
