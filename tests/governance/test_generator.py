"""The exception report's PDF: the frozen report, laid out on A4 (read back with pdftotext)."""

import shutil
import subprocess

import pytest
from django.utils import timezone

from governance import services
from reporting.generators import generator_for
from reporting.generators.exception import generate
from reporting.models import ReportRun
from tests.access_refs.governance import exception_with_report
from tests.governance.conftest import AS_OF, late_milestone, over_budget

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make"),
]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout  # noqa: S603, S607


def pdf_pages(content: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def run_for(exception) -> ReportRun:
    return ReportRun.objects.create(
        kind=ReportRun.Kind.EXCEPTION,
        key=ReportRun.make_key("exception", scope=f"exception-{exception.pk}", period=timezone.localdate()),
        exception=exception,
        period=timezone.localdate(),
    )


def test_the_pdf_holds_the_frozen_report(a1, world, tmp_path):
    over_budget(a1)
    late_milestone(a1)
    [cost, _time] = services.scan_project(project=a1, as_of=AS_OF).raised
    report = services.exception_report_update(
        actor=world.users["pm_a"],
        report=cost.report,
        version=cost.report.version,
        data={"recommendation": "Option 1 : accepter le dépassement, budget porté à 125 000 €."},
    )
    services.send_exception_report(actor=world.users["pm_a"], report=report)
    steps = []
    assert generator_for("exception") is generate
    rendered = generate(run_for(cost), lambda percent, step="": steps.append(percent))
    text = pdf_text(rendered.content, tmp_path)
    flat = " ".join(text.split())
    assert rendered.page_count == pdf_pages(rendered.content, tmp_path) >= 1
    assert rendered.filename == f"rapport-exception-a1-cost-{cost.pk}.pdf"
    assert "Option 1 : accepter le dépassement, budget porté à 125 000 €." in flat.replace(
        "\u202f", " "
    ).replace("\xa0", " ")
    for option in report.options:
        assert option["title"] in flat
    assert "Recette" in flat  # the frozen milestones
    assert a1.name in flat
    assert f"Page 1 / {rendered.page_count}" in flat
    assert steps == [30, 95]
    print(f"EXCEPTION-PDF pages={rendered.page_count} bytes={len(rendered.content)}")  # noqa: T201


def test_the_pdf_renders_the_snapshot_not_the_current_fields(world, tmp_path):
    sent, report = exception_with_report(world.a1, "time", sent_by=world.users["pm_a"])
    # the fields changed behind the snapshot's back (they cannot through the services): the PDF
    # shows what was frozen
    type(report).objects.filter(pk=report.pk).update(cause="Texte modifié après l'envoi")
    flat = " ".join(pdf_text(generate(run_for(sent), lambda *a: None).content, tmp_path).split())
    assert "Rapport figé" in flat
    assert "Texte modifié" not in flat


def test_a_draft_has_nothing_frozen_to_render(world):
    draft, _report = exception_with_report(world.a1, "cost")
    with pytest.raises(ValueError, match="not sent|pas envoyé|envoy"):
        generate(run_for(draft), lambda *a: None)
