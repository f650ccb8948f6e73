"""The exception report's PDF: the report frozen when it was sent (its HTML snapshot), laid out on A4.

Reads the exception and its report (one query); writes nothing. A report that is not sent has no
frozen content: the run fails with that message rather than render a draft.
"""

from django.utils.translation import gettext as _

from governance.models import ProjectException
from reporting.generators import Progress, Rendered
from reporting.pdf import render_pdf


def generate(run, progress: Progress) -> Rendered:
    exception = ProjectException.objects.select_related(
        "project__portfolio", "project__programme", "report__sent_by", "raised_by"
    ).get(pk=run.exception_id)
    report = getattr(exception, "report", None)
    if report is None or not report.is_frozen or not report.html_snapshot:
        raise ValueError(_("The exception report is not sent: there is no frozen report to render."))
    progress(30, _("Laying out the exception report"))
    rendered = render_pdf(
        "reporting/pdf/exception.html",
        {"report": report, "exception": exception, "project": exception.project, "run": run},
        filename=f"rapport-exception-{exception.project.code}-{exception.tolerance}-{exception.pk}.pdf",
    )
    progress(95, _("Storing the PDF"))
    return rendered
