"""A decoded FIT file (`RawFit`) as one `Activity` per session: units, names, laps and totals, whichever engine decoded it."""

from __future__ import annotations

import numpy as np

from ... import glossary as g
from ...activity import Activity, make_samples
from ...errors import NotAnActivityError, ParseError
from .plausible import plausible_distance, without_impossible_values
from .profile import FIRST_ABSOLUTE_TIME_S, GEAR_CHANGE_EVENTS, INTENSITY_NAMES, NON_ACTIVITY_TYPES, SEMICIRCLE_DEG, RawFit, enum_name


def _device(file_id: dict | None) -> str | None:
    if not file_id:
        return None
    maker = file_id.get("manufacturer")
    product = file_id.get("garmin_product", file_id.get("product"))
    if maker == "garmin" and product is not None:
        product = enum_name("garmin_product", product)
    elif isinstance(product, float):
        product = str(int(product))
    parts = [p for p in (maker, product) if p]
    return " ".join(parts) or None


def _utc_offset(activity: dict | None) -> int | None:
    if not activity or "local_timestamp" not in activity or "timestamp" not in activity:
        return None
    offset = activity["local_timestamp"] - activity["timestamp"]
    if abs(offset) > 14 * 3600:
        return None
    return int(round(offset / 900.0) * 900)  # zones come in quarter hours


def _normalise_records(raw: dict[str, np.ndarray], foot_sport: bool) -> dict[str, np.ndarray]:
    def col(name):
        return raw.get(name)

    def prefer(enhanced, plain, resolution):
        # Enhanced fields win, except where they only repeat the plain field: a
        # file that writes just `speed` gets `enhanced_speed` by component
        # expansion, and decoders differ in how they round that copy (fitfast
        # gives 2.005 for a raw 2006 mm/s). The plain value is then the exact one.
        a, b = col(enhanced), col(plain)
        if a is None:
            return b
        if b is None:
            return a
        copy = np.abs(a - b) <= resolution * 1.01
        return np.where(np.isnan(a) | copy, b, a)

    out: dict[str, np.ndarray] = {}
    if col("distance") is not None:
        out[g.DISTANCE] = col("distance")
    speed = prefer("enhanced_speed", "speed", 0.001)
    if speed is not None:
        if foot_sport:  # faster than any human: a GPS glitch, not a sprint
            speed = np.where(speed >= 12.0, np.nan, speed)
        out[g.SPEED] = speed
    altitude = prefer("enhanced_altitude", "altitude", 0.2)
    if altitude is not None:
        out[g.ALTITUDE] = altitude
    if col("heart_rate") is not None:
        hr = col("heart_rate")
        out[g.HEART_RATE] = np.where(hr > 0, hr, np.nan)
    if col("cadence") is not None:
        cad = col("cadence")
        frac = col("fractional_cadence")
        if frac is not None:
            cad = cad + np.nan_to_num(frac, nan=0.0)
        if foot_sport:
            out[g.CADENCE] = 2.0 * cad  # FIT counts strides of one foot
        else:
            out[g.CADENCE_RPM] = cad
    lat, lon = col("position_lat"), col("position_long")
    if lat is not None and lon is not None:
        lat = lat * SEMICIRCLE_DEG
        lon = lon * SEMICIRCLE_DEG
        bad = (np.abs(lat) > 90) | (np.abs(lon) > 180) | ((lat == 0) & (lon == 0))
        out[g.LATITUDE] = np.where(bad, np.nan, lat)
        out[g.LONGITUDE] = np.where(bad, np.nan, lon)
    for fit_name, name in (
        ("step_length", g.STEP_LENGTH),
        ("vertical_ratio", g.VERTICAL_RATIO),
        ("stance_time", g.STANCE_TIME),
        ("vertical_oscillation", g.VERTICAL_OSCILLATION),
    ):
        if col(fit_name) is not None:
            v = col(fit_name)
            out[name] = np.where(v > 0, v, np.nan)
    return out


def _laps(rows: list[dict], start: float, end: float) -> list[dict]:
    """The laps between ``start`` and ``end`` [UNIX s] as `Activity.lap_rows`, in order of their start."""
    import pandas as pd

    laps = [r for r in rows if "start_time" in r and start - 1 <= r["start_time"] <= end + 1]
    laps.sort(key=lambda r: r["start_time"])

    def when(x):
        return pd.Timestamp(x, unit="s", tz="UTC") if np.isfinite(x) else None

    def number(x):
        return None if x is None or not np.isfinite(x) else float(x)

    return [
        {
            g.LAP_START: when(r["start_time"]),
            g.LAP_END: when(r.get("timestamp", r["start_time"] + r.get("total_elapsed_time", 0.0))),
            g.LAP_DISTANCE: number(r.get("total_distance")),
            g.LAP_TIMER: number(r.get("total_timer_time")),
            g.LAP_ELAPSED: number(r.get("total_elapsed_time")),
            g.LAP_INTENSITY: INTENSITY_NAMES.get(int(r["intensity"])) if "intensity" in r else None,
        }
        for r in laps
    ]


def _distances(session: dict, records):
    """The session's total distance [m], then the records' (first to last), as far as either exists."""
    if "total_distance" in session:
        yield "session total_distance", session["total_distance"]
    if g.DISTANCE in records:
        d = records[g.DISTANCE]
        d = d[~np.isnan(d)]
        if len(d):
            yield "distance from the records", float(d[-1] - d[0])


def _gear_changes(events: list[dict], start: float, end: float) -> int:
    """Gear-change events between ``start`` and ``end`` [UNIX s]; all of them when unbounded."""
    gear = [e for e in events if e.get("event") in GEAR_CHANGE_EVENTS]
    if np.isinf(start) and np.isinf(end):
        return len(gear)
    return sum(1 for e in gear if start <= e.get("timestamp", np.nan) <= end)


def activities_from_raw(raw: RawFit, source: str) -> list[Activity]:
    """Split a decoded FIT file into one `Activity` per session.

    Raises
    ------
    ParseError
        No sessions and no records, or no record that can be placed in time
        (clock never set: times since power-on, or dates outside 1989..2100).
    NotAnActivityError
        A file type that holds no activity.
    """
    import pandas as pd

    file_type = (raw.file_id or {}).get("type")
    times = raw.records.get("timestamp")
    n_records = 0 if times is None else int(np.isfinite(times).sum())
    if file_type in NON_ACTIVITY_TYPES and not raw.sessions:
        raise NotAnActivityError(source, f"FIT file type '{file_type}': {NON_ACTIVITY_TYPES[file_type]}")
    if not raw.sessions and n_records == 0:
        if file_type not in (None, "activity"):
            raise NotAnActivityError(source, f"FIT file type '{file_type}' holds no activity")
        raise ParseError(source, "FIT file holds no sessions and no records")

    raw = without_impossible_values(raw, source)
    times = raw.records.get("timestamp")
    n_records = 0 if times is None else int(np.isfinite(times).sum())
    if n_records and np.nanmax(times) < FIRST_ABSOLUTE_TIME_S:
        raise ParseError(source, "times count seconds since the watch was switched on, not dates (clock never set), so the run cannot be placed in time")
    sessions = [s for s in raw.sessions if "start_time" in s]
    if not sessions:
        # A session whose start is dated out of range still says which sport was done.
        said = {(s["sport"], s.get("sub_sport")) for s in raw.sessions if s.get("sport") is not None}
        sessions = [dict(zip(("sport", "sub_sport"), said.pop()))] if len(said) == 1 else [{}]
    sessions.sort(key=lambda s: s.get("start_time", 0.0))
    if times is None:
        times = np.array([], dtype="float64")
    device = _device(raw.file_id)
    offset = _utc_offset(raw.activity)
    activities = []
    for index, session in enumerate(sessions):
        sport = session.get("sport")
        sub_sport = session.get("sub_sport")
        if "start_time" in session:
            start = session["start_time"]
            if "total_elapsed_time" in session:
                end = start + session["total_elapsed_time"]
            else:
                end = session.get("timestamp", np.inf)
            # Records just past the session's end still belong to a one-session file.
            mask = (times >= start) & (times <= end) if len(sessions) > 1 else np.isfinite(times)
        else:
            mask = np.isfinite(times)
        # Like the records: a session's own time range only when the file holds several.
        gear_changes = _gear_changes(raw.events, *((start, end) if session and len(sessions) > 1 else (-np.inf, np.inf)))
        foot = sport in g.FOOT_SPORTS or sport is None
        rec = {k: v[mask] for k, v in raw.records.items() if k != "timestamp"}
        records = make_samples(times[mask], _normalise_records(rec, foot))
        if session and "start_time" in session:
            start_utc = pd.Timestamp(session["start_time"], unit="s", tz="UTC")
        elif len(records):
            start_utc = pd.Timestamp(int(records.t_ns[0]), tz="UTC")
        else:
            start_utc = None
        elapsed = session.get("total_elapsed_time")
        if elapsed is None and len(records) > 1:
            elapsed = pd.Timedelta(int(records.t_ns[-1] - records.t_ns[0])).total_seconds()
        moving = session.get("total_timer_time", elapsed)
        if moving is not None and elapsed is not None and moving > elapsed:
            moving = elapsed  # timer rounding, or a session summary the watch got wrong
        warnings = list(raw.warnings)
        distance = None
        for label, value in _distances(session, records):
            if plausible_distance(value, elapsed):
                distance = value
                break
            warnings.append(f"{label} of {value:g} m in {elapsed or 0:g} s is impossible and was ignored")
        partial = raw.partial
        if partial and len(records) and start_utc is not None and elapsed is None:
            elapsed = (pd.Timestamp(int(records.t_ns[-1]), tz="UTC") - start_utc).total_seconds()
        if partial and "start_time" not in session:
            warnings.append("no session summary (the watch stopped before writing it): totals come from the records")
        activities.append(
            Activity(
                records=records,
                laps=_laps(raw.laps, start_utc.timestamp() if start_utc is not None else -np.inf, (start_utc.timestamp() + (elapsed or 0)) if start_utc is not None else np.inf)
                if len(sessions) > 1
                else _laps(raw.laps, -np.inf, np.inf),
                source=source,
                format="fit",
                sport=sport,
                sub_sport=sub_sport,
                device=device,
                start_utc=start_utc,
                utc_offset_s=offset,
                elapsed_s=float(elapsed) if elapsed is not None else None,
                moving_s=float(moving) if moving is not None else None,
                distance_m=float(distance) if distance is not None else None,
                partial=partial,
                session_index=index,
                warnings=warnings,
                gear_changes=gear_changes,
            )
        )
    return activities
