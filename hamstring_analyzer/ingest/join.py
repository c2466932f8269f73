"""One workout recorded in several files: the parts joined into one run.

Some watches (seen on COROS) write one run as 2-5 FIT files a minute or two
apart (a split at 5 km, a cool-down); the platform shows one workout. Read
as separate runs they shorten the longest run, double the runs per week and
fake single-run spikes later. `join_parts` puts such parts back together: runs
of one sport from one recorder (the same ``device``; for a file that names
none, the same format in the same folder) where each starts at most
``gap_s`` after the previous one ended. Runs that overlap in time are not
parts of one workout (two recordings of one run are duplicates, dropped
before, see `classify.drop_duplicates`), nor are runs indoors and outdoors.
Parts run at clearly different speeds (`PACE_RATIO`) are not joined either:
a warm-up and the race after it, or a race and its cool-down, are separate
efforts a coach reads apart (joined, the race is no longer a race), while a
watch's split mid-run keeps the pace.

A joined run (`JoinedActivity`) keeps the first part's id, source and
start; its distance, moving time and laps are the parts' together, its
elapsed time runs from the first start to the last end (the gap between
parts is a pause), and its samples are read from the parts when asked for,
so a run kept in the run store still holds no samples in memory.
"""

from __future__ import annotations

import math
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import Activity, Samples
from ..clean import Quality
from ..clean.values import run_seconds
from ..metrics.profile import NO_PROFILE, record_profile
from ..metrics.summary import expensive_stats
from ..numbers import json_number
from .wording import joined_reason

#: Runs overlapping by more than this are two recordings, never parts of one workout [s]
#: (a watch closing one file and opening the next in the same second rounds either way).
OVERLAP_TOLERANCE_S = 2.0


class JoinedActivity(Activity):
    """One run recorded as several files: ``parts`` (activities, oldest first) read as one.

    Built by `join_parts`, never by hand. The samples are the parts' samples
    one after the other (the distance channel runs on across the parts),
    read from the parts on each use unless a copy was made with samples in
    hand (`Activity.replace`).
    """

    parts: tuple = ()

    def replace(self, **changes) -> "JoinedActivity":
        copy = super().replace(**changes)
        copy.parts = self.parts
        return copy

    def _set_records(self, value) -> None:  # a copy made with samples in hand holds them
        self.__dict__["_held"] = None if value is None else (value if isinstance(value, Samples) else Samples.from_frame(value))
        self.__dict__["_frame"] = None

    def _holds_samples(self) -> bool:
        return self.__dict__.get("_held") is not None

    @property
    def samples(self) -> Samples:
        held = self.__dict__.get("_held")
        return held if held is not None else joined_samples(self.parts)

    def _get_records(self) -> pd.DataFrame:
        return self.samples.frame()

    records = property(_get_records, _set_records, doc="The joined samples as a frame (built on each use).")

    def samples_for(self, columns) -> Samples:
        if self._holds_samples():
            return super().samples_for(columns)
        return joined_samples(self.parts, tuple(columns))

    def has_channel(self, name: str) -> bool:
        return super().has_channel(name) if self._holds_samples() else any(p.has_channel(name) for p in self.parts)

    @property
    def has_gps(self) -> bool:
        return super().has_gps if self._holds_samples() else any(p.has_gps for p in self.parts)

    @property
    def n_samples(self) -> int:
        return super().n_samples if self._holds_samples() else sum(p.n_samples for p in self.parts)

    @property
    def files(self) -> list[str]:
        return [p.source for p in self.parts] or [self.source]


def _end(a: Activity) -> pd.Timestamp:
    return a.start_utc + pd.Timedelta(seconds=float(a.elapsed_s or 0.0))


def _recorder(a: Activity) -> tuple:
    """What recorded ``a``: its device, or for a file naming none, its format and folder."""
    if a.device:
        return ("device", a.device.strip().lower())
    return ("file", a.format, str(PurePosixPath(a.source).parent))


def _group_key(a: Activity) -> tuple:
    return (a.sport, a.sub_sport in g.INDOOR_SUB_SPORTS, _recorder(a))


#: Parts whose average speeds differ by more than this factor are two efforts (a warm-up, a race), not one run.
PACE_RATIO = 1.25


def _speed(a: Activity) -> float | None:
    seconds = run_seconds(a)
    if not a.distance_m or seconds is None or not math.isfinite(a.distance_m):
        return None
    return a.distance_m / seconds


def _same_pace(a: Activity, b: Activity) -> bool:
    """True when ``b`` keeps ``a``'s average speed within `PACE_RATIO` (or either cannot say)."""
    va, vb = _speed(a), _speed(b)
    if va is None or vb is None:
        return True
    return max(va, vb) / min(va, vb) <= PACE_RATIO


def join_parts(runs: list[Activity], gap_s: float) -> tuple[list[Activity], list[dict]]:
    """The runs with each workout recorded in several files joined into one, and a listing of the later parts.

    Parameters
    ----------
    runs : list of Activity
        Runs with a start, duplicates already dropped.
    gap_s : float
        The longest pause between one part's end and the next part's start [s];
        0 joins nothing.

    Returns
    -------
    runs : list of Activity
        Oldest first; a joined run is a `JoinedActivity` with the first part's id.
    parts : list of dict
        ``{"source", "part_of", "reason"}`` for every part after the first of a
        joined run (its id, the joined run's id, and a reason in words).
    """
    runs = sorted(runs, key=lambda a: (a.start_utc, a.id))
    if gap_s <= 0:
        return runs, []
    groups: list[list[Activity]] = []
    open_group: dict[tuple, list[Activity]] = {}
    for run in runs:
        key = _group_key(run)
        group = open_group.get(key)
        if group is not None:
            gap = (run.start_utc - _end(group[-1])).total_seconds()
            if -OVERLAP_TOLERANCE_S <= gap <= gap_s and _same_pace(group[-1], run):
                group.append(run)
                continue
        group = [run]
        groups.append(group)
        open_group[key] = group
    out, listed = [], []
    for group in groups:
        if len(group) == 1:
            out.append(group[0])
            continue
        joined = join(group)
        out.append(joined)
        listed += [{"source": p.id, "part_of": joined.id, "reason": joined_reason(joined.id, i + 1, len(group))}
                   for i, p in enumerate(group) if i]  # fmt: skip
    return out, listed


def join(parts: list[Activity]) -> JoinedActivity:
    """One run from ``parts`` (oldest first, not overlapping): totals added, samples and laps one after the other."""
    first, last = parts[0], parts[-1]
    distances = [p.distance_m for p in parts]
    moving = [p.moving_s if p.moving_s is not None else p.elapsed_s for p in parts]
    run = JoinedActivity(
        source=first.source, format=first.format, sport=first.sport, sub_sport=first.sub_sport, device=first.device,
        name=_first(p.name for p in parts), start_utc=first.start_utc, utc_offset_s=first.utc_offset_s, timezone=first.timezone,
        elapsed_s=(_end(last) - first.start_utc).total_seconds(),
        moving_s=float(sum(m for m in moving if m is not None)) if any(m is not None for m in moving) else None,
        distance_m=float(sum(d for d in distances if d is not None)) if any(d is not None for d in distances) else None,
        partial=any(p.partial for p in parts), session_index=first.session_index,
        warnings=list(dict.fromkeys(w for p in parts for w in p.warnings)),
        gear_changes=sum(p.gear_changes for p in parts), rpe=_first(p.rpe for p in parts),
        commute=_first(p.commute for p in parts), file_ref=first.file_ref,
        sources=list(dict.fromkeys(k for p in parts for k in p.source_kinds)),
        laps=[row for p in parts for row in p.lap_rows],
    )  # fmt: skip
    run.parts = tuple(parts)
    run.quality = _joined_quality(parts, run.moving_s)
    run.__dict__["_held"] = joined_samples(parts)  # read once for the numbers measured below, then let go
    try:
        run.stats = _joined_stats(run, parts)
    finally:
        run.__dict__["_held"] = None
    return run


def _first(values):
    return next((v for v in values if v is not None), None)


