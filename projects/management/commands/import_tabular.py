"""Check (and with --apply, apply) an Excel/CSV import from the command line, with its figures:
the same reader and engine as the pages, one JSON object on stdout (times, peak memory, errors)."""

import json
import resource
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from portfolio.models import Portfolio
from projects.tabular import engine, reader
from projects.tabular.safety import TabularFileError


class Rollback(Exception):
    pass


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Command(BaseCommand):
    help = "Check or apply an Excel (.xlsx) or CSV import into a portfolio; prints JSON figures."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username of the person importing")
        parser.add_argument("--portfolio", required=True, help="portfolio id or code")
        parser.add_argument("--object-type", default="", help="for a CSV: projects, milestones, ...")
        parser.add_argument("--apply", action="store_true", help="apply when every row is valid")
        parser.add_argument("--rollback", action="store_true", help="apply, then roll back (measurements)")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Unknown user {options['user']}")
        key = options["portfolio"]
        portfolio = Portfolio.objects.filter(Q(code=key) | Q(pk=int(key) if key.isdigit() else None)).first()
        if portfolio is None:
            raise CommandError(f"Unknown portfolio {key}")
        started = time.monotonic()
        figures: dict = {"file": str(options["file"]), "bytes": options["file"].stat().st_size}
        try:
            read = reader.read_file(
                filename=options["file"].name,
                data=options["file"].read_bytes(),
                object_type=options["object_type"],
            )
        except TabularFileError as error:
            figures.update(
                state="refused",
                message=error.message,
                seconds=round(time.monotonic() - started, 2),
                peak_rss_mb=peak_rss_mb(),
            )
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        figures.update(rows=read.row_count, seconds_read=round(time.monotonic() - started, 2))
        checked = time.monotonic()
        plan = engine.plan_import(actor=user, portfolio=portfolio, read=read)
        figures.update(
            seconds_check=round(time.monotonic() - checked, 2),
            totals=plan.totals(),
            error_count=plan.error_count,
            errors=[e.as_json() for e in plan.errors[:5]],
            state="ready" if plan.ok else "invalid",
        )
        if plan.ok and (options["apply"] or options["rollback"]):
            applying = time.monotonic()
            try:
                with transaction.atomic():
                    engine.apply_import(actor=user, portfolio=portfolio, read=read, reason="import_tabular")
                    figures["seconds_apply"] = round(time.monotonic() - applying, 2)
                    if options["rollback"]:
                        raise Rollback
                figures["state"] = "applied"
            except Rollback:
                figures["state"] = "applied, rolled back"
        figures.update(seconds=round(time.monotonic() - started, 2), peak_rss_mb=peak_rss_mb())
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
