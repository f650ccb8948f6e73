"""Primavera P6 XER (a tab-separated dump of tables in a Windows code page) into a ScheduleData.

Layout: an `ERMHDR` line, then per table `%T <name>`, `%F <fields...>`, `%R <values...>` rows, and a
final `%E`. Read: PROJECT (name, dates, data date), PROJWBS (the WBS tree, for phases), TASK
(milestone type, target = baseline, actual, remaining/early dates = forecast, physical % complete)
and, when present, TASKRSRC costs (target = planned, actual regular + overtime, remaining).
"""

import codecs
import re
from collections import Counter
from decimal import Decimal

from projects.imports.common import (
    MonthCosts,
    ScheduleData,
    ScheduleImportError,
    ScheduleTask,
    add_spread,
    check_size,
    parse_datetime,
    parse_decimal,
)

DEFAULT_ENCODING = "cp1252"
REQUIRED_TABLES = ("PROJECT", "PROJWBS", "TASK")
REQUIRED_FIELDS = {
    "PROJECT": ("proj_id", "proj_short_name"),
    "PROJWBS": ("wbs_id", "proj_id", "parent_wbs_id", "wbs_name", "proj_node_flag"),
    "TASK": (
        "task_id",
        "proj_id",
        "wbs_id",
        "task_type",
        "task_name",
        "target_start_date",
        "target_end_date",
    ),
    "TASKRSRC": ("task_id", "proj_id", "target_cost", "act_reg_cost", "remain_cost"),
}
DATE_FIELDS = (
    "target_start_date",
    "target_end_date",
    "act_start_date",
    "act_end_date",
    "early_start_date",
    "early_end_date",
    "restart_date",
    "reend_date",
)
MILESTONE_TYPES = {"TT_Mile", "TT_FinMile"}
SUMMARY_TYPES = {"TT_WBS"}
_CODE_PAGE = re.compile(r"^(cp-?\d{3,5}|windows-\d{3,5}|utf-?8|utf-?16|iso-?8859-\d+|latin-?\d)$", re.I)


def _encoding_from_header(header: bytes, requested: str | None) -> str:
    """The code page: the one asked for, else one named in the ERMHDR line, else Windows-1252."""
    name = requested
    if not name:
        for field in header.decode("ascii", errors="replace").split("\t"):
            if _CODE_PAGE.match(field.strip()):
                name = field.strip()
                break
    name = name or DEFAULT_ENCODING
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ScheduleImportError(
            f"Page de codes « {name} » inconnue : impossible de lire le fichier XER."
        ) from None


def _read_tables(text: str) -> tuple[dict[str, tuple[list[str], list[list[str]]]], list[str]]:
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    warnings: list[str] = []
    current: str | None = None
    ended = False
    bad_rows: Counter = Counter()
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line:
            continue
        kind, _sep, rest = line.partition("\t")
        if kind == "%T":
            current = rest.strip()
            tables[current] = ([], [])
        elif kind == "%F":
            if current is None:
                raise ScheduleImportError(f"Fichier XER mal formé : ligne %F sans table (ligne {number}).")
            tables[current][0][:] = rest.split("\t")
        elif kind == "%R":
            if current is None:
                raise ScheduleImportError(f"Fichier XER mal formé : ligne %R sans table (ligne {number}).")
            fields, rows = tables[current]
            values = rest.split("\t")
            if len(values) > len(fields):
                bad_rows[current] += 1
            rows.append(values)
        elif kind == "%E":
            ended = True
            break
    if not ended:
        raise ScheduleImportError(
            "Fichier XER tronqué : la ligne de fin « %E » est absente ; aucune donnée n'a été importée."
        )
    for table, count in bad_rows.items():
        warnings.append(
            f"Table {table} : {count} ligne(s) avec plus de valeurs que de champs (ignorées en trop)."
        )
    return tables, warnings


