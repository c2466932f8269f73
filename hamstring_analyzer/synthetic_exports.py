"""Synthetic platform exports, written from each format's documented layout (no personal data).

Strava's archive (``activities.csv`` + ``activities/<id>.fit.gz``), Garmin
Connect's full export (``DI_CONNECT/...summarizedActivities.json`` + the
uploaded FIT files in a zip), Apple Health (``apple_health_export/export.xml``
+ ``workout-routes/*.gpx``) and Polar Flow (``training-session-*.json``), built
from the same `synthetic.RunPlan` runs, so the tests and the benchmarks can
read one week of running exported several ways. Field names, units and
shapes follow the layouts in the readers' docstrings; values are simulated.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .synthetic import RunPlan, Samples, simulate, write_fit, write_gpx

#: Strava's ``activities.csv`` header, by era and language (the columns the readers use, in the archive's order).
STRAVA_HEADERS = {
    "2024": ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description", "Elapsed Time", "Distance",
             "Max Heart Rate", "Relative Effort", "Commute", "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight",
             "Bike Weight", "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
             "Elevation Loss", "Max Cadence", "Average Cadence", "Max Heart Rate", "Average Heart Rate", "Calories",
             "Perceived Exertion", "Type", "Start Time", "Prefer Perceived Exertion", "Commute", "From Upload", "Media"],
    "2018": ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description", "Elapsed Time", "Distance",
             "Commute", "Activity Gear", "Filename"],
    "de": ["Aktivitäts-ID", "Aktivitätsdatum", "Name der Aktivität", "Aktivitätsart", "Beschreibung der Aktivität",
           "Verstrichene Zeit", "Distanz", "Pendeln", "Dateiname", "Verstrichene Zeit", "Bewegungszeit", "Distanz",
           "Gefühlte Anstrengung"],
}  # fmt: skip
_GERMAN_TYPES = {"Run": "Lauf", "Ride": "Radfahrt", "Walk": "Spaziergang", "Trail Run": "Traillauf"}


@dataclass
class Outing:
    """One activity of a synthetic export: a plan (with samples) or a manual entry (totals only)."""

    plan: RunPlan | None = None
    strava_type: str = "Run"
    manual_distance_m: float | None = None
    manual_elapsed_s: float | None = None
    manual_start_utc: dt.datetime | None = None
    rpe: float | None = None
    commute: bool = False
    file_kind: str = "fit"  # how Strava keeps its file: fit, gpx
    activity_id: int = 0

    @property
    def samples(self) -> Samples | None:
        if self.plan is None:
            return None
        if not hasattr(self, "_samples"):
            self._samples = simulate(self.plan)
        return self._samples

    @property
    def start_utc(self) -> dt.datetime:
        if self.plan is None:
            return self.manual_start_utc
        return dt.datetime.fromtimestamp(self.samples.start_s, dt.timezone.utc)

    @property
    def elapsed_s(self) -> float:
        return self.manual_elapsed_s if self.plan is None else self.samples.end_s - self.samples.start_s

    @property
    def moving_s(self) -> float:
        return self.manual_elapsed_s if self.plan is None else self.samples.timer_s

    @property
    def distance_m(self) -> float:
        return self.manual_distance_m if self.plan is None else float(self.samples.dist[-1])

    @property
    def utc_offset_s(self) -> int:
        return 0 if self.plan is None else self.samples.utc_offset_s


def _fit_bytes(o: Outing) -> bytes:
    return write_fit(o.plan, o.samples)


def _strava_date(t: dt.datetime, era: str) -> str:
    t = t.astimezone(dt.timezone.utc)
    if era == "de":
        return t.strftime("%d.%m.%Y, %H:%M:%S")
    return t.strftime("%b %d, %Y, %I:%M:%S %p").replace(" 0", " ", 1)  # "Mar 2, 2026, 7:01:00 AM"


def strava_archive(folder: str | Path, outings: list[Outing], era: str = "2024") -> Path:
    """Strava's archive, unzipped: ``activities.csv`` and ``activities/<id>.fit.gz`` (or ``.gpx``)."""
    folder = Path(folder)
    (folder / "activities").mkdir(parents=True, exist_ok=True)
    header = STRAVA_HEADERS[era]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for n, o in enumerate(outings):
        aid = o.activity_id or 10_000_000_000 + n
        filename = ""
        if o.plan is not None:
            if o.file_kind == "gpx":
                filename = f"activities/{aid}.gpx"
                (folder / filename).write_bytes(write_gpx(o.plan, o.samples))
            else:
                filename = f"activities/{aid}.fit.gz"
                (folder / filename).write_bytes(gzip.compress(_fit_bytes(o), mtime=0))
        kind = o.strava_type if era != "de" else _GERMAN_TYPES.get(o.strava_type, o.strava_type)
        seen: dict[str, int] = {}
        row = []
        for col in header:
            k = seen.get(col, 0)
            seen[col] = k + 1
            row.append(_strava_cell(col, k, o, aid, kind, filename, era))
        writer.writerow(row)
    (folder / "activities.csv").write_text(buf.getvalue(), encoding="utf-8")
    return folder


