"""Rows out of an uploaded .xlsx (every known sheet) or .csv (one object type), as raw cell values.

The workbook is opened only after safety.check_xlsx_container, read-only (streamed) with
`data_only=True`: a formula cell gives the value Excel computed and saved, never a formula to run.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from pmo.core.exports import FORMULA_TRIGGERS
from projects.tabular import safety
from projects.tabular.specs import SPECS, SheetSpec, header_key, spec_for_sheet

# Sheets of our own templates that hold no data (validation lists, instructions).
FORMULA_CHARS = tuple(FORMULA_TRIGGERS)
IGNORED_SHEETS = {"listes", "lisezmoi", "instructions", "aide"}


@dataclass
class SheetRows:
    spec: SheetSpec
    title: str  # as named in the file
    columns: dict[int, str]  # column index (0-based) → field
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)  # (row number, field → raw)
    header_errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)


@dataclass
class ReadResult:
    format: str
    sheets: list[SheetRows]
    warnings: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets)


def _map_header(spec: SheetSpec, cells: list, sheet: SheetRows) -> None:
    by_key = {}
    for column in spec.columns:
        by_key.setdefault(header_key(column.header), column.field)
        by_key.setdefault(header_key(column.field), column.field)
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if cell is None or str(cell).strip() == "":
            continue
        name = by_key.get(header_key(cell))
        if name is None:
            continue  # unknown columns are reported once, as a warning, by the caller
        if name in seen:
            sheet.header_errors.append((str(cell), f"colonne en double (déjà lue sous « {seen[name]} »)"))
            continue
        seen[name] = str(cell)
        sheet.columns[index] = name
    for column in spec.columns:
        if column.required and column.field not in seen:
            sheet.header_errors.append((column.header, "colonne obligatoire absente de l'en-tête"))


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _collect(sheet: SheetRows, rows: Iterator, budget: list[int], *, unquote: bool = False) -> None:
    """Append the non-empty rows; `budget` is the rows left for the whole file (a one-item list)."""
    for number, cells in rows:
        if not sheet.columns:
            break
        values = {}
        for index, name in sheet.columns.items():
            value = cells[index] if index < len(cells) else None
            if unquote and isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_CHARS:
                value = value[1:]  # the formula guard of our CSV exports, taken off again
            values[name] = None if _is_blank(value) else value
        if all(v is None for v in values.values()):
            continue
        budget[0] -= 1
        if budget[0] < 0:
            raise safety.TabularFileError(
                f"Le fichier contient plus de {safety.MAX_ROWS} lignes : découpez-le en plusieurs fichiers."
            )
        sheet.rows.append((number, values))


# Header rows, our hidden list sheet and blank rows of a template may add to the data rows.
ROW_SCAN_MARGIN = 1000


def read_xlsx(data: bytes) -> ReadResult:
    safety.check_xlsx_container(data)
    safety.check_row_count(data, safety.MAX_ROWS + ROW_SCAN_MARGIN)
    if not safety.defusedxml_active():  # pragma: no cover - the lock file installs defusedxml
        raise safety.TabularFileError("Import Excel désactivé : defusedxml n'est pas installé.")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # defusedxml refusals, corrupt parts: all are "unreadable"
        name = type(error).__name__
        if "Forbidden" in name or "DTD" in name or "Entities" in name:
            raise safety.TabularFileError(
                "Le classeur contient une déclaration XML interdite (DTD / entités) : il est refusé."
            ) from None
        raise safety.TabularFileError(f"Le classeur est illisible ({name}).") from None
    result = ReadResult(format=safety.XLSX, sheets=[])
    budget = [safety.MAX_ROWS]
    try:
        for worksheet in workbook.worksheets:
            spec = spec_for_sheet(worksheet.title)
            if spec is None:
                if header_key(worksheet.title) not in IGNORED_SHEETS:
                    result.warnings.append(
                        f"Feuille « {worksheet.title} » ignorée (feuilles reconnues : "
                        + ", ".join(s.title for s in SPECS.values())
                        + ")."
                    )
                continue
            declared = worksheet.max_row or 0  # the <dimension> element, read without reading the rows
            if declared - 1 > safety.MAX_ROWS:
                raise safety.TabularFileError(
                    f"La feuille « {worksheet.title} » annonce {declared - 1} lignes : au plus "
                    f"{safety.MAX_ROWS} lignes par fichier, découpez-le."
                )
            sheet = SheetRows(spec=spec, title=worksheet.title, columns={})
            # Past the early refusal, the <dimension> is not trusted: rows are streamed to the end of
            # the sheet's data (a wrong dimension would otherwise hide rows) and counted.
            worksheet.reset_dimensions()
            rows = worksheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            _map_header(spec, list(header), sheet)
            _warn_unknown_headers(result, worksheet.title, spec, list(header))
            _collect(sheet, ((number, cells) for number, cells in enumerate(rows, start=2)), budget)
            result.sheets.append(sheet)
    except safety.TabularFileError:
        raise
    except Exception as error:
        raise safety.TabularFileError(f"Le classeur est illisible ({type(error).__name__}).") from None
    finally:
        workbook.close()
    if not result.sheets:
        raise safety.TabularFileError(
            "Aucune feuille reconnue dans le classeur : nommez les feuilles "
            + ", ".join(f"« {s.title} »" for s in SPECS.values())
            + " (ou partez d'un modèle téléchargé)."
        )
    return result


def _warn_unknown_headers(result: ReadResult, title: str, spec: SheetSpec, header: list) -> None:
    known = {header_key(c.header) for c in spec.columns} | {header_key(c.field) for c in spec.columns}
    unknown = [str(h) for h in header if h is not None and str(h).strip() and header_key(h) not in known]
    if unknown:
        result.warnings.append(f"Feuille « {title} » : colonnes ignorées : " + ", ".join(unknown) + ".")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise safety.TabularFileError("Encodage du fichier CSV non reconnu (UTF-8 ou Windows-1252 attendu).")


def guess_spec(header: list[str]) -> SheetSpec | None:
    """The object type whose headers the CSV header matches best (at least its required columns)."""
    keys = {header_key(h) for h in header}
    best, best_score = None, 0
    for spec in SPECS.values():
        names = [{header_key(c.header), header_key(c.field)} for c in spec.columns]
        if not all(n & keys for n, c in zip(names, spec.columns, strict=True) if c.required):
            continue
        score = sum(1 for n in names if n & keys)
        if score > best_score:
            best, best_score = spec, score
    return best


def read_csv(data: bytes, *, object_type: str = "") -> ReadResult:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header:
        raise safety.TabularFileError("Le fichier CSV n'a pas de ligne d'en-tête.")
    spec = SPECS.get(object_type) if object_type else guess_spec(header)
    if spec is None:
        raise safety.TabularFileError(
            "Type d'objet du CSV non reconnu : choisissez-le (projets, jalons, coûts, risques, problèmes) "
            "ou reprenez l'en-tête d'un modèle."
        )
    result = ReadResult(format=safety.CSV, sheets=[])
    sheet = SheetRows(spec=spec, title=spec.title, columns={})
    _map_header(spec, header, sheet)
    _warn_unknown_headers(result, spec.title, spec, header)
    try:
        _collect(
            sheet,
            ((number, row) for number, row in enumerate(reader, start=2)),
            [safety.MAX_ROWS],
            unquote=True,
        )
    except csv.Error as error:
        raise safety.TabularFileError(f"Le fichier CSV est mal formé ({error}).") from None
    result.sheets.append(sheet)
    return result


def read_file(*, filename: str, data: bytes, object_type: str = "") -> ReadResult:
    kind = safety.detect_format(filename=filename, data=data)
    if kind == safety.XLSX:
        return read_xlsx(data)
    return read_csv(data, object_type=object_type)
