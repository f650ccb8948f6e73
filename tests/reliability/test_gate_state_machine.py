"""RELIABILITY row 5: stage-gate workflow integrity under random sequences of uploads, requests,
decisions and withdrawals by random principals, while the sponsor is sometimes made the deputy.

Invariants checked after every step (0 violations allowed):
- no skipped gate: the project's stage only moves one stage forward, and only on a go;
- the denormalised `stage` is always the current stage's name;
- only the sponsor or an executive of the portfolio decides; the manager or the deputy never
  decides their own gate (whatever else they are);
- at most one review awaits a decision; a refused attempt changes nothing and is recorded
  (security event `permission_denied`);
- every transition is audited: one pghistory event per review write, with the actor.

`make test` runs a quick deterministic profile (derandomize, 40 examples × 25 steps); the
reliability run (`python -m reliability.run 5`, GATE_MACHINE_PROFILE=reliability) runs 500 examples
× 50 steps.
"""

import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from governance.gates import current_gate, decide_gate, request_gate, withdraw_gate
from governance.models import GateReview
from pmo.core.models import SecurityEvent
from portfolio.models import Methodology
from projects.models import Project
from projects.services.documents import document_upload
from tests.gates.conftest import PDF

pytestmark = pytest.mark.django_db(transaction=False)

PROFILES = {
    "ci": settings(
        max_examples=40,
        stateful_step_count=25,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    ),
    "reliability": settings(
        max_examples=500,
        stateful_step_count=50,
        derandomize=False,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    ),
}
ACTORS = ["team", "pm_a", "pm_b", "sponsor", "executive", "pmo_a", "pmo_b", "superuser"]
DECISIONS = [c for c, _label in GateReview.Decision.choices]
OPEN = {"proposed", "active", "on_hold"}


