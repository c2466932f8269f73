"""GPX files, streamed (`track.xml_events`), with Garmin TrackPointExtension heart rate and cadence.

The document is never built whole: each point's values are kept as numbers
when its element ends, and the element is dropped, so a 60 MiB file costs
its points (`track.PointBudget` caps them), not a tree of millions of
objects. What is read follows gpxpy's reading of the schema: elements in the
document's own namespace; ``trk/trkseg/trkpt`` direct children; the first
``ele`` and ``time`` of a point; the file's name in ``metadata`` (GPX 1.1) or
under the root (1.0); a track's ``type`` and the points' ``extensions`` in GPX
1.1 only.
"""

from __future__ import annotations

import datetime as dt
import re
from array import array

import numpy as np

from ..activity import Activity
from ..errors import NotAnActivityError, ParseError
from .sports import file_sport
from .track import PointBudget, build_activity, dated, iso_seconds, refuse_dense, xml_events
from .xmlsafe import clean_xml

HR_TAGS = {"hr", "heartrate", "heart_rate"}
CAD_TAGS = {"cad", "cadence", "runcadence"}

#: A GPX time as writers spell it: one- or two-digit fields, ``T`` or a space, any fraction
#: (read to the microsecond), ``Z``, an offset (``+01:00``, ``+0100``, ``+01``, a Unicode minus) or none (UTC).
_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,15}))?"
                   r"(Z|([+\-\u2212])(\d{2}):?(\d{2})?)?")  # fmt: skip


def gpx_seconds(text: str | None) -> float:
    """UNIX seconds [s] of a GPX ``<time>``; NaN when it is not a time (or its year is outside 1-9999)."""
    if not text:
        return np.nan
    seconds = iso_seconds(text)  # the usual spellings, in C (a tenth of the regex's cost, once per track point)
    if seconds == seconds:
        return seconds
    m = _TIME.fullmatch(text.strip())  # what Python's ISO reader refuses: one-digit fields, a Unicode minus
    if m is None:
        return np.nan
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    micro = int((m.group(7) or "0")[:6].ljust(6, "0"))
    zone = dt.timezone.utc
    if m.group(9):
        minutes = int(m.group(10)) * 60 + int(m.group(11) or 0)
        try:
            zone = dt.timezone(dt.timedelta(minutes=-minutes if m.group(9) != "+" else minutes))
        except ValueError:  # an offset of a day or more
            return np.nan
    try:
        return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=zone).timestamp()
    except (ValueError, OverflowError, OSError):
        return np.nan


