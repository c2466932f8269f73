"""Apple Health's export: the running workouts of ``apple_health_export/export.xml``, with their routes.

iPhone: Health app > your picture > Export All Health Data gives ``export.zip``
holding ``apple_health_export/export.xml`` (hundreds of MB to several GB)
and ``workout-routes/route_<date>.gpx``. The XML is::

    <HealthData>
      <Record type="HKQuantityTypeIdentifierHeartRate" sourceName unit startDate endDate value/>  (millions)
      <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration durationUnit
               sourceName startDate endDate [totalDistance totalDistanceUnit]>
        <MetadataEntry key="HKIndoorWorkout" value="0"/>   <MetadataEntry key="HKElevationAscended" value="4500 cm"/>
        <WorkoutEvent type="HKWorkoutEventTypePause" date/>
        <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum unit/>
        <WorkoutRoute><FileReference path="/workout-routes/route_….gpx"/></WorkoutRoute>
      </Workout>
    </HealthData>

Dates carry their UTC offset ("2026-03-02 07:01:00 +0100"). The route GPX
holds positions only: heart rate, cadence (from the ``StepCount`` samples,
steps over each sample's span), distance and the watchOS 9 running metrics
(speed, stride length, ground contact time, vertical oscillation, power)
come from the ``Record`` samples inside the workout's time, taken from the
workout's own device when it wrote any (an iPhone in the pocket counts the
same steps again).

Memory stays flat whatever the file's size, and the file is read at the
speed of a byte scan: the export is machine-written, one element per line,
and almost all of it (years of everyday samples) is of no use to a runner's
analysis. So the file is read in chunks twice: first for the running
workouts, each element then parsed on its own by the XML parser; then for
the sample elements of the wanted kinds (a compiled pattern), keeping only
those inside the workouts' time spans. Pushing every element of a 1 GB file
through an XML parser's callbacks ran at about 40 MB/s on our machine
(expat alone: under 60), the scan at several times that. No entity is ever
expanded; still, an export whose prolog declares entities or names an
external DTD is refused. The internal DTD of element declarations that
every export carries is allowed.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from .. import glossary as g
from ..activity import Activity
from ..errors import NotAnActivityError, ParseError
from .summary_only import bounded, finite, summary_activity
from .track import build_activity
from .xmlsafe import clean_xml

READ_CHUNK = 4 * 1024 * 1024
#: A route GPX larger than this is refused [bytes] (a 24-hour route at 1 Hz is ~15 MiB).
MAX_ROUTE_BYTES = 64 * 1024 * 1024
#: Samples are taken from this long before a workout's start to after its end [s].
SPAN_SLACK_S = 60.0
#: A heart rate or running metric sample farther than this from a point says nothing about it [s].
NEAREST_S = 30.0
#: The sample kinds read, with their glossary column and the unit factors to its unit.
RECORD_TYPES = {
    "HKQuantityTypeIdentifierHeartRate": ("hr", {"count/min": 1.0}),
    "HKQuantityTypeIdentifierStepCount": ("steps", {"count": 1.0}),
    "HKQuantityTypeIdentifierDistanceWalkingRunning": ("distance", {"km": 1000.0, "m": 1.0, "mi": 1609.344, "ft": 0.3048, "yd": 0.9144}),
    "HKQuantityTypeIdentifierRunningSpeed": ("speed", {"km/hr": 1 / 3.6, "m/s": 1.0, "mi/hr": 0.44704, "ft/s": 0.3048}),
    "HKQuantityTypeIdentifierRunningStrideLength": ("stride", {"m": 1000.0, "cm": 10.0, "ft": 304.8, "in": 25.4}),
    "HKQuantityTypeIdentifierRunningGroundContactTime": ("gct", {"ms": 1.0, "s": 1000.0}),
    "HKQuantityTypeIdentifierRunningVerticalOscillation": ("vosc", {"cm": 10.0, "mm": 1.0, "in": 25.4}),
    "HKQuantityTypeIdentifierRunningPower": ("power", {"W": 1.0}),
}  # fmt: skip
DISTANCE_UNITS = RECORD_TYPES["HKQuantityTypeIdentifierDistanceWalkingRunning"][1]
DURATION_UNITS = {"min": 60.0, "s": 1.0, "sec": 1.0, "hr": 3600.0, "h": 3600.0}
RUNNING = "HKWorkoutActivityTypeRunning"

_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.\d+)?\s*(?:([+-])(\d\d):?(\d\d)|Z)?$")


def parse_date(text: str | None) -> tuple[float, int] | None:
    """(UNIX seconds, UTC offset [s]) of an Apple Health date ("2026-03-02 07:01:00 +0100"); None when it is not one."""
    if not text:
        return None
    if len(text) == 25 and text[19] == " ":  # the export's own form: the C parser, without the space
        try:
            when = dt.datetime.fromisoformat(text[:19] + text[20:])
        except ValueError:
            return None
        return when.timestamp(), int(when.utcoffset().total_seconds())
    m = _DATE.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    try:
        day = dt.date(y, mo, d).toordinal() - 719163  # days since 1970-01-01
    except ValueError:
        return None
    offset = 0
    if m.group(7):
        offset = (int(m.group(8)) * 3600 + int(m.group(9)) * 60) * (-1 if m.group(7) == "-" else 1)
    return day * 86400.0 + h * 3600 + mi * 60 + s - offset, offset


def _gpx_time(text: str | None) -> float | None:
    """UNIX seconds of a GPX time ("2026-03-02T07:00:00Z")."""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


class _Refused(Exception):
    """The XML tried something a Health export never does."""


#: A running workout's element, whole (or self-closed); quoted values may hold ">".
_WORKOUT = re.compile(rb'<Workout\b(?:[^>"]|"[^"]*")*?(?:/>|>.*?</Workout\s*>)', re.S)
#: A sample of the kinds read. Apple writes ``type`` first in every ``Record``; a pattern that
#: allowed any order ran at a fifth of the speed.
_RECORD = re.compile(rb'<Record type="(?:' + b"|".join(re.escape(t.encode()) for t in RECORD_TYPES) + rb')"[^>]*>')
_RUNNING_ATTR = f'workoutActivityType="{RUNNING}"'.encode()
#: A single element larger than this is refused [bytes] (a marathon's workout element is a few KiB).
MAX_ELEMENT_BYTES = 16 * 1024 * 1024
_XML_ESCAPES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    for k, v in _XML_ESCAPES.items():
        text = text.replace(k, v)
    return text


def _prolog_check(head: bytes, source: str) -> None:
    """Refuse what no Health export holds before its root: entity declarations, an external DTD."""
    root = head.find(b"<HealthData")
    prolog = head if root < 0 else head[:root]
    if b"<!ENTITY" in prolog:
        raise ParseError(source, "Apple Health export declares XML entities, which a Health export never does; refused for safety")
    doctype = prolog.find(b"<!DOCTYPE")
    if doctype >= 0:
        bracket = prolog.find(b"[", doctype)
        decl = prolog[doctype : bracket if bracket >= 0 else len(prolog)]
        if b"SYSTEM" in decl or b"PUBLIC" in decl:
            raise ParseError(source, "Apple Health export names an external DTD, which a Health export never does; refused for safety")
    if root < 0 and b"<!DOCTYPE HealthData" not in head:
        raise ParseError(source, "not an Apple Health export (no HealthData element at its start)")


def _scan(opener, pattern: re.Pattern, on_match, keep_open: bytes | None = None) -> bool:
    """Call ``on_match`` for each match of ``pattern`` over the file, read a chunk at a time.

    A chunk is cut at its last "<" (or at the last opening of ``keep_open``
    whose element is not closed yet) and the rest carried to the next, so no
    element is ever seen in halves. Returns whether the file ends with the
    root's end tag (False: cut short).
    """
    carry = b""
    with opener.open() as fh:
        while True:
            chunk = fh.read(READ_CHUNK)
            buf = carry + chunk if carry else chunk
            if not chunk:
                for element in pattern.findall(buf):
                    on_match(element)
                return buf[-64:].rstrip().endswith(b"</HealthData>")
            cut = buf.rfind(b"<")
            if keep_open is not None:
                w = buf.rfind(keep_open, 0, cut + 1)
                if w >= 0 and buf.find(b"</Workout>", w) < 0:
                    close = buf.find(b">", w)
                    if close < 0 or buf[close - 1 : close] != b"/":
                        cut = w
            cut = max(cut, 0)
            for element in pattern.findall(buf, 0, cut):  # the patterns have no groups: whole matches
                on_match(element)
            carry = buf[cut:]
            if len(carry) > MAX_ELEMENT_BYTES:
                raise _Refused(f"holds an element larger than {MAX_ELEMENT_BYTES // 2**20} MiB, which a Health export never does")


def _parse_workout(block: bytes) -> dict | None:
    """One running workout element, parsed by the XML parser on its own (no DTD, so no entity can reach it)."""
    import xml.etree.ElementTree as ET

    try:
        el = ET.fromstring(block)
    except ET.ParseError:
        return None
    w = {"attrs": dict(el.attrib), "stats": {}, "meta": {}, "events": [], "routes": []}
    for child in el:
        if child.tag == "WorkoutStatistics":
            w["stats"][child.get("type", "")] = dict(child.attrib)
        elif child.tag == "MetadataEntry":
            w["meta"][child.get("key", "")] = child.get("value", "")
        elif child.tag == "WorkoutEvent":
            w["events"].append(dict(child.attrib))
        elif child.tag == "WorkoutRoute":
            w["routes"].extend(ref.get("path") for ref in child.iter("FileReference") if ref.get("path"))
    return w


def read_apple_health(opener, source: str) -> list[Activity]:
    """Every running workout of an Apple Health ``export.xml`` (streamed from ``opener``).

    Two passes over the bytes, a chunk at a time. The first finds the running
    workouts (each element parsed on its own by the XML parser); the second
    picks the samples of the wanted kinds inside their time spans. Neither
    builds the document and no entity is ever expanded; the prolog is still
    checked, and an export declaring entities or an external DTD is refused.

    Parameters
    ----------
    opener : readers.Opener
        The file (a path, or a member of a zip on disk); its ``sibling`` gives the route GPX files.

    Raises
    ------
    ParseError
        Not a Health export, or hostile XML (entities, external DTD). A file
        cut short keeps the workouts before the cut, each with a warning.
    NotAnActivityError
        An export without running workouts.
    """
    with opener.open() as fh:
        head = fh.read(256 * 1024)
    if not head.strip():
        raise ParseError(source, "file is empty")
    _prolog_check(head, source)
    workouts: list[dict] = []
    broken_workouts = 0

    def on_workout(block: bytes) -> None:
        nonlocal broken_workouts
        if _RUNNING_ATTR not in block[: block.find(b">") + 1]:
            return
        w = _parse_workout(block)
        if w is None:
            broken_workouts += 1
        else:
            workouts.append(w)

    try:
        whole = _scan(opener, _WORKOUT, on_workout, keep_open=b"<Workout ")
        spans = []
        for w in workouts:
            a, b = parse_date(w["attrs"].get("startDate")), parse_date(w["attrs"].get("endDate"))
            if a and b:
                spans.append((a[0] - SPAN_SLACK_S, b[0] + SPAN_SLACK_S))
        collector = _Collector(sorted(spans))
        if spans:
            _scan(opener, _RECORD, collector.record)
    except _Refused as exc:
        raise ParseError(source, f"Apple Health export {exc}") from None
    except (OSError, EOFError, ValueError) as exc:
        raise ParseError(source, f"Apple Health export cannot be read to its end ({exc})") from None
    if not workouts:
        if broken_workouts:
            raise ParseError(source, f"Apple Health export whose {broken_workouts} running workouts are broken XML")
        if not whole:
            raise ParseError(source, "Apple Health export cut short (no closing HealthData), with no running workout before the cut")
        raise NotAnActivityError(source, "Apple Health export without running workouts")
    activities = []
    for index, workout in enumerate(workouts):
        activity = _workout_activity(workout, collector.samples, opener, source, index)
        if activity is None:
            continue
        if not whole:
            activity.warnings.append("the export is cut short (no closing HealthData): later workouts and samples may be missing")
        if broken_workouts:
            activity.warnings.append(f"{broken_workouts} running workouts of the export are broken XML and were left out")
        activities.append(activity)
    if not activities:
        raise ParseError(source, "Apple Health export whose running workouts have no readable dates")
    return activities


class _Collector:
    """The wanted samples inside the running workouts' spans, by kind: (start, end, value, source)."""

    def __init__(self, spans: list[tuple[float, float]]):
        self.starts = np.array([s for s, _ in spans])
        self.ends = np.maximum.accumulate(np.array([e for _, e in spans])) if spans else np.array([])
        self.days = set()
        for s, e in spans:  # a cheap first test on the date text: the days (UTC +-1) the spans touch
            for t in np.arange(s - 86400, e + 86400 + 1, 86400):
                self.days.add(dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d").encode())
        self.samples: dict[str, list] = {kind: [] for kind, _ in RECORD_TYPES.values()}

    def record(self, tag: bytes) -> None:
        i = tag.find(b' startDate="')
        if i < 0 or tag[i + 12 : i + 22] not in self.days:
            return
        attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}
        kind = RECORD_TYPES.get(attrs.get("type"))
        a = parse_date(attrs.get("startDate"))
        b = parse_date(attrs.get("endDate"))
        if kind is None or a is None or b is None:
            return
        j = np.searchsorted(self.starts, a[0], side="right") - 1
        if j < 0 or a[0] > self.ends[j]:
            return
        value = finite(attrs.get("value"))
        factor = kind[1].get(attrs.get("unit", ""))
        if value is None or factor is None:
            return
        self.samples[kind[0]].append((a[0], b[0], value * factor, _unescape(attrs.get("sourceName", ""))))