class GateMachine(RuleBasedStateMachine):
    """The model: the stage order and state the project must have, whether a review is pending,
    how many refusals and review writes happened."""

    world = None  # set by the test

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        world = self.world
        self.users = world.users
        methodology = Methodology.objects.get(code="classique")
        self.stages = list(methodology.stages.order_by("order"))
        first = self.stages[0]
        Project.objects.filter(pk=world.a1.pk).update(
            methodology=methodology, current_stage=first, stage=first.name, state="active", deputy=None
        )
        self.project_id = world.a1.pk
        self.order = first.order
        self.state = "active"
        self.pending = False
        self.refusals = SecurityEvent.objects.filter(kind="permission_denied").count()
        self.review_writes = 0

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------------

    def project(self) -> Project:
        return Project.objects.select_related("current_stage").get(pk=self.project_id)

    def is_editor(self, name: str, project: Project) -> bool:
        """The manager, the PMO of A and the superuser; a deputy edits only if a project manager of
        the portfolio (none of the deputies this machine names is)."""
        return name in ("pm_a", "pmo_a", "superuser")

    def is_decider(self, name: str, project: Project) -> bool:
        user = self.users[name]
        if user.pk in (project.manager_id, project.deputy_id):
            return False
        return name in ("sponsor", "executive")

    def refused(self) -> None:
        self.refusals += 1

    # --- rules -------------------------------------------------------------------------------------

    @initialize()
    def start(self):
        assert self.project().stage == self.stages[0].name

    @rule(actor=st.sampled_from(ACTORS), which=st.integers(min_value=0, max_value=5))
    def upload(self, actor, which):
        project = self.project()
        gate = current_gate(project)
        types = list(gate.required_document_types.all()) if gate else []
        if not types:
            return
        document_type = types[which % len(types)]
        existing = project.documents.filter(document_type=document_type).first()
        try:
            document_upload(
                actor=self.users[actor],
                project=project,
                name=f"{document_type.code}.pdf",
                data=PDF,
                document=existing,
                document_type=None if existing else document_type,
            )
        except PermissionDenied:
            assert not self.is_editor(actor, project)
            return
        except ValidationError:
            assert project.state not in OPEN
            return
        assert self.is_editor(actor, project) and project.state in OPEN

    @rule(actor=st.sampled_from(ACTORS), complete=st.booleans())
    def request(self, actor, complete):
        project = self.project()
        gate = current_gate(project)
        answers = [{"answer": "yes"} for _ in gate.criteria]
        if not complete and answers:
            answers[0] = {"answer": ""}
        try:
            request_gate(actor=self.users[actor], project=project, checklist=answers)
        except PermissionDenied:
            assert not self.is_editor(actor, project)
            self.refused()
            return
        except ValidationError:
            return
        assert self.is_editor(actor, project) and not self.pending and self.state in OPEN
        assert complete or not gate.criteria
        missing = [
            t
            for t in gate.required_document_types.all()
            if not project.documents.filter(document_type=t).exists()
        ]
        assert not missing, f"requested with missing documents {missing}"
        self.pending = True
        self.review_writes += 1

    @rule(actor=st.sampled_from(ACTORS), decision=st.sampled_from(DECISIONS))
    def decide(self, actor, decision):
        review = GateReview.objects.filter(project_id=self.project_id, state="requested").first()
        if review is None:
            return
        project = self.project()
        try:
            decide_gate(
                actor=self.users[actor],
                review=review,
                decision=decision,
                rationale="Motif",
                conditions="Conditions" if decision == "go_conditions" else "",
            )
        except PermissionDenied:
            assert not self.is_decider(actor, project), f"{actor} refused but is a decider"
            self.refused()
            return
        assert self.is_decider(actor, project), f"{actor} decided but may not"
        self.pending = False
        self.review_writes += 1
        if decision in ("go", "go_conditions"):
            if self.order == self.stages[-1].order:
                self.state = "closed"
            else:
                self.order += 1
                self.state = "active"
        elif decision == "stop":
            self.state = "cancelled"
        elif decision == "hold":
            self.state = "on_hold"

    @rule(actor=st.sampled_from(ACTORS))
    def withdraw(self, actor):
        review = GateReview.objects.filter(project_id=self.project_id, state="requested").first()
        if review is None:
            return
        project = self.project()
        try:
            withdraw_gate(actor=self.users[actor], review=review)
        except PermissionDenied:
            assert not self.is_editor(actor, project)
            self.refused()
            return
        assert self.is_editor(actor, project)
        self.pending = False
        self.review_writes += 1

    @rule(deputy=st.sampled_from([None, "sponsor", "executive", "team"]))
    def change_deputy(self, deputy):
        """The PMO names a deputy: a sponsor or executive who becomes deputy loses the decision."""
        Project.objects.filter(pk=self.project_id).update(deputy=self.users[deputy] if deputy else None)

    # --- invariants --------------------------------------------------------------------------------

    @invariant()
    def stage_and_state_follow_the_decisions(self):
        project = self.project()
        assert project.current_stage.order == self.order, "a gate was skipped or moved without a go"
        assert project.stage == project.current_stage.name
        assert project.state == self.state

    @invariant()
    def at_most_one_pending_review(self):
        pending = GateReview.objects.filter(project_id=self.project_id, state="requested").count()
        assert pending == (1 if self.pending else 0)

    @invariant()
    def deciders_only(self):
        for review in GateReview.objects.filter(project_id=self.project_id, state="decided").select_related(
            "decided_by"
        ):
            assert review.decided_by.username in ("sponsor", "executive")
            assert review.decided_by_id != review.requested_by_id

    @invariant()
    def refusals_are_recorded_and_transitions_audited(self):
        assert SecurityEvent.objects.filter(kind="permission_denied").count() == self.refusals
        events = GateReview.pgh_event_model.objects.filter(pgh_obj__project_id=self.project_id)
        assert events.count() == self.review_writes
        assert not events.filter(pgh_context__isnull=True).exists()


def test_gate_workflow_integrity(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    GateMachine.world = world
    profile = PROFILES[os.environ.get("GATE_MACHINE_PROFILE", "ci")]
    run_state_machine_as_test(GateMachine, settings=profile)
