"""Workbooks and CSV files built in tests (openpyxl, as a user's Excel would save them)."""

import io

from openpyxl import Workbook

from projects.tabular.specs import SPECS


def workbook(sheets: dict[str, list[list]], *, headers: dict[str, list[str]] | None = None) -> bytes:
    """`sheets`: spec name → rows (values in the spec's column order); headers default to the spec's."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        spec = SPECS[name]
        sheet = book.create_sheet(spec.title)
        sheet.append((headers or {}).get(name) or [c.header for c in spec.columns])
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(spec_name: str, /, **values) -> list:
    """One row in the spec's column order from field=value keywords."""
    return [values.get(c.field) for c in SPECS[spec_name].columns]


def csv_file(name: str, rows: list[dict], *, delimiter: str = ";") -> bytes:
    spec = SPECS[name]
    lines = [delimiter.join(c.header for c in spec.columns)]
    for values in rows:
        lines.append(delimiter.join(str(values.get(c.field, "")) for c in spec.columns))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()
