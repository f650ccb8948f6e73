"""The frozen content of a highlight report: one project's week as a JSON-ready dict."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.models import ProjectException
from pmo.core.formatting import format_number
from pmo.core.periods import week_start
from projects import qcdr, selectors
from projects.models import Deliverable, Issue, Milestone, MilestoneForecast, Project, Risk, StatusReport
from projects.reasons import describe
from projects.templatetags.qcdr_tags import axis_label, rag_label
from projects.types import AXES, RAG
from reporting.highlights.history import (
    DELIVERABLE_FIELDS,
    ISSUE_FIELDS,
    MILESTONE_FIELDS,
    RISK_FIELDS,
    events_of,
    states_at,
)
from reporting.models import HighlightReport

CONTENT_VERSION = 1
NEXT_PERIOD_DAYS = 14  # the next period plan covers the two weeks after the report's week
TOP_RISKS = 8  # open risks shown in the PDF (the content keeps them all)
SEVERITY = {RAG.GREEN.value: 0, RAG.AMBER.value: 1, RAG.RED.value: 2}
ISSUE_SEVERITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}


# --- The window a report covers -------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The week of a report and the two instants its deltas compare."""

    period_start: date
    since: datetime  # end of the previous report's week, or the start of this week
    until: datetime  # end of this week, or now if the week is not over
    as_of: date  # the date of the figures: the week's Sunday, or today
    live: bool  # the week is not over: figures as the data stands now
    previous_period: date | None
    reference_period: date  # the week whose recorded milestone forecasts the moves compare with

    @property
    def period_end(self) -> date:
        return self.period_start + timedelta(days=6)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def window_for(*, period_start: date, previous_period: date | None, now: datetime) -> Window:
    period_start = week_start(period_start)
    today = timezone.localdate(now)
    end = _midnight(period_start + timedelta(days=7))
    live = now < end
    since = _midnight(previous_period + timedelta(days=7)) if previous_period else _midnight(period_start)
    until = min(now, end)
    return Window(
        period_start=period_start,
        since=min(since, until),
        until=until,
        as_of=min(today, period_start + timedelta(days=6)),
        live=live,
        previous_period=previous_period,
        reference_period=previous_period or period_start - timedelta(days=7),
    )


# --- Building the content -------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value) -> str | None:
    return str(value) if value is not None else None


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def build_content(
    *, project: Project, period_start: date, previous: HighlightReport | None, now: datetime
) -> dict:
    """The frozen content of the project's highlight report for the week of `period_start`.

    `project` must come with portfolio, programme, manager and sponsor joined. Constant queries:
    reports 1, QCDR facts 5 (live weeks), registers 4 events + 1 forecasts, exceptions 1, people 1.
    """
    window = window_for(
        period_start=period_start, previous_period=previous.period_start if previous else None, now=now
    )
    thresholds = selectors.thresholds_for(project)
    currency = project.portfolio.currency
    week_report, declared_report = _week_reports(project, window)
    qcdr_dict, source = _qcdr(project, window, week_report, declared_report, thresholds)

    risk_events = events_of(Risk, project_id=project.pk, until=window.until, fields=RISK_FIELDS)
    issue_events = events_of(Issue, project_id=project.pk, until=window.until, fields=ISSUE_FIELDS)
    milestone_events = events_of(
        Milestone, project_id=project.pk, until=window.until, fields=MILESTONE_FIELDS
    )
    deliverable_events = events_of(
        Deliverable, project_id=project.pk, until=window.until, fields=DELIVERABLE_FIELDS
    )
    risks = _pair(risk_events, window, initial={"status": Risk.Status.OPEN})
    issues = _pair(issue_events, window, initial={"status": Issue.Status.OPEN})
    milestones = _pair(
        milestone_events, window, initial={"status": Milestone.Status.PLANNED, "actual_date": None}
    )
    deliverables = states_at(deliverable_events, window.until, initial={"state": Deliverable.State.PLANNED})
    recorded_then, recorded_now = _recorded_forecasts(project, window)
    exceptions = _open_exceptions(project, window)
    people = _people(
        {row["owner_id"] for rows in (risks[1], issues[1], deliverables) for row in rows.values()} - {None}
    )

    status = _status(week_report, declared_report)
    qcdr_section = _qcdr_section(qcdr_dict, week_report, currency, source, window)
    tolerances = _tolerances(qcdr_dict, thresholds)
    return {
        "version": CONTENT_VERSION,
        "project": {
            "id": project.pk,
            "code": project.code,
            "name": project.name,
            "portfolio": project.portfolio.name,
            "programme": project.programme.name if project.programme else "",
            "manager": _person(project.manager),
            "sponsor": _person(project.sponsor),
            "state": project.state,
            "stage": project.stage,
            "currency": currency,
            "start_date": _iso(project.start_date),
            "end_date": _iso(project.end_date),
        },
        "period": {
            "start": window.period_start.isoformat(),
            "end": window.period_end.isoformat(),
            "as_of": window.as_of.isoformat(),
            "live": window.live,
            "previous": _iso(window.previous_period),
            "since": window.since.isoformat(),
        },
        "status": status,
        "qcdr": qcdr_section,
        "evm": dict(qcdr_dict["evm"]),
        "tolerances": tolerances,
        "exceptions": exceptions,
        "milestones": _milestones(milestones, recorded_then, recorded_now, window),
        "risks": _risks(risks, people, thresholds),
        "issues": _issues(issues, people, window),
        "next_period": _next_period(milestones[1], deliverables, people, week_report, window),
        "help_needed": _help_needed(status, qcdr_section, tolerances, exceptions, week_report),
    }


