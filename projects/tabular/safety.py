"""Checks made on the raw bytes of an upload before any spreadsheet parser sees it.

A .xlsx is a zip of XML parts: its size, its entry count and its declared uncompressed size are read
from the zip's central directory (nothing is decompressed), then the first bytes of each XML part
are scanned for a DTD (billion laughs, external entities) — openpyxl parses through defusedxml as
well (`openpyxl.xml.DEFUSEDXML`), which this module asserts. Only then is the workbook opened, in
read-only streaming mode with cached values (`data_only`: formulas are never evaluated), and the
row count is bounded while streaming (a lying <dimension> cannot make it read a million rows).
"""

import io
import re
import zipfile

import filetype

# RELIABILITY row 14: 20 MB upload, ≤ 100 MB uncompressed, ≤ 1,000 zip entries.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
# Above this ratio a single entry is a compression bomb whatever its size (real sheets: 5-30).
MAX_COMPRESSION_RATIO = 200
# Rows read from one file, every sheet together (header rows excluded).
MAX_ROWS = 50_000
DTD_SCAN_BYTES = 4096

XLSX = "xlsx"
CSV = "csv"


class TabularFileError(ValueError):
    """The file is refused as a whole; `message` is a French sentence naming what is wrong."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def defusedxml_active() -> bool:
    """openpyxl parses every XML part through defusedxml (it falls back to the stdlib otherwise)."""
    from openpyxl import xml

    return bool(xml.DEFUSEDXML)


def detect_format(*, filename: str, data: bytes) -> str:
    """'xlsx' or 'csv' from the content (magic bytes), never from the name alone."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise TabularFileError(
            f"Le fichier dépasse la taille maximale de {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo."
        )
    if not data.strip():
        raise TabularFileError("Le fichier est vide.")
    name = filename.lower()
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularFileError(
            "Les classeurs Excel 97-2003 (.xls) ne sont pas acceptés : "
            "enregistrez le fichier au format .xlsx."
        )
    kind = filetype.guess(data[:8192])
    if kind is not None or b"\x00" in data[:8192]:
        raise TabularFileError(
            f"Type de fichier non reconnu ({filename}) : "
            "importez un classeur Excel (.xlsx) ou un fichier CSV."
        )
    if name.endswith((".xlsx", ".xlsm")):
        raise TabularFileError(
            f"Le fichier {filename} n'est pas un classeur Excel valide (contenu illisible)."
        )
    return CSV


def check_xlsx_container(data: bytes) -> None:
    """Refuse zip bombs, oversized or over-numerous entries and DTDs, decompressing nothing whole.

    The declared sizes are a real bound: zipfile never inflates an entry beyond its declared size
    (a lying header gives a truncated part, which the parser then refuses)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TabularFileError("Le classeur est illisible (archive .xlsx corrompue ou tronquée).") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise TabularFileError(
                f"Le classeur contient trop d'éléments ({len(entries)} ; au plus {MAX_ZIP_ENTRIES})."
            )
        total = sum(entry.file_size for entry in entries)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise TabularFileError(
                f"Le classeur décompressé dépasserait {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} Mo "
                f"({total // (1024 * 1024)} Mo annoncés) : il est refusé."
            )
        for entry in entries:
            ratio = entry.file_size / entry.compress_size if entry.compress_size else 0
            if ratio > MAX_COMPRESSION_RATIO and entry.file_size > 1024 * 1024:
                raise TabularFileError(
                    "Le classeur ressemble à une bombe de décompression (taux de compression anormal) : "
                    "il est refusé."
                )
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise TabularFileError("Le fichier n'est pas un classeur Excel .xlsx (structure inconnue).")
        for entry in entries:
            if not entry.filename.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(entry) as part:
                    head = _read_bounded(part, DTD_SCAN_BYTES)
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
                raise TabularFileError("Le classeur est illisible (élément compressé corrompu).") from None
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise TabularFileError(
                    "Le classeur contient une déclaration XML interdite (DTD / entités) : il est refusé."
                )


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
SCAN_CHUNK = 1024 * 1024
TAG_OVERLAP = 64


def count_rows(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> int:
    """<row> elements of a worksheet part, counted on the decompressed stream (bounded memory) and
    stopped past `limit`: openpyxl reads a whole sheet to size it when <dimension> is missing."""
    count = 0
    tail = b""
    with archive.open(entry) as part:
        while True:
            chunk = part.read(SCAN_CHUNK)
            buffer = tail + chunk
            cutoff = len(buffer) if not chunk else max(0, len(buffer) - TAG_OVERLAP)
            count += sum(1 for match in _ROW_TAG.finditer(buffer, 0, len(buffer)) if match.start() < cutoff)
            if count > limit or not chunk:
                return count
            tail = buffer[cutoff:]


def check_row_count(data: bytes, limit: int) -> None:
    """Refuse a workbook whose sheets hold more rows than `limit` before openpyxl opens it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = 0
        for entry in archive.infolist():
            if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                total += count_rows(archive, entry, limit - total)
                if total > limit:
                    raise TabularFileError(
                        f"Le classeur contient plus de {limit} lignes : au plus {MAX_ROWS} lignes par "
                        "fichier, découpez-le."
                    )


def _read_bounded(part, limit: int) -> bytes:
    """At most `limit` decompressed bytes (a bomb entry is never inflated further)."""
    chunks, read = [], 0
    while read < limit:
        chunk = part.read(min(1024, limit - read))
        if not chunk:
            break
        chunks.append(chunk)
        read += len(chunk)
    return b"".join(chunks)
