"""RELIABILITY rows 22, 23, 25, 26: report runs under Celery faults, with real workers and Redis.

    .venv/bin/python -m reliability.celery_faults [--only 22,23,25,26] [--beat-seconds 300]

Everything runs on its own Redis (a redis-server on a free loopback port, started and stopped
here: FLUSHALL never touches the shared one), the `pmo_reliability` database and a scratch
MEDIA_ROOT, with reliability/settings_faults.py (visibility timeout 30 s, sweeper after 10 s) and
the fault hooks of reliability/fault_hooks.py loaded into the worker.

22  kill -9 of the worker child while the run is paused in rendering (REPORT_FAULT_PAUSE_SECONDS):
    the message comes back (acks_late + reject_on_worker_lost), exactly one run done, one file, and
    its SHA-256 equals a fresh in-process rendering of the same run (deterministic output).
23  kill -9 of the whole worker mid-run, a new worker: Redis redelivers within visibility + 30 s.
    Then a queued run's message is wiped (FLUSHALL and a Redis restart): beat's sweeper re-queues it
    from PostgreSQL within 5 minutes. Each time one run, one file.
25  retries: 3 transient failures then success (delays ≈ 1, 2, 4 s); a permanent failure → failed
    at once, requester notified; transient forever → failed after 5 retries.
26  a run requested in a rolled-back transaction sends no message; two beats on a minutely
    schedule for `--beat-seconds` → duplicates sent, one output; celery-task-meta-* keys expire
    within a day; the broker is noeviction.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reliability import common

SETTINGS = "reliability.settings_faults"


class RedisServer:
    def __init__(self, work: Path):
        self.port = common.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.work = work
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory-policy",
                "noeviction",
                "--dir",
                str(self.work),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.client().ping()
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Celery:
    """A celery worker or beat in its own process group (so that kill -9 can take it whole)."""

    def __init__(self, kind: str, env: dict, log: Path, name: str):
        self.kind, self.env, self.log_path, self.name = kind, env, log, name
        self.process = None

    def start(self) -> Celery:
        command = [str(common.BIN / "celery"), "-A", "pmo", self.kind, "--loglevel", "INFO"]
        if self.kind == "worker":
            command += [
                "-I",
                "reliability.fault_hooks",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--hostname",
                f"{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
            ]
        else:
            command += ["--pidfile", ""]
        self._log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=common.ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def children(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready ({self.log_path})")

    def kill_all(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


class Drill:
    def __init__(self, db: str):
        self.db = db
        self.work = Path(tempfile.mkdtemp(prefix="pmo-celery-faults-"))
        self.media = common.MEDIA
        self.faults = self.work / "faults"
        self.redis = RedisServer(self.work)
        self.problems: dict[str, list[str]] = {}
        self.count = 0

    def env(self, **extra) -> dict:
        return common.app_env(
            self.db,
            DJANGO_SETTINGS_MODULE=SETTINGS,
            REDIS_URL=self.redis.url,
            MEDIA_ROOT=str(self.media),
            RELIABILITY_FAULT_DIR=str(self.faults),
            **extra,
        )

    def process(self, kind: str, name: str, **extra) -> Celery:
        self.count += 1
        return Celery(kind, self.env(**extra), self.work / f"{self.count:02d}-{name}.log", name)

    def worker(self, *, pause: int = 0) -> Celery:
        worker = self.process(
            "worker", f"worker{self.count + 1}", REPORT_FAULT_PAUSE_SECONDS=str(pause)
        ).start()
        worker.wait_ready()
        return worker

    # --- runs -----------------------------------------------------------------------------------

    def request(self, project, **options):
        from django.contrib.auth import get_user_model

        from reporting import services
        from reporting.models import ReportRun

        actor = get_user_model().objects.get(username="pmo")
        run, _created = services.request_run(
            actor=actor, kind=ReportRun.Kind.HIGHLIGHT, project=project, options={"drill": True, **options}
        )
        return run

    def wait(self, run, statuses: set[str], timeout: float, *, step: str | None = None):
        from reporting.models import ReportRun

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = ReportRun.objects.get(pk=run.pk)
            if current.status in statuses and (step is None or current.step.startswith(step)):
                return current
            time.sleep(0.2)
        current = ReportRun.objects.get(pk=run.pk)
        raise TimeoutError(f"run {run.pk} still {current.status} ({current.step!r}) after {timeout} s")

    def files(self) -> set[Path]:
        return {p for p in self.media.rglob("*") if p.is_file()} if self.media.exists() else set()

    def exactly_once(self, run, before: set[Path]) -> list[str]:
        """One run row with its key, done, one new file whose bytes match the row's SHA-256."""
        from reporting.models import ReportRun

        problems = []
        rows = ReportRun.objects.filter(key=run.key)
        if rows.count() != 1 or rows.get().status != "done":
            problems.append(f"run {run.pk}: rows {list(rows.values_list('status', flat=True))}")
            return problems
        run = rows.get()
        path = self.media / run.file.name
        # The run's file, and any leftover of an attempt that died (storage would have suffixed it).
        mine = [p for p in self.files() - before if p.parent == path.parent and p.name.startswith(path.stem)]
        if len(mine) != 1:
            problems.append(f"run {run.pk}: {len(mine)} files {sorted(map(str, mine))}")
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != run.file_sha256:
            problems.append(f"run {run.pk}: file missing or SHA-256 differs from the row")
        return problems

    def fresh_projects(self, count: int) -> list:
        """Active projects whose highlight run of this week is deleted first (each drill is new)."""
        from projects.models import Project
        from reporting.models import ReportRun

        projects = list(
            Project.objects.filter(state="active", archived_at__isnull=True).order_by("pk")[:count]
        )
        common.drop_runs(ReportRun.objects.filter(project__in=projects))
        return projects


