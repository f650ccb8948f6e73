"""Display of exception figures: a forecast or a limit with its unit ("+25,3 %", "32 jours ouvrés")."""

from django import template
from django.utils.safestring import mark_safe

from governance.drafting import format_measure

register = template.Library()


@register.simple_tag
def measure(value, unit: str) -> str:
    return format_measure(value, unit)


@register.filter
def css_string(value) -> str:
    """Text for a CSS string literal in double quotes (PDF running headers): backslashes, quotes and
    line breaks escaped the CSS way (escapejs' \\u0027 is not a CSS escape and prints as is)."""
    text = str(value).replace("\\", "\\\\").replace('"', "\\22 ").replace("\n", "\\A ")
    # < > & escaped too: the result is written unescaped inside <style>, where entities are not read.
    return mark_safe(text.replace("<", "\\3C ").replace(">", "\\3E ").replace("&", "\\26 "))  # noqa: S308
