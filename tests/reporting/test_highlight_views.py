"""The highlight report pages: the project page's "Reports" tab and one frozen report, their content,
who sees the generate button, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmo.core.periods import week_start
from projects import services
from projects.models import Risk
from reporting.models import ReportRun
from tests.access_refs.highlight import frozen_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def weeks_back(n: int):
    return week_start(timezone.localdate()) - timedelta(weeks=n)


def chain(project, count: int):
    """`count` frozen weekly reports of `project`, oldest first, each pointing at the one before."""
    reports, previous = [], None
    for n in range(count, 0, -1):
        report = frozen_report(project, weeks_back(n))
        if previous is not None:
            report.previous = previous
            report.diff = {**report.diff, "previous_period": previous.period_start.isoformat()}
            report.save(update_fields=["previous", "diff"])
        reports.append(report)
        previous = report
    return reports


def test_reports_tab_lists_the_frozen_reports_with_their_pdf(world, client_for):
    reports = chain(world.a1, 2)
    response = client_for("pm_a").get(
        reverse("reporting:project-reports-partial", args=[world.a1.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="project-reports"')
    for report in reports:
        assert reverse("reporting:highlight", args=[report.pk]) in html
        assert reverse("reporting:run-download", args=[report.run_id]) in html
    assert html.index(reports[1].period_start.strftime("%d/%m/%Y")) < html.index(
        reports[0].period_start.strftime("%d/%m/%Y")
    )  # newest first
    assert 'name="kind" value="highlight"' in html and f'name="project" value="{world.a1.pk}"' in html


def test_reports_tab_hides_unfinished_reports_and_shows_their_runs(world, client_for):
    report = frozen_report(world.a1, weeks_back(1))
    ReportRun.objects.filter(pk=report.run_id).update(
        status=ReportRun.Status.FAILED, error="gabarit introuvable"
    )
    html = (
        client_for("pmo_a")
        .get(reverse("reporting:project-reports-partial", args=[world.a1.pk]))
        .content.decode()
    )
    assert reverse("reporting:highlight", args=[report.pk]) not in html
    assert reverse("reporting:run", args=[report.run_id]) in html and "gabarit introuvable" in html


@pytest.mark.parametrize(
    ("principal", "shown"), [("pm_a", True), ("pmo_a", True), ("executive", True), ("team", False)]
)
def test_generate_button_only_for_those_who_may_request(world, client_for, principal, shown):
    html = (
        client_for(principal)
        .get(reverse("reporting:project-reports-partial", args=[world.a1.pk]))
        .content.decode()
    )
    assert (reverse("reporting:run-request") in html) is shown


def test_the_project_page_has_the_reports_tab(world, client_for):
    html = client_for("pm_a").get(reverse("projects:project-detail", args=[world.a1.pk])).content.decode()
    assert reverse("reporting:project-reports-partial", args=[world.a1.pk]) in html


def test_highlight_page_shows_the_snapshot_the_changes_and_the_neighbours(world, client_for):
    first, middle, last = chain(world.a1, 3)
    middle.diff = {
        "previous_period": first.period_start.isoformat(),
        "count": 1,
        "sections": {
            "risks": {
                "added": [{"id": 1, "label": "Grève des transports", "item": {"score": 20}}],
                "removed": [],
                "changed": [],
            }
        },
    }
    middle.save(update_fields=["diff"])
    response = client_for("sponsor").get(reverse("reporting:highlight", args=[middle.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert middle.html in html  # the frozen snapshot, as stored
    assert 'id="highlight-diff-panel"' in html and "Grève des transports" in html and 'class="added"' in html
    assert reverse("reporting:highlight", args=[first.pk]) in html
    assert reverse("reporting:highlight", args=[last.pk]) in html
    assert reverse("reporting:run-download", args=[middle.run_id]) in html


def test_highlight_page_of_an_invisible_project_is_404(world, client_for):
    report = frozen_report(world.b1, weeks_back(1))
    assert client_for("pm_a").get(reverse("reporting:highlight", args=[report.pk])).status_code == 404


def test_reports_tab_and_page_in_constant_queries(world, client_for):
    client = client_for("pm_a")
    tab = reverse("reporting:project-reports-partial", args=[world.a1.pk])

    def count(url):
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def page(report):
        return reverse("reporting:highlight", args=[report.pk])

    first = frozen_report(world.a1, weeks_back(1))
    few_tab, few_page = count(tab), count(page(first))
    more = [frozen_report(world.a1, weeks_back(n)) for n in range(2, 10)]
    assert count(tab) == few_tab
    assert count(page(more[3])) == few_page
    print(
        f"\nQUERY-BUDGET highlight reports tab: {few_tab} queries; highlight report page: {few_page} queries"
    )
    assert few_tab <= 12 and few_page <= 12


def test_frozen_html_escapes_what_users_typed(world, client_for):
    """The snapshot is shown as stored (|safe): it must have been escaped when it was rendered."""
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    services.record_create(
        actor=world.users["pm_a"],
        model=Risk,
        project=world.a1,
        data={"title": payload, "probability": 4, "impact": 4},
    )
    report = frozen_report(world.a1, week_start(timezone.localdate()))
    assert payload not in report.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in report.html
    html = client_for("pm_a").get(reverse("reporting:highlight", args=[report.pk])).content.decode()
    assert "<script>alert(1)" not in html and 'onerror="alert(2)"' not in html
