"""A minimal HTTP load client (stdlib only) and the statistics the table prints.

One `http.client` connection per simulated client; latency is the wall time from sending the request
to the last byte of the body, measured on the client (loopback). The server's own figures (time,
SQL queries, SQL time) come from the headers of benchmarks.middleware.QueryCountMiddleware.
"""

from __future__ import annotations

import http.client
import math
import statistics
import threading
import time
from dataclasses import dataclass

from benchmarks.operations import Request


@dataclass(frozen=True)
class Sample:
    status: int
    wall_ms: float
    server_ms: float | None
    sql_ms: float | None
    cpu_ms: float | None
    queries: int | None
    size: int
    location: str | None


def _float(value):
    return float(value) if value is not None else None


class HttpClient:
    def __init__(self, host: str, port: int, *, cookie: str, csrf: str, timeout: float = 300):
        self.host, self.port, self.timeout = host, port, timeout
        self.headers = {"Cookie": cookie, "X-CSRFToken": csrf, "Accept-Language": "fr"}
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def send(self, request: Request) -> Sample:
        headers = dict(self.headers)
        if request.htmx:
            headers["HX-Request"] = "true"
        if request.no_cache:
            headers["Cache-Control"] = "no-cache"
        if request.body is not None:
            headers["Content-Type"] = request.content_type or "application/octet-stream"
        started = time.perf_counter()
        try:
            self.connection.request(request.method, request.path, body=request.body, headers=headers)
            response = self.connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, ConnectionError):
            self.connection.close()  # a worker closed a kept-alive connection: retry once
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            started = time.perf_counter()
            self.connection.request(request.method, request.path, body=request.body, headers=headers)
            response = self.connection.getresponse()
            body = response.read()
        wall = (time.perf_counter() - started) * 1000
        queries = response.getheader("X-Bench-Queries")
        return Sample(
            status=response.status,
            wall_ms=wall,
            server_ms=_float(response.getheader("X-Bench-Server-Ms")),
            sql_ms=_float(response.getheader("X-Bench-SQL-Ms")),
            cpu_ms=_float(response.getheader("X-Bench-CPU-Ms")),
            queries=int(queries) if queries is not None else None,
            size=len(body),
            location=response.getheader("Location"),
        )

    def close(self):
        self.connection.close()


def run_sequential(client: HttpClient, requests: list[Request]) -> tuple[list[Sample], float]:
    started = time.perf_counter()
    samples = [client.send(request) for request in requests]
    return samples, time.perf_counter() - started


def run_concurrent(clients: list[HttpClient], requests: list[Request]) -> tuple[list[Sample], float]:
    """Every client sends its share of `requests` (round robin) at the same time; returns the samples
    and the wall time of the whole batch."""
    shares = [requests[i :: len(clients)] for i in range(len(clients))]
    results: list[list[Sample]] = [[] for _ in clients]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(clients) + 1)

    def work(index: int):
        barrier.wait()
        try:
            results[index] = [clients[index].send(request) for request in shares[index]]
        except BaseException as error:  # re-raised in the caller
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return [sample for share in results for sample in share], elapsed


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (p50 of 200 values is the 100th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "mean": statistics.fmean(values) if values else None,
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "n": len(values),
    }
