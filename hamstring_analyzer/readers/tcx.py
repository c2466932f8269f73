"""TCX files (Garmin, Polar, Suunto, TomTom exports), streamed through a safe XML parser (`track.xml_events`).

The document is never built whole: a lap's and a trackpoint's values are
kept as numbers and text when their elements end, and the elements are
dropped, so memory follows the points kept (`track.PointBudget` caps them).
"""

from __future__ import annotations

from array import array

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import Activity, empty_laps
from ..errors import NotAnActivityError, ParseError
from .sports import file_sport
from .track import (EARLIEST_DATE_S, LATEST_DATE_S, PAUSE_GAP_S, PointBudget, build_activity, dated, iso_seconds, refuse_dense,
                    xml_events)  # fmt: skip
from .xmlsafe import clean_xml

TCX_INTENSITY = {"active": "active", "resting": "rest"}
#: Laps reaching this much further than their trackpoints [s] hold time the points lack;
#: less is only where the first and last points fall (Garmin laps start a few seconds early).
LAPS_BEYOND_POINTS_S = PAUSE_GAP_S
#: A cumulative distance may step back this much [m] without being damaged: GPS jitter while
#: standing (a Forerunner 305 among the real files steps back up to 4.2 m).
DISTANCE_JITTER_M = 10.0


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


#: A trackpoint's values (one array each in `_Lap.columns`), and the child paths they are read
#: from: the first child of each name at each step, as the schema has one.
POINT_COLUMNS = ("t", "lat", "lon", "alt", "dist", "hr", "cad", "speed")
POINT_PATHS = {
    ("Time",): "t", ("Position", "LatitudeDegrees"): "lat", ("Position", "LongitudeDegrees"): "lon",
    ("AltitudeMeters",): "alt", ("DistanceMeters",): "dist", ("HeartRateBpm", "Value"): "hr", ("Cadence",): "cad",
}  # fmt: skip
#: Every element inside a trackpoint's first ``Extensions`` (any depth) has this path.
IN_EXTENSIONS = ("Extensions", "*")


class _Lap:
    """One ``<Lap>`` as read: its ``StartTime``, its first ``TotalTimeSeconds``, ``DistanceMeters`` and
    ``Intensity`` texts (stripped; keyed by path), and its trackpoints' values (NaN where absent)."""

    def __init__(self, start: str | None):
        self.start = start
        self.fields: dict[tuple, str | None] = {}
        self.columns = {c: array("d") for c in POINT_COLUMNS}


class _Act:
    """One ``<Activity>`` as read: its ``Sport``, ``Notes`` and ``Creator/Name`` (in ``fields``), its laps."""

    def __init__(self, sport: str | None):
        self.sport = sport
        self.fields: dict[tuple, str | None] = {}
        self.laps: list[_Lap] = []
        self.run_steps = False  # a trackpoint's cadence came from Garmin's RunCadence extension

    def column(self, name: str) -> np.ndarray:
        """One point value of every lap, in the file's order [as written]."""
        parts = [np.frombuffer(lap.columns[name], dtype="float64") for lap in self.laps]
        return np.concatenate(parts) if parts else np.empty(0)


class _Found:
    def __init__(self):
        self.activities: list[_Act] = []
        self.plans = False  # a Course or Workout is in the file


class _Point:
    """A trackpoint being read: its values, the first finite ``RunCadence`` and the last ``Speed`` of its extensions."""

    def __init__(self):
        self.values = dict.fromkeys(POINT_COLUMNS[:-1], np.nan)
        self.run_cadence = np.nan
        self.speed = np.nan


