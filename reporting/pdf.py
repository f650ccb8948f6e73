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


def _local_only_fetcher():
    """WeasyPrint (≥ 70) takes a URLFetcher object: this one reads file: and data: URLs and static
    files only; anything else (http...) fails."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(settings.STATIC_URL):
                path = finders.find(url.removeprefix(settings.STATIC_URL))
                if path:
                    url = Path(path).as_uri()
            if not url.startswith(("file:", "data:")):
                raise ValueError(f"PDF resources must be local: {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, page count) of an HTML document."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_local_only_fetcher()).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(template_name: str, context: dict, *, filename: str) -> Rendered:
    """Render a template to HTML in French, then to PDF; the HTML is returned too (frozen snapshots)."""
    with override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    content, pages = html_to_pdf(html)
    return Rendered(content=content, filename=filename, page_count=pages, extra={"html": html})
