"""RELIABILITY row 19 (atomic CSV/XLSX import, 10,000 rows) and the workbook part of row 14, with
real processes: the `import_tabular` command, a Celery worker killed with SIGKILL, its own Redis.

    .venv/bin/python -m reliability.tabular_import

19  1 bad row at row 9,999 of 10,000 → 0 rows written; 100 scattered bad rows → all 100 reported;
    a valid 10,000-row workbook → exactly 10,000 rows and 10,000 audit events, time and peak memory;
    the same file again → 0 duplicates; kill -9 of the worker applying it (paused half-way through
    its writes) → 0 rows; a new worker gets the message back (acks_late) → exactly 10,000 rows.
14  zip bomb, billion laughs, external entity, too many entries, wrong magic bytes, oversize and a
    1,000,000-row workbook (with and without a truthful <dimension>): each refused in < 2 s with a
    peak RSS < 200 MB.
Runs on the `<RELIABILITY_DB>_tabular` database (created, migrated, seeded with the demo).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from reliability import common

DB = f"{common.DEFAULT_DB}_tabular"
WORK = common.WORK / "tabular"
ROWS = 10_000
PORTFOLIO = "dsi-groupe"
failures: list[str] = []


def check(ok: bool, text: str) -> None:
    common.log(("ok   " if ok else "FAIL ") + text)
    if not ok:
        failures.append(text)


def command(path: Path, *extra: str, **env: str) -> dict:
    """`manage.py import_tabular` in a child process: its JSON figures."""
    result = subprocess.run(
        [
            common.PY,
            "manage.py",
            "import_tabular",
            str(path),
            "--user",
            "pmo",
            "--portfolio",
            PORTFOLIO,
            *extra,
        ],
        cwd=common.ROOT,
        env=common.app_env(DB, **env),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Files --------------------------------------------------------------------------------------


def risk_workbook(path: Path, *, project: str, prefix: str, bad: set[int] = frozenset()) -> Path:
    from openpyxl import Workbook

    from projects.tabular.specs import SPECS

    spec = SPECS["risks"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(spec.title)
    sheet.append([c.header for c in spec.columns])
    index = {c.field: i for i, c in enumerate(spec.columns)}
    for number in range(2, ROWS + 2):
        row = [None] * len(spec.columns)
        row[index["project"]] = project
        row[index["title"]] = f"{prefix} {number:05d}"
        row[index["probability"]] = 9 if number in bad else 1 + number % 5
        row[index["impact"]] = 3
        row[index["cause"]] = "Cause détaillée du risque, telle qu'on la trouve dans un registre réel."
        sheet.append(row)
    book.save(path)
    return path


def _zip(path: Path, entries: dict[str, bytes], stored=()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if name in stored else None)
    return path


def _base_entries() -> dict[str, bytes]:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Risques"
    book.active.append(["Code projet", "Titre", "Probabilité (1-5)", "Impact (1-5)"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    return {info.filename: source.read(info) for info in source.infolist()}


def million_rows(path: Path, *, dimension: bool) -> Path:
    """A 1,000,001-row sheet streamed into the zip (never held in memory)."""
    entries = _base_entries()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            if dimension:
                part.write(b'<dimension ref="A1:D1000001"/>')
            part.write(
                b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Code projet</t></is></c>'
                b'<c r="B1" t="inlineStr"><is><t>Titre</t></is></c></row>'
            )
            chunk = []
            for number in range(2, 1_000_002):
                chunk.append(b'<row r="%d"><c r="B%d"><v>%d</v></c></row>' % (number, number, number))
                if len(chunk) == 10_000:
                    part.write(b"".join(chunk))
                    chunk = []
            part.write(b"".join(chunk) + b"</sheetData></worksheet>")
    return path


def malicious_corpus() -> dict[str, Path]:
    base = _base_entries()
    sheet = "xl/worksheets/sheet1.xml"
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;">'
            % ((i,) + (b"" if i == 1 else b"%d" % (i - 1),) * 10)
            for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'
    )
    many = dict(base)
    many.update({f"xl/media/image{i}.png": b"" for i in range(1001)})
    return {
        "zip bomb (200 MB declared)": _zip(
            WORK / "bomb.xlsx", {**base, sheet: b"<a>" + b"0" * (200 * 1024**2) + b"</a>"}
        ),
        "ratio bomb (60 MB of zeros)": _zip(
            WORK / "ratio.xlsx", {**base, sheet: b"<a>" + b"0" * (60 * 1024**2) + b"</a>"}
        ),
        "billion laughs": _zip(WORK / "laughs.xlsx", {**base, sheet: laughs}),
        "external entity": _zip(WORK / "xxe.xlsx", {**base, sheet: xxe}),
        "1,001 zip entries": _zip(WORK / "entries.xlsx", many, stored=set(many)),
        "wrong magic bytes (PDF named .xlsx)": _write(WORK / "pdf.xlsx", b"%PDF-1.7\n" + os.urandom(4096)),
        "Excel 97 (.xls)": _write(WORK / "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)),
        "oversize (21 MB)": _write(WORK / "big.csv", b"a;b\n" * (21 * 1024 * 1024 // 4)),
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- Checks ---------------------------------------------------------------------------------------


def row_14() -> None:
    corpus = malicious_corpus()
    corpus["1,000,000 rows, truthful dimension"] = million_rows(WORK / "million.xlsx", dimension=True)
    corpus["1,000,000 rows, no dimension"] = million_rows(WORK / "million-nodim.xlsx", dimension=False)
    worst_seconds = worst_rss = 0.0
    for name, path in corpus.items():
        figures = command(path)
        worst_seconds = max(worst_seconds, figures["seconds"])
        worst_rss = max(worst_rss, figures["peak_rss_mb"])
        check(
            figures["state"] == "refused" and figures["seconds"] < 2 and figures["peak_rss_mb"] < 200,
            f"{name} ({path.stat().st_size // 1024} KB): {figures['state']} in {figures['seconds']} s, "
            f"RSS {figures['peak_rss_mb']} MB – {figures.get('message', '')}",
        )
    common.figure(
        14,
        f"{len(corpus)} malicious/oversized workbooks: {len(corpus) - len(failures)} refused; slowest "
        f"{worst_seconds:.2f} s, peak RSS ≤ {worst_rss:.0f} MB",
    )


def row_19_command() -> tuple[dict, float]:
    import django

    django.setup()
    from projects.models import Project, Risk
    from tests.tabular.conftest import event_model

    project = Project.objects.filter(portfolio__code=PORTFOLIO).order_by("code").first().code
    bad_one = risk_workbook(WORK / "bad-9999.xlsx", project=project, prefix="Un", bad={9_999})
    figures = command(bad_one, "--apply")
    check(
        figures["state"] == "invalid"
        and figures["error_count"] == 1
        and figures["errors"][0]["row"] == 9_999
        and not Risk.objects.filter(title__startswith="Un ").exists(),
        f"1 bad row at row 9,999: {figures['error_count']} error at row {figures['errors'][0]['row']}, "
        f"{Risk.objects.filter(title__startswith='Un ').count()} rows written",
    )
    scattered = set(range(2, ROWS + 2, 100))
    scattered = set(sorted(scattered)[:100])
    figures = command(
        risk_workbook(WORK / "bad-100.xlsx", project=project, prefix="Cent", bad=scattered), "--apply"
    )
    check(figures["error_count"] == 100, f"100 scattered bad rows: {figures['error_count']} reported")

    valid = risk_workbook(WORK / "valid.xlsx", project=project, prefix="Valide", bad=set())
    since = event_model(Risk).objects.order_by("-pgh_id").values_list("pgh_id", flat=True).first() or 0
    figures = command(valid, "--apply")
    rows = Risk.objects.filter(title__startswith="Valide ").count()
    events = event_model(Risk).objects.filter(pgh_id__gt=since, pgh_label="insert").count()
    seconds = figures["seconds"]
    check(rows == ROWS and events == ROWS, f"valid file: {rows} rows, {events} audit events")
    check(
        seconds <= 60,
        f"10,000 rows in {seconds} s (read {figures['seconds_read']} s, check "
        f"{figures['seconds_check']} s, write {figures['seconds_apply']} s), "
        f"peak RSS {figures['peak_rss_mb']} MB",
    )
    again = command(valid, "--apply")
    after = Risk.objects.filter(title__startswith="Valide ").count()
    check(
        after == ROWS and again["totals"]["unchanged"] == ROWS, f"same file again: {after - ROWS} duplicates"
    )
    return figures, seconds


def row_19_kill(redis_server) -> str:
    from django.conf import settings  # noqa: F401 (django is set up)

    from pmo.core.models import User
    from portfolio.models import Portfolio
    from projects.models import Project, Risk, TabularImport
    from projects.tabular import services
    from reliability.celery_faults import Celery

    project = Project.objects.filter(portfolio__code=PORTFOLIO).order_by("code").first().code
    data = risk_workbook(WORK / "kill.xlsx", project=project, prefix="Tué", bad=set()).read_bytes()
    env = common.app_env(
        DB, REDIS_URL=redis_server.url, DJANGO_SETTINGS_MODULE="reliability.settings_tabular"
    )
    log = WORK / "worker.log"
    worker = Celery("worker", env, log, "tabular1").start()
    worker.wait_ready()
    try:
        from django.db import transaction

        with transaction.atomic():
            job = services.tabular_import_upload(
                actor=User.objects.get(username="pmo"),
                portfolio=Portfolio.objects.get(code=PORTFOLIO),
                filename="kill.xlsx",
                data=data,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.state not in ("queued", "validating"):
                break
            time.sleep(0.5)
        check(job.state == "ready", f"kill drill: the worker checked the file ({job.state})")
        services.confirm(actor=job.created_by, job=job)
        deadline = time.monotonic() + 120
        step = ""
        while time.monotonic() < deadline:
            step = services.progress_of(TabularImport.objects.get(pk=job.pk)).get("step", "")
            if "paused" in step:
                break
            time.sleep(0.2)
        check("paused" in step, f"kill drill: the worker is half-way through the writes ({step})")
        worker.kill_all()  # SIGKILL to the whole worker (parent and child): nothing acks the message
        time.sleep(1)
        written = Risk.objects.filter(title__startswith="Tué ").count()
        check(written == 0, f"SIGKILL of the worker mid-way: {written} rows written")
        # a fresh worker without the pause: the message comes back after the visibility timeout
        env_again = {**env, "DJANGO_SETTINGS_MODULE": "reliability.settings_faults"}
        worker = Celery("worker", env_again, log, "tabular2").start()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.state == "applied":
                break
            time.sleep(1)
        after = Risk.objects.filter(title__startswith="Tué ").count()
        check(
            job.state == "applied" and after == ROWS,
            f"redelivered to a new worker: {job.state}, {after} rows",
        )
        return f"kill -9 mid-way → {written} rows; redelivered → {after} rows (exactly once)"
    finally:
        worker.kill_all()


def main() -> int:
    from reliability.celery_faults import RedisServer

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    common.log(f"preparing {DB} (from scratch: the counts below start at zero)")
    common.drop_database(DB)
    common.prepare_database(DB)
    redis_server = RedisServer(WORK)
    redis_server.start()
    try:
        common.setup_django(DB, REDIS_URL=redis_server.url)
        row_14()
        figures, seconds = row_19_command()
        kill = row_19_kill(redis_server)
    finally:
        redis_server.stop()
    common.figure(
        19,
        f"10,000-row workbook: {seconds} s, peak RSS {figures['peak_rss_mb']} MB; 1 bad row → 0 written; "
        f"100 bad rows → 100 reported; re-import → 0 duplicates; {kill}",
    )
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
