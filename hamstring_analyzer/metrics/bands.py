"""What the analysis needs from a run's samples, summarised once at ingest: its fast-running curves.

Fast running (`fast.fast_running`) is judged against a threshold the
analysis only knows later: the runner's own, estimated from the runs before
(`thresholds`). A run's samples are therefore summarised as curves over
that threshold, one per way of judging (`CURVES`: laps, pace, heart rate):
for each sample, the highest threshold at which it still counts as fast
(its *level*: it lies in a stretch of at least ``min_stretch_s`` whose
judged speed, or heart rate, stays at or above it; +inf inside interval
laps). The samples counted at a threshold are exactly those whose level
reaches it, so the fast running at ANY threshold is one step of the curve:
the steps are the run's distinct levels, and each step keeps what the
rules use, computed from the samples as the store gives them back.

The levels are kept in bands (`Curve.band` wide: 0.05 m/s of pace, 1 beat
of heart rate), and the run's highest levels (its fastest half, `EXACT_SHARE`)
one by one: each band keeps its lowest and highest level and the fast
running at its lowest (`KEPT_COLUMNS`). A threshold between bands is
answered exactly (no sample counts differently anywhere in between); one
inside a band's span is not answered, and that run is measured from its
samples (`fast_from_curves` says which): no threshold is ever rounded, so
no flag can move. Heart-rate time per whole beat (what TRIMP reads) is kept
beside the curves.

The curves are made for the default ``[fast]`` window and stretch
(`CURVE_WINDOW_S`, `CURVE_MIN_STRETCH_S`): a config with others, a run
joined from parts after the store, or a run held in memory measures from
its samples as before (`fast.fast_running`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain
from typing import Callable

import numpy as np

from .. import glossary as g
from ..activity import Activity, Samples
from ..clean.speed import judged_speed, rolling_mean
from ..config import Config
from ..readers.track import PAUSE_GAP_S
from ..samples import sample_durations
from .fast import FAST_COLUMNS, MIN_FAST_STRETCH_S, SMOOTH_S, distance_steps, interval_mask, speed_is_reliable
from .session_load import heart_rate_minutes

#: The ``[fast]`` window and stretch the curves are made with (the config's defaults) [s].
CURVE_WINDOW_S = float(SMOOTH_S)
CURVE_MIN_STRETCH_S = float(MIN_FAST_STRETCH_S)
#: What each band of a curve keeps: its lowest and highest level, and the fast running at a threshold equal to
#: its lowest level (`fast.fast_running`'s numbers over every sample whose level reaches it).
KEPT_COLUMNS = ("lo", "hi", "fast_m", "fast_s", "fast_hr_bpm")
#: A run's highest levels, over this share of its time (at most `MAX_EXACT_LEVELS` of them), are kept one by one, not
#: in bands: a threshold among them (a tempo's, a session's) is answered without the samples.
EXACT_SHARE = 0.5
MAX_EXACT_LEVELS = 400
#: The channels the summaries are measured from (those `fast.fast_running` and TRIMP read).
SUMMARISED_CHANNELS = FAST_COLUMNS
#: The samples' own numbers `fast.fast_running` gives, in its order.
FAST_NUMBERS = ("fast_m", "fast_s", "fast_hr_bpm")


@dataclass(frozen=True)
class Curve:
    """One way of judging fast running, summarised per run as steps over its threshold.

    ``signal`` gives the per-sample value compared with the threshold (None:
    this run cannot be judged this way, e.g. no reliable speed); ``about``
    says what the threshold is, with its unit.
    """

    name: str
    about: str
    signal: Callable[[Activity, Samples], np.ndarray | None]
    band: float  # the band width, in the threshold's unit


def _pace(activity: Activity, samples: Samples) -> np.ndarray | None:
    return judged_speed(samples, CURVE_WINDOW_S) if speed_is_reliable(activity) else None


def _heart_rate(activity: Activity, samples: Samples) -> np.ndarray | None:
    if g.HEART_RATE not in samples or np.isnan(samples[g.HEART_RATE]).all():
        return None
    return rolling_mean(samples, g.HEART_RATE, int(CURVE_WINDOW_S))


def _laps(activity: Activity, samples: Samples) -> np.ndarray:
    return np.full(len(samples), -np.inf)  # only the interval laps (level +inf) count


#: The curves kept per run, by name: the store's columns ``c_<name>_<kept>`` follow this list.
CURVES = (
    Curve("laps", "laps marked as intervals only (no threshold) [-]", _laps, 1.0),
    Curve("pace", "fast speed: judged speed over the window, sustained [m/s]", _pace, 0.05),
    Curve("heart_rate", "fast heart rate: rolling mean over the window, sustained [beats/min]", _heart_rate, 1.0),
)
CURVE_NAMES = tuple(c.name for c in CURVES)


def stretch_levels(values: np.ndarray, times_s: np.ndarray, min_s: float) -> np.ndarray:
    """For each sample, the highest threshold at which `clean.speed.sustained` keeps it.

    ``sustained(values >= x, times_s, min_s)`` equals ``stretch_levels(...) >= x``
    for every x: a sample counts when an unbroken stretch of at least
    ``min_s`` through it stays at or above x, so its level is the best such
    stretch's lowest value. NaN values never count (level -inf).
    """
    v = np.where(np.isnan(values), -np.inf, np.asarray(values, dtype="float64"))
    n = len(v)
    if n == 0 or min_s <= 0:
        return v
    t = np.asarray(times_s, dtype="float64")
    gap_after = np.concatenate([np.diff(t) > PAUSE_GAP_S, [True]])
    piece = np.concatenate([[0], np.cumsum(gap_after[:-1])])
    end = np.where(gap_after, t, t[np.minimum(np.arange(n) + 1, n - 1)])  # the time a stretch ending here lasts to
    # b: the first sample ending a long-enough stretch from each start (the exact test `sustained` makes)
    b = _first_true(lambda i, j: end[np.minimum(j, n - 1)] - t[i] >= min_s, np.searchsorted(end, t + min_s), n)
    lowest = _sparse(v, np.minimum)  # built once, asked twice
    from_start = np.where((b < n) & (piece[np.minimum(b, n - 1)] == piece), _range(lowest, np.arange(n), np.minimum(b, n - 1), np.minimum), -np.inf)
    # a: the last start of a long-enough stretch ending at each sample
    idx = np.arange(n)
    a = _last_true(lambda i, j: end[i] - t[np.maximum(j, 0)] >= min_s, np.searchsorted(t, end - min_s, side="right") - 1, idx)
    to_end = np.where((a >= 0) & (piece[np.maximum(a, 0)] == piece), _range(lowest, np.maximum(a, 0), idx, np.minimum), -np.inf)
    lo = np.searchsorted(b, idx, side="left")  # the starts whose first stretch reaches this sample: lo..idx
    return np.maximum(_range(_sparse(from_start, np.maximum), lo, idx, np.maximum), to_end)


def _first_true(pred, j: np.ndarray, n: int) -> np.ndarray:
    """``j`` moved to the first index where ``pred(i, j)`` holds (monotone in j), from a float-rounded guess."""
    i = np.arange(len(j))
    j = np.minimum(j, n)
    while True:
        up = (j < n) & ~pred(i, j)
        if not up.any():
            break
        j = j + up
    while True:
        down = (j > 0) & pred(i, j - 1) & (j - 1 >= 0)
        if not down.any():
            return j
        j = j - down


def _last_true(pred, j: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """``j`` moved to the last index <= ``limit`` where ``pred(i, j)`` holds (monotone, true for small j), or -1."""
    i = np.arange(len(j))
    j = np.minimum(j, limit)
    while True:
        down = (j >= 0) & ~pred(i, j)
        if not down.any():
            break
        j = j - down
    while True:
        up = (j + 1 <= limit) & pred(i, j + 1)
        if not up.any():
            return j
        j = j + up


def _sparse(v: np.ndarray, op) -> list[np.ndarray]:
    table = [v]
    k = 1
    while 2 * k <= len(v):
        prev = table[-1]
        table.append(op(prev[:-k], prev[k:]))
        k *= 2
    return table


def _range(table: list[np.ndarray], lo: np.ndarray, hi: np.ndarray, op) -> np.ndarray:
    """``op`` over v[lo..hi] (inclusive) for each pair, lo <= hi, from v's sparse table (`_sparse` with the same ``op``)."""
    length = hi - lo + 1
    k = np.floor(np.log2(np.maximum(length, 1))).astype(int)
    out = np.empty(len(lo))
    for level in np.unique(k):
        sel = k == level
        row = table[level]
        out[sel] = op(row[lo[sel]], row[hi[sel] - (1 << level) + 1])
    return out


