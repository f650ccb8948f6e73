"""The pure capacity maths: buckets, working days, absences, % and hours demand, load bands, strict rule."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.capacity import (
    AllocationFact,
    Cell,
    ResourceFact,
    buckets,
    capacity_days,
    first_overload,
    person_rows,
    role_rows,
    working_days,
)

MON = date(2026, 11, 23)  # a Monday with no public holiday that week


def test_weeks_start_on_monday_and_count_french_working_days():
    weeks = buckets(date(2026, 12, 23), 3, "week")  # a Wednesday
    assert [w.start for w in weeks] == [date(2026, 12, 21), date(2026, 12, 28), date(2027, 1, 4)]
    assert [w.working_days for w in weeks] == [4, 4, 5]  # Christmas, New Year's Day


def test_months_cover_the_calendar_month():
    months = buckets(date(2026, 5, 17), 2, "month")
    assert (months[0].start, months[0].end) == (date(2026, 5, 1), date(2026, 5, 31))
    assert months[0].working_days == 17  # 21 weekdays less May 1, May 8, Ascension (14), Whit Monday (25)
    assert months[1].start == date(2026, 6, 1)


def test_working_days_is_inclusive_and_zero_when_reversed():
    assert working_days(MON, MON) == 1
    assert working_days(MON, date(2026, 11, 29)) == 5
    assert working_days(date(2026, 11, 29), MON) == 0


def test_capacity_days_respect_availability_and_absences():
    person = ResourceFact(
        id=1,
        daily_hours=7,
        available_from=date(2026, 11, 25),
        absences=((date(2026, 11, 26), date(2026, 11, 26)),),
    )
    assert capacity_days(person, MON, date(2026, 11, 29)) == 2  # Wed and Fri


def test_a_percent_allocation_follows_absences_an_hours_one_does_not():
    person = ResourceFact(id=1, daily_hours=7, absences=((MON, date(2026, 11, 29)),))
    week = buckets(MON, 1, "week")
    by_percent = AllocationFact(1, 1, 9, MON, date(2026, 11, 29), percent=50)
    by_hours = AllocationFact(2, 1, 9, MON, date(2026, 11, 29), hours_per_week=10)
    row = person_rows([person], [by_percent, by_hours], week)[1]
    cell = row.cells[0]
    assert cell.capacity == 0
    assert cell.confirmed + cell.requested == pytest.approx(10.0)
    assert cell.level == "critical" and cell.load is None and cell.overloaded


def test_person_row_sums_confirmed_and_requested_per_bucket():
    person = ResourceFact(id=1, daily_hours=7 * 0.8)  # 80 % of 35 h
    weeks = buckets(MON, 2, "week")
    rows = person_rows(
        [person],
        [
            AllocationFact(1, 1, 9, MON, date(2026, 12, 6), percent=50, confirmed=True),
            AllocationFact(2, 1, 9, date(2026, 11, 30), date(2026, 12, 6), percent=60),
        ],
        weeks,
    )
    first, second = rows[1].cells
    assert first.capacity == pytest.approx(28.0)
    assert (first.confirmed, first.requested) == (pytest.approx(14.0), 0)
    assert (second.confirmed, second.requested) == (pytest.approx(14.0), pytest.approx(16.8))
    assert second.load == pytest.approx(110.0) and second.level == "over"
    assert first.level == "low"


def test_role_rows_add_up_people_and_unstaffed_demand():
    weeks = buckets(MON, 1, "week")
    people = [(5, ResourceFact(id=1, daily_hours=7)), (5, ResourceFact(id=2, daily_hours=7))]
    demand = [
        AllocationFact(1, 1, 5, MON, date(2026, 11, 29), percent=100, confirmed=True),
        AllocationFact(2, None, 5, MON, date(2026, 11, 29), percent=100),  # a role demand: 7 h a day
        AllocationFact(3, None, 6, MON, date(2026, 11, 29), percent=50),  # a role nobody holds
    ]
    rows = role_rows(people, demand, weeks)
    assert rows[5].cells[0].capacity == 70
    assert rows[5].cells[0].allocated == pytest.approx(70)
    assert rows[6].cells[0].capacity == 0 and rows[6].cells[0].allocated == pytest.approx(17.5)


@pytest.mark.parametrize(
    ("capacity", "booked", "level"),
    [
        (0, 0, "empty"),
        (35, 0, "empty"),
        (35, 10, "low"),
        (35, 24.5, "ok"),
        (35, 35, "ok"),
        (35, 36, "over"),
        (35, 43, "critical"),
        (0, 1, "critical"),
    ],
)
def test_load_bands(capacity, booked, level):
    assert Cell(capacity=capacity, confirmed=booked).level == level


def test_first_overload_names_the_week():
    person = ResourceFact(id=1, daily_hours=7)
    bookings = [
        AllocationFact(1, 1, 9, MON, date(2026, 12, 20), percent=60),
        AllocationFact(2, 1, 9, date(2026, 12, 7), date(2026, 12, 13), percent=50),
    ]
    bucket, cell = first_overload(person, bookings, MON, date(2026, 12, 20))
    assert bucket.start == date(2026, 12, 7)
    assert cell.allocated == pytest.approx(38.5)
    assert first_overload(person, bookings[:1], MON, date(2026, 12, 20)) is None


@settings(max_examples=60, deadline=None)
@given(
    shares=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=12),
    offset=st.integers(min_value=0, max_value=300),
)
def test_percent_bookings_overload_exactly_when_shares_exceed_100(shares, offset):
    start = date.fromordinal(MON.toordinal() + offset)
    person = ResourceFact(id=1, daily_hours=7, absences=((start, start),))
    end = date.fromordinal(start.toordinal() + 20)
    bookings = [AllocationFact(i, 1, 9, start, end, percent=s) for i, s in enumerate(shares)]
    overloaded = first_overload(person, bookings, start, end) is not None
    assert overloaded == (sum(shares) > 100)