def _rows(tables, name: str) -> list[dict[str, str]]:
    fields, rows = tables[name]
    missing = [f for f in REQUIRED_FIELDS.get(name, ()) if f not in fields]
    if missing:
        raise ScheduleImportError(
            f"Fichier XER incomplet : la table {name} n'a pas le(s) champ(s) {', '.join(missing)}."
        )
    return [dict(zip(fields, row, strict=False)) for row in rows]


def parse_xer(data: bytes, *, encoding: str | None = None) -> ScheduleData:
    """Parse an XER export; ScheduleImportError (in French) naming a missing table, field or code page."""
    check_size(data)
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8) :], encoding or "utf-8"
    header, _sep, _rest = data.partition(b"\n")
    if not header.startswith(b"ERMHDR"):
        raise ScheduleImportError("Ce fichier n'est pas un export Primavera XER (en-tête « ERMHDR » absent).")
    codec = _encoding_from_header(header, encoding)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise ScheduleImportError(
            f"Le fichier XER n'est pas lisible dans la page de codes {codec} (octet {error.start})."
        ) from None
    tables, warnings = _read_tables(text)
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise ScheduleImportError(f"Fichier XER incomplet : table(s) manquante(s) : {', '.join(missing)}.")

    task_rows = _rows(tables, "TASK")
    projects = _rows(tables, "PROJECT")
    if not projects:
        raise ScheduleImportError("Fichier XER incomplet : la table PROJECT ne contient aucun projet.")
    per_project = Counter(row["proj_id"] for row in task_rows)
    project = max(projects, key=lambda p: per_project.get(p["proj_id"], 0))
    if len(projects) > 1:
        warnings.append(
            f"{len(projects)} projets dans le fichier : seul « {project['proj_short_name']} » "
            f"({per_project.get(project['proj_id'], 0)} activités) est importé."
        )
    proj_id = project["proj_id"]
    wbs = {row["wbs_id"]: row for row in _rows(tables, "PROJWBS") if row["proj_id"] == proj_id}
    data_date = parse_datetime(project.get("last_recalc_date")) or parse_datetime(
        project.get("next_data_date")
    )

    tasks: list[ScheduleTask] = []
    task_dates: dict[str, tuple] = {}
    unreadable = 0
    for row in task_rows:
        if row["proj_id"] != proj_id:
            continue
        task_type = row.get("task_type", "")
        finish_milestone = task_type != "TT_Mile"  # a start milestone is dated by its start
        suffix = "end" if finish_milestone else "start"
        baseline = parse_datetime(row.get(f"target_{suffix}_date"))
        actual = parse_datetime(row.get(f"act_{suffix}_date"))
        remaining = parse_datetime(row.get("reend_date" if finish_milestone else "restart_date"))
        early = parse_datetime(row.get(f"early_{suffix}_date"))
        if any(row.get(name) and parse_datetime(row[name]) is None for name in DATE_FIELDS):
            unreadable += 1
        zero = parse_decimal(row.get("target_drtn_hr_cnt")) == 0 and "target_drtn_hr_cnt" in row
        tasks.append(
            ScheduleTask(
                uid=row.get("guid") or row.get("task_code") or row["task_id"],
                name=row["task_name"] or row.get("task_code") or row["task_id"],
                wbs_path=_wbs_path(wbs, row["wbs_id"]),
                is_summary=task_type in SUMMARY_TYPES,
                is_milestone=task_type in MILESTONE_TYPES or (task_type == "TT_Task" and zero),
                baseline=baseline,
                forecast=actual or remaining or early or baseline,
                actual=actual,
                percent_complete=_percent(row.get("phys_complete_pct")),
                start=parse_datetime(row.get("target_start_date")),
                finish=parse_datetime(row.get("target_end_date")),
            )
        )
        task_dates[row["task_id"]] = row
    if unreadable:
        warnings.append(f"{unreadable} activité(s) avec une date illisible ou hors de 1950-2100 (ignorée).")
    if not tasks:
        raise ScheduleImportError(
            f"Le projet « {project['proj_short_name']} » du fichier XER n'a aucune activité."
        )

    warnings.extend(_calendar_warnings(tables))
    if not any(t.is_milestone for t in tasks):
        warnings.append("Aucun jalon (activité jalon ou de durée nulle) dans ce projet.")
    costs = MonthCosts()
    if "TASKRSRC" in tables:
        for row in _rows(tables, "TASKRSRC"):
            task = task_dates.get(row["task_id"])
            if row["proj_id"] != proj_id or task is None:
                continue
            _assignment_costs(costs, row, task, data_date)
    else:
        warnings.append("Pas de table TASKRSRC : le fichier n'est pas chargé en coûts.")
    negative = [
        k for k in ("planned", "actual", "forecast") if any(v < 0 for v in getattr(costs, k).values())
    ]
    if negative:
        warnings.append("Des coûts mensuels négatifs (avoirs) ont été ramenés à zéro.")
        for kind in negative:
            values = getattr(costs, kind)
            for month, value in values.items():
                values[month] = max(value, Decimal("0"))

    starts = [t.start for t in tasks if t.start] + [t.actual for t in tasks if t.actual]
    finishes = [t.finish for t in tasks if t.finish] + [t.forecast for t in tasks if t.forecast]
    header_fields = header.decode("ascii", errors="replace").rstrip("\r").split("\t")
    return ScheduleData(
        format="xer",
        name=project["proj_short_name"],
        start=parse_datetime(project.get("plan_start_date")) or (min(starts) if starts else None),
        finish=parse_datetime(project.get("scd_end_date"))
        or parse_datetime(project.get("plan_end_date"))
        or (max(finishes) if finishes else None),
        currency=header_fields[-1].strip() if len(header_fields) > 8 else "",
        tasks=tasks,
        costs=costs,
        warnings=warnings,
    )


