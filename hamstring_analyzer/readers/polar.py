"""Polar Flow's ``training-session-*.json`` (the account export: flow.polar.com > Settings > Download your data).

Two schemas are in the wild, both read here.

* Older exports (``exportVersion`` 1.6-2.6): ``exercises[].sport`` is a name
  (``RUNNING``, ``TREADMILL_RUNNING``, ``OTHER_OUTDOOR``, ``TENNIS``...; the
  session itself names none), ``startTime`` is local without an offset, the
  offset [min] is ``timeZoneOffset`` on the session and ``timezoneOffset`` on
  an exercise, durations are ISO 8601 (``"PT6859.625S"``), ``distance`` [m].
  ``exercises[].samples`` is either an object of lists
  (``{"heartRate": [{"dateTime", "value"}], "speed", "cadence", "altitude",
  "distance", "recordedRoute": [{"dateTime", "latitude", "longitude",
  "altitude"}]}``) or a list of regular series
  (``{"type": "HEART_RATE" | "SPEED" | ..., "intervalMillis", "values"}``).
* Newer exports: see the layout below. No sport name anywhere, only
  ``sport.id``, a number from Polar Flow's sports list (`POLAR_SPORTS`).

Layout of a newer session (checked on real exports in a public repository,
fortysix2ahead/tracs ``test/environments/*/takeouts/polar/``, 2022 sessions of
a Polar Vantage V and the Polar Flow app): file name
``training-session-<local start, with colons>-<id>-<uuid>.json``. Top level:
``identifier.id`` (text), ``created``/``modified``, ``startTime`` and
``stopTime`` (local, whole seconds, no offset), ``timezoneOffsetMinutes``,
``durationMillis``, ``distanceMeters``, ``hrAvg``/``hrMax`` (absent or 0
without a heart-rate sensor), ``calories``, ``recoveryTimeMillis`` (as text),
``sport: {"id": "11"}``, ``physicalInformation``, ``product``, and
``exercises`` (absent in some sessions). Each exercise repeats ``identifier``,
``startTime``, ``stopTime``, ``durationMillis``, ``distanceMeters``,
``timezoneOffsetMinutes`` and ``sport.id`` (a multisport session's own id,
82 seen, differs from its exercises': 17 treadmill running, 18 indoor
cycling), and holds ``laps``, ``statistics.statistics[]``, ``zones[]``,
``samples: {"samples": [{"type": "SPEED" | "DISTANCE" | "HEART_RATE" |
"CADENCE" | "ALTITUDE" | "TEMPERATURE", "intervalMillis", "values"}],
"transitionSamples": [...]}`` (speed in km/h; a missing value is the text
``"NaN"``), ``routes: {"route": {"startTime" (local, milliseconds),
"wayPoints": [{"latitude", "longitude", "altitude"?, "elapsedMillis"}]}}``
(``{}`` indoors) and ``pauseTimes[]``. The series carry no time origin of
their own: they are read from the exercise's start, the route from its own.

Raw files may also hold a bare ``NaN`` (not valid JSON: read as missing).
Speed is km/h; when the file also has distance samples the unit is checked
against them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..activity import Activity
from ..errors import NotAnActivityError, ParseError, unexpected_problem
from .sports import sport_from_text
from .summary_only import MAX_SUMMARY_ELAPSED_S, bounded, finite, load_json, refusal, refused_entry, summary_activity
from .track import build_activity

#: Sample lists longer than this are refused: a 48-hour session at 1 s holds 172,800.
MAX_SAMPLES = 400_000
#: A regular series' step beyond this is not a recording interval [ms].
MAX_INTERVAL_MS = 3_600_000.0
#: Start times outside these years are a broken clock, not a session.
YEARS = (1980, 2100)
_NEW_TYPES = {"HEART_RATE": "hr", "SPEED": "speed", "DISTANCE": "distance", "CADENCE": "cadence", "ALTITUDE": "altitude"}
_OLD_TYPES = {"heartRate": "hr", "speed": "speed", "distance": "distance", "cadence": "cadence", "altitude": "altitude"}

#: Polar Flow's sports by id, as the sports list of flow.polar.com/settings/sports numbers them
#: (the ids that ``sport.id`` carries). "sport" or "sport/sub-sport", in the words a runner reads.
_POLAR_SPORT_LIST = """
1 running; 2 cycling; 3 walking; 4 running/jogging; 5 cycling/mountain; 6 skiing; 7 downhill skiing; 8 rowing;
9 Nordic walking; 10 skating; 11 hiking; 12 tennis; 13 squash; 14 badminton; 15 strength training; 16 other outdoor;
17 running/treadmill; 18 cycling/indoor; 19 running/road; 20 circuit training; 22 snowboarding; 23 swimming;
24 cross-country skiing/freestyle; 25 cross-country skiing/classic; 27 running/trail; 28 ice skating; 29 inline skating;
30 roller skating; 32 group exercise; 33 yoga; 34 crossfit; 35 golf; 36 running/track; 38 cycling/road; 39 soccer;
40 cricket; 41 basketball; 42 baseball; 43 rugby; 44 field hockey; 45 volleyball; 46 ice hockey; 47 football;
48 handball; 49 beach volley; 50 futsal; 51 floorball; 52 dancing; 53 trotting; 54 riding; 55 cross-trainer;
56 fitness martial arts; 57 functional training; 58 bootcamp; 59 roller skiing/freestyle; 60 roller skiing/classic;
61 aerobics; 62 aqua fitness; 63 step workout; 64 body and mind; 65 pilates; 66 stretching; 67 fitness dancing;
68 triathlon; 69 duathlon; 70 off-road triathlon; 71 off-road duathlon; 83 other indoor; 84 orienteering;
85 ski orienteering; 86 mountain bike orienteering; 87 biathlon; 88 sailing; 89 wheelchair racing; 90 disc golf;
91 table tennis; 92 running/ultra; 94 indoor climbing; 95 kayaking; 96 canoeing; 100 kitesurfing; 101 windsurfing;
102 surfing; 103 swimming/pool; 104 Finnish baseball; 105 swimming/open water; 107 wakeboarding; 108 water skiing;
109 boxing; 110 kickboxing; 111 mobility training/dynamic; 112 telemark skiing; 113 backcountry skiing; 114 gymnastics;
115 judo; 116 snowshoe trekking; 117 rowing/indoor; 118 cycling/spinning; 119 street dancing; 120 Latin dancing;
121 show dancing; 122 ballet; 123 jazz dancing; 124 modern dancing; 125 ballroom dancing; 126 core training;
127 mobility training/static; 128 Les Mills BODYPUMP; 129 Les Mills BODYATTACK; 130 Les Mills BODYCOMBAT;
131 Les Mills GRIT Cardio; 132 Les Mills GRIT Strength; 133 Les Mills GRIT Plyo; 134 Les Mills SH'BAM;
135 Les Mills RPM; 136 Les Mills BODYJAM; 137 Les Mills BODYSTEP; 138 Les Mills SPRINT; 139 Les Mills BODYVIVE;
140 Les Mills BODYBALANCE; 141 Les Mills THE TRIP; 142 Les Mills CXWORX
"""
#: Running ids whose sub-sport the rest of the tool keeps (the others: the plain run).
_RUN_SUB_SPORTS = {"treadmill": "treadmill", "trail": "trail", "track": "track"}


def _sport_table(text: str) -> dict[int, tuple[str, str | None]]:
    table = {}
    for entry in text.replace("\n", " ").split(";"):
        number, words = entry.strip().split(" ", 1)
        sport, _, sub = words.partition("/")
        if sport == "running":
            table[int(number)] = ("running", _RUN_SUB_SPORTS.get(sub))
            continue
        # The FIT name where the table knows the sport; else "other" with Polar's word: Polar said what it
        # was, so the ingest never judges it from the samples, and the skip names it.
        known, known_sub = sport_from_text(sport)
        if known in (None, "other", "running"):
            table[int(number)] = ("other", words)
        else:
            table[int(number)] = (known, sub.replace(" ", "_") if sub else known_sub)
    return table


#: Polar sport id -> (sport, sub_sport): runs are ``running``, the others their name, so that a skipped
#: session says what it was ("not a run (classic cross-country skiing)").
POLAR_SPORTS = _sport_table(_POLAR_SPORT_LIST)


def _local_time(text) -> dt.datetime | None:
    """A Polar local time (``"2022-10-16T14:23:39"``, maybe with milliseconds or an offset), or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if YEARS[0] <= value.year <= YEARS[1] else None


