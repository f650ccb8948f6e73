"""RELIABILITY row 14, the document part: the upload corpus (oversize, wrong magic bytes, .html/.svg,
zip bombs, path-traversal names) is refused with nothing written; accepted files are stored under
random names and served only by the authorised view, as attachments with a sanitised name."""

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pmo.core.uploads import MAX_BYTES, check_upload, sanitise_name
from projects.models import Document, DocumentVersion
from projects.services.documents import document_approve, document_upload
from tests.gates.conftest import PDF

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def docx(entries=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (entries or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def size_bomb() -> bytes:
    """A .docx whose document expands to 101 MB (about 100 kB compressed), written in a stream."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(101):
                entry.write(chunk)
    return buffer.getvalue()


ACCEPTED = [
    ("rapport.pdf", PDF, "application/pdf"),
    ("note.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("budget.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("schema.png", PNG, "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("notes.txt", "Compte rendu : décisions prises.\n".encode(), "text/plain"),
    ("export.csv", "code;montant\nerp;1 200\n".encode("cp1252"), "text/csv"),
]

REFUSED = [
    ("oversize", "gros.pdf", PDF + b"\x00" * MAX_BYTES, "size"),
    ("empty", "vide.pdf", b"", "empty"),
    ("png named pdf", "rapport.pdf", PNG, "mismatch"),
    ("text named pdf", "rapport.pdf", b"Bonjour, ceci n'est pas un PDF", "mismatch"),
    ("pdf named docx", "note.docx", PDF, "mismatch"),
    ("pdf named png", "image.png", PDF, "mismatch"),
    ("pdf named txt", "notes.txt", PDF, "mismatch"),
    ("html", "page.html", b"<html><script>alert(1)</script></html>", "type"),
    ("htm", "page.htm", b"<html></html>", "type"),
    ("svg", "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "type"),
    ("html named txt", "notes.txt", b"<!DOCTYPE html><html><body onload=alert(1)>", "active"),
    ("svg named csv", "data.csv", b"<svg onload=alert(1)>", "active"),
    ("exe", "outil.exe", b"MZ\x90\x00" + b"\x00" * 60, "type"),
    ("no extension", "rapport", PDF, "type"),
    ("binary named txt", "notes.txt", b"abc\x00def", "content"),
    ("zip bomb by size", "note.docx", size_bomb(), "content"),
    ("zip bomb by entries", "note.docx", docx({f"word/media/{i}.xml": "x" for i in range(1001)}), "content"),
    ("broken docx", "note.docx", docx()[:-30], "content"),
]


@pytest.mark.parametrize(("name", "data", "content_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_types_are_detected_from_their_content(name, data, content_type):
    checked = check_upload(name=name, data=data)
    assert checked.content_type == content_type and checked.size == len(data)


@pytest.mark.parametrize(("label", "name", "data", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_the_malicious_corpus_is_refused_fast(label, name, data, code):
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        check_upload(name=name, data=data)
    assert time.monotonic() - started < 2
    assert caught.value.code == code, (label, caught.value)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/var/www/../x.pdf", "x.pdf"),
        ("  .hidden.pdf", "hidden.pdf"),
        ('rapport "final"; <b>.pdf', "rapport final b.pdf"),
        ("Procès-verbal de recette.pdf", "Procès-verbal de recette.pdf"),
        ("a\x00b\r\nc.pdf", "abc.pdf"),
        ("...", "document"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_names_are_sanitised(raw, clean):
    assert sanitise_name(raw) == clean


def test_refused_uploads_write_nothing(world, a1, settings):
    before = DocumentVersion.objects.count()
    with pytest.raises(ValidationError) as caught:
        document_upload(actor=world.users["pm_a"], project=a1, name="page.html", data=b"<html>", title="X")
    assert "file" in caught.value.message_dict
    assert DocumentVersion.objects.count() == before and not Document.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_files_are_stored_under_random_names_and_every_version_is_kept(world, a1, settings):
    pm = world.users["pm_a"]
    first = document_upload(
        actor=pm, project=a1, name="../../etc/Note de cadrage.pdf", data=PDF, title="Note"
    )
    assert first.original_name == "Note de cadrage.pdf"
    assert "cadrage" not in first.file.name and ".." not in first.file.name
    assert first.file.name.startswith(f"documents/{a1.pk}/")
    document_approve(actor=world.users["sponsor"], document=first.document)
    second = document_upload(
        actor=pm, project=a1, name="note-v2.pdf", data=PDF + b"%v2", document=first.document
    )
    document = Document.objects.get(pk=first.document_id)
    assert (second.number, document.current_version_id, document.status) == (2, second.pk, "draft")
    assert document.approved_by is None
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert (settings.MEDIA_ROOT / first.file.name).read_bytes() == PDF


def test_download_is_an_attachment_for_readers_only(world, a1, client_for):
    version = document_upload(
        actor=world.users["pm_a"], project=a1, name='rapport "final".pdf', data=PDF, title="Rapport"
    )
    url = reverse("projects:document-download", args=[version.pk])
    response = client_for("team").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="rapport final.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert client_for("pm_b").get(url).status_code == 404
    assert client_for("anonymous").get(url).status_code == 302
    # the storage is never served directly
    for name in ("team", "pmo_a", "superuser"):
        assert client_for(name).get(f"/media/{version.file.name}").status_code == 404


def test_the_upload_page_refuses_with_the_reason_and_writes_nothing(world, a1, client_for):
    client = client_for("pm_a")
    url = reverse("projects:document-upload", args=[a1.pk])
    fake = SimpleUploadedFile("rapport.pdf", PNG, content_type="application/pdf")
    response = client.post(url, {"title": "Rapport", "file": fake}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "extension (.pdf)" in response.content.decode() or ".pdf" in response.content.decode()
    assert not Document.objects.exists()
    svg = SimpleUploadedFile("logo.svg", b"<svg/>", content_type="image/svg+xml")
    assert client.post(url, {"title": "Logo", "file": svg}).status_code == 422
    good = SimpleUploadedFile("cadrage.pdf", PDF, content_type="application/pdf")
    brief = a1.methodology.document_types.get(code="note-cadrage")
    response = client.post(
        url, {"document_type": brief.pk, "file": good, "comment": "V1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    document = Document.objects.get()
    assert (document.title, document.document_type, document.current_version.comment) == (
        "Note de cadrage",
        brief,
        "V1",
    )


def test_api_upload_and_new_version(world, a1):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.users["pm_a"])
    response = api.post(
        "/api/v1/documents/",
        {"project": a1.pk, "title": "PID", "file": SimpleUploadedFile("pid.pdf", PDF), "comment": "v1"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    document_id = response.json()["id"]
    upload = SimpleUploadedFile("pid.pdf", PNG)
    refused = api.post(f"/api/v1/documents/{document_id}/versions/", {"file": upload}, format="multipart")
    assert refused.status_code == 400 and "file" in refused.json()
    ok = api.post(
        f"/api/v1/documents/{document_id}/versions/",
        {"file": SimpleUploadedFile("pid.pdf", PDF)},
        format="multipart",
    )
    assert ok.status_code == 201 and [v["number"] for v in ok.json()["versions"]] == [2, 1]
    download = api.get(f"/api/v1/documents/{document_id}/download/?version=1")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