def band_summary(levels: np.ndarray, width: float, steps_m: np.ndarray, durations: np.ndarray, hr: np.ndarray | None) -> dict:
    """One curve of one run as bands of ``width`` (highest first): `KEPT_COLUMNS`, a list each.

    A band's numbers are the fast running at a threshold equal to its lowest
    level: every sample of that band and of those above it. At a threshold
    between two bands nothing else counts, so those are exact too; a
    threshold inside a band's span (above its lowest level, at most its
    highest) is the one case a band cannot answer (`fast_from_curves`).
    """
    keep = levels > -np.inf
    if not keep.any():
        return {k: [] for k in KEPT_COLUMNS}
    lv, m, w = levels[keep], steps_m[keep], durations[keep]
    distinct, rank = np.unique(lv, return_inverse=True)  # ascending; +inf (inside interval laps) last
    rank = rank.ravel()
    per_level = np.bincount(rank, weights=w, minlength=len(distinct))
    above = np.cumsum(per_level[::-1])[::-1] - per_level  # the time at levels above each one
    exact = (above < EXACT_SHARE * per_level.sum()) & (np.arange(len(distinct)) >= len(distinct) - MAX_EXACT_LEVELS)
    exact |= ~np.isfinite(distinct)
    banded = ~exact[rank]
    band = np.zeros(len(lv), dtype=np.int64)
    band[banded] = np.floor(lv[banded] / width).astype(np.int64)
    top = int(band[banded].max()) + 1 if banded.any() else 0
    band[~banded] = top + rank[~banded]  # above every band: each of the run's fastest levels is a band of its own
    found, inv = np.unique(band, return_inverse=True)
    inv = len(found) - 1 - inv.ravel()  # 0: the highest band
    n = len(found)
    lo = np.full(n, np.inf)
    np.minimum.at(lo, inv, lv)
    hi = np.full(n, -np.inf)
    np.maximum.at(hi, inv, lv)
    fast_m = np.cumsum(np.bincount(inv, weights=m, minlength=n))
    fast_s = np.cumsum(np.bincount(inv, weights=w, minlength=n))
    fast_hr = _band_percentiles(inv, n, hr[keep] if hr is not None else None, w)
    return {"lo": lo.tolist(), "hi": hi.tolist(), "fast_m": fast_m.tolist(), "fast_s": fast_s.tolist(), "fast_hr_bpm": fast_hr.tolist()}


