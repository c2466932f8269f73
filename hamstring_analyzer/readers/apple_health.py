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

As real exports write them (checked on public exports): older ones put the
totals on ``<Workout totalDistance totalDistanceUnit>`` (miles in US
locales), newer ones only in ``<WorkoutStatistics>``. Interval workouts
(iOS 16+) hold ``<WorkoutActivity>`` segments that repeat statistics and
metadata per segment: only the direct children of ``<Workout>`` are its
totals (the segments are read only when the workout has no total of its
own). Every date carries the phone's UTC offset at *export* time (a Paris run
in September reads +0100): the instant is right, the wall clock is not; the
``HKTimeZone`` metadata names the true zone. When the route and the
workout's own total disagree by more than `ROUTE_DISAGREES_SHARE`, the total
stands and the run says what the route said.

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

import pandas as pd

from .. import glossary as g
from ..activity import Activity
from ..errors import NotAnActivityError, ParseError
from ..timezones import check_zone, offset_seconds
from .apple_samples import (
    Routes, cumulative, nearest, pick_source, plain_name, rate, sample_times, within,
)  # fmt: skip
from .summary_only import bounded, finite, refusal, refused_entry, summary_activity
from .track import build_activity, cumulative_distance

READ_CHUNK = 4 * 1024 * 1024
#: Samples are taken from this long before a workout's start to after its end [s].
SPAN_SLACK_S = 60.0
#: A route whose distance differs from the workout's own total by more than this share yields to the total.
ROUTE_DISAGREES_SHARE = 0.03
#: The `Activity.totals` key of what the route's positions add up to [m] (cleaning keeps the workout's total against it).
ROUTE_DISTANCE = "route_distance_m"
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
DISTANCE_STAT = "HKQuantityTypeIdentifierDistanceWalkingRunning"
DISTANCE_UNITS = RECORD_TYPES[DISTANCE_STAT][1]
HEART_RATE_STAT = "HKQuantityTypeIdentifierHeartRate"
CLIMB = "HKElevationAscended"
DURATION_UNITS = {"min": 60.0, "s": 1.0, "sec": 1.0, "hr": 3600.0, "h": 3600.0}
RUNNING = "HKWorkoutActivityTypeRunning"

_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.\d+)?\s*(?:([+-])(\d\d):?(\d\d)|Z)?$")


def parse_date(text: str | None) -> tuple[float, int] | None:
    """(UNIX seconds, UTC offset [s]) of an Apple Health date ("2026-03-02 07:01:00 +0100"); None when it is not one."""
    if not text:
        return None
    if not "1900" <= text[:4] <= "2199":  # no watch's year (0001, 9999): a date no calendar arithmetic should meet
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
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});")


def _unescape(text: str) -> str:
    """An attribute's text as the XML parser would give it: the five named escapes and numeric references."""
    if "&" not in text:
        return text
    text = _CHAR_REF.sub(lambda m: _char(m.group(1)), text)
    for k, v in _XML_ESCAPES.items():
        text = text.replace(k, v)
    return text


def _char(ref: str) -> str:
    try:
        code = int(ref[1:], 16) if ref[:1] in "xX" else int(ref)
        return chr(code)
    except (ValueError, OverflowError):
        return ""


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
    """One running workout element, parsed by the XML parser on its own (no DTD, so no entity can reach it).

    ``stats`` and ``meta`` are the workout's direct children only: its totals.
    Each ``<WorkoutActivity>`` (a segment of an interval workout) keeps its own
    in ``segments``, once per uuid (some exports repeat a segment).
    """
    import xml.etree.ElementTree as ET

    try:
        el = ET.fromstring(block)
    except ET.ParseError:
        return None
    w = {"attrs": dict(el.attrib), "stats": {}, "meta": {}, "events": [], "routes": [], "segments": {}}
    for child in el:
        if child.tag == "WorkoutStatistics":
            w["stats"][child.get("type", "")] = dict(child.attrib)
        elif child.tag == "MetadataEntry":
            w["meta"][child.get("key", "")] = child.get("value", "")
        elif child.tag == "WorkoutEvent":
            w["events"].append(dict(child.attrib))
        elif child.tag == "WorkoutRoute":
            w["routes"].extend(ref.get("path") for ref in child.iter("FileReference") if ref.get("path"))
        elif child.tag == "WorkoutActivity":
            segment = {"stats": {s.get("type", ""): dict(s.attrib) for s in child if s.tag == "WorkoutStatistics"},
                       "meta": {m.get("key", ""): m.get("value", "") for m in child if m.tag == "MetadataEntry"}}  # fmt: skip
            w["segments"].setdefault(child.get("uuid") or str(len(w["segments"])), segment)
    return w


def _own_distance(w: dict) -> float | None:
    """The workout's own total distance [m]: its statistics, else its attributes (older exports), else its segments'."""
    for stat in [w["stats"].get(DISTANCE_STAT, {})] + [{"sum": w["attrs"].get("totalDistance"), "unit": w["attrs"].get("totalDistanceUnit")}]:
        value = finite(stat.get("sum"))
        if value is not None and stat.get("unit") in DISTANCE_UNITS:
            return value * DISTANCE_UNITS[stat["unit"]]
    parts = [s["stats"].get(DISTANCE_STAT, {}) for s in w["segments"].values()]
    values = [finite(p.get("sum")) * DISTANCE_UNITS[p["unit"]] for p in parts if finite(p.get("sum")) is not None and p.get("unit") in DISTANCE_UNITS]
    return sum(values) if values and len(values) == len(parts) else None


