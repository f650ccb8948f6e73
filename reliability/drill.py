"""RELIABILITY row 21: backup/restore drill under concurrent write load.

    .venv/bin/python -m reliability.drill [--writers 6]

1. `pmo_reliability` is created and seeded; a media directory gets a few files.
2. Writer threads change the database through the services the whole time (risks created, costs
   added, projects edited).
3. A REPEATABLE READ transaction exports its snapshot; pg_dump runs on that very snapshot
   (`--snapshot`), and the same transaction records every table's row count and the md5 of its
   rows in order: the figures the dump must give back.
4. The backup (reliability.backup) is restored into a fresh database while the writers go on.
5. The restored copy must match the snapshot table by table, `manage.py migrate --check` must be
   clean, the media must be byte-identical, and the smoke test (reliability.smoke) must pass.
   RTO = from the start of the restore to the smoke test passing.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from reliability import backup, common

RESTORED = "pmo_reliability_restored"


def table_checksums(connection) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the rows in text order, per table of the public schema."""
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    ]
    result = {}
    for table in tables:
        rows = "string_agg(t::text, '|' ORDER BY t::text)"
        result[table] = tuple(
            connection.execute(f"SELECT count(*), md5(coalesce({rows}, '')) FROM \"{table}\" t").fetchone()
        )
    return result


class WriteLoad:
    """Threads writing through the services until stopped; counts the writes."""

    def __init__(self, writers: int):
        self.writers = writers
        self.stop = threading.Event()
        self.writes = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def __enter__(self) -> WriteLoad:
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from projects.models import CostLine, Project

        self.actor = get_user_model().objects.get(username="pmo")
        self.project_ids = list(Project.objects.filter(archived_at__isnull=True).values_list("pk", flat=True))
        month = timezone.localdate().replace(day=1)
        self.line_ids = list(CostLine.objects.filter(month__lte=month).values_list("pk", flat=True)[:200])
        for number in range(self.writers):
            thread = threading.Thread(target=self.run, args=(number,))
            thread.start()
            self.threads.append(thread)
        return self

    def run(self, number: int) -> None:
        from decimal import Decimal

        from django.db import connection

        from pmo.core.locking import StaleVersionError
        from projects import services
        from projects.models import CostLine, Project, Risk

        rng = random.Random(number)
        try:
            while not self.stop.is_set():
                choice = rng.random()
                try:
                    if choice < 0.4:
                        line = CostLine(pk=rng.choice(self.line_ids))
                        services.cost_line_add_actual(actor=self.actor, line=line, amount=Decimal("12.34"))
                    elif choice < 0.7:
                        project = Project.objects.get(pk=rng.choice(self.project_ids))
                        services.record_create(
                            actor=self.actor,
                            model=Risk,
                            project=project,
                            data={"title": f"Exercice {number}-{self.writes}", "probability": 2, "impact": 3},
                        )
                    else:
                        project = Project.objects.get(pk=rng.choice(self.project_ids))
                        services.project_update(
                            actor=self.actor,
                            project=project,
                            version=project.version,
                            data={"description": f"Exercice de restauration {time.time()}"},
                        )
                except StaleVersionError:
                    continue
                with self.lock:
                    self.writes += 1
        except Exception as error:  # noqa: BLE001 - reported
            self.errors.append(repr(error))
        finally:
            connection.close()

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def media_digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--db", default=common.DEFAULT_DB)
    args = parser.parse_args(argv)

    common.log(f"preparing {args.db}")
    common.prepare_database(args.db)
    common.setup_django(args.db)
    work = Path(tempfile.mkdtemp(prefix="pmo-drill-"))
    media = common.MEDIA  # the report files of the scratch database, and a few more pieces
    for number in range(20):
        path = media / "drill" / f"piece-{number:02d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(random.randbytes(10_000 + number * 997))
    # Scratch hygiene: report runs whose file is not in this media directory (left by an older
    # layout) would make the restored copy look inconsistent.
    from reporting.models import ReportRun

    missing = [run.pk for run in ReportRun.objects.exclude(file="") if not (media / run.file.name).exists()]
    common.drop_runs(ReportRun.objects.filter(pk__in=missing))
    common.drop_database(RESTORED)
    db = backup.database_from_url(common.db_url(args.db))
    problems: list[str] = []

    with WriteLoad(args.writers) as load:
        time.sleep(3)  # the writers are busy before the snapshot
        with common.pg_connect(args.db) as snapshot_connection:
            # autocommit connection: the explicit BEGIN is what sets the isolation level.
            snapshot_connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = snapshot_connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            writes_at_snapshot = load.writes
            dumped = {}
            dump = threading.Thread(
                target=lambda: dumped.update(
                    path=backup.backup(db=db, media_root=media, into=work / "backup", snapshot=snapshot)
                )
            )
            dump.start()
            expected = table_checksums(snapshot_connection)
            dump.join()
            snapshot_connection.execute("ROLLBACK")
        writes_at_dump = load.writes
        common.log(f"dumped with {writes_at_dump} writes so far; restoring under load")
        started = time.monotonic()
        timings = backup.restore(
            source=dumped["path"], db={**db, "name": RESTORED}, media_dir=work / "restored"
        )
        with common.pg_connect(RESTORED) as restored_connection:
            restored = table_checksums(restored_connection)
        writes_total = load.writes
    if load.errors:
        problems.append(f"write load errors: {load.errors[:3]}")
    mismatched = sorted(t for t in expected if restored.get(t) != expected[t])
    if mismatched or set(restored) != set(expected):
        problems.append(f"tables differing from the snapshot: {mismatched[:10]}")
    with common.pg_connect(args.db) as live_connection:
        live = table_checksums(live_connection)
    moved_on = sorted(t for t in expected if live.get(t) != expected[t])
    if not moved_on:
        problems.append("the live database did not change after the snapshot: no write load?")
    check = common.manage(RESTORED, "migrate", "--check", check=False, quiet=True)
    if check.returncode != 0:
        problems.append("migrate --check on the restored copy is not clean")
    if media_digest(work / "restored") != media_digest(media):
        problems.append("restored media differ")
    smoke = subprocess.run(
        [common.PY, "-m", "reliability.smoke", "--db", RESTORED, "--media", str(work / "restored")],
        cwd=common.ROOT,
        capture_output=True,
        text=True,
    )
    rto = time.monotonic() - started
    if smoke.returncode != 0:
        problems.append(f"smoke test on the restored copy: {smoke.stderr.strip()[-500:]}")
    rows = sum(count for count, _ in expected.values())
    size = sum(f.stat().st_size for f in (work / "backup").iterdir()) / 1e6
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    matching = len(expected) - len(mismatched)
    common.figure(
        21,
        f"{'PASS' if not problems else 'FAIL'} dump of {len(expected)} tables / {rows} rows "
        f"({size:.1f} MB) under load ({writes_at_snapshot} writes before the snapshot, {writes_total} "
        f"by the end, {len(moved_on)} tables moved on): restore exit 0, {matching}/{len(expected)} "
        f"tables match count+md5, migrate --check clean={check.returncode == 0}, media identical, "
        f"smoke {'green' if smoke.returncode == 0 else 'red'}; RTO {rto:.1f} s "
        f"(database {timings['database_seconds']:.1f} s)",
    )
    if not problems:
        shutil.rmtree(work)
        common.drop_database(RESTORED)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
