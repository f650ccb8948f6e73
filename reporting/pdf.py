"""HTML → PDF with WeasyPrint, for every report kind (A4; the steering pack in landscape).

Templates extend `reporting/pdf/base.html` (fonts, page numbers, header and footer in CSS paged
media). Every PDF goes through `html_to_pdf`, whose URL fetcher reads `data:` URLs (the charts) and
files of the static directories only: not the network, not any other file of the server (a user's
text cannot become `<img src="file:///etc/passwd">`, but a bug in a template or in a chart's SVG
could), not the media (uploaded documents: no PDF shows one).
"""

import logging
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.translation import override

from reporting.generators import Rendered

logger = logging.getLogger(__name__)


def static_roots() -> list[Path]:
    """The directories the static files come from (the finders': STATICFILES_DIRS, the apps'
    static/) and go to (STATIC_ROOT): the only places a PDF may read a file (a stylesheet, a font,
    an image)."""
    roots = {Path(settings.STATIC_ROOT)} if settings.STATIC_ROOT else set()
    for finder in finders.get_finders():
        roots.update(Path(storage.location) for storage in getattr(finder, "storages", {}).values())
    return sorted(root.absolute() for root in roots)


def allowed_file(url: str) -> Path | None:
    """The file a `file:` URL names when it lies under a static root, or None.

    `/static/...` (a URL of `{% static %}`, which WeasyPrint makes `file:///static/...`) is looked
    up like the static files app does. Any `..` segment is refused rather than resolved, so the path
    checked is the path opened; the static directories' own symbolic links (vendor assets) are the
    deployment's and are followed."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    path = url2pathname(unquote(parts.path))
    if ".." in PurePosixPath(path).parts or "\x00" in path:
        return None
    if path.startswith(settings.STATIC_URL):
        try:
            found = finders.find(path.removeprefix(settings.STATIC_URL))
        except SuspiciousFileOperation:
            return None
        path = found if isinstance(found, str) else ""
    candidate = Path(path)
    if not candidate.is_absolute():
        return None
    for root in static_roots():
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def pdf_url_fetcher():
    """The URL fetcher of every PDF (WeasyPrint ≥ 70 takes a URLFetcher object): `data:` URLs and
    the static files; anything else is refused (WeasyPrint leaves the resource out and goes on)."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.partition(":")[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            path = allowed_file(url) if scheme == "file" else None
            if path is None:
                logger.warning("PDF resource refused: %s", url[:200])
                raise ValueError(f"PDF resources must be data: URLs or static files: {url[:200]}")
            return super().fetch(path.as_uri(), headers)

    return StaticOnlyFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, page count) of an HTML document."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=pdf_url_fetcher()).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(template_name: str, context: dict, *, filename: str) -> Rendered:
    """Render a template to HTML in French, then to PDF; the HTML is returned too (frozen snapshots)."""
    with override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    content, pages = html_to_pdf(html)
    return Rendered(content=content, filename=filename, page_count=pages, extra={"html": html})
