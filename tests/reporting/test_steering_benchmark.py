"""Render time and page count of the steering committee pack, for the demo portfolio and for 50
projects, with the real Chromium and WeasyPrint. Prints STEERING-BENCH lines (wall and CPU seconds
of this process at each stage: data read, charts exported, HTML rendered, PDF laid out):

    TEST_DATABASE_NAME=test_steering pytest tests/reporting/test_steering_benchmark.py -s

The bound asserted is loose (the machine running the suite is shared); the figures are reported.
"""

import io
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from portfolio.models import Portfolio
from reporting.generators import steering
from reporting.models import ReportRun
from tests.reporting.test_steering_data import MEETING, build_projects

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

LOOSE_BOUND_SECONDS = 90


def run_for(portfolio, user) -> ReportRun:
    return ReportRun.objects.create(
        kind=ReportRun.Kind.STEERING,
        key=ReportRun.make_key("steering", scope=f"portfolio-{portfolio.pk}", period=MEETING),
        portfolio=portfolio,
        period=MEETING,
        status=ReportRun.Status.RUNNING,
        requested_by=user,
    )


def measure(label: str, run: ReportRun):
    started = time.perf_counter()
    rendered = steering.generate(run, lambda percent, step="": None)
    wall = time.perf_counter() - started
    stages = " ".join(
        f"{name}={lap['wall']:.2f}s/{lap['cpu']:.2f}cpu" for name, lap in rendered.extra["seconds"].items()
    )
    print(
        f"\nSTEERING-BENCH {label}: {rendered.extra['projects']} projects, "
        f"{rendered.extra['project_pages']} project pages, {rendered.page_count} pages, "
        f"{len(rendered.content) // 1024} KB, {wall:.2f} s ({stages})"
    )
    assert wall < LOOSE_BOUND_SECONDS
    return rendered


def test_benchmark_demo_portfolio():
    call_command("seed_demo", stdout=io.StringIO())
    portfolio = Portfolio.objects.get(name="DSI Groupe")
    pmo = portfolio.memberships.get(role="pmo").user

    rendered = measure("demo DSI Groupe", run_for(portfolio, pmo))

    assert rendered.page_count >= 10


def test_benchmark_fifty_projects(world):
    build_projects(
        world.portfolio_a,
        count=48,  # with A1 and A2: 50
        manager=world.users["pm_a"],
        sponsor=world.users["sponsor"],
        as_of=min(MEETING, timezone.localdate()),
    )

    rendered = measure("50 projects", run_for(world.portfolio_a, world.users["pmo_a"]))

    assert rendered.extra["projects"] == 50
