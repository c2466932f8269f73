"""Per-run metrics: climb per km, fast running and hard sessions, cadence, late-run fatigue, step length, decoupling.

Pure functions over one Activity's records; `runs_table` puts one row per run
into a frame, with fast running judged against the runner's own threshold
estimated from the runs before each one, and races told by `races.detect_races`.

References
----------
Friel J. The Triathlete's Training Bible: run zones from threshold pace
(zone 4 within 6% of it) and threshold heart rate (zone 4 from 95%);
aerobic decoupling (first half against second half of speed / heart rate,
under 5% on a steady run means the runner is aerobically ready for it).
Heiderscheit BC et al. (2011). Effects of step rate manipulation on joint
mechanics during running. MSSE 43:296-302 (step length = speed / step rate).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import glossary as g
from .activity import Activity, as_samples
from .clean.speed import best_sustained_speed, ffill, judged_speed, rolling_mean, sustained
from .metrics import running_mask, sample_durations, weighted_median
from .summary import INDOOR_SUB_SPORTS, run_summary

if TYPE_CHECKING:  # the ingest computes `record_profile` only: the analysis' modules load with the analysis
    from .config import Config

#: Speeds below this are standing or walking, not running [m/s].
RUNNING_SPEED_MIN = 1.5
#: Best 20-minute speed is about 4% above threshold (one-hour race) speed.
SUSTAINED_OVER_THRESHOLD = 1.04
#: Easy running is about 20% slower than threshold speed (Friel zone 2: 1.14-1.29 x threshold pace).
THRESHOLD_OVER_EASY = 1.20
#: Easy running heart rate sits near 88% of threshold heart rate (Friel zone 2: 85-89%).
EASY_HR_SHARE_OF_THRESHOLD = 0.88
#: Window for speed and heart rate before judging "fast" [s].
SMOOTH_S = 30
#: Fast running counts in stretches at least this long [s].
MIN_FAST_STRETCH_S = 60
#: Best 20 minutes faster than this is an artefact, not fitness [m/s] (no amateur holds 6 m/s for 20 min).
MAX_BEST_20MIN_MPS = 6.0
#: A best 20 minutes more than this many times the window's easy speed is an artefact.
MAX_BEST_OVER_EASY = 1.5
#: The sample channels fast running is judged from (all a run's samples are never needed for it).
FAST_COLUMNS = (g.DISTANCE, g.SPEED, g.HEART_RATE)
#: Threshold speed is kept within these bounds [m/s] (12:00/km to 2:47/km).
THRESHOLD_SPEED_BOUNDS = (1.4, 6.0)
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
    fast_hr = _weighted_percentile(hr[mask], durations[mask], 90.0) if hr is not None and mask.any() else float("nan")
    return {
        "fast_m": float(distance_steps(records)[mask].sum()),
        "fast_s": float(durations[mask].sum()),
        "fast_hr_bpm": fast_hr,
        "fast_by": by,
    }


def _weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
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


def _halves(records, mask: np.ndarray, skip_s: float = 0.0):
    """Running time shares: (weights, first-half mask, last-quarter mask) over the masked samples."""
    w = sample_durations(as_samples(records)) * mask
    clock = np.cumsum(w) - w
    keep = clock >= skip_s
    total = w[keep].sum()
    if total <= 0:
        return w, np.zeros_like(mask), np.zeros_like(mask), np.zeros_like(mask)
    rel = (clock - skip_s) / total
    first = keep & mask & (rel < 0.5)
    second = keep & mask & (rel >= 0.5)
    last_q = keep & mask & (rel >= 0.75)
    return w, first, second, last_q


def late_cadence_drop(records, bin_mps: float = 0.1, min_overlap: float = 0.3) -> tuple[float, bool]:
    """Cadence lost in the last quarter against the first half, at similar pace [steps/min].

    Samples are put into speed bins of ``bin_mps``; each last-quarter sample is
    compared with the first half's median cadence in the same bin, so a runner
    who simply slowed down is not counted as fading. Positive = cadence fell.
    Returns (drop, pace_corrected); NaN when there is too little to compare.
    """
    s = as_samples(records)
    if g.CADENCE not in s or np.isnan(s[g.CADENCE]).all():
        return float("nan"), False
    run = running_mask(s)
    w, first, _, last_q = _halves(s, run)
    cad = s[g.CADENCE]
    if w[first].sum() < 300 or w[last_q].sum() < 300:
        return float("nan"), False
    if g.SPEED not in s or np.isnan(s[g.SPEED]).all():
        return weighted_median(cad[first], w[first]) - weighted_median(cad[last_q], w[last_q]), False
    bins = np.floor(judged_speed(s, 10.0) / bin_mps)
    ref = np.full(len(s), np.nan)
    for b in np.unique(bins[last_q & np.isfinite(bins)]):
        in_first = first & (bins == b) & np.isfinite(cad)
        if w[in_first].sum() >= 30:  # at least half a minute at this pace in the first half
            ref[last_q & (bins == b)] = np.median(cad[in_first])
    diffs = (cad - ref)[last_q]
    weights = w[last_q]
    matched = np.isfinite(diffs)
    if weights[matched].sum() < min_overlap * weights.sum():
        return float("nan"), True
    return -weighted_median(diffs[matched], weights[matched]), True


def aerobic_decoupling_pct(activity: Activity, warmup_s: float = 300.0, max_speed_cv: float = 0.15) -> float:
    """(EF first half - EF second half) / EF first half x 100, EF = speed / heart rate [%].

    Only for steady outdoor runs: no interval laps, speed varying less than
    ``max_speed_cv``. The first ``warmup_s`` are skipped while heart rate rises.
    NaN where it does not apply.
    """
    records = activity.samples
    if not speed_is_reliable(activity) or not activity.has_channel(g.HEART_RATE) or interval_mask(activity).any():
        return float("nan")
    speed = judged_speed(records)
    hr = records[g.HEART_RATE]
    run = (speed >= RUNNING_SPEED_MIN) & np.isfinite(hr) & (hr > 0)
    w, first, second, _ = _halves(records, run, skip_s=warmup_s)
    if w[first].sum() < 600 or w[second].sum() < 600:
        return float("nan")
    sp = speed[first | second]
    if np.std(sp) / np.mean(sp) > max_speed_cv:
        return float("nan")
    ef1 = np.average(speed[first], weights=w[first]) / np.average(hr[first], weights=w[first])
    ef2 = np.average(speed[second], weights=w[second]) / np.average(hr[second], weights=w[second])
    return float((ef1 - ef2) / ef1 * 100.0)


def step_length_m(records) -> float:
    """Median step length while running [m]: running dynamics when recorded, else speed / step rate."""
    s = as_samples(records)
    w = sample_durations(s)
    run = running_mask(s)
    if g.STEP_LENGTH in s and not np.isnan(s[g.STEP_LENGTH]).all():
        sl = s[g.STEP_LENGTH] / 1000.0
        sel = run if run.any() else np.ones(len(s), dtype=bool)
        return weighted_median(sl[sel], w[sel])
    if g.SPEED not in s or g.CADENCE not in s or not run.any():
        return float("nan")
    speed = judged_speed(s, 10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sl = speed / (s[g.CADENCE] / 60.0)
    ok = run & (speed >= RUNNING_SPEED_MIN)
    return weighted_median(sl[ok], w[ok])


def record_profile(activity: Activity) -> dict:
    """The record-derived numbers of one run that need no history (computed at ingest and cached)."""
    reliable = speed_is_reliable(activity)
    records = activity.samples
    drop, corrected = late_cadence_drop(records)
    return {
        "speed_mps": median_running_speed(records),
        "best_20min_mps": best_sustained_speed(records) if reliable else float("nan"),
        "step_length_m": step_length_m(records),
        "late_cadence_drop_spm": drop,
        "late_drop_pace_corrected": corrected,
        "decoupling_pct": aerobic_decoupling_pct(activity),
        "has_intervals": bool(interval_mask(activity).any()),
    }


def run_profile(activity: Activity) -> dict:
    """The numbers of one run that do not depend on the runner's thresholds."""
    s = run_summary(activity)
    local = activity.start_local
    distance = s["distance_m"] or 0.0
    indoor = is_indoor(activity)
    climb = s["elevation_gain_m"]
    reliable = speed_is_reliable(activity)
    cached = (activity.stats or {}).get("profile")
    p = cached if cached is not None else record_profile(activity)
    from .weekly import week_start

    return {
        "id": activity.id,
        "source": activity.source,
        "name": activity.name,
        "start_local": local,
        "local_date": local.date(),
        "week_start": week_start(local.date()),
        "distance_m": distance,
        "moving_s": s["moving_s"] or 0.0,
        "climb_m": climb,
        "climb_per_km": (climb / (distance / 1000.0)) if climb is not None and distance > 0 else float("nan"),
        "indoor": indoor,
        "sub_sport": activity.sub_sport,
        "cadence_spm": s["cadence_spm"] if s["cadence_spm"] is not None else float("nan"),
        "speed_mps": p["speed_mps"],
        "speed_reliable": reliable,
        "best_20min_mps": p["best_20min_mps"],
        "avg_heart_rate_bpm": s["avg_heart_rate_bpm"] if s["avg_heart_rate_bpm"] is not None else float("nan"),
        "step_length_m": p["step_length_m"],
        "has_running_dynamics": activity.has_channel(g.STEP_LENGTH),  # step length from a sensor, not speed / cadence
        "late_cadence_drop_spm": p["late_cadence_drop_spm"],
        "late_drop_pace_corrected": p["late_drop_pace_corrected"],
        "decoupling_pct": p["decoupling_pct"],
        "has_intervals": p["has_intervals"],
        "running_share": _q(activity, "running_share"),
        "running_speed_mps": _q(activity, "running_speed_mps") if reliable else float("nan"),
        "running_s": _q(activity, "running_s"),
        "suspect": bool(activity.quality is not None and activity.quality.suspect),
        "suspect_reason": activity.quality.suspect_reason if activity.quality is not None else None,
        "has_samples": activity.has_samples,
        "rpe": float(activity.rpe) if activity.rpe is not None else float("nan"),
        "sources": activity.source_kinds,
    }


