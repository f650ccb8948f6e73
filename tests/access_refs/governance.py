"""References of tests/access_spec.d/governance.yaml: exceptions with their reports (a complete
draft on a1 and on b1, a sent one on a1 with its PDF run), their facts frozen with the names the
drafting copies (project, people, milestones, threats)."""

from decimal import Decimal

from django.utils import timezone

from governance.models import ExceptionReport, ProjectException
from reporting.models import ReportRun

COMPLETE = {
    "cause": "Dépassement des coûts de l'intégrateur.",
    "consequences": "- EAC 120 000 € pour un budget de 100 000 €.",
    "options": [
        {
            "title": "Accepter le dépassement",
            "description": "Budget porté à 120 000 €.",
            "cost_impact": "20000.00",
            "schedule_impact_days": 0,
            "risk": "Marge réduite.",
        }
    ],
    "recommendation": "Option 1.",
    "decision_requested": "Valider le nouveau budget.",
}


def _facts(project) -> dict:
    """Frozen facts as the drafting leaves them, with the names it copies (the corpus writes into them)."""
    today = timezone.localdate()
    return {
        "as_of": today.isoformat(),
        "currency": "EUR",
        "project": {
            "code": project.code,
            "name": project.name,
            "manager": "Chef de projet",
            "sponsor": "Sponsor",
            "portfolio": "Portefeuille",
            "programme": "Programme",
            "budget": "100000.00",
        },
        "milestones": [
            {
                "name": "Recette",
                "baseline": today.isoformat(),
                "forecast": today.isoformat(),
                "actual": None,
                "is_key": True,
                "slip_days": 0,
                "overdue": False,
            }
        ],
        "risks": [{"title": "Retard du fournisseur", "probability": 4, "impact": 4, "score": 16}],
    }


def exception_with_report(project, tolerance, *, sent_by=None):
    exception = ProjectException.objects.create(
        project=project,
        tolerance=tolerance,
        forecast_value=Decimal("20"),
        limit=Decimal("10"),
        unit="pct",
        summary=f"Exception {tolerance} de {project.code}",
        raised_at=timezone.now(),
        state=ProjectException.State.REPORTED if sent_by else ProjectException.State.OPEN,
    )
    report = ExceptionReport.objects.create(
        exception=exception,
        title=f"Rapport d'exception {project.code}",
        facts=_facts(project),
        **COMPLETE,
        **(
            {
                "state": ExceptionReport.State.SENT,
                "sent_at": timezone.now(),
                "sent_by": sent_by,
                "html_snapshot": "<article><h1>Rapport figé</h1></article>",
            }
            if sent_by
            else {}
        ),
    )
    return exception, report


def references(world, refs: dict) -> dict:
    exception_a1, report_a1 = exception_with_report(world.a1, ProjectException.Tolerance.COST)
    exception_b1, report_b1 = exception_with_report(world.b1, ProjectException.Tolerance.COST)
    sent_a1, sent_report_a1 = exception_with_report(
        world.a1, ProjectException.Tolerance.TIME, sent_by=world.users["pm_a"]
    )
    today = timezone.localdate()
    sent_run = ReportRun.objects.create(
        kind=ReportRun.Kind.EXCEPTION,
        key=ReportRun.make_key("exception", scope=f"exception-{sent_a1.pk}", period=today),
        exception=sent_a1,
        period=today,
        status=ReportRun.Status.DONE,
        progress=100,
    )
    return {
        "exception_a1": exception_a1,
        "exception_b1": exception_b1,
        "exception_sent_a1": sent_a1,
        "exception_report_a1": report_a1,
        "exception_report_b1": report_b1,
        "exception_report_sent_a1": sent_report_a1,
        "exception_run_sent_a1": sent_run,
    }