def _quantity(text: str | None, units: dict[str, float]) -> float | None:
    """A metadata quantity such as ``"4500 cm"`` in the table's unit."""
    if not text:
        return None
    parts = text.split()
    if len(parts) != 2 or parts[1] not in units:
        return None
    v = finite(parts[0])
    return v * units[parts[1]] if v is not None else None


def _workout_activity(w: dict, samples: dict, opener, source: str, index: int) -> Activity | None:
    attrs = w["attrs"]
    a, b = parse_date(attrs.get("startDate")), parse_date(attrs.get("endDate"))
    if a is None or b is None or b[0] < a[0]:
        return None
    start, end, offset = a[0], b[0], a[1]
    warnings: list[str] = []
    duration = finite(attrs.get("duration"))
    duration = duration * DURATION_UNITS.get(attrs.get("durationUnit", "min"), 60.0) if duration is not None else None
    distance_stat = w["stats"].get("HKQuantityTypeIdentifierDistanceWalkingRunning", {})
    distance = finite(distance_stat.get("sum"))
    unit = distance_stat.get("unit")
    if distance is None:
        distance, unit = finite(attrs.get("totalDistance")), attrs.get("totalDistanceUnit")
    distance = distance * DISTANCE_UNITS[unit] if distance is not None and unit in DISTANCE_UNITS else None
    indoor = w["meta"].get("HKIndoorWorkout") == "1"
    climb = _quantity(w["meta"].get("HKElevationAscended"), {"cm": 0.01, "m": 1.0, "ft": 0.3048})
    hr_avg = finite(w["stats"].get("HKQuantityTypeIdentifierHeartRate", {}).get("average"))
    zone = w["meta"].get("HKTimeZone") or None
    common = dict(source=source, fmt="apple_health", sport="running", sub_sport="treadmill" if indoor else None,
                  device=attrs.get("sourceName") or "Apple Health", session_index=index)  # fmt: skip
    totals = {"elevation_gain_m": bounded(climb, 0.0, 20000.0), "avg_heart_rate_bpm": finite(hr_avg)}

    route = _route(w["routes"], opener, source, warnings)
    chosen = {kind: _pick_source(rows, start - SPAN_SLACK_S, end + SPAN_SLACK_S, attrs.get("sourceName"))
              for kind, rows in samples.items()}  # fmt: skip
    times = route["t"] if route is not None else _sample_times(chosen, start, end)
    if times is None or len(times) < 2:
        import pandas as pd

        activity = summary_activity(start_utc=pd.Timestamp(start, unit="s", tz="UTC"), elapsed_s=end - start, moving_s=duration,
                                    distance_m=distance, utc_offset_s=offset, totals=totals, warnings=warnings, **common)  # fmt: skip
        activity.timezone = zone
        return activity
    hr = _nearest(chosen["hr"], times)
    cadence = _rate(chosen["steps"], times) * 60.0
    cum = _cumulative(chosen["distance"], times)
    speed = _within(chosen["speed"], times)
    activity = build_activity(
        times_s=times,
        lat=route["lat"] if route is not None else None,
        lon=route["lon"] if route is not None else None,
        altitude=route["alt"] if route is not None else None,
        heart_rate=hr, cadence=cadence, distance=cum, speed=speed,
        moving_s=duration, distance_total=distance, span_s=(start, end), warnings=warnings, **common,
    )  # fmt: skip
    extra = {g.STEP_LENGTH: _nearest(chosen["stride"], times), g.STANCE_TIME: _nearest(chosen["gct"], times),
             g.VERTICAL_OSCILLATION: _nearest(chosen["vosc"], times), g.POWER: _nearest(chosen["power"], times)}  # fmt: skip
    present = {column: values for column, values in extra.items() if np.isfinite(values).any()}
    if present and len(activity.samples) == len(times):
        activity.records = activity.samples.with_columns(**present)
    activity.utc_offset_s = offset
    activity.timezone = zone or activity.timezone
    activity.totals = {k: v for k, v in totals.items() if v is not None} or None
    return activity


