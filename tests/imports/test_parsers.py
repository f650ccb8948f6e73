"""MSPDI and XER parsers on the real sample files and on broken ones (no database)."""

import time
from datetime import date
from decimal import Decimal

import pytest

from projects.imports.common import MAX_BYTES, ScheduleImportError, spread_by_month
from projects.imports.mspdi import parse_mspdi
from projects.imports.schedule import parse_schedule
from projects.imports.xer import parse_xer
from tests.imports.helpers import milestone, mspdi, phase, sample, work


def _by_name(schedule, name):
    return next(t for t in schedule.tasks if t.name == name)


def test_mspdi_sample_gives_one_milestone_phases_and_costs():
    schedule = parse_mspdi(sample("msproject-sample.xml"))

    assert (schedule.name, schedule.start, schedule.finish) == ("sample", date(2003, 1, 7), date(2003, 3, 18))
    assert len(schedule.tasks) == 19  # the project summary task (outline level 0) is not a task
    assert [(t.uid, t.name, t.wbs_path) for t in schedule.milestones] == [
        ("3", "Third task", ("First Task",))
    ]
    third = schedule.milestones[0]
    assert (third.baseline, third.forecast, third.actual, third.percent_complete) == (
        None,
        date(2003, 1, 7),
        None,
        0,
    )
    assert _by_name(schedule, "Recurring Task 1").wbs_path == (
        "Recurring Task",
    )  # outline level 1 in the file
    # leaf costs only: the summaries roll up the same 352,625 (counting them would triple it)
    assert schedule.costs.total("planned") == Decimal("352625.00")
    assert schedule.costs.total("forecast") == Decimal("352625.00")
    assert schedule.costs.total("actual") == Decimal("0")
    assert schedule.costs.months() == [date(2003, 1, 1), date(2003, 2, 1), date(2003, 3, 1)]


def test_mspdi_baselines_reads_baseline_zero_only():
    schedule = parse_mspdi(sample("msproject-baselines.xml"))

    task = _by_name(schedule, "Task One")
    assert task.baseline is None  # the file has baselines 1 to 10, not baseline 0
    assert schedule.milestones == []


def test_mspdi_relations_has_five_tasks_and_no_milestone():
    schedule = parse_mspdi(sample("msproject-relations.xml"))

    assert [t.name for t in schedule.tasks] == ["Task 1", "Task 2", "Task 3", "Task 4", "Task 5"]
    assert schedule.milestones == [] and not schedule.cost_loaded


def test_mspdi_baseline_actual_percent_and_zero_duration_tasks():
    data = mspdi(
        phase(1, "Conception"),
        milestone(2, "Go conception", "2026-03-02", baseline="2026-02-23", actual="2026-03-03", percent=100),
        {**work(3, "Revue", "2026-03-10", "2026-03-10"), "Duration": "PT0H0M0S"},
        work(4, "Build", "2026-01-05", "2026-02-27", cost=1000, actual_cost=250, baseline_cost=900),
    )

    schedule = parse_mspdi(data)

    go, review = schedule.milestones
    assert (go.uid, go.baseline, go.forecast, go.actual, go.percent_complete, go.wbs_path) == (
        "2",
        date(2026, 2, 23),
        date(2026, 3, 3),
        date(2026, 3, 3),
        100,
        ("Conception",),
    )
    assert (review.name, review.is_milestone) == ("Revue", True)  # zero duration, not flagged
    assert schedule.costs.total("planned") == Decimal("900.00")  # baseline cost wins over cost
    assert schedule.costs.total("forecast") == Decimal("1000.00")
    assert schedule.costs.total("actual") == Decimal("250.00")


def test_xer_sp10_cost_loaded_milestones_dates_and_totals():
    started = time.perf_counter()
    schedule = parse_xer(sample("p6-sp10-cost-loaded.xer"))
    elapsed = time.perf_counter() - started

    assert schedule.name == "HS2-LWM-IMP-040-20"
    assert len(schedule.tasks) == 3994
    assert len(schedule.milestones) == 1368  # 319 start + 1037 finish milestones + 12 zero-duration tasks
    done = _by_name(schedule, "Land Access  Granted for Survey Work (Schedule 2)")
    assert (done.baseline, done.forecast, done.actual, done.percent_complete) == (
        date(2017, 6, 13),
        date(2017, 6, 19),
        date(2017, 6, 19),
        100,
    )
    assert done.wbs_path[0] == "HS2 Phase 1 - Central - Enabling Works Contract"
    planting = _by_name(schedule, "Call off of Landscape Planting")
    assert (planting.baseline, planting.forecast, planting.actual) == (
        date(2018, 7, 19),
        date(2018, 7, 19),
        None,
    )
    assert schedule.costs.total("planned") == Decimal("215918496.68")
    assert schedule.costs.total("actual") == Decimal("16001858.60")
    assert schedule.costs.total("forecast") == Decimal("217652329.92")
    assert len(schedule.costs.months()) == 49
    # corrupt years (4637) in the file are reported, not spread over 2,600 years
    assert schedule.costs.months()[-1] == date(2020, 11, 1)
    assert any("date illisible" in w for w in schedule.warnings)
    assert elapsed < 5


def test_xer_small_one_activity_no_cost():
    schedule = parse_xer(sample("p6-small.xer"))

    assert (schedule.name, len(schedule.tasks), len(schedule.milestones)) == ("TEST PROJECT", 1, 0)
    assert not schedule.cost_loaded
    assert "Pas de table TASKRSRC : le fichier n'est pas chargé en coûts." in schedule.warnings


