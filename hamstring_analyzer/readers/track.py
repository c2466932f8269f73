"""Turning GPX and TCX trackpoints into an `Activity` (shared by both readers), and their budgets.

Both readers stream their XML (`xml_events`), so memory follows the points
kept, not the document; a file with more points than any recording
(`MAX_TRACK_POINTS`) is refused while it is read, and a track with more points
a second than any device records (`refuse_dense`) when it has been read.
"""

from __future__ import annotations

import codecs
import datetime as dt

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import Activity, empty_laps, make_samples
from ..errors import ParseError
from ..timezones import zone_at

EARTH_RADIUS_M = 6_371_008.8
#: GPX/TCX cadence medians below this, while moving, count strides of one foot.
PER_FOOT_CADENCE_BELOW = 120.0
#: A gap longer than this between two points is a pause, not movement [s].
PAUSE_GAP_S = 30.0
#: Slower than this between two points is standing still [m/s].
STANDING_SPEED_MPS = 0.5


#: The dates a GPX or TCX point can hold [UNIX s]: from the FIT epoch (1989-12-31; no watch
#: recorded a track before) to 2100-01-01 (later is a clock gone wrong).
EARLIEST_DATE_S = 631065600.0
LATEST_DATE_S = 4102444800.0


#: A file with more track points than this is refused while it is read (memory stays bounded):
#: a watch recording once a second for 100 hours writes 360,000; the longest real file we
#: know (a 24-hour Polar TCX) holds 6,313.
MAX_TRACK_POINTS = 360_000
#: More points a second than this, over a whole track, is no recording: GPS logs at most once a
#: second (phones in bursts a little faster), sensors at most 10 times.
MAX_POINTS_PER_SECOND = 10.0
#: A track with fewer points than this is not judged by its rate (a short file's few points in one second).
RATE_GRACE_POINTS = 3_600
#: XML nested deeper than this is no activity file (a TCX extension value sits 8 deep).
MAX_XML_DEPTH = 64
#: Characters handed to the XML parser at a time.
XML_CHUNK = 1024 * 1024


def _hours(seconds: float) -> str:
    """``"100 hours"``, ``"1 hour"``, ``"25 minutes"``, ``"12 seconds"``: a duration as a runner says it."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n:,} {unit}{'s' if n != 1 else ''}"
    n = round(seconds)
    return f"{n} second{'s' if n != 1 else ''}"


def too_many_points_reason(limit: int | None = None) -> str:
    """Why a file with more points than ``limit`` (`MAX_TRACK_POINTS`) is refused."""
    limit = MAX_TRACK_POINTS if limit is None else limit
    return (f"holds more than {limit:,} track points ({_hours(limit)} at one a second); "
            "no watch records that much in one activity, so it is refused")  # fmt: skip


class PointBudget:
    """Counts a file's track points as they are read; past `MAX_TRACK_POINTS` the file is refused at once."""

    def __init__(self, source: str):
        self.source = source
        self.limit = MAX_TRACK_POINTS
        self.n = 0

    def add(self) -> None:
        self.n += 1
        if self.n > self.limit:
            raise ParseError(self.source, too_many_points_reason(self.limit))


def refuse_dense(times_s: np.ndarray, source: str) -> None:
    """Refuse a track with more points a second, over its whole length, than any device records.

    ``times_s`` are its points' times [UNIX s] (NaN where unknown). A track of
    at least `RATE_GRACE_POINTS` dated points averaging more than
    `MAX_POINTS_PER_SECOND` is generated, not recorded: summing its steps
    would give a run that never happened.

    Raises
    ------
    ParseError
        ``"holds 500,000 track points in 2 hours (69 a second); ..."``.
    """
    t = np.asarray(times_s, dtype="float64")
    t = t[np.isfinite(t)]
    n = len(t)
    if n < max(RATE_GRACE_POINTS, 2):
        return
    span = float(t.max() - t.min())
    if n - 1 <= MAX_POINTS_PER_SECOND * span:  # n points, n - 1 steps between them
        return
    when = f"in {_hours(span)} ({(n - 1) / span:,.0f} a second)" if span >= 1 else "all in the same second"
    raise ParseError(source, f"holds {n:,} track points {when}; no watch or phone records more than "
                             f"{MAX_POINTS_PER_SECOND:.0f} a second, so it is not a real recording and is refused")


def _decoded(data: bytes, encoding: str):
    """``data`` as text, a chunk at a time (never a second copy of the whole file)."""
    view = memoryview(data)
    decoder = codecs.getincrementaldecoder(encoding)()
    for at in range(0, len(view), XML_CHUNK):
        yield decoder.decode(view[at : at + XML_CHUNK])
    yield decoder.decode(b"", final=True)


