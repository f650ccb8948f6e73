"""The steering committee pack (dossier de COPIL): its PDF's content, its scope (RELIABILITY row 6),
its query count, its failures, and the rules behind the agenda, decisions and milestone slips."""

import re
import subprocess
from base64 import b64decode
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext, override

from governance.models import ExceptionReport, ProjectException
from projects import qcdr
from projects.models import MilestoneForecast, Project
from reporting import services, tasks
from reporting.chart_images import ChartRenderer, ChartRenderingError, for_print, locale_script
from reporting.generators import steering
from reporting.models import ReportRun
from tests.reporting.test_steering_data import MEETING, build_projects

pytestmark = pytest.mark.django_db


def as_of_for(meeting=MEETING):
    """The pack reads the data as of the meeting, or today when the meeting is ahead."""
    return min(meeting, timezone.localdate())


def steering_run(world, *, requested_by="pmo_a", portfolio=None, programme=None, period=MEETING, **fields):
    portfolio = portfolio or (programme.portfolio if programme else world.portfolio_a)
    scope = f"programme-{programme.pk}" if programme else f"portfolio-{portfolio.pk}"
    return ReportRun.objects.create(
        kind=ReportRun.Kind.STEERING,
        key=ReportRun.make_key("steering", scope=scope, period=period),
        portfolio=portfolio,
        programme=programme,
        period=period,
        requested_by=world.users[requested_by] if requested_by else None,
        **{"status": ReportRun.Status.RUNNING, **fields},
    )


def pdf_pages(path) -> list[str]:
    """The text of each page (pdftotext keeps the layout; no-break spaces become plain spaces)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    text = text.stdout.replace("\u00a0", " ").replace("\u202f", " ")
    return text.split("\f")[:-1]


def heading_of(page: str) -> str:
    """The first line under the running header: the page's chapter title."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[1]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def no_distribution(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.distribute_run, "delay", lambda run_id: sent.append(run_id))
    return sent


def fr(message: str) -> str:
    with override("fr"):
        return gettext(message)


# --- The PDF ----------------------------------------------------------------------------------------


def test_pack_pdf_has_cover_contents_agenda_kpis_charts_and_red_project_pages(world, tmp_path):
    projects = build_projects(
        world.portfolio_a,
        count=6,
        manager=world.users["pm_a"],
        sponsor=world.users["sponsor"],
        as_of=as_of_for(),
    )
    run = steering_run(world)
    steps = []

    rendered = steering.generate(run, lambda percent, step="": steps.append((percent, step)))

    path = tmp_path / rendered.filename
    path.write_bytes(rendered.content)
    pages = pdf_pages(path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)$", info, flags=re.M).group(1)) == rendered.page_count
    assert len(pages) == rendered.page_count
    assert rendered.filename == f"copil-pf-a-{MEETING:%Y-%m-%d}.pdf"
    # progress at each stage, increasing
    assert [p for p, _s in steps] == sorted(p for p, _s in steps) and len(steps) >= 5
    # cover: the pack, its portfolio and the meeting date in French
    assert fr("Steering committee pack") in pages[0]
    assert "Portefeuille A" in pages[0]
    assert "jeudi 26 novembre 2026" in pages[0]
    # French money: project 0 has a budget of 1 234 567 €
    text = "\n".join(pages)
    assert "1 234 567 €" in text
    # every chapter, and the table of contents gives each its page
    contents = pages[1]
    for heading in (
        "Agenda",
        "Portfolio at a glance",
        "QCDR matrix",
        "Portfolio charts",
        "Projects in exception",
        "Decisions requested",
        "Top 10 risks",
        "Milestone slips",
        "Project pages",
    ):
        title = fr(heading)
        match = re.search(rf"^\s*{re.escape(title)}[ .]*?(\d+)\s*$", contents, flags=re.M)
        assert match, f"{title} missing from the contents"
        listed = int(match.group(1))
        assert heading_of(pages[listed - 1]) == title, f"{title} is not on page {listed}"
    # the red project in exception (declared red, costs 30 % over) has its own page, listed too
    red = projects[0]
    heading = f"{red.code} – {red.name}"
    comment = f"Commentaire du chef de projet sur {red.code}."
    own_page = next(n for n, page in enumerate(pages, 1) if heading in heading_of(page) and comment in page)
    match = re.search(rf"{re.escape(red.code)} – {re.escape(red.name)}[ .]*?(\d+)\b", contents)
    assert match and int(match.group(1)) == own_page
    assert "Arbitrage du sponsor attendu." in pages[own_page - 1]
    # a project neither red nor in exception has no page of its own
    green = next(
        p
        for p in Project.objects.filter(
            pk__in=[p.pk for p in projects], exceptions__isnull=True
        ).select_related("latest_report")
        if "red" not in (p.latest_report.overall, p.latest_report.indicated["indicated"]["overall"])
    )
    assert f"Commentaire du chef de projet sur {green.code}." not in text
    # the sent exception report is printed with its decision; the draft one is only listed
    assert f"Valider le budget révisé de {red.code}." in text
    assert f"Valider le budget révisé de {projects[4].code}." not in text
    # five charts, exported as SVG with French month names
    html = rendered.extra["html"]
    svgs = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    assert len(svgs) == 5 == rendered.extra["charts"]
    decoded = [b64decode(svg).decode() for svg in svgs]
    assert all(svg.startswith("<svg") for svg in decoded)
    assert any(
        re.search(r">(janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? ?\d{4}<", s) for s in decoded
    )


