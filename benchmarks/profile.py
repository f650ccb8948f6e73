"""Profile one operation of the registry in-process, on the benchmark database.

    python -m benchmarks.profile list-api [requests]     # cProfile top functions + the SQL of one request

For a live server, py-spy works too: `py-spy record -o flame.svg --pid <gunicorn worker pid>` while
`make bench` runs (py-spy is not a project dependency: `pip install py-spy` for yourself).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time


def main(argv: list[str]) -> None:
    from benchmarks.run import bench_env

    os.environ.update(
        {k: v for k, v in bench_env().items() if k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks import context
    from benchmarks.operations import BY_KEY
    from benchmarks.smoke import _send as send

    if not argv or argv[0] not in BY_KEY:
        raise SystemExit(f"usage: python -m benchmarks.profile OP [requests]; OP in {', '.join(BY_KEY)}")
    operation = BY_KEY[argv[0]]
    count = int(argv[1]) if len(argv) > 1 else 50
    ctx = context.resolve()
    client = Client(HTTP_ACCEPT_LANGUAGE="fr", enforce_csrf_checks=False)
    username = ctx.pmo_username if operation.user == "pmo" else ctx.pm_username
    key = context.new_session(username)
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    if operation.writer is not None:
        actor = get_user_model().objects.get(username=ctx.pmo_username)
        operation.writer.restore(actor=actor)
        requests = operation.writer.prepare(ctx, count + 6, actor=actor)
    else:
        requests = [operation.read_request(ctx)] * (count + 6)
    try:
        for request in requests[:5]:
            send(client, request)
        with CaptureQueriesContext(connection) as queries:
            response = send(client, requests[5])
        first = requests[5]
        print(f"{first.method} {first.path} -> {response.status_code}, {len(response.content)} bytes")
        for query in queries.captured_queries:
            print(f"  {query['time']} s  {query['sql'][:300]}")
        half = len(requests[6:]) // 2
        cpu, wall = time.process_time(), time.perf_counter()
        for request in requests[6 : 6 + half]:
            send(client, request)
        if half:
            cpu_ms = (time.process_time() - cpu) / half * 1000
            wall_ms = (time.perf_counter() - wall) / half * 1000
            print(f"\nwithout the profiler: {cpu_ms:.1f} ms CPU, {wall_ms:.1f} ms wall per request")
        requests = requests[:6] + requests[6 + half :]
        count = len(requests[6:])
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for request in requests[6:]:
            send(client, request)
        profiler.disable()
        elapsed = (time.perf_counter() - started) / count * 1000
        print(f"\n{count} requests in-process: {elapsed:.1f} ms each (with the profiler's overhead)\n")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(
            *(os.environ.get("PROFILE_FILTER", "") and [os.environ["PROFILE_FILTER"]]),
            int(os.environ.get("PROFILE_TOP", 40)),
        )
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    finally:
        context.drop_sessions([key])
        if operation.writer is not None:
            operation.writer.restore(actor=actor)


if __name__ == "__main__":
    main(sys.argv[1:])
