"""Display helpers used by every template: money in the user's language, badges, query strings."""

from django import template
from django.utils.html import format_html, json_script

from pmo.core.formatting import format_money, format_number

register = template.Library()


@register.filter
def money(value, currency: str = "EUR") -> str:
    """`1 234 567 €` in French, `1,234,567 €` in English; an em dash for None."""
    return format_money(value, currency)


@register.filter
def number(value, decimals: int = 2) -> str:
    return format_number(value, decimals)


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


class EncodedFigure(dict):
    """A plotly figure that keeps its `<script type="application/json">` block once encoded: a kept
    dashboard build (reporting.dashboard.cache) shows the same figures to every request, and the
    2,000-bubble chart alone is ~300 kB of JSON."""

    __slots__ = ("scripts",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scripts: dict[str, str] = {}


@register.filter
def figure_script(figure: dict, element_id: str):
    """`json_script`, encoded once per element id for an EncodedFigure."""
    scripts = getattr(figure, "scripts", None)
    if scripts is None:
        return json_script(figure, element_id)
    found = scripts.get(element_id)
    if found is None:
        found = scripts[element_id] = json_script(figure, element_id)
    return found
