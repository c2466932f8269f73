"""The runner's own threshold speed and heart rate before each run, from the runs before it.

References
----------
Friel J. The Triathlete's Training Bible: run zones from threshold pace and
threshold heart rate; easy running about 20% slower than threshold.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config import Config

#: Best 20-minute speed is about 4% above threshold (one-hour race) speed.
SUSTAINED_OVER_THRESHOLD = 1.04
#: Easy running is about 20% slower than threshold speed (Friel zone 2: 1.14-1.29 x threshold pace).
THRESHOLD_OVER_EASY = 1.20
#: Easy running heart rate sits near 88% of threshold heart rate (Friel zone 2: 85-89%).
EASY_HR_SHARE_OF_THRESHOLD = 0.88
#: Best 20 minutes faster than this is an artefact, not fitness [m/s] (no amateur holds 6 m/s for 20 min).
MAX_BEST_20MIN_MPS = 6.0
#: A best 20 minutes more than this many times the window's easy speed is an artefact.
MAX_BEST_OVER_EASY = 1.5
#: Threshold speed is kept within these bounds [m/s] (12:00/km to 2:47/km).
THRESHOLD_SPEED_BOUNDS = (1.4, 6.0)


def estimate_thresholds(profiles: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Threshold speed [m/s] and threshold heart rate [beats/min] for each run.

    Configured values win. Otherwise each run gets an estimate from the runs
    of the ``fast.history_days`` BEFORE it (never the run itself), leaving out
    runs marked suspect and indoor runs: threshold speed is the faster of
    (best 20-minute speed / 1.04) and (median running speed x 1.2), so a
    runner who only jogs is not told that all their running is fast. One bad
    file cannot move it: a best 20 minutes above 6 m/s, or above 1.5 times the
    window's median running speed, is an artefact and is ignored, and the
    result stays within 1.4-6 m/s. Threshold heart rate is the heart rate the
    runner's own speed-to-heart-rate line gives at that speed (or the median
    run's heart rate / 0.88 when the line cannot be drawn). A run with no run
    before it has no estimate (NaN): its fast running is judged from interval
    laps only.
    """
    if profiles.empty:
        return pd.DataFrame({"threshold_speed_mps": [], "threshold_hr_bpm": []}, dtype="float64")
    starts = np.array([t.timestamp() for t in profiles["start"]])  # the instants: a naive wall clock would reorder runs abroad
    window = config.fast.history_days * 86400.0
    set_speed, set_hr = config.threshold_speed_mps, config.threshold_hr_bpm
    trusted = profiles["speed_reliable"].to_numpy(bool).copy()
    if "suspect" in profiles:
        trusted &= ~profiles["suspect"].astype(bool).to_numpy()
    speed = profiles["speed_mps"].to_numpy(float)
    best = profiles["best_20min_mps"].to_numpy(float)
    hr = profiles["avg_heart_rate_bpm"].to_numpy(float)
    speeds, hrs = [], []
    in_order = bool(np.all(np.diff(starts) >= 0))  # the runs table's order: each window is a slice, in the same order
    lows = np.searchsorted(starts, starts - window, side="left") if in_order else None
    highs = np.searchsorted(starts, starts, side="left") if in_order else None
    for i, start in enumerate(starts):
        if in_order:
            near = slice(lows[i], highs[i])
            ok = trusted[near]
            w_speed, w_best, w_hr = speed[near][ok], best[near][ok], hr[near][ok]
            all_hr = hr[near]
        else:
            near = (starts < start) & (starts >= start - window)
            w_speed, w_best, w_hr = speed[near & trusted], best[near & trusted], hr[near & trusted]
            all_hr = hr[near]
        ts = set_speed
        if ts is None:
            ts = _threshold_speed(w_speed, w_best)
        th = set_hr
        if th is None:
            th = _hr_at_speed(w_speed, w_hr, ts)
            if not math.isfinite(th) and np.isfinite(all_hr).any():
                th = float(np.nanmedian(all_hr)) / EASY_HR_SHARE_OF_THRESHOLD
            th = float(np.clip(th, 120, 215)) if math.isfinite(th) else float("nan")
        speeds.append(ts)
        hrs.append(th)
    return pd.DataFrame({"threshold_speed_mps": speeds, "threshold_hr_bpm": hrs}, index=profiles.index, dtype="float64")


def _threshold_speed(easy_speeds: np.ndarray, best_20min: np.ndarray) -> float:
    """Threshold speed [m/s] from trusted runs' median running speeds and best 20 minutes (NaN without runs)."""
    easy = easy_speeds[np.isfinite(easy_speeds)]
    cand = []
    median = _median(easy) if len(easy) else float("nan")
    if len(easy):
        cand.append(median * THRESHOLD_OVER_EASY)
    best = best_20min[np.isfinite(best_20min) & (best_20min <= MAX_BEST_20MIN_MPS)]
    if len(easy):
        best = best[best <= MAX_BEST_OVER_EASY * median]
    if len(best):
        cand.append(float(best.max()) / SUSTAINED_OVER_THRESHOLD)
    if not cand:
        return float("nan")
    lo, hi = THRESHOLD_SPEED_BOUNDS
    return float(min(max(max(cand), lo), hi))


def _median(x: np.ndarray) -> float:
    """``np.median`` of finite values, to the bit (the mean of the middle two), without its overhead: it runs once per run."""
    s = np.sort(x)
    m = len(s) // 2
    return float(s[m]) if len(s) % 2 else float((s[m - 1] + s[m]) / 2.0)


def _quartile_spread(x: np.ndarray) -> float:
    """``np.percentile(x, 75) - np.percentile(x, 25)`` (linear, numpy's own interpolation), to the bit."""
    s = np.sort(x)
    q1, q3 = (_linear(s, q) for q in (0.25, 0.75))
    return q3 - q1


def _linear(s: np.ndarray, q: float) -> float:
    at = q * (len(s) - 1)
    below = math.floor(at)
    gamma = at - below
    a, b = float(s[below]), float(s[min(below + 1, len(s) - 1)])
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma  # numpy's _lerp


def _hr_at_speed(speed: np.ndarray, hr: np.ndarray, at: float) -> float:
    """Heart rate at ``at`` m/s on the runner's own speed-to-heart-rate line (NaN if it can't be drawn)."""
    ok = np.isfinite(speed) & np.isfinite(hr)
    if ok.sum() < 5 or not math.isfinite(at):
        return float("nan")
    x, y = speed[ok], hr[ok]
    if _quartile_spread(x) < 0.1:
        return float("nan")
    slope, intercept = np.polyfit(x, y, 1)
    if slope <= 0:
        return float("nan")
    return float(intercept + slope * at)