@contextlib.contextmanager
def only_periodic_tasks(names):
    """Beat sends only `names` meanwhile (the other schedules would add runs of their own)."""
    from django_celery_beat.models import PeriodicTask

    enabled = list(
        PeriodicTask.objects.filter(enabled=True).exclude(name__in=names).values_list("pk", flat=True)
    )
    PeriodicTask.objects.filter(pk__in=enabled).update(enabled=False)
    try:
        yield
    finally:
        PeriodicTask.objects.filter(pk__in=enabled).update(enabled=True)


def row_22(drill: Drill, project) -> str:
    from reporting.generators import generator_for

    before = drill.files()
    worker = drill.worker(pause=6)
    try:
        run = drill.request(project)
        drill.wait(run, {"running"}, 60, step="fault hook")
        children = worker.children()
        os.kill(children[0], signal.SIGKILL)
        killed = time.monotonic()
        done = drill.wait(run, {"done", "failed"}, 120)
        recovery = time.monotonic() - killed
    finally:
        worker.stop()
    problems = drill.exactly_once(done, before)
    if done.attempts != 2:
        problems.append(f"attempts {done.attempts} (expected 2: the killed one and the redelivery)")
    again = hashlib.sha256(generator_for(done.kind)(done, lambda *a, **k: None).content).hexdigest()
    deterministic = again == done.file_sha256
    if not deterministic:
        problems.append("a second rendering of the same run gives other bytes (non-deterministic PDF)")
    if recovery > 60:
        problems.append(f"recovery {recovery:.0f} s > 60 s")
    drill.problems["22"] = problems
    return (
        f"kill -9 of the worker child mid-render → redelivered, 1 run done (attempts {done.attempts}), "
        f"1 file, SHA-256 {done.file_sha256[:12]}… {'=' if deterministic else '≠'} a re-rendering, "
        f"recovery {recovery:.1f} s (≤ 60 s)"
    )


def row_23(drill: Drill, projects) -> str:
    from django.conf import settings

    problems = []
    # (a) the whole worker killed: Redis gives the unacknowledged message back after the timeout.
    before = drill.files()
    worker = drill.worker(pause=4)
    run = drill.request(projects[0])
    drill.wait(run, {"running"}, 60, step="fault hook")
    worker.kill_all()
    killed = time.time()
    replacement = drill.worker()
    try:
        done = drill.wait(run, {"done", "failed"}, settings.CELERY_VISIBILITY_TIMEOUT + 90)
        redelivery = done.started_at.timestamp() - killed  # the second attempt's claim
    finally:
        replacement.stop()
    problems += drill.exactly_once(done, before)
    limit = settings.CELERY_VISIBILITY_TIMEOUT + 30
    if redelivery > limit:
        problems.append(f"redelivery after {redelivery:.0f} s > {limit} s")

    # (b) Redis loses the queued message (FLUSHALL, restart): the sweeper re-queues from PostgreSQL.
    before = drill.files()
    run = drill.request(projects[1])  # no worker: the message waits in Redis
    time.sleep(1)
    queued = drill.redis.client().llen("celery")
    drill.redis.client().flushall()
    drill.redis.stop()
    drill.redis.start()
    flushed = time.monotonic()
    worker = drill.worker()
    with only_periodic_tasks(["report-sweeper"]):
        beat = drill.process("beat", "beat").start()
        try:
            done_b = drill.wait(run, {"done", "failed"}, 330)
            requeued = time.monotonic() - flushed
        finally:
            beat.stop()
            worker.stop()
    problems += drill.exactly_once(done_b, before)
    if queued < 1:
        problems.append("the message was not in Redis before the flush")
    if requeued > 300:
        problems.append(f"re-queued after {requeued:.0f} s > 300 s")
    drill.problems["23"] = problems
    return (
        f"kill -9 of the whole worker mid-run → redelivered by Redis in {redelivery:.1f} s "
        f"(visibility {settings.CELERY_VISIBILITY_TIMEOUT} s + 30 s allowed), 1 run, 1 file; "
        f"FLUSHALL + Redis restart with the run queued → sweeper (beat, every 2 min) re-queued it, done "
        f"{requeued:.0f} s after the flush (≤ 300 s), 1 run, 1 file"
    )


def row_25(drill: Drill, projects) -> str:
    from pmo.core.models import Notification

    problems = []
    worker = drill.worker()
    try:
        transient = drill.request(projects[0], inject={"transient": 3})
        permanent = drill.request(projects[1], inject={"permanent": True})
        hopeless = drill.request(projects[2], inject={"transient": 99})
        notified_before = Notification.objects.count()
        transient = drill.wait(transient, {"done", "failed"}, 90)
        permanent = drill.wait(permanent, {"done", "failed"}, 90)
        hopeless = drill.wait(hopeless, {"done", "failed"}, 150)
    finally:
        worker.stop()
    calls = {
        run.pk: [float(t) for t in (drill.faults / f"{run.pk}.calls").read_text().split()]
        for run in (transient, permanent, hopeless)
    }
    delays = [b - a for a, b in zip(calls[transient.pk], calls[transient.pk][1:], strict=False)]
    if transient.status != "done" or len(calls[transient.pk]) != 4:
        problems.append(f"transient: {transient.status} after {len(calls[transient.pk])} calls")
    for expected, delay in zip((1, 2, 4), delays, strict=False):
        if not 0.75 * expected <= delay <= 1.25 * expected + 1.5:
            problems.append(f"retry delay {delay:.2f} s, expected {expected} s ± 25 %")
    if permanent.status != "failed" or len(calls[permanent.pk]) != 1:
        problems.append(f"permanent: {permanent.status} after {len(calls[permanent.pk])} calls")
    if hopeless.status != "failed" or len(calls[hopeless.pk]) != 6:
        problems.append(f"transient forever: {hopeless.status} after {len(calls[hopeless.pk])} calls")
    notified = Notification.objects.count() - notified_before
    if notified < 2:
        problems.append(f"{notified} notifications for 2 failed runs")
    drill.problems["25"] = problems
    return (
        f"3 transient failures then success on try {len(calls[transient.pk])}, delays "
        + ", ".join(f"{d:.1f}" for d in delays)
        + f" s (≈1, 2, 4); permanent → {permanent.status} after {len(calls[permanent.pk])} try; transient "
        f"forever → {hopeless.status} after {len(calls[hopeless.pk])} tries (5 retries); "
        f"{notified} failure notifications"
    )


