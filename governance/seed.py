"""Demo exceptions: the tolerance scan run over the demo projects, as beat would run it, and the
watermelon's cost exception report completed and sent by its project manager."""

from datetime import date

from governance import services
from governance.models import ExceptionReport, ProjectException

# The report sent in the demo: the watermelon (green declared, costs a quarter over).
SENT_DEMO_REPORT = ("erp-finance", ProjectException.Tolerance.COST)
MANAGER_NOTE = (
    "\n\nComplément du chef de projet : les reprises de données de l'ancien ERP ont demandé deux "
    "lots supplémentaires de l'intégrateur, non prévus au budget initial."
)


def seed_exceptions(*, today: date) -> list[ExceptionReport]:
    """Scan every active demo project (the exceptions the daily scan would raise) and send the
    watermelon's cost report. Returns the sent reports (seed_demo requests their PDF).

    Idempotent: a second run raises nothing and sends nothing twice.
    """
    services.scan_all(as_of=today)
    code, tolerance = SENT_DEMO_REPORT
    report = (
        ExceptionReport.objects.select_related("exception__project__manager")
        .filter(
            exception__project__code=code,
            exception__tolerance=tolerance,
            state=ExceptionReport.State.DRAFT,
        )
        .exclude(exception__state=ProjectException.State.CLOSED)
        .first()
    )
    if report is None:
        return []
    manager = report.exception.project.manager
    report = services.exception_report_update(
        actor=manager, report=report, version=report.version, data={"cause": report.cause + MANAGER_NOTE}
    )
    return [services.send_exception_report(actor=manager, report=report)]