def _band_percentiles(inv: np.ndarray, n: int, hr: np.ndarray | None, w: np.ndarray, q: float = 90.0) -> np.ndarray:
    """`fast.weighted_percentile` of heart rate over each band and those above it (NaN where none)."""
    out = np.full(n, np.nan)
    if hr is None:
        return out
    ok = np.isfinite(hr) & np.isfinite(w) & (w > 0) & (hr > 0)
    if not ok.any():
        return out
    values, rank = np.unique(hr[ok], return_inverse=True)
    grid = np.zeros((n, len(values)))
    np.add.at(grid, (inv[ok], rank.ravel()), w[ok])
    cum = np.cumsum(np.cumsum(grid, axis=0), axis=1)  # weight at or below each value, over the band and those above
    total = cum[:, -1]
    first = (cum < (total * q / 100.0)[:, None]).sum(axis=1)
    has = total > 0
    out[has] = values[np.minimum(first, len(values) - 1)][has]
    return out


def run_curves(activity: Activity, samples: Samples) -> dict:
    """What the analysis needs from one run's samples: its `CURVES` (None where it cannot be judged so) and heart-rate minutes.

    ``samples`` are the run's channels as the analysis would read them back
    (the store's precision: `store.schema.as_stored`). Returns ``{"curves":
    {name: band_summary or None}, "hr_bpm": [...], "hr_minutes": [...]}``
    (the whole beats with heart-rate time, and the minutes at each: what
    `session_load.heart_rate_minutes` gives, without its empty beats).
    """
    t = samples.t
    inside = interval_mask(activity, t)
    steps_m = distance_steps(samples)
    durations = sample_durations(samples)
    hr = samples.get(g.HEART_RATE)
    curves = {}
    for c in CURVES:
        signal = c.signal(activity, samples)
        if signal is None:
            curves[c.name] = None
            continue
        levels = stretch_levels(signal, t, CURVE_MIN_STRETCH_S) if c.name != "laps" else signal.copy()
        levels[inside] = np.inf
        curves[c.name] = band_summary(levels, c.band, steps_m, durations, hr)
    minutes = heart_rate_minutes(samples)
    beats = np.nonzero(minutes)[0] if minutes is not None else None
    return {
        "curves": curves,
        "hr_bpm": beats.tolist() if beats is not None else None,
        "hr_minutes": minutes[beats].tolist() if beats is not None else None,
    }


