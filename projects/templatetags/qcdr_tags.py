"""Météo icons and QCDR reasons for templates: one rendering of a RAG everywhere."""

import functools

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from projects.reasons import describe

register = template.Library()

METEO = {
    # rag: (icon, css class, label)
    "green": ("bi-sun-fill", "rag-green", _("Sunny (green)")),
    "amber": ("bi-cloud-sun-fill", "rag-amber", _("Cloudy (amber)")),
    "red": ("bi-cloud-lightning-rain-fill", "rag-red", _("Stormy (red)")),
    "unknown": ("bi-question-circle", "rag-unknown", _("Unknown")),
}

AXIS_LABELS = {
    "overall": _("Overall"),
    "quality": _("Quality"),
    "cost": _("Cost"),
    "schedule": _("Schedule"),
    "risk": _("Risk"),
}


@register.simple_tag
def meteo(rag: str | None, size: str = "") -> str:
    """A weather icon with an accessible label; unknown is grey, never green."""
    return _meteo_html(rag if rag in METEO else "unknown", size, get_language())


@functools.lru_cache(maxsize=256)
def _meteo_html(rag: str, size: str, language: str | None) -> str:
    """Rendered once per RAG, size and language: a two-year status history shows 600 of them."""
    icon, css, label = METEO[rag]
    return format_html(
        '<span class="meteo {} {}" title="{}"><i class="bi {}" aria-hidden="true"></i>'
        '<span class="visually-hidden">{}</span></span>',
        css,
        size,
        label,
        icon,
        label,
    )


@register.filter
def rag_label(rag: str | None) -> str:
    return str(METEO.get(rag or "unknown", METEO["unknown"])[2])


@register.filter
def axis_label(axis: str) -> str:
    return str(AXIS_LABELS.get(axis, axis))


@register.simple_tag
def reason_text(reason: dict, currency: str = "EUR") -> str:
    return describe(reason, currency=currency)


@register.filter
def qcdr_axes(qcdr: dict) -> list[dict]:
    """Rows of a qcdr_as_dict result: one per axis with declared, indicated and reasons."""
    return [
        {
            "axis": axis,
            "declared": qcdr["declared"].get(axis, "unknown"),
            "indicated": qcdr["indicated"].get(axis, "unknown"),
            "reasons": qcdr["reasons"].get(axis, []),
        }
        for axis in ("quality", "cost", "schedule", "risk")
    ]
