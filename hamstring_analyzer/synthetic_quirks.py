"""Apple Health and Garmin Connect exports with the quirks real ones have, one switch each.

The quirks are those public exports show (DOMAIN.md, "Real exports as they
really are"): Apple's interval workouts repeating statistics per segment,
totals in miles on older ``<Workout>`` elements, every date written with the
phone's offset at export time beside an ``HKTimeZone`` naming the true zone,
routes that disagree with the workout's own total, odd ``sourceName`` text,
one route named by two workouts; Garmin's plain-string ``activityType``,
times in scientific notation, ``avgDoubleCadence``, hikes with ``sportType``
RUNNING, and a watch run the runner re-typed as a walk in Connect. Built on
`synthetic_exports` (its own section would take that module past its length).
"""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .synthetic import Samples
from .synthetic_exports import _DEVICE, _APPLE_DTD, WATCH, Outing, _fit_bytes, _route_gpx, apple_date, apple_workout_records



@dataclass
class AppleQuirks:
    """How one workout of `apple_health_real_export` is written."""

    #: Split into this many ``<WorkoutActivity>`` segments repeating their own statistics (iOS 16+ intervals);
    #: the first segment is written twice (same uuid), as some exports do.
    segments: int = 0
    #: Totals only as ``<Workout totalDistance totalDistanceUnit>`` in this unit ("mi": a US phone), no statistics.
    old_style_unit: str | None = None
    #: The route GPX reads this many times the workout's own total (positions stretched about the start).
    route_stretch: float = 1.0
    #: Another workout's route file, named again (two workouts, one route).
    shared_route: int | None = None
    #: The workout's ``sourceName`` as written (no-break space, trailing space, a localized name).
    source_name: str = WATCH
    route: bool = True
    #: Write ``<MetadataEntry key="HKTimeZone">`` with the run's own zone.
    time_zone: bool = True
    #: The watch wrote ``DistanceWalkingRunning`` samples during the run.
    distance_records: bool = True
    #: The totals (distance, heart rate) only inside the segments, none on the workout itself.
    totals_in_segments: bool = False


def _route_name(n: int) -> str:
    return f"route_2026-09-{n + 1:02d}_7.00am.gpx"


def _stretched(s: Samples, k: float) -> Samples:
    if k == 1.0:
        return s
    return dataclasses.replace(s, lat=s.lat[0] + (s.lat - s.lat[0]) * k, lon=s.lon[0] + (s.lon - s.lon[0]) * k)


def _apple_segments(o: Outing, count: int, off: int) -> list[str]:
    """``count`` WorkoutActivity segments of one run, each with its distance and heart rate; the first one twice."""
    s = o.samples
    edges = np.linspace(s.t[0], s.t[-1], count + 1)
    out = []
    for k in range(count):
        a, b = edges[k], edges[k + 1]
        km = float(np.interp(b, s.t, s.dist) - np.interp(a, s.t, s.dist)) / 1000.0
        sel = (s.t >= a) & (s.t <= b)
        uuid = f"5E6A1C2B-0000-4000-8000-{k:012d}"
        out.append(f'  <WorkoutActivity uuid="{uuid}" startDate="{apple_date(a, off)}" endDate="{apple_date(b, off)}" '
                   f'duration="{(b - a) / 60.0:.6f}" durationUnit="min">\n'
                   f'   <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{apple_date(a, off)}" duration="{(b - a) / 60.0:.4f}" durationUnit="min"/>\n'
                   f'   <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="{apple_date(a, off)}" '
                   f'endDate="{apple_date(b, off)}" sum="{km:.5f}" unit="km"/>\n'
                   f'   <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="{apple_date(a, off)}" '
                   f'endDate="{apple_date(b, off)}" average="{float(np.mean(s.hr[sel])):.1f}" minimum="90" maximum="185" unit="count/min"/>\n'
                   f'   <MetadataEntry key="WOIntervalStepKeyPath" value="0.{k}.0"/>\n'
                   f'   <MetadataEntry key="HKElevationAscended" value="{700 + k} cm"/>\n  </WorkoutActivity>\n')  # fmt: skip
    return out[:1] + out if count > 1 else out


def _apple_real_workout(o: Outing, q: AppleQuirks, route: str | None, off: int) -> str:
    s = o.samples
    km = o.distance_m / 1000.0
    span = f'startDate="{apple_date(s.start_s, off)}" endDate="{apple_date(s.end_s, off)}"'
    totals = ""
    if q.old_style_unit:
        factor = {"mi": 1.609344, "km": 1.0}[q.old_style_unit]
        totals = f'totalDistance="{km / factor:.4f}" totalDistanceUnit="{q.old_style_unit}" totalEnergyBurned="412.5" totalEnergyBurnedUnit="kcal" '
    name = q.source_name.replace("’", "&#8217;").replace("\u00a0", "&#160;")
    lines = [f' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="{o.moving_s / 60.0:.6f}" durationUnit="min" {totals}'
             f'sourceName="{name}" sourceVersion="10.1" device="{_DEVICE}" creationDate="{apple_date(s.end_s, off)}" {span}>\n',
             '  <MetadataEntry key="HKIndoorWorkout" value="0"/>\n']  # fmt: skip
    if q.time_zone:
        lines.append(f'  <MetadataEntry key="HKTimeZone" value="{o.plan.zone}"/>\n')
    if not q.segments:
        lines.append('  <MetadataEntry key="HKElevationAscended" value="2100 cm"/>\n')
    lines += _apple_segments(o, q.segments, off) if q.segments else []
    if not q.old_style_unit and not q.totals_in_segments:
        lines.append(f'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" {span} sum="{km:.6f}" unit="km"/>\n'
                     f'  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" {span} average="{float(np.mean(s.hr)):.1f}" '
                     f'minimum="90" maximum="185" unit="count/min"/>\n')  # fmt: skip
    if route:
        lines.append(f'  <WorkoutRoute sourceName="{name}" sourceVersion="10.1" {span}>\n'
                     f'   <FileReference path="/workout-routes/{route}"/>\n  </WorkoutRoute>\n')  # fmt: skip
    lines.append(" </Workout>\n")
    return "".join(lines)


