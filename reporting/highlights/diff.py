"""The diff of two highlight report contents, per section (pure: no database, no clock)."""

from datetime import date
from decimal import Decimal

from projects import qcdr
from reporting.highlights.content import ISSUE_SEVERITY, SEVERITY, _str, decimal_or_none

# --- The diff with the previous report (pure) -------------------------------------------------------

EVM_KEYS = ("pv", "ev", "ac", "cpi", "spi", "eac", "vac", "tcpi")
MONEY_KEYS = frozenset({"bac", "pv", "ev", "ac", "eac", "vac", "etc", "cv", "sv"})
# +1: a higher value is better; -1: lower is better; 0: neither (a total that only grows)
EVM_DIRECTION = {"pv": 0, "ev": 0, "ac": 0, "cpi": 1, "spi": 1, "eac": -1, "vac": 1, "tcpi": -1}


def _direction(old, new, sense: int) -> str:
    """ "better", "worse" or "" (neither, or not comparable)."""
    if sense == 0 or old is None or new is None:
        return ""
    old_d, new_d = decimal_or_none(old), decimal_or_none(new)
    if old_d is None or new_d is None or old_d == new_d:
        return ""
    return "better" if (new_d > old_d) == (sense > 0) else "worse"


def _rounded(value, step: Decimal) -> Decimal | None:
    number = decimal_or_none(value)
    return number.quantize(step) if number is not None else None


def _rag_direction(old: str, new: str) -> str:
    if old not in SEVERITY or new not in SEVERITY:
        return ""
    return "better" if SEVERITY[new] < SEVERITY[old] else "worse"


def _by_id(items: list[dict]) -> dict:
    return {item["id"]: item for item in items}


def diff_contents(previous: dict | None, current: dict) -> dict:
    """What changed between the previous report's content and this one, per section: `added`,
    `removed` and `changed` (old and new values, and whether it is better or worse)."""
    if not previous:
        return {"previous_period": None, "sections": {}, "count": 0}
    sections: dict[str, dict] = {}

    status = []
    old_status, new_status = previous.get("status", {}), current["status"]
    if old_status.get("submitted") != new_status["submitted"]:
        status.append(
            {"key": "submitted", "old": old_status.get("submitted"), "new": new_status["submitted"]}
        )
    if old_status.get("percent_complete") != new_status["percent_complete"]:
        status.append(
            {
                "key": "percent_complete",
                "old": old_status.get("percent_complete"),
                "new": new_status["percent_complete"],
                "direction": _direction(
                    old_status.get("percent_complete"), new_status["percent_complete"], 1
                ),
            }
        )
    sections["status"] = {"changed": status}

    rag = []
    old_q, new_q = previous.get("qcdr", {}), current["qcdr"]
    old_axes = {a["axis"]: a for a in old_q.get("axes", [])}
    for axis in new_q["axes"]:
        before = old_axes.get(axis["axis"], {})
        for side in ("declared", "indicated"):
            if before.get(side) and before[side] != axis[side]:
                rag.append(
                    {
                        "axis": axis["axis"],
                        "side": side,
                        "old": before[side],
                        "new": axis[side],
                        "direction": _rag_direction(before[side], axis[side]),
                    }
                )
    for side in ("declared", "indicated"):
        key = f"{side}_overall"
        if old_q.get(key) and old_q[key] != new_q[key]:
            rag.append(
                {
                    "axis": "overall",
                    "side": side,
                    "old": old_q[key],
                    "new": new_q[key],
                    "direction": _rag_direction(old_q[key], new_q[key]),
                }
            )
    if bool(old_q.get("watermelon")) != new_q["watermelon"]:
        rag.append(
            {
                "axis": "watermelon",
                "side": "",
                "old": bool(old_q.get("watermelon")),
                "new": new_q["watermelon"],
                "direction": "worse" if new_q["watermelon"] else "better",
            }
        )
    sections["qcdr"] = {"changed": rag}

    evm = []
    old_evm, new_evm = previous.get("evm", {}), current["evm"]
    for key in EVM_KEYS:
        # compared as shown: money in whole units, indices to two decimals
        step = Decimal("1") if key in MONEY_KEYS else Decimal("0.01")
        old_d, new_d = (_rounded(v, step) for v in (old_evm.get(key), new_evm.get(key)))
        if old_d == new_d:
            continue
        evm.append(
            {
                "key": key,
                "old": _str(old_d),
                "new": _str(new_d),
                "delta": _str(new_d - old_d) if old_d is not None and new_d is not None else None,
                "direction": _direction(old_d, new_d, EVM_DIRECTION[key]),
            }
        )
    sections["evm"] = {"changed": evm}

    tolerances = []
    old_tol = {t["tolerance"]: t for t in previous.get("tolerances", [])}
    for row in current["tolerances"]:
        before = old_tol.get(row["tolerance"])
        if before and (before["used"] != row["used"] or before["status"] != row["status"]):
            tolerances.append(
                {
                    "tolerance": row["tolerance"],
                    "unit": row["unit"],
                    "old": before["used"],
                    "new": row["used"],
                    "old_status": before["status"],
                    "new_status": row["status"],
                    "direction": _rag_direction(before["status"], row["status"])
                    or _direction(before["used"], row["used"], -1),
                }
            )
    sections["tolerances"] = {"changed": tolerances}

    sections["risks"] = _diff_items(
        previous.get("risks", {}).get("open", []),
        current["risks"]["open"],
        fields=("probability", "impact", "score"),
        label="title",
        direction=lambda old, new: _direction(old["score"], new["score"], -1),
    )
    sections["issues"] = _diff_items(
        previous.get("issues", {}).get("open", []),
        current["issues"]["open"],
        fields=("severity",),
        label="title",
        direction=lambda old, new: (
            "worse"
            if ISSUE_SEVERITY.get(new["severity"], 0) > ISSUE_SEVERITY.get(old["severity"], 0)
            else "better"
        ),
    )
    sections["milestones"] = _diff_milestones(
        previous.get("milestones", {}).get("items", []), current["milestones"]["items"]
    )
    sections["exceptions"] = _diff_items(
        previous.get("exceptions", []),
        current["exceptions"],
        fields=("forecast_value", "state"),
        label="tolerance",
        direction=lambda old, new: _direction(old["forecast_value"], new["forecast_value"], -1),
    )
    # PV, EV and AC move every week: kept in the diff, not counted as news
    neutral = sum(1 for c in evm if not c["direction"])
    count = sum(len(entries) for section in sections.values() for entries in section.values()) - neutral
    return {"previous_period": previous.get("period", {}).get("start"), "sections": sections, "count": count}