def curves_usable(config: Config) -> bool:
    """Whether the stored curves answer for ``config`` (made with its ``[fast]`` window and stretch)."""
    return config.fast.window_s == CURVE_WINDOW_S and config.fast.min_stretch_s == CURVE_MIN_STRETCH_S


def fast_from_curves(summaries: list, fast_speed: np.ndarray, fast_hr: np.ndarray) -> tuple[dict, np.ndarray]:
    """`fast.fast_running` of many runs from their curves, at each run's thresholds (NaN: none).

    ``summaries`` holds each run's `run_curves` (None: not summarised).
    Returns the numbers (`FAST_NUMBERS` arrays and ``fast_by``) and a bool
    array of the runs the curves cannot answer (not summarised, or a
    threshold inside a band's span): those measure from their samples.
    """
    n = len(summaries)
    unknown = np.zeros(n, dtype=bool)
    by = np.full(n, None, dtype=object)
    value = np.full(n, np.inf)  # the threshold the chosen curve is read at (+inf: interval laps only)
    chosen = []
    for i, (s, vs, vh) in enumerate(zip(summaries, fast_speed, fast_hr)):
        curves = s.get("curves") if s else None
        if curves is None:
            unknown[i] = True
            chosen.append(None)
            continue
        laps = curves["laps"]
        by[i] = "laps" if laps and laps["lo"] else None
        curve = laps
        if curves["pace"] is not None and math.isfinite(vs) and vs:  # as `fast.fast_mask`: no threshold, or zero, judges nothing
            curve, value[i], by[i] = curves["pace"], vs, "pace"
        elif curves["heart_rate"] is not None and math.isfinite(vh) and vh:
            curve, value[i], by[i] = curves["heart_rate"], vh, "heart rate"
        chosen.append(curve)
    lengths = np.array([len(c["lo"]) if c else 0 for c in chosen], dtype=np.int64)
    flat = {k: np.fromiter(chain.from_iterable(c[k] for c in chosen if c), float, int(lengths.sum())) for k in KEPT_COLUMNS}
    owner = np.repeat(np.arange(n), lengths)
    v = value[owner]
    reached = np.bincount(owner, weights=flat["lo"] >= v, minlength=n).astype(np.int64)
    unknown |= np.bincount(owner, weights=(flat["lo"] < v) & (flat["hi"] >= v), minlength=n) > 0
    at = np.cumsum(lengths) - lengths + reached - 1  # each run's lowest band still reached
    out = {}
    for k in FAST_NUMBERS:
        got = np.full(n, np.nan if k == "fast_hr_bpm" else 0.0)
        some = reached > 0
        got[some] = flat[k][at[some]]
        got[unknown] = np.nan
        out[k] = got
    out["fast_by"] = by
    return out, unknown