def _number(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return np.nan


class _Track:
    """One ``<trk>`` as it is read: its name and type, and one array per point value (NaN where absent)."""

    COLUMNS = ("t", "lat", "lon", "ele", "hr", "cad")

    def __init__(self):
        self.name = self.type = None
        self.seen: set[str] = set()  # its first name and type only
        for c in self.COLUMNS:
            setattr(self, c, array("d"))

    def __len__(self) -> int:
        return len(self.t)


class _Doc:
    """What the reader keeps of a GPX document."""

    def __init__(self):
        self.creator = self.name = None
        self.version11 = False
        self.tracks: list[_Track] = []
        self.routes = self.waypoints = 0


def _stream(data: bytes, source: str) -> _Doc:
    """Read the document's tracks, counting points against the file's budget."""
    doc = _Doc()
    budget = PointBudget(source)
    ns = None  # the root's namespace: GPX elements are those in it
    track = point = None
    ext_depth = -1  # depth of the current point's first <extensions>, while inside it
    point_seen: set[str] = set()

    def local(el) -> str | None:
        tag = el.tag
        if not isinstance(tag, str):
            return None
        space, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        return name if space == ns else None

    for event, el, up in xml_events(data, source, "GPX"):
        depth = len(up)
        if event == "start":
            if depth == 0:
                ns = el.tag[1:].partition("}")[0] if el.tag.startswith("{") else ""
                doc.creator, doc.version11 = el.get("creator"), el.get("version") == "1.1"
                continue
            name = local(el)
            if depth == 1 and name == "trk":
                track = _Track()
                doc.tracks.append(track)
            elif depth == 3 and name == "trkpt" and track is not None and local(up[2]) == "trkseg":
                budget.add()
                point = [np.nan] * 6  # in the order of _Track.COLUMNS: t, lat, lon, ele, hr, cad
                point[1], point[2] = _number(el.get("lat")), _number(el.get("lon"))
                point_seen = set()
            elif depth == 4 and point is not None and name == "extensions" and doc.version11 and "extensions" not in point_seen:
                point_seen.add("extensions")
                ext_depth = depth
            continue
        name = local(el)
        if depth == 0:
            break
        if point is not None and ext_depth >= 0 and depth > ext_depth:
            tag = el.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower() if isinstance(el.tag, str) else ""
            if tag in HR_TAGS and np.isnan(point[4]):
                point[4] = _number(el.text)
            elif tag in CAD_TAGS and np.isnan(point[5]):
                point[5] = _number(el.text)
        elif depth == 4 and point is not None:
            if name == "extensions":
                ext_depth = -1
            elif name in ("ele", "time") and name not in point_seen:
                point_seen.add(name)
                if name == "ele":
                    point[3] = _number(el.text)
                else:
                    point[0] = gpx_seconds(el.text)
        elif depth == 3 and point is not None and name == "trkpt":
            for column, value in zip(_Track.COLUMNS, point):
                getattr(track, column).append(value)
            point, ext_depth = None, -1
        elif depth == 2 and track is not None and local(up[1]) == "trk" and name in ("name", "type") and name not in track.seen:
            track.seen.add(name)
            if name == "name" or doc.version11:
                setattr(track, name, el.text)
        elif depth == 1:
            if name == "trk":
                track = None
            elif name == "rte":
                doc.routes += 1
            elif name == "wpt":
                doc.waypoints += 1
            elif name == "name" and not doc.version11 and doc.name is None:
                doc.name = el.text
        elif depth == 2 and doc.version11 and name == "name" and local(up[1]) == "metadata" and doc.name is None:
            doc.name = el.text
    return doc


def read_gpx(data: bytes, source: str) -> list[Activity]:
    """Read every track of a GPX file as one activity each (segments are joined).

    Raises
    ------
    ParseError
        Broken XML; a track whose points have no timestamps; more points than
        any recording (`track.MAX_TRACK_POINTS`, told while reading) or more a
        second than any device records (`track.refuse_dense`).
    NotAnActivityError
        Routes and waypoints only, no track: a plan, not a recording.
    """
    data, warnings = clean_xml(data, source, "GPX")
    doc = _stream(data, source)
    del data
    tracks = [t for t in doc.tracks if len(t)]
    if not tracks:
        if doc.routes or doc.waypoints:
            raise NotAnActivityError(source, "GPX file holds only routes or waypoints (a plan, not a recorded activity)")
        raise ParseError(source, "GPX file holds no track points")
    device = (doc.creator or "").strip() or None
    activities = []
    for index, track in enumerate(tracks):
        times = np.frombuffer(track.t, dtype="float64")
        if not np.isfinite(times).any():
            raise ParseError(source, "GPX track has no timestamps, so it cannot be a recorded run (a planned route?)")
        notes = list(warnings)
        if np.isnan(times).any():
            notes.append(f"{int(np.isnan(times).sum())} track points without a time were left out")
        times, out_of_range = dated(times, source)
        refuse_dense(times, source)
        sport, sub_sport = file_sport(track.type, track.name or doc.name)
        activities.append(
            build_activity(
                source=source,
                fmt="gpx",
                times_s=times,
                lat=np.frombuffer(track.lat, dtype="float64"),
                lon=np.frombuffer(track.lon, dtype="float64"),
                altitude=np.frombuffer(track.ele, dtype="float64"),
                heart_rate=np.frombuffer(track.hr, dtype="float64"),
                cadence=np.frombuffer(track.cad, dtype="float64"),
                sport=sport,
                sub_sport=sub_sport,
                device=device,
                name=track.name or doc.name,
                session_index=index,
                warnings=notes + out_of_range,
            )
        )
    return activities
