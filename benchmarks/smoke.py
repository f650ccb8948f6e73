"""`make bench-smoke` (part of `make test`): every operation of the registry at two small data sizes.

Fails (exit 1) when an operation's query count differs between the sizes (it grows with the data),
exceeds its budget (15), answers an unexpected status, when an SQL floor no longer runs, or when a
write operation does not restore the database. Runs in-process with Django's test client and the
same registry, sessions and writers as `make bench`, in well under a minute.

Databases: pmo_bench_smoke_base (migrated once, kept as a template) and one clone per size, named
after this process so that concurrent runs never collide with each other or with pytest's test_*.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import environ
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 40)  # benchmark projects (the demo users, no demo projects)
SMOKE_MANAGERS = 5  # so that "Mes projets" grows with the data too
BASE = "pmo_bench_smoke_base"
LOCK = 7_311_011  # pg_advisory_lock key: one migration / clone of the template at a time


def _server_url() -> dict:
    url = os.environ.get("BENCH_SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return environ.Env.db_url_config(url)


def _url_for(name: str) -> str:
    cfg = _server_url()
    auth = cfg.get("USER") or "postgres"
    if cfg.get("PASSWORD"):
        auth += f":{cfg['PASSWORD']}"
    return f"postgres://{auth}@{cfg.get('HOST') or '127.0.0.1'}:{cfg.get('PORT') or 5432}/{name}"


def _admin() -> psycopg.Connection:
    cfg = _server_url()
    return psycopg.connect(
        host=cfg.get("HOST") or "127.0.0.1",
        port=cfg.get("PORT") or 5432,
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _env(name: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "pmo.settings.bench"
    # the smoke guards what a build reads: no dashboard kept from the request before
    env["DASHBOARD_CACHE_SIZE"] = "0"
    env["DATABASE_URL"] = _url_for(name)
    return env


def _migrations_fingerprint() -> str:
    """Names, sizes and times of every migration file and of the lock file: when none changed, the
    template is migrated already and `migrate` (10 s of start-up) is skipped."""
    files = sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("pmo/*/migrations/*.py"))
    files.append(ROOT / "requirements.lock")
    text = "\n".join(f"{f.relative_to(ROOT)} {f.stat().st_size} {f.stat().st_mtime_ns}" for f in files)
    return hashlib.sha256(text.encode()).hexdigest()


def _prepare_clones(names: list[str]) -> None:
    """Migrate the template (a no-op when up to date) and clone it once per size."""
    with _admin() as admin:
        admin.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BASE]).fetchone()
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BASE)))
            fingerprint = _migrations_fingerprint()
            row = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [BASE]
            ).fetchone()
            if row[0] != fingerprint:  # a migration file (or the lock file) changed since
                subprocess.run(
                    [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
                    cwd=ROOT,
                    env=_env(BASE),
                    check=True,
                )
                admin.execute(
                    sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                        sql.Identifier(BASE), sql.Literal(fingerprint)
                    )
                )
            for name in names:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(BASE)
                    )
                )
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", [LOCK])


def _drop(names: list[str]) -> None:
    with _admin() as admin:
        for name in names:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- One size, in a child process (its own database and Django set-up) --------------------------


def _seed(size: int) -> None:
    """The demo users and the benchmark structure with `size` projects and their two-year history,
    then room for the weekly form: three running projects lose this week's report."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from benchmarks.writers import delete_reports
    from pmo.core.audit import audit_context
    from pmo.core.periods import week_start
    from portfolio.seed import seed_large_structure, seed_structure
    from projects.models import Project, StatusReport
    from projects.seed import seed_large_history, seed_large_projects

    today = timezone.localdate()
    password = settings.DEMO_PASSWORD
    with transaction.atomic():
        structure = seed_structure(password=password)
        actor = structure.users["pmo"]
        with audit_context(actor=actor, reason="bench smoke"):
            portfolios, managers = seed_large_structure(password=password, managers=SMOKE_MANAGERS)
            seed_large_projects(portfolios=portfolios, managers=managers, today=today, count=size)
    with audit_context(actor=actor, reason="bench smoke"):
        seed_large_history(portfolios=portfolios, users=structure.users, today=today)
    from benchmarks import context

    subject = context.resolve().project_id
    room = (
        StatusReport.objects.filter(
            period_start=week_start(today),
            is_current=True,
            project__state__in=[Project.State.ACTIVE, Project.State.ON_HOLD],
        )
        .exclude(project_id=subject)
        .order_by("project__code")
        .values_list("pk", flat=True)[:3]
    )
    with transaction.atomic(), audit_context(actor=actor, reason="bench smoke"):
        delete_reports(list(room))


def _send(client, request):
    extra = {"HTTP_HX_REQUEST": "true"} if request.htmx else {}
    if request.no_cache:
        extra["HTTP_CACHE_CONTROL"] = "no-cache"
    if request.method == "GET":
        return client.get(request.path, **extra)
    return client.generic(
        request.method,
        request.path,
        data=request.body or b"",
        content_type=request.content_type or "application/octet-stream",
        **extra,
    )


def _check(operation, ctx, response) -> str | None:
    if response.status_code not in operation.expect:
        return f"status {response.status_code} (expected {operation.expect})"
    if operation.redirect_to:
        expected = operation.redirect_to(ctx)
        if not response.get("Location", "").endswith(expected):
            return f"redirected to {response.get('Location')} (expected {expected})"
    return None


