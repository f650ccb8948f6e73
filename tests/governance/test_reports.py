"""The exception report's life: edited while a draft, checked and frozen when sent; the exception
raised by hand and closed by a decision."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape
from django.utils.text import capfirst

from governance import services
from governance.models import ExceptionReport, ProjectException
from pmo.core.locking import StaleVersionError
from pmo.core.models import Notification
from tests.governance.conftest import AS_OF, over_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(a1):
    over_budget(a1)
    [exception] = services.scan_project(project=a1, as_of=AS_OF).raised
    return ExceptionReport.objects.select_related("exception__project").get(exception=exception)


def label(name: str) -> str:
    return str(capfirst(ExceptionReport._meta.get_field(name).verbose_name))


def snapshot(report):
    return (
        ExceptionReport.objects.values().get(pk=report.pk),
        ProjectException.objects.values().get(pk=report.exception_id),
    )


def test_the_manager_edits_the_draft(raised, world):
    version = raised.version
    updated = services.exception_report_update(
        actor=world.users["pm_a"],
        report=raised,
        version=raised.version,
        data={
            "cause": "Reprise de données sous-estimée.",
            "options": [
                {"title": "Réduire le périmètre", "cost_impact": "0", "schedule_impact_days": "5"},
                {"title": "", "description": ""},  # an empty row is dropped
            ],
        },
    )
    assert updated.version == version + 1
    assert updated.cause == "Reprise de données sous-estimée."
    assert updated.options == [
        {
            "title": "Réduire le périmètre",
            "description": "",
            "cost_impact": "0.00",
            "schedule_impact_days": 5,
            "risk": "",
        }
    ]


@pytest.mark.parametrize("principal", ["team", "sponsor", "executive", "pm_b", "pmo_b"])
def test_only_the_projects_editors_edit_the_report(raised, world, principal):
    with pytest.raises(PermissionDenied):
        services.exception_report_update(
            actor=world.users[principal], report=raised, version=raised.version, data={"cause": "x"}
        )


def test_a_stale_version_writes_nothing(raised, world):
    before = snapshot(raised)
    with pytest.raises(StaleVersionError):
        services.exception_report_update(
            actor=world.users["pmo_a"], report=raised, version=raised.version - 1, data={"cause": "x"}
        )
    assert snapshot(raised) == before


@pytest.mark.parametrize(
    "options",
    [
        [{"description": "sans titre"}],
        [{"title": "A", "cost_impact": "beaucoup"}],
        [{"title": "A", "schedule_impact_days": "deux"}],
        "pas une liste",
    ],
)
def test_bad_options_are_refused(raised, world, options):
    with pytest.raises(ValidationError) as error:
        services.exception_report_update(
            actor=world.users["pm_a"], report=raised, version=raised.version, data={"options": options}
        )
    assert "options" in error.value.message_dict


def test_sending_an_incomplete_report_names_each_missing_field_and_writes_nothing(raised, world):
    raised = services.exception_report_update(
        actor=world.users["pm_a"],
        report=raised,
        version=raised.version,
        data={"cause": "", "recommendation": "  ", "options": []},
    )
    before = snapshot(raised)
    with pytest.raises(ValidationError) as error:
        services.send_exception_report(actor=world.users["pm_a"], report=raised)
    errors = error.value.message_dict
    assert set(errors) == {"cause", "recommendation", "options"}
    assert label("cause") in errors["cause"][0]
    assert label("recommendation") in errors["recommendation"][0]
    assert snapshot(raised) == before


def test_sending_freezes_the_report_and_marks_the_exception_reported(raised, world):
    sent = services.send_exception_report(actor=world.users["pm_a"], report=raised)
    assert sent.state == ExceptionReport.State.SENT
    assert sent.sent_by == world.users["pm_a"] and sent.sent_at is not None
    assert sent.version == raised.version + 1
    assert escape(raised.title) in sent.html_snapshot
    for option in sent.options:
        assert option["title"] in sent.html_snapshot
    assert 'id="exception-report-document"' in sent.html_snapshot
    assert ProjectException.objects.get(pk=raised.exception_id).state == ProjectException.State.REPORTED


def test_a_sent_report_is_frozen(raised, world):
    sent = services.send_exception_report(actor=world.users["pm_a"], report=raised)
    before = snapshot(sent)
    with pytest.raises(services.ReportFrozenError):
        services.exception_report_update(
            actor=world.users["pmo_a"], report=sent, version=sent.version, data={"cause": "x"}
        )
    with pytest.raises(services.ReportFrozenError):
        services.send_exception_report(actor=world.users["pmo_a"], report=sent)
    assert snapshot(sent) == before


def test_sending_is_for_the_editors(raised, world):
    with pytest.raises(PermissionDenied):
        services.send_exception_report(actor=world.users["sponsor"], report=raised)


def test_sending_checks_the_version_read(raised, world):
    with pytest.raises(StaleVersionError):
        services.send_exception_report(actor=world.users["pm_a"], report=raised, version=raised.version - 1)


def test_the_sponsor_closes_with_a_decision(raised, world):
    exception = raised.exception
    closed = services.close_exception(
        actor=world.users["sponsor"], exception=exception, note="COPIL : option 1."
    )
    assert (closed.state, closed.closing_note) == (ProjectException.State.CLOSED, "COPIL : option 1.")
    assert closed.closed_at is not None
    recipients = set(
        Notification.objects.filter(key=f"exception-{exception.pk}-closed").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"pm_a", "sponsor", "pmo_a"}
    # the report of a closed exception can no longer change
    with pytest.raises(ValidationError):
        services.exception_report_update(
            actor=world.users["pm_a"], report=raised, version=raised.version, data={}
        )


@pytest.mark.parametrize("principal", ["team", "pm_a", "executive"])
def test_closing_is_not_for_the_manager_nor_other_executives(raised, world, principal):
    with pytest.raises(PermissionDenied):
        services.close_exception(actor=world.users[principal], exception=raised.exception, note="x")


def test_closing_needs_a_note_and_an_open_exception(raised, world):
    with pytest.raises(ValidationError):
        services.close_exception(actor=world.users["pmo_a"], exception=raised.exception, note="  ")
    closed = services.close_exception(actor=world.users["pmo_a"], exception=raised.exception, note="Décidé")
    with pytest.raises(ValidationError):
        services.close_exception(actor=world.users["pmo_a"], exception=closed, note="Encore")


def test_raising_by_hand_drafts_a_report_around_the_summary(a1, world):
    exception = services.raise_exception(
        actor=world.users["pm_a"],
        project=a1,
        tolerance="quality",
        summary="Deux livrables refusés en recette.",
        forecast_value=Decimal("2"),
        limit=Decimal("0"),
        as_of=AS_OF,
    )
    # quality is measured in % (a measured tolerance now); nothing is due yet, so no options drafted
    assert (exception.raised_by, exception.state, exception.unit) == (world.users["pm_a"], "open", "pct")
    report = exception.report
    assert report.cause == "Deux livrables refusés en recette."
    assert report.options == [] and report.recommendation == ""
    assert report.facts["tolerance"] == "quality" and report.facts["measure"] is None
    assert Notification.objects.filter(key=f"exception-{exception.pk}-raised").count() == 3


def test_raising_cost_by_hand_takes_the_measured_figures(a1, world):
    over_budget(a1)
    exception = services.raise_exception(
        actor=world.users["pmo_a"],
        project=a1,
        tolerance="cost",
        summary="Alerte du contrôle de gestion",
        as_of=AS_OF,
    )
    assert (exception.forecast_value, exception.limit, exception.unit) == (
        Decimal("25.00"),
        Decimal("10.0"),
        "pct",
    )
    assert len(exception.report.options) == 3
    assert exception.report.cause.startswith("Alerte du contrôle de gestion\n")


def test_raising_by_hand_is_refused_when_not_allowed_or_duplicate_or_unmeasured(a1, world):
    with pytest.raises(PermissionDenied):
        services.raise_exception(actor=world.users["sponsor"], project=a1, tolerance="scope", summary="x")
    with pytest.raises(ValidationError) as error:
        services.raise_exception(
            actor=world.users["pm_a"], project=a1, tolerance="scope", summary="Périmètre"
        )
    assert "forecast_value" in error.value.message_dict
    services.raise_exception(
        actor=world.users["pm_a"], project=a1, tolerance="scope", summary="x", forecast_value=1, limit=0
    )
    with pytest.raises(ValidationError) as error:
        services.raise_exception(
            actor=world.users["pm_a"], project=a1, tolerance="scope", summary="y", forecast_value=1, limit=0
        )
    assert "tolerance" in error.value.message_dict
    assert ProjectException.objects.filter(project=a1).count() == 1
