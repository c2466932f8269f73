"""Robust speed: distance over a time window, never point to point.

Position noise of a few metres makes point-to-point speed at 1-5 s sampling
swing by a metre per second or more, so every judgement of pace (fast
running, running share, threshold) uses the distance covered over a window
of tens of seconds.
"""

from __future__ import annotations

import numpy as np

from .. import glossary as g
from ..activity import Samples, as_samples
from ..readers.track import PAUSE_GAP_S, fill_inside

#: Time for the "best sustained" speed used to estimate threshold pace [s].
SUSTAINED_S = 20 * 60
#: Window for judging pace [s].
JUDGE_WINDOW_S = 30.0
#: A gap longer than `PAUSE_GAP_S` is not a pause when the distance across it was covered at least
#: this fast [m/s] and it lasted at most `SPARSE_GAP_MAX_S` [s]: a phone writing a fix every 10-60 s.
SPARSE_MIN_SPEED_MPS = 1.0
SPARSE_GAP_MAX_S = 300.0


def pauses(times_s: np.ndarray, distance_m: np.ndarray | None = None) -> np.ndarray:
    """Whether each gap between consecutive samples is a pause (one value per gap, ``n - 1``).

    A gap above `PAUSE_GAP_S` is a pause, unless ``distance_m`` (cumulative
    [m]) says the runner covered it at walking pace or faster
    (`SPARSE_MIN_SPEED_MPS`) within `SPARSE_GAP_MAX_S`: a phone app that
    writes a fix every 10-60 s is sampling sparsely, not stopping each time.
    """
    t = np.asarray(times_s, dtype="float64")
    dt = np.diff(t)
    long = dt > PAUSE_GAP_S
    if distance_m is None or not long.any():
        return long
    d = fill_inside(np.asarray(distance_m, dtype="float64"))
    with np.errstate(invalid="ignore", divide="ignore"):
        covered = np.diff(d) / dt
    moving = (dt <= SPARSE_GAP_MAX_S) & (np.nan_to_num(covered) >= SPARSE_MIN_SPEED_MPS)
    return long & ~moving


def window_speed(times_s: np.ndarray, distance_m: np.ndarray, window_s: float = JUDGE_WINDOW_S) -> np.ndarray:
    """Speed [m/s] at each sample as distance over a centred window of ``window_s``.

    As the readers' windowed speed (`readers.track.speed_from_distance`), at
    the width that judges pace: each window reaches at least one neighbour on
    each side and never spans a pause (`pauses`: sparse fixes covered at a
    moving pace are not pauses); NaN where it cannot be computed.
    """
    t = np.asarray(times_s, dtype="float64")
    n = len(t)
    if n < 2:
        return np.full(n, np.nan)
    d = fill_inside(np.asarray(distance_m, dtype="float64"))
    breaks = pauses(t, d)
    idx = np.arange(n)
    stretch = np.concatenate([[0], np.cumsum(breaks)])
    key = stretch * 1e12 + t  # orderable: windows never mix stretches
    lo = np.minimum(np.searchsorted(key, key - window_s / 2, side="left"), idx - 1).clip(0)
    hi = np.maximum(np.searchsorted(key, key + window_s / 2, side="right") - 1, idx + 1).clip(max=n - 1)
    lo = np.where(stretch[lo] == stretch, lo, idx)
    hi = np.where(stretch[hi] == stretch, hi, idx)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (d[hi] - d[lo]) / (t[hi] - t[lo])
    v[~np.isfinite(v)] = np.nan
    return np.where(v < 0, np.nan, v)


def judged_speed(records, window_s: float = JUDGE_WINDOW_S) -> np.ndarray:
    """The speed every judgement uses [m/s]: cleaned distance over ``window_s`` (read-only for `Samples`).

    Falls back to a time-based rolling mean of the speed channel when the
    records hold no distance (a foot pod's speed without its distance).
    """
    if isinstance(records, Samples):
        return records.memo(("judged_speed", window_s), lambda: _judged_speed(records, window_s))
    return _judged_speed(records, window_s)


