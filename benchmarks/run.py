"""`make bench`: every operation of the registry against gunicorn on loopback, on the large seed.

    python -m benchmarks.run            # everything (BENCH_OPS=list-api,tab- to filter)

Environment: BENCH_OPS (keys or key prefixes, comma-separated), BENCH_REQUESTS (timed requests per
operation and per client count, default 200), BENCH_WARMUP (default 10), BENCH_CLIENTS (default 8),
BENCH_PORT (default: a free port), BENCH_DATABASE_URL (default postgres://…/pmo_bench),
BENCH_FAIL_ON_MISS=1 (exit 1 when a target is missed, not only on errors), BENCH_COMPARE_ROOT=<path
of another checkout> (measure its code too, operation by operation: a before/after comparison).
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pmo_bench"
LARGE_PROJECTS = 2000


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "pmo.settings.bench"
    env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True)


def _is_seeded() -> bool:
    """The large seed is complete: 2,000 benchmark projects, each with its history."""
    from portfolio.models import Portfolio
    from projects.models import Milestone, Project

    bench = Project.objects.filter(portfolio__in=Portfolio.objects.filter(code__startswith="bench-"))
    if bench.count() < LARGE_PROJECTS:
        return False
    with_history = Milestone.objects.filter(project__in=bench).values("project_id").distinct().count()
    return with_history >= bench.exclude(state=Project.State.CANCELLED).count()


def _time_v(output: str) -> dict:
    """Wall time and peak RSS from /usr/bin/time -v."""
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", output)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", output)
    seconds = None
    if wall:
        parts = [float(p) for p in wall.group(1).split(":")]
        seconds = sum(value * 60**i for i, value in enumerate(reversed(parts)))
    return {"wall_s": seconds, "peak_rss_kb": int(rss.group(1)) if rss else None}


def prepare_database(env: dict[str, str]) -> dict | None:
    """Create and migrate the benchmark database; load the large seed when it is not there yet."""
    _run(["bin/ensure-database"], env)
    _run(["manage.py", "migrate", "--no-input", "-v", "0"], env)
    import django

    django.setup()
    from django.db import connection

    if _is_seeded():
        connection.close()
        return None
    connection.close()
    print("Loading the large seed (seed_demo --size large) …", flush=True)
    command = ["/usr/bin/time", "-v", sys.executable, "manage.py", "seed_demo", "--size", "large"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit("The large seed failed.")
    figures = _time_v(done.stderr)
    print(
        f"Seed: {figures['wall_s']:.1f} s wall, peak RSS {figures['peak_rss_kb'] / 1024:.0f} MB "
        "(/usr/bin/time -v)",
        flush=True,
    )
    return figures


def fresh_statistics(*, seeded: bool) -> None:
    """ANALYZE after a bulk load, and at every run when autovacuum is off on the server (it is on
    this machine): without statistics the planner guesses one row per filter, and sorts the whole
    portfolio to show 100 projects (27 ms instead of 0.7 ms on the large seed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0] == "on"
        if seeded or not autovacuum:
            started = time.monotonic()
            cursor.execute("ANALYZE")
            why = "after the seed" if seeded else "autovacuum is off on this server"
            print(f"ANALYZE ({why}): {time.monotonic() - started:.1f} s", flush=True)


def volume() -> dict[str, int]:
    from django.db import connection

    tables = {
        "projects": "projects_project",
        "status_reports": "projects_statusreport",
        "milestones": "projects_milestone",
        "milestone_forecasts": "projects_milestoneforecast",
        "cost_lines": "projects_costline",
        "risks": "projects_risk",
        "issues": "projects_issue",
    }
    with connection.cursor() as cursor:
        counts = {}
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
            counts[name] = cursor.fetchone()[0]
    return counts


def _document(*, settings, ctx, data, seed, rows, gunicorn_rss, celery_rss, misses, errors, extra) -> dict:
    return {
        "timestamp": datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": os.getloadavg(),
        },
        "settings": settings.as_dict() | {"gunicorn_workers": 2} | extra,
        "volume": data,
        "subject": {
            "project_id": ctx.project_id,
            "portfolio_id": ctx.portfolio_id,
            "pmo": ctx.pmo_username,
            "pm": ctx.pm_username,
            "projects_visible": ctx.projects_visible,
        },
        "seed": seed,
        "memory": {
            "gunicorn_workers_peak_rss_kb": list(gunicorn_rss.values()),
            "celery_worker_peak_rss_kb": list(celery_rss.values()) if celery_rss else None,
        },
        "operations": rows,
        "misses": misses,
        "errors": errors,
    }


