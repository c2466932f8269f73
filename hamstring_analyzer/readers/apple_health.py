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

Memory stays flat whatever the file's size, and the time is linear in it.
The file is read in chunks twice, through the XML parser (expat), and no
tree is built. First the running workouts: the bytes between ``<Workout``
openings are skipped by a byte search, and each workout element is parsed by
a fresh parser that must reach its end before the next opens. Then the
sample elements of the wanted kinds inside the workouts' time spans: the
file is fed a window (~256 KiB) at a time, and a window whose bytes hold no
sample dated on a day the runs touch is skipped unread (years of everyday
samples are of no use to a runner's analysis). The parser is fed from the
root element on, so the internal DTD every export carries (with syntax
errors in iOS 16's) never reaches it and no entity can be declared; an
export whose prolog declares entities or names an external DTD is refused
all the same. Damage costs only the element it is in: a fresh parser resumes
at the next ``<Record`` or ``<Workout`` (`xmlsafe.stream_xml`), and markup
larger than `MAX_ELEMENT_BYTES` is skipped before it is whole.
"""

from __future__ import annotations

import bisect
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
from .apple_workouts import WorkoutPass
from .summary_only import bounded, finite, refusal, refused_entry, summary_activity
from .track import build_activity, cumulative_distance
from .xmlsafe import TokenTooLarge, stream_xml

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


#: The elements a fresh parser starts at: a workout (the first pass), a workout or a sample (the second).
_WORKOUT, _SAMPLES = (b"<Workout",), (b"<Record", b"<Workout")
#: What a fresh parser is fed first: an opening root tag, so what follows parses as the root's content.
_ROOT_TAG = b"<HealthData>"
#: Markup (a tag and its attributes, a comment) larger than this is refused, and a workout
#: element spanning more bytes too [bytes] (a marathon's workout element is a few KiB).
MAX_ELEMENT_BYTES = 16 * 1024 * 1024
#: Running workouts kept at most (a run a day for 270 years); the rest are left out with a reason.
MAX_WORKOUTS = 100_000
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


def _prolog_check(head: bytes, source: str) -> int:
    """Where the root element starts; refuse what no Health export holds before it: entity declarations, an external DTD.

    The parser is fed from the root on, so the internal DTD every export
    carries (broken in iOS 16's exports) never reaches it, nor any entity.
    """
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
    if root < 0:
        raise ParseError(source, "not an Apple Health export (no HealthData element at its start)")
    return root


def _stream(opener, root: int, reader, names: tuple[bytes, ...]) -> bytes:
    """Feed the export from its root on to ``reader``'s parsers (`xmlsafe.stream_xml`); the file's last 64 bytes.

    With the workouts' names only, just the workout elements are parsed (each
    by a fresh parser) and the bytes between them skipped by a byte search.
    """
    with opener.open() as fh:
        while root > 0:
            skipped = len(fh.read(root))
            if not skipped:
                break
            root -= skipped
        return stream_xml(fh, reader.parser, reader.on_break, resume=names, prefix=_ROOT_TAG, chunk_bytes=READ_CHUNK,
                          max_token_bytes=MAX_ELEMENT_BYTES, from_root=names != _WORKOUT, skip=getattr(reader, "skippable", None))  # fmt: skip


def _mib() -> str:
    """The element budget, in the unit that reads best."""
    return f"{MAX_ELEMENT_BYTES / 2**20:g} MiB" if MAX_ELEMENT_BYTES >= 2**20 else f"{MAX_ELEMENT_BYTES / 1024:g} KiB"


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

    Two passes over the bytes through the XML parser, a chunk at a time. The
    first finds the running workouts; the second picks the samples of the
    wanted kinds inside their time spans, skipping the windows of the file
    that hold none. Neither builds the document and no
    entity is ever expanded; the prolog is still checked, and an export
    declaring entities or an external DTD is refused. Damaged XML costs only
    the element it is in (a workout there is left out, with a reason on the
    others), and the time is linear in the file whatever it holds.

    Parameters
    ----------
    opener : readers.Opener
        The file (a path, or a member of a zip on disk); its ``sibling`` gives the route GPX files.

    Raises
    ------
    ParseError
        Not a Health export, or hostile XML (entities, external DTD, a root
        tag larger than `MAX_ELEMENT_BYTES`). A file cut short keeps the
        workouts before the cut, each with a warning.
    NotAnActivityError
        An export without running workouts.
    """
    with opener.open() as fh:
        head = fh.read(256 * 1024)
    if not head.strip():
        raise ParseError(source, "file is empty")
    root = _prolog_check(head, source)
    found = WorkoutPass(MAX_ELEMENT_BYTES, MAX_WORKOUTS)
    try:
        whole = _stream(opener, root, found, _WORKOUT).rstrip().endswith(b"</HealthData>")
        spans = []
        for w in found.found:
            a, b = parse_date(w["attrs"].get("startDate")), parse_date(w["attrs"].get("endDate"))
            if a and b:
                spans.append((a[0] - SPAN_SLACK_S, b[0] + SPAN_SLACK_S))
        collector = _Collector(sorted(spans))
        if spans:
            _stream(opener, root, collector, _SAMPLES)
    except TokenTooLarge:
        raise ParseError(source, f"Apple Health export holds an element larger than {_mib()} "
                                 "(its root), which a Health export never does") from None  # fmt: skip
    except (OSError, EOFError, ValueError) as exc:
        raise ParseError(source, f"Apple Health export cannot be read to its end ({exc})") from None
    workouts, reasons = found.found, found.reasons(whole, _mib())
    if not workouts:
        if reasons:
            raise ParseError(source, f"Apple Health export without a readable running workout: {reasons[0]}")
        if not whole:
            raise ParseError(source, "Apple Health export cut short (no closing HealthData), with no running workout before the cut")
        raise NotAnActivityError(source, "Apple Health export without running workouts")
    reasons += collector.reasons()
    if not whole:
        reasons.insert(0, "the export is cut short (no closing HealthData): later workouts and samples may be missing")
    activities = []
    routes = Routes(opener, source)
    for index, workout in enumerate(workouts):
        activity = _workout_activity(workout, collector.samples, routes, source, index)
        if activity is None:  # listed in its place, with its dates as written
            said = f"{workout['attrs'].get('startDate', '')[:30]!r} to {workout['attrs'].get('endDate', '')[:30]!r}"
            activities.append(refused_entry(source, "apple_health", index, f"running workout {index + 1}", f"its dates cannot be read ({said})"))
            continue
        activity.warnings.extend(reasons)
        activities.append(activity)
    if all(refusal(a) is not None for a in activities):
        raise ParseError(source, "Apple Health export whose running workouts have no readable dates")
    return activities


class _Collector:
    """The second pass: the wanted samples inside the running workouts' spans, by kind: (start, end, value, source)."""

    #: Beyond this many days under the spans, the cheap test on the date's text is skipped.
    MAX_DAYS = 20_000

    def __init__(self, spans: list[tuple[float, float]]):
        self.starts = [s for s, _ in spans]
        self.ends = np.maximum.accumulate([e for _, e in spans]).tolist() if spans else []
        self.days: set[str] | None = set()
        for s, e in spans:  # a cheap first test on the date text: the days (UTC +-1) the spans touch
            for t in np.arange(s - 86400, e + 86400 + 1, 86400):
                try:
                    self.days.add(dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d"))
                except (ValueError, OverflowError, OSError):  # a year the calendar has not: no sample is dated then
                    continue
            if len(self.days) > self.MAX_DAYS:
                self.days = None
                break
        self.day_bytes = {d.encode() for d in self.days or ()}
        self.samples: dict[str, list] = {kind: [] for kind, _ in RECORD_TYPES.values()}
        self.damaged = self.large = 0  # places skipped, by why

    def parser(self):
        from xml.parsers.expat import ParserCreate

        self._p = ParserCreate()
        self._p.StartElementHandler = self.record
        self._correlations = 0
        return self._p

    def skippable(self, window: bytes) -> bool:
        """Whether a window of the export holds no sample dated on a wanted day, nor any part of a ``<Correlation>``.

        The same cheap test on the date's text as the handler's, over the raw
        bytes (Apple writes ``startDate="``): years of everyday samples are
        skipped at the speed of a byte search, not parsed.
        """
        if self.days is None or self._correlations or b"<Correlation" in window:
            return False
        days, i = self.day_bytes, window.find(b'startDate="')
        while i >= 0:
            if window[i + 11 : i + 21] in days:
                return False
            i = window.find(b'startDate="', i + 21)
        return True

    def _correlation_end(self, name: str) -> None:
        if name == "Correlation":
            self._correlations -= 1
            if not self._correlations:
                self._p.EndElementHandler = None

    def on_break(self, why: str) -> None:
        """A parser stopped (`xmlsafe.stream_xml`): a place of the export was skipped."""
        if why == "damaged":
            self.damaged += 1
        elif why == "too large":
            self.large += 1

    def reasons(self) -> list[str]:
        lines = [f"the export is damaged XML in {self.damaged} places, which were skipped (samples there are missing)" if self.damaged else "",
                 f"the export holds {self.large} elements larger than {_mib()}, which were skipped" if self.large else ""]  # fmt: skip
        return [line for line in lines if line]

    def record(self, name: str, attrs: dict) -> None:
        if name != "Record":
            if name == "Correlation":  # holds samples: a window inside one is never skipped
                self._correlations += 1
                self._p.EndElementHandler = self._correlation_end
            return
        start = attrs.get("startDate", "")
        if self.days is not None and start[:10] not in self.days:
            return
        kind = RECORD_TYPES.get(attrs.get("type"))
        if kind is None:
            return
        a = parse_date(start)
        if a is None:
            return
        j = bisect.bisect_right(self.starts, a[0]) - 1
        if j < 0 or a[0] > self.ends[j]:
            return
        b = parse_date(attrs.get("endDate"))
        value = finite(attrs.get("value"))
        factor = kind[1].get(attrs.get("unit", ""))
        if b is None or value is None or factor is None:
            return
        self.samples[kind[0]].append((a[0], b[0], value * factor, attrs.get("sourceName", "")))


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
