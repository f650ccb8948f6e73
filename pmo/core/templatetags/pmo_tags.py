"""Display helpers used by every template: money in the user's language, badges, query strings."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


@register.filter
def money(value, currency: str = "EUR") -> str:
    """`1 234 567 €` in French, `1,234,567 €` in English; empty for None."""
    if value in (None, ""):
        return "—"
    amount = number_format(Decimal(value), decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"{amount}\u00a0{CURRENCY_SYMBOLS.get(currency, currency)}"


@register.simple_tag(takes_context=True)
def query_replace(context, **changes) -> str:
    """The current query string with some parameters changed (pagination and sort links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag
def state_badge(state: str, label: str) -> str:
    css = {
        "active": "text-bg-success",
        "proposed": "text-bg-info",
        "on_hold": "text-bg-warning",
        "closed": "text-bg-secondary",
        "cancelled": "text-bg-dark",
    }.get(state, "text-bg-light")
    return format_html('<span class="badge {}">{}</span>', css, label)