def _diff_items(old_items: list, new_items: list, *, fields: tuple, label: str, direction) -> dict:
    old, new = _by_id(old_items), _by_id(new_items)
    changed = []
    for key in sorted(set(old) & set(new), key=lambda k: str(new[k][label])):
        diffs = {
            f: {"old": old[key].get(f), "new": new[key].get(f)}
            for f in fields
            if old[key].get(f) != new[key].get(f)
        }
        if diffs:
            changed.append(
                {
                    "id": key,
                    "label": new[key][label],
                    "fields": diffs,
                    "direction": direction(old[key], new[key]),
                }
            )
    return {
        "added": [{"id": k, "label": new[k][label], "item": new[k]} for k in new if k not in old],
        "removed": [{"id": k, "label": old[k][label], "item": old[k]} for k in old if k not in new],
        "changed": changed,
    }


def _diff_milestones(old_items: list, new_items: list) -> dict:
    """Milestones added or gone since the previous report, and those whose forecast moved, were
    achieved or re-baselined (shift in French working days, positive = later)."""
    old, new = _by_id(old_items), _by_id(new_items)
    changed = []
    for key in sorted(set(old) & set(new), key=lambda k: new[k]["name"]):
        before, after = old[key], new[key]
        entry = {"id": key, "label": after["name"], "is_key": after["is_key"], "fields": {}, "direction": ""}
        if (
            before.get("forecast") != after.get("forecast")
            and before.get("forecast")
            and after.get("forecast")
        ):
            shift = qcdr.working_days_between(
                date.fromisoformat(before["forecast"]), date.fromisoformat(after["forecast"])
            )
            entry["fields"]["forecast"] = {
                "old": before["forecast"],
                "new": after["forecast"],
                "shift_days": shift,
            }
            entry["direction"] = "worse" if shift > 0 else "better"
        if not before.get("actual") and after.get("actual"):
            entry["fields"]["actual"] = {"old": None, "new": after["actual"]}
            entry["direction"] = entry["direction"] or "better"
        if before.get("baseline") != after.get("baseline"):
            entry["fields"]["baseline"] = {"old": before.get("baseline"), "new": after.get("baseline")}
        if entry["fields"]:
            changed.append(entry)
    return {
        "added": [{"id": k, "label": new[k]["name"], "item": new[k]} for k in new if k not in old],
        "removed": [{"id": k, "label": old[k]["name"], "item": old[k]} for k in old if k not in new],
        "changed": changed,
    }