def test_pack_requested_by_a_pm_of_portfolio_a_shows_nothing_of_portfolio_b(world, media, no_distribution):
    """RELIABILITY row 6: the worker reads as a superuser would; the pack holds only the scope."""
    as_of = as_of_for()
    build_projects(
        world.portfolio_a, count=3, manager=world.users["pm_a"], sponsor=world.users["sponsor"], as_of=as_of
    )
    # portfolio B has red projects, exceptions and the highest risks: each would show if leaked
    build_projects(
        world.portfolio_b, count=4, manager=world.users["pm_b"], sponsor=None, prefix="bb", as_of=as_of
    )
    Project.objects.filter(pk=world.b1.pk).update(budget=999999)
    run, queued = services.request_run(
        actor=world.users["pm_a"], kind="steering", portfolio=world.portfolio_a, period=MEETING
    )
    assert queued

    tasks.generate_report.apply(args=[run.pk]).get(disable_sync_subtasks=False)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.file.name.startswith(f"reports/steering/{MEETING:%Y/%m}/")
    text = "\n".join(pdf_pages(run.file.path))
    assert "prj-00" in text  # portfolio A is there
    for leak in ("Projet B1", world.b1.code, "bb-0", "Projet BB", "999 999", "Portefeuille B"):
        assert text.count(leak) == 0, leak
    assert no_distribution == [run.pk]


def test_pack_of_a_programme_holds_its_projects_only(world):
    as_of = as_of_for()
    inside = build_projects(
        world.portfolio_a,
        count=2,
        manager=world.users["pm_a"],
        sponsor=None,
        prefix="in",
        programme=world.programme_a,
        as_of=as_of,
    )
    build_projects(
        world.portfolio_a, count=2, manager=world.users["pm_a"], sponsor=None, prefix="out", as_of=as_of
    )

    pack = steering.build_pack(steering_run(world, programme=world.programme_a), as_of=as_of)

    assert {row.code for row in pack.dashboard.rows} == {p.code for p in inside} | {world.a1.code}
    assert pack.scope_label.startswith(fr("Programme %(programme)s — %(portfolio)s").split("%")[0])


def test_requester_scope_is_intersected_even_when_the_run_names_a_portfolio(world):
    """Defence in depth: a run requested by a team member of A shows only what they may see (A1)."""
    build_projects(world.portfolio_a, count=2, manager=world.users["pm_a"], sponsor=None, as_of=as_of_for())

    pack = steering.build_pack(steering_run(world, requested_by="team"), as_of=as_of_for())

    assert [row.code for row in pack.dashboard.rows] == [world.a1.code]
    # archived projects are out for everybody, the PMO included
    Project.objects.filter(pk=world.a2.pk).update(archived_at=timezone.now())
    codes = {
        row.code
        for row in steering.build_pack(steering_run(world, period=MEETING + timedelta(days=1))).dashboard.rows
    }
    assert world.a2.code not in codes and world.a1.code in codes


# --- Constant queries -------------------------------------------------------------------------------


