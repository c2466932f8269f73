"""Signal cleaning between reading and metrics: judge what was really run.

`clean_activity` takes an `Activity` as a reader decoded it and returns a new
one whose samples and totals can be trusted, with a `Quality` record of what
was done and how much the result can be believed:

1. impossible values (a heart rate of 400, a speed of 1000 m/s, distance
   running backwards) are dropped; an impossible date refuses the file;
2. position jumps are removed (`clean.gps`), and distance is recomputed
   from the cleaned track when the file's distance came from its positions;
   a distance channel made by the watch loses the steps no runner makes;
3. the recording is cut to the run: pieces separated by long gaps that hold
   no running (the phone left recording at home), stretches at vehicle speed,
   and idle heads and tails;
4. moving time is counted from the samples (standing with the timer running
   is not moving), and the share of it spent actually running is measured.

The file's own totals are kept when cleaning changed nothing material (a
clean watch file reads exactly as the watch said); `Quality.distance_source`
says which was used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import Activity, Samples
from ..config import IngestConfig
from ..errors import ParseError
from ..samples import RUNNING_STEP_RATE_MIN, sample_durations, weighted_median
from ..readers.apple_health import ROUTE_DISAGREES_SHARE, ROUTE_DISTANCE
from .gps import POSITION_SLACK_M, accepted_fixes, jitter_mask, reversals, smoothed_positions, still_mask, track_distance
from .span import SPLIT_GAP_S, active, dropped_time, moving_time, run_span, running_now
from .speed import PAUSE_GAP_S, best_sustained_speed, ffill, judged_speed, pauses, rolling_mean, sustained, window_speed
from .values import (
    FOOT_MAX_SPEED_MPS, MAX_RUN_DISTANCE_M, OTHER_MAX_SPEED_MPS, date_problem, drop_impossible_samples, drop_stray_samples,
    plausible_total,
)  # fmt: skip

__all__ = ["Quality", "clean_activity", "judged_speed", "sustained", "window_speed", "best_sustained_speed"]

#: Sustained faster than this, on foot, is a vehicle [m/s] (5,000 m world record: 6.6 m/s).
VEHICLE_SPEED_MPS = 7.5
VEHICLE_MIN_S = 60.0
#: A stationary cloud of fixes must last this long (a turnaround on an out-and-back lasts less) [s].
JITTER_MIN_S = 40.0
#: Best 20 minutes faster than this is an artefact, not an amateur's fitness [m/s].
MAX_SUSTAINED_20MIN_MPS = 6.0
#: Cleaning that removes more than this share of the recorded distance makes a run suspect.
SUSPECT_REMOVED_SHARE = 0.15
SUSPECT_REMOVED_MIN_M = 300.0
#: Changes smaller than both of these leave the file's own totals in place.
MATERIAL_SHARE = 0.01
MATERIAL_M = 50.0
MATERIAL_CUT_S = 300.0

#: Readers whose file total is the device's own word on the distance, beating samples that disagree with it
#: by more than `ROUTE_DISAGREES_SHARE` (an Apple Watch's total against the route GPX), and the name
#: `Quality.distance_source` gives that total.
OWN_TOTAL_WINS = {"apple_health": "workout total"}

#: Altitude that never leaves this band around zero is a placeholder [m].
ZERO_ALTITUDE_M = 2.0



@dataclass(frozen=True)
class Quality:
    """What cleaning did to one activity, and how far its numbers can be trusted.

    Attributes
    ----------
    distance_source : str
        Where ``distance_m`` came from: ``session`` (the watch's session
        total), ``laps`` (lap totals), ``records`` (the watch's distance
        samples), ``track`` (summed positions), ``cleaned records`` or
        ``cleaned track`` (after removing jumps and cuts), ``workout total``
        (an Apple Health workout's own total, kept where its route or samples
        disagree with it), or ``none``.
    recorded_distance_m : float or None
        The distance as the file had it, before cleaning [m].
    gps_jumps_removed_m : float
        Distance in position jumps (and vehicle-speed stretches) removed [m].
    gps_jump_points : int
        Samples whose position was dropped as a jump.
    cut_s, cut_m : float
        Recorded time [s] and distance [m] cut: idle ends, pieces after long gaps
        (time when nothing was recording is not counted; distance across such a gap is).
    vehicle_s : float
        Time at vehicle speed [s], removed.
    vehicle_at_ends : bool
        All of that time lies before or after the time on foot (a drive to or
        from a run), never in between (as on a ride).
    running_s : float
        Time actually running [s] (running cadence, or running pace without cadence).
    running_share : float
        ``running_s`` over moving time (0-1); NaN when it cannot be judged.
    running_speed_mps : float
        Median speed over the running parts [m/s]; NaN without a reliable speed.
    dropped_values : dict
        Impossible sample values set missing, per column.
    suspect_reasons : tuple of str
        Why the run's numbers are doubtful (empty when they are not).
    notes : tuple of str
        What was done, in words.
    """

    distance_source: str = "none"
    recorded_distance_m: float | None = None
    gps_jumps_removed_m: float = 0.0
    gps_jump_points: int = 0
    cut_s: float = 0.0
    cut_m: float = 0.0
    vehicle_s: float = 0.0
    vehicle_at_ends: bool = False
    running_s: float = float("nan")
    running_share: float = float("nan")
    running_speed_mps: float = float("nan")
    dropped_values: dict = field(default_factory=dict)
    suspect_reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def suspect(self) -> bool:
        return bool(self.suspect_reasons)

    @property
    def suspect_reason(self) -> str | None:
        return "; ".join(self.suspect_reasons) or None


def _km(m: float) -> str:
    return f"{m / 1000:.1f} km"


def _duration(s: float) -> str:
    h, m = divmod(int(round(s / 60)), 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def clean_activity(activity: Activity, now: pd.Timestamp | None = None, ingest: IngestConfig = IngestConfig()) -> Activity:
    """A cleaned copy of ``activity`` with its `Quality` record in ``.quality``.

    ``ingest`` holds the thresholds used: the heart rates a body produces, and
    the pace that counts as running when there is no cadence (`config.IngestConfig`).

    Raises
    ------
    ParseError
        The activity's date is impossible (before 1990, or in the future).
    """
    problem = date_problem(activity.start_utc, now)
    if problem:
        raise ParseError(activity.source, problem)
    foot = activity.sport in g.FOOT_SPORTS or activity.sport is None
    indoor = activity.sub_sport in g.INDOOR_SUB_SPORTS
    max_speed = FOOT_MAX_SPEED_MPS if foot else OTHER_MAX_SPEED_MPS
    rec, dropped = drop_impossible_samples(activity.samples, foot, (ingest.heart_rate_min_bpm, ingest.heart_rate_max_bpm))
    rec, strays = drop_stray_samples(rec)
    if strays:
        dropped = {**dropped, "time": strays}
    notes: list[str] = []
    if g.ALTITUDE in rec and _zero_altitude(rec[g.ALTITUDE]):
        rec = rec.without(g.ALTITUDE)
        notes.append("altitude holds only zeros: climb unknown")
    if dropped:
        notes.append("impossible values dropped: " + ", ".join(f"{n} {c}" for c, n in sorted(dropped.items())))
    if 2 <= len(rec) < ingest.min_track_points:
        # A stub (start and end only, or a handful of fixes): too little to judge jumps or idle ends by. Its totals
        # stand as recorded, and the ingest skips it as too little track (keeping its distance for the holes).
        q = Quality(distance_source=_file_source(activity, rec), recorded_distance_m=activity.distance_m, dropped_values=dropped,
                    notes=tuple(notes + ["too little track to clean"]))  # fmt: skip
        elapsed = activity.elapsed_s if activity.elapsed_s is not None else float(rec.t[-1] - rec.t[0])
        return activity.replace(records=rec, distance_m=plausible_total(activity.distance_m, MAX_RUN_DISTANCE_M), elapsed_s=elapsed,
                                moving_s=min(activity.moving_s or 0.0, elapsed), quality=q, warnings=list(activity.warnings))  # fmt: skip
    if len(rec) < 2:
        q = Quality(distance_source=_file_source(activity, rec), recorded_distance_m=activity.distance_m, dropped_values=dropped, notes=tuple(notes))
        elapsed = activity.elapsed_s if len(rec) == len(activity.samples) else 0.0
        moving = min(activity.moving_s or 0.0, elapsed or 0.0)
        return activity.replace(records=rec, elapsed_s=elapsed, moving_s=moving, quality=q, warnings=list(activity.warnings))

    t = rec.t
    own_total = plausible_total(activity.distance_m, MAX_RUN_DISTANCE_M)
    source = _file_source(activity, rec)
    has_positions = rec.count(g.LATITUDE) >= 2

    # -- 2. position jumps, and distance steps no runner makes ---------------
    # Per-sample distance steps [m]: everything as recorded, without steps across long gaps,
    # on accepted fixes only, and finally what is believed (smoothed, scatter removed).
    steps_all = steps_split = steps_kept = steps_clean = None
    rejected_only = np.zeros(len(rec), dtype=bool)
    jump_points = 0
    from_positions = False
    if has_positions:
        lat, lon = rec[g.LATITUDE], rec[g.LONGITUDE]
        has_fix = np.isfinite(lat) & np.isfinite(lon)
        keep, relocated = accepted_fixes(t, lat, lon, max_speed)
        # A watch's own distance channel (FIT, TCX) is its own filtered judgement: it is kept, and only
        # loses the steps no runner makes; a phone's GPX has only positions, and they are cleaned here.
        from_positions = g.DISTANCE not in rec or activity.format == "gpx"
        jump_points = int((has_fix & ~keep).sum())
        if from_positions:
            others = [c for c in rec.columns if c not in (g.LATITUDE, g.LONGITUDE, g.DISTANCE, g.SPEED)]
            other_values = np.zeros(len(rec), dtype=bool)
            for c in others:
                other_values |= ~np.isnan(rec[c])
            rejected_only = has_fix & ~keep & ~other_values
            steps_all = _steps(track_distance(t, lat, lon, has_fix, math.inf))
            steps_split = _steps(track_distance(t, lat, lon, has_fix, SPLIT_GAP_S))
            steps_kept = _steps(track_distance(t, lat, lon, keep, SPLIT_GAP_S, skip=relocated))
            slat, slon = smoothed_positions(t, lat, lon, keep, breaks=relocated | reversals(lat, lon, keep))
            steps_clean = _steps(track_distance(t, slat, slon, keep, SPLIT_GAP_S, skip=relocated))
            cloud = sustained(jitter_mask(t, lat, lon, keep), t, JITTER_MIN_S) | still_mask(t, lat, lon, keep, SPLIT_GAP_S)
            if cloud.any():
                # standing still: the steps inside a cloud of fixes are noise, not distance
                steps_kept = np.where(cloud, 0.0, steps_kept)
                steps_clean = np.where(cloud, 0.0, steps_clean)
                notes.append(f"stood still in a cloud of fixes for {_duration(float(np.diff(t, append=t[-1])[cloud].sum()))}")
        if jump_points:
            dropped_fix = has_fix & ~keep
            rec = rec.with_columns(**{g.LATITUDE: np.where(dropped_fix, np.nan, lat), g.LONGITUDE: np.where(dropped_fix, np.nan, lon)})
    if steps_all is None and rec.count(g.DISTANCE) >= 2:
        d = rec[g.DISTANCE]
        filled = ffill(d)
        d = np.where(np.isnan(filled), d[np.isfinite(d)][0], filled)  # the counter starts at its first value
        steps_all = steps_split = np.diff(d, prepend=d[0]).clip(0.0)
        bad = steps_all > max_speed * np.maximum(np.diff(t, prepend=t[0]), 1.0) + POSITION_SLACK_M
        steps_kept = steps_clean = np.where(bad, 0.0, steps_all)
    recorded = own_total if own_total is not None else (float(steps_all.sum()) if steps_all is not None else None)

    # -- 3. cut the recording to the run ---------------------------------------
    breaks = pauses(t, np.cumsum(steps_clean) if steps_clean is not None else None)
    if steps_clean is not None:
        speed = window_speed(t, np.cumsum(steps_clean), 60.0)
    elif g.SPEED in rec:
        speed = rolling_mean(rec, g.SPEED, 60)
    else:
        speed = None
    keep_rows, cut_notes = run_span(t, active(rec, speed), running_now(rec, speed, ingest.running_speed_min_mps), breaks, from_positions)
    notes.extend(cut_notes)
    cut_s = dropped_time(t, keep_rows)
    jumps_m = smooth_m = gap_m = cut_m = vehicle_m = vehicle_s = 0.0
    vehicle_at_ends = False
    if steps_all is not None:
        inside = keep_rows
        cut_m = float(steps_all[~inside].sum())
        gap_m = float((steps_all - steps_split)[inside].sum())
        jumps_m = float((steps_split - steps_kept)[inside].sum())
        smooth_m = float((steps_kept - steps_clean)[inside].sum())
        if jumps_m >= 1.0:
            notes.append(f"{jumps_m:.0f} m of position jumps removed ({jump_points} fixes)")
        if smooth_m >= MATERIAL_M:
            notes.append(f"{smooth_m:.0f} m of position noise smoothed out")
        if gap_m >= 1.0:
            notes.append(f"{gap_m:.0f} m across gaps of over {SPLIT_GAP_S / 60:.0f} minutes not counted")
    if foot and speed is not None and steps_clean is not None and not indoor:
        vehicle = sustained(np.nan_to_num(speed) > VEHICLE_SPEED_MPS, t, VEHICLE_MIN_S, breaks) & keep_rows
        if vehicle.any():
            vehicle_m = float(steps_clean[vehicle].sum())
            vehicle_s = float(np.diff(t, append=t[-1])[vehicle].sum())
            on_foot = np.nonzero(running_now(rec, speed, ingest.running_speed_min_mps) & ~vehicle & keep_rows)[0]
            vehicle_at_ends = bool(len(on_foot)) and not (vehicle[on_foot[0] : on_foot[-1] + 1]).any()
            steps_clean = np.where(vehicle, 0.0, steps_clean)
            notes.append(f"{_km(vehicle_m)} at vehicle speed removed")
    keep_rows &= ~rejected_only
    if not keep_rows.all():
        rec = rec.take(keep_rows)
        t = t[keep_rows]
        steps_clean = steps_clean[keep_rows] if steps_clean is not None else None
    if steps_clean is not None and len(rec):
        steps_clean = steps_clean.copy()
        steps_clean[0] = 0.0
        rec = rec.with_columns(**{g.DISTANCE: np.cumsum(steps_clean)})
        if from_positions or jumps_m + vehicle_m > 0:
            rec = rec.with_columns(**{g.SPEED: window_speed(t, rec[g.DISTANCE], 10.0)})

    # -- totals -----------------------------------------------------------------
    removed = jumps_m + vehicle_m + cut_m + gap_m + smooth_m
    material = removed > max(MATERIAL_SHARE * (recorded or 0.0), MATERIAL_M) or cut_s > MATERIAL_CUT_S
    cleaned_m = float(rec[g.DISTANCE][-1]) if g.DISTANCE in rec and len(rec) else None
    if cleaned_m is not None and not math.isfinite(cleaned_m):
        cleaned_m = None
    if not material:
        jumps_m = vehicle_m = cut_m = gap_m = 0.0  # the file's distance stands: nothing was removed from it
        distance = own_total if own_total is not None else cleaned_m
    elif cleaned_m is not None:
        distance = cleaned_m
        source = "cleaned track" if from_positions else "cleaned records"
    else:
        distance = own_total
    if activity.format in OWN_TOTAL_WINS and own_total:  # the device's own total, not its route nor what cleaning made of it
        said = [(activity.totals or {}).get(ROUTE_DISTANCE), distance if distance is not None else 0.0]
        if any(v is not None and abs(v - own_total) > ROUTE_DISAGREES_SHARE * own_total for v in said):
            distance, source = own_total, OWN_TOTAL_WINS[activity.format]
    elapsed = activity.elapsed_s if keep_rows.all() else float(t[-1] - t[0]) if len(t) > 1 else 0.0
    moving = _moving_s(rec, t, activity)
    if distance == own_total and own_total and abs((cleaned_m or 0.0) - own_total) > 0.05 * own_total and activity.moving_s:
        # The samples and the totals describe different stretches (laps without trackpoints, or
        # trackpoints past the laps): time comes from the same totals as the distance.
        moving = float(activity.moving_s)
    if elapsed is not None:
        moving = min(moving, float(elapsed))
    running_s, share, run_speed = _running(rec, t, moving, indoor, ingest.running_speed_min_mps)

    # -- doubts -----------------------------------------------------------------
    reasons = []
    doubted = jumps_m + vehicle_m + cut_m + gap_m  # smoothing noise is repair, not doubt
    if recorded and doubted > max(SUSPECT_REMOVED_SHARE * recorded, SUSPECT_REMOVED_MIN_M):
        parts = []
        if jumps_m >= MATERIAL_M:  # a few metres would read "0.0 km"
            parts.append(f"{_km(jumps_m)} of GPS jumps removed")
        if vehicle_m > 0:
            parts.append(f"{_km(vehicle_m)} at vehicle speed removed")
        if cut_m + gap_m > 0 or cut_s > MATERIAL_CUT_S:
            parts.append(f"{_duration(cut_s)} of recording outside the run cut ({_km(cut_m + gap_m)})")
        reasons.append(f"{', '.join(parts)}; {_km(recorded)} recorded, {_km(distance or 0.0)} kept")
    if foot and not indoor and distance is not None:
        best = best_sustained_speed(rec)
        if math.isfinite(best) and best > MAX_SUSTAINED_20MIN_MPS:
            reasons.append(f"a best 20 minutes at {best:.1f} m/s, faster than any amateur runs")
    quality = Quality(
        distance_source=source if distance is not None else "none",
        recorded_distance_m=recorded,
        gps_jumps_removed_m=round(jumps_m + vehicle_m, 1),
        vehicle_s=round(vehicle_s, 1),
        vehicle_at_ends=vehicle_at_ends,
        gps_jump_points=jump_points,
        cut_s=round(cut_s, 1),
        cut_m=round(cut_m + gap_m, 1),
        running_s=running_s,
        running_share=share,
        running_speed_mps=run_speed,
        dropped_values=dropped,
        suspect_reasons=tuple(reasons),
        notes=tuple(notes),
    )
    return activity.replace(
        records=rec,
        start_utc=pd.Timestamp(int(rec.t_ns[0]), tz="UTC") if len(rec) and cut_s > 1.0 else activity.start_utc,
        distance_m=distance,
        elapsed_s=elapsed,
        moving_s=moving,
        quality=quality,
        warnings=list(activity.warnings),
    )


def _steps(cumulative: np.ndarray) -> np.ndarray:
    return np.diff(cumulative, prepend=cumulative[0] if len(cumulative) else 0.0)


def _zero_altitude(alt: np.ndarray) -> bool:
    """An altitude channel of placeholders: every value within a metre or two of zero, never varying.

    Real altitude, barometric or GPS, wanders by metres over any run, even at
    sea level; phones that have none write zeros.
    """
    a = alt[np.isfinite(alt)]
    return len(a) > 0 and float(np.abs(a).max()) < ZERO_ALTITUDE_M and float(a.max() - a.min()) < 1.0


def _span(rec: Samples) -> float:
    if g.DISTANCE not in rec:
        return 0.0
    d = rec[g.DISTANCE]
    d = d[~np.isnan(d)]
    return float(d[-1] - d[0]) if len(d) > 1 else 0.0


def _file_source(activity: Activity, rec: Samples) -> str:
    """Where the file's own ``distance_m`` came from."""
    if activity.distance_m is None:
        return "none"
    if g.DISTANCE in rec and abs(_span(rec) - activity.distance_m) <= 1.0:
        if activity.format == "gpx":
            return "track"
        return "records"
    return {"fit": "session", "tcx": "laps", **OWN_TOTAL_WINS}.get(activity.format, "records")


