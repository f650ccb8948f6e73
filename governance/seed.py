"""Demo exceptions: the tolerance scan run over the demo projects, as beat would run it, and the
watermelon's cost exception report completed and sent by its project manager."""

from datetime import date, timedelta
from decimal import Decimal

from governance import services
from governance.models import ExceptionReport, ProjectException
from pmo.core.audit import audit_context
from portfolio.models import Portfolio
from projects.models import Deliverable, Project, ProjectStageTolerance

# The report sent in the demo: the watermelon (green declared, costs a quarter over).
SENT_DEMO_REPORT = ("erp-finance", ProjectException.Tolerance.COST)
MANAGER_NOTE = (
    "\n\nComplément du chef de projet : les reprises de données de l'ancien ERP ont demandé deux "
    "lots supplémentaires de l'intégrateur, non prévus au budget initial."
)


# Demo tolerances beyond the defaults (issue 5 item 4): the portfolios' quality tolerance, a project's
# own scope tolerance, a stage's tighter quality tolerance, and the data lake's scope grown outside
# change control since its baseline (two deliverables recorded after it: a scope exception).
PORTFOLIO_TOLERANCES = {"scope_tolerance_pct": Decimal("10"), "quality_tolerance_pct": Decimal("20")}
PROJECT_TOLERANCES = {"teletravail-vpn": {"scope_tolerance_pct": Decimal("20")}}
STAGE_TOLERANCES = {
    "datalake": {"quality_tolerance_pct": Decimal("15"), "benefit_tolerance_pct": Decimal("25")}
}
SCOPE_CREEP = {
    "datalake": [
        ("Connecteur SAP temps réel", "Flux des commandes SAP disponibles en moins de 5 minutes."),
        ("Tableau de bord RSE", "Indicateurs carbone consolidés par site, demandés par la direction RSE."),
    ]
}


def seed_tolerances(*, today: date) -> None:
    """Set the demo tolerances and the data lake's extra scope; idempotent."""
    with audit_context(actor=None, reason="demo seed"):
        Portfolio.objects.filter(projects__code__in=[*PROJECT_TOLERANCES, *SCOPE_CREEP]).distinct().update(
            **PORTFOLIO_TOLERANCES
        )
        for code, values in PROJECT_TOLERANCES.items():
            Project.objects.filter(code=code).update(**values)
        for code, values in STAGE_TOLERANCES.items():
            project = Project.objects.filter(code=code, current_stage__isnull=False).first()
            if project is not None:
                ProjectStageTolerance.objects.update_or_create(
                    project=project, stage_id=project.current_stage_id, defaults=values
                )
        for code, rows in SCOPE_CREEP.items():
            project = Project.objects.filter(code=code).first()
            if project is None:
                continue
            for name, criteria in rows:
                Deliverable.objects.get_or_create(
                    project=project,
                    name=name,
                    defaults={"acceptance_criteria": criteria, "due_date": today + timedelta(days=60)},
                )


def seed_exceptions(*, today: date) -> list[ExceptionReport]:
    """Scan every active demo project (the exceptions the daily scan would raise) and send the
    watermelon's cost report. Returns the sent reports (seed_demo requests their PDF).

    Idempotent: a second run raises nothing and sends nothing twice.
    """
    seed_tolerances(today=today)
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
