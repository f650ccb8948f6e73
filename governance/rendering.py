"""The exception report as a document: one HTML rendering for the preview, the frozen snapshot and
the PDF (reporting's generator lays the snapshot out on A4). Template in, string out; no writes."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string

from governance.drafting import format_measure
from governance.models import ExceptionReport
from projects.templatetags.qcdr_tags import qcdr_axes

EVM_ROWS = ("bac", "pv", "ev", "ac", "eac", "vac", "cpi", "spi", "tcpi")
MONEY_ROWS = {"bac", "pv", "ev", "ac", "eac", "vac", "etc", "cv", "sv"}


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def report_document_context(report: ExceptionReport) -> dict:
    """Everything the document shows, from the report's fields and its frozen facts only."""
    exception = report.exception
    facts = report.facts or {}
    qcdr = facts.get("qcdr")
    measure = facts.get("measure") or {}
    evm = (qcdr or {}).get("evm") or {}
    return {
        "report": report,
        "exception": exception,
        "project": exception.project,
        "facts": facts,
        "people": facts.get("project") or {},
        "currency": facts.get("currency") or exception.project.portfolio.currency,
        "as_of": _date(facts.get("as_of")),
        "forecast_text": format_measure(exception.forecast_value, exception.unit),
        "limit_text": format_measure(exception.limit, exception.unit),
        "measured_text": format_measure(_decimal(measure.get("value")), measure.get("unit", ""))
        if measure
        else "",
        "qcdr_rows": qcdr_axes(qcdr) if qcdr else [],
        "overall": (qcdr or {}).get("indicated", {}).get("overall"),
        "declared_overall": (qcdr or {}).get("declared", {}).get("overall"),
        "evm_rows": [
            {"name": name, "value": _decimal(evm.get(name)), "money": name in MONEY_ROWS}
            for name in EVM_ROWS
            if name in evm
        ],
        "milestones": [
            {
                **row,
                "baseline": _date(row.get("baseline")),
                "forecast": _date(row.get("forecast")),
                "actual": _date(row.get("actual")),
            }
            for row in facts.get("milestones", [])
        ],
        "risks": facts.get("risks", []),
        "options": [
            {**option, "cost_impact": _decimal(option.get("cost_impact"))}
            for option in (report.options or [])
            if isinstance(option, dict)
        ],
    }


def report_document_html(report: ExceptionReport) -> str:
    """The report's document (an <article>, no page around it), in the active language."""
    return render_to_string("governance/partials/report_document.html", report_document_context(report))
