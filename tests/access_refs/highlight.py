"""References of tests/access_spec.d/highlight.yaml: a frozen highlight report of a1 and of b1.

They are last week's reports (this week's runs of a1 and b1 belong to reports.py), built by the real
content builder, with a done run and a file, as the generator and reporting.services leave them.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from pmo.core.periods import week_start
from reporting import highlights
from reporting.generators.highlight import SNAPSHOT_TEMPLATE
from reporting.highlights.present import present
from reporting.models import HighlightReport, ReportRun


def frozen_report(project, period) -> HighlightReport:
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.HIGHLIGHT,
        key=ReportRun.make_key("highlight", scope=f"project-{project.pk}", period=period),
        project=project,
        period=period,
        status=ReportRun.Status.DONE,
        progress=100,
    )
    run.file.save(f"highlight-{project.code}-{period:%Y-%m-%d}.pdf", ContentFile(b"%PDF-1.4 test\n%%EOF\n"))
    content = highlights.build_content(
        project=project, period_start=period, previous=None, now=timezone.now()
    )
    diff = highlights.diff_contents(None, content)
    return HighlightReport.objects.create(
        project=project,
        period_start=period,
        run=run,
        content=content,
        diff=diff,
        html=render_to_string(SNAPSHOT_TEMPLATE, present(content, diff)),
    )


def references(world, refs: dict) -> dict:
    last_week = week_start(timezone.localdate()) - timedelta(days=7)
    return {
        "highlight_a1": frozen_report(world.a1, last_week),
        "highlight_b1": frozen_report(world.b1, last_week),
    }
