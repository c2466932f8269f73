"""Days (`dates`): labels at local midnight in zones whose clocks change at, or skip, or repeat midnight (issue 25)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.dates import add_days, calendar_date, day, day_iso, day_numbers, day_range, days, days_between, week_start, within

#: London and New York change at 01:00/02:00, Santiago skips midnight, Havana skips and repeats it, Lord Howe moves half an hour.
ZONES = ["Europe/London", "America/New_York", "America/Santiago", "America/Havana", "Australia/Lord_Howe", dt.timezone(dt.timedelta(hours=1))]

any_day = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
zones = st.sampled_from(ZONES)
settle = settings(max_examples=300, deadline=None)


@settle
@given(any_day, zones)
def test_a_label_is_its_day_in_its_zone(d, zone):
    label = day(d, zone)
    assert label.tzinfo is not None and calendar_date(label) == d
    assert day_iso(label) == day_iso(d) == d.isoformat() and day(day_iso(label), zone) == label
    assert label.hour < 2  # midnight, or the first valid time after a skipped one


@settle
@given(any_day, any_day, zones)
def test_days_between_counts_the_calendar(a, b, zone):
    assert days_between(day(a, zone), day(b, zone)) == days_between(a, b) == (b - a).days


@settle
@given(any_day, st.integers(-800, 800), zones)
def test_adding_days_commutes_with_labelling(d, n, zone):
    moved = add_days(day(d, zone), n)
    assert moved == day(add_days(d, n), zone) and calendar_date(moved) == d + dt.timedelta(days=n)
    assert moved.tzinfo is not None and add_days(d, n) == d + dt.timedelta(days=n)


@settle
@given(st.lists(any_day, min_size=1, max_size=40), zones)
def test_labels_are_monotone_and_vectorised_alike(ds, zone):
    ds = sorted(ds)
    labels = days(ds, zone)
    assert list(labels) == [day(d, zone) for d in ds]
    assert labels.is_monotonic_increasing
    assert list(days(pd.Series(ds, dtype=object), zone)) == list(labels)
    assert list(days(labels, zone)) == list(labels)  # labels come back as they are


@settle
@given(any_day, st.sampled_from(["monday", "sunday"]), zones)
def test_a_week_starts_on_its_first_day(d, first, zone):
    start = week_start(day(d, zone), first)
    assert start == day(week_start(d, first), zone)
    assert calendar_date(start).weekday() == {"monday": 0, "sunday": 6}[first] and 0 <= days_between(start, d) < 7


def test_skipped_and_repeated_midnights():
    skipped = day(dt.date(2026, 9, 6), "America/Santiago")  # the clocks go from 00:00 to 01:00
    assert (skipped.hour, calendar_date(skipped)) == (1, dt.date(2026, 9, 6))
    repeated = day(dt.date(2026, 11, 1), "America/Havana")  # 01:00 back to 00:00: the later midnight
    assert repeated.utcoffset() == dt.timedelta(hours=-5)
    assert add_days(day(dt.date(2026, 10, 31), "America/Havana"), 1) == repeated


def test_a_run_abroad_keeps_its_own_wall_clock_date():
    """A Sunday 23:30 run in New York is Monday in London: its day is Sunday, as a London label."""
    start = pd.Timestamp("2026-06-21 23:30", tz="America/New_York")
    assert day(start, "Europe/London") == pd.Timestamp("2026-06-21", tz="Europe/London")
    stamps = pd.Series([start.tz_convert("Asia/Shanghai")])  # a column's wall clock is its own zone's
    assert list(days(stamps, "UTC")) == [pd.Timestamp("2026-06-22", tz="UTC")]


def test_not_a_day():
    with pytest.raises(TypeError):
        calendar_date(3)


def test_day_numbers_and_ranges_count_the_calendar():
    monday = dt.date(2026, 3, 23)
    assert list(day_numbers([monday, day(monday, "Europe/London")])) == [monday.toordinal()] * 2
    assert day_range(monday, dt.date(2026, 4, 6), 7) == [monday, dt.date(2026, 3, 30), dt.date(2026, 4, 6)]
    labels = day_range(day(monday, "Europe/London"), dt.date(2026, 3, 31))
    assert [d.hour for d in labels] == [0] * 9 and labels[-1].date() == dt.date(2026, 3, 31)
    assert day_range(monday, dt.date(2026, 3, 22)) == []


def test_days_of_different_kinds_meet_as_calendar_dates():
    sunday = dt.date(2026, 10, 25)  # London's clocks go back
    assert within(day(sunday, "Europe/London"), dt.date(2026, 10, 19), sunday)
    assert within(sunday, day(sunday, "America/Santiago")) and within(sunday, last="2026-10-25")
    assert not within(dt.datetime(2026, 10, 26, 0, 30), last=sunday) and within(sunday)
