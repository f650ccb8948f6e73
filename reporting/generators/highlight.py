"""The highlight report generator: freeze a project's week (content, diff, HTML) and render its PDF.

`generate(run, progress)` builds the content (reporting.highlights), compares it with the previous
report of the project, renders the HTML snapshot and the A4 portrait PDF, then writes the
HighlightReport of the run (update_or_create on the run: a retry or a redelivered message rewrites
the same row). The row is written last, so a failed render leaves no report behind.

The display rows (French dates and money, arrows) come from reporting.highlights.present.
"""

import hashlib
import json
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from projects.models import Project
from reporting import highlights
from reporting.generators import Progress, Rendered
from reporting.highlights.present import present
from reporting.models import HighlightReport, ReportRun
from reporting.pdf import render_pdf

SNAPSHOT_TEMPLATE = "reporting/partials/highlight_snapshot.html"
PDF_TEMPLATE = "reporting/pdf/highlight.html"


def generate(run: ReportRun, progress: Progress, *, now: datetime | None = None) -> Rendered:
    """The PDF of the run's project and week; writes the frozen HighlightReport of the run."""
    now = now or timezone.now()
    project = Project.objects.select_related("portfolio", "programme", "manager", "sponsor").get(
        pk=run.project_id
    )
    previous = highlights.previous_report(project=project, period_start=run.period)
    progress(10, _("Reading the week's data"))
    content = highlights.build_content(project=project, period_start=run.period, previous=previous, now=now)
    diff = highlights.diff_contents(previous.content if previous else None, content)
    progress(50, _("Rendering the report"))
    context = present(content, diff)
    snapshot = render_to_string(SNAPSHOT_TEMPLATE, context)
    filename = f"rapport-synthese-{project.code}-{run.period:%G-S%V}.pdf"
    rendered = render_pdf(PDF_TEMPLATE, {**context, "snapshot": mark_safe(snapshot)}, filename=filename)  # noqa: S308 (our own template output)
    progress(90, _("Saving the frozen report"))
    report, _created = HighlightReport.objects.update_or_create(
        run=run,
        defaults={
            "project": project,
            "period_start": run.period,
            "previous": previous,
            "content": content,
            "diff": diff,
            "html": snapshot,
        },
    )
    return Rendered(
        content=rendered.content,
        filename=rendered.filename,
        page_count=rendered.page_count,
        extra={**rendered.extra, "highlight_id": report.pk, "content_sha256": content_sha256(content)},
    )


def content_sha256(content: dict) -> str:
    """A fingerprint of a frozen content (keys sorted): equal contents, equal fingerprints."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