def _q(activity: Activity, name: str) -> float:
    q = activity.quality
    value = getattr(q, name, None) if q is not None else None
    return float(value) if value is not None else float("nan")


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
    starts = np.array([t.timestamp() for t in profiles["start_local"]])
    window = config.fast.history_days * 86400.0
    set_speed, set_hr = config.threshold_speed_mps, config.threshold_hr_bpm
    trusted = profiles["speed_reliable"].to_numpy(bool).copy()
    if "suspect" in profiles:
        trusted &= ~profiles["suspect"].astype(bool).to_numpy()
    speed = profiles["speed_mps"].to_numpy(float)
    best = profiles["best_20min_mps"].to_numpy(float)
    hr = profiles["avg_heart_rate_bpm"].to_numpy(float)
    speeds, hrs = [], []
    for start in starts:
        near = (starts < start) & (starts >= start - window)
        ts = set_speed
        if ts is None:
            ts = _threshold_speed(speed[near & trusted], best[near & trusted])
        th = set_hr
        if th is None:
            th = _hr_at_speed(speed[near & trusted], hr[near & trusted], ts)
            if not math.isfinite(th) and np.isfinite(hr[near]).any():
                th = float(np.nanmedian(hr[near])) / EASY_HR_SHARE_OF_THRESHOLD
            th = float(np.clip(th, 120, 215)) if math.isfinite(th) else float("nan")
        speeds.append(ts)
        hrs.append(th)
    return pd.DataFrame({"threshold_speed_mps": speeds, "threshold_hr_bpm": hrs}, index=profiles.index, dtype="float64")


