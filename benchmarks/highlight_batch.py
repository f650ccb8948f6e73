"""The Friday highlight batch, measured in process: one run per active project (as
reporting.tasks.weekly_highlights queues them), each generated and stored as the worker does
(reporting.generators.highlight.generate, then reporting.services.finish_run).

    DATABASE_URL=postgres://... python -m benchmarks.highlight_batch [--limit N] [--portfolio CODE]
        [--period YYYY-MM-DD]

Prints the total, the time per report (mean, median, p95, max) split into reading the data, rendering
and saving, the queries per report and the pages. The week's reports of the measured projects are
deleted first, so the batch can be run again. Not for production databases.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date


def main(argv=None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.local")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django.utils.translation import override

    from pmo.core.periods import week_start
    from projects.models import Project
    from reporting import services
    from reporting.generators.highlight import generate
    from reporting.models import HighlightReport, ReportRun

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="measure the first N active projects only")
    parser.add_argument("--portfolio", default=None, help="only the projects of this portfolio (code)")
    parser.add_argument(
        "--period", type=date.fromisoformat, default=None, help="a day of the week (default: this week)"
    )
    args = parser.parse_args(argv)

    period = week_start(args.period or timezone.localdate())
    active = Project.objects.filter(state=Project.State.ACTIVE, archived_at__isnull=True)
    if args.portfolio:
        active = active.filter(portfolio__code=args.portfolio)
    projects = list(active.select_related("portfolio").order_by("portfolio__code", "code")[: args.limit])
    ids = [p.pk for p in projects]
    stale = ReportRun.objects.filter(kind=ReportRun.Kind.HIGHLIGHT, project_id__in=ids, period=period)
    HighlightReport.objects.filter(run__in=stale).delete()
    stale.delete()
    total_projects = Project.objects.count()

    rows = []
    started = time.perf_counter()
    with override(settings.LANGUAGE_CODE):
        for project in projects:
            run = ReportRun.objects.create(
                kind=ReportRun.Kind.HIGHLIGHT,
                key=ReportRun.make_key("highlight", scope=f"project-{project.pk}", period=period),
                project=project,
                period=period,
                status=ReportRun.Status.RUNNING,
            )
            marks = {}

            def progress(percent, step="", marks=marks):
                marks[percent] = time.perf_counter()

            begin = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                rendered = generate(run, progress)
                saved_at = time.perf_counter()
                services.finish_run(run, rendered)
            end = time.perf_counter()
            rows.append(
                {
                    "code": project.code,
                    "total": end - begin,
                    "data": marks[50] - marks[10],
                    "render": marks[90] - marks[50],
                    "save": (saved_at - marks[90]) + (end - saved_at),
                    "queries": len(queries),
                    "pages": rendered.page_count,
                    "bytes": len(rendered.content),
                }
            )
    elapsed = time.perf_counter() - started
    if not rows:
        print("No active project.")
        return 1

    def stats(key, scale=1000.0):
        values = sorted(r[key] * scale for r in rows)
        p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
        mean, median = statistics.mean(values), statistics.median(values)
        return f"mean {mean:.0f} ms, median {median:.0f} ms, p95 {p95:.0f} ms, max {values[-1]:.0f} ms"

    warm = rows[1:] or rows
    print(
        f"HIGHLIGHT-BATCH database projects={total_projects} measured={len(rows)} period={period.isoformat()}"
    )
    print(
        f"HIGHLIGHT-BATCH total {elapsed:.1f} s for {len(rows)} reports "
        f"({elapsed / len(rows) * 1000:.0f} ms per report)"
    )
    print(f"HIGHLIGHT-BATCH first report (cold imports) {rows[0]['total'] * 1000:.0f} ms")
    print(f"HIGHLIGHT-BATCH per report   {stats('total')}")
    print(f"HIGHLIGHT-BATCH  read data   {stats('data')}")
    print(f"HIGHLIGHT-BATCH  render PDF  {stats('render')}")
    print(f"HIGHLIGHT-BATCH  save        {stats('save')}")
    queries = sorted({r["queries"] for r in warm})
    pages = sorted({r["pages"] for r in rows})
    size = statistics.mean(r["bytes"] for r in rows) / 1024
    print(f"HIGHLIGHT-BATCH queries per report {queries}, pages {pages}, mean size {size:.0f} KiB")
    slowest = max(rows, key=lambda r: r["total"])
    print(f"HIGHLIGHT-BATCH slowest {slowest['code']} {slowest['total'] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
