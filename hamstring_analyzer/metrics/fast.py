"""Speed and fast running of one run: its running speed, the stretches run fast, and hard sessions.

Pure functions over one Activity's records (`hard_sessions` over a runs
table). Fast is judged against the runner's own threshold
(`thresholds.estimate_thresholds`).

References
----------
Friel J. The Triathlete's Training Bible: run zones from threshold pace
(zone 4 within 6% of it) and threshold heart rate (zone 4 from 95%).
Duhig S et al. (2016). Effect of high-speed running on hamstring strain
injury risk. BJSM 50:1536-1540.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import Activity, as_samples
from ..clean.speed import ffill, judged_speed, rolling_mean, sustained
from ..config import Config
from ..samples import sample_durations, weighted_median
from .summary import INDOOR_SUB_SPORTS

#: Speeds below this are standing or walking, not running [m/s].
RUNNING_SPEED_MIN = 1.5
#: Window for speed and heart rate before judging "fast" [s].
SMOOTH_S = 30
#: Fast running counts in stretches at least this long [s].
MIN_FAST_STRETCH_S = 60
#: The sample channels fast running is judged from (all a run's samples are never needed for it).
FAST_COLUMNS = (g.DISTANCE, g.SPEED, g.HEART_RATE)
#: A run "mostly fast" is a hard session from this distance [m] and this much fast time [s]: one 1-2 km rep of a
#: session recorded a file per rep counts, a few hundred fast metres before a stop do not.
HARD_MOSTLY_FAST_MIN_M = 1000.0
HARD_MOSTLY_FAST_MIN_S = 180.0


def is_indoor(activity: Activity) -> bool:
    return activity.sub_sport in INDOOR_SUB_SPORTS


def distance_steps(records) -> np.ndarray:
    """Metres covered from each sample to the next (zero across pauses) [m]."""
    s = as_samples(records)
    if g.DISTANCE in s and not np.isnan(s[g.DISTANCE]).all():
        d = ffill(s[g.DISTANCE])
        d = np.where(np.isnan(d), 0.0, d)
        steps = np.diff(d, append=d[-1])
        return np.clip(steps, 0.0, None)
    if g.SPEED in s:
        return np.nan_to_num(s[g.SPEED]) * sample_durations(s)
    return np.zeros(len(s))


def speed_is_reliable(activity: Activity) -> bool:
    """Outdoors with a speed channel. A treadmill's speed is the watch's guess from arm swing."""
    return not is_indoor(activity) and activity.has_channel(g.SPEED)


def median_running_speed(records) -> float:
    """Time-weighted median speed while running [m/s]; NaN without speed."""
    s = as_samples(records)
    if g.SPEED not in s or np.isnan(s[g.SPEED]).all():
        return float("nan")
    speed = judged_speed(s)
    w = sample_durations(s)
    return weighted_median(np.where(speed >= RUNNING_SPEED_MIN, speed, np.nan), w)


def interval_mask(activity: Activity, times_s: np.ndarray | None = None) -> np.ndarray:
    """Samples inside laps the watch marked as intervals (``times_s``: the records' UNIX seconds, if at hand)."""
    if times_s is None:
        times_s = activity.samples.t
    t = times_s
    mask = np.zeros(len(t), dtype=bool)
    for start, end in activity.interval_spans():
        lo, hi = np.searchsorted(t, [start, end], side="left")
        mask[lo:hi] = True
    return mask


def fast_mask(
    activity: Activity,
    fast_speed_mps: float | None,
    fast_hr_bpm: float | None,
    window_s: float = SMOOTH_S,
    min_stretch_s: float = MIN_FAST_STRETCH_S,
) -> tuple[np.ndarray, str | None]:
    """Samples run fast, and what decided it (``pace``, ``heart rate``, ``laps`` or None).

    Laps marked as intervals always count. Outdoors, pace decides: hamstring
    load follows speed, and heart rate drifts up late in long easy runs. Heart
    rate decides where pace is unreliable (a treadmill, or no speed at all).
    Pace is distance over a ``window_s`` window of the cleaned track, and only
    stretches fast for at least ``min_stretch_s`` count: a few noisy fixes are
    not speedwork.
    """
    _, mask, by = _fast_stretches(activity, fast_speed_mps, fast_hr_bpm, window_s, min_stretch_s)
    return mask, by


def _fast_stretches(activity: Activity, fast_speed_mps, fast_hr_bpm, window_s, min_stretch_s):
    """(the samples judged, `fast_mask`'s mask, what decided it): one read of the samples for every fast measure."""
    records = activity.samples_for(FAST_COLUMNS)
    t = records.t
    mask = interval_mask(activity, t)
    by = "laps" if mask.any() else None
    if speed_is_reliable(activity) and fast_speed_mps:
        mask |= sustained(judged_speed(records, window_s) >= fast_speed_mps, t, min_stretch_s)
        by = "pace"
    elif g.HEART_RATE in records and not np.isnan(records[g.HEART_RATE]).all() and fast_hr_bpm:
        mask |= sustained(rolling_mean(records, g.HEART_RATE, int(window_s)) >= fast_hr_bpm, t, min_stretch_s)
        by = "heart rate"
    return records, mask, by


def fast_distance_m(
    activity: Activity,
    fast_speed_mps: float | None,
    fast_hr_bpm: float | None,
    window_s: float = SMOOTH_S,
    min_stretch_s: float = MIN_FAST_STRETCH_S,
) -> tuple[float, str | None]:
    """Distance actually run fast [m] (not whole runs that contain an interval)."""
    effort = fast_running(activity, fast_speed_mps, fast_hr_bpm, window_s, min_stretch_s)
    return effort["fast_m"], effort["fast_by"]


def fast_running(
    activity: Activity,
    fast_speed_mps: float | None,
    fast_hr_bpm: float | None,
    window_s: float = SMOOTH_S,
    min_stretch_s: float = MIN_FAST_STRETCH_S,
) -> dict:
    """The fast stretches of one run (`fast_mask`), measured from one read of its samples.

    Returns
    -------
    dict
        ``fast_m`` : distance run fast [m].
        ``fast_s`` : time run fast [s] (the samples' durations, capped across pauses).
        ``fast_hr_bpm`` : 90th percentile of heart rate over the fast time
        [beats/min], time-weighted; NaN with no fast time or no heart rate in it.
        The high percentile, not the mean: heart rate lags pace by a minute or
        more, so a short rep's mean understates how hard it was.
        ``fast_by`` : what decided (see `fast_mask`).
    """
    records, mask, by = _fast_stretches(activity, fast_speed_mps, fast_hr_bpm, window_s, min_stretch_s)
    durations = sample_durations(records)
    hr = records.get(g.HEART_RATE)
    fast_hr = weighted_percentile(hr[mask], durations[mask], 90.0) if hr is not None and mask.any() else float("nan")
    return {
        "fast_m": float(distance_steps(records)[mask].sum()),
        "fast_s": float(durations[mask].sum()),
        "fast_hr_bpm": fast_hr,
        "fast_by": by,
    }


def weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q``-th percentile of ``values`` weighted by ``weights``; NaN, zero (a sensor's dropout) and zero weights ignored."""
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0) & (values > 0)
    if not ok.any():
        return float("nan")
    v, w = values[ok], weights[ok]
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    return float(v[order][min(np.searchsorted(cum, cum[-1] * q / 100.0), len(v) - 1)])


def hard_sessions(table: pd.DataFrame, config: Config) -> pd.Series:
    """Which runs of a runs table are hard sessions, as a coach counts them (bool Series, same index).

    A hard session is sustained running at or above threshold: at least
    ``fast.hard_min_fast_min`` minutes in fast stretches (an interval session,
    a tempo), or a run of at least 1 km run mostly fast (at least
    ``fast.hard_mostly_share`` of its distance and 3 minutes: one rep of a
    session recorded a file per rep). Where the fast stretches carry heart rate
    and the runner's threshold heart rate is known, it must confirm the effort:
    the stretches' 90th-percentile heart rate at least ``fast.hard_hr_pct_of_threshold``
    % of threshold. So a fast kilometre or two inside an easy run at heart rate
    130, or a GPS glitch, is not a hard session. A run without samples is never one.

    Needs the columns ``has_samples``, ``distance_m``, ``fast_m``, ``fast_s``,
    ``fast_hr_bpm`` and ``threshold_hr_bpm``.

    References
    ----------
    Duhig S et al. (2016). Effect of high-speed running on hamstring strain
    injury risk. Br J Sports Med 50:1536-1540 (high-speed running judged
    against the athlete's own prior level).
    """
    fc = config.fast
    fast_s = table["fast_s"].to_numpy(float)
    fast_m = table["fast_m"].to_numpy(float)
    distance = table["distance_m"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        sustained_long = fast_s >= fc.hard_min_fast_min * 60.0
        mostly_fast = (fast_m >= fc.hard_mostly_share * distance) & (distance >= HARD_MOSTLY_FAST_MIN_M)
        mostly_fast &= fast_s >= HARD_MOSTLY_FAST_MIN_S
        fast_hr = table["fast_hr_bpm"].to_numpy(float)
        threshold_hr = table["threshold_hr_bpm"].to_numpy(float)
        unconfirmable = ~np.isfinite(fast_hr) | ~np.isfinite(threshold_hr)
        confirmed = unconfirmable | (fast_hr >= fc.hard_hr_pct_of_threshold / 100.0 * threshold_hr)
    has_samples = table["has_samples"].astype(bool).to_numpy()
    return pd.Series(has_samples & (sustained_long | mostly_fast) & confirmed, index=table.index, dtype=bool)