def _threshold_speed(easy_speeds: np.ndarray, best_20min: np.ndarray) -> float:
    """Threshold speed [m/s] from trusted runs' median running speeds and best 20 minutes (NaN without runs)."""
    easy = easy_speeds[np.isfinite(easy_speeds)]
    cand = []
    if len(easy):
        cand.append(float(np.median(easy)) * THRESHOLD_OVER_EASY)
    best = best_20min[np.isfinite(best_20min) & (best_20min <= MAX_BEST_20MIN_MPS)]
    if len(easy):
        best = best[best <= MAX_BEST_OVER_EASY * float(np.median(easy))]
    if len(best):
        cand.append(float(best.max()) / SUSTAINED_OVER_THRESHOLD)
    if not cand:
        return float("nan")
    lo, hi = THRESHOLD_SPEED_BOUNDS
    return float(np.clip(max(cand), lo, hi))


def _hr_at_speed(speed: np.ndarray, hr: np.ndarray, at: float) -> float:
    """Heart rate at ``at`` m/s on the runner's own speed-to-heart-rate line (NaN if it can't be drawn)."""
    ok = np.isfinite(speed) & np.isfinite(hr)
    if ok.sum() < 5 or not math.isfinite(at):
        return float("nan")
    x, y = speed[ok], hr[ok]
    q1, q3 = np.percentile(x, [25, 75])
    if q3 - q1 < 0.1:
        return float("nan")
    slope, intercept = np.polyfit(x, y, 1)
    if slope <= 0:
        return float("nan")
    return float(intercept + slope * at)