def _strava_cell(col: str, k: int, o: Outing, aid: int, kind: str, filename: str, era: str) -> str:
    km = o.distance_m / 1000.0
    s = o.samples
    values = {
        "Activity ID": aid, "Aktivitäts-ID": aid,
        "Activity Date": _strava_date(o.start_utc, era), "Aktivitätsdatum": _strava_date(o.start_utc, era),
        "Activity Name": o.plan.name if o.plan is not None and o.plan.name else f"{kind} {aid}", "Name der Aktivität": f"{kind} {aid}",
        "Activity Type": kind, "Aktivitätsart": kind,
        "Elapsed Time": int(round(o.elapsed_s)) if k == 0 else f"{o.elapsed_s:.1f}",
        "Verstrichene Zeit": int(round(o.elapsed_s)) if k == 0 else f"{o.elapsed_s:.1f}",
        "Distance": f"{km:.2f}" if k == 0 else f"{o.distance_m:.1f}",
        "Distanz": f"{km:.2f}".replace(".", ",") if k == 0 and era == "de" else f"{o.distance_m:.1f}",
        "Moving Time": f"{o.moving_s:.1f}", "Bewegungszeit": f"{o.moving_s:.1f}",
        "Commute": ("true" if o.commute else "false") if k == 0 else ("1.0" if o.commute else "0.0"),
        "Pendeln": "true" if o.commute else "false",
        "Filename": filename, "Dateiname": filename,
        "Perceived Exertion": "" if o.rpe is None else f"{o.rpe:.1f}", "Gefühlte Anstrengung": "" if o.rpe is None else f"{o.rpe:.1f}",
        "Average Heart Rate": f"{float(np.mean(s.hr)):.1f}" if s is not None else "",
        "Average Cadence": f"{float(np.mean(s.cad)) / 2:.1f}" if s is not None else "",
        "Elevation Gain": "", "Type": kind.replace(" ", ""), "From Upload": "1" if filename else "0",
    }  # fmt: skip
    return str(values.get(col, ""))


