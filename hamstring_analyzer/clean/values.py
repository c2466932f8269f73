"""Impossible values: what no body, watch or calendar produces.

A sample value outside its bounds is dropped (set missing) with a count; an
activity whose date or totals are impossible is refused with the reason.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import Activity, Samples

#: Plausible sample ranges, per glossary column (inclusive), in the order they are checked;
#: heart rate's (None here) is a setting (`config.IngestConfig`).
SAMPLE_BOUNDS = {
    g.DISTANCE: (0.0, 1_000_000.0),
    g.HEART_RATE: None,
    g.CADENCE: (0.0, 260.0),
    g.ALTITUDE: (-500.0, 9_000.0),
    g.STEP_LENGTH: (0.0, 4_000.0),
    g.STANCE_TIME: (0.0, 2_000.0),
    g.VERTICAL_OSCILLATION: (0.0, 500.0),
    g.VERTICAL_RATIO: (0.0, 100.0),
}
#: Speed bounds [m/s]: a runner never exceeds the first, anything else the second.
FOOT_MAX_SPEED_MPS = 12.5
OTHER_MAX_SPEED_MPS = 60.0
#: The first FIT epoch; GPS watches did not exist before it.
EARLIEST_START = pd.Timestamp("1989-12-31", tz="UTC")
#: A run never starts this far in the future of the machine's clock.
FUTURE_SLACK = pd.Timedelta(days=2)
#: Longest single activity we accept as one run (a multi-day ultra) [s].
MAX_DURATION_S = 7 * 24 * 3600.0
#: Longest single run [m] (the longest multi-day races are shorter).
MAX_RUN_DISTANCE_M = 1_000_000.0


def date_problem(start_utc: pd.Timestamp | None, now: pd.Timestamp | None = None) -> str | None:
    """Why a start time is impossible, or None when it is fine."""
    if start_utc is None:
        return None
    now = now or pd.Timestamp.now(tz="UTC")
    if start_utc < EARLIEST_START:
        return f"dated {start_utc:%Y-%m-%d}, before GPS watches existed (the watch's clock was not set?)"
    if start_utc > now + FUTURE_SLACK:
        return f"dated {start_utc:%Y-%m-%d}, in the future (the watch's clock was wrong?)"
    return None


def drop_impossible_samples(samples: Samples, foot: bool, heart_rate_bpm: tuple[float, float]) -> tuple[Samples, dict[str, int]]:
    """Samples with out-of-bounds values set missing, and how many per column.

    ``heart_rate_bpm`` is the (lowest, highest) heart rate kept [beats/min].
    """
    dropped: dict[str, int] = {}
    fixed: dict[str, np.ndarray] = {}
    bounds = {col: heart_rate_bpm if col == g.HEART_RATE else b for col, b in SAMPLE_BOUNDS.items()}
    bounds[g.SPEED] = (0.0, FOOT_MAX_SPEED_MPS if foot else OTHER_MAX_SPEED_MPS)
    for col, (lo, hi) in bounds.items():
        if col not in samples:
            continue
        v = samples[col]
        bad = np.isfinite(v) & ((v < lo) | (v > hi)) | np.isinf(v)
        if bad.any():
            fixed[col] = np.where(bad, np.nan, v)
            dropped[col] = int(bad.sum())
    if g.DISTANCE in samples:
        # Cumulative distance never goes backwards: a step back is a counter reset or garbage.
        d = fixed.get(g.DISTANCE, samples[g.DISTANCE])
        ok = np.isfinite(d)
        if ok.sum() >= 2:
            running_max = np.fmax.accumulate(np.where(ok, d, -np.inf))
            back = ok & (d < running_max - 1.0)
            if back.any():
                fixed[g.DISTANCE] = np.where(back, np.nan, d)
                dropped[g.DISTANCE] = dropped.get(g.DISTANCE, 0) + int(back.sum())
    return (samples.with_columns(**fixed) if fixed else samples), dropped


def plausible_total(value: float | None, hi: float) -> float | None:
    """A file's own total, or None when it is missing, negative, infinite or beyond ``hi``."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(v) or v < 0 or v > hi:
        return None
    return v


def now_utc() -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.now(dt.timezone.utc))


#: Samples further than this from the recording's median time are stray timestamps [s].
STRAY_SAMPLE_S = 2 * 24 * 3600.0


def drop_stray_samples(samples: Samples) -> tuple[Samples, int]:
    """Samples without those whose timestamp lies days away from the rest (a clock glitch)."""
    if len(samples) < 3:
        return samples, 0
    t = samples.t
    stray = np.abs(t - np.median(t)) > STRAY_SAMPLE_S
    if not stray.any():
        return samples, 0
    return samples.take(~stray), int(stray.sum())


#: Over a run at least this long, no runner averages more than `config.IngestConfig.max_run_speed_mps`
#: (the 5,000 m world record is 6.6 m/s; over shorter races a runner is faster: 1,500 m, 7.3 m/s) [s].
PLAUSIBLE_SPEED_AFTER_S = 600.0


def run_seconds(activity: Activity) -> float | None:
    """The time a run's average speed is judged over [s]: moving time, else elapsed time; None when neither is known."""
    for value in (activity.moving_s, activity.elapsed_s):
        if value is not None and np.isfinite(value) and value > 0:
            return float(value)
    return None


def impossible_speed(activity: Activity, max_speed_mps: float) -> tuple[float, float] | None:
    """(distance [m], time [s]) when the whole run averages faster than ``max_speed_mps``; None when it could be run.

    Judged on the run's own totals (after cleaning, for a file; as listed, for
    a summary), over runs longer than `PLAUSIBLE_SPEED_AFTER_S`.
    """
    seconds = run_seconds(activity)
    distance = activity.distance_m
    if seconds is None or distance is None or not np.isfinite(distance) or seconds < PLAUSIBLE_SPEED_AFTER_S:
        return None
    return (float(distance), seconds) if distance / seconds > max_speed_mps else None


def stub_points(activity: Activity, min_points: int) -> int | None:
    """The number of samples of a file with samples, but fewer than ``min_points`` (a stub); None otherwise.

    A run known only from a summary (no samples, or one) is no stub: it is a
    run without samples.
    """
    n = activity.n_samples
    return n if activity.has_samples and n < min_points else None


def recorded_distance_m(activity: Activity) -> float | None:
    """The distance the file recorded [m] (before cleaning when it was cleaned), rounded to a decimetre."""
    q = activity.quality
    value = q.recorded_distance_m if q is not None and q.recorded_distance_m is not None else activity.distance_m
    return round(float(value), 1) if value is not None and np.isfinite(value) else None