def _route(paths: list[str], opener, source: str, warnings: list[str]) -> dict | None:
    """The workout's route points (its first readable route file), or None.

    Apple's route GPX is one track of ``<trkpt lat lon><ele><time>`` (plus
    speed, course and accuracy extensions, not needed): read with the XML
    parser directly, after the same hygiene as every GPX (no entities, no DTD),
    at several times gpxpy's speed.
    """
    for path in paths:
        data = opener.sibling(path.lstrip("/"), MAX_ROUTE_BYTES) if hasattr(opener, "sibling") else None
        if data is None:
            warnings.append(f"its route {path} is not in the export (or is too large): no positions")
            continue
        try:
            points = route_points(data, f"{source}:{path}")
        except ParseError as exc:
            warnings.append(f"its route {path} cannot be read ({exc.reason})")
            continue
        if len(points["t"]) >= 2:
            return points
    return None


def route_points(data: bytes, source: str) -> dict:
    """``t`` [UNIX s], ``lat``, ``lon`` [degrees], ``alt`` [m] of every timed track point of a route GPX, in time order."""
    import xml.etree.ElementTree as ET

    data, _ = clean_xml(data, source, "GPX")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ParseError(source, f"not a readable GPX file ({exc})") from None
    t, lat, lon, alt = [], [], [], []
    for el in root.iter():
        if not el.tag.endswith("trkpt"):
            continue
        when = ele = None
        for child in el:
            name = child.tag.rsplit("}", 1)[-1]
            if name == "time":
                when = child.text
            elif name == "ele":
                ele = child.text
        stamp = _gpx_time(when)
        la, lo = finite(el.get("lat")), finite(el.get("lon"))
        if stamp is None or la is None or lo is None:
            continue
        t.append(stamp)
        lat.append(la)
        lon.append(lo)
        e = finite(ele)
        alt.append(e if e is not None else np.nan)
    order = np.argsort(np.array(t, dtype="float64"), kind="stable")
    return {k: np.array(v, dtype="float64")[order] for k, v in (("t", t), ("lat", lat), ("lon", lon), ("alt", alt))}


