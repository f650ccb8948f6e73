"""RELIABILITY row 19 (fast variants, 10,000 rows): one bad row → nothing written; 100 scattered bad
rows → all reported; a valid file → exactly 10,000 rows and 10,000 audit events; the same file again
→ no duplicate; ≤ 60 s per 10,000 rows. The SIGKILL of a worker is in `make reliability`."""

import time

import pytest
from django.db import connection

from projects.models import Risk
from projects.tabular import engine
from tests.tabular.conftest import event_model
from tests.tabular.helpers import csv_file, row, workbook

pytestmark = pytest.mark.django_db
ROWS = 10_000


def _rows(bad: set[int] = frozenset()) -> list[list]:
    """Data row i (sheet row i + 1); a bad row has probability 9."""
    return [
        row(
            "risks",
            project="a1",
            title=f"Risque {i:05d}",
            probability=9 if i + 1 in bad else 1 + i % 5,
            impact=2,
        )
        for i in range(1, ROWS + 1)
    ]


def test_one_bad_row_at_9999_writes_nothing(world, apply_file):
    data = workbook({"risks": _rows(bad={9_999})})
    with pytest.raises(engine.ImportRefused) as refused:
        apply_file(world.users["pmo_a"], world.portfolio_a, data)
    assert [(e.row, e.column) for e in refused.value.plan.errors] == [(9_999, "Probabilité (1-5)")]
    assert Risk.objects.count() == 0


def test_a_hundred_scattered_bad_rows_are_all_reported(world, plan_of):
    bad = set(range(2, ROWS + 1, 99))  # 2, 101, 200, ... : 102 rows; keep 100
    bad = set(sorted(bad)[:100])
    plan = plan_of(world.users["pmo_a"], world.portfolio_a, workbook({"risks": _rows(bad=bad)}))
    assert plan.error_count == 100
    assert {e.row for e in plan.errors} == bad


def test_ten_thousand_rows_written_audited_once_and_not_duplicated(world, apply_file):
    data = csv_file(
        "risks",
        [
            {"project": "a1", "title": f"Risque {i:05d}", "probability": 1 + i % 5, "impact": 2}
            for i in range(ROWS)
        ],
    )
    events = event_model(Risk).objects
    started = time.monotonic()

    apply_file(world.users["pmo_a"], world.portfolio_a, data, name="r.csv")

    seconds = time.monotonic() - started
    assert Risk.objects.count() == ROWS
    assert events.filter(pgh_label="insert").count() == ROWS
    assert seconds < 60, f"{seconds:.1f} s for {ROWS} rows"

    plan = apply_file(world.users["pmo_a"], world.portfolio_a, data, name="r.csv")

    assert plan.totals() == {"create": 0, "update": 0, "unchanged": ROWS}
    assert Risk.objects.count() == ROWS and events.count() == ROWS
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT title FROM projects_risk"
            " GROUP BY project_id, title HAVING count(*) > 1) d"
        )
        assert cursor.fetchone()[0] == 0
