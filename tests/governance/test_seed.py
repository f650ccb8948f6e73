"""The demo seed runs the tolerance scan over the demo and sends the watermelon's cost report."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.models import ExceptionReport, ProjectException
from governance.seed import seed_exceptions
from reporting.models import ReportRun

pytestmark = pytest.mark.django_db


def test_the_demo_has_open_exceptions_with_drafted_reports_and_one_sent():
    call_command("seed_demo", stdout=io.StringIO())
    by_key = {
        (e.project.code, e.tolerance): e for e in ProjectException.objects.select_related("project", "report")
    }
    # the stories of the demo: the watermelon over budget, the drifting CRM late
    assert {("erp-finance", "cost"), ("crm-unifie", "time")} <= set(by_key)
    open_drafts = [
        e for e in by_key.values() if e.state == "open" and e.report.state == ExceptionReport.State.DRAFT
    ]
    assert len(open_drafts) >= 2
    assert all(e.report.options and e.report.cause and e.report.decision_requested for e in open_drafts)
    sent = ExceptionReport.objects.get(state=ExceptionReport.State.SENT)
    assert (sent.exception.project.code, sent.exception.tolerance, sent.exception.state) == (
        "erp-finance",
        "cost",
        ProjectException.State.REPORTED,
    )
    assert sent.sent_by == sent.exception.project.manager
    assert "Complément du chef de projet" in sent.html_snapshot
    run = ReportRun.objects.get(kind=ReportRun.Kind.EXCEPTION)
    assert (run.exception_id, run.status, run.requested_by_id) == (
        sent.exception_id,
        "queued",
        sent.sent_by_id,
    )
    # idempotent: a second pass raises and sends nothing
    count = ProjectException.objects.count()
    assert seed_exceptions(today=timezone.localdate()) == []
    assert ProjectException.objects.count() == count
