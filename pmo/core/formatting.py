"""Money and numbers in the active language (French: `1 234 567 €`), for pages, exports and PDFs."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, get_format, number_format

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


def format_money(value, currency: str = "EUR") -> str:
    """Whole currency units with grouping; an em dash for no value."""
    if value in (None, ""):
        return "—"
    amount = number_format(Decimal(value), decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"{amount}\u00a0{CURRENCY_SYMBOLS.get(currency, currency)}"


def format_number(value, decimals: int = 2) -> str:
    if value in (None, ""):
        return "—"
    return number_format(Decimal(value), decimal_pos=decimals, use_l10n=True, force_grouping=True)


# Django date-format letters that strftime writes the same way (zero-padded day/month, years).
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}


def short_date_formatter() -> Callable[[date | None], str]:
    """A function formatting dates as the active language's SHORT_DATE_FORMAT (French `31/12/2026`),
    resolved once: exports format thousands of dates, and `date_format` looks the format up each time.
    Formats with letters strftime cannot mirror fall back to Django's formatter."""
    django_format = get_format("SHORT_DATE_FORMAT")
    if all(char in _STRFTIME or not char.isalpha() for char in django_format):
        pattern = "".join(_STRFTIME.get(char, char.replace("%", "%%")) for char in django_format)
        return lambda value: value.strftime(pattern) if value else ""
    return lambda value: date_format(value, "SHORT_DATE_FORMAT") if value else ""


def person_name(first: str | None, last: str | None, username: str | None) -> str:
    """A user's name as `User.__str__` writes it (full name, else username), from value rows."""
    return f"{first or ''} {last or ''}".strip() or (username or "")
