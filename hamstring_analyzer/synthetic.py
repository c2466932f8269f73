"""Synthetic runs written as real FIT, GPX and TCX files.

Used by ``sample_runs/generate.py`` (the demo export), the benchmarks and the
tests. The FIT writer emits only what a watch does: file_id, record, lap,
session and activity messages with the FIT profile's field numbers, scales and
CRC, so our readers meet the files exactly as they would meet a watch's.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from .readers.fit import FIT_EPOCH_S, fit_crc

SPORTS = {"running": 1, "cycling": 2, "walking": 11, "generic": 0}
SUB_SPORTS = {"generic": 0, "treadmill": 1, "street": 2, "trail": 3, "track": 4, "indoor_running": 45}
INTENSITY = {"active": 0, "rest": 1, "warmup": 2, "cooldown": 3, "recovery": 4, "interval": 5}

# base types: (code, struct format, invalid value)
U8, U16, U32, S32, ENUM, U32Z = (0x02, "B"), (0x84, "H"), (0x86, "I"), (0x85, "i"), (0x00, "B"), (0x8C, "I")
_INVALID = {"B": 0xFF, "H": 0xFFFF, "I": 0xFFFFFFFF, "i": 0x7FFFFFFF}


@dataclass
class Segment:
    """A stretch of a run at one effort."""

    seconds: float
    speed_mps: float
    cadence_spm: float
    intensity: str = "active"
    pause: bool = False  # the timer is stopped: no records, time passes


@dataclass
class RunPlan:
    """What the synthetic runner does on one outing."""

    start_local: dt.datetime  # naive, in `zone`
    segments: list[Segment]
    zone: str = "Europe/London"
    sport: str = "running"
    sub_sport: str = "generic"
    hill_amplitude_m: float = 2.0  # altitude swings ±A over each `hill_wavelength_m`
    hill_wavelength_m: float = 1600.0
    origin: tuple[float, float] = (51.4545, -2.5879)  # Bristol
    heading_deg: float = 40.0
    hr_rest: float = 60.0
    hr_drift_per_hour: float = 4.0
    late_cadence_drop_spm: float = 0.0  # cadence lost over the last quarter (fatigue)
    sample_every_s: int = 2
    seed: int = 0
    device: tuple[int, int] = (1, 3113)  # garmin, fr945
    laps_by_segment: bool = False
    name: str = ""


@dataclass
class Samples:
    t: np.ndarray  # UNIX seconds
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray
    dist: np.ndarray
    speed: np.ndarray
    hr: np.ndarray
    cad: np.ndarray  # steps/min, both feet
    laps: list[dict] = field(default_factory=list)
    start_s: float = 0.0
    end_s: float = 0.0
    timer_s: float = 0.0
    utc_offset_s: int = 0


def simulate(plan: RunPlan) -> Samples:
    """Sample a plan every ``sample_every_s`` seconds: positions, altitude, heart rate, cadence."""
    rng = np.random.default_rng(plan.seed)
    tz = ZoneInfo(plan.zone)
    start = plan.start_local.replace(tzinfo=tz)
    t0 = start.timestamp()
    offset = int(start.utcoffset().total_seconds())
    ts, speeds, cads, in_lap = [], [], [], []
    laps = []
    now, timer = t0, 0.0
    total_run_s = sum(s.seconds for s in plan.segments if not s.pause)
    for k, seg in enumerate(plan.segments):
        if seg.pause:
            now += seg.seconds
            continue
        n = max(1, int(seg.seconds // plan.sample_every_s))
        lap_start = now
        for i in range(n):
            elapsed_run = timer + i * plan.sample_every_s
            drop = 0.0
            if plan.late_cadence_drop_spm and elapsed_run > 0.75 * total_run_s:
                drop = plan.late_cadence_drop_spm * (elapsed_run - 0.75 * total_run_s) / (0.25 * total_run_s)
            ts.append(now + i * plan.sample_every_s)
            speeds.append(max(0.0, seg.speed_mps + rng.normal(0, 0.05)))
            cads.append(max(0.0, seg.cadence_spm - drop + rng.normal(0, 1.2)))
            in_lap.append(k)
        now += n * plan.sample_every_s
        timer += n * plan.sample_every_s
        laps.append({"start": lap_start, "end": now, "timer": n * plan.sample_every_s, "intensity": seg.intensity, "segment": k})
    t = np.array(ts, dtype="float64")
    speed = np.array(speeds)
    dt_s = np.diff(t, prepend=t[0])
    dt_s[dt_s > plan.sample_every_s * 1.5] = plan.sample_every_s  # no distance across pauses
    dist = np.cumsum(speed * dt_s)
    dist -= dist[0]
    heading = math.radians(plan.heading_deg)
    # Out along a gently curving line, then back: a realistic-looking route.
    wiggle = 0.3 * np.sin(dist / 700.0)
    north = np.cumsum(np.cos(heading + wiggle) * speed * dt_s)
    east = np.cumsum(np.sin(heading + wiggle) * speed * dt_s)
    half = dist[-1] / 2 if len(dist) else 0
    back = dist > half
    if back.any():
        i = np.argmax(back)
        north[back] = 2 * north[i] - north[back]
        east[back] = 2 * east[i] - east[back]
    lat = plan.origin[0] + north / 111_320.0
    lon = plan.origin[1] + east / (111_320.0 * math.cos(math.radians(plan.origin[0])))
    alt = 40 + plan.hill_amplitude_m * np.sin(2 * math.pi * dist / plan.hill_wavelength_m) + rng.normal(0, 0.4, len(t))
    hours = (t - t0) / 3600.0
    effort = speed if plan.sport != "cycling" else speed / 2.5
    hr = np.clip(plan.hr_rest + 30 * effort + plan.hr_drift_per_hour * hours + rng.normal(0, 1.5, len(t)), 40, 210)
    for lap in laps:
        sel = (t >= lap["start"]) & (t < lap["end"])
        lap["distance"] = float(dist[sel][-1] - dist[sel][0] + speed[sel][-1] * plan.sample_every_s) if sel.any() else 0.0
    return Samples(
        t=t, lat=lat, lon=lon, alt=alt, dist=dist, speed=speed, hr=hr, cad=np.array(cads), laps=laps,
        start_s=t0, end_s=now, timer_s=timer, utc_offset_s=offset,
    )


# ------------------------------------------------------------------- FIT ----


class _FitEncoder:
    def __init__(self):
        self.body = bytearray()
        self.defined: dict[int, tuple] = {}

    def message(self, local: int, global_num: int, fields: list[tuple[int, tuple, object]]):
        """Write a definition (when new) and a data message. fields: (number, base type, value)."""
        layout = tuple((num, base) for num, base, _ in fields)
        if self.defined.get(local) != (global_num, layout):
            self.body += struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
            for num, (code, fmt) in layout:
                self.body += struct.pack("<BBB", num, struct.calcsize(fmt), code)
            self.defined[local] = (global_num, layout)
        self.body.append(local)
        for _, (code, fmt), value in fields:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                value = _INVALID[fmt]
            self.body += struct.pack("<" + fmt, int(value))

    def finish(self) -> bytes:
        header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(self.body), b".FIT")
        header += struct.pack("<H", fit_crc(header))
        data = header + bytes(self.body)
        return data + struct.pack("<H", fit_crc(bytes(self.body)))


def _fit_time(unix_s: float) -> int:
    return int(round(unix_s)) - FIT_EPOCH_S


def write_fit(plan: RunPlan, s: Samples | None = None, *, with_gps: bool = True, with_altitude: bool = True) -> bytes:
    """A FIT activity file for ``plan``, as a Garmin watch would write it."""
    s = s or simulate(plan)
    enc = _FitEncoder()
    enc.message(0, 0, [(0, ENUM, 4), (1, U16, plan.device[0]), (2, U16, plan.device[1]), (3, U32Z, 3_900_000_000 + plan.seed), (4, U32, _fit_time(s.start_s))])
    lap_index = 0
    laps = s.laps if plan.laps_by_segment else [{"start": s.start_s, "end": s.end_s, "timer": s.timer_s, "intensity": "active", "distance": float(s.dist[-1])}]
    lap_iter = iter(laps)
    current = next(lap_iter)
    for i in range(len(s.t)):
        while s.t[i] >= current["end"]:
            _write_lap(enc, current, lap_index, plan)
            lap_index += 1
            current = next(lap_iter)
        per_foot = s.cad[i] / 2.0 if plan.sport != "cycling" else s.cad[i]  # FIT: one foot, or pedal rpm
        fields = [(253, U32, _fit_time(s.t[i]))]
        if with_gps:
            fields += [(0, S32, round(s.lat[i] * 2**31 / 180)), (1, S32, round(s.lon[i] * 2**31 / 180))]
        fields += [(3, U8, round(s.hr[i])), (4, U8, math.floor(per_foot)), (5, U32, round(s.dist[i] * 100)), (73, U32, round(s.speed[i] * 1000))]
        fields += [(53, U8, round((per_foot - math.floor(per_foot)) * 128))]
        if with_altitude:
            fields += [(78, U32, round((s.alt[i] + 500) * 5))]
        enc.message(1, 20, fields)
    _write_lap(enc, current, lap_index, plan)
    for rest in lap_iter:
        lap_index += 1
        _write_lap(enc, rest, lap_index, plan)
    enc.message(
        3,
        18,
        [
            (253, U32, _fit_time(s.end_s)),
            (2, U32, _fit_time(s.start_s)),
            (7, U32, round((s.end_s - s.start_s) * 1000)),
            (8, U32, round(s.timer_s * 1000)),
            (9, U32, round(float(s.dist[-1]) * 100)),
            (5, ENUM, SPORTS[plan.sport]),
            (6, ENUM, SUB_SPORTS[plan.sub_sport]),
            (254, U16, 0),
            (26, U16, lap_index + 1),
        ],
    )
    enc.message(
        4,
        34,
        [
            (253, U32, _fit_time(s.end_s)),
            (0, U32, round(s.timer_s * 1000)),
            (1, U16, 1),
            (2, ENUM, 0),
            (3, ENUM, 26),
            (4, ENUM, 1),
            (5, U32, _fit_time(s.end_s) + s.utc_offset_s),
        ],
    )
    return enc.finish()


def _write_lap(enc: _FitEncoder, lap: dict, index: int, plan: RunPlan) -> None:
    enc.message(
        2,
        19,
        [
            (253, U32, _fit_time(lap["end"])),
            (2, U32, _fit_time(lap["start"])),
            (7, U32, round((lap["end"] - lap["start"]) * 1000)),
            (8, U32, round(lap["timer"] * 1000)),
            (9, U32, round(lap["distance"] * 100)),
            (23, ENUM, INTENSITY[lap["intensity"]]),
            (25, ENUM, SPORTS[plan.sport]),
            (254, U16, index),
        ],
    )


# --------------------------------------------------------------- GPX/TCX ----


def _iso(unix_s: float) -> str:
    return dt.datetime.fromtimestamp(unix_s, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_gpx(plan: RunPlan, s: Samples | None = None, *, creator: str = "StravaGPX", strava_cadence: bool = True) -> bytes:
    """A GPX track as a phone app writes it (Strava style: cadence in steps/min)."""
    s = s or simulate(plan)
    kind = {"running": "running", "cycling": "cycling", "walking": "walking"}.get(plan.sport, "")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<gpx creator="{creator}" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n',
        f" <metadata><time>{_iso(s.start_s)}</time></metadata>\n <trk><name>{plan.name or 'Run'}</name><type>{kind}</type><trkseg>\n",
    ]
    for i in range(len(s.t)):
        cad = s.cad[i] if strava_cadence else s.cad[i] / 2
        out.append(
            f'  <trkpt lat="{s.lat[i]:.7f}" lon="{s.lon[i]:.7f}"><ele>{s.alt[i]:.1f}</ele><time>{_iso(s.t[i])}</time>'
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{round(s.hr[i])}</gpxtpx:hr>"
            f"<gpxtpx:cad>{round(cad)}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n"
        )
    out.append(" </trkseg></trk>\n</gpx>\n")
    return "".join(out).encode()


def write_tcx(plan: RunPlan, s: Samples | None = None) -> bytes:
    """A TCX activity as Garmin Connect exports it (RunCadence per foot)."""
    s = s or simulate(plan)
    sport = {"running": "Running", "cycling": "Biking"}.get(plan.sport, "Other")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n',
        f' <Activities><Activity Sport="{sport}"><Id>{_iso(s.start_s)}</Id>\n',
    ]
    out.append(
        f'  <Lap StartTime="{_iso(s.start_s)}"><TotalTimeSeconds>{s.timer_s:.1f}</TotalTimeSeconds>'
        f"<DistanceMeters>{float(s.dist[-1]):.1f}</DistanceMeters><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>\n"
    )
    for i in range(len(s.t)):
        out.append(
            f"   <Trackpoint><Time>{_iso(s.t[i])}</Time><Position><LatitudeDegrees>{s.lat[i]:.7f}</LatitudeDegrees>"
            f"<LongitudeDegrees>{s.lon[i]:.7f}</LongitudeDegrees></Position><AltitudeMeters>{s.alt[i]:.1f}</AltitudeMeters>"
            f"<DistanceMeters>{s.dist[i]:.1f}</DistanceMeters><HeartRateBpm><Value>{round(s.hr[i])}</Value></HeartRateBpm>"
            f"<Extensions><ns3:TPX><ns3:Speed>{s.speed[i]:.3f}</ns3:Speed><ns3:RunCadence>{round(s.cad[i] / 2)}</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>\n"
        )
    out.append('  </Track></Lap>\n  <Creator xsi:type="Device_t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Name>Forerunner 945</Name></Creator>\n')
    out.append(" </Activity></Activities>\n</TrainingCenterDatabase>\n")
    return "".join(out).encode()


def easy_run(start_local: dt.datetime, km: float, *, pace_s_per_km: float = 330, cadence: float = 176, seed: int = 0, **kw) -> RunPlan:
    """A steady run of ``km`` kilometres at ``pace_s_per_km``."""
    speed = 1000.0 / pace_s_per_km
    return RunPlan(start_local=start_local, segments=[Segment(km * pace_s_per_km, speed, cadence)], seed=seed, **kw)


# ------------------------------------------------ phone tracks (cleaning) ---
# What phone apps write around a run (DOMAIN.md, "Signal quality"): the run as
# positions only, sometimes a fix a minute; and the phone left recording before
# or after it, lying still: jitter of tens of metres, gaps of minutes to hours,
# now and then a fix from a cell tower hundreds of metres to kilometres away.

_M_PER_DEG = 111_195.0


@dataclass
class PhoneTrack:
    """Positions as a phone app writes them, and the truth they were made from.

    ``t`` [s since the epoch], ``lat``/``lon`` [degrees]; ``run_start_s`` and
    ``run_end_s`` bound the run itself, ``run_m`` its true distance [m].
    """

    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    run_start_s: float
    run_end_s: float
    run_m: float

    def gpx(self, creator: str = "gpx.py -- https://github.com/tkrajina/gpxpy/") -> bytes:
        """The track as a phone app's GPX: positions and times only (no heart rate, no cadence)."""
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
               f'<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="{creator}">\n',
               " <trk><type>running</type><trkseg>\n"]  # fmt: skip
        for i in range(len(self.t)):
            when = dt.datetime.fromtimestamp(self.t[i], dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            out.append(f'  <trkpt lat="{self.lat[i]:.7f}" lon="{self.lon[i]:.7f}"><time>{when}</time></trkpt>\n')
        out.append(" </trkseg></trk>\n</gpx>\n")
        return "".join(out).encode()


def _offsets(lat0: float, north_m, east_m) -> tuple[np.ndarray, np.ndarray]:
    """Metres north and east of a point at ``lat0`` as (dlat, dlon) [degrees]."""
    return np.asarray(north_m) / _M_PER_DEG, np.asarray(east_m) / (_M_PER_DEG * math.cos(math.radians(lat0)))


def phone_run(start_s: float, km: float, *, pace_s_per_km: float = 330.0, every_s: tuple[float, float] = (1.0, 4.0),
              noise_m: tuple[float, float] = (3.0, 3.0), white: bool = False, lat0: float = 48.2, lon0: float = 16.37,
              seed: int = 0) -> PhoneTrack:  # fmt: skip
    """A loop of ``km`` from home and back at an even pace, a fix every ``every_s`` (uniform range) seconds.

    Position error: slowly wandering (a filtered phone fix, correlated over a
    minute) of ``noise_m`` [m], or with ``white`` independent at each fix, its
    size drawn per fix from the ``noise_m`` range.
    """
    rng = np.random.default_rng(seed)
    speed = 1000.0 / pace_s_per_km
    duration = km * pace_s_per_km
    steps = rng.uniform(*every_s, int(duration / every_s[0]) + 2)
    t_rel = np.concatenate([[0.0], np.cumsum(steps)])
    t_rel = np.append(t_rel[t_rel < duration], duration)
    # a loop: a circle of the run's length with a gentle wobble, back where it started
    radius = km * 1000.0 / (2 * math.pi)
    angle = 2 * math.pi * t_rel / duration
    north = radius * np.sin(angle) + 40 * np.sin(5 * angle)
    east = radius * (1 - np.cos(angle))
    if white:
        sigma = rng.uniform(*noise_m, len(t_rel))
        north, east = north + rng.normal(0, 1, len(t_rel)) * sigma, east + rng.normal(0, 1, len(t_rel)) * sigma
    else:
        for axis in (north, east):
            err, tau = 0.0, 60.0
            for i in range(len(t_rel)):
                a = math.exp(-(t_rel[i] - t_rel[i - 1]) / tau) if i else 0.0
                err = a * err + math.sqrt(1 - a * a) * rng.normal(0, noise_m[0])
                axis[i] += err
    # the true distance of the loop (its wobble included), measured finely
    fine = np.linspace(0, 2 * math.pi, 200_001)
    run_m = float(np.hypot(np.diff(radius * np.sin(fine) + 40 * np.sin(5 * fine)), np.diff(radius * (1 - np.cos(fine)))).sum())
    dlat, dlon = _offsets(lat0, north, east)
    return PhoneTrack(start_s + t_rel, lat0 + dlat, lon0 + dlon, start_s, start_s + duration, run_m)


def phone_idle(t0: float, seconds: float, lat0: float, lon0: float, *, seed: int = 0, every_s: tuple[float, float] = (1.0, 30.0),
               jitter_m: tuple[float, float] = (5.0, 40.0), tower_jumps: tuple[int, int] = (1, 3),
               tower_m: tuple[float, float] = (300.0, 3000.0), gaps: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """A phone lying still at (``lat0``, ``lon0``) for ``seconds`` from ``t0``: (t, lat, lon).

    It records in stretches of a few to 30 minutes, each with its own interval
    (from ``every_s``) and jitter (from ``jitter_m``, independent at each fix);
    with ``gaps``, stretches are apart by up to a tenth of the whole (minutes
    to hours, nothing recorded). Between ``tower_jumps`` fixes (1-4 in a row)
    come from a cell tower ``tower_m`` away, then the fixes are home again.
    """
    rng = np.random.default_rng(seed)
    times, north, east = [], [], []
    now = t0
    while now < t0 + seconds:
        length = min(rng.uniform(120.0, 1800.0), t0 + seconds - now)
        every, sigma = rng.uniform(*every_s), rng.uniform(*jitter_m)
        t = now + np.arange(0.0, max(length, every), every)
        times.append(t)
        north.append(rng.normal(0, sigma, len(t)))
        east.append(rng.normal(0, sigma, len(t)))
        now = t[-1] + every
        if gaps and now < t0 + seconds:
            now += rng.uniform(60.0, max(60.0, seconds / 10))
    t, north, east = np.concatenate(times), np.concatenate(north), np.concatenate(east)
    keep = t < t0 + seconds
    t, north, east = t[keep], north[keep], east[keep]
    for _ in range(rng.integers(tower_jumps[0], tower_jumps[1] + 1) if len(t) > 10 else 0):
        at, run = int(rng.integers(2, len(t) - 6)), int(rng.integers(1, 5))
        far, bearing = rng.uniform(*tower_m), rng.uniform(0, 2 * math.pi)
        north[at : at + run] = far * math.cos(bearing) + rng.normal(0, 20, run)
        east[at : at + run] = far * math.sin(bearing) + rng.normal(0, 20, run)
    dlat, dlon = _offsets(lat0, north, east)
    return t, lat0 + dlat, lon0 + dlon


def left_recording(run: PhoneTrack, before_s: float = 0.0, after_s: float = 0.0, *, seed: int = 0, **idle) -> PhoneTrack:
    """``run`` with the phone recording at home ``before_s`` before it and ``after_s`` after it (`phone_idle`)."""
    parts = [(run.t, run.lat, run.lon)]
    if before_s > 0:
        t, la, lo = phone_idle(run.t[0] - before_s, before_s, run.lat[0], run.lon[0], seed=seed, **idle)
        parts.insert(0, (t[t < run.t[0] - 1.0], la[t < run.t[0] - 1.0], lo[t < run.t[0] - 1.0]))
    if after_s > 0:
        parts.append(phone_idle(run.t[-1] + 1.0, after_s, run.lat[-1], run.lon[-1], seed=seed + 1, **idle))
    t, lat, lon = (np.concatenate([p[k] for p in parts]) for k in range(3))
    return PhoneTrack(t, lat, lon, run.run_start_s, run.run_end_s, run.run_m)
