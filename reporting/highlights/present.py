"""Display rows of a frozen highlight report: every date, amount and label in the active language
(French dates "lundi 9 mars 2026", money "1 234 567 €", météo labels, ↗ better / ↘ worse arrows).
The PDF, the HTML snapshot and the page's diff panel all render through here."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from governance.drafting import format_measure
from governance.models import ProjectException
from pmo.core.formatting import format_money, format_number
from projects.models import Deliverable, Issue
from projects.templatetags.qcdr_tags import axis_label, rag_label
from reporting.highlights.content import TOLERANCE_LABELS, TOP_RISKS, decimal_or_none, tolerance_value

EVM_LABELS = {
    "bac": gettext_lazy("Budget at completion (BAC)"),
    "pv": gettext_lazy("Planned value (PV)"),
    "ev": gettext_lazy("Earned value (EV)"),
    "ac": gettext_lazy("Actual cost (AC)"),
    "cpi": gettext_lazy("Cost performance index (CPI)"),
    "spi": gettext_lazy("Schedule performance index (SPI)"),
    "eac": gettext_lazy("Estimate at completion (EAC)"),
    "vac": gettext_lazy("Variance at completion (VAC)"),
    "tcpi": gettext_lazy("To-complete performance index (TCPI)"),
}
MONEY_KEYS = {"bac", "pv", "ev", "ac", "eac", "vac", "etc", "cv", "sv"}

MILESTONE_CHANGES = {
    "new": gettext_lazy("New"),
    "achieved": gettext_lazy("Achieved"),
    "moved": gettext_lazy("Forecast moved"),
    "rebaselined": gettext_lazy("Re-baselined"),
    "cancelled": gettext_lazy("Cancelled"),
    "deleted": gettext_lazy("Deleted"),
}
TREND = {"better": "↗", "worse": "↘", "": ""}
# What the snapshot (and so the PDF) lists at most, to stay within two A4 pages; the content keeps all.
RAID_ROWS = 10
MILESTONE_ROWS = 8
NEXT_ROWS = 6
DIFF_LINES = 5
# The snapshot's summary of changes leaves out the earned value: its table shows each change inline.
SNAPSHOT_DIFF_SECTIONS = ("status", "qcdr", "tolerances", "risks", "issues", "milestones", "exceptions")


def _date(value: str | None, fmt: str = "SHORT_DATE_FORMAT") -> str:
    return date_format(date.fromisoformat(value[:10]), fmt) if value else "—"


def _datetime(value: str | None) -> str:
    if not value:
        return "—"
    return date_format(timezone.localtime(datetime.fromisoformat(value)), "DATETIME_FORMAT")


def _evm_value(key: str, value, currency: str, *, short: bool = False) -> str:
    if value is None:
        return "—" if short else _("not computable")
    return format_money(value, currency) if key in MONEY_KEYS else format_number(value, 2)


def _signed(text: str) -> str:
    return text if text.startswith(("-", "—")) else f"+{text}"


def _rag(value: str) -> dict:
    return {"value": value or "unknown", "label": rag_label(value)}


def _days(value) -> str:
    return _("%(days)s working days") % {"days": _signed(str(value))} if value is not None else "—"


def _tolerance_value(unit: str, value) -> str:
    return tolerance_value({"unit": unit}, value)


def present(content: dict, diff: dict) -> dict:
    """The template context of a frozen report: every date, amount and label in the active language."""
    currency = content["project"]["currency"]
    period = content["period"]
    status = content["status"]
    sections = diff.get("sections", {})
    qcdr_changes = {(c["axis"], c["side"]): c for c in sections.get("qcdr", {}).get("changed", [])}
    evm_changes = {c["key"]: c for c in sections.get("evm", {}).get("changed", [])}
    tolerance_changes = {c["tolerance"]: c for c in sections.get("tolerances", {}).get("changed", [])}
    risk_diff = sections.get("risks", {})
    new_risk_ids = {entry["id"] for entry in risk_diff.get("added", [])}
    changed_risks = {entry["id"]: entry for entry in risk_diff.get("changed", [])}

    def rag_cell(axis: str, side: str, value: str) -> dict:
        change = qcdr_changes.get((axis, side))
        return {
            **_rag(value),
            "changed": bool(change),
            "previous": rag_label(change["old"]) if change else "",
            "trend": TREND[change["direction"]] if change else "",
            "direction": change["direction"] if change else "",
        }

    axes = [
        {
            "label": axis_label(a["axis"]),
            "declared": rag_cell(a["axis"], "declared", a["declared"]),
            "indicated": rag_cell(a["axis"], "indicated", a["indicated"]),
            "watermelon": a["watermelon"],
            "reasons": [r["text"] for r in a["reasons"]],
            "comment": a["comment"],
        }
        for a in content["qcdr"]["axes"]
    ]
    evm_rows = []
    for key, label in EVM_LABELS.items():
        change = evm_changes.get(key)
        delta = ""
        if change and change["delta"] is not None:
            delta = _signed(_evm_value(key, change["delta"], currency))
        evm_rows.append(
            {
                "key": key,
                "abbr": key.upper(),
                "label": label,
                "value": _evm_value(key, content["evm"].get(key), currency, short=True),
                "previous": _evm_value(key, change["old"], currency) if change else "",
                "delta": delta,
                "changed": bool(change),
                "direction": change["direction"] if change else "",
                "trend": TREND[change["direction"]] if change else "",
            }
        )
    tolerances = []
    for row in content["tolerances"]:
        change = tolerance_changes.get(row["tolerance"])
        detail = ""
        if row["tolerance"] == "cost" and row.get("eac"):
            detail = _("EAC %(eac)s for a budget of %(bac)s") % {
                "eac": format_money(row["eac"], currency),
                "bac": format_money(row["bac"], currency),
            }
        elif row["tolerance"] == "time" and row.get("milestone"):
            detail = _("key milestone %(milestone)s") % {"milestone": row["milestone"]}
        elif row["tolerance"] == "risk" and row.get("risk"):
            detail = _("highest risk: %(risk)s") % {"risk": row["risk"]}
        tolerances.append(
            {
                "label": TOLERANCE_LABELS[row["tolerance"]],
                "used": _tolerance_value(row["unit"], row["used"]),
                "limit": _tolerance_value(row["unit"], row["limit"]),
                "consumed": f"{row['consumed_pct']}\u00a0%" if row["consumed_pct"] is not None else "—",
                "rag": _rag(row["status"]),
                "breached": row["breached"],
                "detail": detail,
                "changed": bool(change),
                "previous": _tolerance_value(row["unit"], change["old"]) if change else "",
                "trend": TREND[change["direction"]] if change else "",
                "direction": change["direction"] if change else "",
            }
        )
    exception_labels = TOLERANCE_LABELS
    exception_states = dict(ProjectException.State.choices)
    exceptions = [
        {
            "tolerance": exception_labels.get(e["tolerance"], e["tolerance"]),
            "state": exception_states.get(e["state"], e["state"]),
            "summary": e["summary"],
            "raised_at": _date(e["raised_at"]),
            "forecast": format_measure(decimal_or_none(e["forecast_value"]), e["unit"]),
            "limit": format_measure(decimal_or_none(e["limit"]), e["unit"]),
        }
        for e in content["exceptions"]
    ]
    milestone_changes = [
        {
            "name": m["name"],
            "is_key": m["is_key"],
            "changes": [MILESTONE_CHANGES[k] for k in m["changes"]],
            "css": "added"
            if "new" in m["changes"]
            else "removed"
            if {"deleted", "cancelled"} & set(m["changes"])
            else "changed",
            "old_forecast": _date(m["old_forecast"])
            if m["old_forecast"] and m["old_forecast"] != m["new_forecast"]
            else "",
            "new_forecast": _date(m["new_forecast"]),
            "shift": _days(m["shift_days"]) if m["shift_days"] is not None else "",
            "direction": "worse" if (m["shift_days"] or 0) > 0 else "better" if m["shift_days"] else "",
            "baseline": _date(m["baseline"]),
            "actual": _date(m["actual"]) if m["actual"] else "",
        }
        for m in content["milestones"]["changes"][:MILESTONE_ROWS]
    ]

    def risk_row(r: dict) -> dict:
        change = changed_risks.get(r["id"])
        old_score = change["fields"].get("score", {}).get("old") if change else None
        return {
            **r,
            "zone_label": rag_label(r["zone"]),
            "proximity_label": _date(r["proximity"]) if r["proximity"] else "—",
            "css": "added" if r["id"] in new_risk_ids else "changed" if old_score is not None else "",
            "old_score": old_score,
            "trend": TREND[change["direction"]] if change else "",
        }

    def rescored_row(r: dict) -> dict:
        return {**risk_row(r), "trend": TREND["worse" if r["score"] > r["old_score"] else "better"]}

    risks = content["risks"]
    issues = content["issues"]
    severity = dict(Issue.Severity.choices)
    issue_status = dict(Issue.Status.choices)

    def issue_row(i: dict) -> dict:
        return {
            **i,
            "severity_label": severity.get(i["severity"], i["severity"]),
            "status_label": issue_status.get(i["status"], i["status"]),
            "due_label": _date(i["due"]) if i["due"] else "—",
            "old_severity_label": severity.get(i.get("old_severity"), ""),
        }

    # The changes of the registers, most telling first, at most RAID_ROWS rows in all.
    budget = RAID_ROWS
    raid: dict[str, dict] = {"risks": {}, "issues": {}}
    for register, key, rows, make in (
        ("risks", "new", risks["new"], risk_row),
        ("risks", "rescored", risks["rescored"], rescored_row),
        ("issues", "new", issues["new"], issue_row),
        ("risks", "closed", risks["closed"], risk_row),
        ("issues", "closed", issues["closed"], issue_row),
        ("risks", "reopened", risks["reopened"], risk_row),
        ("issues", "reopened", issues["reopened"], issue_row),
        ("issues", "regraded", issues["regraded"], issue_row),
    ):
        raid[register][key] = [make(r) for r in rows[: max(0, budget)]]
        budget -= len(rows)
    raid_more = max(0, -budget)
    top = {
        "top": [risk_row(r) for r in risks["open"][:TOP_RISKS]],
        "open_count": len(risks["open"]),
        "more": max(0, len(risks["open"]) - TOP_RISKS),
        "open_threats": risks["open_threats"],
    }
    next_period = content["next_period"]
    deliverable_states = dict(Deliverable.State.choices)
    latest = status.get("latest_submitted")
    return {
        "content": content,
        "currency": currency,
        "project": content["project"],
        "period_label": _date(period["start"], "l j F Y"),
        "period_end_label": _date(period["end"], "l j F Y"),
        "week_number": date.fromisoformat(period["start"]).isocalendar().week,
        "as_of_label": _date(period["as_of"], "j F Y"),
        "live": period["live"],
        "source": content["qcdr"]["source"],
        "previous_label": _date(diff.get("previous_period"), "l j F Y")
        if diff.get("previous_period")
        else "",
        "status": {
            **status,
            "submitted_at_label": _datetime(status["submitted_at"]),
            "percent_label": _percent(status["percent_complete"]),
            "latest_period_label": _date(latest["period_start"]) if latest else "",
            "latest_overall": _rag(latest["overall"]) if latest else None,
        },
        "declared_overall": rag_cell("overall", "declared", content["qcdr"]["declared_overall"]),
        "indicated_overall": rag_cell("overall", "indicated", content["qcdr"]["indicated_overall"]),
        "watermelon": content["qcdr"]["watermelon"],
        "stale": content["qcdr"]["stale"],
        "axes": axes,
        "evm_rows": evm_rows,
        "tolerances": tolerances,
        "exceptions": exceptions,
        "milestone_changes": milestone_changes,
        "risks": {**raid["risks"], **top},
        "issues": {
            **raid["issues"],
            "open": [issue_row(i) for i in issues["open"][:5]],
            "open_count": len(issues["open"]),
            "more": max(0, len(issues["open"]) - 5),
        },
        "raid_more": raid_more,
        "milestones_more": max(0, len(content["milestones"]["changes"]) - MILESTONE_ROWS),
        "next_period": {
            "start_label": _date(next_period["start"], "j F"),
            "end_label": _date(next_period["end"], "j F Y"),
            "milestones": [
                {**m, "date_label": _date(m["date"])} for m in next_period["milestones"][:NEXT_ROWS]
            ],
            "deliverables": [
                {
                    **d,
                    "date_label": _date(d["date"]),
                    "state_label": deliverable_states.get(d["state"], d["state"]),
                }
                for d in next_period["deliverables"][:NEXT_ROWS]
            ],
            "more": max(0, len(next_period["milestones"]) - NEXT_ROWS)
            + max(0, len(next_period["deliverables"]) - NEXT_ROWS),
            "next_steps": next_period["next_steps"],
        },
        "help_needed": content["help_needed"],
        "diff_groups": present_diff(diff, currency, sections=SNAPSHOT_DIFF_SECTIONS, per_group=DIFF_LINES),
        "diff_count": diff.get("count", 0),
        "first_report": diff.get("previous_period") is None,
    }


def present_diff(
    diff: dict, currency: str, *, sections: tuple[str, ...] | None = None, per_group: int | None = None
) -> list[dict]:
    """The changes since the previous report as groups of lines: css `added`/`removed`/`changed`,
    a trend arrow (↗ better, ↘ worse) and the sentence. `sections` keeps only those sections;
    `per_group` shows at most that many lines per group, then "and N more"."""
    wanted = sections
    sections = {k: v for k, v in diff.get("sections", {}).items() if wanted is None or k in wanted}
    groups = []

    def group(title, lines):
        if per_group is not None and len(lines) > per_group:
            hidden = len(lines) - per_group
            lines = [
                *lines[:per_group],
                line("", ngettext("and %(n)s more change", "and %(n)s more changes", hidden) % {"n": hidden}),
            ]
        if lines:
            groups.append({"title": title, "lines": lines})

    def line(css, text, direction=""):
        return {"css": css, "text": text, "trend": TREND.get(direction, ""), "direction": direction}

    lines = []
    for change in sections.get("status", {}).get("changed", []):
        if change["key"] == "submitted":
            text = (
                _("Status report submitted") if change["new"] else _("Status report not submitted this week")
            )
            lines.append(line("changed", text, "better" if change["new"] else "worse"))
        elif change["key"] == "percent_complete":
            lines.append(
                line(
                    "changed",
                    _("Percent complete: %(old)s → %(new)s")
                    % {"old": _percent(change["old"]), "new": _percent(change["new"])},
                    change.get("direction", ""),
                )
            )
    group(_("Status"), lines)

    lines = []
    for change in sections.get("qcdr", {}).get("changed", []):
        if change["axis"] == "watermelon":
            text = _("Watermelon effect appeared") if change["new"] else _("Watermelon effect gone")
            lines.append(line("changed", text, change["direction"]))
            continue
        side = _("declared") if change["side"] == "declared" else _("indicated")
        lines.append(
            line(
                "changed",
                _("%(axis)s (%(side)s): %(old)s → %(new)s")
                % {
                    "axis": axis_label(change["axis"]),
                    "side": side,
                    "old": rag_label(change["old"]),
                    "new": rag_label(change["new"]),
                },
                change["direction"],
            )
        )
    group(_("QCDR météo"), lines)

    lines = [
        line(
            "changed",
            _("%(label)s: %(old)s → %(new)s (%(delta)s)")
            % {
                "label": EVM_LABELS[c["key"]],
                "old": _evm_value(c["key"], c["old"], currency),
                "new": _evm_value(c["key"], c["new"], currency),
                "delta": _signed(_evm_value(c["key"], c["delta"], currency))
                if c["delta"] is not None
                else "—",
            },
            c["direction"],
        )
        for c in sections.get("evm", {}).get("changed", [])
        if c["direction"]  # PV, EV and AC grow every week: the table shows them, the summary does not
    ]
    group(_("Earned value"), lines)

    lines = [
        line(
            "changed",
            _("%(tolerance)s tolerance: %(old)s → %(new)s")
            % {
                "tolerance": TOLERANCE_LABELS[c["tolerance"]],
                "old": _tolerance_value(c["unit"], c["old"]),
                "new": _tolerance_value(c["unit"], c["new"]),
            },
            c["direction"],
        )
        for c in sections.get("tolerances", {}).get("changed", [])
    ]
    group(_("Tolerances"), lines)

    risks = sections.get("risks", {})
    lines = [
        line(
            "added",
            _("New risk: %(title)s (score %(score)s)") % {"title": e["label"], "score": e["item"]["score"]},
            "worse",
        )
        for e in risks.get("added", [])
    ]
    lines += [
        line("removed", _("Risk closed: %(title)s") % {"title": e["label"]}, "better")
        for e in risks.get("removed", [])
    ]
    for e in risks.get("changed", []):
        score = e["fields"].get("score")
        if score:
            lines.append(
                line(
                    "changed",
                    _("Risk re-scored: %(title)s, score %(old)s → %(new)s")
                    % {"title": e["label"], "old": score["old"], "new": score["new"]},
                    e["direction"],
                )
            )
    group(_("Risks"), lines)

    issues = sections.get("issues", {})
    severity = dict(Issue.Severity.choices)
    lines = [
        line("added", _("New issue: %(title)s") % {"title": e["label"]}, "worse")
        for e in issues.get("added", [])
    ]
    lines += [
        line("removed", _("Issue resolved or closed: %(title)s") % {"title": e["label"]}, "better")
        for e in issues.get("removed", [])
    ]
    lines += [
        line(
            "changed",
            _("Issue %(title)s: severity %(old)s → %(new)s")
            % {
                "title": e["label"],
                "old": severity.get(e["fields"]["severity"]["old"], ""),
                "new": severity.get(e["fields"]["severity"]["new"], ""),
            },
            e["direction"],
        )
        for e in issues.get("changed", [])
        if "severity" in e["fields"]
    ]
    group(_("Issues"), lines)

    milestones = sections.get("milestones", {})
    lines = [
        line("added", _("New milestone: %(name)s") % {"name": e["label"]})
        for e in milestones.get("added", [])
    ]
    lines += [
        line("removed", _("Milestone removed or cancelled: %(name)s") % {"name": e["label"]})
        for e in milestones.get("removed", [])
    ]
    for e in milestones.get("changed", []):
        fields = e["fields"]
        if "actual" in fields:
            lines.append(
                line(
                    "changed",
                    _("Milestone achieved: %(name)s on %(date)s")
                    % {"name": e["label"], "date": _date(fields["actual"]["new"])},
                    "better",
                )
            )
        if "forecast" in fields:
            f = fields["forecast"]
            lines.append(
                line(
                    "changed",
                    _("Milestone %(name)s: forecast %(old)s → %(new)s (%(shift)s)")
                    % {
                        "name": e["label"],
                        "old": _date(f["old"]),
                        "new": _date(f["new"]),
                        "shift": _days(f["shift_days"]),
                    },
                    "worse" if f["shift_days"] > 0 else "better" if f["shift_days"] < 0 else "",
                )
            )
        if "baseline" in fields:
            b = fields["baseline"]
            lines.append(
                line(
                    "changed",
                    _("Milestone %(name)s re-baselined: %(old)s → %(new)s")
                    % {"name": e["label"], "old": _date(b["old"]), "new": _date(b["new"])},
                )
            )
    group(_("Milestones"), lines)

    exceptions = sections.get("exceptions", {})
    labels = TOLERANCE_LABELS
    lines = [
        line(
            "added",
            _("Exception raised on the %(tolerance)s tolerance")
            % {"tolerance": str(labels.get(e["label"], e["label"])).lower()},
            "worse",
        )
        for e in exceptions.get("added", [])
    ]
    lines += [
        line(
            "removed",
            _("Exception closed on the %(tolerance)s tolerance")
            % {"tolerance": str(labels.get(e["label"], e["label"])).lower()},
            "better",
        )
        for e in exceptions.get("removed", [])
    ]
    group(_("Exceptions"), lines)
    return groups


def _percent(value) -> str:
    """A percent complete: whole when it is, else one decimal ("42 %", "42,5 %")."""
    if value is None:
        return "—"
    number = decimal_or_none(value)
    return f"{format_number(number, 0 if number == number.to_integral_value() else 1)}\u00a0%"
