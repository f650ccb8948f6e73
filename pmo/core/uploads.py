"""What an uploaded document may be: checked on its content, not on what its name claims.

Accepted: PDF, Office Open XML (docx, xlsx, pptx), OpenDocument (odt, ods), PNG, JPEG, plain text
and CSV; at most 20 MB; the extension must agree with the content (a PNG named `.pdf` is refused);
active content (HTML, SVG, scripts) is refused whatever its name. Zip-based formats are checked for
their uncompressed size and entry count before anything opens them (zip bombs). The original name is
only kept, sanitised, to name the download: files are stored under random names.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000

# extension → MIME type the content must be detected as
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
    "csv": "text/csv",
}
TEXT_EXTENSIONS = {"txt", "csv"}
ZIP_BASED = {"docx", "xlsx", "pptx", "odt", "ods"}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)
ACTIVE_MARKERS = (b"<html", b"<!doctype", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    name: str
    content_type: str
    size: int
    sha256: str


def sanitise_name(name: str) -> str:
    """The last path component, NFKC-normalised, reduced to letters, digits, spaces, dots, dashes and
    underscores; never empty, never hidden, at most 150 characters (the extension kept)."""
    name = unicodedata.normalize("NFKC", name or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] in "LN" or ch in " .-_")
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name)
    if not name:
        name = "document"
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 10:
        return f"{stem[: 150 - len(ext) - 1]}.{ext}" if stem else f"document.{ext}"
    return name[:150]


def extension_of(name: str) -> str:
    _stem, dot, ext = (name or "").rpartition(".")
    return ext.lower() if dot else ""


def _looks_active(head: bytes) -> bool:
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return any(marker in lowered[:1024] for marker in ACTIVE_MARKERS)


def _check_text(data: bytes) -> None:
    if b"\x00" in data:
        raise ValidationError(_("This file is not a text file."), code="content")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationError(_("This file is not a text file."), code="content") from None


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(_("This file is damaged."), code="content") from None
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED:
        raise ValidationError(_("This file expands to more than its limits allow."), code="content")


def check_upload(*, name: str, data: bytes) -> CheckedUpload:
    """Validate an upload (size, type by content agreeing with the extension); ValidationError with
    a message naming what is wrong otherwise."""
    size = len(data)
    if size > MAX_BYTES:
        raise ValidationError(
            _("The file exceeds the maximum size of %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)},
            code="size",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    clean_name = sanitise_name(name)
    ext = extension_of(clean_name)
    if ext not in ALLOWED:
        raise ValidationError(
            _("Files of this type are not accepted (allowed: %(allowed)s).")
            % {"allowed": ", ".join(sorted(set(ALLOWED)))},
            code="type",
        )
    kind = filetype.guess(data[:8192] if ext not in ZIP_BASED else data)
    if ext in TEXT_EXTENSIONS:
        if _looks_active(data[:2048]):
            raise ValidationError(_("Web pages, SVG images and scripts are not accepted."), code="active")
        if kind is not None:
            raise ValidationError(
                _("The content of this file is not what its extension (.%(ext)s) claims.") % {"ext": ext},
                code="mismatch",
            )
        _check_text(data)
    elif kind is None or kind.mime != ALLOWED[ext]:
        raise ValidationError(
            _("The content of this file is not what its extension (.%(ext)s) claims.") % {"ext": ext},
            code="mismatch",
        )
    if ext in ZIP_BASED:
        _check_zip(data)
    return CheckedUpload(
        data=data,
        name=clean_name,
        content_type=ALLOWED[ext],
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def read_limited(upload) -> bytes:
    """Read an UploadedFile, refusing one larger than the limit before reading it whole."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file exceeds the maximum size of %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)},
            code="size",
        )
    upload.seek(0)
    return upload.read(MAX_BYTES + 1)
