"""HTML → PDF with WeasyPrint, for every report kind (A4; the steering pack in landscape).

Templates extend `reporting/pdf/base.html` (fonts, page numbers, header and footer in CSS paged
media). Static files (CSS, images) are read from the local static directories, never from the
network: the URL fetcher refuses anything that is not a `file:` or `data:` URL.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import override

from reporting.generators import Rendered


def _local_only_fetcher(url: str, *args, **kwargs):
    from weasyprint import default_url_fetcher

    if url.startswith(("file:", "data:")):
        return default_url_fetcher(url, *args, **kwargs)
    if url.startswith(settings.STATIC_URL):
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        if path:
            return default_url_fetcher(Path(path).as_uri(), *args, **kwargs)
    raise ValueError(f"PDF resources must be local: {url}")


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, page count) of an HTML document."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_local_only_fetcher).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(template_name: str, context: dict, *, filename: str) -> Rendered:
    """Render a template to HTML in French, then to PDF; the HTML is returned too (frozen snapshots)."""
    with override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    content, pages = html_to_pdf(html)
    return Rendered(content=content, filename=filename, page_count=pages, extra={"html": html})
