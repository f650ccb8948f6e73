"""Templates (empty sheets with validation lists and one example row) and exports of the portfolio's
data in exactly the import format, so that export → import changes nothing."""

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from pmo.core.exports import DATE_FORMAT, MONEY_FORMAT, csv_bytes, excel_text
from projects.tabular import specs
from projects.tabular.specs import Column, SheetSpec

MONTH_FORMAT = "MM/YYYY"
DECIMAL_FORMAT = "#,##0.00"
INT_FORMAT = "0"
HEADER_FILL = "0B3D91"
EXAMPLE_FONT = "7F7F7F"
LISTS_SHEET = "Listes"


def example_cells(spec: SheetSpec) -> dict[str, object]:
    """The example row of the template, as the cells written (a row equal to it is skipped on import)."""
    cells = {}
    for column in spec.columns:
        if column.example in (None, ""):
            continue
        cells[column.field] = _cell_value(column, column.example)
    return cells


def _cell_value(column: Column, value):
    if value is None or value == "":
        return None
    if column.kind == specs.CHOICE:
        return column.labels().get(value, value)
    if column.kind == specs.BOOL:
        return "Oui" if value else "Non"
    if column.kind in (specs.MONEY, specs.DECIMAL):
        return Decimal(value)
    return value


def _number_format(column: Column) -> str | None:
    return {
        specs.MONEY: MONEY_FORMAT,
        specs.DECIMAL: DECIMAL_FORMAT,
        specs.INT: INT_FORMAT,
        specs.DATE: DATE_FORMAT,
        specs.MONTH: MONTH_FORMAT,
    }.get(column.kind)


def _queryset(spec: SheetSpec, projects, resources=None):
    from portfolio.resource_models import Resource

    if spec.name == "resources":
        queryset = (
            Resource.objects.none() if resources is None else resources.filter(archived_at__isnull=True)
        )
        return (
            queryset.select_related("user", "manager", "role")
            .prefetch_related("skills__skill")
            .order_by(*spec.order)
        )
    if spec.name == "absences":
        from portfolio.resource_models import Absence

        pool = Resource.objects.none() if resources is None else resources.filter(archived_at__isnull=True)
        return (
            Absence.objects.filter(resource__in=pool.values("pk"))
            .select_related("resource")
            .order_by(*spec.order)
        )
    if spec.name == "projects":
        return projects.select_related("programme", "manager", "deputy", "sponsor").order_by("code")
    related = ["project"] + (["owner"] if spec.name in ("risks", "issues") else [])
    return (
        spec.model.objects.filter(project__in=projects.values("pk"))
        .select_related(*related)
        .order_by(*spec.order)
    )


def _row_values(spec: SheetSpec, item) -> list:
    values = []
    for column in spec.columns:
        if column.kind == specs.PROJECT:
            value = item.project.code
        elif column.kind == specs.PERSON:
            person = getattr(item, column.field)
            value = person.username if person else None
        elif column.kind == specs.RESOURCE:
            value = item.resource.name
        elif column.kind == specs.ROLE:
            value = item.role.name
        elif column.kind == specs.SKILLS:
            value = specs.format_skills((held.skill.name, held.level) for held in item.skills.all()) or None
        elif column.kind == specs.PROGRAMME:
            programme = item.programme
            value = programme.code if programme else None
        else:
            value = getattr(item, column.field)
        values.append(_cell_value(column, value))
    return values


