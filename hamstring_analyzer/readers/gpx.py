"""GPX files through gpxpy, with Garmin TrackPointExtension heart rate and cadence."""

from __future__ import annotations

import numpy as np

from ..activity import Activity
from ..errors import NotAnActivityError, ParseError
from .sports import file_sport
from .track import build_activity, dated
from .xmlsafe import clean_xml

HR_TAGS = {"hr", "heartrate", "heart_rate"}
CAD_TAGS = {"cad", "cadence", "runcadence"}


def _extensions(point) -> tuple[float, float]:
    hr = cad = np.nan
    for ext in point.extensions or ():
        for el in ext.iter():
            tag = el.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
            if tag in HR_TAGS and np.isnan(hr):
                hr = _number(el.text)
            elif tag in CAD_TAGS and np.isnan(cad):
                cad = _number(el.text)
    return hr, cad


def _number(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return np.nan


def _first_line(exc: BaseException) -> str:
    """The first line of an error's message, or a plain description when it has none (never its class name)."""
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else "damaged XML or dates"


def read_gpx(data: bytes, source: str) -> list[Activity]:
    """Read every track of a GPX file as one activity each (segments are joined).

    Raises
    ------
    ParseError
        Broken XML, or a track whose points have no timestamps.
    NotAnActivityError
        Routes and waypoints only, no track: a plan, not a recording.
    """
    import gpxpy
    import gpxpy.gpx

    data, warnings = clean_xml(data, source, "GPX")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    try:
        doc = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as exc:
        raise ParseError(source, f"not a readable GPX file ({_first_line(exc)})") from None
    except Exception as exc:  # gpxpy lets some parser errors through untyped
        raise ParseError(source, f"not a readable GPX file ({_first_line(exc)})") from None
    tracks = [t for t in doc.tracks if any(s.points for s in t.segments)]
    if not tracks:
        if doc.routes or doc.waypoints:
            raise NotAnActivityError(source, "GPX file holds only routes or waypoints (a plan, not a recorded activity)")
        raise ParseError(source, "GPX file holds no track points")
    device = (doc.creator or "").strip() or None
    activities = []
    for index, track in enumerate(tracks):
        points = [p for s in track.segments for p in s.points]
        times = np.array([p.time.timestamp() if p.time else np.nan for p in points], dtype="float64")
        if not np.isfinite(times).any():
            raise ParseError(source, "GPX track has no timestamps, so it cannot be a recorded run (a planned route?)")
        if np.isnan(times).any():
            warnings = warnings + [f"{int(np.isnan(times).sum())} track points without a time were left out"]
        times, out_of_range = dated(times, source)
        ext = [_extensions(p) for p in points]
        sport, sub_sport = file_sport(track.type, track.name or doc.name)
        activities.append(
            build_activity(
                source=source,
                fmt="gpx",
                times_s=times,
                lat=np.array([p.latitude for p in points], dtype="float64"),
                lon=np.array([p.longitude for p in points], dtype="float64"),
                altitude=np.array([np.nan if p.elevation is None else p.elevation for p in points], dtype="float64"),
                heart_rate=np.array([e[0] for e in ext], dtype="float64"),
                cadence=np.array([e[1] for e in ext], dtype="float64"),
                sport=sport,
                sub_sport=sub_sport,
                device=device,
                name=track.name or doc.name,
                session_index=index,
                warnings=warnings + out_of_range,
            )
        )
    return activities
