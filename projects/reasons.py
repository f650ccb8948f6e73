"""Words for the reasons the pure QCDR computations give (they return codes and figures only)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmo.core.formatting import format_money, format_number


def describe(reason: dict, *, currency: str = "EUR") -> str:
    """One reason (`{"code": ..., "params": {...}}`, as in qcdr_as_dict) as a sentence."""
    code, p = reason["code"], reason.get("params", {})
    if code == "cost_eac_vs_bac":
        return _(
            "EAC %(eac)s for a budget of %(bac)s: %(overrun)s %% against a tolerance of %(tolerance)s %%"
        ) % {
            "eac": format_money(p["eac"], currency),
            "bac": format_money(p["bac"], currency),
            "overrun": _signed(p["overrun_pct"], 1),
            "tolerance": format_number(p["tolerance_pct"], 0),
        }
    if code == "cost_not_computable":
        return _("Cost not computable: no actual cost or no earned value yet")
    if code == "key_milestone_slip":
        return _("key milestone %(milestone)s: %(days)s working days, tolerance %(tolerance)s") % {
            "milestone": p["milestone"],
            "days": _signed(p["days"], 0),
            "tolerance": p["tolerance_days"],
        }
    if code == "spi":
        return _("schedule performance index (SPI) %(spi)s") % {"spi": format_number(p["spi"], 2)}
    if code == "schedule_no_data":
        return _("No key milestone with a baseline and no earned value: schedule unknown")
    if code == "risk_register_empty":
        return _("Empty risk register: risk unknown")
    if code == "no_open_threat":
        return _("No open threat")
    if code == "top_risk":
        return _("highest risk %(risk)s scores %(score)s (amber from %(amber)s, red from %(red)s)") % p
    if code == "risk_exposure":
        return (
            ngettext(
                "%(open)s open threat, total exposure %(exposure)s",
                "%(open)s open threats, total exposure %(exposure)s",
                p["open"],
            )
            % p
        )
    if code == "no_deliverable":
        return _("No deliverable defined: quality unknown")
    if code == "deliverables_rejected":
        return (
            ngettext(
                "%(count)s deliverable rejected: %(names)s",
                "%(count)s deliverables rejected: %(names)s",
                p["count"],
            )
            % p
        )
    if code == "deliverables_overdue":
        return (
            ngettext(
                "%(count)s deliverable overdue: %(names)s",
                "%(count)s deliverables overdue: %(names)s",
                p["count"],
            )
            % p
        )
    if code == "deliverables_accepted":
        return _("%(accepted)s of %(total)s deliverables accepted") % p
    return code


def _signed(value, decimals: int) -> str:
    text = format_number(value, decimals)
    return text if text.startswith("-") else f"+{text}"
