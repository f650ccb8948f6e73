"""The gate pages over HTTP: a forbidden decision is refused (403) and recorded with its path; a
request without its documents comes back (422) naming them, nothing written."""

import pytest
from django.urls import reverse

from governance.gates import request_gate
from governance.models import GateReview
from pmo.core.models import SecurityEvent
from tests.gates.conftest import upload_required, yes_to_all

pytestmark = pytest.mark.django_db


def test_a_manager_deciding_their_own_gate_gets_403_and_the_attempt_is_recorded(world, a1, client_for):
    upload_required(a1, world.users["pm_a"])
    review = request_gate(actor=world.users["pm_a"], project=a1, checklist=yes_to_all(a1))
    url = reverse("governance:gate-decide", args=[review.pk])
    response = client_for("pm_a").post(url, {"decision": "go", "rationale": "Moi-même"})
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind="permission_denied", user=world.users["pm_a"])
    assert event.path == url and "decision" in event.detail
    assert GateReview.objects.get(pk=review.pk).state == "requested"
    # the sponsor's decision without a rationale comes back with the field named, then passes
    sponsor = client_for("sponsor")
    assert sponsor.post(url, {"decision": "go"}).status_code == 422
    assert sponsor.post(url, {"decision": "go", "rationale": "Cadrage complet"}).status_code == 302
    a1.refresh_from_db()
    assert a1.stage == "Planification"


def test_a_request_without_its_documents_names_them(world, a1, client_for):
    url = reverse("governance:gate-request", args=[a1.pk])
    data = {f"answer_{i}": "yes" for i in range(len(a1.current_stage.gate.criteria))}
    response = client_for("pm_a").post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "gate-request-errors" in body and "Note de cadrage" in body and "Business case" in body
    assert not GateReview.objects.exists()
