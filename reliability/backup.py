"""Backups: `make backup` and `make restore BACKUP=...` (RELIABILITY row 21).

    .venv/bin/python -m reliability.backup backup [--database NAME] [--media DIR] [--into DIR]
    .venv/bin/python -m reliability.backup restore backups/<timestamp> [--database NAME] [--media DIR]

A backup is a directory `backups/<UTC timestamp>/` (git-ignored) with `db.dump` (pg_dump custom
format, consistent even while the application writes), `media.tar.gz` (MEDIA_ROOT) and
`manifest.json` (source, sizes, SHA-256 of both files). A restore checks the SHA-256s, creates a
fresh database (it refuses an existing one), runs `pg_restore --single-transaction
--exit-on-error` (all or nothing: a failed restore drops the half-made database) and unpacks the
media into a new directory. It prints the DATABASE_URL and MEDIA_ROOT to switch to.

Defaults come from DATABASE_URL and the settings' MEDIA_ROOT, like the application's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKUPS = ROOT / "backups"


def database_from_url(url: str | None = None) -> dict:
    import environ

    config = environ.Env.db_url_config(
        url or os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pmo")
    )
    return {
        "name": config["NAME"],
        "host": config.get("HOST") or "127.0.0.1",
        "port": str(config.get("PORT") or 5432),
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or "",
    }


def default_media_root() -> Path:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.local")
    from django.conf import settings

    return Path(settings.MEDIA_ROOT)


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db["password"]:
        env["PGPASSWORD"] = db["password"]
    return env


def _pg_args(db: dict) -> list[str]:
    return ["-h", db["host"], "-p", db["port"], "-U", db["user"], "--no-password"]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(*, db: dict, media_root: Path, into: Path | None = None, snapshot: str | None = None) -> Path:
    """Dump the database and pack the media; returns the backup directory."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = into or BACKUPS / stamp
    target.mkdir(parents=True, exist_ok=False)
    started = time.monotonic()
    dump = target / "db.dump"
    command = ["pg_dump", "-Fc", "-f", str(dump), *_pg_args(db), "-d", db["name"]]
    if snapshot:
        command.insert(1, f"--snapshot={snapshot}")
    subprocess.run(command, check=True, env=_pg_env(db))
    media = target / "media.tar.gz"
    with tarfile.open(media, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
    manifest = {
        "created_at": stamp,
        "database": db["name"],
        "media_root": str(media_root),
        "pg_dump": subprocess.run(["pg_dump", "--version"], capture_output=True, text=True).stdout.strip(),
        "snapshot": snapshot,
        "files": {
            name: {"bytes": (target / name).stat().st_size, "sha256": sha256(target / name)}
            for name in ("db.dump", "media.tar.gz")
        },
        "seconds": round(time.monotonic() - started, 2),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def _connect(db: dict):
    import psycopg

    return psycopg.connect(
        host=db["host"],
        port=db["port"],
        user=db["user"],
        password=db["password"] or None,
        dbname="postgres",
        autocommit=True,
    )


def restore(*, source: Path, db: dict, media_dir: Path) -> dict:
    """Restore `source` into the fresh database `db['name']` and `media_dir`; returns timings."""
    from psycopg import sql

    started = time.monotonic()
    manifest = json.loads((source / "manifest.json").read_text())
    for name, expected in manifest["files"].items():
        if sha256(source / name) != expected["sha256"]:
            raise SystemExit(f"{source / name}: SHA-256 differs from the manifest, refusing to restore.")
    with _connect(db) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["name"]]).fetchone():
            raise SystemExit(f"Database {db['name']} exists: restore only into a fresh database.")
    if media_dir.exists() and any(media_dir.iterdir()):
        raise SystemExit(f"{media_dir} is not empty: restore the media into a new directory.")
    # The database and the application role (the dump grants it its rights), as for a new install.
    subprocess.run(
        [sys.executable, str(ROOT / "bin" / "ensure-database")],
        check=True,
        env={**os.environ, "DATABASE_URL": url_of(db)},
        stdout=subprocess.DEVNULL,
    )
    result = subprocess.run(
        [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            *_pg_args(db),
            "-d",
            db["name"],
            str(source / "db.dump"),
        ],
        env=_pg_env(db),
    )
    if result.returncode != 0:
        with _connect(db) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db["name"])))
        raise SystemExit(f"pg_restore failed (exit {result.returncode}); {db['name']} dropped.")
    database_seconds = time.monotonic() - started
    media_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
        archive.extractall(media_dir, filter="data")  # refuses absolute paths and ../ members
    return {"database_seconds": database_seconds, "seconds": time.monotonic() - started}


def url_of(db: dict) -> str:
    auth = db["user"] + (f":{db['password']}" if db["password"] else "")
    return f"postgres://{auth}@{db['host']}:{db['port']}/{db['name']}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Back up or restore the database and the media.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup")
    make.add_argument("--database", help="database name (default: DATABASE_URL's)")
    make.add_argument("--media", type=Path, help="media directory (default: settings.MEDIA_ROOT)")
    make.add_argument("--into", type=Path, help="backup directory (default: backups/<timestamp>)")
    back = commands.add_parser("restore")
    back.add_argument("backup", type=Path)
    back.add_argument("--database", help="fresh database to create (default: <source>_restored_<stamp>)")
    back.add_argument("--media", type=Path, help="new media directory (default: <backup>/media)")
    args = parser.parse_args(argv)

    db = database_from_url()
    if args.command == "backup":
        if args.database:
            db["name"] = args.database
        target = backup(db=db, media_root=args.media or default_media_root(), into=args.into)
        manifest = json.loads((target / "manifest.json").read_text())
        sizes = ", ".join(f"{name} {info['bytes'] / 1e6:.1f} MB" for name, info in manifest["files"].items())
        where = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(f"Backup of {db['name']} in {where}: {sizes} ({manifest['seconds']} s).")
        return 0
    source = args.backup.resolve()
    manifest = json.loads((source / "manifest.json").read_text())
    db["name"] = args.database or f"{manifest['database']}_restored_{manifest['created_at'][:15].lower()}"
    media_dir = (args.media or source / "media").resolve()
    timings = restore(source=source, db=db, media_dir=media_dir)
    print(f"Restored {source.name} into {db['name']} in {timings['seconds']:.1f} s. Switch with:")
    print(f"  DATABASE_URL={url_of(db)} MEDIA_ROOT={media_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