def _stream(data: bytes, source: str) -> _Found:
    """Read the activities, laps and trackpoints of a TCX document (`read_tcx` does the rest).

    Follows the tree reading it replaces: ``Activity`` elements at any depth
    (not inside another), ``Lap`` their direct children, ``Trackpoint``
    anywhere inside a lap (not inside another), and for each value the first
    child of its name at every step of its path. Each element is dropped at
    its end, so the document is never held.
    """
    found = _Found()
    budget = PointBudget(source)
    act = lap = point = None
    act_el = lap_el = point_el = None
    paths: dict[int, tuple] = {}  # open elements reached from an anchor (activity, lap, point) through first children
    seen: dict[int, set] = {}  # the child names already met under each such element
    for event, el, up in xml_events(data, source, "TCX"):
        name = _local(el.tag)
        if event == "start":
            if not up:
                if name not in ("TrainingCenterDatabase", "Activities"):
                    raise ParseError(source, f"not a TCX file (root element is <{name}>)")
                continue
            parent = up[-1]
            if name in ("Course", "Workout"):
                found.plans = True
            if name == "Activity" and act is None:
                act, act_el = _Act(el.get("Sport")), el
                found.activities.append(act)
                paths[id(el)], seen[id(el)] = (), set()
            elif name == "Lap" and act is not None and parent is act_el and lap is None:
                lap, lap_el = _Lap(el.get("StartTime")), el
                act.laps.append(lap)
                paths[id(el)], seen[id(el)] = (), set()
            elif name == "Trackpoint" and lap is not None and point is None:
                budget.add()
                point, point_el = _Point(), el
                paths[id(el)], seen[id(el)] = (), set()
            elif id(parent) in paths:
                path = paths[id(parent)]
                if path[:1] == ("Extensions",):  # anything inside the first Extensions, at any depth
                    paths[id(el)], seen[id(el)] = IN_EXTENSIONS, set()
                elif name not in seen[id(parent)]:
                    seen[id(parent)].add(name)
                    paths[id(el)], seen[id(el)] = path + (name,), set()
            continue
        path = paths.pop(id(el), None)
        seen.pop(id(el), None)
        if path is None:
            continue
        text = el.text.strip() if el.text else None
        if el is point_el:
            values = point.values
            if np.isnan(values["cad"]) and np.isfinite(point.run_cadence):
                values["cad"] = point.run_cadence
                act.run_steps = True
            for column in POINT_COLUMNS[:-1]:
                lap.columns[column].append(values[column])
            lap.columns["speed"].append(point.speed)
            point = point_el = None
        elif el is lap_el:
            lap = lap_el = None
        elif el is act_el:
            act = act_el = None
        elif point is not None:
            if path == IN_EXTENSIONS:
                if name == "RunCadence" and np.isnan(point.run_cadence):
                    point.run_cadence = _float(el.text)
                elif name == "Speed":
                    point.speed = _float(el.text)
            elif path in POINT_PATHS:
                column = POINT_PATHS[path]
                point.values[column] = _time(text) if column == "t" else _float(text)
        elif lap is not None:
            if path in (("TotalTimeSeconds",), ("DistanceMeters",), ("Intensity",)):
                lap.fields[path] = text
        elif act is not None and path in (("Notes",), ("Creator", "Name")):
            act.fields[path] = text
    return found


