"""FIT values no recording can hold: the reader never overflows; a file dated outside 1989..2100 is refused."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hamstring_analyzer import ParseError, read_activities
from hamstring_analyzer import glossary as g
from hamstring_analyzer.readers.fit import FIT_EPOCH_S, MAX_MEAN_SPEED_MPS, RawFit, activities_from_raw, read_fit
from hamstring_analyzer.synthetic import easy_run, write_fit

from ..conftest import examples

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z
EARLIEST = pd.Timestamp("1989-12-31", tz="UTC")
LATEST = pd.Timestamp("2100-01-01", tz="UTC")


def _raw(session: dict | None = None, times=None, laps=(), **records) -> RawFit:
    times = np.arange(T0, T0 + 600, 1.0) if times is None else np.asarray(times, dtype="float64")
    cols = {"timestamp": times, "distance": 3.0 * np.arange(len(times)), "speed": np.full(len(times), 3.0)}
    cols.update(records)
    base = {"start_time": T0, "total_elapsed_time": 599.0, "total_timer_time": 599.0, "total_distance": 1797.0, "sport": "running"}
    return RawFit(
        records=cols,
        sessions=[] if session is None else [{**base, **session}],
        laps=list(laps),
        activity=None,
        file_id={"type": "activity"},
        engine="test",
    )


@pytest.mark.parametrize("engine", ["fitfast", "fitparse"])
def test_a_fit_file_dated_2110_is_refused_with_the_reason(engine):
    data = write_fit(easy_run(dt.datetime(2110, 3, 4, 7, 0), 2.0))
    with pytest.raises(ParseError, match=r"future.fit: timestamps out of range \(dated 2110-03-04 07:00 UTC, after 2100\): the watch's clock was not set\?$"):
        read_fit(data, "future.fit", engine=engine)


def test_a_fit_file_dated_2099_still_reads():
    (act,) = read_activities("late.fit", write_fit(easy_run(dt.datetime(2099, 6, 1, 7, 0), 2.0)))
    assert act.start_utc.year == 2099 and act.distance_m == pytest.approx(2000, abs=20)


@pytest.mark.parametrize(
    "start,reason",
    [
        (pd.Timestamp("2190-05-06T07:00Z").timestamp(), r"dated 2190-05-06 07:00 UTC, after 2100\): the watch's clock was not set\?"),
        (pd.Timestamp("1900-01-01T12:00Z").timestamp(), r"dated 1900-01-01 12:00 UTC, before the FIT epoch \(1989-12-31\)"),
        (1e12, r"dated beyond the year 9999, after 2100"),  # and beyond pandas' Timestamp range (2262)
        (1e308, r"dated beyond the year 9999"),
    ],
)
def test_every_time_outside_1989_to_2100_is_a_parse_error_not_an_overflow(start, reason):
    times = start + np.arange(600.0)
    for session in (None, {"start_time": start}):
        with pytest.raises(ParseError, match=reason):
            activities_from_raw(_raw(session, times=times), "clock.fit")


def test_session_dated_2190_over_good_records_is_ignored():
    (act,) = activities_from_raw(_raw({"start_time": pd.Timestamp("2190-01-01").timestamp()}), "x.fit")
    assert act.start_utc == pd.Timestamp(T0, unit="s", tz="UTC")  # from the records
    assert any("session start_time dated 2190-01-01" in w for w in act.warnings)


def test_a_few_records_dated_2190_are_left_out():
    times = np.arange(T0, T0 + 600, 1.0)
    times[[10, 20]] = pd.Timestamp("2190-01-01").timestamp()
    times[30] = 1e15  # beyond what pandas can hold
    (act,) = activities_from_raw(_raw({}, times=times), "x.fit")
    assert len(act.records) == 597 and act.records.index.max() < LATEST
    assert "3 records dated outside 1989..2100 were left out" in act.warnings


@pytest.mark.parametrize("distance", [-5.0, -1e308, 1e308, math.inf, math.nan, 4e7])
def test_impossible_session_distance_is_left_out_and_records_decide(distance):
    (act,) = activities_from_raw(_raw({"total_distance": distance}), "x.fit")
    assert act.distance_m == 1797.0  # last minus first record distance
    if not math.isnan(distance):  # fitfast and fitparse never give NaN: a NaN total is "absent"
        assert any(w.startswith("session total_distance of") and "impossible" in w for w in act.warnings)


@pytest.mark.parametrize("elapsed", [-1.0, 1e308, math.inf, 5e6])
def test_impossible_session_times_are_left_out(elapsed):
    (act,) = activities_from_raw(_raw({"total_elapsed_time": elapsed, "total_timer_time": elapsed}), "x.fit")
    assert act.elapsed_s == 599.0 and act.moving_s == 599.0  # the records' span
    assert act.distance_m == 1797.0


def test_impossible_lap_values_do_not_overflow_the_lap_table():
    laps = [
        {"start_time": T0, "total_elapsed_time": 1e308, "total_distance": -3.0, "intensity": 0.0},
        {"start_time": T0 + 300, "timestamp": 1e300, "total_timer_time": -1.0, "total_distance": 900.0},
    ]
    (act,) = activities_from_raw(_raw({}, laps=laps), "x.fit")
    assert len(act.laps) == 2
    assert act.laps[g.LAP_END].iloc[0] == act.laps[g.LAP_START].iloc[0]  # no usable end: the start
    assert act.laps[g.LAP_END].iloc[1] == act.laps[g.LAP_START].iloc[1]
    assert np.isnan(act.laps[g.LAP_DISTANCE].iloc[0]) and act.laps[g.LAP_DISTANCE].iloc[1] == 900.0


def test_record_distances_that_are_impossible_leave_the_distance_empty():
    dist = 3.0 * np.arange(600)
    dist[-1] = 1e308
    (act,) = activities_from_raw(_raw(None, distance=dist), "x.fit")
    assert act.distance_m is None
    assert any("distance from the records" in w for w in act.warnings)


def _finite_sane(act) -> None:
    assert act.start_utc is None or EARLIEST <= act.start_utc <= LATEST
    if len(act.records):
        assert EARLIEST <= act.records.index.min() and act.records.index.max() <= LATEST
    for value in (act.elapsed_s, act.moving_s, act.distance_m):
        assert value is None or (math.isfinite(value) and value >= 0)
    if act.elapsed_s is not None and act.moving_s is not None:
        assert act.moving_s <= act.elapsed_s
    if act.distance_m is not None and act.elapsed_s:
        assert act.distance_m <= MAX_MEAN_SPEED_MPS * act.elapsed_s
    for col in (g.LAP_START, g.LAP_END):
        assert act.laps[col].isna().all() or (act.laps[col].min() >= EARLIEST and act.laps[col].max() <= LATEST)


ANY_FLOAT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1e308, 1e308, -1.0, 0.0, 4e7, 5e6, 1e12]),
    st.floats(-1e4, 1e6),
)
ANY_TIME = st.one_of(
    ANY_FLOAT,
    st.floats(pd.Timestamp("1900-01-01").timestamp(), pd.Timestamp("2262-01-01").timestamp()),
    st.floats(T0 - 1e5, T0 + 1e5),
)


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(
    start=ANY_TIME,
    elapsed=ANY_FLOAT,
    timer=ANY_FLOAT,
    distance=ANY_FLOAT,
    first_record=st.one_of(st.floats(T0 - 1e5, T0 + 1e5), ANY_TIME),
    step=st.floats(0.5, 3600.0),
    speed=ANY_FLOAT,
    lap_end=ANY_TIME,
    sessions=st.integers(0, 2),
)
def test_any_summary_values_give_sane_activities_or_parse_error(
    start, elapsed, timer, distance, first_record, step, speed, lap_end, sessions
):
    def given_values(**fields):  # both engines omit invalid values, never give NaN
        return {k: v for k, v in fields.items() if not math.isnan(v)}

    times = first_record + step * np.arange(30.0)
    lap = given_values(start_time=start, timestamp=lap_end, total_elapsed_time=elapsed)
    raw = _raw(None, times=times, laps=[lap], speed=np.full(30, speed))
    raw.sessions = [
        {"sport": "cycling", **given_values(start_time=start + k * 1e3, total_elapsed_time=elapsed, total_timer_time=timer, total_distance=distance)}
        for k in range(sessions)
    ]
    try:
        acts = activities_from_raw(raw, "any.fit")
    except ParseError as exc:
        assert exc.reason
        event("ParseError")
        return
    event("read")
    for act in acts:
        _finite_sane(act)



@pytest.mark.parametrize("engine", ["fitfast", "fitparse"])
def test_fit_session_distance_of_40000_km_in_a_minute_is_ignored(engine):
    from .fitbuild import Session, fit_file

    data = fit_file(Session(int(T0), seconds=60, total_distance=40_000_000.0))
    (act,) = read_fit(data, "x.fit", engine=engine)
    assert act.distance_m == 177.0  # 59 s at 3 m/s, from the records
    assert "session total_distance of 4e+07 m is impossible and was ignored" in act.warnings


@pytest.mark.parametrize("engine", ["fitfast", "fitparse"])
def test_fit_record_speed_of_1000_mps_passes_for_a_ride_and_is_dropped_for_a_run(engine):
    from .fitbuild import Session, fit_file

    ride, run = read_fit(
        fit_file(
            Session(int(T0), sport="cycling", speeds={5: 1000.0}),
            Session(int(T0) + 100, sport="running", speeds={5: 1000.0}),
        ),
        "x.fit",
        engine=engine,
    )
    assert ride.records[g.SPEED].max() == 1000.0  # a sample: cleaning judges it, not the reader
    assert run.records[g.SPEED].max() == 3.0 and run.records[g.SPEED].isna().sum() == 1  # faster than a human: NaN


FIT_MAX_S = 0xFFFFFF00  # a uint32 FIT time, leaving room for the records after it


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow])
@given(
    fit_start=st.one_of(st.integers(0x10000000, FIT_MAX_S), st.sampled_from([0x10000000, 3_471_292_800, 3_471_292_799, FIT_MAX_S])),
    distance_cm=st.integers(0, 0xFFFFFFFE),
    elapsed_ms=st.integers(0, 0xFFFFFFFE),
    speed_mm=st.integers(0, 0xFFFFFFFE),
)
def test_any_fit_totals_and_dates_read_the_same_with_both_engines(fit_start, distance_cm, elapsed_ms, speed_mm):
    """Whatever a FIT file can store, both engines give the same sane activity or the same ParseError.

    3_471_292_800 s after the FIT epoch is 2100-01-01.
    """
    from .fitbuild import Session, fit_file

    data = fit_file(
        Session(
            FIT_EPOCH_S + fit_start,
            seconds=30,
            sport="cycling",
            total_distance=distance_cm / 100,
            total_elapsed_time=elapsed_ms / 1000,
            speeds={3: speed_mm / 1000},
        )
    )
    outcomes = []
    for engine in ("fitfast", "fitparse"):
        try:
            acts = read_fit(data, "any.fit", engine=engine)
        except ParseError as exc:
            outcomes.append(exc.reason)
            continue
        for act in acts:
            _finite_sane(act)
        outcomes.append([(a.start_utc, a.elapsed_s, a.moving_s, a.distance_m, a.warnings, len(a.records)) for a in acts])
    assert outcomes[0] == outcomes[1]
    event("ParseError" if isinstance(outcomes[0], str) else "read")
    if fit_start + FIT_EPOCH_S > LATEST.timestamp():
        assert "after 2100): the watch's clock was not set?" in outcomes[0]