def row_26(drill: Drill, projects, *, beat_seconds: int) -> str:
    from celery.schedules import crontab  # noqa: F401 - the schedule below is a crontab row
    from django.db import transaction
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from pmo.celery import app
    from reporting.models import ReportRun

    problems = []
    client = drill.redis.client()
    # (a) enqueue after commit: a rolled-back request sends nothing.
    before = client.llen("celery")

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            rolled = drill.request(projects[0])
            raise Rollback
    except Rollback:
        pass
    after_rollback = client.llen("celery")
    if after_rollback != before or ReportRun.objects.filter(key=rolled.key).exists():
        problems.append("a rolled-back request left a message or a row")
    drill.request(projects[0])
    after_commit = client.llen("celery")
    if after_commit != before + 1:
        problems.append(f"a committed request queued {after_commit - before} messages")

    # (b) two beats on a minutely schedule: duplicates are sent, the output exists once.
    portfolio = projects[1].portfolio
    today_runs = ReportRun.objects.filter(kind="steering", portfolio=portfolio, programme__isnull=True)
    common.drop_runs(today_runs)
    enabled = list(PeriodicTask.objects.filter(enabled=True).values_list("pk", flat=True))
    PeriodicTask.objects.filter(pk__in=enabled).update(enabled=False)
    every_minute, _ = CrontabSchedule.objects.get_or_create(
        minute="*", hour="*", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    task, _ = PeriodicTask.objects.update_or_create(
        name="reliability-two-beats",
        defaults={
            "task": "reporting.monthly_steering_packs",
            "crontab": every_minute,
            "kwargs": f'{{"portfolio_ids": [{portfolio.pk}]}}',
            "enabled": True,
        },
    )
    files_before = drill.files()
    worker = drill.worker()
    beats = [drill.process("beat", f"beat-{n}").start() for n in (1, 2)]
    try:
        time.sleep(beat_seconds)
    finally:
        for beat in beats:
            beat.stop()
        time.sleep(5)
        # (c) results: a task that stores one, then every celery-task-meta key's TTL.
        result = app.send_task("celery.accumulate", args=[1, 2])
        result.get(timeout=30)
        worker.stop()
        task.delete()
        PeriodicTask.objects.filter(pk__in=enabled).update(enabled=True)
    sent = sum(
        len(re.findall(r"Sending due task reliability-two-beats", beat.log_path.read_text(errors="replace")))
        for beat in beats
    )
    runs = list(ReportRun.objects.filter(kind="steering", portfolio=portfolio, programme__isnull=True))
    new_files = drill.files() - files_before
    steering_files = [p for p in new_files if "/steering/" in str(p)]
    if len(runs) != 1 or runs[0].status != "done" or len(steering_files) != 1:
        problems.append(
            f"two beats: {len(runs)} runs ({[r.status for r in runs]}), {len(steering_files)} files"
        )
    if sent < 2:
        problems.append(f"the two beats sent {sent} messages in {beat_seconds} s")
    keys = list(client.scan_iter("celery-task-meta-*"))
    ttls = [client.ttl(key) for key in keys]
    if not keys or any(ttl < 0 or ttl > 86_400 for ttl in ttls):
        problems.append(f"celery-task-meta TTLs {ttls}")
    policy = client.config_get("maxmemory-policy")["maxmemory-policy"]
    drill.problems["26"] = problems
    return (
        f"rolled-back request → {after_rollback - before} message, 0 rows; committed → 1 message; "
        f"2 beats for {beat_seconds} s sent {sent} due tasks → {len(runs)} run, {len(steering_files)} file; "
        f"{len(keys)} celery-task-meta keys, TTL max {max(ttls, default=0)} s (≤ 86 400); broker "
        f"maxmemory-policy {policy}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="22,23,25,26")
    parser.add_argument(
        "--beat-seconds", type=int, default=int(os.environ.get("RELIABILITY_BEAT_SECONDS", 300))
    )
    parser.add_argument("--db", default=common.DEFAULT_DB)
    args = parser.parse_args(argv)
    rows = args.only.split(",")

    common.log(f"preparing {args.db}")
    common.prepare_database(args.db)
    drill = Drill(args.db)
    drill.redis.start()
    common.setup_django(
        args.db, DJANGO_SETTINGS_MODULE=SETTINGS, REDIS_URL=drill.redis.url, MEDIA_ROOT=str(drill.media)
    )
    failures = 0
    try:
        projects = drill.fresh_projects(8)
        steps = {
            "22": lambda: row_22(drill, projects[0]),
            "23": lambda: row_23(drill, projects[1:3]),
            "25": lambda: row_25(drill, projects[3:6]),
            "26": lambda: row_26(drill, projects[6:8], beat_seconds=args.beat_seconds),
        }
        for row in rows:
            try:
                text = steps[row]()
            except Exception as error:  # noqa: BLE001 - a drill that could not finish fails its row
                drill.problems[row] = [repr(error)]
                text = f"drill aborted: {error!r}"
            problems = drill.problems.get(row, [])
            for problem in problems:
                print(f"FAIL row {row}: {problem}", file=sys.stderr)
            failures += bool(problems)
            common.figure(int(row), f"{'PASS' if not problems else 'FAIL'} {text}")
    finally:
        drill.redis.stop()
        if failures:
            common.log(f"logs in {drill.work}")
        else:
            shutil.rmtree(drill.work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