def garmin_export(folder: str | Path, outings: list[Outing], *, with_fit: set[int] | None = None, user: str = "runner@example.com") -> Path:
    """Garmin Connect's full export, unzipped: the summaries and the uploaded FIT files (zipped).

    ``with_fit``: indexes of the outings whose FIT is in the export (default all
    with samples); the others are in the summaries only (manual, third-party).
    """
    folder = Path(folder)
    fitness = folder / "DI_CONNECT" / "DI-Connect-Fitness"
    uploads = folder / "DI_CONNECT" / "DI-Connect-Uploaded-Files"
    fitness.mkdir(parents=True, exist_ok=True)
    uploads.mkdir(parents=True, exist_ok=True)
    entries = []
    with zipfile.ZipFile(uploads / "UploadedFiles_0-_Part1.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for n, o in enumerate(outings):
            aid = o.activity_id or 9_000_000_000 + n
            if o.plan is not None and (with_fit is None or n in with_fit):
                zf.writestr(f"{user}_{aid}.fit", _fit_bytes(o))
            start_ms = int(o.start_utc.timestamp() * 1000)
            kind = {"Run": "running", "Trail Run": "trail_running", "Ride": "cycling", "Walk": "walking"}.get(o.strava_type, "other")
            entry = {
                "activityId": aid, "name": f"Run {aid}" if kind.endswith("running") else f"Activity {aid}",
                "activityType": kind, "sportType": "RUNNING" if kind.endswith("running") else kind.upper(),
                "startTimeGmt": start_ms, "startTimeLocal": start_ms + o.utc_offset_s * 1000, "beginTimestamp": start_ms,
                "duration": o.elapsed_s * 1000.0, "elapsedDuration": o.elapsed_s * 1000.0, "movingDuration": o.moving_s * 1000.0,
                "distance": o.distance_m * 100.0, "elevationGain": 1234.0, "manualActivity": o.plan is None,
                "avgHr": float(np.mean(o.samples.hr)) if o.samples is not None else None,
                "avgRunCadence": float(np.mean(o.samples.cad)) / 2 if o.samples is not None else None,
                "calories": 400.0, "lapCount": 1,
            }  # fmt: skip
            entries.append({k: v for k, v in entry.items() if v is not None})
    (fitness / f"{user}_0_summarizedActivities.json").write_text(json.dumps([{"summarizedActivitiesExport": entries}]), encoding="utf-8")
    return folder


def raw_fit_folder(folder: str | Path, outings: list[Outing]) -> Path:
    """The watch's own files: one FIT per outing with samples."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for n, o in enumerate(outings):
        if o.plan is not None:
            (folder / f"{o.start_utc:%Y-%m-%d-%H-%M-%S}.fit").write_bytes(_fit_bytes(o))
    return folder


# ------------------------------------------------------------ Apple Health --

_APPLE_DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
]>
"""
WATCH = "Runner’s Apple Watch"
PHONE = "Runner’s iPhone"
_DEVICE = "&lt;&lt;HKDevice: 0x283a8c3c0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:10.1&gt;"


def apple_date(t: float, offset_s: int) -> str:
    """An Apple Health date: local wall clock and its offset ("2026-03-02 07:01:00 +0100")."""
    local = dt.datetime.fromtimestamp(t, dt.timezone(dt.timedelta(seconds=offset_s)))
    return local.strftime("%Y-%m-%d %H:%M:%S %z")


def _record(kind: str, unit: str, value: str, source: str, t0: float, t1: float, off: int) -> str:
    return (f' <Record type="HKQuantityTypeIdentifier{kind}" sourceName="{source}" sourceVersion="10.1" device="{_DEVICE}" '
            f'unit="{unit}" creationDate="{apple_date(t1, off)}" startDate="{apple_date(t0, off)}" endDate="{apple_date(t1, off)}" value="{value}"/>\n')  # fmt: skip


def _route_gpx(s: Samples) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Apple Health Export" xmlns="http://www.topografix.com/GPX/1/1" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<trk><name>Route</name><trkseg>\n']  # fmt: skip
    for i in range(len(s.t)):
        when = dt.datetime.fromtimestamp(s.t[i], dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(f'<trkpt lon="{s.lon[i]:.6f}" lat="{s.lat[i]:.6f}"><ele>{s.alt[i]:.6f}</ele><time>{when}</time>'
                   f"<extensions><speed>{s.speed[i]:.6f}</speed><course>-1.000000</course><hAcc>2.5</hAcc><vAcc>1.7</vAcc></extensions></trkpt>\n")  # fmt: skip
    out.append("</trkseg></trk>\n</gpx>\n")
    return "".join(out).encode()


def apple_workout_records(o: Outing, *, phone_steps: bool = True, running_metrics: bool = True, offset_s: int | None = None,
                          distance: bool = True) -> list[str]:
    """The ``Record`` lines a watch (and the phone in a pocket) write during one run.

    ``offset_s``: the UTC offset the dates are written with (default the run's own);
    ``distance``: whether the watch wrote ``DistanceWalkingRunning`` samples.
    """
    s = o.samples
    off = o.utc_offset_s if offset_s is None else offset_s
    lines = []
    for i in range(0, len(s.t), 3):  # heart rate every ~5 s
        lines.append(_record("HeartRate", "count/min", f"{s.hr[i]:.0f}", WATCH, s.t[i], s.t[i], off))
    edges = np.arange(s.t[0], s.t[-1], 60.0)  # steps and distance per minute
    for a in edges:
        b = min(a + 60.0, s.t[-1])
        sel = (s.t >= a) & (s.t < b)
        if not sel.any():
            continue
        steps = float(np.mean(s.cad[sel])) * (b - a) / 60.0
        dist = float(np.interp(b, s.t, s.dist) - np.interp(a, s.t, s.dist))
        lines.append(_record("StepCount", "count", f"{steps:.0f}", WATCH, a, b, off))
        if phone_steps:  # the phone counts the same steps again: a reader must not add them
            lines.append(_record("StepCount", "count", f"{steps * 0.97:.0f}", PHONE, a, b, off))
        if distance:
            lines.append(_record("DistanceWalkingRunning", "km", f"{dist / 1000.0:.5f}", WATCH, a, b, off))
        if running_metrics:
            v = float(np.mean(s.speed[sel]))
            cad = float(np.mean(s.cad[sel]))
            lines.append(_record("RunningSpeed", "km/hr", f"{v * 3.6:.3f}", WATCH, a, b, off))
            lines.append(_record("RunningStrideLength", "m", f"{v / (cad / 60.0):.3f}", WATCH, a, b, off))
            lines.append(_record("RunningGroundContactTime", "ms", "245", WATCH, a, b, off))
            lines.append(_record("RunningVerticalOscillation", "cm", "8.9", WATCH, a, b, off))
            lines.append(_record("RunningPower", "W", f"{v * 70:.0f}", WATCH, a, b, off))
    return lines


def apple_workout(o: Outing, route_name: str | None, indoor: bool = False) -> str:
    s, off = o.samples, o.utc_offset_s
    km = o.distance_m / 1000.0
    lines = [f' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="{o.moving_s / 60.0:.6f}" durationUnit="min" '
             f'sourceName="{WATCH}" sourceVersion="10.1" device="{_DEVICE}" creationDate="{apple_date(s.end_s, off)}" '
             f'startDate="{apple_date(s.start_s, off)}" endDate="{apple_date(s.end_s, off)}">\n',
             f'  <MetadataEntry key="HKIndoorWorkout" value="{1 if indoor else 0}"/>\n',
             '  <MetadataEntry key="HKElevationAscended" value="2100 cm"/>\n',
             f'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="{apple_date(s.start_s, off)}" '
             f'endDate="{apple_date(s.end_s, off)}" sum="{km:.6f}" unit="km"/>\n',
             f'  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="{apple_date(s.start_s, off)}" '
             f'endDate="{apple_date(s.end_s, off)}" average="{float(np.mean(s.hr)):.1f}" minimum="90" maximum="180" unit="count/min"/>\n']  # fmt: skip
    if route_name:
        lines.append(f'  <WorkoutRoute sourceName="{WATCH}" sourceVersion="10.1" creationDate="{apple_date(s.end_s, off)}" '
                     f'startDate="{apple_date(s.start_s, off)}" endDate="{apple_date(s.end_s, off)}">\n'
                     f'   <MetadataEntry key="HKMetadataKeySyncVersion" value="2"/>\n'
                     f'   <FileReference path="/workout-routes/{route_name}"/>\n  </WorkoutRoute>\n')  # fmt: skip
    lines.append(" </Workout>\n")
    return "".join(lines)


def _filler_day(day_start: float, off: int, rng: np.random.Generator) -> str:
    """A day of everyday samples (heart rate, steps, energy): what makes real exports large."""
    out = []
    for k in range(0, 86400, 300):
        t = day_start + k
        out.append(_record("HeartRate", "count/min", str(int(60 + rng.integers(0, 30))), WATCH, t, t, off))
        out.append(_record("BasalEnergyBurned", "kcal", "1.1", WATCH, t, t + 300, off))
        out.append(_record("ActiveEnergyBurned", "kcal", "0.42", WATCH, t, t + 300, off))
        if 7 * 3600 <= k <= 22 * 3600:
            out.append(_record("StepCount", "count", str(int(rng.integers(0, 400))), PHONE, t, t + 300, off))
            out.append(_record("DistanceWalkingRunning", "km", "0.12", PHONE, t, t + 300, off))
    return "".join(out)


def apple_health_export(folder: str | Path, outings: list[Outing], *, target_bytes: int = 0, indoor: set[int] = frozenset(),
                        without_route: set[int] = frozenset(), seed: int = 0) -> Path:
    """``apple_health_export/`` with ``export.xml`` and ``workout-routes/``; filler days of everyday samples
    are added (written as a stream) until the XML reaches ``target_bytes``."""
    root = Path(folder) / "apple_health_export"
    (root / "workout-routes").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    runs = [o for o in outings if o.plan is not None]
    off = runs[0].utc_offset_s if runs else 0
    first_day = (min(o.samples.start_s for o in runs) // 86400 * 86400) if runs else 1.7e9
    with open(root / "export.xml", "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n' + _APPLE_DTD + '<HealthData locale="en_GB">\n')
        fh.write(f' <ExportDate value="{apple_date(first_day + 400 * 86400, off)}"/>\n')
        fh.write(' <Me HKCharacteristicTypeIdentifierDateOfBirth="" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet"/>\n')
        day = first_day - 86400
        while fh.tell() < target_bytes:  # the years before the runs
            fh.write(_filler_day(day, off, rng))
            day -= 86400
        for o in runs:
            fh.write("".join(apple_workout_records(o)))
        workouts = []
        for n, o in enumerate(runs):
            route = None
            if n not in indoor:
                route = f"route_{dt.datetime.fromtimestamp(o.samples.start_s):%Y-%m-%d_%-I.%M%p}_{n}.gpx".lower()
                if n not in without_route:
                    (root / "workout-routes" / route).write_bytes(_route_gpx(o.samples))
            workouts.append(apple_workout(o, route, indoor=n in indoor))
        fh.write("".join(workouts))
        fh.write(' <ActivitySummary dateComponents="2026-03-02" activeEnergyBurned="500" activeEnergyBurnedGoal="600" activeEnergyBurnedUnit="kcal"/>\n')
        fh.write("</HealthData>\n")
    return root


# ----------------------------------------------------------------- Polar --
#: Polar's sport ids (Polar Flow's sports list) the generator uses: 1 running, 17 treadmill running,
#: 27 trail running, 25 classic cross-country skiing, 2 cycling.
POLAR_RUNNING, POLAR_TREADMILL, POLAR_TRAIL, POLAR_XC_CLASSIC, POLAR_CYCLING = 1, 17, 27, 25, 2


def _polar_local(o: Outing, t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.timezone(dt.timedelta(seconds=o.utc_offset_s))).replace(tzinfo=None)


def _polar_uuid(o: Outing, salt: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"polar-session/{o.activity_id}/{salt}"))


def polar_file_name(o: Outing, shape: str = "new") -> str:
    """The export's name for a session: the newer one with the local start and its colons
    (``training-session-2026-05-23T10:46:22-<uuid>-<uuid>.json``), the older one with the date and a number."""
    local = _polar_local(o, o.start_utc.timestamp())
    if shape == "new":
        return f"training-session-{local:%Y-%m-%dT%H:%M:%S}-{_polar_uuid(o, 1)}-{_polar_uuid(o, 2)}.json"
    return f"training-session-{local:%Y-%m-%d}-{o.activity_id or 263879702}-{_polar_uuid(o, 2)}.json"


def _polar_series(s: Samples, hr_sensor: bool, cadence_per_foot: bool) -> dict[str, np.ndarray]:
    """The run on a 1 s grid, as Polar's regular series (speed in km/h); the strap slips for 3 s."""
    grid = np.arange(s.t[0], s.t[-1], 1.0)
    series = {"SPEED": np.interp(grid, s.t, s.speed) * 3.6, "DISTANCE": np.interp(grid, s.t, s.dist),
              "CADENCE": np.interp(grid, s.t, s.cad) / (2.0 if cadence_per_foot else 1.0), "ALTITUDE": np.interp(grid, s.t, s.alt)}  # fmt: skip
    if hr_sensor:
        series["HEART_RATE"] = np.interp(grid, s.t, s.hr)
        series["HEART_RATE"][5:8] = np.nan
    return series


def _polar_values(values: np.ndarray) -> list:
    return [None if np.isnan(v) else round(float(v), 4) for v in values]


def polar_session(o: Outing, shape: str = "new", *, sport_id: int = POLAR_RUNNING, sport_name: str = "RUNNING",
                  hr_sensor: bool = True, with_samples: bool = True, nan: str | None = None) -> bytes:
    """A Polar Flow ``training-session-*.json``.

    ``shape``: ``"new"``, the newer export (``identifier``, ``durationMillis``,
    ``distanceMeters``, ``sport: {"id": ...}`` and no sport name, samples under
    ``samples.samples``, the route under ``routes.route.wayPoints``); ``"typed"``,
    an older export (``exportVersion`` 2.x) with a sport name and a list of regular
    series; ``"old"``, an older export (1.6) with an object of timed lists.
    ``hr_sensor=False``: no heart-rate series and ``hrAvg``/``hrMax`` 0, as Polar
    writes them. ``with_samples=False``: totals only. ``nan``: how a missing value
    is written, ``"bare"`` (``NaN``, not valid JSON) or ``"quoted"`` (``"NaN"``);
    by default quoted in the newer shape, bare in the older ones.
    """
    s, off = o.samples, o.utc_offset_s
    local = _polar_local(o, o.start_utc.timestamp())
    stamp = local.isoformat(timespec="milliseconds")
    if shape == "new":
        doc = _polar_new(o, sport_id, hr_sensor, with_samples)
    elif shape == "typed":
        samples = [{"type": k, "intervalMillis": 1000, "values": _polar_values(v)} for k, v in _polar_series(s, hr_sensor, False).items()]
        route = {"wayPoints": [{"latitude": float(s.lat[i]), "longitude": float(s.lon[i]), "altitude": float(s.alt[i]),
                                "time": int((s.t[i] - s.start_s) * 1000)} for i in range(0, len(s.t), 2)]}  # fmt: skip
        doc = {"exportVersion": "2.0", "name": "Evening run", "startTime": stamp, "timeZoneOffset": off // 60,
               "exercises": [{"startTime": stamp, "timezoneOffset": off // 60, "duration": f"PT{o.elapsed_s:.3f}S",
                              "distance": round(o.distance_m, 1), "sport": sport_name,
                              **({"samples": samples, "routes": route} if with_samples else {})}]}  # fmt: skip
    else:
        def at(t):
            return _polar_local(o, t).isoformat(timespec="milliseconds")

        n = range(len(s.t))
        samples = {"speed": [{"dateTime": at(s.t[i]), "value": round(float(s.speed[i]) * 3.6, 2)} for i in n],
                   "cadence": [{"dateTime": at(s.t[i]), "value": round(float(s.cad[i]))} for i in n],
                   "distance": [{"dateTime": at(s.t[i]), "value": round(float(s.dist[i]), 1)} for i in n],
                   "recordedRoute": [{"dateTime": at(s.t[i]), "latitude": float(s.lat[i]), "longitude": float(s.lon[i]),
                                      "altitude": float(s.alt[i])} for i in n]}  # fmt: skip
        if hr_sensor:
            samples["heartRate"] = [{"dateTime": at(s.t[i]), "value": None if 5 <= i < 8 else round(float(s.hr[i]))} for i in n]
        doc = {"exportVersion": "1.6", "name": "Morning run", "startTime": stamp, "timeZoneOffset": off // 60,
               "distance": round(o.distance_m, 1), "duration": f"PT{o.elapsed_s:.3f}S",
               "exercises": [{"startTime": stamp, "timezoneOffset": off // 60, "duration": f"PT{o.elapsed_s:.3f}S",
                              "distance": round(o.distance_m, 1), "sport": sport_name,
                              **({"samples": samples} if with_samples else {})}]}  # fmt: skip
    text = json.dumps(doc)
    style = nan or ("quoted" if shape == "new" else "bare")
    return text.replace("null", '"NaN"' if style == "quoted" else "NaN").encode()  # how Polar writes a missing value


def _polar_new(o: Outing, sport_id: int, hr_sensor: bool, with_samples: bool) -> dict:
    """The newer export's session (field names and nesting as in real exports; values simulated)."""
    local = _polar_local(o, o.start_utc.timestamp())
    stop = _polar_local(o, o.start_utc.timestamp() + o.elapsed_s)
    created = (o.start_utc + dt.timedelta(seconds=o.elapsed_s + 60)).astimezone(dt.timezone.utc).replace(tzinfo=None)
    ids = {"identifier": {"id": str(o.activity_id or 7505780534)}, "created": created.isoformat(timespec="milliseconds"),
           "modified": created.isoformat(timespec="milliseconds"), "startTime": local.isoformat(timespec="seconds"),
           "stopTime": stop.isoformat(timespec="seconds")}  # fmt: skip
    totals = {"durationMillis": int(round(o.elapsed_s * 1000)), "distanceMeters": o.distance_m, "timezoneOffsetMinutes": o.utc_offset_s // 60,
              "sport": {"id": str(sport_id)}}  # fmt: skip
    s = o.samples
    hr = (int(round(float(np.mean(s.hr)))), int(round(float(np.max(s.hr))))) if hr_sensor and s is not None else (0, 0)
    exercise = {**ids, "identifier": {"id": str((o.activity_id or 7505780534) + 25265683)}, **totals, "laps": {},
                "statistics": {"statistics": [{"type": "STATISTICS_TYPE_HEART_RATE", "min": 0.0 if not hr_sensor else 90.0,
                                               "avg": float(hr[0]), "max": float(hr[1])}]},
                "zones": [{"type": "ZONE_TYPE_HEART_RATE", "zones": [{"lowerLimit": 84.0, "higherLimit": 100.0}]}]}  # fmt: skip
    if with_samples and s is not None:
        series = _polar_series(s, hr_sensor, cadence_per_foot=True)
        exercise["samples"] = {"samples": [{"type": k, "intervalMillis": 1000, "values": _polar_values(v)} for k, v in series.items()]}
        route_start = _polar_local(o, s.t[0] + 0.204)  # the route's clock runs a fraction of a second off the series'
        grid = np.arange(s.t[0], s.t[-1], 1.0)  # a fix a second, as the watch records
        lat, lon, alt = (np.interp(grid, s.t, x) for x in (s.lat, s.lon, s.alt))
        exercise["routes"] = {"route": {"wayPoints": [{"longitude": float(lon[i]), "latitude": float(lat[i]), "altitude": float(alt[i]),
                                                       "elapsedMillis": int(round((grid[i] - s.t[0]) * 1000))} for i in range(len(grid))],
                                        "startTime": route_start.isoformat(timespec="milliseconds")}}  # fmt: skip
        exercise["pauseTimes"] = []
    return {**ids, "name": "", "deviceId": "47813520", **totals, "calories": 420, "trainingLoad": 0,
            "recoveryTimeMillis": "150000", "hrMax": hr[1], "hrAvg": hr[0],
            "physicalInformation": {"sex": "SEX_MALE", "weightKg": 70.0, "heightCm": 178, "vo2Max": 50},
            "application": {"name": "Polar Flow"}, "product": {"modelName": "Polar Vantage V"}, "exercises": [exercise]}  # fmt: skip


def polar_export(folder: str | Path, outings: list[Outing], *, shape: str = "new", zipped: bool = False,
                 each: dict[int, dict] | None = None, **options) -> Path:
    """Polar Flow's account export: one ``training-session-*.json`` per outing, in a folder or, with ``zipped``,
    in ``polar-user-data-export.zip``. ``options`` go to `polar_session`; ``each`` adds some by outing index."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {polar_file_name(o, shape): polar_session(o, shape, **{**options, **(each or {}).get(n, {})}) for n, o in enumerate(outings)}
    if zipped:
        path = folder / "polar-user-data-export.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                zf.writestr(name, data)
        return path
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder
