"""Time weights and running masks over a run's samples: what cleaning and the per-run metrics both measure with."""

from __future__ import annotations

import numpy as np

from . import glossary as g
from .activity import Samples, as_samples, unix_seconds

#: Step rates at or above this are running; below, walking or standing [steps/min].
#: Walking tops out near 125-135 steps/min; easy running starts around 140.
RUNNING_STEP_RATE_MIN = 130.0
#: A sample gap above this is a pause: it carries no weight [s].
MAX_SAMPLE_WEIGHT_S = 10.0


def sample_durations(index, cap_s: float = MAX_SAMPLE_WEIGHT_S) -> np.ndarray:
    """Seconds each sample stands for (time to the next one, capped at a pause) [s].

    Smart recording writes samples irregularly, so statistics weight by time,
    not by record count.
    """
    if isinstance(index, Samples):
        return index.memo(("sample_durations", cap_s), lambda: _durations(index.t, cap_s))
    return _durations(index if isinstance(index, np.ndarray) else unix_seconds(index), cap_s)


def _durations(t: np.ndarray, cap_s: float) -> np.ndarray:
    if len(t) == 0:
        return np.array([], dtype="float64")
    d = np.diff(t, append=t[-1] + 1.0)
    if len(d) > 1:
        d[-1] = min(np.median(d[:-1]), cap_s)
    return np.clip(d, 0.0, cap_s)


def weighted_median(values, weights) -> float:
    """Median of ``values`` weighted by ``weights``; NaN values are ignored."""
    v = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    if not ok.any():
        return float("nan")
    v, w = v[ok], w[ok]
    if w[0] == 1.0 and (w == 1.0).all():  # one-second samples: the rank is known, no sort needed
        k = (len(v) + 1) // 2 - 1  # the first i with i + 1 >= n / 2, as the weighted search below finds it
        return float(np.partition(v, k)[k])
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cum = np.cumsum(w)
    return float(v[np.searchsorted(cum, cum[-1] / 2.0)])


def running_mask(records) -> np.ndarray:
    """Samples that are running steps (walking breaks and stops excluded)."""
    s = as_samples(records)
    if g.CADENCE not in s:
        return np.zeros(len(s), dtype=bool)
    with np.errstate(invalid="ignore"):
        return s[g.CADENCE] >= RUNNING_STEP_RATE_MIN


def running_cadence(records, min_share: float = 0.1) -> float:
    """Median running cadence [steps/min], time-weighted, walking and stops excluded.

    Returns NaN without cadence, or when less than ``min_share`` of the cadence
    time is running (a hike or a walk).
    """
    s = as_samples(records)
    if not s.has(g.CADENCE):
        return float("nan")
    w = sample_durations(s)
    has = np.isfinite(s[g.CADENCE])
    run = running_mask(s)
    if w[has].sum() <= 0 or w[run].sum() < min_share * w[has].sum():
        return float("nan")
    return weighted_median(s[g.CADENCE][run], w[run])


def mean_heart_rate(records) -> float:
    """Time-weighted mean heart rate [beats/min]; NaN without heart rate."""
    s = as_samples(records)
    if g.HEART_RATE not in s:
        return float("nan")
    hr = s[g.HEART_RATE]
    w = sample_durations(s)
    ok = np.isfinite(hr)
    if not ok.any() or w[ok].sum() == 0:
        return float("nan")
    return float(np.average(hr[ok], weights=w[ok]))