def _number(value) -> float | None:
    """``finite``, with integers too large for a float read as missing."""
    try:
        return finite(value)
    except OverflowError:
        return None


def _duration_s(value) -> float | None:
    """``"PT3600.5S"``/``"PT1H2M3S"`` [s], or None."""
    if not (isinstance(value, str) and value.upper().startswith("PT") and len(value) < 40):
        return None
    text, total = value.upper()[2:], 0.0
    for unit, factor in (("H", 3600.0), ("M", 60.0), ("S", 1.0)):
        if unit in text:
            number, text = text.split(unit, 1)
            v = _number(number)
            if v is None:
                return None
            total += v * factor
    return total


def _millis_s(value) -> float | None:
    v = _number(value)
    return v / 1000.0 if v is not None else None


def _sport(value) -> tuple[str, str | None]:
    """(sport, sub_sport) from a Polar sport: ``{"id": "1"}`` or an id (newer exports), or a name (older ones)."""
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, bool) or value is None:
        return ("other", None)
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        number = _number(value)
        if number is None or number != int(number) or not 0 <= number < 1e9:
            return ("other", None)
        return POLAR_SPORTS.get(int(number), ("other", f"another sport: Polar sport id {int(number)}"))
    if not isinstance(value, str):
        return ("other", None)
    if value.strip().upper() == "WATER_RUNNING":  # running in a pool: no ground, no hamstring load of a run
        return ("other", "water running")
    sport, sub = sport_from_text(value)
    if sport:
        return sport, sub
    words = " ".join(value.replace("_", " ").split()).lower()
    if len(words) <= 40 and any(c.isalpha() for c in words) and all(c.isalnum() or c in " -&'" for c in words):
        return "other", words  # Polar's own word: never judged from the samples (see `POLAR_SPORTS`)
    return ("other", None)


