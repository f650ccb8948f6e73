"""ISO-week periods: a status period starts on a Monday."""

from datetime import date, timedelta


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def is_week_start(day: date) -> bool:
    return day.weekday() == 0
