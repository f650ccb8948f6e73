"""Exception pages: lists and filters, the project tab, the report form (422 inline), sending through
reporting (freeze + PDF run, or errors and nothing written), closing; and their query budget."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from governance import services
from governance.models import ExceptionReport, ProjectException
from reporting.models import ReportRun
from tests.access_refs.governance import exception_with_report
from tests.factories import ProgrammeFactory, ProjectFactory
from tests.governance.conftest import AS_OF, over_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(a1):
    over_budget(a1)
    [exception] = services.scan_project(project=a1, as_of=AS_OF).raised
    return exception


def form_data(report, **changes):
    """The edit form as the page posts it: the report's texts and its options as rows."""
    data = {
        "version": report.version,
        "title": report.title,
        "cause": report.cause,
        "consequences": report.consequences,
        "recommendation": report.recommendation,
        "decision_requested": report.decision_requested,
        "options-TOTAL_FORMS": str(len(report.options) + 1),
        "options-INITIAL_FORMS": str(len(report.options)),
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "6",
    }
    for index, option in enumerate(report.options):
        for key in ("title", "description", "risk"):
            data[f"options-{index}-{key}"] = option[key]
        data[f"options-{index}-cost_impact"] = (option["cost_impact"] or "").replace(".", ",")
        data[f"options-{index}-schedule_impact_days"] = option["schedule_impact_days"] or ""
    data.update(changes)
    return data