def _assignment_costs(costs: MonthCosts, row: dict, task: dict, data_date) -> None:
    def when(prefix: str, fallback_prefix: str):
        start = parse_datetime(row.get(f"{prefix}start_date")) or parse_datetime(
            task.get(f"{fallback_prefix}start_date")
        )
        end = parse_datetime(row.get(f"{prefix}end_date")) or parse_datetime(
            task.get(f"{fallback_prefix}end_date")
        )
        return start, end

    target_start, target_end = when("target_", "target_")
    add_spread(costs.planned, parse_decimal(row.get("target_cost")), target_start, target_end)
    actual = parse_decimal(row.get("act_reg_cost")) + parse_decimal(row.get("act_ot_cost"))
    act_start, act_end = when("act_", "act_")
    act_start = act_start or target_start
    act_end = act_end or data_date or act_start
    add_spread(costs.actual, actual, act_start, act_end)
    add_spread(costs.forecast, actual, act_start, act_end)
    re_start, re_end = when("re", "early_")
    add_spread(
        costs.forecast, parse_decimal(row.get("remain_cost")), re_start or target_start, re_end or target_end
    )


def _calendar_warnings(tables) -> list[str]:
    """Calendars are not imported (dates come computed in the file), but a malformed one is reported:
    the scheduling tool's dates may be unreliable where it applies."""
    if "CALENDAR" not in tables or "clndr_data" not in tables["CALENDAR"][0]:
        return []
    broken = [
        row.get("clndr_name") or row.get("clndr_id", "?")
        for row in _rows(tables, "CALENDAR")
        if row.get("clndr_data", "").count("(") != row.get("clndr_data", "").count(")")
    ]
    if not broken:
        return []
    names = ", ".join(f"« {name} »" for name in broken)
    return [f"Calendrier(s) mal formé(s) ignoré(s) : {names} (les calendriers ne sont pas importés)."]


def _wbs_path(wbs: dict[str, dict], wbs_id: str) -> tuple[str, ...]:
    names: list[str] = []
    seen: set[str] = set()
    node = wbs.get(wbs_id)
    while node is not None and node["wbs_id"] not in seen and node.get("proj_node_flag") != "Y":
        seen.add(node["wbs_id"])
        names.append(node["wbs_name"])
        node = wbs.get(node["parent_wbs_id"])
    return tuple(reversed(names))


def _percent(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return max(0, min(100, round(float(value))))
    except ValueError:
        return None
