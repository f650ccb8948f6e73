"""MS Project XML (MSPDI, namespace http://schemas.microsoft.com/project) into a ScheduleData.

Read with defusedxml (no entities, no external references). What is read: project name and dates,
currency, tasks (UID, name, outline level, summary and milestone flags, duration, start/finish,
baseline 0, actual dates, percent complete, cost, actual cost) and the timephased baseline and
actual costs when the file carries them; otherwise task costs are spread linearly over their dates.
"""

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from projects.imports.common import (
    MonthCosts,
    ScheduleData,
    ScheduleImportError,
    ScheduleTask,
    add_spread,
    check_size,
    month_of,
    parse_datetime,
    parse_decimal,
)

NS = "{http://schemas.microsoft.com/project}"
# TimephasedData types (MSPDI schema): assignment baseline cost, assignment actual cost, task baseline cost.
TP_ASSIGNMENT_BASELINE_COST = "5"
TP_ASSIGNMENT_ACTUAL_COST = "6"
TP_TASK_BASELINE_COST = "10"
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def _text(element: Element | None, tag: str) -> str:
    if element is None:
        return ""
    child = element.find(NS + tag)
    return (child.text or "").strip() if child is not None else ""


def _zero_duration(value: str) -> bool:
    numbers = _DIGITS.findall(value)
    return bool(value) and all(float(n) == 0 for n in numbers)


def _percent(value: str) -> int | None:
    if not value:
        return None
    try:
        return max(0, min(100, int(float(value))))
    except ValueError:
        return None


def parse_mspdi(data: bytes) -> ScheduleData:
    """Parse an MSPDI document; ScheduleImportError (in French) when it is not one or is truncated."""
    check_size(data)
    try:
        root = fromstring(data)
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise ScheduleImportError(
            "Fichier MS Project XML illisible ou tronqué "
            f"(erreur XML ligne {line}, colonne {column}) : aucune donnée n'a été importée."
        ) from None
    except DefusedXmlException:
        raise ScheduleImportError(
            "Fichier XML refusé : il contient des entités ou des références externes interdites."
        ) from None
    if root.tag != NS + "Project":
        raise ScheduleImportError(
            "Ce fichier XML n'est pas un projet MS Project (élément racine <Project> de l'espace de noms "
            "http://schemas.microsoft.com/project attendu)."
        )
    tasks_element = root.find(NS + "Tasks")
    if tasks_element is None:
        raise ScheduleImportError(
            "Le fichier MS Project ne contient pas de tâches (élément <Tasks> manquant)."
        )

    warnings: list[str] = []
    costs = MonthCosts()
    planned_spread = MonthCosts()
    tasks: list[ScheduleTask] = []
    outline: list[tuple[int, str]] = []  # (level, name) of the enclosing summary tasks
    for element in tasks_element.findall(NS + "Task"):
        uid = _text(element, "UID")
        if not uid or _text(element, "IsNull") == "1":
            continue
        level = int(_text(element, "OutlineLevel") or "1")
        name = _text(element, "Name") or f"Tâche {uid}"
        is_summary = _text(element, "Summary") == "1"
        while outline and outline[-1][0] >= level:
            outline.pop()
        path = tuple(n for lvl, n in outline if lvl >= 1)
        if is_summary:
            outline.append((level, name))
        if level == 0:
            continue  # the project summary task repeats the project itself
        start, finish = parse_datetime(_text(element, "Start")), parse_datetime(_text(element, "Finish"))
        actual_start = parse_datetime(_text(element, "ActualStart"))
        actual_finish = parse_datetime(_text(element, "ActualFinish"))
        baseline = next(
            (b for b in element.findall(NS + "Baseline") if _text(b, "Number") == "0"),
            None,
        )
        baseline_start = parse_datetime(_text(baseline, "Start"))
        baseline_finish = parse_datetime(_text(baseline, "Finish"))
        is_milestone = _text(element, "Milestone") == "1" or (
            not is_summary and _zero_duration(_text(element, "Duration"))
        )
        tasks.append(
            ScheduleTask(
                uid=uid,
                name=name,
                wbs_path=path,
                is_summary=is_summary,
                is_milestone=is_milestone,
                baseline=baseline_finish,
                forecast=actual_finish or finish,
                actual=actual_finish,
                percent_complete=_percent(_text(element, "PercentComplete")),
                start=start,
                finish=finish,
            )
        )
        if is_summary:
            continue  # summary costs are the roll-up of their children: counting them would double
        cost = parse_decimal(_text(element, "Cost"))
        baseline_cost = parse_decimal(_text(baseline, "Cost")) if baseline is not None else None
        planned = baseline_cost if baseline_cost is not None else cost
        add_spread(planned_spread.planned, planned, baseline_start or start, baseline_finish or finish)
        add_spread(costs.forecast, cost, start, finish)
        add_spread(
            planned_spread.actual,
            parse_decimal(_text(element, "ActualCost")),
            actual_start or start,
            actual_finish or parse_datetime(_text(element, "Stop")) or actual_start or finish,
        )

    _timephased_costs(root, costs, planned_spread, warnings)
    title = _text(root, "Title") or _text(root, "Name")
    return ScheduleData(
        format="mspdi",
        name=title,
        start=parse_datetime(_text(root, "StartDate")),
        finish=parse_datetime(_text(root, "FinishDate")),
        currency=_text(root, "CurrencyCode") or _text(root, "CurrencySymbol"),
        tasks=tasks,
        costs=costs,
        warnings=warnings,
    )


def _timephased_costs(root: Element, costs: MonthCosts, spread: MonthCosts, warnings: list[str]) -> None:
    """Planned and actual costs by month from timephased data when present, else from the spread."""
    by_type: dict[str, dict] = {
        TP_TASK_BASELINE_COST: {},
        TP_ASSIGNMENT_BASELINE_COST: {},
        TP_ASSIGNMENT_ACTUAL_COST: {},
    }
    for container in (root.find(NS + "Tasks"), root.find(NS + "Assignments")):
        if container is None:
            continue
        for item in container:
            for row in item.findall(NS + "TimephasedData"):
                kind = _text(row, "Type")
                if kind not in by_type:
                    continue
                day = parse_datetime(_text(row, "Start"))
                if day is None:
                    continue
                month = month_of(day)
                by_type[kind][month] = by_type[kind].get(month, 0) + parse_decimal(_text(row, "Value"))
    planned = by_type[TP_TASK_BASELINE_COST] or by_type[TP_ASSIGNMENT_BASELINE_COST]
    actual = by_type[TP_ASSIGNMENT_ACTUAL_COST]
    for month, value in (planned or spread.planned).items():
        costs.planned[month] += value
    for month, value in (actual or spread.actual).items():
        costs.actual[month] += value
    if planned or actual:
        warnings.append("Coûts mensuels lus dans les données chronologiques (timephased) du fichier.")
