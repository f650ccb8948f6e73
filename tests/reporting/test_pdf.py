"""What a PDF may read while WeasyPrint lays it out (reporting/pdf.py, RELIABILITY row 13): `data:`
URLs and the static files, nothing else: no other file of the server, no media, no network."""

import logging
from pathlib import Path

import pytest
from django.conf import settings
from weasyprint.urls import URLFetcher

from reporting import pdf

PIXEL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
FAVICON = Path(settings.BASE_DIR) / "static" / "favicon.svg"
ICONS_FONT = "/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2"


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the fetcher really opened (WeasyPrint's own fetch, past our checks)."""
    opened: list[str] = []
    real = URLFetcher.fetch

    def spy(self, url, headers=None):
        opened.append(url)
        return real(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", spy)
    return opened


@pytest.fixture
def media_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    document = settings.MEDIA_ROOT / "documents" / "contrat.svg"
    document.parent.mkdir(parents=True)
    document.write_text(FAVICON.read_text())
    return document


def refused(caplog) -> list[str]:
    return [
        r.getMessage().removeprefix("PDF resource refused: ")
        for r in caplog.records
        if r.name == "reporting.pdf"
    ]


def test_a_pdf_reads_data_urls_and_static_files_only(fetched, media_file, caplog):
    static = f"file://{settings.BASE_DIR}/static"
    hostile = [
        "file:///etc/passwd",
        "http://127.0.0.1:1/x",
        "https://example.com/logo.png",
        f"{static}/../../../../etc/passwd",
        f"{static}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../../etc/passwd",
        media_file.as_uri(),
        f"file://{settings.BASE_DIR}/manage.py",
        "file://evil.example.com/etc/passwd",
        "ftp://127.0.0.1:1/x",
    ]
    images = "".join(f'<img src="{url}" alt="">' for url in hostile)
    html = (
        "<html><head><style>"
        "@font-face { font-family: Leak; src: url(file:///etc/hostname); }"
        f"@font-face {{ font-family: Icons; src: url({ICONS_FONT}); }}"
        "body { background: url(http://127.0.0.1:1/bg.png); font-family: Leak, Icons, sans-serif; }"
        f"</style></head><body><p>Rapport</p>{images}"
        f'<img src="{PIXEL}" alt=""><img src="{FAVICON.as_uri()}" alt="">'
        '<img src="/static/favicon.svg" alt="">'
        "</body></html>"
    )

    with caplog.at_level(logging.WARNING, logger="reporting.pdf"):
        content, pages = pdf.html_to_pdf(html)

    assert content.startswith(b"%PDF") and pages >= 1
    # opened: the data: image, the favicon (by its file and by its static URL) and the vendor font;
    # nothing else, although WeasyPrint asked for every URL of the page
    favicon_uri = FAVICON.as_uri()
    font_uri = (Path(settings.BASE_DIR) / "static" / ICONS_FONT.removeprefix("/static/")).as_uri()
    assert sorted(fetched) == sorted([PIXEL, favicon_uri, favicon_uri, font_uri])
    # refused, as WeasyPrint resolved them (a relative `..` resolved against the base URL becomes
    # /etc/passwd; a URL refused once is not asked for again in the same document)
    assert set(refused(caplog)) == {
        "file:///etc/passwd",
        "file:///etc/hostname",
        "http://127.0.0.1:1/x",
        "http://127.0.0.1:1/bg.png",
        "https://example.com/logo.png",
        f"{static}/../../../../etc/passwd",
        f"{static}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        media_file.as_uri(),
        f"file://{settings.BASE_DIR}/manage.py",
        "file://evil.example.com/etc/passwd",
        "ftp://127.0.0.1:1/x",
    }


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (FAVICON.as_uri(), True),
        ("file:///static/favicon.svg", True),  # {% static %} resolved against no base: the finders
        (f"file://localhost{FAVICON}", True),
        (f"file://{settings.BASE_DIR}/static/vendor/bootstrap/bootstrap.min.css", True),
        (f"file://{settings.BASE_DIR}/static/./favicon.svg", True),
        (f"file://{settings.BASE_DIR}/static/", False),  # a directory
        (f"file://{settings.BASE_DIR}/static/nothing.css", False),  # no such file
        (f"file://{settings.BASE_DIR}/static/css/../favicon.svg", False),  # `..`, even inside
        (f"file://{settings.BASE_DIR}/static/css/%2E%2E/favicon.svg", False),
        (f"file://{settings.BASE_DIR}/pmo/settings/base.py", False),
        ("file:///static/../pmo/settings/base.py", False),
        ("file:///etc/passwd", False),
        ("file:///etc/passwd%00.svg", False),
        ("file://127.0.0.1/etc/passwd", False),
        ("file:relative.svg", False),
    ],
)
def test_allowed_file(url, allowed):
    assert (pdf.allowed_file(url) is not None) is allowed


def test_static_roots_are_the_static_directories():
    roots = pdf.static_roots()
    assert Path(settings.BASE_DIR) / "static" in roots
    assert Path(settings.STATIC_ROOT) in roots
    assert not any(Path(settings.MEDIA_ROOT).is_relative_to(root) for root in roots)