def _pick_source(rows: list, lo: float, hi: float, device: str | None) -> np.ndarray:
    """The (start, end, value) samples inside [lo, hi] from one source: the workout's device if it wrote any."""
    inside = [r for r in rows if lo <= r[0] <= hi]
    if not inside:
        return np.empty((0, 3))
    names = [r[3] for r in inside]
    device = _unescape(device or "")
    pick = device if device in names else max(set(names), key=names.count)
    arr = np.array([r[:3] for r in inside if r[3] == pick], dtype="float64")
    return arr[np.argsort(arr[:, 0], kind="stable")]


def _sample_times(chosen: dict, start: float, end: float) -> np.ndarray | None:
    """A time axis for a workout without a route: the ends of its distance samples and its heart rate times."""
    parts = [chosen["distance"][:, 1], chosen["hr"][:, 0], chosen["speed"][:, 0]]
    t = np.unique(np.concatenate([p for p in parts if len(p)])) if any(len(p) for p in parts) else np.empty(0)
    t = t[(t >= start) & (t <= end)]
    return t if len(t) >= 2 else None


def _nearest(samples: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Each time's nearest sample value (by the sample's start), NaN beyond `NEAREST_S`."""
    out = np.full(len(times), np.nan)
    if not len(samples):
        return out
    t, v = samples[:, 0], samples[:, 2]
    pos = np.clip(np.searchsorted(t, times), 1, max(len(t) - 1, 1))
    left = np.clip(pos - 1, 0, len(t) - 1)
    right = np.clip(pos, 0, len(t) - 1)
    use_right = np.abs(t[right] - times) < np.abs(times - t[left])
    best = np.where(use_right, right, left)
    ok = np.abs(t[best] - times) <= NEAREST_S
    out[ok] = v[best[ok]]
    return out


def _containing(samples: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Index of the sample whose [start, end] holds each time, -1 for none."""
    if not len(samples):
        return np.full(len(times), -1)
    i = np.searchsorted(samples[:, 0], times, side="right") - 1
    ok = (i >= 0) & (times <= samples[np.clip(i, 0, None), 1])
    return np.where(ok, i, -1)