def test_the_portfolio_list_filters_by_state_tolerance_and_programme(world, client_for):
    other_programme = ProgrammeFactory(portfolio=world.portfolio_a, code="prog-x", name="Programme X")
    a3 = ProjectFactory(portfolio=world.portfolio_a, programme=other_programme, code="a3")
    cost_a1, _ = exception_with_report(world.a1, "cost")
    time_a1, _ = exception_with_report(world.a1, "time", sent_by=world.users["pm_a"])
    cost_a3, _ = exception_with_report(a3, "cost")
    exception_with_report(world.b1, "cost")  # another portfolio
    url = reverse("governance:portfolio-exceptions", args=[world.portfolio_a.pk])
    client = client_for("pmo_a")

    def listed(**query):
        response = client.get(url, query, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert b"<html" not in response.content  # the table only
        return {e.pk for e in response.context["page_obj"].object_list}

    assert listed() == {cost_a1.pk, time_a1.pk, cost_a3.pk}
    assert listed(state="open") == {cost_a1.pk, cost_a3.pk}
    assert listed(state="reported") == {time_a1.pk}
    assert listed(tolerance="time") == {time_a1.pk}
    assert listed(programme=other_programme.pk) == {cost_a3.pk}
    assert listed(programme=world.programme_b.pk) == set()
    page = client.get(url)
    assert page.status_code == 200 and b"<html" in page.content
    assert "HX-Request" in page["Vary"]


def test_the_team_member_lists_only_their_projects_exceptions(world, client_for):
    on_a1, _ = exception_with_report(world.a1, "cost")
    exception_with_report(world.a2, "cost")
    response = client_for("team").get(reverse("governance:portfolio-exceptions", args=[world.portfolio_a.pk]))
    assert {e.pk for e in response.context["page_obj"].object_list} == {on_a1.pk}


def test_the_project_tab_lists_the_projects_exceptions(raised, world, client_for):
    response = client_for("team").get(
        reverse("governance:project-exceptions-partial", args=[world.a1.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert list(response.context["exceptions"]) == [raised]
    assert reverse("governance:exception-detail", args=[raised.pk]).encode() in response.content
    page = client_for("team").get(reverse("projects:project-detail", args=[world.a1.pk]))
    assert reverse("governance:project-exceptions-partial", args=[world.a1.pk]).encode() in page.content


def test_the_detail_page_shows_the_report_and_the_actions_of_the_user(raised, client_for):
    url = reverse("governance:exception-detail", args=[raised.pk])
    manager = client_for("pm_a").get(url)
    assert manager.context["can_edit"] is True and manager.context["can_close"] is False
    assert escape(raised.report.title).encode() in manager.content
    assert reverse("reporting:exception-send", args=[raised.pk]).encode() in manager.content
    sponsor = client_for("sponsor").get(url)
    assert sponsor.context["can_edit"] is False and sponsor.context["can_close"] is True
    assert reverse("reporting:exception-send", args=[raised.pk]).encode() not in sponsor.content


def test_the_preview_renders_the_draft_as_it_will_be_frozen(raised, client_for):
    response = client_for("executive").get(reverse("governance:report-preview", args=[raised.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="exception-report-document"' in content
    for option in raised.report.options:
        assert option["title"] in content


def test_the_edit_form_saves_and_redirects(raised, client_for):
    report = raised.report
    response = client_for("pm_a").post(
        reverse("governance:report-edit", args=[raised.pk]),
        form_data(report, cause="Cause revue par le chef de projet"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:exception-detail", args=[raised.pk])
    report.refresh_from_db()
    assert report.cause == "Cause revue par le chef de projet"
    assert report.version == 2
    assert [o["title"] for o in report.options] == [o["title"] for o in raised.report.options]


def test_the_edit_form_answers_422_inline_and_writes_nothing(raised, client_for):
    report = raised.report
    data = form_data(report, **{"options-3-description": "Une option sans titre", "title": ""})
    for headers, whole_page in (({}, True), ({"HX-Request": "true"}, False)):
        response = client_for("pm_a").post(
            reverse("governance:report-edit", args=[raised.pk]), data, headers=headers
        )
        assert response.status_code == 422
        assert (b"<html" in response.content) is whole_page
        assert response.context["form"].errors["title"]
        assert response.context["formset"].forms[3].errors["title"]
    assert ExceptionReport.objects.get(pk=report.pk).version == report.version


def test_the_edit_form_refuses_a_stale_version(raised, client_for):
    report = raised.report
    response = client_for("pm_a").post(
        reverse("governance:report-edit", args=[raised.pk]), form_data(report, version=report.version - 1)
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()


def test_sending_from_the_form_saves_freezes_and_requests_the_pdf(raised, client_for):
    report = raised.report
    response = client_for("pm_a").post(
        reverse("reporting:exception-send", args=[raised.pk]),
        form_data(report, title="Rapport d'exception final"),
    )
    run = ReportRun.objects.get(exception=raised)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:run", kwargs={"pk": run.pk})
    assert (run.kind, run.status, run.requested_by.username) == ("exception", "queued", "pm_a")
    report.refresh_from_db()
    assert (report.state, report.title) == (ExceptionReport.State.SENT, "Rapport d'exception final")
    assert escape("Rapport d'exception final") in report.html_snapshot
    raised.refresh_from_db()
    assert raised.state == ProjectException.State.REPORTED


def test_sending_over_htmx_redirects_the_browser_to_the_run(raised, client_for):
    response = client_for("pmo_a").post(
        reverse("reporting:exception-send", args=[raised.pk]),
        {"version": raised.report.version},
        headers={"HX-Request": "true"},
    )
    run = ReportRun.objects.get(exception=raised)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("reporting:run", kwargs={"pk": run.pk})


def test_sending_an_incomplete_report_shows_the_missing_fields_and_writes_nothing(raised, client_for):
    report = raised.report
    before = ExceptionReport.objects.values().get(pk=report.pk)
    data = form_data(report, cause="", decision_requested="Nouvelle décision demandée")
    for index in range(len(report.options)):
        data[f"options-{index}-title"] = data[f"options-{index}-description"] = data[
            f"options-{index}-risk"
        ] = ""
        data[f"options-{index}-cost_impact"] = data[f"options-{index}-schedule_impact_days"] = ""
    response = client_for("pm_a").post(reverse("reporting:exception-send", args=[raised.pk]), data)
    assert response.status_code == 422
    assert set(response.context["send_errors"]) == {"cause", "options"}
    assert response.context["form"].errors["cause"]
    content = response.content.decode()
    assert str(ExceptionReport._meta.get_field("cause").verbose_name).capitalize() in content
    assert "Nouvelle décision demandée" in content  # what was typed is kept
    # nothing written: neither the edits nor the freeze nor a run
    assert ExceptionReport.objects.values().get(pk=report.pk) == before
    assert not ReportRun.objects.exists()
    raised.refresh_from_db()
    assert raised.state == ProjectException.State.OPEN


def test_sending_with_a_stale_version_writes_nothing(raised, client_for):
    response = client_for("pm_a").post(
        reverse("reporting:exception-send", args=[raised.pk]), {"version": raised.report.version - 1}
    )
    assert response.status_code == 422
    assert "version" in response.context["send_errors"]
    assert not ReportRun.objects.exists()


def test_closing_from_the_page(raised, client_for):
    url = reverse("governance:exception-close", args=[raised.pk])
    empty = client_for("sponsor").post(url, {"note": "", "version": raised.version})
    assert empty.status_code == 422
    assert empty.context["close_form"].errors["note"]
    done = client_for("sponsor").post(url, {"note": "COPIL : option 1.", "version": raised.version})
    assert done.status_code == 302
    raised.refresh_from_db()
    assert (raised.state, raised.closing_note) == ("closed", "COPIL : option 1.")


def test_the_pdf_link_follows_the_latest_run(world, client_for):
    sent, _report = exception_with_report(world.a1, "time", sent_by=world.users["pm_a"])
    url = reverse("reporting:exception-pdf", args=[sent.pk])
    assert client_for("sponsor").get(url).status_code == 404  # no run yet
    run = ReportRun.objects.create(
        kind="exception", key=f"exception:exception-{sent.pk}:x", exception=sent, period=timezone.localdate()
    )
    response = client_for("sponsor").get(url)
    assert response["Location"] == reverse("reporting:run", kwargs={"pk": run.pk})


def test_the_governance_home_lists_open_exceptions_and_counts_per_portfolio(raised, world, client_for):
    exception_with_report(world.a1, "time", sent_by=world.users["pm_a"])
    response = client_for("executive").get(reverse("governance:home"))
    assert [e.pk for e in response.context["exceptions"]][-1] == raised.pk
    counts = {p.code: (p.open_exceptions, p.reported_exceptions) for p in response.context["portfolios"]}
    assert counts == {"pf-a": (1, 1)}


# --- Query budget: constant whatever the number of exceptions -------------------------------------


def grow(world, count: int) -> None:
    for index in range(count):
        project = ProjectFactory(
            portfolio=world.portfolio_a, programme=world.programme_a, manager=world.users["pm_a"]
        )
        exception_with_report(project, "cost", sent_by=world.users["pm_a"] if index % 2 else None)
        exception_with_report(project, "risk")


def pages(world):
    first = ProjectException.objects.filter(project__portfolio=world.portfolio_a).order_by("pk").first()
    return {
        "governance home": (reverse("governance:home"), {}),
        "portfolio exceptions": (reverse("governance:portfolio-exceptions", args=[world.portfolio_a.pk]), {}),
        "portfolio exceptions HTMX": (
            reverse("governance:portfolio-exceptions", args=[world.portfolio_a.pk])
            + "?state=open&ordering=project",
            {"HX-Request": "true"},
        ),
        "project tab": (
            reverse("governance:project-exceptions-partial", args=[first.project_id]),
            {"HX-Request": "true"},
        ),
        "exception detail": (reverse("governance:exception-detail", args=[first.pk]), {}),
        "report preview": (reverse("governance:report-preview", args=[first.pk]), {}),
        "report edit": (reverse("governance:report-edit", args=[first.pk]), {}),
        "API exceptions": (reverse("api:exception-list") + "?page_size=100", {}),
        "API report": (reverse("api:exception-report-detail", args=[first.report.pk]), {}),
    }


def count(client, url, headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def test_query_counts_of_the_exception_pages_are_constant(world, client_for):
    client = client_for("pmo_a")
    grow(world, 3)
    small = {name: count(client, url, headers) for name, (url, headers) in pages(world).items()}
    grow(world, 30)
    large = {name: count(client, url, headers) for name, (url, headers) in pages(world).items()}
    for name in small:
        print(f"QUERY-BUDGET {name:<28} 6 exceptions: {small[name]:>3}   66 exceptions: {large[name]:>3}")  # noqa: T201
    assert large == small
    assert max(large.values()) <= 15, large


def test_raising_by_hand_from_the_project_tab(world, client_for):
    url = reverse("governance:exception-raise", args=[world.a1.pk])
    unmeasured = client_for("pm_a").post(url, {"tolerance": "scope", "summary": "Périmètre élargi"})
    assert unmeasured.status_code == 422
    assert unmeasured.context["raise_form"].errors["forecast_value"]
    assert not ProjectException.objects.exists()
    done = client_for("pm_a").post(
        url, {"tolerance": "scope", "summary": "Périmètre élargi", "forecast_value": "2,5", "limit": "0"}
    )
    exception = ProjectException.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("governance:report-edit", args=[exception.pk])
    assert (exception.tolerance, exception.forecast_value, exception.raised_by) == (
        "scope",
        Decimal("2.50"),
        world.users["pm_a"],
    )
    tab = client_for("pm_a").get(reverse("governance:project-exceptions-partial", args=[world.a1.pk]))
    assert tab.context["raise_form"] is not None
    assert (
        client_for("sponsor")
        .get(reverse("governance:project-exceptions-partial", args=[world.a1.pk]))
        .context["raise_form"]
        is None
    )
