"""Measure one operation: warm-up, N timed requests at 1 client, N at `clients` concurrent clients,
the queries per request, and the SQL floor timed with psycopg on the same database in the same run."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model

from benchmarks import context
from benchmarks.client import HttpClient, Sample, run_concurrent, run_sequential, summary
from benchmarks.operations import Context, Operation, Sql


@dataclass(frozen=True)
class RunSettings:
    requests: int = 200
    warmup: int = 10
    clients: int = 8

    @classmethod
    def from_env(cls) -> RunSettings:
        return cls(
            requests=int(os.environ.get("BENCH_REQUESTS", 200)),
            warmup=int(os.environ.get("BENCH_WARMUP", 10)),
            clients=int(os.environ.get("BENCH_CLIENTS", 8)),
        )

    def as_dict(self) -> dict:
        return asdict(self)


def floor_connection() -> psycopg.Connection:
    db = django_settings.DATABASES["default"]
    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        autocommit=True,
        # Never prepared, like Django's client-side-bound queries: the floor pays the same planning.
        prepare_threshold=None,
    )


def run_floor(connection: psycopg.Connection, statements: Sql, *, write: bool) -> None:
    """Execute the statements and fetch every row; a write floor is rolled back."""
    if write:
        connection.execute("BEGIN")
    try:
        for sql, params in statements:
            cursor = connection.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
    finally:
        if write:
            connection.execute("ROLLBACK")


def time_floor(connection, statements: Sql, *, write: bool, warmup: int, repeat: int) -> dict:
    for _ in range(warmup):
        run_floor(connection, statements, write=write)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run_floor(connection, statements, write=write)
        times.append((time.perf_counter() - started) * 1000)
    return summary(times)


def _stats(samples: list[Sample], elapsed: float) -> dict:
    queries = [s.queries for s in samples if s.queries is not None]
    return {
        "latency_ms": summary([s.wall_ms for s in samples]),
        "server_ms": summary([s.server_ms for s in samples if s.server_ms is not None]),
        "sql_ms": summary([s.sql_ms for s in samples if s.sql_ms is not None]),
        "cpu_ms": summary([s.cpu_ms for s in samples if s.cpu_ms is not None]),
        "queries_min": min(queries) if queries else None,
        "queries_max": max(queries) if queries else None,
        "bytes": samples[0].size if samples else None,
        "requests": len(samples),
        "elapsed_s": elapsed,
        "rps": len(samples) / elapsed if elapsed else None,
    }


def _bad(operation: Operation, ctx: Context, samples: list[Sample]) -> list[str]:
    """Answers that are not what the operation expects (status, or where a redirect goes)."""
    problems = []
    expected_location = operation.redirect_to(ctx) if operation.redirect_to else None
    for sample in samples:
        if sample.status not in operation.expect:
            problems.append(f"status {sample.status} (expected {operation.expect})")
        elif expected_location and not (sample.location or "").endswith(expected_location):
            problems.append(f"redirected to {sample.location} (expected {expected_location})")
    return problems


class Runner:
    def __init__(self, *, ctx: Context, settings: RunSettings, port: int, env, results: Path, stamp: str):
        self.ctx, self.settings, self.port, self.env = ctx, settings, port, env
        self.results, self.stamp = results, stamp
        self.actor = get_user_model().objects.get(username=ctx.pmo_username)
        self.clients: dict[str, list[HttpClient]] = {}
        self.session_keys: list[str] = []
        self.floor_db = floor_connection()
        self.celery = None
        self.celery_rss: dict[int, int] = {}

    # --- sessions -------------------------------------------------------------------------------

    def open_sessions(self, roles: tuple[str, ...] = ("pmo", "pm")) -> None:
        """`clients` fresh sessions per user (one per simulated client), checked on a real page.

        Called before every operation: a session idle for longer than SESSION_COOKIE_AGE (30 min)
        while other operations run would end, and its requests would be answered by the login page."""
        from django.urls import reverse

        from benchmarks.operations import Request

        users = {"pmo": self.ctx.pmo_username, "pm": self.ctx.pm_username}
        for role in roles:
            for client in self.clients.pop(role, []):
                client.close()
            pool = []
            for _ in range(self.settings.clients):
                key = context.new_session(users[role])
                self.session_keys.append(key)
                csrf = context.csrf_secret()
                pool.append(
                    HttpClient("127.0.0.1", self.port, cookie=context.cookie_header(key, csrf), csrf=csrf)
                )
            self.clients[role] = pool
            probe = pool[0].send(Request("GET", reverse("projects:project-list")))
            if probe.status != 200:
                raise SystemExit(
                    f"The benchmark session of {users[role]!r} is not accepted: GET /projects/ answered "
                    f"{probe.status} {probe.location or ''}. A new login step (second factor?) needs "
                    "marking in benchmarks/context.py:_mark_second_factor."
                )
        if len(self.session_keys) > 4 * self.settings.clients:
            context.drop_sessions(self.session_keys[: -2 * self.settings.clients])
            self.session_keys = self.session_keys[-2 * self.settings.clients :]

    def close(self) -> None:
        for pool in self.clients.values():
            for client in pool:
                client.close()
        context.drop_sessions(self.session_keys)
        self.floor_db.close()
        if self.celery is not None:
            self.celery.stop()

    # --- writes ---------------------------------------------------------------------------------

    def restore_writes(self) -> None:
        from benchmarks.writers import restore

        removed = restore(actor=self.actor)
        if removed:
            print(f"Removed {removed} status reports left by an interrupted benchmark run.", flush=True)

    # --- measures -------------------------------------------------------------------------------

    def warm_up_server(self, operations: list[Operation]) -> None:
        """A few requests of every read operation on both workers before anything is timed."""
        requests = {}
        for operation in operations:
            if operation.writer is None and operation.task is None and not operation.missing(self.ctx):
                requests.setdefault(operation.user, []).append(operation.read_request(self.ctx))
        for role, batch in requests.items():
            run_concurrent(self.clients[role][:2], batch * 4)

    def measure(self, operation: Operation) -> dict:
        row = {
            "key": operation.key,
            "label": operation.label,
            "targets": asdict(operation.targets),
            "target_text": operation.targets.describe(),
        }
        missing = operation.missing(self.ctx)
        if missing:
            return row | {"state": "not built yet", "why": missing}
        if operation.task is not None:
            return row | self._measure_task(operation)
        try:
            self.open_sessions((operation.user,))
            if operation.writer is not None:
                result = self._measure_write(operation)
            else:
                result = self._measure_read(operation)
        except Exception as error:  # one broken operation must not hide the others' figures
            return row | {"state": "error", "errors": [f"{type(error).__name__}: {error}"]}
        return row | result

    def _measure_read(self, operation: Operation) -> dict:
        n, clients = self.settings.requests, self.clients[operation.user]
        request = operation.read_request(self.ctx)
        run_sequential(clients[0], [request] * self.settings.warmup)
        single, single_s = run_sequential(clients[0], [request] * n)
        floor = self._floor(operation.floor(self.ctx) if operation.floor else None, write=False)
        many, many_s = run_concurrent(clients, [request] * n)
        return self._result(operation, request.path, single, single_s, many, many_s, floor)

    def _floor(self, statements: Sql | None, *, write: bool) -> dict | None:
        """The floor's timing, or {"error": ...}: a broken floor must not hide the page's figures."""
        if statements is None:
            return None
        try:
            return time_floor(
                self.floor_db,
                statements,
                write=write,
                warmup=self.settings.warmup,
                repeat=self.settings.requests,
            )
        except psycopg.Error as error:
            return {"error": f"{type(error).__name__}: {error}".strip(), "p50": None}

    def _measure_write(self, operation: Operation) -> dict:
        writer, n = operation.writer, self.settings.requests
        clients = self.clients[operation.user]
        writer.restore(actor=self.actor)
        requests = writer.prepare(self.ctx, self.settings.warmup + n, actor=self.actor)
        warm, timed = requests[: self.settings.warmup], requests[self.settings.warmup :]
        run_sequential(clients[0], warm)
        single, single_s = run_sequential(clients[0], timed)
        floor = self._floor(writer.floor(self.ctx, user_id=self.actor.pk), write=True)
        writer.restore(actor=self.actor)
        requests = writer.prepare(self.ctx, n, actor=self.actor)
        many, many_s = run_concurrent(clients, requests)
        writer.restore(actor=self.actor)
        path = timed[0].path if timed else ""
        result = self._result(operation, path, single, single_s, many, many_s, floor)
        if len(timed) < n:
            result["note"] = f"only {len(timed)} fresh objects available for {n} requests"
        return result

    def _result(self, operation, path, single, single_s, many, many_s, floor) -> dict:
        one = _stats(single, single_s)
        result = {
            "state": "measured",
            "method": "POST" if operation.writer else "GET",
            "path": path,
            "single": one,
            "concurrent": _stats(many, many_s) | {"clients": len(self.clients[operation.user])},
            "floor_ms": floor,
            "floor_ratio": (one["latency_ms"]["p50"] / floor["p50"] if floor and floor["p50"] else None),
        }
        problems = _bad(operation, self.ctx, single + many)
        if problems:
            result["state"] = "error"
            result["errors"] = sorted(set(problems))[:5] + [f"{len(problems)} bad answers in all"]
        return result

    # --- background jobs ------------------------------------------------------------------------

    def _measure_task(self, operation: Operation) -> dict:
        """Start one Celery worker (2 processes) for the run, let the entry run its job, and report
        the job's own figures with the worker's peak memory."""
        from benchmarks.server import CeleryWorker
        from pmo.celery import app

        if self.celery is None:
            self.celery = CeleryWorker(self.env, self.results / f"{self.stamp}-celery.log")
            self.celery.start()
            self.celery.wait_ready(app)
        try:
            figures = operation.run_task(self.ctx)
        except Exception as error:
            return {"state": "error", "errors": [f"{type(error).__name__}: {error}"]}
        rss = self.celery.peak_rss_kb()
        self.celery_rss.update(rss)
        return {"state": "measured", "task": figures, "celery_peak_rss_kb": list(rss.values())}
