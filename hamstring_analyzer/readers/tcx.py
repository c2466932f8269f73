"""TCX files (Garmin, Polar, Suunto, TomTom exports), read with a safe XML parser."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import Activity, empty_laps
from ..errors import NotAnActivityError, ParseError
from .sports import file_sport
from .track import EARLIEST_DATE_S, LATEST_DATE_S, PAUSE_GAP_S, build_activity, dated, iso_seconds
from .xmlsafe import clean_xml

TCX_INTENSITY = {"active": "active", "resting": "rest"}
#: Laps reaching this much further than their trackpoints [s] hold time the points lack;
#: less is only where the first and last points fall (Garmin laps start a few seconds early).
LAPS_BEYOND_POINTS_S = PAUSE_GAP_S
#: A cumulative distance may step back this much [m] without being damaged: GPS jitter while
#: standing (a Forerunner 305 among the real files steps back up to 4.2 m).
DISTANCE_JITTER_M = 10.0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el, name):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el, *path) -> str | None:
    for name in path:
        if el is None:
            return None
        el = _child(el, name)
    return el.text.strip() if el is not None and el.text else None


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
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring
    from xml.etree.ElementTree import ParseError as XMLParseError

    data, warnings = clean_xml(data, source, "TCX")
    try:
        root = fromstring(data)
    except (XMLParseError, DefusedXmlException, ValueError) as exc:
        raise ParseError(source, f"not a readable TCX file ({str(exc)[:200]})") from None
    if _local(root.tag) != "TrainingCenterDatabase" and _local(root.tag) != "Activities":
        raise ParseError(source, f"not a TCX file (root element is <{_local(root.tag)}>)")
    activities_el = [el for el in root.iter() if _local(el.tag) == "Activity"]
    if not activities_el:
        if any(_local(el.tag) in {"Course", "Workout"} for el in root.iter()):
            raise NotAnActivityError(source, "TCX file holds a course or workout plan, not a recorded activity")
        raise ParseError(source, "TCX file holds no activities")
    result = []
    empty = 0
    undated: list[str] = []
    for index, act in enumerate(activities_el):
        sport, sub_sport = file_sport(act.get("Sport"), _text(act, "Notes"))
        device = _text(act, "Creator", "Name")
        times, lat, lon, alt, dist, hr, cad, speed = ([] for _ in range(8))
        run_steps = False  # Garmin's RunCadence extension: steps of a foot sport
        lap_rows = []
        for lap in (c for c in act if _local(c.tag) == "Lap"):
            lap_start = _time(lap.get("StartTime"))
            lap_points_t = []
            for tp in lap.iter():
                if _local(tp.tag) != "Trackpoint":
                    continue
                t = _time(_text(tp, "Time"))
                times.append(t)
                lap_points_t.append(t)
                pos = _child(tp, "Position")
                lat.append(_float(_text(pos, "LatitudeDegrees")) if pos is not None else np.nan)
                lon.append(_float(_text(pos, "LongitudeDegrees")) if pos is not None else np.nan)
                alt.append(_float(_text(tp, "AltitudeMeters")))
                dist.append(_float(_text(tp, "DistanceMeters")))
                hr.append(_float(_text(tp, "HeartRateBpm", "Value")))
                c = _float(_text(tp, "Cadence"))
                s = np.nan
                ext = _child(tp, "Extensions")
                if ext is not None:
                    for el in ext.iter():
                        name = _local(el.tag)
                        if name == "RunCadence" and np.isnan(c):
                            c = _float(el.text)
                            run_steps = run_steps or np.isfinite(c)
                        elif name == "Speed":
                            s = _float(el.text)
                cad.append(c)
                speed.append(s)
            timer = _float(_text(lap, "TotalTimeSeconds"))
            end_candidates = [t for t in lap_points_t if np.isfinite(t)]
            lap_end = max(end_candidates) if end_candidates else lap_start + (timer if np.isfinite(timer) else 0)
            intensity = (_text(lap, "Intensity") or "").lower()
            lap_rows.append(
                {
                    g.LAP_START: lap_start,
                    g.LAP_END: lap_end,
                    g.LAP_DISTANCE: _float(_text(lap, "DistanceMeters")),
                    g.LAP_TIMER: timer,
                    g.LAP_ELAPSED: (lap_end - lap_start) if np.isfinite(lap_start) else np.nan,
                    g.LAP_INTENSITY: TCX_INTENSITY.get(intensity),
                    "until": max((t for t in (lap_end, lap_start + timer) if np.isfinite(t)), default=np.nan),
                }
            )
        times = np.array(times, dtype="float64")
        if not len(times) or not np.isfinite(times).any():
            empty += 1
            continue
        try:
            times, out_of_range = dated(times, source, "trackpoints")
        except ParseError as exc:  # this activity only: the file's others may be dated well
            undated.append(exc.reason)
            continue
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
                name=_text(act, "Notes"),
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