def joined_samples(parts, columns: tuple | None = None) -> Samples:
    """The parts' samples one after the other; the distance channel goes on from where the previous part ended."""
    pieces = [p.samples if columns is None else p.samples_for(columns) for p in parts]
    pieces = [(p, s) for p, s in zip(parts, pieces) if len(s)]
    if not pieces:
        return Samples.empty()
    names = list(dict.fromkeys(c for _, s in pieces for c in s.columns))
    cols: dict[str, list[np.ndarray]] = {c: [] for c in names}
    offset = 0.0
    for part, s in pieces:
        for c in names:
            v = s.get(c)
            v = np.full(len(s), np.nan) if v is None else v
            cols[c].append(v + offset if c == g.DISTANCE else v)
        d = s.get(g.DISTANCE)
        known = d[np.isfinite(d)] if d is not None else np.empty(0)
        offset += float(known[-1]) if len(known) else float(part.distance_m or 0.0)
    t_ns = np.concatenate([s.t_ns for _, s in pieces])
    out = {c: np.concatenate(v) for c, v in cols.items()}
    if len(t_ns) > 1 and (np.diff(t_ns) <= 0).any():  # parts touching at one instant: keep the first sample there
        order = np.argsort(t_ns, kind="stable")
        t_ns, out = t_ns[order], {c: v[order] for c, v in out.items()}
        new = np.concatenate([[True], np.diff(t_ns) != 0])
        t_ns, out = t_ns[new], {c: v[new] for c, v in out.items()}
    return Samples(t_ns, out)


def _sum(values) -> float:
    known = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return float(sum(known)) if known else math.nan


def _joined_quality(parts: list[Activity], moving_s: float | None) -> Quality | None:
    """The parts' cleaning records as one: removed distance and time added, running time and share over the whole."""
    records = [p.quality for p in parts if p.quality is not None]
    if not records:
        return None
    sources = list(dict.fromkeys(q.distance_source for q in records))
    running_s = _sum(q.running_s for q in records)
    weights = [(q.running_speed_mps, q.running_s) for q in records if math.isfinite(q.running_speed_mps) and math.isfinite(q.running_s)]
    total_w = sum(w for _, w in weights)
    recorded = [q.recorded_distance_m for q in records]
    dropped: dict = {}
    for q in records:
        for k, n in (q.dropped_values or {}).items():
            dropped[k] = dropped.get(k, 0) + n
    return Quality(
        distance_source=sources[0] if len(sources) == 1 else "+".join(sources),
        recorded_distance_m=None if any(r is None for r in recorded) else float(sum(recorded)),
        gps_jumps_removed_m=round(sum(q.gps_jumps_removed_m for q in records), 1),
        gps_jump_points=sum(q.gps_jump_points for q in records),
        cut_s=round(sum(q.cut_s for q in records), 1),
        cut_m=round(sum(q.cut_m for q in records), 1),
        vehicle_s=round(sum(q.vehicle_s for q in records), 1),
        vehicle_at_ends=all(q.vehicle_at_ends for q in records),
        running_s=running_s,
        running_share=running_s / moving_s if moving_s and math.isfinite(running_s) else math.nan,
        running_speed_mps=sum(v * w for v, w in weights) / total_w if total_w > 0 else math.nan,
        dropped_values=dropped,
        suspect_reasons=tuple(dict.fromkeys(r for q in records for r in q.suspect_reasons)),
        notes=tuple(dict.fromkeys(n for q in records for n in q.notes)),
    )


def _joined_stats(run: JoinedActivity, parts: list[Activity]) -> dict:
    """The run's summary numbers from its joined samples; the parts' own numbers, added or time-weighted, where a part has none."""
    combined = _parts_stats(parts)
    if all(p.has_samples for p in parts):
        stats = expensive_stats(run)
        for name, value in combined.items():
            if stats.get(name) is None:
                stats[name] = value
    else:
        stats = combined
    stats["profile"] = record_profile(run) if run.has_samples else dict(NO_PROFILE)
    return stats


def _parts_stats(parts: list[Activity]) -> dict:
    """Climb added up; cadence and heart rate weighted by each part's moving time."""
    def stat(p, name):
        v = (p.stats or {}).get(name)
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

    climbs = [stat(p, "elevation_gain_m") for p in parts]
    out = {"elevation_gain_m": json_number(_sum(climbs)) if any(c is not None for c in climbs) else None}
    for name in ("cadence_spm", "avg_heart_rate_bpm"):
        pairs = [(stat(p, name), float(p.moving_s or p.elapsed_s or 0.0)) for p in parts]
        pairs = [(v, w) for v, w in pairs if v is not None and w > 0]
        total = sum(w for _, w in pairs)
        out[name] = json_number(sum(v * w for v, w in pairs) / total) if total > 0 else None
    return out