def _week_reports(project: Project, window: Window) -> tuple[StatusReport | None, StatusReport | None]:
    """This week's current report (draft or submitted) and the report whose météo is declared: this
    week's if submitted, else the latest submitted before (1 query)."""
    rows = list(
        StatusReport.objects.filter(project=project, is_current=True, period_start__lte=window.period_start)
        .filter(Q(period_start=window.period_start) | Q(state=StatusReport.State.SUBMITTED))
        .select_related("submitted_by")
        .order_by("-period_start")[:2]
    )
    week = rows[0] if rows and rows[0].period_start == window.period_start else None
    declared = next((r for r in rows if r.state == StatusReport.State.SUBMITTED), None)
    return week, declared


def _qcdr(project, window, week_report, declared_report, thresholds) -> tuple[dict, str]:
    if not window.live and week_report is not None and week_report.is_frozen and week_report.indicated:
        return week_report.indicated, "submission"
    facts = selectors.facts_for_projects(projects=[project], as_of=window.as_of)[project.pk]
    result = qcdr.compute_qcdr(facts, selectors.declared_from(declared_report), window.as_of, thresholds)
    return qcdr.qcdr_as_dict(result), "live"


def _status(week_report: StatusReport | None, declared_report: StatusReport | None) -> dict:
    submitted = week_report is not None and week_report.is_frozen
    shown = week_report if submitted else None
    status = {
        "submitted": submitted,
        "draft": week_report is not None and not submitted,
        "report_id": shown.pk if shown else None,
        "revision": shown.revision if shown else None,
        "correction_reason": shown.correction_reason if shown else "",
        "submitted_at": _iso(shown.submitted_at) if shown else None,
        "submitted_by": _person(shown.submitted_by) if shown else "",
        "percent_complete": _str(shown.percent_complete) if shown else None,
        "overall_comment": shown.overall_comment if shown else "",
        "achievements": shown.achievements if shown else "",
        "next_steps": shown.next_steps if shown else "",
        "help_needed": shown.help_needed if shown else "",
        "latest_submitted": None,
    }
    if not submitted and declared_report is not None:
        status["latest_submitted"] = {
            "period_start": declared_report.period_start.isoformat(),
            "submitted_at": _iso(declared_report.submitted_at),
            "overall": declared_report.overall,
            "percent_complete": _str(declared_report.percent_complete),
        }
    return status


