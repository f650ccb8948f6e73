"""The spreadsheet-safe export helpers live in pmo.core.exports (projects' imports/exports use them
too, and projects may not import reporting); this module keeps reporting's import path."""

from pmo.core.exports import (
    DATE_FORMAT,
    DECIMAL_FORMAT,
    FORMULA_TRIGGERS,
    MONEY_FORMAT,
    Column,
    csv_bytes,
    csv_from_columns,
    spreadsheet_safe,
    xlsx_bytes,
)

__all__ = [
    "DATE_FORMAT",
    "DECIMAL_FORMAT",
    "FORMULA_TRIGGERS",
    "MONEY_FORMAT",
    "Column",
    "csv_bytes",
    "csv_from_columns",
    "spreadsheet_safe",
    "xlsx_bytes",
]
