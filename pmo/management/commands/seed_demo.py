"""Build the deterministic French demo portfolio (and, with --size large, the benchmark volume)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from pmo.core.audit import audit_context
from portfolio.models import Portfolio
from portfolio.seed import DEMO_PEOPLE, seed_large_structure, seed_structure
from projects.seed import seed_history, seed_large_history, seed_large_projects, seed_projects


class Command(BaseCommand):
    help = (
        "Load the demo portfolio: 2 portfolios, 5 programmes, 30 projects with 26 weeks of history "
        "and the demo users (with --size large, 2,000 more projects with two years of history)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["demo", "large"], default="demo")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when portfolios already exist."
        )

    def handle(self, *args, size, if_empty, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self._seed(size=size, if_empty=if_empty)

    def _seed_large(self, *, structure, password, today):
        """The benchmark volume. Its structure and projects are written in one transaction, their
        history one chunk of projects per transaction; a run that stopped half-way is resumed."""
        started = time.monotonic()
        actor = structure.users["pmo"]
        portfolios = list(Portfolio.objects.filter(code__startswith="bench-").order_by("code"))
        count = 0
        if not portfolios:
            with transaction.atomic(), audit_context(actor=actor, reason="seed_demo"):
                portfolios, managers = seed_large_structure(password=password)
                count = seed_large_projects(portfolios=portfolios, managers=managers, today=today)
        with audit_context(actor=actor, reason="seed_demo"):
            large = seed_large_history(portfolios=portfolios, users=structure.users, today=today)
        if not count and not large:
            self.stdout.write("Benchmark portfolios already exist: large seed skipped.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Benchmark volume ready: {count} new projects in {len(portfolios)} portfolios, "
                f"{large['StatusReport']} weekly reports ({time.monotonic() - started:.1f} s)."
            )
        )
        self._counts(large)

    def _counts(self, counts):
        if any(counts.values()):
            self.stdout.write("  " + ", ".join(f"{name}: {n}" for name, n in sorted(counts.items()) if n))

    def _seed(self, *, size, if_empty):
        if not getattr(settings, "ALLOW_DEMO_SEED", False):
            raise CommandError("seed_demo refuses to run under production settings.")
        if if_empty and Portfolio.objects.exists():
            self.stdout.write("Portfolios already exist: demo seed skipped.")
            return
        started = time.monotonic()
        today = timezone.localdate()
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            structure = seed_structure(password=password)
            with audit_context(actor=structure.users["pmo"], reason="seed_demo"):
                projects = seed_projects(structure=structure, today=today)
                history = seed_history(structure=structure, projects=projects, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo portfolio ready: {len(projects)} projects, "
                f"{history['StatusReport']} weekly reports ({time.monotonic() - started:.1f} s)."
            )
        )
        self._counts(history)
        if size == "large":
            self._seed_large(structure=structure, password=password, today=today)
        self.stdout.write(
            f"Done in {time.monotonic() - started:.1f} s. Demo logins (password: {password!r}):"
        )
        for username, first, last, *roles in DEMO_PEOPLE:
            described = ", ".join(sorted({str(r.label) for r in roles if r is not None}))
            self.stdout.write(f"  {username:<8} {first} {last} – {described}")