def _style_sheet(sheet, spec: SheetSpec, *, rows: int, lists: dict[str, str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header_font = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    last_row = max(rows + 1, 2)
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = header_font, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        note = column.note or ""
        if column.required:
            note = ("Obligatoire. " + note).strip()
        if note:
            cell.comment = Comment(note, "PMO")
        sheet.column_dimensions[letter].width = column.width
        fmt = _number_format(column)
        if fmt:
            for (data_cell,) in sheet.iter_rows(min_row=2, max_row=last_row, min_col=index, max_col=index):
                data_cell.number_format = fmt
        span = f"{letter}2:{letter}{max(last_row, 1000)}"
        validation = None
        if column.kind == specs.ROLE and column.field in lists:
            validation = DataValidation(
                type="list", formula1=lists[column.field], allow_blank=not column.required
            )
            validation.error = "Choisissez un rôle de la liste."
        elif column.kind == specs.CHOICE:
            validation = DataValidation(
                type="list", formula1=lists[column.field], allow_blank=not column.required
            )
            validation.error = "Choisissez une valeur de la liste."
        elif column.kind == specs.BOOL:
            validation = DataValidation(type="list", formula1='"Oui,Non"', allow_blank=True)
            validation.error = "Répondez Oui ou Non."
        elif column.kind in (specs.DATE, specs.MONTH):
            validation = DataValidation(type="date", operator="between", formula1="18264", formula2="73415")
            validation.error = "Saisissez une date (jj/mm/aaaa)."
        elif column.kind == specs.INT and column.minimum is not None and column.maximum is not None:
            validation = DataValidation(
                type="whole", operator="between", formula1=str(column.minimum), formula2=str(column.maximum)
            )
            validation.error = f"Nombre entier de {column.minimum} à {column.maximum}."
        if validation is not None:
            validation.errorTitle = column.header
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(span)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{last_row}"
    sheet.row_dimensions[1].height = 30


def _lists_sheet(workbook, wanted: Iterable[SheetSpec]) -> dict[str, str]:
    """One hidden sheet with every choice list; validations point at its ranges (labels can hold commas)."""
    from openpyxl.utils import get_column_letter, quote_sheetname

    sheet = workbook.create_sheet(LISTS_SHEET)
    refs: dict[str, str] = {}
    index = 0
    for spec in wanted:
        for column in spec.columns:
            if column.kind != specs.CHOICE or column.field in refs:
                continue
            index += 1
            letter = get_column_letter(index)
            labels = list(column.labels().values())
            sheet.cell(row=1, column=index, value=column.header)
            for offset, label in enumerate(labels, start=2):
                sheet.cell(row=offset, column=index, value=label)
            refs[column.field] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
    if any(spec.name == "resources" for spec in wanted):
        from portfolio.resource_models import Role, Skill

        # Reference data of the pool: roles (a validation list) and skills (to copy into "Compétences").
        for field_name, header, labels in (
            ("role", "Rôle", list(Role.objects.order_by("name").values_list("name", flat=True))),
            ("skills", "Compétences", list(Skill.objects.order_by("name").values_list("name", flat=True))),
        ):
            index += 1
            letter = get_column_letter(index)
            sheet.cell(row=1, column=index, value=header)
            for offset, label in enumerate(labels, start=2):
                sheet.cell(row=offset, column=index, value=label)
            if labels:
                refs[field_name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
    sheet.sheet_state = "hidden"
    return refs


def workbook_bytes(
    wanted: list[SheetSpec], *, projects=None, resources=None, template: bool = False
) -> bytes:
    """A workbook of the given sheets: the data of `projects` and `resources` (an export; the active
    resources of that queryset, none when omitted) or the example row (a template).

    Text cells are always strings (never formulas); numbers and dates keep their types and formats.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = [(spec, workbook.create_sheet(spec.title)) for spec in wanted]
    lists = _lists_sheet(workbook, wanted)
    for spec, sheet in sheets:
        for index, column in enumerate(spec.columns, start=1):
            sheet.cell(row=1, column=index, value=column.header)
        if template:
            items = [example_cells(spec)]
            rows = [[items[0].get(c.field) for c in spec.columns]]
        else:
            rows = (
                _row_values(spec, item)
                for item in _queryset(spec, projects, resources).iterator(chunk_size=2000)
            )
        count = 0
        for count, values in enumerate(rows, start=1):
            for index, value in enumerate(values, start=1):
                if value is None:
                    continue
                if isinstance(value, str):
                    value = excel_text(value)
                cell = sheet.cell(row=count + 1, column=index, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # "=1+1" stays text: nothing in an export is a formula
                if template:
                    from openpyxl.styles import Font

                    cell.font = Font(italic=True, color=EXAMPLE_FONT)
        _style_sheet(sheet, spec, rows=count, lists=lists)
        if template:
            from openpyxl.comments import Comment

            sheet.cell(row=2, column=1).comment = Comment(
                "Ligne d'exemple : remplacez-la par vos données (laissée telle quelle, elle est ignorée).",
                "PMO",
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_text(column: Column, value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%m/%Y") if column.kind == specs.MONTH else value.strftime("%d/%m/%Y")
    return str(value)


def csv_export(spec: SheetSpec, *, projects, resources=None) -> bytes:
    """One object type as CSV (';', UTF-8 with BOM, French decimals and dates, formula-safe text).

    The formula guard prefixes a quote to text starting with = + - @; the importer reads such a cell
    back without its quote, so a CSV export re-imports unchanged."""
    rows = (
        [_csv_text(c, v) for c, v in zip(spec.columns, _row_values(spec, item), strict=True)]
        for item in _queryset(spec, projects, resources).iterator(chunk_size=2000)
    )
    return csv_bytes(header=[c.header for c in spec.columns], rows=rows)


def csv_template(spec: SheetSpec) -> bytes:
    example = example_cells(spec)
    return csv_bytes(
        header=[c.header for c in spec.columns],
        rows=[[_csv_text(c, example.get(c.field)) for c in spec.columns]],
    )