def _meta(w: dict, key: str) -> str | None:
    """A metadata value of the workout; else of its one segment (newer exports may keep it there)."""
    if key in w["meta"]:
        return w["meta"][key] or None
    segments = list(w["segments"].values())
    return (segments[0]["meta"].get(key) or None) if len(segments) == 1 else None


def _zone(name: str | None) -> str | None:
    try:
        return check_zone(name.strip()) if name else None
    except ValueError:
        return None


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
    routes = Routes(opener, source)
    for index, workout in enumerate(workouts):
        activity = _workout_activity(workout, collector.samples, routes, source, index)
        if activity is None:  # listed in its place, with its dates as written
            said = f"{workout['attrs'].get('startDate', '')[:30]!r} to {workout['attrs'].get('endDate', '')[:30]!r}"
            activities.append(refused_entry(source, "apple_health", index, f"running workout {index + 1}", f"its dates cannot be read ({said})"))
            continue
        if not whole:
            activity.warnings.append("the export is cut short (no closing HealthData): later workouts and samples may be missing")
        if broken_workouts:
            activity.warnings.append(f"{broken_workouts} running workouts of the export are broken XML and were left out")
        activities.append(activity)
    if all(refusal(a) is not None for a in activities):
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


def _workout_activity(w: dict, samples: dict, routes: Routes, source: str, index: int) -> Activity | None:
    attrs = w["attrs"]
    a, b = parse_date(attrs.get("startDate")), parse_date(attrs.get("endDate"))
    if a is None or b is None or b[0] < a[0]:
        return None
    start, end = a[0], b[0]
    warnings: list[str] = []
    duration = finite(attrs.get("duration"))
    duration = duration * DURATION_UNITS.get(attrs.get("durationUnit", "min"), 60.0) if duration is not None else None
    distance = _own_distance(w)
    indoor = _meta(w, "HKIndoorWorkout") == "1"
    segments = list(w["segments"].values())
    # the climb of each segment adds up (once per uuid); other totals only from a workout's one segment
    climbs = [w["meta"].get(CLIMB)] if CLIMB in w["meta"] else [s["meta"].get(CLIMB) for s in segments]
    climbs = [_quantity(c, {"cm": 0.01, "m": 1.0, "ft": 0.3048}) for c in climbs if c]
    hr_stat = w["stats"].get(HEART_RATE_STAT) or (segments[0]["stats"].get(HEART_RATE_STAT) if len(segments) == 1 else None)
    device = " ".join(_unescape(attrs.get("sourceName") or "").replace("\u00a0", " ").split())
    common = dict(source=source, fmt="apple_health", sport="running", sub_sport="treadmill" if indoor else None,
                  device=device or "Apple Health", session_index=index)  # fmt: skip
    totals = {"elevation_gain_m": bounded(sum(climbs), 0.0, 20000.0) if climbs and None not in climbs else None,
              "avg_heart_rate_bpm": finite((hr_stat or {}).get("average"))}  # fmt: skip

    route = routes.within(w["routes"], start - SPAN_SLACK_S, end + SPAN_SLACK_S, warnings)
    chosen = {kind: pick_source(rows, start - SPAN_SLACK_S, end + SPAN_SLACK_S, device) for kind, rows in samples.items()}
    times = route["t"] if route is not None else sample_times(chosen, start, end)
    if times is None or len(times) < 2:
        activity = summary_activity(start_utc=pd.Timestamp(start, unit="s", tz="UTC"), elapsed_s=end - start, moving_s=duration,
                                    distance_m=distance, totals=totals, warnings=warnings, **common)  # fmt: skip
        _settle_zone(activity, _zone(_meta(w, "HKTimeZone")), a[1])
        return activity
    cum = cumulative(chosen["distance"], times)
    if route is not None and distance:
        route_m = totals[ROUTE_DISTANCE] = float(cumulative_distance(route["lat"], route["lon"])[-1])
        if abs(route_m - distance) > ROUTE_DISAGREES_SHARE * distance:
            warnings.append(f"its route said {route_m / 1000:.2f} km; the workout's own total, {distance / 1000:.2f} km, was kept")
            if cum is None and route_m > 0:  # no distance samples: the route's shape at the watch's scale
                cum = cumulative_distance(route["lat"], route["lon"]) * (distance / route_m)
    activity = build_activity(
        times_s=times,
        lat=route["lat"] if route is not None else None,
        lon=route["lon"] if route is not None else None,
        altitude=route["alt"] if route is not None else None,
        heart_rate=nearest(chosen["hr"], times), cadence=rate(chosen["steps"], times) * 60.0, distance=cum,
        speed=within(chosen["speed"], times), moving_s=duration, distance_total=distance, span_s=(start, end), warnings=warnings,
        **common,
    )  # fmt: skip
    extra = {g.STEP_LENGTH: nearest(chosen["stride"], times), g.STANCE_TIME: nearest(chosen["gct"], times),
             g.VERTICAL_OSCILLATION: nearest(chosen["vosc"], times), g.POWER: nearest(chosen["power"], times)}  # fmt: skip
    present = {column: values for column, values in extra.items() if np.isfinite(values).any()}
    if present and len(activity.samples) == len(times):
        activity.records = activity.samples.with_columns(**present)
    _settle_zone(activity, _zone(_meta(w, "HKTimeZone")) or activity.timezone, a[1])
    activity.totals = {k: v for k, v in totals.items() if v is not None} or None
    return activity


def _settle_zone(activity: Activity, zone: str | None, export_offset_s: int) -> None:
    """The run's zone (``HKTimeZone``, else the route's position) and its offset then; else the date's own offset.

    The dates' offset is the phone's at export time, not at the run: a zone
    that is known always decides the wall clock.
    """
    activity.timezone = zone
    activity.utc_offset_s = offset_seconds(activity.start_utc, zone) if zone else export_offset_s
