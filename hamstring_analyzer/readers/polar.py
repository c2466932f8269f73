"""Polar Flow's ``training-session-*.json`` (the account export: flow.polar.com > Settings > Download your data).

Two shapes are in the wild, both handled:

* older exports: ``exercises[].samples`` is an object of lists,
  ``{"heartRate": [{"dateTime", "value"}], "speed": [...], "cadence",
  "altitude", "distance", "recordedRoute": [{"dateTime", "latitude",
  "longitude", "altitude"}]}``, with ``startTime`` local and
  ``timezoneOffset`` [min];
* newer ones: ``exercises[].samples`` is a list of ``{"type": "HEART_RATE" |
  "SPEED" | "DISTANCE" | "CADENCE" | "ALTITUDE", "intervalMillis",
  "values"}`` from the exercise's start, ``startTime`` local without an offset
  and ``timezoneOffsetMinutes``, routes in ``routes``.

Polar writes a bare ``NaN`` where a sensor had no value (not valid JSON:
read here as missing). Speed is km/h; when the file also has distance
samples the unit is checked against them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..activity import Activity
from ..errors import NotAnActivityError, ParseError
from .sports import sport_from_text
from .summary_only import bounded, finite, load_json, summary_activity
from .track import build_activity

#: Sample lists longer than this are refused: a 48-hour session at 1 s holds 172,800.
MAX_SAMPLES = 400_000
_NEW_TYPES = {"HEART_RATE": "hr", "SPEED": "speed", "DISTANCE": "distance", "CADENCE": "cadence", "ALTITUDE": "altitude"}
_OLD_TYPES = {"heartRate": "hr", "speed": "speed", "distance": "distance", "cadence": "cadence", "altitude": "altitude"}


def _local_time(text) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _duration_s(value) -> float | None:
    """``"PT3600.5S"``/``"PT1H2M3S"`` or milliseconds [s]."""
    if isinstance(value, str) and value.upper().startswith("PT"):
        text, total = value.upper()[2:], 0.0
        for unit, factor in (("H", 3600.0), ("M", 60.0), ("S", 1.0)):
            if unit in text:
                number, text = text.split(unit, 1)
                v = finite(number)
                if v is None:
                    return None
                total += v * factor
        return total
    v = finite(value)
    return v / 1000.0 if v is not None else None


def _sport(text) -> tuple[str | None, str | None]:
    sport, sub = sport_from_text(str(text or ""))
    return (sport, sub) if sport else ("other", None)


def read_polar(data: bytes, source: str) -> list[Activity]:
    """One activity per exercise of a Polar Flow training session.

    Raises
    ------
    ParseError
        Broken or cut-short JSON, Infinity, too large, no start time.
    NotAnActivityError
        A session without exercises.
    """
    doc = load_json(data, source, "Polar training session")
    if not isinstance(doc, dict):
        raise ParseError(source, "not a Polar training session (the JSON is not an object)")
    exercises = doc.get("exercises")
    if not isinstance(exercises, list) or not exercises:
        raise NotAnActivityError(source, "Polar training session without exercises")
    out = []
    for index, ex in enumerate(exercises):
        if isinstance(ex, dict):
            out.append(_exercise(doc, ex, source, index))
    if not out:
        raise ParseError(source, "Polar training session whose exercises cannot be read")
    return out


def _exercise(doc: dict, ex: dict, source: str, index: int) -> Activity:
    local = _local_time(ex.get("startTime") or doc.get("startTime"))
    if local is None:
        raise ParseError(source, "Polar exercise without a readable startTime")
    offset_min = next((finite(v) for v in (ex.get("timezoneOffsetMinutes"), ex.get("timezoneOffset"),
                                           doc.get("timezoneOffsetMinutes"), doc.get("timeZoneOffset")) if finite(v) is not None), None)  # fmt: skip
    if local.tzinfo is not None:
        offset_s = int(local.utcoffset().total_seconds())
        local = local.replace(tzinfo=None)
    elif offset_min is not None and abs(offset_min) <= 18 * 60:
        offset_s = int(offset_min * 60)
    else:
        offset_s = None
    start = pd.Timestamp(local - dt.timedelta(seconds=offset_s or 0), tz="UTC")
    sport, sub_sport = _sport(ex.get("sport") or doc.get("sport"))
    duration = _duration_s(ex.get("duration") or doc.get("duration"))
    distance = finite(ex.get("distance") if ex.get("distance") is not None else doc.get("distance"))
    rpe = _rpe(doc, ex)
    channels, warnings = _samples(ex, start, offset_s, source)
    name = doc.get("name") if isinstance(doc.get("name"), str) else None
    if not channels:
        return summary_activity(source=source, fmt="polar_json", start_utc=start, elapsed_s=duration, distance_m=distance,
                                sport=sport, sub_sport=sub_sport, name=name, device="Polar", utc_offset_s=offset_s,
                                session_index=index, rpe=rpe, warnings=warnings)  # fmt: skip
    times = channels.pop("t")
    activity = build_activity(
        source=source, fmt="polar_json", times_s=times, sport=sport, sub_sport=sub_sport, device="Polar", name=name,
        session_index=index, warnings=warnings,
        lat=channels.get("lat"), lon=channels.get("lon"), altitude=channels.get("altitude"),
        heart_rate=channels.get("hr"), cadence=channels.get("cadence"), distance=channels.get("distance"),
        speed=channels.get("speed"), distance_total=distance,
    )  # fmt: skip
    activity.utc_offset_s = offset_s
    activity.rpe = rpe
    if duration and activity.elapsed_s is not None and duration > activity.elapsed_s:
        activity.elapsed_s = float(duration)
    return activity


def _rpe(doc: dict, ex: dict) -> float | None:
    for holder in (ex, doc):
        for key in ("perceivedExertion", "rpe", "perceivedLoad"):
            value = holder.get(key)
            if isinstance(value, dict):
                value = value.get("value")
            v = bounded(value, 1.0, 10.0)
            if v is not None:
                return v
    return None


def _samples(ex: dict, start: pd.Timestamp, offset_s: int | None, source: str) -> tuple[dict, list[str]]:
    """Sample channels on one time axis [UNIX s] (``t``), from either shape."""
    samples = ex.get("samples")
    series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    t0 = start.timestamp()
    if isinstance(samples, list):
        for item in samples:
            if not isinstance(item, dict):
                continue
            name = _NEW_TYPES.get(str(item.get("type", "")).upper())
            step = finite(item.get("intervalMillis"))
            values = item.get("values")
            if name is None or not step or step <= 0 or not isinstance(values, list):
                continue
            _check_size(values, source)
            v = np.array([finite(x) if finite(x) is not None else np.nan for x in values], dtype="float64")
            series[name] = (t0 + np.arange(len(v)) * step / 1000.0, v)
    elif isinstance(samples, dict):
        for key, name in _OLD_TYPES.items():
            values = samples.get(key)
            if isinstance(values, list):
                _check_size(values, source)
                series[name] = _timed(values, "value", offset_s)
    route = (samples.get("recordedRoute") if isinstance(samples, dict) else None) or ex.get("routes") or ex.get("route")
    if isinstance(route, dict):
        route = route.get("wayPoints") or route.get("waypoints") or route.get("points")
    if isinstance(route, list) and route:
        _check_size(route, source)
        series["lat"] = _timed(route, "latitude", offset_s, t0)
        series["lon"] = _timed(route, "longitude", offset_s, t0)
        if "altitude" not in series:
            series["altitude"] = _timed(route, "altitude", offset_s, t0)
    series = {k: (t, v) for k, (t, v) in series.items() if len(t) and np.isfinite(v).any()}
    if not series:
        return {}, []
    times = np.unique(np.concatenate([t[np.isfinite(t)] for t, _ in series.values()]))
    out: dict[str, np.ndarray] = {"t": times}
    for name, (t, v) in series.items():
        ok = np.isfinite(t)
        t, v = t[ok], v[ok]
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        pos = np.searchsorted(t, times)
        hit = (pos < len(t)) & (t[np.minimum(pos, len(t) - 1)] == times)
        col = np.full(len(times), np.nan)
        col[hit] = v[pos[hit]]
        out[name] = col
    warnings = []
    if "speed" in out:
        out["speed"], note = _speed_mps(out["speed"], out.get("distance"), times)
        if note:
            warnings.append(note)
    return out, warnings


def _check_size(values: list, source: str) -> None:
    if len(values) > MAX_SAMPLES:
        raise ParseError(source, f"Polar exercise with more than {MAX_SAMPLES} samples in one channel; refused")


def _timed(items: list, key: str, offset_s: int | None, t0: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(UNIX s, value) from ``[{"dateTime": local, key: value}]`` (or ``time``/``timestamp`` offsets from ``t0``)."""
    t = np.full(len(items), np.nan)
    v = np.full(len(items), np.nan)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        when = _local_time(item.get("dateTime"))
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.timezone(dt.timedelta(seconds=offset_s or 0)))
            t[i] = when.timestamp()
        elif t0 is not None and finite(item.get("time")) is not None:
            t[i] = t0 + finite(item.get("time")) / 1000.0
        value = finite(item.get(key))
        v[i] = value if value is not None else np.nan
    return t, v


def _speed_mps(speed: np.ndarray, distance: np.ndarray | None, times: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Polar's speed samples in m/s: km/h, unless the distance samples say they are already m/s."""
    kmh = speed / 3.6
    if distance is None or np.isfinite(distance).sum() < 10:
        return kmh, None
    d = distance[np.isfinite(distance)]
    t = times[np.isfinite(distance)]
    if t[-1] - t[0] <= 0:
        return kmh, None
    mean_v = (d[-1] - d[0]) / (t[-1] - t[0])
    mean_kmh = float(np.nanmean(kmh)) if np.isfinite(kmh).any() else np.nan
    mean_raw = float(np.nanmean(speed)) if np.isfinite(speed).any() else np.nan
    if mean_v > 0 and abs(mean_raw - mean_v) < abs(mean_kmh - mean_v):
        return speed, "speed samples read as m/s (they match the distance samples; Polar usually writes km/h)"
    return kmh, None