def main() -> int:
    """Measure every selected operation. With BENCH_COMPARE_ROOT=<another checkout of the project>,
    a second gunicorn serves that code (same database) and each operation is measured on it just
    before this checkout's: a before/after comparison that a noisy machine affects equally."""
    from benchmarks import measure, report
    from benchmarks.operations import select

    env = bench_env()
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")})
    settings = measure.RunSettings.from_env()
    operations = select(os.environ.get("BENCH_OPS"))
    seed = prepare_database(env)
    fresh_statistics(seeded=seed is not None)

    from benchmarks import context
    from benchmarks.server import Gunicorn, free_port

    ctx = context.resolve()
    data = volume()
    print(
        f"Benchmark database: {data['projects']} projects, {data['status_reports']} status reports; "
        f"PMO officer {ctx.pmo_username!r} sees {ctx.projects_visible} projects; subject project "
        f"id {ctx.project_id} (manager {ctx.pm_username!r}).",
        flush=True,
    )
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    compare_root = os.environ.get("BENCH_COMPARE_ROOT")
    sides = [("before", Path(compare_root).resolve())] if compare_root else []
    sides.append(("this checkout" if compare_root else "", ROOT))
    servers, runners = [], []
    for name, root in sides:
        port = int(os.environ.get("BENCH_PORT") or free_port()) if not servers else free_port()
        log = RESULTS / f"{stamp}-gunicorn{'-' + name.replace(' ', '-') if name else ''}.log"
        servers.append(Gunicorn(env, log, port=port, root=root))
        runners.append(
            measure.Runner(ctx=ctx, settings=settings, port=port, env=env, results=RESULTS, stamp=stamp)
        )
    runners[-1].restore_writes()
    rows: list[list[dict]] = [[] for _ in sides]
    try:
        for server in servers:
            server.start()
        for server, runner, (name, root) in zip(servers, runners, sides, strict=True):
            server.wait_ready()
            runner.open_sessions()
            print(
                f"gunicorn {name + ' ' if name else ''}({root}) on 127.0.0.1:{server.port}, 2 workers "
                f"(pmo.settings.bench); {settings.requests} requests per operation after "
                f"{settings.warmup} warm-up, 1 and {settings.clients} clients.",
                flush=True,
            )
            runner.warm_up_server(operations)
        for operation in operations:
            for index, ((name, _root), runner) in enumerate(zip(sides, runners, strict=True)):
                row = runner.measure(operation)
                rows[index].append(row)
                print(report.progress_line(row, prefix=f"[{name}] " if name else ""), flush=True)
        gunicorn_rss = [server.peak_rss_kb() for server in servers]
    finally:
        for server in servers:
            server.stop()
        for runner in runners:
            runner.close()
    failed = False
    for index, (name, root) in enumerate(sides):
        print(f"\n{name.upper() + ': ' if name else ''}{root}")
        print(report.table(rows[index]))
        print(report.memory_lines(gunicorn_rss[index], runners[index].celery_rss, seed))
        misses, errors = report.verdicts(rows[index])
        print(report.summary_line(rows[index], misses, errors))
        document = _document(
            settings=settings,
            ctx=ctx,
            data=data,
            seed=seed,
            rows=rows[index],
            gunicorn_rss=gunicorn_rss[index],
            celery_rss=runners[index].celery_rss,
            misses=misses,
            errors=errors,
            extra={"port": servers[index].port, "code_root": str(root)},
        )
        suffix = "-" + name.replace(" ", "-") if name else ""
        path = RESULTS / f"{stamp}{suffix}.json"
        path.write_text(json.dumps(document, indent=2, default=str))
        print(f"Results: {path.relative_to(ROOT)}")
        if root == ROOT:
            failed = bool(errors) or bool(misses and os.environ.get("BENCH_FAIL_ON_MISS") == "1")
    if compare_root:
        print("\n" + report.comparison(rows[0], rows[1]))
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"Benchmark done in {time.monotonic() - started:.0f} s.")
    sys.exit(code)