def _qcdr_section(qcdr_dict: dict, week_report, currency: str, source: str, window: Window) -> dict:
    submitted = week_report is not None and week_report.is_frozen
    axes = []
    for axis in AXES:
        reasons = qcdr_dict["reasons"].get(axis, [])
        axes.append(
            {
                "axis": axis,
                "declared": qcdr_dict["declared"][axis],
                "indicated": qcdr_dict["indicated"][axis],
                "watermelon": axis in qcdr_dict.get("watermelon_axes", []),
                "comment": getattr(week_report, f"{axis}_comment") if submitted else "",
                "reasons": [{**r, "text": describe(r, currency=currency)} for r in reasons],
            }
        )
    return {
        "source": source,
        "as_of": window.as_of.isoformat(),
        "axes": axes,
        "declared_overall": qcdr_dict["declared"]["overall"],
        "indicated_overall": qcdr_dict["indicated"]["overall"],
        "stale": qcdr_dict["stale"],
        "watermelon": qcdr_dict["watermelon"],
        "watermelon_axes": list(qcdr_dict.get("watermelon_axes", [])),
    }


def _reason(qcdr_dict: dict, axis: str, code: str) -> dict | None:
    return next((r["params"] for r in qcdr_dict["reasons"].get(axis, []) if r["code"] == code), None)