def count_queries(world, run) -> int:
    with CaptureQueriesContext(connection) as queries:
        pack = steering.build_pack(run, as_of=as_of_for())
        html = steering.render_html(pack)
    assert "<html" in html
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_projects(world):
    as_of = as_of_for()
    build_projects(
        world.portfolio_a, count=5, manager=world.users["pm_a"], sponsor=world.users["sponsor"], as_of=as_of
    )
    # a previous pack, so the milestone slips read the forecasts recorded at its date
    steering_run(world, period=MEETING - timedelta(days=28), status=ReportRun.Status.DONE)
    small = count_queries(world, steering_run(world))
    build_projects(
        world.portfolio_a,
        count=45,
        manager=world.users["pm_a"],
        sponsor=world.users["sponsor"],
        prefix="more",
        as_of=as_of,
    )

    large = count_queries(world, steering_run(world, period=MEETING + timedelta(days=7)))

    print(f"STEERING-QUERIES 7 projects: {small}, 52 projects: {large}")
    assert small == large
    assert large <= 25


# --- Failures ---------------------------------------------------------------------------------------


def test_a_failure_while_rendering_leaves_a_failed_run_and_no_file(
    world, media, monkeypatch, no_distribution
):
    from reporting import pdf

    build_projects(world.portfolio_a, count=2, manager=world.users["pm_a"], sponsor=None, as_of=as_of_for())
    run, _queued = services.request_run(
        actor=world.users["pmo_a"], kind="steering", portfolio=world.portfolio_a
    )

    def broken(html):
        raise RuntimeError("mise en page impossible")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)

    assert tasks.generate_report.apply(args=[run.pk]).get(disable_sync_subtasks=False) == "failed"

    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "mise en page impossible" in run.error
    assert not run.file and not run.file_sha256
    assert not list(media.rglob("*.pdf"))
    assert no_distribution == []


def test_a_browser_that_cannot_start_is_retried_then_fails(world, media, monkeypatch, no_distribution):
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    monkeypatch.setattr(tasks, "backoff", lambda retries: 0)
    run, _queued = services.request_run(
        actor=world.users["pmo_a"], kind="steering", portfolio=world.portfolio_a
    )

    assert tasks.generate_report.apply(args=[run.pk]).get(disable_sync_subtasks=False) == "failed"

    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.attempts == tasks.MAX_RETRIES + 1
    assert "/nonexistent/chromium" in run.error
    assert not list(media.rglob("*.pdf"))


# --- What the pack says -------------------------------------------------------------------------------


def test_agenda_is_built_from_exceptions_decisions_and_red_projects(world):
    projects = build_projects(
        world.portfolio_a, count=7, manager=world.users["pm_a"], sponsor=None, as_of=as_of_for()
    )

    pack = steering.build_pack(steering_run(world), as_of=as_of_for())

    titles = [item.title for item in pack.agenda]
    assert titles[0].startswith(fr("Portfolio at a glance: KPIs and QCDR matrix")[:10])
    exception_items = [t for t in titles if projects[0].code in t or projects[4].code in t]
    assert len(exception_items) == 2  # the two projects in exception, first
    assert titles[1:3] == exception_items
    decisions = fr("Decisions requested (%(count)s)") % {"count": len(pack.decisions)}
    assert titles[3] == decisions
    red_without_exception = [p for p in pack.pages if not p.exceptions]
    assert titles[4:-2] == [
        fr("Red project: %(project)s") % {"project": f"{page.project.code} – {page.project.name}"}
        for page in red_without_exception
    ]
    assert titles[-1] == fr("Any other business")
    # a sent report gets a quarter of an hour, a report in preparation five minutes
    minutes = {item.anchor: item.minutes for item in pack.agenda}
    sent = next(e for e in pack.exceptions if e.is_sent)
    assert minutes[sent.anchor] == 15


def test_agenda_given_in_the_run_options_is_used_as_is(world):
    run = steering_run(
        world,
        options={"agenda": ["Ouverture", {"title": "Budget 2027", "presenter": "DAF", "minutes": 20}]},
    )

    pack = steering.build_pack(run, as_of=as_of_for())

    assert [(i.title, i.presenter, i.minutes) for i in pack.agenda] == [
        ("Ouverture", "", None),
        ("Budget 2027", "DAF", 20),
    ]


