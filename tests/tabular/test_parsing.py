"""Cells as French users type them: decimals with a comma, spaces as thousands, dd/mm/yyyy, months."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from projects.tabular.specs import CellError, header_key, parse_bool, parse_date, parse_decimal, parse_month


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234,56", Decimal("1234.56")),
        ("1\u202f234,5 €", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("1234.5", Decimal("1234.50")),
        (1234.5, Decimal("1234.50")),
        (12000, Decimal("12000")),
        ("0,1", Decimal("0.10")),
        ("12 000 EUR", Decimal("12000")),
    ],
)
def test_decimals(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["douze", "1,2,3", "NaN", "inf", True])
def test_bad_decimals(raw):
    with pytest.raises(CellError):
        parse_decimal(raw)


def test_integers_refuse_fractions():
    assert parse_decimal("3", places=0) == 3
    with pytest.raises(CellError, match="entier"):
        parse_decimal("3,5", places=0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31/12/2026", date(2026, 12, 31)),
        ("1/2/27", date(2027, 2, 1)),
        ("2026-12-31", date(2026, 12, 31)),
        ("31.12.2026", date(2026, 12, 31)),
        (datetime(2026, 12, 31, 0, 0), date(2026, 12, 31)),
        (46387, date(2026, 12, 31)),  # an Excel serial number in a cell left as "General"
    ],
)
def test_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2026", "12/31/2026", "demain", "01/01/3000"])
def test_bad_dates(raw):
    with pytest.raises(CellError):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("03/2027", date(2027, 3, 1)),
        ("2027-03", date(2027, 3, 1)),
        ("mars 2027", date(2027, 3, 1)),
        ("févr. 2027", date(2027, 2, 1)),
        (datetime(2027, 3, 17), date(2027, 3, 1)),
        ("17/03/2027", date(2027, 3, 1)),
    ],
)
def test_months(raw, expected):
    assert parse_month(raw) == expected


def test_booleans():
    assert parse_bool("Oui") is parse_bool("x") is parse_bool(True) is True
    assert parse_bool("Non") is parse_bool(0) is False
    with pytest.raises(CellError):
        parse_bool("peut-être")


def test_headers_compare_without_accents_case_or_punctuation():
    assert header_key("Date prévue") == header_key("date_prevue") == header_key(" DATE PRÉVUE ")