def _float(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return np.nan


def _time(text) -> float:
    t = iso_seconds(text)
    if np.isnan(t) and text:
        try:  # the rare spellings Python's ISO reader refuses
            ts = pd.Timestamp(text)
        except (ValueError, TypeError):
            return np.nan
        t = (ts.tz_localize("UTC") if ts.tzinfo is None else ts).timestamp()
    return t


def _dated_lap(row: dict) -> dict:
    """A lap row whose times outside 1990..2100 (a phone's year 7526) are unknown, as its trackpoints' are."""
    out = dict(row)
    for name in (g.LAP_START, g.LAP_END, "until"):
        if not EARLIEST_DATE_S <= out[name] <= LATEST_DATE_S:  # NaN fails too
            out[name] = np.nan
    if not np.isfinite(out[g.LAP_START]) or not np.isfinite(out[g.LAP_END]):
        out[g.LAP_ELAPSED] = np.nan
    return out


def _recorded_distance(dist: np.ndarray, times: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, int]:
    """Cumulative distances [m] with the impossible ones missing, and how many were impossible.

    A cumulative distance never goes below zero and never back (in time
    order) by more than `DISTANCE_JITTER_M`: such a value is a damaged
    sample, left out. When any were and the
    trackpoints have positions, the whole channel is left out, so that the
    positions give the distance instead of a mix of both.
    """
    order = np.argsort(times, kind="stable")
    d = dist[order]
    finite = np.isfinite(d)
    good = finite & (d >= 0)
    best_before = np.concatenate([[-np.inf], np.fmax.accumulate(np.where(good, d, -np.inf))[:-1]])
    good &= d >= best_before - DISTANCE_JITTER_M
    bad = int((finite & ~good).sum())
    if not bad:
        return dist, 0
    if np.isfinite(lat).sum() >= 2:
        return np.full(len(dist), np.nan), bad
    kept = np.full(len(d), np.nan)
    kept[order] = np.where(good, d, np.nan)
    return kept, bad


def _distance_notes(dropped: int, bad_laps: int, lap_totals: bool, positions: bool, kept: bool) -> list[str]:
    """What was done about negative or decreasing distances, for the activity's warnings."""
    notes = []
    if bad_laps:
        notes.append(f"{bad_laps} lap(s) with a negative distance: the lap totals were not used")
    if dropped:
        source = ("comes from the lap totals" if lap_totals else "comes from the positions" if positions
                  else "comes from the trackpoints left" if kept else "is unknown")  # fmt: skip
        notes.append(f"{dropped} trackpoints had negative or decreasing distances and were left out; the distance {source}")
    elif bad_laps and not positions and not kept:
        notes.append("the distance is unknown")
    return notes


def laps_reach(lap_rows: list[dict], points_s: np.ndarray) -> tuple[float, float] | None:
    """The laps' start and end [UNIX s] when they cover more than the trackpoints, else None.

    Some writers (a Suunto export among the real files) keep every lap's
    ``TotalTimeSeconds`` and ``DistanceMeters`` but drop the trackpoints of
    some laps. The lap totals then describe the whole activity and the points
    only part of it, so time must come from the laps as the distance does:
    from the first lap's ``StartTime`` to the end of the last lap, and never
    less than the laps' summed time.

    The laps count as covering more only when their own timed stretches
    (``StartTime`` to ``StartTime + TotalTimeSeconds``) fill the time beyond the
    points: lap start times that are merely shifted from their points (a writer
    mixing local time and UTC) leave a gap no lap timed, and change nothing.

    Parameters
    ----------
    lap_rows : list of dict
        One per lap: ``start_utc`` [UNIX s], ``timer_s`` [s] and ``until`` (the
        later of start + timer and the lap's last trackpoint) [UNIX s].
    points_s : ndarray
        The activity's trackpoint times [UNIX s].
    """
    starts = np.array([r[g.LAP_START] for r in lap_rows], dtype="float64")
    timers = np.nan_to_num(np.array([r[g.LAP_TIMER] for r in lap_rows], dtype="float64"), nan=0.0).clip(min=0.0)
    ends = np.array([r["until"] for r in lap_rows], dtype="float64")
    points_s = points_s[np.isfinite(points_s)]
    if not np.isfinite(starts).any() or not len(points_s):
        return None
    p0, p1 = float(points_s.min()), float(points_s.max())
    first = float(np.nanmin(starts))
    last = float(np.nanmax(ends)) if np.isfinite(ends).any() else first
    beyond = max(p0 - first, 0.0) + max(last - p1, 0.0)
    timed = np.isfinite(starts)
    s, e = starts[timed], starts[timed] + timers[timed]
    timed_beyond = float((np.clip(p0, s, e) - s).sum() + (e - np.clip(p1, s, e)).sum())
    if beyond <= LAPS_BEYOND_POINTS_S or timed_beyond < beyond - LAPS_BEYOND_POINTS_S:
        return None
    return first, max(last, first + float(timers.sum()))


def read_tcx(data: bytes, source: str) -> list[Activity]:
    """Read each ``Activity`` of a TCX file as one `Activity`.

    Cadence: ``RunCadence`` (extension) and ``Cadence`` are per foot or per
    minute depending on the writer; `steps_per_minute` decides per file.
    Distance and moving time are the laps' totals; when the laps cover more than
    the trackpoints (`laps_reach`), start and elapsed time come from the laps too.

    Raises
    ------
    ParseError
        Broken XML, no activities, or trackpoints without time.
    """
    data, warnings = clean_xml(data, source, "TCX")
    found = _stream(data, source)
    del data
    if not found.activities:
        if found.plans:
            raise NotAnActivityError(source, "TCX file holds a course or workout plan, not a recorded activity")
        raise ParseError(source, "TCX file holds no activities")
    result = []
    empty = 0
    undated: list[str] = []
    for index, act in enumerate(found.activities):
        sport, sub_sport = file_sport(act.sport, act.fields.get(("Notes",)))
        device = act.fields.get(("Creator", "Name"))
        run_steps = act.run_steps  # Garmin's RunCadence extension: steps of a foot sport
        lap_rows = []
        for lap in act.laps:
            lap_start = _time(lap.start)
            lap_t = np.frombuffer(lap.columns["t"], dtype="float64")
            timer = _float(lap.fields.get(("TotalTimeSeconds",)))
            end_candidates = lap_t[np.isfinite(lap_t)]
            lap_end = float(end_candidates.max()) if len(end_candidates) else lap_start + (timer if np.isfinite(timer) else 0)
            intensity = (lap.fields.get(("Intensity",)) or "").lower()
            lap_rows.append(
                {
                    g.LAP_START: lap_start,
                    g.LAP_END: lap_end,
                    g.LAP_DISTANCE: _float(lap.fields.get(("DistanceMeters",))),
                    g.LAP_TIMER: timer,
                    g.LAP_ELAPSED: (lap_end - lap_start) if np.isfinite(lap_start) else np.nan,
                    g.LAP_INTENSITY: TCX_INTENSITY.get(intensity),
                    "until": max((t for t in (lap_end, lap_start + timer) if np.isfinite(t)), default=np.nan),
                }
            )
        times, lat, lon, alt, dist, hr, cad, speed = (act.column(c) for c in POINT_COLUMNS)
        if not len(times) or not np.isfinite(times).any():
            empty += 1
            continue
        try:
            times, out_of_range = dated(times, source, "trackpoints")
        except ParseError as exc:  # this activity only: the file's others may be dated well
            undated.append(exc.reason)
            continue
        refuse_dense(times, source)
        lap_rows = [_dated_lap(r) for r in lap_rows]
        dist, dropped = _recorded_distance(np.array(dist, dtype="float64"), times, np.array(lat, dtype="float64"))
        laps = empty_laps()
        reach = laps_reach(lap_rows, times) if lap_rows else None
        if lap_rows:
            laps = pd.DataFrame(lap_rows).drop(columns="until")
            laps[g.LAP_START] = pd.to_datetime(laps[g.LAP_START], unit="s", utc=True)
            laps[g.LAP_END] = pd.to_datetime(laps[g.LAP_END], unit="s", utc=True)
        timer_total = float(np.nansum([r[g.LAP_TIMER] for r in lap_rows])) if lap_rows else None
        lap_m = np.array([r[g.LAP_DISTANCE] for r in lap_rows], dtype="float64")
        dist_total = float(np.nansum(lap_m)) if lap_rows and not (lap_m < 0).any() else None
        if (lap_m < 0).any():
            laps[g.LAP_DISTANCE] = laps[g.LAP_DISTANCE].where(laps[g.LAP_DISTANCE] >= 0)
        has_positions = bool(np.isfinite(np.array(lat, dtype="float64")).sum() >= 2)
        distance_notes = _distance_notes(dropped, int((lap_m < 0).sum()), bool(dist_total), has_positions, bool(np.isfinite(dist).any()))
        speed_arr = np.array(speed, dtype="float64")
        if sport == "other" and run_steps:
            # TCX names only Running, Biking and Other, so some apps write a run as Other; steps
            # mean a foot sport, and the ingest judges which one from the samples.
            sport, sub_sport = None, None
        result.append(
            build_activity(
                source=source,
                fmt="tcx",
                times_s=times,
                lat=np.array(lat, dtype="float64"),
                lon=np.array(lon, dtype="float64"),
                altitude=np.array(alt, dtype="float64"),
                heart_rate=np.array(hr, dtype="float64"),
                cadence=np.array(cad, dtype="float64"),
                distance=np.array(dist, dtype="float64"),
                speed=speed_arr if np.isfinite(speed_arr).any() else None,
                sport=sport,
                sub_sport=sub_sport,
                device=device,
                name=act.fields.get(("Notes",)),
                laps=laps,
                moving_s=timer_total if timer_total else None,
                distance_total=dist_total if dist_total else None,
                span_s=reach,
                session_index=index,
                warnings=warnings + out_of_range + distance_notes,
            )
        )
    if not result:
        raise ParseError(source, undated[0] if undated else "TCX file has no trackpoints with a time (laps only, or an empty recording)")
    for a in result:
        if empty:
            a.warnings.append(f"{empty} activity(ies) in this file had no timed trackpoints and were left out")
        if undated:
            a.warnings.append(f"{len(undated)} activity(ies) in this file were left out: {undated[0]}")
    return result
