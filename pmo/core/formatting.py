"""Money and numbers in the active language (French: `1 234 567 €`), for pages, exports and PDFs."""

from decimal import Decimal

from django.utils.formats import number_format

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
