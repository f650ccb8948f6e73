"""RELIABILITY row 14 (workbooks): zip bomb, billion laughs, too many entries, oversize, wrong magic
bytes, a million rows — refused before openpyxl parses, in < 2 s; defusedxml is what openpyxl uses."""

import io
import re
import time
import zipfile

import pytest

from projects.tabular import reader, safety
from tests.tabular.helpers import row, workbook


def _zip(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx_with(part: str, data: bytes) -> bytes:
    """A valid workbook whose `part` is replaced by `data`."""
    source = zipfile.ZipFile(io.BytesIO(workbook({"projects": [row("projects", code="x", name="X")]})))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries[part] = data
    return _zip(entries)


def _refused(data: bytes, match: str, name: str = "f.xlsx") -> None:
    started = time.monotonic()
    with pytest.raises(safety.TabularFileError, match=match):
        reader.read_file(filename=name, data=data)
    assert time.monotonic() - started < 2


def test_openpyxl_parses_through_defusedxml():
    assert safety.defusedxml_active()


def test_zip_bomb_is_refused_from_the_directory():
    bomb = _xlsx_with("xl/worksheets/sheet1.xml", b"<a>" + b"0" * (101 * 1024 * 1024) + b"</a>")
    assert len(bomb) < safety.MAX_UPLOAD_BYTES
    _refused(bomb, "décompressé dépasserait 100 Mo")


def test_high_ratio_entry_is_refused_even_under_the_total():
    bomb = _xlsx_with("xl/worksheets/sheet1.xml", b"<a>" + b"0" * (50 * 1024 * 1024) + b"</a>")
    _refused(bomb, "bombe de décompression")


def test_billion_laughs_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "&lol%d;&lol%d;&lol%d;">' % (i, i - 1, i - 1, i - 1) for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    _refused(_xlsx_with("xl/worksheets/sheet1.xml", laughs.replace(b"lol0", b"lol")), "DTD")


def test_external_entity_is_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t></si></sst>'
    )
    _refused(_xlsx_with("xl/sharedStrings.xml", xxe), "DTD")


def test_too_many_entries():
    entries = {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}
    entries.update({f"xl/media/{i}.bin": b"" for i in range(safety.MAX_ZIP_ENTRIES)})
    _refused(_zip(entries, compression=zipfile.ZIP_STORED), "trop d'éléments")


def test_oversize_and_empty_and_wrong_magic():
    _refused(b"x" * (safety.MAX_UPLOAD_BYTES + 1), "20 Mo")
    _refused(b"   ", "vide")
    _refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, r"\.xls")
    _refused(b"%PDF-1.7\n" + b"\0" * 100, "non reconnu", name="plan.pdf")
    _refused(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "non reconnu", name="plan.csv")
    _refused(b"ceci n'est pas un zip", "pas un classeur Excel valide", name="plan.xlsx")
    _refused(_zip({"readme.txt": b"hello"}), "structure inconnue")
    _refused(workbook({"projects": []})[:3000], "illisible")


def test_a_million_rows_are_refused_from_the_dimension_without_reading_them():
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 1001))
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:A1000001"/><sheetData>' + rows + b"</sheetData></worksheet>"
    )
    _refused(_xlsx_with("xl/worksheets/sheet1.xml", sheet), "1000000 lignes")


def test_rows_are_counted_while_streaming_when_the_dimension_lies(monkeypatch):
    monkeypatch.setattr(safety, "MAX_ROWS", 50)
    data = workbook({"projects": [row("projects", code=f"p{i}", name="P") for i in range(60)]})
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = source.read("xl/worksheets/sheet1.xml")
    lying = re.sub(rb'<dimension ref="[^"]+" */>', b'<dimension ref="A1:B2"/>', sheet)
    assert lying != sheet
    _refused(_xlsx_with("xl/worksheets/sheet1.xml", lying), "plus de 50 lignes")


def test_rows_without_a_dimension_are_counted_before_openpyxl_opens_the_sheet():
    """openpyxl sizes a sheet without <dimension> by parsing all of it at load: the scan comes first."""
    rows = b"".join(b'<row r="%d"><c r="B%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 120_001))
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + b"</sheetData></worksheet>"
    )
    _refused(_xlsx_with("xl/worksheets/sheet1.xml", sheet), "plus de 51000 lignes")


def test_row_scan_counts_across_chunk_boundaries():
    data = (b"<row r='1'/>" + b"x" * (safety.SCAN_CHUNK - 13)) * 3 + b"<x:row r='9'>"
    archive = zipfile.ZipFile(io.BytesIO(_zip({"xl/worksheets/sheet1.xml": data})))
    assert safety.count_rows(archive, archive.infolist()[0], 100) == 4
