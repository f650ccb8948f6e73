"""RELIABILITY row 29: Monday-morning peak against gunicorn with the large seed, the knee, the soak.

    .venv/bin/python -m reliability.load.run [--seconds 60] [--soak 1200] [--rates 30,60]

The database `pmo_reliability_large` gets `seed_demo --size large` (2,000 projects, ~3 min) when
empty. gunicorn runs on loopback; locust (headless) plays reliability/load/locustfile.py at each
rate for `--seconds` (RELIABILITY_LOAD_SECONDS), then raises the rate until p95 passes 1 s: the
last rate under it is the knee. The soak holds the modelled peak for `--soak` seconds
(RELIABILITY_SOAK_SECONDS, 20 min by default) and compares each gunicorn worker's RSS after the
warm-up with its RSS at the end.

Pass: at every listed rate p95 ≤ 500 ms for pages and writes, ≤ 300 ms for HTMX fragments, 0 × 5xx;
soak RSS growth < 10 % per worker and 0 × 5xx.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from reliability import common

DB = "pmo_reliability_large"
WORK = Path(os.environ.get("RELIABILITY_REPORTS", "/tmp/pmo-reliability")) / "load"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
LIMITS = {"page": 500, "write": 500, "fragment": 300}
KNEE_P95 = 1000


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def make_sessions() -> Path:
    """Server-side sessions: 100 benchmark PMs and the demo PMs with their projects, PMO, executive."""
    from django.contrib.auth import get_user_model

    from projects.models import Project

    users = (
        get_user_model().objects.filter(username__regex=r"^(bench-pm\d+|pm\d|pmo|exec)$").order_by("username")
    )
    sessions = []
    for user in users:
        session = common.Session(user.username)
        projects = list(
            Project.objects.filter(manager=user, archived_at__isnull=True, state="active")
            .order_by("pk")
            .values_list("pk", flat=True)[:40]
        )
        role = (
            "pm" if user.username.startswith(("bench-pm", "pm")) and user.username != "pmo" else user.username
        )
        sessions.append(
            {
                "username": user.username,
                "role": role,
                "cookie": session.cookie_header,
                "csrf": session.csrf_token,
                "projects": projects,
            }
        )
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "sessions.json"
    path.write_text(json.dumps(sessions))
    return path


def run_step(server, sessions: Path, *, rate: int, seconds: int, label: str) -> dict:
    samples = WORK / f"samples-{label}.json"
    samples.unlink(missing_ok=True)
    started = time.time()
    subprocess.run(
        [
            str(common.BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(rate),
            "--spawn-rate",
            str(rate),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            server.base_url,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=common.ROOT,
        env={
            **os.environ,
            "RELIABILITY_LOAD_SESSIONS": str(sessions),
            "RELIABILITY_LOAD_SAMPLES": str(samples),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    rows = json.loads(samples.read_text()) if samples.exists() else []
    warm = started + min(10, seconds / 5)  # leave out the spawn
    measured = [row for row in rows if row[4] >= warm]
    span = max((row[4] for row in measured), default=warm) - warm or 1
    by_category: dict[str, list[float]] = {}
    for category, _name, elapsed, _status, _at in measured:
        by_category.setdefault(category, []).append(elapsed)
    statuses = [row[3] for row in measured]
    result = {
        "rate": rate,
        "achieved": len(measured) / span,
        "requests": len(measured),
        "p95": {category: percentile(values, 0.95) for category, values in sorted(by_category.items())},
        "p95_all": percentile([row[2] for row in measured], 0.95),
        "server_errors": sum(1 for s in statuses if s >= 500),
        "failures": sum(1 for s in statuses if s == 0 or (s >= 400 and s not in (403, 404, 422))),
    }
    result["within_limits"] = (
        all(result["p95"].get(category, 0) <= limit for category, limit in LIMITS.items())
        and result["server_errors"] == 0
    )
    common.log(
        f"{label}: {rate} req/s asked, {result['achieved']:.1f} achieved, p95 "
        + ", ".join(f"{k} {v:.0f} ms" for k, v in result["p95"].items())
        + f", 5xx {result['server_errors']}, failures {result['failures']}"
    )
    return result


def soak(server, sessions: Path, *, rate: int, seconds: int) -> dict:
    workers = server.worker_pids()
    samples: dict[int, list[int]] = {pid: [] for pid in workers}
    done = threading.Event()

    def sample():
        while not done.wait(10):
            for pid in workers:
                try:
                    samples[pid].append(common.rss_kib(pid))
                except FileNotFoundError:
                    samples[pid].append(-1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    result = run_step(server, sessions, rate=rate, seconds=seconds, label="soak")
    done.set()
    sampler.join()
    growth = {}
    for pid, values in samples.items():
        values = [v for v in values if v > 0]
        if len(values) < 3:
            continue
        baseline = values[max(1, len(values) // 10)]  # after the warm-up
        growth[pid] = (values[-1] - baseline) / baseline * 100
    restarted = [pid for pid, values in samples.items() if -1 in values]
    result.update(growth=growth, restarted=restarted, workers=len(workers))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("RELIABILITY_LOAD_SECONDS", 60)))
    parser.add_argument("--soak", type=int, default=int(os.environ.get("RELIABILITY_SOAK_SECONDS", 1200)))
    parser.add_argument("--rates", default="30,60")
    parser.add_argument("--knee-step", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)

    common.log(f"preparing {DB} (the large seed takes a few minutes the first time)")
    seeded = common.prepare_database(DB, size="large")
    common.log(f"{DB} ready in {seeded:.0f} s")
    common.setup_django(DB)
    from projects.models import Project

    projects = Project.objects.count()
    sessions = make_sessions()
    rates = [int(rate) for rate in args.rates.split(",")]
    problems = []
    with common.Gunicorn(DB, workers=args.workers, threads=args.threads) as server:
        run_step(server, sessions, rate=10, seconds=min(20, args.seconds), label="warm-up")
        steps = [
            run_step(server, sessions, rate=rate, seconds=args.seconds, label=f"{rate}rps") for rate in rates
        ]
        for step in steps:
            if not step["within_limits"]:
                problems.append(f"{step['rate']} req/s: p95 {step['p95']}, 5xx {step['server_errors']}")

        def holds(step) -> bool:
            return (
                step["p95_all"] <= KNEE_P95
                and not step["server_errors"]
                and step["achieved"] >= 0.9 * step["rate"]
            )

        knee = max((s["rate"] for s in steps if holds(s)), default=0)
        rate = max(rates)
        while knee == rate and rate < 300:  # up while it holds
            rate += args.knee_step
            if holds(run_step(server, sessions, rate=rate, seconds=args.seconds, label=f"knee-{rate}rps")):
                knee = rate
        rate = min(rates)
        while not knee and rate > 5:  # down until it holds
            rate = max(5, rate - 5)
            if holds(run_step(server, sessions, rate=rate, seconds=args.seconds, label=f"knee-{rate}rps")):
                knee = rate
        soaked = soak(server, sessions, rate=rates[0], seconds=args.soak) if args.soak else None
        access_5xx = server.server_errors()
    if soaked:
        worst = max(soaked["growth"].values(), default=0)
        if worst >= 10 or soaked["server_errors"] or soaked["restarted"]:
            problems.append(f"soak: RSS growth {soaked['growth']}, 5xx {soaked['server_errors']}")
    if access_5xx:
        problems.append(f"{len(access_5xx)} 5xx in the access log, e.g. {access_5xx[0]}")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)

    def describe(step):
        return (
            f"{step['rate']} req/s ({step['achieved']:.0f} achieved): p95 "
            + "/".join(f"{k} {v:.0f}" for k, v in step["p95"].items())
            + f" ms, {step['server_errors']}×5xx"
        )

    soak_text = (
        f"soak {args.soak} s at {rates[0]} req/s: {soaked['requests']} requests, "
        f"max worker RSS growth {max(soaked['growth'].values(), default=0):.1f} % over {soaked['workers']} "
        f"workers, {soaked['server_errors']}×5xx"
        if soaked
        else "soak skipped"
    )
    common.figure(
        29,
        f"{'PASS' if not problems else 'FAIL'} {projects} projects, gunicorn {args.workers}×{args.threads}: "
        + "; ".join(describe(step) for step in steps)
        + f"; knee (p95 ≤ 1 s) {knee} req/s; {soak_text}",
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