def decimal_or_none(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _tolerance_row(kind: str, used, limit, unit: str, status: RAG, **detail) -> dict:
    used_d, limit_d = decimal_or_none(used), decimal_or_none(limit)
    consumed = None
    if used_d is not None and limit_d:
        consumed = max(Decimal("0"), used_d / limit_d * 100).quantize(Decimal("1"))
    return {
        "tolerance": kind,
        "used": _str(used),
        "limit": _str(limit),
        "unit": unit,
        "consumed_pct": _str(consumed),
        "status": status.value,
        "breached": used_d is not None and limit_d is not None and used_d > limit_d,
        **detail,
    }


def _tolerances(qcdr_dict: dict, thresholds) -> list[dict]:
    """Used vs limit for the cost (forecast overrun in % of BAC), time (worst key-milestone slip in
    working days) and risk (highest open threat score) tolerances, coloured as the axes are."""
    rows = []
    cost = _reason(qcdr_dict, "cost", "cost_eac_vs_bac")
    if cost:
        overrun, limit = Decimal(str(cost["overrun_pct"])), Decimal(str(cost["tolerance_pct"]))
        rows.append(
            _tolerance_row(
                "cost",
                overrun,
                limit,
                "%",
                qcdr.by_tolerance(overrun, limit),
                eac=cost["eac"],
                bac=cost["bac"],
            )
        )
    else:
        rows.append(_tolerance_row("cost", None, thresholds.cost_tolerance_pct, "%", RAG.UNKNOWN))
    slip = _reason(qcdr_dict, "schedule", "key_milestone_slip")
    if slip:
        days, limit = int(slip["days"]), int(slip["tolerance_days"])
        rows.append(
            _tolerance_row(
                "time", days, limit, "days", qcdr.by_tolerance(days, limit), milestone=slip["milestone"]
            )
        )
    else:
        rows.append(_tolerance_row("time", None, thresholds.time_tolerance_days, "days", RAG.UNKNOWN))
    top = _reason(qcdr_dict, "risk", "top_risk")
    if top:
        score, red, amber = int(top["score"]), int(top["red"]), int(top["amber"])
        status = RAG.RED if score >= red else RAG.AMBER if score >= amber else RAG.GREEN
        rows.append(_tolerance_row("risk", score, red, "score", status, risk=top["risk"], amber=amber))
    elif _reason(qcdr_dict, "risk", "no_open_threat") is not None:
        rows.append(_tolerance_row("risk", 0, thresholds.risk_red_score, "score", RAG.GREEN))
    else:
        rows.append(_tolerance_row("risk", None, thresholds.risk_red_score, "score", RAG.UNKNOWN))
    return rows


def _pair(events: list[dict], window: Window, *, initial: dict) -> tuple[dict[int, dict], dict[int, dict]]:
    return (
        states_at(events, window.since, initial=initial),
        states_at(events, window.until, initial=initial),
    )


def _recorded_forecasts(project: Project, window: Window) -> tuple[dict[int, date], dict[int, date]]:
    """Milestone forecasts recorded by the weekly reports (MTA): the latest up to the reference week,
    and those of this week when the week is over (2 queries at most)."""
    then = {
        row["milestone_id"]: row["forecast_date"]
        for row in MilestoneForecast.objects.filter(
            milestone__project_id=project.pk, period_start__lte=window.reference_period
        )
        .order_by("milestone_id", "-period_start")
        .distinct("milestone_id")
        .values("milestone_id", "forecast_date")
    }
    now = {}
    if not window.live:
        now = dict(
            MilestoneForecast.objects.filter(
                milestone__project_id=project.pk, period_start=window.period_start
            ).values_list("milestone_id", "forecast_date")
        )
    return then, now


def _milestones(pair, recorded_then, recorded_now, window: Window) -> dict:
    """Milestones changed in the window (new, achieved, moved, re-baselined, cancelled, deleted) and
    every live milestone at the end of the window, by expected date."""
    before, after = pair
    changes = []
    for row_id in sorted(set(before) | set(after), key=lambda i: (after.get(i) or before[i])["name"]):
        old, new = before.get(row_id), after.get(row_id)
        kinds = []
        if new is None:
            kinds.append("deleted")
        elif old is None:
            kinds.append("new")
        if new is not None:
            if new["actual_date"] and (old is None or not old["actual_date"]):
                kinds.append("achieved")
            if new["status"] == Milestone.Status.CANCELLED and (
                old is None or old["status"] != new["status"]
            ):
                kinds.append("cancelled")
            if old is not None and old["baseline_date"] != new["baseline_date"]:
                kinds.append("rebaselined")
        old_forecast = recorded_then.get(row_id, old["forecast_date"] if old else None)
        new_forecast = recorded_now.get(row_id, new["forecast_date"]) if new else None
        shift = None
        moved = old is not None and new is not None and not new["actual_date"]
        if moved and old_forecast and new_forecast and old_forecast != new_forecast:
            kinds.append("moved")
            shift = qcdr.working_days_between(old_forecast, new_forecast)
        if not kinds:
            continue
        row = new or old
        changes.append(
            {
                "id": row_id,
                "name": row["name"],
                "is_key": row["is_key"],
                "changes": kinds,
                "old_forecast": _iso(old_forecast) if old is not None else None,
                "new_forecast": _iso(new_forecast),
                "shift_days": shift,
                "baseline": _iso(row["baseline_date"]),
                "old_baseline": _iso(old["baseline_date"]) if old else None,
                "actual": _iso(row["actual_date"]) if new else None,
            }
        )
    items = []
    for row_id, row in after.items():
        if row["status"] == Milestone.Status.CANCELLED:
            continue
        forecast = recorded_now.get(row_id, row["forecast_date"])
        fact = qcdr.MilestoneFact(
            name=row["name"], baseline=row["baseline_date"], forecast=forecast, actual=row["actual_date"]
        )
        items.append(
            {
                "id": row_id,
                "name": row["name"],
                "is_key": row["is_key"],
                "baseline": _iso(row["baseline_date"]),
                "forecast": _iso(forecast),
                "actual": _iso(row["actual_date"]),
                "slip_days": qcdr.milestone_slip(fact, window.as_of),
            }
        )
    items.sort(key=lambda m: (m["actual"] or m["forecast"] or m["baseline"] or "9999", m["name"]))
    return {"changes": changes, "items": items}


def _people(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {user.pk: _person(user) for user in get_user_model().objects.filter(pk__in=ids)}


def _risk_item(row_id: int, row: dict, people: dict, thresholds) -> dict:
    score = row["probability"] * row["impact"]
    zone = (
        "red"
        if score >= thresholds.risk_red_score
        else "amber"
        if score >= thresholds.risk_amber_score
        else "green"
    )
    return {
        "id": row_id,
        "title": row["title"],
        "probability": row["probability"],
        "impact": row["impact"],
        "score": score,
        "zone": zone,
        "opportunity": row["is_opportunity"],
        "owner": people.get(row["owner_id"], ""),
        "proximity": _iso(row["proximity_date"]),
    }


def _risks(pair, people: dict, thresholds) -> dict:
    """Risks new, closed, reopened and re-scored in the window; open risks at its end, by score."""
    before, after = pair
    new, closed, reopened, rescored = [], [], [], []
    for row_id, row in after.items():
        item = _risk_item(row_id, row, people, thresholds)
        old = before.get(row_id)
        if old is None:
            new.append(item)
            continue
        if old["status"] == Risk.Status.OPEN and row["status"] != Risk.Status.OPEN:
            closed.append(item)
        elif old["status"] != Risk.Status.OPEN and row["status"] == Risk.Status.OPEN:
            reopened.append(item)
        old_score = old["probability"] * old["impact"]
        if old_score != item["score"]:
            rescored.append(
                {
                    **item,
                    "old_probability": old["probability"],
                    "old_impact": old["impact"],
                    "old_score": old_score,
                }
            )
    for row_id in set(before) - set(after):  # deleted from the register
        closed.append({**_risk_item(row_id, before[row_id], people, thresholds), "deleted": True})
    open_items = [
        _risk_item(row_id, row, people, thresholds)
        for row_id, row in after.items()
        if row["status"] == Risk.Status.OPEN
    ]

    def by_score(items):
        return sorted(items, key=lambda r: (r["opportunity"], -r["score"], r["title"], r["id"]))

    return {
        "new": by_score(new),
        "closed": by_score(closed),
        "reopened": by_score(reopened),
        "rescored": by_score(rescored),
        "open": by_score(open_items),
        "open_threats": sum(1 for r in open_items if not r["opportunity"]),
    }


def _issue_item(row_id: int, row: dict, people: dict, window: Window) -> dict:
    return {
        "id": row_id,
        "title": row["title"],
        "severity": row["severity"],
        "status": row["status"],
        "owner": people.get(row["owner_id"], ""),
        "due": _iso(row["due_date"]),
        "overdue": row["status"] == Issue.Status.OPEN
        and row["due_date"] is not None
        and row["due_date"] < window.as_of,
    }


def _issues(pair, people: dict, window: Window) -> dict:
    """Issues new, resolved or closed, reopened and re-graded in the window; open issues at its end."""
    before, after = pair
    new, closed, reopened, regraded = [], [], [], []
    for row_id, row in after.items():
        item = _issue_item(row_id, row, people, window)
        old = before.get(row_id)
        if old is None:
            new.append(item)
            continue
        if old["status"] == Issue.Status.OPEN and row["status"] != Issue.Status.OPEN:
            closed.append(item)
        elif old["status"] != Issue.Status.OPEN and row["status"] == Issue.Status.OPEN:
            reopened.append(item)
        if old["severity"] != row["severity"]:
            regraded.append({**item, "old_severity": old["severity"]})
    for row_id in set(before) - set(after):
        closed.append({**_issue_item(row_id, before[row_id], people, window), "deleted": True})

    def by_severity(items):
        return sorted(
            items, key=lambda i: (-ISSUE_SEVERITY.get(i["severity"], 0), i["due"] or "9999", i["title"])
        )

    return {
        "new": by_severity(new),
        "closed": by_severity(closed),
        "reopened": by_severity(reopened),
        "regraded": by_severity(regraded),
        "open": by_severity(
            [
                i
                for i in (_issue_item(k, v, people, window) for k, v in after.items())
                if i["status"] == Issue.Status.OPEN
            ]
        ),
    }


def _open_exceptions(project: Project, window: Window) -> list[dict]:
    """Exceptions raised by the end of the window and not closed by then (1 query)."""
    rows = ProjectException.objects.filter(project=project, raised_at__lte=window.until).filter(
        Q(closed_at__gt=window.until) | Q(closed_at__isnull=True, state__in=["open", "reported"])
    )
    return [
        {
            "id": e.pk,
            "tolerance": e.tolerance,
            "state": e.state,
            "forecast_value": _str(e.forecast_value),
            "limit": _str(e.limit),
            "unit": e.unit,
            "summary": e.summary,
            "raised_at": e.raised_at.isoformat(),
        }
        for e in rows.order_by("raised_at", "pk")
    ]


def _next_period(milestones_after, deliverables, people, week_report, window: Window) -> dict:
    """What is due in the two weeks after the report's week, what is already late, and the project
    manager's plan for the next period."""
    start = window.period_start + timedelta(days=7)
    end = start + timedelta(days=NEXT_PERIOD_DAYS - 1)
    due = []
    for row_id, row in milestones_after.items():
        if row["status"] != Milestone.Status.PLANNED or row["actual_date"]:
            continue
        expected = row["forecast_date"] or row["baseline_date"]
        if expected is None or expected > end:
            continue
        due.append(
            {
                "id": row_id,
                "name": row["name"],
                "is_key": row["is_key"],
                "date": expected.isoformat(),
                "late": expected < start,
            }
        )
    products = []
    for row_id, row in deliverables.items():
        if row["state"] == Deliverable.State.ACCEPTED or row["due_date"] is None or row["due_date"] > end:
            continue
        products.append(
            {
                "id": row_id,
                "name": row["name"],
                "date": row["due_date"].isoformat(),
                "state": row["state"],
                "owner": people.get(row["owner_id"], ""),
                "late": row["due_date"] < start,
            }
        )
    submitted = week_report is not None and week_report.is_frozen
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "milestones": sorted(due, key=lambda m: (m["date"], m["name"])),
        "deliverables": sorted(products, key=lambda d: (d["date"], d["name"])),
        "next_steps": week_report.next_steps if submitted else "",
    }


def _help_needed(status: dict, qcdr_section: dict, tolerances: list, exceptions: list, week_report) -> dict:
    """The project manager's request, and what the data says needs attention (in words, frozen)."""
    derived = []
    if not status["submitted"]:
        derived.append(_("The status report of the week was not submitted."))
    if qcdr_section["stale"]:
        derived.append(_("The project's data is stale: no recent status report."))
    for axis in qcdr_section["axes"]:
        if RAG.RED.value in (axis["declared"], axis["indicated"]):
            derived.append(
                _("%(axis)s: declared %(declared)s, indicated %(indicated)s by the data.")
                % {
                    "axis": axis_label(axis["axis"]),
                    "declared": rag_label(axis["declared"]).lower(),
                    "indicated": rag_label(axis["indicated"]).lower(),
                }
            )
        elif axis["watermelon"]:
            derived.append(
                _(
                    "%(axis)s: watermelon effect, declared %(declared)s but indicated %(indicated)s "
                    "by the data."
                )
                % {
                    "axis": axis_label(axis["axis"]),
                    "declared": rag_label(axis["declared"]).lower(),
                    "indicated": rag_label(axis["indicated"]).lower(),
                }
            )
    for exception in exceptions:
        derived.append(
            _("Open exception on the %(tolerance)s tolerance: %(summary)s")
            % {
                "tolerance": str(
                    TOLERANCE_LABELS.get(exception["tolerance"], exception["tolerance"])
                ).lower(),
                "summary": exception["summary"] or _("decision expected from the sponsor."),
            }
        )
    raised = {e["tolerance"] for e in exceptions}
    for row in tolerances:
        if row["breached"] and row["tolerance"] not in raised:
            derived.append(
                _("The %(tolerance)s tolerance is exceeded (%(used)s for a limit of %(limit)s).")
                % {
                    "tolerance": str(TOLERANCE_LABELS[row["tolerance"]]).lower(),
                    "used": tolerance_value(row, row["used"]),
                    "limit": tolerance_value(row, row["limit"]),
                }
            )
    return {"text": status["help_needed"], "derived": derived}


# The tolerances in the words of the QCDR axes (the time tolerance is the schedule axis: "Délais").
TOLERANCE_LABELS = {
    "cost": gettext_lazy("Cost"),
    "time": gettext_lazy("Schedule"),
    "risk": gettext_lazy("Risk"),
    "quality": gettext_lazy("Quality"),
    "scope": gettext_lazy("Scope"),
}


def tolerance_value(row: dict, value) -> str:
    """A tolerance figure in words: "12,5 %", "7 j ouvrés", "score 16"."""
    if value is None:
        return "—"
    if row["unit"] == "%":
        return f"{format_number(value, 1)}\u00a0%"
    if row["unit"] == "days":
        return _("%(days)s working days") % {"days": value}
    return _("score %(score)s") % {"score": value}