def apple_health_real_export(folder: str | Path, outings: list[Outing], quirks: dict[int, AppleQuirks] | None = None, *,
                             export_offset_s: int = 3600) -> Path:
    """``apple_health_export/`` as a phone writes it: every date with the phone's offset at export time.

    ``quirks`` by outing index (`AppleQuirks`); each run's ``HKTimeZone`` is its
    plan's zone, so a summer run in Paris exported in winter reads +0100 with
    ``Europe/Paris`` beside it.
    """
    quirks = quirks or {}
    root = Path(folder) / "apple_health_export"
    (root / "workout-routes").mkdir(parents=True, exist_ok=True)
    off = export_offset_s
    with open(root / "export.xml", "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n' + _APPLE_DTD + '<HealthData locale="en_US">\n')
        fh.write(f' <ExportDate value="{apple_date(1.80e9, off)}"/>\n')
        for n, o in enumerate(outings):
            q = quirks.get(n, AppleQuirks())
            records = "".join(apple_workout_records(o, offset_s=off, distance=q.distance_records))
            fh.write(records.replace("’", "&#8217;"))  # as real exports write the apostrophe
        for n, o in enumerate(outings):
            q = quirks.get(n, AppleQuirks())
            route = None
            if q.shared_route is not None:
                route = _route_name(q.shared_route)
            elif q.route:
                route = _route_name(n)
                (root / "workout-routes" / route).write_bytes(_route_gpx(_stretched(o.samples, q.route_stretch)))
            fh.write(_apple_real_workout(o, q, route, off))
        fh.write("</HealthData>\n")
    return root


def java_double(v: float) -> str:
    """A number as Java's ``Double.toString`` writes a large one, as in Garmin's JSON: ``1.685097098E12``."""
    mantissa, exponent = f"{v:.15E}".split("E")
    mantissa = mantissa.rstrip("0")
    return f"{mantissa}0E{int(exponent)}" if mantissa.endswith(".") else f"{mantissa}E{int(exponent)}"


#: Garmin's ``activityType`` keys for the outings' Strava words.
GARMIN_TYPES = {"Run": "running", "Trail Run": "trail_running", "Treadmill": "treadmill_running", "Ride": "cycling",
                "Walk": "walking", "Hike": "hiking"}  # fmt: skip


def garmin_real_export(folder: str | Path, outings: list[Outing], *, loose: bool = False, user: str = "runner@example.com") -> Path:
    """Garmin Connect's full export as real ones read: ``activityType`` a plain string, times in scientific notation.

    An outing's ``strava_type`` is the runner's word in Connect; its plan's sport
    is the watch's (a ``Walk`` outing with a running plan is a watch run the
    runner re-typed as a walk). ``sportType`` says RUNNING for hikes, as Garmin
    writes it. ``loose``: the uploaded FIT files unzipped beside the zip's name
    (``UploadedFiles_0-_Part1/``) instead of inside it.
    """
    folder = Path(folder)
    fitness = folder / "DI_CONNECT" / "DI-Connect-Fitness"
    uploads = folder / "DI_CONNECT" / "DI-Connect-Uploaded-Files"
    fitness.mkdir(parents=True, exist_ok=True)
    uploads.mkdir(parents=True, exist_ok=True)
    files = {}
    entries = []
    for n, o in enumerate(outings):
        aid = o.activity_id or 12_000_000_000 + n
        if o.plan is not None:
            files[f"{user}_{aid}.fit"] = _fit_bytes(o)
        kind = GARMIN_TYPES.get(o.strava_type, "other")
        start_ms = o.start_utc.timestamp() * 1000.0
        entry = {"activityId": aid, "name": f"{o.strava_type} {n}", "activityType": kind,
                 "sportType": "RUNNING" if kind.endswith("running") or kind == "hiking" else kind.upper(),
                 "startTimeGmt": f"@{java_double(start_ms)}", "startTimeLocal": f"@{java_double(start_ms + o.utc_offset_s * 1000.0)}",
                 "beginTimestamp": f"@{java_double(start_ms)}", "duration": o.elapsed_s * 1000.0, "elapsedDuration": o.elapsed_s * 1000.0,
                 "movingDuration": o.moving_s * 1000.0, "distance": o.distance_m * 100.0, "avgSpeed": o.distance_m / o.elapsed_s / 10.0,
                 "elevationGain": 2100.0, "manualActivity": o.plan is None}  # fmt: skip
        if o.samples is not None:
            steps = float(np.mean(o.samples.cad))
            entry.update(avgHr=float(np.mean(o.samples.hr)), avgDoubleCadence=steps, avgRunCadence=steps / 2 - 3.0)  # the per-leg value, a little off
        entries.append(entry)
    text = json.dumps([{"summarizedActivitiesExport": entries[::-1]}])  # newest first
    text = re.sub(r'"@([0-9.E+-]+)"', r"\1", text)
    (fitness / f"{user}_0_summarizedActivities.json").write_text(text, encoding="utf-8")
    if loose:
        (uploads / "UploadedFiles_0-_Part1").mkdir(exist_ok=True)
        for name, data in files.items():
            (uploads / "UploadedFiles_0-_Part1" / name).write_bytes(data)
    else:
        with zipfile.ZipFile(uploads / "UploadedFiles_0-_Part1.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                zf.writestr(name, data)
    return folder
