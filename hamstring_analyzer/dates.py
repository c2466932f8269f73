"""Days: the one place that makes, moves and writes the calendar days of runs, weeks, flags and episodes (issue 25).

A day is a calendar date. In frames it is carried as a *label*: a tz-aware
pandas Timestamp at local midnight in the runner's zone (`day`, `days`). A
midnight that a clock change skips moves forward to the first valid time
(Santiago, Havana in spring); a midnight that happens twice is the later one
(Havana in autumn). Every label is made by localizing a calendar date here,
never by adding a Timedelta or a DateOffset to another label: those keep 24
hours or a wall time that may not exist, so a label built by adding would not
be found in an index built by localizing.

Every function takes a ``datetime.date``, a label (or any datetime: its own
wall-clock date) and gives back the same kind, so code can move from dates to
labels one step at a time. Pure Python at import: pandas is imported inside
the functions that need it (the symptom log commands load no pandas).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

#: The days a week may start on (`Config.week_start`), as Python's weekday numbers.
WEEK_START_DAYS = {"monday": 0, "sunday": 6}
#: A midnight that happens twice: False is the later one (standard time), as ``tz_localize(ambiguous=False)``.
AMBIGUOUS = False
#: A midnight that a clock change skips: the first valid time after it.
NONEXISTENT = "shift_forward"
#: 1970-01-01's ordinal: datetime64 counts days from it.
_EPOCH = dt.date(1970, 1, 1).toordinal()


def calendar_date(x) -> dt.date:
    """The calendar date of ``x``: a date as it is, a datetime (a label, a run's start) by its own wall clock, "YYYY-MM-DD" parsed."""
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, str):
        return dt.date.fromisoformat(x[:10])
    raise TypeError(f"not a day: {x!r}")


def day(x, zone):
    """The label of ``x``'s calendar date in ``zone``: a tz-aware Timestamp at its local midnight (see the module's rules).

    ``zone`` None gives a Timestamp without zone.
    """
    return _label(calendar_date(x).toordinal(), zone)


@lru_cache(maxsize=8192)
def _label(ordinal: int, zone):
    import pandas as pd

    naive = pd.Timestamp(dt.date.fromordinal(ordinal))
    return naive if zone is None else naive.tz_localize(zone, ambiguous=AMBIGUOUS, nonexistent=NONEXISTENT)


def days(values, zone):
    """The labels of many days in ``zone`` (a tz-aware DatetimeIndex), each as `day` makes it, vectorised.

    ``values``: dates, datetimes or labels (each its own wall-clock date), or a datetime64 column or index.
    """
    import numpy as np
    import pandas as pd

    if isinstance(values, (pd.Series, pd.Index)) and pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.DatetimeIndex(values)
        wall = stamps.tz_localize(None) if stamps.tz is not None else stamps  # the wall clock, not the UTC date
        numbers = wall.to_numpy().astype("datetime64[D]").astype("int64")
    else:
        numbers = np.array([calendar_date(v).toordinal() - _EPOCH for v in values], dtype="int64")
    naive = pd.DatetimeIndex(numbers.astype("datetime64[D]").astype("datetime64[s]"))
    if zone is None:
        return naive
    return naive.tz_localize(zone, ambiguous=np.full(len(naive), AMBIGUOUS), nonexistent=NONEXISTENT)


def add_days(d, n: int):
    """The day ``n`` calendar days after ``d`` (before, for negative ``n``), of ``d``'s kind: a date, or a label in ``d``'s zone.

    A label is localized again, never moved by 24-hour steps (across a clock
    change that lands an hour off midnight, maybe on the day before).
    """
    moved = dt.date.fromordinal(calendar_date(d).toordinal() + n)
    return day(moved, d.tzinfo) if isinstance(d, dt.datetime) else moved


def days_between(a, b) -> int:
    """Calendar days from ``a`` to ``b`` (negative when ``b`` is before), counted on the calendar, not in 24-hour steps."""
    return day_number(b) - day_number(a)


def within(d, first=None, last=None) -> bool:
    """Whether ``d``'s calendar date lies from ``first`` to ``last`` (both included; None leaves that end open), whatever their kinds.

    Where days of different sources meet (a symptom and a week, a hole and a
    period, a run's wall clock and ``until``), they are compared as calendar
    dates: a date and a label, or labels of two zones, never meet otherwise.
    """
    on = calendar_date(d)
    return (first is None or calendar_date(first) <= on) and (last is None or on <= calendar_date(last))


def day_number(d) -> int:
    """``d``'s day number: its calendar date's ordinal (1 for 1 Jan of year 1), what hot loops and arrays count in."""
    return calendar_date(d).toordinal()


def day_numbers(values):
    """The day numbers of many days, as `day_number` gives each (an int64 array)."""
    import numpy as np

    return np.fromiter((day_number(v) for v in values), dtype="int64", count=len(values))


def day_range(first, last, step: int = 1) -> list:
    """The days from ``first`` to ``last`` (both included, when ``step`` reaches it) every ``step`` days, of ``first``'s kind."""
    if isinstance(first, dt.datetime):  # labels: each localized in its zone (`add_days`)
        return [add_days(first, n) for n in range(0, days_between(first, last) + 1, step)]
    start = calendar_date(first).toordinal()  # dates: `add_days` without its tests per day
    return [dt.date.fromordinal(start + n) for n in range(0, days_between(first, last) + 1, step)]


def day_iso(d) -> str:
    """``d``'s calendar date as "YYYY-MM-DD", whichever kind it is: every JSON field, id, file name and message writes days so."""
    return calendar_date(d).isoformat()


def week_start(d, first: str = "monday"):
    """The first day of ``d``'s week, of ``d``'s kind: its Monday, or its Sunday with ``first="sunday"``."""
    return add_days(d, -((calendar_date(d).weekday() - WEEK_START_DAYS[first]) % 7))


def week_start_number(n, first: str = "monday"):
    """`week_start` in day numbers (`day_number`): of one number, or of a numpy array of them at once.

    Day number 1 (1 Jan of year 1) is a Monday, so a day's weekday is ``(n - 1) % 7``.
    """
    return n - ((n - 1 - WEEK_START_DAYS[first]) % 7)
