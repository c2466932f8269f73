"""The ingest's shortcuts give exactly the numbers of the plain computations they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hamstring_analyzer.metrics.elevation import _zigzag_gain, centred_median, climb_m
from hamstring_analyzer.samples import weighted_median
from hamstring_analyzer.readers.track import haversine_m, speed_from_distance, steps_m

from .conftest import examples

finite = st.floats(-1000, 1000, allow_nan=False, width=32)
maybe_nan = st.one_of(finite, st.just(float("nan")))


def plain_weighted_median(values, weights):
    v, w = np.asarray(values, float), np.asarray(weights, float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    if not ok.any():
        return float("nan")
    order = np.argsort(v[ok], kind="stable")
    v, cum = v[ok][order], np.cumsum(w[ok][order])
    return float(v[np.searchsorted(cum, cum[-1] / 2.0)])


def plain_climb(values, h):
    v = np.asarray(values, float)
    v = v[~np.isnan(v)]
    if not len(v):
        return float("nan")
    if len(v) >= 5:
        v = centred_median(v, 5)
    return _zigzag_gain(v[np.concatenate([[True], np.diff(v) != 0])].tolist(), h)


def same(a, b):
    return a == b or (np.isnan(a) and np.isnan(b))


@settings(max_examples=examples(300))
@given(arrays(float, st.integers(0, 80), elements=maybe_nan))
def test_weighted_median_of_one_second_samples_is_the_sorted_one(values):
    assert same(weighted_median(values, np.ones(len(values))), plain_weighted_median(values, np.ones(len(values))))


@settings(max_examples=examples(300))
@given(arrays(float, st.integers(0, 80), elements=maybe_nan), st.sampled_from([0.5, 1.0, 3.0, 10.0]))
def test_climb_on_turning_points_is_the_full_walk(values, h):
    assert same(climb_m(values, h), plain_climb(values, h))


def test_climb_of_a_real_shape():
    hill = np.r_[np.linspace(100, 130, 300), np.linspace(130, 110, 200), np.linspace(110, 125, 100)]
    assert climb_m(hill) == plain_climb(hill, 3.0)
    assert abs(climb_m(hill) - 45.0) < 1.0  # 30 m up, 15 m up again


@settings(max_examples=examples(200))
@given(st.integers(0, 60), st.integers(1, 2), st.integers(0, 2**32 - 1))
def test_steps_are_the_haversine_distances(n, gap, seed):
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(-89, 89, n), rng.uniform(-180, 180, n)
    lat[rng.random(n) < 0.1] = np.nan
    expected = haversine_m(lat[:-gap], lon[:-gap], lat[gap:], lon[gap:]) if n > gap else np.empty(0)
    assert np.array_equal(steps_m(lat, lon, gap), expected, equal_nan=True)


def test_windowed_speed_without_pauses_equals_the_stretch_walk():
    t = np.arange(0.0, 600.0)
    d = np.cumsum(np.full(600, 3.0))
    paused = np.r_[t[:300], t[300:] + 100.0]  # the same run with one pause: two stretches
    v, vp = speed_from_distance(t, d, 30.0), speed_from_distance(paused, d, 30.0)
    assert np.allclose(v[1:-1], 3.0) and np.allclose(vp[1:299], 3.0) and np.allclose(vp[301:-1], 3.0)
    assert np.array_equal(v[:299], vp[:299])  # the first stretch does not see the pause