def _moving_s(rec: Samples, t: np.ndarray, activity: Activity) -> float:
    """Time on the move [s]: steps shorter than a pause, faster than standing (the timer alone can't say)."""
    if len(t) < 2:
        return float(activity.moving_s or 0.0)
    breaks = pauses(t, rec[g.DISTANCE] if g.DISTANCE in rec else None)
    if rec.has(g.SPEED):
        return moving_time(t, judged_speed(rec, 10.0), breaks)
    if rec.has(g.CADENCE):
        dt = np.diff(t)
        return float(dt[~breaks & (np.nan_to_num(rec[g.CADENCE][1:]) > 0)].sum())
    return float(min(activity.moving_s or 0.0, t[-1] - t[0]) or (t[-1] - t[0]))


def _running(rec: Samples, t: np.ndarray, moving_s: float, indoor: bool, running_speed_min_mps: float) -> tuple[float, float, float]:
    """(running time [s], share of moving time, median running speed [m/s]); running as in `span.running_now`."""
    w = sample_durations(rec, cap_s=PAUSE_GAP_S).copy()
    dt = np.diff(t)
    sparse = (dt > PAUSE_GAP_S) & ~pauses(t, rec[g.DISTANCE] if g.DISTANCE in rec else None)
    w[:-1][sparse] = dt[sparse]  # a phone's sparse fixes stand for all the time between them
    speed = judged_speed(rec) if (g.DISTANCE in rec or g.SPEED in rec) else None
    if rec.count(g.CADENCE) >= 10:
        running = np.nan_to_num(rec[g.CADENCE]) >= RUNNING_STEP_RATE_MIN
    elif speed is not None and not indoor:
        running = np.nan_to_num(speed) >= running_speed_min_mps
    else:
        return float("nan"), float("nan"), float("nan")
    running_s = min(float(w[running].sum()), moving_s)
    share = min(1.0, running_s / moving_s) if moving_s > 0 else float("nan")
    run_speed = float("nan")
    if speed is not None and not indoor:
        run_speed = weighted_median(np.where(running, speed, np.nan), w)
    return running_s, share, run_speed