def read_polar(data: bytes, source: str) -> list[Activity]:
    """One activity per exercise of a Polar Flow training session (the session itself when it lists none).

    Raises
    ------
    ParseError
        Broken or cut-short JSON, Infinity, too large, no start time.
    NotAnActivityError
        A session without exercises or totals.
    """
    doc = load_json(data, source, "Polar training session")
    if not isinstance(doc, dict):
        raise ParseError(source, "not a Polar training session (the JSON is not an object)")
    exercises = doc.get("exercises")
    if not isinstance(exercises, list) or not exercises:
        if _has_totals(doc):
            exercises = [{}]  # newer exports: a session may list no exercise; its own totals describe it
        else:
            raise NotAnActivityError(source, "Polar training session without exercises")
    exercises = [ex for ex in exercises if isinstance(ex, dict)]
    if not exercises:
        raise ParseError(source, "Polar training session whose exercises cannot be read")
    single = len(exercises) == 1
    if single:
        return [_exercise(doc, exercises[0], source, 0, single)]
    out = []
    for index, ex in enumerate(exercises):  # each exercise of a session judged on its own
        where = f"exercise {index + 1}"
        try:
            activity = _exercise(doc, ex, source, index, single)
        except ParseError as exc:
            out.append(refused_entry(source, "polar_json", index, where, exc.reason))
            continue
        except Exception as exc:  # noqa: BLE001 - one exercise's values beyond reason cost that exercise, never the session
            out.append(refused_entry(source, "polar_json", index, where, f"could not be read: {unexpected_problem(exc, 'in the reader')}"))
            continue
        activity.entry = where
        out.append(activity)
    if all(refusal(a) is not None for a in out):
        raise ParseError(source, f"Polar training session whose exercises cannot be read ({refusal(out[0])[1]})")
    return out


def _has_totals(doc: dict) -> bool:
    return any(_number(doc.get(k)) is not None for k in ("durationMillis", "distanceMeters", "distance")) or _duration_s(doc.get("duration")) is not None


def _first(*values):
    return next((v for v in values if v is not None), None)


