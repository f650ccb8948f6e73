"""Per-request SQL query count and server time in response headers (bench settings only).

Active only in `pmo.settings.bench`: the benchmark client reads `X-Bench-Queries`, `X-Bench-Server-Ms`
`X-Bench-SQL-Ms` and `X-Bench-CPU-Ms` (and the standard `Server-Timing`) without DEBUG's query log.
The CPU time is the worker process's (a sync gunicorn worker serves one request at a time): unlike
wall time, it barely moves when other processes compete for the machine's cores.
"""

import time

from django.db import connections


class _Counter:
    def __init__(self):
        self.queries = 0
        self.sql_seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries += 1
            self.sql_seconds += time.perf_counter() - started


class QueryCountMiddleware:
    """Outermost middleware: counts every query of every database connection used by the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _Counter()
        cpu_started = time.process_time()
        started = time.perf_counter()
        wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        elapsed_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu_started) * 1000
        sql_ms = counter.sql_seconds * 1000
        response["X-Bench-Queries"] = str(counter.queries)
        response["X-Bench-Server-Ms"] = f"{elapsed_ms:.3f}"
        response["X-Bench-SQL-Ms"] = f"{sql_ms:.3f}"
        response["X-Bench-CPU-Ms"] = f"{cpu_ms:.3f}"
        response["Server-Timing"] = f"app;dur={elapsed_ms:.3f}, db;dur={sql_ms:.3f}"
        return response
