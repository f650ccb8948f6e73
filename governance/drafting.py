"""Words of an exception: its summary and the pre-filled exception report, from the figures.

Everything here runs in the active language (the scan forces settings.LANGUAGE_CODE, French): the
texts become data, the draft the project manager completes. The figures come from
governance.tolerances and projects.qcdr; nothing is read from the database here.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance import tolerances
from governance.models import ProjectException
from pmo.core.formatting import format_money, format_number
from projects.qcdr import qcdr_as_dict
from projects.reasons import describe
from projects.templatetags.qcdr_tags import rag_label
from projects.types import QCDR, ProjectFacts, RiskFact, Thresholds

Tolerance = ProjectException.Tolerance
CENT = Decimal("0.01")  # options keep money as strings with cents, as clean_options stores them
AXIS_OF_TOLERANCE = {"cost": "cost", "time": "schedule", "risk": "risk", "quality": "quality"}


def unit_label(unit: str, value=None) -> str:
    if unit == "pct":
        return "%"
    if unit == "working_days":
        count = int(value) if value is not None else 2
        return ngettext("working day", "working days", count)
    if unit == "score":
        return _("score")
    return unit


def format_measure(value, unit: str) -> str:
    """A forecast value or a limit with its unit: "+25,30 %", "32 jours ouvrés", "20"."""
    if value is None:
        return "—"
    if unit == "pct":
        return f"{format_number(value, 1)}\u00a0%"
    if unit == "working_days":
        return f"{format_number(value, 0)}\u00a0{unit_label(unit, value)}"
    return format_number(value, 0)


def _signed(value, decimals: int) -> str:
    text = format_number(value, decimals)
    return text if text.startswith("-") else f"+{text}"


def _day(value: date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def exception_summary(measure: tolerances.Measure, *, currency: str) -> str:
    """One sentence saying which tolerance is (forecast to be) breached, with its figures."""
    p = measure.params
    if measure.tolerance == tolerances.COST:
        return _(
            "Cost: forecast overrun of %(overrun)s %% (EAC %(eac)s for a budget of %(bac)s), "
            "beyond the tolerance of %(limit)s %%."
        ) % {
            "overrun": _signed(measure.value, 1),
            "eac": format_money(p["eac"], currency),
            "bac": format_money(p["bac"], currency),
            "limit": format_number(measure.limit, 0),
        }
    if measure.tolerance == tolerances.TIME:
        return _(
            "Time: key milestone “%(milestone)s” is forecast %(days)s working days late, "
            "beyond the tolerance of %(limit)s working days."
        ) % {"milestone": p["milestone"], "days": int(measure.value), "limit": int(measure.limit)}
    if measure.tolerance == tolerances.BENEFITS:
        text = (
            _(
                "Benefits: “%(benefit)s” has realised %(realised)s %% of its target, %(short)s %% short, "
                "beyond the tolerance of %(limit)s %%."
            )
            if p.get("basis") == "realised"
            else _(
                "Benefits: “%(benefit)s” is forecast, on its trend, to reach %(realised)s %% of its target "
                "by its expected date, %(short)s %% short, beyond the tolerance of %(limit)s %%."
            )
        )
        return text % {
            "benefit": p["benefit"],
            "realised": format_number(p["realisation_pct"], 1),
            "short": format_number(measure.value, 1),
            "limit": format_number(measure.limit, 0),
        }
    if measure.tolerance == tolerances.QUALITY:
        return _(
            "Quality: %(failing)s of the %(counted)s deliverables decided or due are rejected or late "
            "(%(share)s %%: %(names)s), beyond the tolerance of %(limit)s %%."
        ) % {
            "failing": p["rejected"] + p["late"],
            "counted": p["counted"],
            "share": format_number(measure.value, 1),
            "names": p["names"],
            "limit": format_number(measure.limit, 0),
        }
    if measure.tolerance == tolerances.SCOPE:
        return _(
            "Scope: since baseline %(baseline)s, %(added)s deliverables added, %(removed)s removed and "
            "%(pending)s scope changes awaiting a decision, %(share)s %% of the %(baselined)s baselined "
            "deliverables, beyond the tolerance of %(limit)s %%."
        ) % {
            "baseline": p["baseline"],
            "added": p["added"],
            "removed": p["removed"],
            "pending": p["pending"],
            "share": format_number(measure.value, 1),
            "baselined": p["baselined"],
            "limit": format_number(measure.limit, 0),
        }
    return _("Risk: the threat “%(risk)s” scores %(score)s, at or above the red score of %(limit)s.") % {
        "risk": p["risk"],
        "score": int(measure.value),
        "limit": int(measure.limit),
    }


@dataclass(frozen=True)
class DraftInput:
    """What the scan knows about the project when it raises an exception."""

    project_code: str
    project_name: str
    currency: str
    budget: Decimal
    start_date: date | None
    as_of: date
    tolerance: str
    measure: tolerances.Measure | None  # None: a quality or scope exception raised by hand
    result: QCDR
    facts: ProjectFacts
    thresholds: Thresholds
    top_risk_detail: dict  # cause, effect, mitigation of the top threat (empty when none)
    people: dict  # manager, sponsor, portfolio, programme names


def draft_report(data: DraftInput) -> dict:
    """The fields of a new ExceptionReport: title, cause, consequences, options, recommendation,
    decision requested and the frozen facts. Without a measure (quality, scope) the options, the
    recommendation and the decision are left for the project manager to write."""
    title = _("Exception report — %(tolerance)s — %(project)s") % {
        "tolerance": Tolerance(data.tolerance).label,
        "project": data.project_name,
    }
    fields = {
        "title": title[:200],  # the model's limit; a long project name must not fail the scan
        "cause": _cause(data) if data.measure is not None else "",
        "consequences": _consequences(data),
        "options": [],
        "recommendation": "",
        "decision_requested": "",
        "facts": frozen_facts(data),
    }
    if data.measure is None:
        return fields
    options, recommended = _options(data)
    chosen = next(i for i, option in enumerate(options) if option["code"] == recommended)
    for option in options:
        del option["code"]
    fields["options"] = options
    fields["recommendation"] = _recommendation(recommended, index=chosen + 1, title=options[chosen]["title"])
    fields["decision_requested"] = _decision(data, index=chosen + 1, option=options[chosen])
    return fields


def frozen_facts(data: DraftInput) -> dict:
    """The figures the report relies on, as they were when it was drafted (JSON)."""
    measure = data.measure
    milestones = tolerances.milestone_slips(data.facts, data.as_of)
    threats = sorted(
        (r for r in data.facts.risks if r.is_open and not r.is_opportunity), key=lambda r: (-r.score, r.title)
    )
    return {
        "as_of": data.as_of.isoformat(),
        "currency": data.currency,
        "project": {"code": data.project_code, "name": data.project_name, **data.people},
        "tolerance": data.tolerance,
        "measure": (
            {"value": str(measure.value), "limit": str(measure.limit), "unit": measure.unit}
            if measure
            else None
        ),
        "thresholds": {
            "cost_tolerance_pct": str(data.thresholds.cost_tolerance_pct),
            "time_tolerance_days": data.thresholds.time_tolerance_days,
            "risk_red_score": data.thresholds.risk_red_score,
            "risk_amber_score": data.thresholds.risk_amber_score,
            "scope_tolerance_pct": str(data.thresholds.scope_tolerance_pct),
            "quality_tolerance_pct": str(data.thresholds.quality_tolerance_pct),
            "benefit_tolerance_pct": (
                str(data.thresholds.benefit_tolerance_pct)
                if data.thresholds.benefit_tolerance_pct is not None
                else None
            ),
        },
        "qcdr": qcdr_as_dict(data.result),
        "milestones": [
            {
                "name": m.name,
                "baseline": m.baseline.isoformat() if m.baseline else None,
                "forecast": m.forecast.isoformat() if m.forecast else None,
                "actual": m.actual.isoformat() if m.actual else None,
                "is_key": m.is_key,
                "slip_days": m.slip_days,
                "overdue": m.overdue,
            }
            for m in milestones
        ],
        "risks": [
            {"title": r.title, "probability": r.probability, "impact": r.impact, "score": r.score}
            for r in threats[:5]
        ],
    }


# --- Cause and consequences ---------------------------------------------------------------------------


def _cause(data: DraftInput) -> str:
    result, measure = data.result, data.measure
    if measure.tolerance == tolerances.SCOPE and measure.params.get("pending_titles"):
        return "\n".join(
            [
                _("The tolerance scan of %(date)s forecasts a breach of the %(tolerance)s tolerance:")
                % {
                    "date": date_format(data.as_of, "DATE_FORMAT"),
                    "tolerance": Tolerance(measure.tolerance).label.lower(),
                },
                f"- {exception_summary(measure, currency=data.currency)}",
                _("- Change requests awaiting a decision: %(titles)s.")
                % {"titles": measure.params["pending_titles"]},
            ]
        )
    if measure.tolerance in (tolerances.BENEFITS, tolerances.SCOPE):
        return "\n".join(
            [
                _("The tolerance scan of %(date)s forecasts a breach of the %(tolerance)s tolerance:")
                % {
                    "date": date_format(data.as_of, "DATE_FORMAT"),
                    "tolerance": Tolerance(measure.tolerance).label.lower(),
                },
                f"- {exception_summary(measure, currency=data.currency)}",
            ]
        )
    axis = AXIS_OF_TOLERANCE[measure.tolerance]
    lines = [
        _("The tolerance scan of %(date)s forecasts a breach of the %(tolerance)s tolerance:")
        % {
            "date": date_format(data.as_of, "DATE_FORMAT"),
            "tolerance": Tolerance(measure.tolerance).label.lower(),
        }
    ]
    lines += [
        f"- {describe(reason, currency=data.currency)}"
        for reason in qcdr_as_dict(result)["reasons"][axis]
        if reason["code"] != "risk_exposure" or measure.tolerance == tolerances.RISK
    ]
    detail = data.top_risk_detail
    if measure.tolerance == tolerances.RISK and detail.get("cause"):
        lines.append(_("Cause of the threat: %(cause)s") % {"cause": detail["cause"]})
    declared = getattr(result.declared, axis).value
    indicated = result.indicated.axis(axis).rag.value
    if declared != indicated:
        lines.append(
            _("Last weekly report: declared %(declared)s, indicated by the data %(indicated)s.")
            % {"declared": rag_label(declared), "indicated": rag_label(indicated)}
        )
    return "\n".join(lines)


def _consequences(data: DraftInput) -> str:
    evm, currency = data.result.evm, data.currency
    lines = []
    if data.tolerance == tolerances.RISK:
        lines.extend(_risk_consequences(data))
    if evm.eac is not None and evm.bac:
        lines.append(
            _(
                "- Cost at completion (EAC) %(eac)s for a budget (BAC) of %(bac)s: "
                "%(variance)s (%(pct)s %%), actual cost to date %(ac)s."
            )
            % {
                "eac": format_money(evm.eac, currency),
                "bac": format_money(evm.bac, currency),
                "variance": format_money(evm.eac - evm.bac, currency),
                "pct": _signed((evm.eac - evm.bac) / evm.bac * 100, 1),
                "ac": format_money(evm.ac, currency),
            }
        )
    if evm.cpi is not None or evm.spi is not None:
        lines.append(
            _("- Performance indices: CPI %(cpi)s, SPI %(spi)s.")
            % {"cpi": format_number(evm.cpi, 2), "spi": format_number(evm.spi, 2)}
        )
    time = tolerances.time_measure(data.result, data.thresholds)
    if time is not None:
        lines.append(
            _("- Key milestone “%(milestone)s”: %(days)s working days of slip (tolerance %(limit)s).")
            % {"milestone": time.params["milestone"], "days": int(time.value), "limit": int(time.limit)}
        )
    impacted = tolerances.impacted_milestones(data.facts, data.as_of)
    if impacted:
        lines.append(_("- Milestones forecast late:"))
        for m in impacted:
            values = {
                "name": m.name,
                "key": _(" (key)") if m.is_key else "",
                "baseline": _day(m.baseline),
                "forecast": _day(m.forecast or m.baseline),
                "today": _day(data.as_of),
                "days": _signed(m.slip_days, 0),
            }
            if m.overdue:
                line = _(
                    "  • %(name)s%(key)s: baseline %(baseline)s, still not achieved on %(today)s "
                    "(%(days)s working days)"
                )
            else:
                line = _(
                    "  • %(name)s%(key)s: baseline %(baseline)s, forecast %(forecast)s "
                    "(%(days)s working days)"
                )
            lines.append(line % values)
    else:
        lines.append(_("- No milestone is forecast late."))
    return "\n".join(lines)


def _risk_consequences(data: DraftInput) -> list[str]:
    risk = tolerances.top_threat(data.facts)
    if risk is None:
        return []
    threats = [r for r in data.facts.risks if r.is_open and not r.is_opportunity]
    lines = [
        _("- Threat “%(risk)s”: probability %(p)s × impact %(i)s = %(score)s (red from %(red)s).")
        % {
            "risk": risk.title,
            "p": risk.probability,
            "i": risk.impact,
            "score": risk.score,
            "red": data.thresholds.risk_red_score,
        },
        _(
            "- Expected cost if nothing is done: %(cost)s; "
            "total exposure of the %(n)s open threats: %(exposure)s."
        )
        % {
            "cost": format_money(tolerances.expected_risk_cost(risk, data.budget), data.currency),
            "n": len(threats),
            "exposure": sum(r.score for r in threats),
        },
    ]
    if data.top_risk_detail.get("effect"):
        lines.append(_("- Effect if it occurs: %(effect)s") % {"effect": data.top_risk_detail["effect"]})
    return lines


# --- Options, recommendation, decision -----------------------------------------------------------------


def _options(data: DraftInput) -> tuple[list[dict], str]:
    measure = data.measure
    if measure.tolerance == tolerances.COST:
        options, recommended = tolerances.cost_options(measure, data.result)
    elif measure.tolerance == tolerances.TIME:
        burn = tolerances.daily_burn(data.facts, data.start_date, data.as_of)
        options, recommended = tolerances.time_options(measure, burn)
    elif measure.tolerance == tolerances.BENEFITS:
        options, recommended = tolerances.benefit_options(measure)
    elif measure.tolerance == tolerances.QUALITY:
        options, recommended = tolerances.quality_options(measure)
    elif measure.tolerance == tolerances.SCOPE:
        options, recommended = tolerances.scope_options(measure)
    else:
        risk = tolerances.top_threat(data.facts)
        options, recommended = tolerances.risk_options(measure, risk, data.budget)
    return [
        _option_text(option, data, risk=tolerances.top_threat(data.facts)) for option in options
    ], recommended


def _money_or_tbd(value, currency: str) -> str:
    return format_money(value, currency) if value is not None else _("to be estimated")


def _option_text(option: tolerances.Option, data: DraftInput, *, risk: RiskFact | None) -> dict:
    p, currency = option.params, data.currency
    mitigation = data.top_risk_detail.get("mitigation") or _("actions to be detailed by the project manager")
    texts = {
        "accept_overrun": (
            _("Accept the overrun"),
            _("Raise the budget to the forecast cost at completion of %(eac)s and re-baseline the cost plan.")
            % {"eac": format_money(p.get("eac"), currency)},
            _("The portfolio's margin shrinks; the overrun may keep growing if its causes are not treated."),
        ),
        "reduce_scope_cost": (
            _("Reduce the scope"),
            (
                _(
                    "Defer or drop about %(amount)s of the remaining work "
                    "(%(share)s %% of what is left to spend) to finish within the budget."
                )
                % {
                    "amount": format_money(p.get("amount"), currency),
                    "share": format_number(p.get("share"), 1),
                }
                if p.get("absorbable")
                else _(
                    "Dropping all the remaining work would still leave %(over)s beyond the budget: "
                    "a scope reduction alone cannot absorb the overrun."
                )
                % {"over": format_money(p.get("over"), currency)}
            ),
            _("Fewer benefits delivered; the deferred scope needs a later phase or project."),
        ),
        "stop": (
            _("Stop the project"),
            (
                _(
                    "Close the project now, having spent %(ac)s; "
                    "the remaining %(left)s of the budget is released."
                )
                % {"ac": format_money(p.get("ac"), currency), "left": format_money(p.get("left"), currency)}
                if p.get("left", 0) > 0
                else _("Close the project now, having spent %(ac)s, already %(over)s beyond the budget.")
                % {
                    "ac": format_money(p.get("ac"), currency),
                    "over": format_money(-p.get("left", 0), currency),
                }
            ),
            _("The expected benefits are lost and the money spent is not recovered."),
        ),
        "accept_slip": (
            _("Accept the slip"),
            _(
                "Re-baseline the plan %(days)s working days later; the team runs longer at about %(burn)s "
                "per working day."
            )
            % {"days": option.schedule_impact_days, "burn": _money_or_tbd(p.get("burn"), currency)},
            _("The go-live and the projects that depend on this one move too."),
        ),
        "reinforce_team": (
            _("Reinforce the team"),
            _("Add people to recover %(days)s working days and come back within the tolerance.")
            % {"days": p.get("days")},
            _("Onboarding slows the team at first; the recovery is not guaranteed."),
        ),
        "reduce_scope_time": (
            _("Reduce the scope"),
            _(
                "Defer the features needed to recover %(days)s working days "
                "and keep the plan within the tolerance."
            )
            % {"days": p.get("days")},
            _("Some benefits come later; the deferred scope needs a later phase."),
        ),
        "accept_risk": (
            _("Accept the risk"),
            _("Keep the current plan and set aside a provision of %(cost)s, the expected cost of the threat.")
            % {"cost": _money_or_tbd(option.cost_impact, currency)},
            _("The exposure stays at a score of %(score)s: if the threat occurs, cost and schedule suffer.")
            % {"score": p.get("score")},
        ),
        "mitigate_risk": (
            _("Carry out the mitigation plan"),
            _("Fund the actions that bring the score below %(limit)s: %(mitigation)s")
            % {"limit": p.get("limit"), "mitigation": mitigation},
            _("Cost and delay of the actions to be estimated by the project manager."),
        ),
        "avoid_risk": (
            _("Avoid the risk by changing the scope"),
            _("Remove or redesign the part of the scope the threat “%(risk)s” comes from.")
            % {"risk": risk.title if risk else ""},
            _("The benefits of the removed scope are lost."),
        ),
    }
    texts.update(
        {
            "recover_benefit": (
                _("Recover the benefit"),
                _(
                    "Agree with the benefit owner extra actions (adoption, training, process change) "
                    "to reach the target by its date."
                ),
                _("The actions cost effort after the project; the benefit may still fall short."),
            ),
            "replan_benefit": (
                _("Re-plan the benefit"),
                _(
                    "Set a new target or a later expected date, approved by the sponsor, "
                    "and update the business case."
                ),
                _("The business case weakens: ROI and NPV go down with the benefit."),
            ),
            "accept_benefit_loss": (
                _("Accept the shortfall"),
                _("Record the benefit as partly realised (%(shortfall)s %% short) and close it.")
                % {"shortfall": format_number(p.get("shortfall"), 1)},
                _("The value expected from the investment is not delivered."),
            ),
        }
    )
    texts.update(
        {
            "rework_deliverables": (
                _("Rework the deliverables"),
                _("Correct the %(count)s rejected or late deliverables (%(names)s) and submit them again.")
                % {"count": p.get("count"), "names": p.get("names")},
                _("Effort and delay of the rework to be estimated; later deliverables may slip."),
            ),
            "accept_concession": (
                _("Accept with a concession"),
                _(
                    "Accept the deliverables as they are, with the reservations recorded, "
                    "approved by the sponsor."
                ),
                _(
                    "The users live with the known defects; "
                    "their correction moves to the run or a later phase."
                ),
            ),
            "strengthen_assurance": (
                _("Strengthen quality assurance"),
                _("Add reviews and tests before acceptance (quality plan revised, independent review)."),
                _("Extra effort on every remaining deliverable; the rejected ones still need rework."),
            ),
            "rebaseline_scope": (
                _("Re-baseline the scope"),
                _(
                    "Submit one change request covering the %(added)s deliverables added, the %(removed)s "
                    "removed and the %(pending)s pending scope changes, with their impact on cost and "
                    "schedule, and re-baseline the project once it is approved."
                )
                % {"added": p.get("added"), "removed": p.get("removed"), "pending": p.get("pending")},
                _("Cost and schedule move with the scope; the business case is to be updated."),
            ),
            "return_to_baseline": (
                _("Come back to the baseline"),
                _(
                    "Withdraw the deliverables added outside change control "
                    "and reject the pending scope changes."
                ),
                _("The needs behind the extra scope stay unmet; the requesters must be told."),
            ),
            "defer_scope": (
                _("Defer the extra scope"),
                _(
                    "Keep the baseline for this project and move the extra deliverables "
                    "to a later phase or project."
                ),
                _("The benefits of the extra scope come later; a new phase must be funded."),
            ),
        }
    )
    title, description, risk_text = texts[option.code]
    return {
        "code": option.code,
        "title": title,
        "description": description,
        "cost_impact": str(option.cost_impact.quantize(CENT)) if option.cost_impact is not None else None,
        "schedule_impact_days": option.schedule_impact_days,
        "risk": risk_text,
    }


def _recommendation(code: str, *, index: int, title: str) -> str:
    why = {
        "reduce_scope_cost": _(
            "the overrun stays within twice the tolerance and can be absorbed by deferring scope, "
            "without moving the budget."
        ),
        "accept_overrun": _(
            "the overrun is beyond twice the tolerance: the budget must be revised, with an action plan "
            "on its causes."
        ),
        "reinforce_team": _(
            "the slip stays within twice the tolerance and can be recovered by reinforcing the team."
        ),
        "accept_slip": _("the slip is beyond twice the tolerance: the plan must be re-baselined."),
        "mitigate_risk": _("the threat is at the red level: the mitigation actions must be funded now."),
        "rework_deliverables": _(
            "deliverables beyond the quality tolerance must be corrected before they are accepted."
        ),
        "rebaseline_scope": _(
            "the scope moved beyond its tolerance: only an approved change can make it the new baseline."
        ),
        "recover_benefit": _(
            "the benefit is beyond its tolerance: actions with its owner come before "
            "revising the business case."
        ),
    }[code]
    return _("Option %(n)s, “%(title)s”: %(why)s") % {"n": index, "title": title, "why": why}


def _decision(data: DraftInput, *, index: int, option: dict) -> str:
    currency = data.currency
    cost = option["cost_impact"]
    days = option["schedule_impact_days"]
    return "\n".join(
        [
            _(
                "The sponsor and the steering committee are asked to choose one of the options above; "
                "the project manager recommends option %(n)s, “%(title)s”."
            )
            % {"n": index, "title": option["title"]},
            _("Impact of the recommended option: %(cost)s on the budget, %(days)s on the schedule.")
            % {
                "cost": format_money(cost, currency) if cost is not None else _("to be estimated"),
                "days": format_measure(days, "working_days") if days is not None else _("to be estimated"),
            },
        ]
    )