def measure(size: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from benchmarks import context
    from benchmarks.measure import floor_connection, run_floor
    from benchmarks.operations import OPERATIONS
    from projects.models import Project, StatusReport

    started = time.monotonic()
    _seed(size)
    seeded = time.monotonic()
    ctx = context.resolve()
    actor = get_user_model().objects.get(username=ctx.pmo_username)
    clients = {}
    for role, username in (("pmo", ctx.pmo_username), ("pm", ctx.pm_username)):
        client = Client(HTTP_ACCEPT_LANGUAGE="fr")
        client.cookies[settings.SESSION_COOKIE_NAME] = context.new_session(username)
        clients[role] = client
    floor_db = floor_connection()
    results = {}
    for operation in OPERATIONS:
        missing = operation.missing(ctx)
        if missing:
            results[operation.key] = {"state": "not built yet", "why": missing}
            continue
        if operation.task is not None:
            results[operation.key] = {"state": "task", "why": "background jobs are measured by make bench"}
            continue
        client = clients[operation.user]
        entry: dict = {"state": "ok"}
        try:
            if operation.writer is not None:
                before = StatusReport.objects.count()
                latest = dict(Project.objects.values_list("pk", "latest_report_id"))
                requests = operation.writer.prepare(ctx, 2, actor=actor)
                responses = [_send(client, request) for request in requests]
                run_floor(floor_db, operation.writer.floor(ctx, user_id=actor.pk), write=True)
                operation.writer.restore(actor=actor)
                if StatusReport.objects.count() != before:
                    entry["error"] = "restore() left status reports behind"
                elif dict(Project.objects.values_list("pk", "latest_report_id")) != latest:
                    entry["error"] = "restore() did not put the projects' latest reports back"
            else:
                request = operation.read_request(ctx)
                responses = [_send(client, request) for _ in range(2)]
                if operation.floor is not None:
                    run_floor(floor_db, operation.floor(ctx), write=False)
            last = responses[-1]
            entry["queries"] = int(last["X-Bench-Queries"])
            entry["path"] = requests[-1].path if operation.writer is not None else request.path
            problem = next((p for p in (_check(operation, ctx, r) for r in responses) if p), None)
            if problem:
                entry["error"] = problem
        except Exception as error:
            entry["error"] = f"{type(error).__name__}: {error}"
        results[operation.key] = entry
    floor_db.close()
    from benchmarks.writers import purge_broker

    purge_broker()
    timing = {"seed_s": seeded - started, "requests_s": time.monotonic() - seeded}
    return {"size": size, "projects": Project.objects.count(), "operations": results, "timing": timing}


# --- The parent: clone, run each size, compare ----------------------------------------------------


def compare(runs: list[dict]) -> list[str]:
    from benchmarks.operations import BY_KEY

    failures = []
    small, large = runs[0], runs[-1]
    for key, first in small["operations"].items():
        last = large["operations"][key]
        budget = BY_KEY[key].targets.max_queries
        for run, entry in ((small, first), (large, last)):
            if entry.get("error"):
                failures.append(f"{key} ({run['projects']} projects): {entry['error']}")
        if "queries" not in first or "queries" not in last:
            continue
        if first["queries"] != last["queries"]:
            failures.append(
                f"{key}: {first['queries']} queries with {small['projects']} projects but "
                f"{last['queries']} with {large['projects']} (the count grows with the data)"
            )
        if budget is not None and max(first["queries"], last["queries"]) > budget:
            failures.append(f"{key}: {max(first['queries'], last['queries'])} queries > {budget}")
    return failures


def main() -> int:
    started = time.monotonic()
    names = [f"pmo_bench_smoke_{os.getpid()}_{size}" for size in SIZES]
    _prepare_clones(names)
    cloned = time.monotonic()
    runs = []
    try:
        for name, size in zip(names, SIZES, strict=True):
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.smoke", "--measure", str(size)],
                cwd=ROOT,
                env=_env(name),
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
                print(f"bench-smoke: the run with {size} benchmark projects crashed.")
                return 1
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        _drop(names)
    small, large = runs[0], runs[-1]
    print(f"bench-smoke: queries per operation, {small['projects']} vs {large['projects']} projects")
    for key, first in small["operations"].items():
        last = large["operations"][key]
        if "queries" in first and "queries" in last:
            mark = "ok" if first["queries"] == last["queries"] and not first.get("error") else "!!"
            print(f"  {mark} {key:<20} {first['queries']:>3} {last['queries']:>3}")
        else:
            print(f"  -- {key:<20} {first.get('state')}: {first.get('why', first.get('error', ''))}")
    failures = compare(runs)
    elapsed = time.monotonic() - started
    phases = ", ".join(
        f"{run['projects']} projects: seed {run['timing']['seed_s']:.0f} s, requests "
        f"{run['timing']['requests_s']:.0f} s"
        for run in runs
    )
    print(f"  (migrate + clone {cloned - started:.0f} s; {phases})")
    if failures:
        print(f"bench-smoke FAILED ({elapsed:.0f} s):")
        for failure in failures:
            print(f"  {failure}")
        return 1
    print(f"bench-smoke passed ({elapsed:.0f} s).")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        result = measure(int(sys.argv[2]))
        sys.stdout.write("\n" + json.dumps(result) + "\n")
        sys.exit(0)
    sys.exit(main())
