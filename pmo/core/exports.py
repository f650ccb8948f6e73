"""Spreadsheet-safe exports (CSV and Excel): no cell may become a formula when opened in Excel.

Shared by reporting (portfolio matrix, registers) and projects (tabular import/export)."""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.text import capfirst

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The cell text, prefixed with a quote when Excel would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def excel_text(value) -> str:
    """The text as an Excel cell can hold it: without the control characters XML 1.0 forbids
    (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F), which a name typed or pasted into the app
    may hold but which make openpyxl refuse the whole workbook. Tabs and line breaks stay."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def csv_bytes(*, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """RFC 4180 CSV (quoted where needed, CRLF) with a UTF-8 BOM so Excel reads accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- Excel ----------------------------------------------------------------------------------------

MONEY_FORMAT = '#,##0.00 "€"'  # Excel shows it with the reader's separators: "1 234 567,00 €" in French
DATE_FORMAT = "DD/MM/YYYY"
DECIMAL_FORMAT = "0.00"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable
    kind: str = "text"  # text, money, date, int, decimal
    width: int = 16


def xlsx_bytes(*, title: str, columns: Sequence[Column], rows: Iterable) -> bytes:
    """One formatted sheet: bold frozen header, filters, widths, French-readable number formats.

    Text cells are written as strings whatever they start with: no cell of an export is a formula.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="0B3D91")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=excel_text(capfirst(str(column.header))))
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    count = 1
    for count, item in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = column.value(item)
            cell = sheet.cell(row=count, column=index)
            if value is None or value == "":
                continue
            if column.kind == "text":
                cell.value = excel_text(value)
                cell.data_type = "s"  # never a formula, even for "=..." text
            else:
                cell.value = value
                cell.number_format = {
                    "money": MONEY_FORMAT,
                    "date": DATE_FORMAT,
                    "decimal": DECIMAL_FORMAT,
                    "int": "0",
                }[column.kind]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(count, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_from_columns(*, columns: Sequence[Column], rows: Iterable) -> bytes:
    """The same export as CSV: French decimals (comma), dates dd/mm/yyyy, formula-safe text."""

    def text(column: Column, value) -> str:
        if value is None:
            return ""
        if column.kind in ("money", "decimal"):
            return f"{value:.2f}".replace(".", ",")
        if column.kind == "date":
            return value.strftime("%d/%m/%Y")
        return str(value)

    return csv_bytes(
        header=[capfirst(str(column.header)) for column in columns],
        rows=([text(column, column.value(item)) for column in columns] for item in rows),
    )