def test_decisions_are_sent_exception_reports_and_proposed_projects(world):
    projects = build_projects(
        world.portfolio_a, count=10, manager=world.users["pm_a"], sponsor=None, as_of=as_of_for()
    )
    # a closed exception awaits nothing
    closed = ProjectException.objects.get(project=projects[8])
    ProjectException.objects.filter(pk=closed.pk).update(state=ProjectException.State.CLOSED)
    ExceptionReport.objects.filter(exception=closed).update(state=ExceptionReport.State.SENT)

    pack = steering.build_pack(steering_run(world), as_of=as_of_for())

    assert [(d.kind, d.project_code) for d in pack.decisions] == [
        ("exception_report", projects[0].code),
        ("project_proposal", projects[9].code),
    ]
    assert pack.decisions[0].requested == f"Valider le budget révisé de {projects[0].code}."
    # the dashboard counts the same decisions
    assert pack.dashboard.kpis.pending.total == len(pack.decisions)


def test_milestone_slips_are_measured_since_the_previous_pack_in_working_days(world):
    as_of = as_of_for()
    projects = build_projects(
        world.portfolio_a, count=3, manager=world.users["pm_a"], sponsor=None, as_of=as_of
    )
    previous = MEETING - timedelta(days=21)
    steering_run(world, period=previous, status=ReportRun.Status.DONE)

    pack = steering.build_pack(steering_run(world), as_of=as_of)

    assert pack.previous_pack == previous
    assert pack.slips, "the builder's key milestones slipped since three weeks ago"
    for slip in pack.slips:
        recorded = (
            MilestoneForecast.objects.filter(milestone=slip.milestone, period_start__lte=previous)
            .order_by("-period_start")
            .first()
        )
        assert slip.reference == recorded.forecast_date
        assert slip.current == slip.milestone.forecast_date
        assert slip.moved_days == qcdr.working_days_between(slip.reference, slip.current) != 0
    assert [s.moved_days for s in pack.slips] == sorted((s.moved_days for s in pack.slips), reverse=True)
    # project 0's milestones never moved (n % 3 == 0): none of them is listed
    assert projects[0].code not in {s.milestone.project.code for s in pack.slips}

    # without a previous pack: against the baseline, still-open milestones only
    first = steering.build_pack(steering_run(world, period=previous - timedelta(days=7)), as_of=as_of)
    assert first.previous_pack is None
    assert all(
        s.reference == s.milestone.baseline_date and s.milestone.actual_date is None for s in first.slips
    )


def test_top_risks_are_the_ten_highest_open_threats_of_the_scope(world):
    build_projects(world.portfolio_a, count=6, manager=world.users["pm_a"], sponsor=None, as_of=as_of_for())
    build_projects(
        world.portfolio_b, count=2, manager=world.users["pm_b"], sponsor=None, prefix="bb", as_of=as_of_for()
    )

    pack = steering.build_pack(steering_run(world), as_of=as_of_for())

    assert len(pack.top_risks) == 10
    assert all(r.project.portfolio_id == world.portfolio_a.pk for r in pack.top_risks)
    scores = [r.score for r in pack.top_risks]
    assert scores == sorted(scores, reverse=True)


# --- Charts -----------------------------------------------------------------------------------------


def test_for_print_sets_the_pdf_font_and_puts_the_legend_below():
    figure = {"data": [], "layout": {"font": {"size": 13}}, "config": {"toImageButtonOptions": {}}}

    printed = for_print(figure, font_size=14, legend_gap=0.2)

    assert printed["layout"]["font"] == {"size": 14, "family": '"DejaVu Sans", sans-serif'}
    assert printed["layout"]["legend"]["y"] == -0.2 and printed["layout"]["legend"]["yanchor"] == "top"
    assert printed["config"]["staticPlot"] is True and "toImageButtonOptions" not in printed["config"]
    assert figure["layout"]["font"] == {"size": 13}  # the page's figure is untouched


def test_locale_script_registers_and_selects_the_locale():
    script = locale_script("fr", {"format": {"months": ["janvier"]}})

    assert (
        'Plotly.register({"moduleType": "locale", "name": "fr", "format": {"months": ["janvier"]}})' in script
    )
    assert 'Plotly.setPlotConfig({"locale": "fr"})' in script


def test_renderer_reports_a_missing_browser():
    renderer = ChartRenderer(browser_path="/nonexistent/chromium", timeout=10)
    with renderer, pytest.raises(ChartRenderingError, match="/nonexistent/chromium"):
        renderer.render([{"data": [], "layout": {}}])