def runs_table(runs: list[Activity], config: Config | None = None) -> pd.DataFrame:
    """One row per run: its date, week, distance, climb, cadence, fast running, races and fatigue measures.

    Columns (units in the names): ``id``, ``source``, ``name`` (the activity's
    own name, None when it has none), ``start_local``,
    ``local_date``, ``week_start``, ``distance_m``, ``moving_s``, ``climb_m``,
    ``climb_per_km`` [m/km], ``indoor``, ``sub_sport``, ``cadence_spm``,
    ``speed_mps`` (median running speed), ``speed_reliable``,
    ``best_20min_mps``, ``avg_heart_rate_bpm``, ``step_length_m``,
    ``late_cadence_drop_spm``, ``late_drop_pace_corrected``, ``decoupling_pct``,
    ``has_intervals``, ``threshold_speed_mps``, ``threshold_hr_bpm``;
    the fast running (`fast_running`): ``fast_m``, ``fast_s``, ``fast_hr_bpm``
    (90th percentile of heart rate over the fast time, NaN without heart rate),
    ``fast_by``, and ``hard`` (a hard session, `hard_sessions`);
    ``has_samples`` (False for a run known only from
    a summary: a manual entry, a list row without its file; its ``fast_m``,
    ``fast_s``, ``fast_hr_bpm`` and sample measures are NaN, and it is never
    ``hard``), ``rpe`` (perceived exertion 1-10, NaN when
    not given), ``sources`` (list of the exports it came from, e.g. ``["strava_csv", "fit"]``),
    the session load (`session_load.add_session_load`): ``trimp``, ``srpe``, ``load``, ``load_by``,
    and the races (`races.detect_races`): ``race``, ``race_label``, ``race_by``.
    """
    from .config import Config
    from .session_load import add_session_load
    from .weekly import week_start

    config = config or Config()
    profiles = pd.DataFrame([run_profile(a) for a in runs], columns=PROFILE_COLUMNS)
    profiles["name"] = pd.Series([n if isinstance(n, str) else None for n in profiles["name"]], dtype=object)  # str or None
    if profiles.empty:
        profiles = profiles.astype(_EMPTY_PROFILE_DTYPES)
        for col in ("threshold_speed_mps", "threshold_hr_bpm", "fast_m", "fast_s", "fast_hr_bpm"):
            profiles[col] = pd.Series(dtype="float64")
        profiles["fast_by"] = pd.Series(dtype="object")
        profiles["hard"] = pd.Series(dtype="bool")
        return _with_races(add_session_load(profiles, {}, config), config)
    order = np.argsort(profiles["start_local"].map(lambda t: t.timestamp()).to_numpy(), kind="stable")
    profiles = profiles.iloc[order].reset_index(drop=True)
    profiles["week_start"] = [week_start(d, config.week_start) for d in profiles["local_date"]]
    by_id = {a.id: a for a in runs}
    thresholds = estimate_thresholds(profiles, config)
    profiles = pd.concat([profiles, thresholds], axis=1)
    efforts = []
    pace_factor = config.fast.pace_pct_of_threshold / 100.0
    hr_factor = config.fast.hr_pct_of_threshold / 100.0
    for row in profiles.itertuples():
        fast_speed = row.threshold_speed_mps / pace_factor if math.isfinite(row.threshold_speed_mps) else None
        fast_hr = row.threshold_hr_bpm * hr_factor if math.isfinite(row.threshold_hr_bpm) else None
        efforts.append(fast_running(by_id[row.id], fast_speed, fast_hr, config.fast.window_s, config.fast.min_stretch_s))
    efforts = pd.DataFrame(efforts, index=profiles.index, columns=["fast_m", "fast_s", "fast_hr_bpm", "fast_by"])
    for col in ("fast_m", "fast_s", "fast_hr_bpm"):
        profiles[col] = efforts[col].astype("float64")
    profiles["fast_by"] = efforts["fast_by"]
    no_samples = ~profiles["has_samples"].astype(bool)
    profiles.loc[no_samples, ["fast_m", "fast_s", "fast_hr_bpm"]] = np.nan  # unknown, not zero, without samples
    profiles["hard"] = hard_sessions(profiles, config)
    return _with_races(add_session_load(profiles, by_id, config), config)


def _with_races(table: pd.DataFrame, config: Config) -> pd.DataFrame:
    from .races import detect_races

    races = detect_races(table, config)
    for col in races.columns:
        table[col] = races[col]
    return table


PROFILE_COLUMNS = [
    "id", "source", "name", "start_local", "local_date", "week_start", "distance_m", "moving_s", "climb_m",
    "climb_per_km", "indoor", "sub_sport", "cadence_spm", "speed_mps", "speed_reliable", "best_20min_mps",
    "avg_heart_rate_bpm", "step_length_m", "has_running_dynamics", "late_cadence_drop_spm", "late_drop_pace_corrected",
    "decoupling_pct", "has_intervals", "running_share", "running_speed_mps", "running_s", "suspect",
    "suspect_reason", "has_samples", "rpe", "sources",
]  # fmt: skip
#: The dtypes of a runs table's profile columns where no row says them (an empty history).
_EMPTY_PROFILE_DTYPES = {
    **dict.fromkeys(
        ("distance_m", "moving_s", "climb_m", "climb_per_km", "cadence_spm", "speed_mps", "best_20min_mps",
         "avg_heart_rate_bpm", "step_length_m", "late_cadence_drop_spm", "decoupling_pct", "running_share",
         "running_speed_mps", "running_s", "rpe"),
        "float64",
    ),
    **dict.fromkeys(
        ("indoor", "speed_reliable", "has_running_dynamics", "late_drop_pace_corrected", "has_intervals", "suspect",
         "has_samples"),
        "bool",
    ),
}  # fmt: skip