def _rate(samples: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Per-second rate of interval samples (steps / span) at each time; NaN outside them."""
    i = _containing(samples, times)
    out = np.full(len(times), np.nan)
    ok = i >= 0
    if ok.any():
        span = samples[i[ok], 1] - samples[i[ok], 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[ok] = np.where(span >= 1.0, samples[i[ok], 2] / span, np.nan)
    return out


def _within(samples: np.ndarray, times: np.ndarray) -> np.ndarray | None:
    """Values of the samples holding each time (nearest when they are instants); None without samples."""
    if not len(samples):
        return None
    spans = samples[:, 1] - samples[:, 0]
    if np.median(spans) < 1.0:
        return _nearest(samples, times)
    i = _containing(samples, times)
    out = np.full(len(times), np.nan)
    out[i >= 0] = samples[i[i >= 0], 2]
    return out


def _cumulative(samples: np.ndarray, times: np.ndarray) -> np.ndarray | None:
    """Cumulative distance [m] at each time from interval samples, linear within each; None without samples."""
    if len(samples) < 2:
        return None
    knots_t = np.concatenate([[samples[0, 0]], samples[:, 1]])
    knots_d = np.concatenate([[0.0], np.cumsum(samples[:, 2])])
    order = np.argsort(knots_t, kind="stable")
    knots_t, knots_d = knots_t[order], np.maximum.accumulate(knots_d[order])
    return np.interp(times, knots_t, knots_d, left=np.nan, right=np.nan)