def _exercise(doc: dict, ex: dict, source: str, index: int, single: bool) -> Activity:
    local = _local_time(ex.get("startTime")) or _local_time(doc.get("startTime"))
    if local is None:
        raise ParseError(source, "Polar exercise without a readable startTime")
    offset_min = _first(*(_number(holder.get(key)) for holder in (ex, doc)
                          for key in ("timezoneOffsetMinutes", "timezoneOffset", "timeZoneOffset")))  # fmt: skip
    if local.tzinfo is not None:
        offset_s = int(local.utcoffset().total_seconds())
        local = local.replace(tzinfo=None)
    elif offset_min is not None and abs(offset_min) <= 18 * 60:
        offset_s = int(offset_min * 60)
    else:
        offset_s = None
    start = pd.Timestamp(local - dt.timedelta(seconds=offset_s or 0), tz="UTC")
    # The session's own totals and sport describe an exercise only when it is the session's one exercise.
    session = doc if single else {}
    sport, sub_sport = _sport(_first(ex.get("sport"), session.get("sport")))
    duration = _first(_millis_s(ex.get("durationMillis")), _duration_s(ex.get("duration")),
                      _millis_s(session.get("durationMillis")), _duration_s(session.get("duration")))  # fmt: skip
    distance = _first(_number(ex.get("distanceMeters")), _number(ex.get("distance")),
                      _number(session.get("distanceMeters")), _number(session.get("distance")))  # fmt: skip
    totals = {"avg_heart_rate_bpm": _avg_heart_rate(ex, session)}
    rpe = _rpe(doc, ex)
    channels, warnings = _samples(ex, local, start, offset_s, source)
    name = (doc["name"].strip() or None) if isinstance(doc.get("name"), str) else None
    if not channels:
        return summary_activity(source=source, fmt="polar_json", start_utc=start, elapsed_s=duration, distance_m=distance,
                                sport=sport, sub_sport=sub_sport, name=name, device="Polar", utc_offset_s=offset_s,
                                session_index=index, rpe=rpe, totals=totals, warnings=warnings)  # fmt: skip
    times = channels.pop("t")
    activity = build_activity(
        source=source, fmt="polar_json", times_s=times, sport=sport, sub_sport=sub_sport, device="Polar", name=name,
        session_index=index, warnings=warnings,
        lat=channels.get("lat"), lon=channels.get("lon"), altitude=channels.get("altitude"),
        heart_rate=channels.get("hr"), cadence=channels.get("cadence"), distance=channels.get("distance"),
        speed=channels.get("speed"), distance_total=bounded(distance, 0.0, 1_000_000.0),
    )  # fmt: skip
    activity.utc_offset_s = offset_s
    activity.rpe = rpe
    activity.totals = {k: v for k, v in totals.items() if v is not None} or None
    duration = bounded(duration, 0.0, MAX_SUMMARY_ELAPSED_S)
    if duration and activity.elapsed_s is not None and duration > activity.elapsed_s:
        activity.elapsed_s = float(duration)
    return activity


def _avg_heart_rate(ex: dict, session: dict) -> float | None:
    """The exercise's average heart rate [1/min]; Polar writes 0 when no sensor was worn: missing, not 0."""
    candidates = [ex.get("hrAvg")]
    for holder in (ex.get("heartRate"), ex.get("heart-rate")):  # older exports
        if isinstance(holder, dict):
            candidates += [holder.get("avg"), holder.get("average")]
    stats = ex.get("statistics")
    stats = stats.get("statistics") if isinstance(stats, dict) else None
    for item in stats if isinstance(stats, list) else []:  # newer exports
        if isinstance(item, dict) and item.get("type") == "STATISTICS_TYPE_HEART_RATE":
            candidates.append(item.get("avg"))
    candidates.append(session.get("hrAvg"))
    return next((v for v in map(_number, candidates) if v is not None and v > 0), None)


def _rpe(doc: dict, ex: dict) -> float | None:
    for holder in (ex, doc):
        for key in ("perceivedExertion", "rpe", "perceivedLoad"):
            value = holder.get(key)
            if isinstance(value, dict):
                value = value.get("value")
            v = bounded(value, 1.0, 10.0) if _number(value) is not None else None
            if v is not None:
                return v
    return None


