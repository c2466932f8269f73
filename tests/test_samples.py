"""`Samples`: the numpy form of an activity's samples, and its frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.activity import Activity, Samples, make_samples, unix_nanoseconds
from hamstring_analyzer.clean.speed import judged_speed

from .conftest import examples


def _pandas_records(times_s, columns) -> pd.DataFrame:
    """The readers' records frame as it was built with pandas (the reference)."""
    times_s = np.asarray(times_s, dtype="float64")
    keep = np.isfinite(times_s)
    frame = pd.DataFrame({k: np.asarray(v, dtype="float64")[keep] for k, v in columns.items()})
    frame.index = pd.DatetimeIndex(pd.to_datetime(times_s[keep], unit="s", utc=True), name="time")
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    if frame.index.has_duplicates:
        frame = frame.groupby(level=0, sort=False).first()
    return frame.drop(columns=[c for c in frame.columns if not frame[c].notna().any()])


values = st.one_of(st.just(np.nan), st.floats(-1e6, 1e6, allow_nan=False))


@settings(max_examples=examples(150))
@given(
    times=st.lists(st.one_of(st.just(np.nan), st.integers(0, 40).map(lambda s: 1.6e9 + s / 4)), min_size=0, max_size=40),
    data=st.data(),
)
def test_make_samples_equals_the_pandas_reference(times, data):
    n = len(times)
    columns = {name: np.array(data.draw(st.lists(values, min_size=n, max_size=n))) for name in ("distance_m", "heart_rate_bpm")}
    columns["cadence_spm"] = np.full(n, np.nan)  # a channel without a value is dropped
    got = make_samples(np.array(times), columns)
    want = _pandas_records(times, columns)
    assert list(got.columns) == list(want.columns)
    assert np.array_equal(got.t_ns, want.index.as_unit("ns").asi8)
    for c in want.columns:
        np.testing.assert_array_equal(got[c], want[c].to_numpy())
    pd.testing.assert_frame_equal(got.frame(), want.astype("float64"), check_index_type=False, check_column_type=False, check_freq=False)


@settings(max_examples=examples(200))
@given(st.lists(st.floats(-2e9, 4e9, allow_nan=False), min_size=1, max_size=50))
def test_nanoseconds_round_as_pandas_does(seconds):
    t = np.array(seconds)
    assert np.array_equal(unix_nanoseconds(t), pd.to_datetime(t, unit="s", utc=True).as_unit("ns").asi8)


def test_an_activity_keeps_its_samples_and_builds_the_frame_once():
    t = 1.7e9 + np.arange(600.0)
    samples = make_samples(t, {"distance_m": np.arange(600.0) * 3.0})
    a = Activity(records=samples, laps=[], source="x.fit", format="fit", sport="running")
    assert a.samples is samples and a.n_samples == 600 and a.has_channel("distance_m") and not a.has_gps
    frame = a.records
    assert a.records is frame and frame.index.name == "time" and str(frame.index.tz) == "UTC"
    assert frame["distance_m"].iloc[-1] == 1797.0
    copy = a.replace(name="renamed")
    assert copy.samples is samples and copy.name == "renamed" and copy.lap_rows == []
    # built from a frame, the samples come from it
    b = Activity(records=frame, source="y.fit", format="fit")
    assert np.array_equal(b.samples.t_ns, samples.t_ns) and np.array_equal(b.samples["distance_m"], samples["distance_m"])


def test_judged_speed_is_computed_once_per_window_and_read_only():
    t = 1.7e9 + np.arange(300.0)
    s = make_samples(t, {"distance_m": np.arange(300.0) * 3.0})
    v = judged_speed(s, 30.0)
    assert judged_speed(s, 30.0) is v and judged_speed(s, 10.0) is not v
    assert v[150] == pytest.approx(3.0)
    with pytest.raises(ValueError):
        v[0] = 1.0
    # a frame gets the same values, computed anew
    np.testing.assert_array_equal(judged_speed(s.frame(), 30.0), v)


def test_take_and_with_columns_leave_the_original_alone():
    s = Samples(np.arange(5, dtype="int64"), {"a": np.arange(5.0)})
    part = s.take(np.array([True, False, True, False, True]))
    more = s.with_columns(b=np.ones(5))
    assert len(part) == 3 and list(part["a"]) == [0.0, 2.0, 4.0]
    assert s.columns == ["a"] and more.columns == ["a", "b"] and more.without("a").columns == ["b"]