def _judged_speed(records, window_s: float) -> np.ndarray:
    s = as_samples(records)
    if s.count(g.DISTANCE) >= 2:
        v = window_speed(s.t, s[g.DISTANCE], window_s)
        if g.SPEED in s and not np.isfinite(v).all():  # a sample the distance cannot speak for keeps the channel's value
            v = np.where(np.isfinite(v), v, rolling_mean(s, g.SPEED, int(window_s)))
        return v
    if g.SPEED in s:
        return rolling_mean(s, g.SPEED, int(window_s))
    return np.full(len(s), np.nan)


def ffill(values: np.ndarray) -> np.ndarray:
    """Each NaN replaced by the last value before it (NaN before the first value stays)."""
    ok = np.isfinite(values)
    if ok.all() or not ok.any():
        return values
    last = np.maximum.accumulate(np.where(ok, np.arange(len(values)), -1))
    return np.where(last >= 0, values[np.maximum(last, 0)], np.nan)


def rolling_mean(samples: Samples, name: str, window_s: int) -> np.ndarray:
    """Mean of the column over the ``window_s`` seconds up to each sample (that sample included); NaN where none."""
    v = samples[name]
    t = samples.t_ns
    ok = np.isfinite(v)
    sums = np.concatenate([[0.0], np.cumsum(np.where(ok, v, 0.0))])
    counts = np.concatenate([[0], np.cumsum(ok)])
    lo = np.searchsorted(t, t - int(window_s) * 1_000_000_000, side="right")
    hi = np.arange(1, len(t) + 1)
    n = counts[hi] - counts[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[hi] - sums[lo]) / n, np.nan)


def sustained(mask: np.ndarray, times_s: np.ndarray, min_s: float, breaks: np.ndarray | None = None) -> np.ndarray:
    """``mask`` kept only in unbroken stretches lasting at least ``min_s`` seconds.

    A stretch lasts from its first sample to the sample after its last (the
    time that sample stands for); a pause inside it breaks it: a gap marked in
    ``breaks`` (one per gap, as `pauses` gives), by default a gap above `PAUSE_GAP_S`.
    """
    mask = np.asarray(mask, dtype=bool)
    n = len(mask)
    if n == 0 or min_s <= 0:
        return mask.copy()
    t = np.asarray(times_s, dtype="float64")
    gap_after = np.concatenate([np.diff(t) > PAUSE_GAP_S if breaks is None else np.asarray(breaks, dtype=bool), [True]])
    joined = np.concatenate([[False], mask[:-1] & ~gap_after[:-1]]) & mask  # continues the stretch before
    first = np.nonzero(mask & ~joined)[0]
    if not len(first):
        return mask.copy()
    last_mask = mask & ~np.concatenate([joined[1:], [False]])
    last = np.nonzero(last_mask)[0]
    after = np.minimum(last + 1, n - 1)
    end = np.where(gap_after[last], t[last], t[after])
    keep = (end - t[first]) >= min_s
    out = np.zeros(n + 1, dtype="int64")
    np.add.at(out, first[keep], 1)
    np.add.at(out, last[keep] + 1, -1)
    return np.cumsum(out[:-1]) > 0


def best_sustained_speed(records, seconds: float = SUSTAINED_S) -> float:
    """Best average speed over any ``seconds`` of the run [m/s]; NaN for shorter runs."""
    s = as_samples(records)
    if g.DISTANCE not in s or len(s) < 2:
        return float("nan")
    d = ffill(s[g.DISTANCE])
    t = s.t
    ok = np.isfinite(d)
    d, t = d[ok], t[ok]
    if len(t) < 2 or t[-1] - t[0] < seconds:
        return float("nan")
    j = np.searchsorted(t, t + seconds)
    valid = j < len(t)
    i = np.nonzero(valid)[0]
    j = j[valid]
    return float(np.max((d[j] - d[i]) / (t[j] - t[i])))
