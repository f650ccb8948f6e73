"""Heat-map display: load as a percentage (∞ without capacity), hours in French format."""

from django import template

from pmo.core.formatting import format_number

register = template.Library()


@register.filter
def load_label(cell) -> str:
    if cell.load is None:
        return "∞" if cell.allocated > 1e-6 else "—"
    return f"{format_number(round(cell.load), 0)} %"


@register.filter
def hours(value) -> str:
    return format_number(round(value, 1), 1)


@register.filter
def days(value, daily: float = 7.0) -> str:
    return format_number(round(value / daily, 1), 1)
