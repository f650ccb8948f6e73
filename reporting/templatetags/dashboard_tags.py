"""The QCDR matrix's cells: one cell per axis, rendered in Python with labels translated once per
language (50 rows × 5 cells must not cost thousands of template lookups and translations)."""

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projects.templatetags.qcdr_tags import METEO, axis_label, rag_label

register = template.Library()

WATERMELON_MARK = mark_safe(  # noqa: S308 (a constant, no user text)
    '<span class="watermelon-mark" aria-hidden="true"><i class="bi bi-exclamation-octagon-fill"></i></span>'
)
TREND_ICONS = {"better": "bi-arrow-up-right", "worse": "bi-arrow-down-right", "same": "bi-arrow-right"}


def _icon(rag: str, size: str) -> str:
    icon, css, _label = METEO[rag]
    return format_html(
        '<span class="meteo {} {}" aria-hidden="true"><i class="bi {}"></i></span>', css, size, icon
    )


@lru_cache(maxsize=8)
def _words(language: str) -> dict:
    """Every label of a cell in `language` (the cache key; the active language is the one used)."""
    return {
        "cell": _("%(axis)s — declared: %(declared)s · indicated: %(indicated)s"),
        "watermelon": _("watermelon"),
        "axes": {axis: axis_label(axis) for axis in ("quality", "cost", "schedule", "risk", "overall")},
        "rags": {rag: rag_label(rag) for rag in METEO},
        # bare icons: the cell's title and its hidden text say both météos once
        "small": {rag: _icon(rag, "fs-small") for rag in METEO},
        "icons": {rag: _icon(rag, "") for rag in METEO},
        "trend": {
            "better": _("Better than the previous report"),
            "worse": _("Worse than the previous report"),
            "same": _("Same as the previous report"),
            "": _("No previous report to compare with"),
        },
    }


@register.simple_tag
def matrix_cell(axis: str, declared: str, indicated: str, watermelon: bool) -> str:
    """One axis of one project: the declared météo, then the indicated one, and the watermelon mark."""
    words = _words(get_language() or "fr")
    declared = declared if declared in METEO else "unknown"
    indicated = indicated if indicated in METEO else "unknown"
    title = words["cell"] % {
        "axis": words["axes"][axis],
        "declared": words["rags"][declared],
        "indicated": words["rags"][indicated],
    }
    css = "text-center qcdr-cell"
    mark = ""
    if watermelon:
        css += " watermelon-cell"
        title += f" · {words['watermelon']}"
        mark = WATERMELON_MARK
    if axis == "overall":
        css += " overall-cell"
    return format_html(
        '<td class="{}" title="{}"><span class="declared">{}</span>'
        '<span class="text-body-tertiary small" aria-hidden="true">›</span>'
        '<span class="indicated">{}</span>{}<span class="visually-hidden">{}</span></td>',
        css,
        title,
        words["small"][declared],
        words["icons"][indicated],
        mark,
        title,
    )


@register.simple_tag
def trend_icon(trend: str) -> str:
    """Better, worse or same overall indicated météo than the previous report; a dash without one."""
    words = _words(get_language() or "fr")
    label = words["trend"].get(trend, words["trend"][""])
    if trend not in TREND_ICONS:
        return format_html('<span class="text-body-tertiary" title="{}">—</span>', label)
    return format_html(
        '<i class="bi {} trend-{}" title="{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>',
        TREND_ICONS[trend],
        trend,
        label,
        label,
    )


@register.filter
def name_of(names: dict, pk) -> str:
    """`names[pk]`, or nothing: the portfolio of a matrix row in the consolidated view."""
    return names.get(pk, "") if names else ""
