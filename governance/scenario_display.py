"""The result of a scenario run in words and rows for the pages and the API: budget and capacity
use with shares, binding limits explained, the projects left out with what keeps them out, the
projects just over the line with what would let them in, and the conflicts of an infeasible run."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pmo.core.formatting import format_money, format_number

KIND_LABEL = {"capex": "CAPEX", "opex": "OPEX"}


def limit_name(kind: str, key, roles: dict, *, currency: str = "EUR") -> str:
    if kind == "budget":
        return _("the %(kind)s budget of %(year)s") % {"kind": KIND_LABEL.get(key[1], key[1]), "year": key[0]}
    role = roles.get(key[0]) or roles.get(str(key[0])) or "?"
    return _("the capacity of %(role)s in %(quarter)s") % {"role": role, "quarter": key[1]}


def _short(kind: str, key, roles: dict) -> str:
    if kind == "budget":
        return f"{KIND_LABEL.get(key[1], key[1])} {key[0]}"
    return roles.get(key[0]) or roles.get(str(key[0])) or "?"


def amount(kind: str, value: float, currency: str = "EUR") -> str:
    if kind == "budget":
        return format_money(value, currency)
    return _("%(days)s days") % {"days": format_number(value, 1)}


@dataclass
class UseRow:
    kind: str
    key: list
    name: str
    used: float
    limit: float
    binding: bool
    used_text: str
    limit_text: str
    blocks: list[str] = field(default_factory=list)
    short: str = ""  # "CAPEX 2027" or the role's name

    @property
    def share(self) -> float:
        return round(100 * self.used / self.limit, 1) if self.limit else (0.0 if not self.used else 100.0)

    @property
    def bar(self) -> int:
        return min(int(round(self.share)), 100)


@dataclass
class LeftRow:
    project_id: int
    label: str
    score: float
    reasons: list[str]
    just_over_the_line: bool
    let_in: str


@dataclass
class Outcome:
    status: str
    selected: list[int]
    score: float
    uses: list[UseRow]
    budget_uses: list[UseRow]
    capacity_uses: list[UseRow]
    binding: list[UseRow]
    left_out: list[LeftRow]
    problems: list[str]

    @property
    def just_over(self) -> list[LeftRow]:
        return [row for row in self.left_out if row.just_over_the_line]


def outcome(snapshot: dict, *, labels: dict, roles: dict, currency: str = "EUR") -> Outcome | None:
    """`snapshot`: Scenario.result; labels: project id → "code – name"; roles: role id → name."""
    if not snapshot:
        return None

    def label(pk) -> str:
        return labels.get(pk) or labels.get(str(pk)) or f"#{pk}"

    if snapshot.get("status") != "optimal":
        return Outcome(
            snapshot.get("status", "infeasible"),
            [],
            0.0,
            [],
            [],
            [],
            [],
            [],
            [
                problem_text(p, labels=labels, roles=roles, currency=currency)
                for p in snapshot.get("problems", [])
            ],
        )
    uses = [
        UseRow(
            u["kind"],
            u["key"],
            limit_name(u["kind"], u["key"], roles, currency=currency),
            u["used"],
            u["limit"],
            u["binding"],
            amount(u["kind"], u["used"], currency),
            amount(u["kind"], u["limit"], currency),
            short=_short(u["kind"], u["key"], roles),
        )
        for u in snapshot.get("uses", [])
    ]
    by_limit = {(u.kind, tuple(u.key)): u for u in uses}
    left_rows = []
    for item in snapshot.get("left_out", []):
        reasons = []
        let_in = ""
        for blocker in item["blockers"]:
            kind = blocker["kind"]
            if kind in ("budget", "capacity"):
                name = limit_name(kind, blocker["key"], roles, currency=currency)
                missing = amount(kind, blocker["missing"], currency)
                reasons.append(_("%(missing)s short on %(limit)s") % {"missing": missing, "limit": name})
                use = by_limit.get((kind, tuple(blocker["key"])))
                if use is not None:
                    use.blocks.append(label(item["project"]))
                if not let_in:
                    let_in = _("%(missing)s more on %(limit)s") % {"missing": missing, "limit": name}
            elif kind == "requires":
                reasons.append(_("needs %(project)s, not selected") % {"project": label(blocker["key"])})
            elif kind == "excluded":
                reasons.append(_("excluded from the scenario"))
            else:
                reasons.append(_("fits alone, but the projects it would displace score more together"))
        left_rows.append(
            LeftRow(
                item["project"],
                label(item["project"]),
                item["score"],
                reasons,
                item["just_over_the_line"],
                let_in,
            )
        )
    return Outcome(
        "optimal",
        snapshot.get("selected", []),
        snapshot.get("score", 0.0),
        uses,
        [u for u in uses if u.kind == "budget"],
        [u for u in uses if u.kind == "capacity"],
        [u for u in uses if u.binding],
        left_rows,
        [],
    )


def binding_text(use: UseRow) -> str:
    text = _("%(limit)s is used at %(share)s %% (%(used)s of %(total)s)") % {
        "limit": use.name[:1].upper() + use.name[1:],
        "share": format_number(use.share, 1),
        "used": use.used_text,
        "total": use.limit_text,
    }
    if use.blocks:
        text += " — " + _("it keeps out %(projects)s") % {"projects": ", ".join(use.blocks[:5])}
    return text


def problem_text(problem: dict, *, labels: dict, roles: dict, currency: str = "EUR") -> str:
    def label(pk) -> str:
        return labels.get(pk) or labels.get(str(pk)) or f"#{pk}"

    kind = problem.get("kind")
    if kind == "excluded":
        if problem.get("needed_by"):
            return _("%(project)s is excluded, but the mandatory project %(other)s needs it.") % {
                "project": label(problem["project"]),
                "other": label(problem["needed_by"]),
            }
        return _("%(project)s is both mandatory and excluded.") % {"project": label(problem["project"])}
    if kind in ("budget", "capacity"):
        return _(
            "The mandatory projects alone (%(projects)s) exceed %(limit)s by %(over)s: they need %(used)s, "
            "the limit is %(total)s."
        ) % {
            "projects": ", ".join(label(p) for p in problem.get("projects", [])[:6]),
            "limit": limit_name(kind, problem["key"], roles, currency=currency),
            "over": amount(kind, problem["over"], currency),
            "used": amount(kind, problem["used"], currency),
            "total": amount(kind, problem["limit"], currency),
        }
    return _("No selection satisfies every limit.")