def _is_utf8(data: bytes) -> bool:
    if isinstance(data, (bytes, bytearray)) and data.isascii():  # nearly every GPX/TCX: checked in C, nothing decoded
        return True
    try:
        for _ in _decoded(data, "utf-8"):
            pass
    except UnicodeDecodeError:
        return False
    return True


def xml_events(data: bytes, source: str, what: str):
    """Stream an XML document (already checked by `xmlsafe.clean_xml`): ``(event, element, ancestors)``.

    ``event`` is ``"start"`` or ``"end"``; ``ancestors`` the open elements
    above ``element``, the root first (a list the caller may read, not keep).
    After its ``"end"`` an element is removed from its parent, so only the
    path being read is held: a caller reads an element's text and attributes
    at its end, and its children at theirs. The text is UTF-8, or Latin-1
    when it is not valid UTF-8 (as phone apps write it), whatever the XML
    declaration says. `clean_xml` refused entity declarations and DTDs
    anywhere in the file, so the fast parser never meets either.

    Raises
    ------
    ParseError
        Broken XML (``"not a readable GPX file (mismatched tag: line 3, column 2)"``),
        or elements nested deeper than `MAX_XML_DEPTH`.
    """
    from xml.etree.ElementTree import ParseError as XMLParseError
    from xml.etree.ElementTree import XMLPullParser

    parser = XMLPullParser(events=("start", "end"))
    stack: list = []

    def events():
        for event, el in parser.read_events():
            if event == "start":
                if len(stack) >= MAX_XML_DEPTH:
                    raise ParseError(source, f"not a readable {what} file (its XML nests elements more than {MAX_XML_DEPTH} deep)")
                yield event, el, stack
                stack.append(el)
                continue
            stack.pop()
            yield event, el, stack
            if stack:
                stack[-1].remove(el)

    try:
        for text in _decoded(data, "utf-8" if _is_utf8(data) else "latin-1"):
            parser.feed(text)
            yield from events()
        parser.close()
        yield from events()
    except (XMLParseError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or ["damaged XML"])[0][:200]
        raise ParseError(source, f"not a readable {what} file ({first})") from None


def iso_seconds(text: str | None) -> float:
    """UNIX seconds [s] of an ISO 8601 time (``Z`` or an offset; UTC when it has none), any year 1-9999; NaN if unreadable.

    Python's own dates, not pandas': pandas stops at 2262, and phone exports
    write year 7526, which must reach `dated` to be named, not vanish.
    """
    if not text:
        return np.nan
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except (ValueError, TypeError):
        return np.nan
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return np.nan


def _year(unix_s: float) -> str:
    try:
        return str(dt.datetime.fromtimestamp(unix_s, dt.timezone.utc).year)
    except (OverflowError, OSError, ValueError):
        return "beyond 9999" if unix_s > 0 else "before 1"


def out_of_range_reason(times_s: np.ndarray) -> str:
    """``"timestamps out of range (year 7526)"``, or ``(years 7526 and 1970)``: the years in their order in the file."""
    years = list(dict.fromkeys(_year(t) for t in times_s))
    if len(years) == 1:
        return f"timestamps out of range (year {years[0]})"
    return f"timestamps out of range (years {', '.join(years[:-1][:3])} and {years[-1]})"


def dated(times_s: np.ndarray, source: str, what: str = "track points") -> tuple[np.ndarray, list[str]]:
    """``times_s`` with times outside 1990..2100 as NaN, and the warning that says so.

    Phone exports (Keep and similar) start some tracks in year 7526 and go
    on in 1970: such points cannot be placed in time. The points dated
    within the range are read; the others are left out.

    Raises
    ------
    ParseError
        No point is dated within the range, though some are dated:
        ``"timestamps out of range (year 7526)"``.
    """
    times_s = np.asarray(times_s, dtype="float64")
    finite = np.isfinite(times_s)
    bad = finite & ((times_s < EARLIEST_DATE_S) | (times_s > LATEST_DATE_S))
    if not bad.any():
        return times_s, []
    if not (finite & ~bad).any():
        raise ParseError(source, out_of_range_reason(times_s[bad]))
    reason = out_of_range_reason(times_s[bad])
    return np.where(bad, np.nan, times_s), [f"{int(bad.sum())} {what} with {reason} were left out"]


def haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance [m] between arrays of positions [degrees]."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def steps_m(lat: np.ndarray, lon: np.ndarray, gap: int = 1) -> np.ndarray:
    """Great-circle distance [m] from each position to the one ``gap`` places on.

    The same numbers as `haversine_m` on the shifted arrays, with each
    latitude's radians and cosine computed once instead of twice.
    """
    if len(lat) <= gap:
        return np.empty(0)
    r = np.radians(lat)
    c = np.cos(r)
    dphi = r[gap:] - r[:-gap]
    dlmb = np.radians(np.asarray(lon[gap:]) - np.asarray(lon[:-gap]))
    a = np.sin(dphi / 2) ** 2 + c[:-gap] * c[gap:] * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def cumulative_distance(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Cumulative distance along positions [m]; gaps without a fix add nothing."""
    step = np.zeros(len(lat))
    if len(lat) > 1:
        step[1:] = steps_m(lat, lon)
    step = np.nan_to_num(step, nan=0.0)
    return np.cumsum(step)


def fill_inside(values: np.ndarray) -> np.ndarray:
    """NaN between two values filled by linear interpolation over the sample number; NaN at the ends stays."""
    ok = np.isfinite(values)
    if ok.all() or ok.sum() < 2:
        return values
    idx = np.nonzero(ok)[0]
    inside = np.arange(idx[0], idx[-1] + 1)
    out = values.copy()
    out[inside] = np.interp(inside, idx, values[idx])
    return out


def speed_from_distance(times_s: np.ndarray, distance_m: np.ndarray, window_s: float = 10.0) -> np.ndarray:
    """Speed [m/s] as the distance covered in a centred time window.

    Point-to-point GPS speed is noisy, and phones often repeat a position for a
    few seconds and then jump; a window of about ``window_s`` seconds (at least
    one neighbour each side) smooths both while keeping the shape of intervals.
    A window never reaches across a pause (a gap above PAUSE_GAP_S).
    """
    n = len(times_s)
    if n < 2:
        return np.full(n, np.nan)
    d = fill_inside(np.asarray(distance_m, dtype="float64"))
    t = np.asarray(times_s, dtype="float64")
    # Split into pause-free stretches so that no window spans a pause.
    pauses = np.diff(t) > PAUSE_GAP_S
    paused = bool(pauses.any())
    idx = np.arange(n)
    if paused:
        stretch = np.concatenate([[0], np.cumsum(pauses)])
        key = stretch * 1e12 + t  # orderable: stretches never mix
    else:
        key = t
    lo = np.minimum(np.searchsorted(key, key - window_s / 2, side="left"), idx - 1).clip(0)
    hi = np.maximum(np.searchsorted(key, key + window_s / 2, side="right") - 1, idx + 1).clip(max=n - 1)
    if paused:
        lo = np.where(stretch[lo] == stretch, lo, idx)
        hi = np.where(stretch[hi] == stretch, hi, idx)
    dt = t[hi] - t[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (d[hi] - d[lo]) / dt
    v[~np.isfinite(v)] = np.nan
    return np.where(v < 0, np.nan, v)


def moving_seconds(times_s: np.ndarray, speed_mps: np.ndarray | None) -> float:
    """Time spent moving [s]: steps shorter than a pause, at more than standing speed."""
    if len(times_s) < 2:
        return 0.0
    dt = np.diff(times_s)
    ok = dt <= PAUSE_GAP_S
    if speed_mps is not None and np.isfinite(speed_mps).any():
        ok &= np.nan_to_num(speed_mps[1:], nan=0.0) >= STANDING_SPEED_MPS
    return float(dt[ok].sum())


def steps_per_minute(raw_cadence: np.ndarray, speed: np.ndarray | None) -> tuple[np.ndarray, str]:
    """Cadence as steps/min of both feet, deciding per file whether it was per foot.

    Garmin writes one foot (~85-95), Strava writes steps (~165-190). The file's
    median while moving decides; a file is never doubled twice.
    """
    vals = raw_cadence[np.isfinite(raw_cadence) & (raw_cadence > 0)]
    if speed is not None and len(speed) == len(raw_cadence):
        moving = np.isfinite(raw_cadence) & (raw_cadence > 0) & (np.nan_to_num(speed) > 1.5)
        if moving.sum() >= 10:
            vals = raw_cadence[moving]
    if not len(vals):
        return raw_cadence, "none"
    if np.median(vals) < PER_FOOT_CADENCE_BELOW:
        return raw_cadence * 2.0, "per-foot (doubled)"
    return raw_cadence, "steps"


def build_activity(
    *,
    source: str,
    fmt: str,
    times_s: np.ndarray,
    lat: np.ndarray | None = None,
    lon: np.ndarray | None = None,
    altitude: np.ndarray | None = None,
    heart_rate: np.ndarray | None = None,
    cadence: np.ndarray | None = None,
    distance: np.ndarray | None = None,
    speed: np.ndarray | None = None,
    sport: str | None = None,
    sub_sport: str | None = None,
    device: str | None = None,
    name: str | None = None,
    laps: pd.DataFrame | None = None,
    moving_s: float | None = None,
    distance_total: float | None = None,
    span_s: tuple[float, float] | None = None,
    session_index: int = 0,
    warnings: list[str] | None = None,
) -> Activity:
    """An `Activity` from trackpoint arrays (one value per point, NaN where absent).

    ``span_s`` is the recording's start and end [UNIX s] when the file says it
    lasted longer than its points (TCX laps without trackpoints); start and
    elapsed time then cover it. Otherwise they are the points' own.
    """
    times_s = np.asarray(times_s, dtype="float64")
    order = np.argsort(times_s, kind="stable")
    warnings = list(warnings or [])
    if not np.all(order == np.arange(len(order))):
        warnings.append("trackpoints were out of time order and have been sorted")

    def arr(x):
        return None if x is None else np.asarray(x, dtype="float64")[order]

    times_s = times_s[order]
    lat, lon, altitude, heart_rate, cadence, distance, speed = map(arr, (lat, lon, altitude, heart_rate, cadence, distance, speed))
    columns: dict[str, np.ndarray] = {}
    if lat is not None and lon is not None and np.isfinite(lat).any():
        bad = (np.abs(lat) > 90) | (np.abs(lon) > 180) | ((lat == 0) & (lon == 0))
        lat = np.where(bad, np.nan, lat)
        lon = np.where(bad, np.nan, lon)
        columns[g.LATITUDE], columns[g.LONGITUDE] = lat, lon
        if distance is None or not np.isfinite(distance).any():
            distance = cumulative_distance(lat, lon)
    if distance is not None and np.isfinite(distance).any():
        columns[g.DISTANCE] = distance
        if speed is None or not np.isfinite(speed).any():
            speed = speed_from_distance(times_s, distance)
    if speed is not None and np.isfinite(speed).any():
        foot = sport in g.FOOT_SPORTS or sport is None
        columns[g.SPEED] = np.where(speed >= 12.0, np.nan, speed) if foot else speed
    if altitude is not None and np.isfinite(altitude).any() and np.nanmax(np.abs(altitude)) > 0:
        columns[g.ALTITUDE] = altitude
    if heart_rate is not None:
        columns[g.HEART_RATE] = np.where(heart_rate > 0, heart_rate, np.nan)
    if cadence is not None and np.isfinite(cadence).any():
        if sport in g.FOOT_SPORTS or sport is None:
            steps, how = steps_per_minute(cadence, columns.get(g.SPEED))
            columns[g.CADENCE] = steps
        else:
            columns[g.CADENCE_RPM] = cadence
    records = make_samples(times_s, columns)
    start = pd.Timestamp(int(records.t_ns[0]), tz="UTC") if len(records) else None
    elapsed = pd.Timedelta(int(records.t_ns[-1] - records.t_ns[0])).total_seconds() if len(records) > 1 else 0.0
    if span_s is not None and len(records):
        first, last = records.t[[0, -1]]
        begin, end = min(span_s[0], first), max(span_s[1], last)
        # TCX times carry milliseconds at most: round away the float noise of UNIX seconds.
        start, elapsed = pd.Timestamp(begin, unit="s", tz="UTC"), round(float(end - begin), 3)
    if moving_s is None:
        moving_s = moving_seconds(records.t, records.get(g.SPEED))
    moving_s = min(moving_s, elapsed) if elapsed else moving_s
    if distance_total is None and g.DISTANCE in records:
        d = records[g.DISTANCE]
        d = d[np.isfinite(d)]
        distance_total = float(d[-1] - d[0]) if len(d) > 1 else None
    zone = None
    if g.LATITUDE in records:
        fix = np.nonzero(np.isfinite(records[g.LATITUDE]) & np.isfinite(records[g.LONGITUDE]))[0]
        if len(fix):
            zone = zone_at(records[g.LATITUDE][fix[0]], records[g.LONGITUDE][fix[0]])
    return Activity(
        records=records,
        laps=laps if laps is not None else empty_laps(),
        source=source,
        format=fmt,
        sport=sport,
        sub_sport=sub_sport,
        device=device,
        name=name,
        start_utc=start,
        utc_offset_s=None,
        timezone=zone,
        elapsed_s=float(elapsed),
        moving_s=float(moving_s),
        distance_m=distance_total,
        session_index=session_index,
        warnings=warnings,
    )