def test_xer_invalid_sample_is_a_clean_partial_read_with_warnings():
    schedule = parse_xer(sample("p6-invalid.xer"))

    assert (schedule.name, len(schedule.tasks), len(schedule.milestones)) == ("EC00640", 12, 0)
    assert schedule.warnings[:2] == [
        "Calendrier(s) mal formé(s) ignoré(s) : « Test - Invalid » (les calendriers ne sont pas importés).",
        "Aucun jalon (activité jalon ou de durée nulle) dans ce projet.",
    ]


def test_xer_reads_windows_1252():
    schedule = parse_xer(sample("p6-sp10-cost-loaded.xer").replace(b"HS2-LWM-IMP-040-20", b"HS2 \xa3 plan"))

    assert schedule.name == "HS2 £ plan"


def test_xer_missing_table_is_named():
    data = sample("p6-small.xer")
    without_task = b"\n".join(
        line for line in data.split(b"\n") if not line.startswith((b"%T\tTASK\r", b"%T\tTASK\n", b"%T\tTASK"))
    )

    with pytest.raises(ScheduleImportError, match="table\\(s\\) manquante\\(s\\) : TASK"):
        parse_xer(without_task.replace(b"%T\tTASKPRED", b"%T\tTASKPRED"))


def test_xer_missing_field_is_named():
    data = sample("p6-small.xer").replace(b"\ttarget_end_date\t", b"\tsomething_else\t")

    with pytest.raises(ScheduleImportError, match="TASK n'a pas le\\(s\\) champ\\(s\\) target_end_date"):
        parse_xer(data)


def test_xer_truncated_file_is_refused():
    data = sample("p6-sp10-cost-loaded.xer")

    with pytest.raises(ScheduleImportError, match="tronqué"):
        parse_xer(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("header_patch", "encoding"), [(b"\tUSD", "cp9999"), (b"\tCP9999\tUSD", None)], ids=["asked", "header"]
)
def test_xer_unknown_code_page_is_refused(header_patch, encoding):
    data = sample("p6-small.xer").replace(b"\tUSD", header_patch, 1)

    with pytest.raises(ScheduleImportError, match="Page de codes « (cp|CP)9999 » inconnue"):
        parse_xer(data, encoding=encoding)


def test_truncated_mspdi_is_refused_with_position():
    data = sample("msproject-sample.xml")

    with pytest.raises(ScheduleImportError, match="illisible ou tronqué \\(erreur XML ligne"):
        parse_mspdi(data[: len(data) // 2])


def test_mspdi_entities_are_refused():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x "boom">]>'
        b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks/></Project>'
    )

    with pytest.raises(ScheduleImportError, match="entités"):
        parse_mspdi(data)


def test_xml_that_is_not_a_project_is_refused():
    with pytest.raises(ScheduleImportError, match="n'est pas un projet MS Project"):
        parse_mspdi(b"<?xml version='1.0'?><html><body/></html>")


def test_wrong_file_type_is_refused():
    with pytest.raises(ScheduleImportError, match="Type de fichier non reconnu"):
        parse_schedule(filename="plan.xlsx", data=b"PK\x03\x04 zip content")


def test_size_limit_is_checked_before_parsing():
    started = time.perf_counter()
    with pytest.raises(ScheduleImportError, match="taille maximale de 20 Mo"):
        parse_schedule(filename="big.xer", data=b"ERMHDR" + b"x" * MAX_BYTES)
    assert time.perf_counter() - started < 0.5


def test_spread_by_month_adds_up_to_the_cent():
    parts = spread_by_month(Decimal("1000.00"), date(2026, 1, 20), date(2026, 3, 10))

    assert parts == {
        date(2026, 1, 1): Decimal("240.00"),
        date(2026, 2, 1): Decimal("560.00"),
        date(2026, 3, 1): Decimal("200.00"),
    }
    assert sum(spread_by_month(Decimal("100"), date(2026, 1, 1), date(2026, 3, 31)).values()) == Decimal(
        "100.00"
    )


def test_mspdi_timephased_costs_are_used_when_present():
    data = mspdi(work(1, "Build", "2026-01-05", "2026-03-27", cost=900, actual_cost=100)).replace(
        b"</Tasks>",
        b"</Tasks><Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID>"
        b"<TimephasedData><Type>5</Type><UID>1</UID><Start>2026-01-05T08:00:00</Start>"
        b"<Finish>2026-01-31T17:00:00</Finish><Unit>2</Unit><Value>200</Value></TimephasedData>"
        b"<TimephasedData><Type>5</Type><UID>1</UID><Start>2026-03-02T08:00:00</Start>"
        b"<Finish>2026-03-27T17:00:00</Finish><Unit>2</Unit><Value>700</Value></TimephasedData>"
        b"<TimephasedData><Type>6</Type><UID>1</UID><Start>2026-02-02T08:00:00</Start>"
        b"<Finish>2026-02-27T17:00:00</Finish><Unit>2</Unit><Value>100</Value></TimephasedData>"
        b"</Assignment></Assignments>",
    )

    schedule = parse_mspdi(data)

    assert dict(schedule.costs.planned) == {
        date(2026, 1, 1): Decimal("200"),
        date(2026, 3, 1): Decimal("700"),
    }
    assert dict(schedule.costs.actual) == {date(2026, 2, 1): Decimal("100")}
    assert "Coûts mensuels lus dans les données chronologiques (timephased) du fichier." in schedule.warnings
