"""Stored XSS through an uploaded schedule (RELIABILITY row 13): the preview of a schedule import
shows task and WBS names read from the file, before anything is written to a model, so the corpus
of test_xss.py (which writes models) cannot reach it. Here the payloads travel in the files
themselves, MS Project XML and Primavera XER, through upload, preview (page and HTMX), apply and
the project's milestones tab: 0 unescaped or evaluated, and the escaped payloads are shown."""

from xml.sax.saxutils import escape as xml_escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from projects.models import Milestone, ScheduleImport
from tests.imports.helpers import milestone, mspdi, phase, sample
from tests.security import corpus

pytestmark = pytest.mark.django_db


def _pages(client, response, project) -> list[str]:
    """The preview (page and HTMX request), then after apply the project's milestones tab."""
    assert response.status_code == 302, response.content[:500]
    preview = response["Location"]
    bodies = [
        client.get(preview).content.decode(),
        client.get(preview, HTTP_HX_REQUEST="true").content.decode(),
    ]
    pending = ScheduleImport.objects.get()
    done = client.post(reverse("projects:schedule-import-apply", args=[pending.pk]))
    assert done.status_code == 302
    project = project or Milestone.objects.latest("pk").project
    bodies.append(client.get(reverse("projects:milestones-partial", args=[project.pk])).content.decode())
    return bodies


def _check(bodies: list[str], expected_milestones: int) -> None:
    findings = [finding for body in bodies for finding in corpus.findings(body)]
    shown = sum(body.count(escape(corpus.SCRIPT)) for body in bodies)
    print(
        f"\nRELIABILITY row 13 (imports): {len(bodies)} pages, {shown} escaped <script>, "
        f"{len(findings)} findings"
    )
    assert not findings, findings[:10]
    assert shown >= 2, "the payloads never reached the pages: the test proves nothing"
    names = list(Milestone.objects.values_list("name", flat=True))
    assert len(names) == expected_milestones and all("#" in name or "<" in name for name in names), names


def test_ms_project_task_names_are_escaped_in_the_preview_and_after_apply(world, client_for):
    tasks = [phase(1, xml_escape(corpus.FULL))]
    for n, payload in enumerate(corpus.PAYLOADS, start=2):
        tasks.append(
            milestone(n, xml_escape(f"#{n} {payload}"), f"2026-0{n % 9 + 1}-02", baseline="2026-02-23")
        )
    upload = SimpleUploadedFile("plan.xml", mspdi(*tasks), content_type="application/octet-stream")
    client = client_for("pm_a")

    response = client.post(
        reverse("projects:schedule-import", args=[world.a1.pk]), {"file": upload, "cost_category": "opex"}
    )

    _check(_pages(client, response, world.a1), expected_milestones=len(corpus.PAYLOADS))


def test_primavera_task_and_wbs_names_are_escaped_in_the_preview_and_after_apply(world, client_for):
    lines = sample("p6-small.xer").decode("cp1252").splitlines()
    fields: dict[str, list[str]] = {}
    table = ""
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if cells[0] == "%T":
            table = cells[1]
        elif cells[0] == "%F":
            fields[table] = cells[1:]
        elif cells[0] == "%R" and table in ("TASK", "PROJWBS"):
            name = "task_name" if table == "TASK" else "wbs_name"
            cells[fields[table].index(name) + 1] = f"#{i} {corpus.FULL}"
            if table == "TASK":  # the small sample has no milestone: its activities become ones
                cells[fields[table].index("task_type") + 1] = "TT_Mile"
            lines[i] = "\t".join(cells)
    data = "\n".join(lines).encode("cp1252", errors="replace")
    client = client_for("pm_a")

    response = client.post(
        reverse("projects:schedule-import", args=[world.a1.pk]),
        {"file": SimpleUploadedFile("plan.xer", data), "cost_category": "opex"},
    )

    _check(_pages(client, response, world.a1), expected_milestones=Milestone.objects.count())
    assert Milestone.objects.exists()