def _samples(ex: dict, local: dt.datetime, start: pd.Timestamp, offset_s: int | None, source: str) -> tuple[dict, list[str]]:
    """Sample channels on one time axis [UNIX s] (``t``), from any of the shapes."""
    samples = ex.get("samples")
    series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    t0 = start.timestamp()
    regular = samples.get("samples") if isinstance(samples, dict) and isinstance(samples.get("samples"), list) else samples
    grid_step = None
    if isinstance(regular, list):
        for item in regular:
            if not isinstance(item, dict):
                continue
            name = _NEW_TYPES.get(item.get("type")) if isinstance(item.get("type"), str) else None
            step = _number(item.get("intervalMillis"))
            values = item.get("values")
            if name is None or not step or not 0 < step <= MAX_INTERVAL_MS or not isinstance(values, list):
                continue
            _check_size(values, source)
            v = np.array([_number(x) if _number(x) is not None else np.nan for x in values], dtype="float64")
            series[name] = (t0 + np.arange(len(v)) * step / 1000.0, v)
            grid_step = step / 1000.0 if grid_step is None else min(grid_step, step / 1000.0)
    elif isinstance(samples, dict):
        for key, name in _OLD_TYPES.items():
            values = samples.get(key)
            if isinstance(values, list):
                _check_size(values, source)
                t, (v,) = _timed(values, ("value",), offset_s)
                series[name] = (t, v)
    route, route_t0 = _route(ex, samples, local, offset_s, t0)
    if route:
        _check_size(route, source)
        t, (lat, lon, alt) = _timed(route, ("latitude", "longitude", "altitude"), offset_s, route_t0)
        if grid_step:  # the route's own clock starts a fraction of a second off the series': put it on their grid
            t = t0 + np.round((t - t0) / grid_step) * grid_step
        series["lat"], series["lon"] = (t, lat), (t, lon)
        if "altitude" not in series:
            series["altitude"] = (t, alt)
    kept = {}
    for name, (t, v) in series.items():  # a broken clock cannot stretch the axis beyond a week or so
        ok = np.isfinite(t) & (t >= t0 - 86400.0) & (t <= t0 + MAX_SUMMARY_ELAPSED_S + 86400.0)
        if ok.any() and np.isfinite(v[ok]).any():
            kept[name] = (t[ok], v[ok])
    series = kept
    if not series:
        return {}, []
    times = np.unique(np.concatenate([t for t, _ in series.values()]))
    out: dict[str, np.ndarray] = {"t": times}
    for name, (t, v) in series.items():
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


def _route(ex: dict, samples, local: dt.datetime, offset_s: int | None, t0: float) -> tuple[list | None, float]:
    """The route's points and the UNIX time [s] their ``elapsedMillis``/``time`` count from."""
    route = samples.get("recordedRoute") if isinstance(samples, dict) else None
    if route:
        return (route if isinstance(route, list) else None), t0
    holder = ex.get("routes") or ex.get("route")
    if isinstance(holder, dict) and isinstance(holder.get("route"), dict):
        holder = holder["route"]
    route_t0 = t0
    if isinstance(holder, dict):
        begin = _local_time(holder.get("startTime"))
        if begin is not None:
            delta = (begin.replace(tzinfo=None) - local).total_seconds() if begin.tzinfo is None else None
            route_t0 = t0 + delta if delta is not None else begin.timestamp()
        holder = _first(holder.get("wayPoints"), holder.get("waypoints"), holder.get("points"))
    return (holder if isinstance(holder, list) and holder else None), route_t0


def _check_size(values: list, source: str) -> None:
    if len(values) > MAX_SAMPLES:
        raise ParseError(source, f"Polar exercise with more than {MAX_SAMPLES} samples in one channel; refused")


def _timed(items: list, keys: tuple[str, ...], offset_s: int | None, t0: float | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """(UNIX s, one value array per key) from ``[{"dateTime": local, key: value}]``
    (or ``elapsedMillis``/``time`` [ms] counted from ``t0``)."""
    t = np.full(len(items), np.nan)
    values = [np.full(len(items), np.nan) for _ in keys]
    zone = dt.timezone(dt.timedelta(seconds=offset_s or 0))
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        when = _local_time(item.get("dateTime"))
        elapsed = _number(_first(item.get("elapsedMillis"), item.get("time")))
        if when is not None:
            t[i] = (when if when.tzinfo is not None else when.replace(tzinfo=zone)).timestamp()
        elif t0 is not None and elapsed is not None and abs(elapsed) < 1e12:
            t[i] = t0 + elapsed / 1000.0
        for column, key in zip(values, keys):
            value = _number(item.get(key))
            column[i] = value if value is not None else np.nan
    return t, values


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
