"""Stored XSS and template injection in the documents the application sends (RELIABILITY row 13):
every PDF (highlight report, exception report, steering committee pack) and every e-mail (a report
ready, with its PDF attached; the weekly-update reminder).

The data of each document is built, then the corpus (tests/security/corpus.py) goes into every
free-text field of portfolio/, projects/, governance/ and reporting/ and the users' names, plus the
free text kept in JSON (corpus.JSON_TEXT, and the pack's agenda). Each document is then
made through the application's own path (service, Celery task, generator, distribution):

- the HTML string handed to WeasyPrint, and the frozen HTML the pages show as is, have 0 unescaped
  or evaluated payloads (`corpus.findings`);
- the PDF's text (`pdftotext -layout`) shows the payloads as text (proof the data reached the PDF)
  and no evaluated template, no context dump and no HTML entity printed as is (escaped twice);
- each e-mail: 0 findings in any HTML alternative, no evaluated template in the plain-text body or
  the subject, and the payloads as typed where the e-mail carries user text;
- each PDF's resources: the application's URL fetcher (data: URLs and static files only,
  reporting/pdf.py) refused none, and the PDF has the same text and images as the one WeasyPrint
  makes from the same HTML with its own fetcher, which reads any URL.
"""

import logging
import re
import shutil
import subprocess
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.utils import timezone
from django.utils.html import escape

from governance import services as governance_services
from governance.models import ExceptionReport
from projects.models import Project
from reporting import distribution, pdf, tasks
from reporting import services as reporting_services
from reporting.models import HighlightReport, ReportRun
from tests.governance.conftest import AS_OF as EXCEPTION_AS_OF
from tests.governance.conftest import a1, over_budget  # noqa: F401  (fixture: a1 with tolerances)
from tests.reporting.test_highlight_generator import WEEK, fill
from tests.reporting.test_steering import as_of_for
from tests.reporting.test_steering_data import MEETING, build_projects
from tests.security import corpus

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make"),
]

# In a PDF's text, a template or a context dump evaluated, or an entity printed as is (escaped twice).
PDF_DANGERS = (
    (re.compile(r"«49»"), "template expression evaluated ({{7*7}} → 49)"),
    (re.compile(r"'True': True"), "{% debug %} evaluated (context dump)"),
    (re.compile(r"&(?:lt|gt|amp|quot|#x27|#39|#34);"), "HTML entity printed as is (escaped twice)"),
)
# The same in an e-mail's plain text (its payloads stay as typed: text/plain is not HTML).
TEXT_DANGERS = PDF_DANGERS[:2] + ((re.compile(r"&(?:lt|gt|quot|#x27|#39);"), "HTML entity in plain text"),)

FIGURES = {
    "pdfs": 0,
    "html": 0,
    "escaped": 0,
    "shown": 0,
    "emails": 0,
    "alternatives": 0,
    "failures": 0,
    "images": 0,
}


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    if FIGURES["pdfs"] or FIGURES["emails"]:
        print(
            f"\nRELIABILITY row 13 (PDF/e-mail): corpus in every text field and in the JSON free text; "
            f"{FIGURES['pdfs']} PDFs made through the report task (highlight, exception, steering "
            f"pack) and {FIGURES['html']} HTML documents checked (WeasyPrint input and frozen snapshots), "
            f"{FIGURES['escaped']} escaped <script> payloads in them, {FIGURES['shown']} shown as text "
            f"in the PDFs; {FIGURES['emails']} e-mails sent ({FIGURES['alternatives']} HTML "
            f"alternatives); {FIGURES['failures']} unescaped, evaluated or escaped-twice; the PDFs' "
            f"{FIGURES['images']} images and their text the same as with an unrestricted URL fetcher"
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def weasyprint_input(monkeypatch):
    """Every HTML string handed to WeasyPrint, in order."""
    handed: list[str] = []
    real = pdf.html_to_pdf

    def recording(html):
        handed.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "html_to_pdf", recording)
    return handed


@pytest.fixture
def queued_distributions(monkeypatch):
    """Runs the task would hand to the distribution task (sent by the test, in the same process)."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.distribute_run, "delay", queued.append)
    return queued


def pdf_text(path) -> str:
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def text_findings(text: str, dangers=PDF_DANGERS) -> list[str]:
    return [
        f"{meaning}: …{text[max(0, m.start() - 60) : m.end() + 20]}…"
        for pattern, meaning in dangers
        for m in pattern.finditer(text)
    ]


def check_html(name: str, html: str) -> list[str]:
    FIGURES["html"] += 1
    FIGURES["escaped"] += html.count(escape(corpus.SCRIPT))
    return [f"{name}: {finding}" for finding in corpus.findings(html)]


def pdf_images(path) -> int:
    listed = subprocess.run(  # noqa: S603
        ["pdfimages", "-list", str(path)],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return len(listed.splitlines()) - 2  # a header of two lines


def assert_same_without_the_fetcher(html: str, made, tmp_path) -> None:
    """The PDF the application made (its fetcher: data: URLs and static files only) is the one
    WeasyPrint makes from the same HTML with its own fetcher, which reads every URL: same pages,
    same text, same images (the charts); so the fetcher refused nothing the documents use."""
    from weasyprint import HTML

    free = tmp_path / "free.pdf"
    free.write_bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())
    assert pdf_text(made) == pdf_text(free)
    assert pdf_images(made) == pdf_images(free)
    FIGURES["images"] += pdf_images(made)


def make_and_check_pdf(run: ReportRun, handed: list[str], tmp_path) -> tuple[list[str], str]:
    """Generate the run through the report task; (findings in its HTML and its PDF text, the text)."""
    with assert_no_refusal():
        assert tasks.generate_report.apply(args=[run.pk]).get() == "done"
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.file
    [html] = handed
    assert_same_without_the_fetcher(html, run.file.path, tmp_path)
    failures = check_html(f"{run.kind} PDF's HTML", html)
    text = pdf_text(run.file.path)
    failures += [f"{run.kind} PDF's text: {finding}" for finding in text_findings(text)]
    shown = text.count(corpus.SCRIPT)
    assert shown >= 1, f"no payload reached the {run.kind} PDF: the test proves nothing"
    assert "«{{7*7}}»" in text, f"the template payload is not shown as typed in the {run.kind} PDF"
    FIGURES["pdfs"] += 1
    FIGURES["shown"] += shown
    return failures, text


@contextmanager
def assert_no_refusal():
    """The application's PDF fetcher refused no URL (reporting.pdf logs each refusal)."""
    refusals: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            refusals.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger("reporting.pdf")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert refusals == []


def check_emails(messages, *, carries_user_text: bool) -> list[str]:
    failures = []
    for message in messages:
        FIGURES["emails"] += 1
        html_parts = [
            content for content, mimetype in getattr(message, "alternatives", []) if "html" in mimetype
        ]
        if message.content_subtype == "html":
            html_parts.append(message.body)
        FIGURES["alternatives"] += len(html_parts)
        for part in html_parts:
            failures += check_html(f"e-mail {message.subject!r} (HTML)", part)
        plain = f"{message.subject}\n{message.body if message.content_subtype != 'html' else ''}"
        failures += [
            f"e-mail {message.subject!r}: {finding}" for finding in text_findings(plain, TEXT_DANGERS)
        ]
        if carries_user_text:
            assert corpus.SCRIPT in plain, f"no payload reached the e-mail {message.subject!r}"
    return failures


def distribute(run: ReportRun, queued: list[int]) -> list:
    assert queued == [run.pk]
    mail.outbox.clear()
    assert tasks.distribute_run.apply(args=[run.pk]).get() > 0
    return list(mail.outbox)


def test_highlight_report_pdf_snapshot_and_e_mail_show_payloads_as_text(
    world, media, weasyprint_input, queued_distributions, django_capture_on_commit_callbacks, tmp_path
):
    pm = world.users["pm_a"]
    fill(world.a1, pm, risks=3)
    corpus.inject()
    with django_capture_on_commit_callbacks(execute=False):
        run, _queued = reporting_services.request_run(
            actor=pm, kind="highlight", project=world.a1, period=WEEK
        )

    failures, _text = make_and_check_pdf(run, weasyprint_input, tmp_path)
    # the frozen HTML the highlight page shows as is
    failures += check_html("highlight snapshot", HighlightReport.objects.get(run=run).html)
    failures += check_emails(distribute(run, queued_distributions), carries_user_text=True)

    FIGURES["failures"] += len(failures)
    assert not failures, "\n".join(failures[:40])


def test_exception_report_pdf_snapshot_and_e_mail_show_payloads_as_text(
    a1,  # noqa: F811
    world,
    media,
    weasyprint_input,
    queued_distributions,
    django_capture_on_commit_callbacks,
    tmp_path,
):
    pm = world.users["pm_a"]
    over_budget(a1)
    [exception] = governance_services.scan_project(project=a1, as_of=EXCEPTION_AS_OF).raised
    corpus.inject()
    report = ExceptionReport.objects.get(exception=exception)
    option = {"title": corpus.FULL, "description": corpus.FULL, "cost_impact": "1500", "risk": corpus.FULL}
    report = governance_services.exception_report_update(
        actor=pm, report=report, version=report.version, data={"options": [option]}
    )
    with django_capture_on_commit_callbacks(execute=False):
        report = governance_services.send_exception_report(actor=pm, report=report)
        run, _queued = reporting_services.request_run(actor=pm, kind="exception", exception=exception)

    # the frozen HTML the exception pages show as is, then the PDF that lays it out
    failures = check_html("exception report snapshot", report.html_snapshot)
    pdf_failures, _text = make_and_check_pdf(run, weasyprint_input, tmp_path)
    failures += pdf_failures
    # the exception's e-mail names the project by its code (a slug) and the tolerance: no user text
    failures += check_emails(distribute(run, queued_distributions), carries_user_text=False)

    FIGURES["failures"] += len(failures)
    assert not failures, "\n".join(failures[:40])


def test_steering_pack_pdf_and_e_mail_show_payloads_as_text(
    world, media, weasyprint_input, queued_distributions, django_capture_on_commit_callbacks, tmp_path
):
    build_projects(
        world.portfolio_a,
        count=6,
        manager=world.users["pm_a"],
        sponsor=world.users["sponsor"],
        as_of=as_of_for(),
    )
    corpus.inject()
    agenda = [corpus.FULL, {"title": corpus.FULL, "presenter": corpus.FULL, "minutes": 20}]
    with django_capture_on_commit_callbacks(execute=False):
        run, _queued = reporting_services.request_run(
            actor=world.users["pmo_a"],
            kind="steering",
            portfolio=world.portfolio_a,
            period=MEETING,
            options={"agenda": agenda},
        )

    failures, _text = make_and_check_pdf(run, weasyprint_input, tmp_path)
    # the pack's e-mail names the portfolio, whose name holds the payload
    failures += check_emails(distribute(run, queued_distributions), carries_user_text=True)

    FIGURES["failures"] += len(failures)
    assert not failures, "\n".join(failures[:40])


def test_weekly_update_reminder_e_mail_shows_payloads_as_text(world):
    today = timezone.localdate()
    Project.objects.filter(pk=world.a1.pk).update(
        state=Project.State.ACTIVE, start_date=today - timedelta(days=100)
    )
    corpus.inject()
    mail.outbox.clear()

    assert distribution.send_update_reminders(period=today, actor=None) >= 1

    failures = check_emails(mail.outbox, carries_user_text=True)
    FIGURES["failures"] += len(failures)
    assert not failures, "\n".join(failures[:40])


def test_pdf_and_text_checks_catch_every_dangerous_form():
    """The control: what the PDF and e-mail checks flag when the text is evaluated or escaped twice."""
    assert len(text_findings("«49» {'True': True} &lt;script&gt; &#x27;")) == 5  # two entities
    assert text_findings(f"{corpus.FULL} & co") == []
    assert len(text_findings("«49» &quot;", TEXT_DANGERS)) == 2


def test_running_header_holds_user_text_as_one_css_string():
    """A PDF's running header is a CSS string inside <style>: a quote, a line break or a backslash in
    a project name must not end it (what follows would be read as CSS rules: content hidden or
    rewritten in a document sent to executives), and <, > and & are escaped the CSS way, not as HTML
    entities (which <style> prints as is)."""
    name = "x\"\n} body { display: none } </style><script>alert(1)</script> d'A & B\\"
    template = Template(
        '{% extends "reporting/pdf/base.html" %}{% block header_left %}{{ name }}{% endblock %}'
    )

    html = template.render(Context({"name": name}))

    rule = re.search(r"@top-left \{ content: (.*?); font-size", html)
    assert rule, "the running header's rule is broken"
    assert rule.group(1) == (
        '"x\\22 \\A } body { display: none } \\3C /style\\3E \\3C script\\3E alert(1)\\3C /script\\3E '
        " d'A \\26  B\\\\\""
    )
