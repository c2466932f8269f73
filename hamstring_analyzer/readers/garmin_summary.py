"""Garmin Connect's activity list: ``DI_CONNECT/DI-Connect-Fitness/*_summarizedActivities.json``.

Part of the full account export (Garmin account > Data Management > Export
Your Data). It lists every activity, including those whose FIT is not in the
export's ``DI-Connect-Uploaded-Files`` zips (manual entries, old devices,
activities synced from other services). Shape::

    [{"summarizedActivitiesExport": [{"activityId", "name", "activityType",
      "sportType", "startTimeGmt", "startTimeLocal", "beginTimestamp",
      "duration", "elapsedDuration", "movingDuration", "distance",
      "elevationGain", "avgHr", "avgRunCadence", "manualActivity", ...}]}]

Units as Garmin writes them in this file: times are epoch milliseconds,
often as floats in scientific notation (``1.685097098E12``;
``startTimeLocal`` is the local wall clock written as if it were UTC, so
its difference from ``startTimeGmt`` is the runner's offset), durations
milliseconds, distance and elevation centimetres, ``avgDoubleCadence``
steps per minute and ``avgRunCadence`` one foot's strides per minute.
``activityType`` is a plain key (``"running"``, ``"treadmill_running"``;
``{"typeKey": ...}`` in some files) and is the runner's own word: a watch
run re-typed as a walk in Connect reads ``"walking"`` here. Every activity becomes an `Activity` without samples; the
export keeps one of a run that also arrived as a FIT.
"""

from __future__ import annotations

import pandas as pd

from ..activity import Activity
from ..errors import NotAnActivityError, ParseError, unexpected_problem
from .sports import sport_from_text
from .summary_only import MAX_INDEX_ROWS, bounded, finite, impossible_totals, load_json, refusal, refused_entry, summary_activity

#: Garmin's activity type keys for runs, and their FIT sub-sport.
RUN_TYPES = {
    "running": None, "street_running": "street", "track_running": "track", "trail_running": "trail",
    "treadmill_running": "treadmill", "indoor_running": "indoor_running", "virtual_run": "virtual_activity",
    "ultra_run": None, "obstacle_run": None,
}  # fmt: skip
_OTHER_TYPES = {"walking": "walking", "hiking": "hiking", "casual_walking": "walking", "speed_walking": "walking"}
#: The slowest and fastest whole-activity speeds a run's units can give before they are doubted [m/s].
RUN_SPEED_RANGE = (0.5, 7.0)


def activity_type(entry: dict) -> tuple[str | None, str | None]:
    """(sport, sub_sport) from ``activityType`` (a key, or ``{"typeKey": ...}``) and ``sportType``."""
    kind = entry.get("activityType")
    if isinstance(kind, dict):
        kind = kind.get("typeKey")
    key = str(kind or "").strip().lower()
    if key in RUN_TYPES:
        return "running", RUN_TYPES[key]
    if key in _OTHER_TYPES:
        return _OTHER_TYPES[key], None
    if key:  # the runner's word; ``sportType`` says RUNNING for some hikes, so it only speaks when this is absent
        sport, sub = sport_from_text(key)
        return (sport, sub) if sport else ("other", None)
    sport, sub = sport_from_text(str(entry.get("sportType") or ""))
    return (sport, sub) if sport else ("other", None)


def _ms_time(x) -> pd.Timestamp | None:
    # 1900 to 2200, the run store's range: cleaning judges the dates inside it (before GPS watches, in the future)
    v = bounded(x, -2208988800000.0, 7258118400000.0)
    return pd.Timestamp(int(v), unit="ms", tz="UTC") if v is not None else None


def read_garmin_summary(data: bytes, source: str) -> list[Activity]:
    """Every activity of a ``summarizedActivities.json`` as an activity without samples.

    Raises
    ------
    ParseError
        Not the summaries' JSON (broken, too large, another shape).
    NotAnActivityError
        The list is empty.
    """
    doc = load_json(data, source, "Garmin activity summary")
    entries: list = []
    parts = doc if isinstance(doc, list) else [doc]
    shaped = False
    for part in parts:
        if isinstance(part, dict) and isinstance(part.get("summarizedActivitiesExport"), list):
            entries.extend(part["summarizedActivitiesExport"])
            shaped = True
    if not shaped:
        raise ParseError(source, "not a Garmin summarizedActivities file (no summarizedActivitiesExport list)")
    activities: list[Activity] = []
    beyond = 0
    for number, entry in enumerate(entries, 1):
        if len(activities) >= MAX_INDEX_ROWS:
            beyond += 1
            continue
        where = f"activity {number}"  # of the list, as the file holds them
        reason = "not an activity's summary (not a JSON object)" if not isinstance(entry, dict) else _entry_problem(entry)
        if reason:
            activities.append(refused_entry(source, "garmin_summary", len(activities), where, reason))
            continue
        try:
            activity = _entry_activity(entry, source, len(activities))
        except Exception as exc:  # noqa: BLE001 - one summary's values beyond reason cost that summary, never the list
            activities.append(refused_entry(source, "garmin_summary", len(activities), where,
                                            f"could not be read: {unexpected_problem(exc, 'in the reader')}"))  # fmt: skip
            continue
        activity.entry = where
        activities.append(activity)
    read = [a for a in activities if refusal(a) is None]
    if not read:
        if activities or beyond:
            first = refusal(activities[0])[1] if activities else "too many activities"
            raise ParseError(source, f"none of the {len(activities) + beyond} activities can be read ({first})")
        raise NotAnActivityError(source, "the Garmin activity summary lists no activities")
    if beyond:
        read[0].warnings.append(f"{beyond} activities beyond the first {MAX_INDEX_ROWS} were left out")
    return activities


def _entry_problem(entry: dict) -> str | None:
    """Why a summary is no activity: no start time a watch writes, or impossible totals; None when it can be read."""
    start = _ms_time(entry.get("startTimeGmt")) or _ms_time(entry.get("beginTimestamp"))
    if start is None:
        said = entry.get("startTimeGmt", entry.get("beginTimestamp"))
        return "it has no start time" if said is None else f"its start time ({str(said)[:30]}) is no date a watch writes"
    sport, _ = activity_type(entry)
    elapsed_ms = finite(entry.get("elapsedDuration")) or finite(entry.get("duration"))
    distance_cm = finite(entry.get("distance"))
    return impossible_totals(elapsed_ms / 1000.0 if elapsed_ms is not None else None,
                             distance_cm / 100.0 if distance_cm is not None else None, sport == "running")  # fmt: skip


def _entry_activity(entry: dict, source: str, index: int) -> Activity | None:
    start = _ms_time(entry.get("startTimeGmt")) or _ms_time(entry.get("beginTimestamp"))
    if start is None:
        return None
    local = _ms_time(entry.get("startTimeLocal"))
    offset = None
    if local is not None:
        seconds = (local - start).total_seconds()
        if abs(seconds) <= 18 * 3600:
            offset = int(round(seconds / 900.0) * 900)  # offsets are whole quarter hours
    sport, sub_sport = activity_type(entry)
    elapsed_ms = finite(entry.get("elapsedDuration")) or finite(entry.get("duration"))
    moving_ms = finite(entry.get("movingDuration"))
    distance_cm = finite(entry.get("distance"))
    warnings = []
    elapsed = elapsed_ms / 1000.0 if elapsed_ms is not None else None
    distance = distance_cm / 100.0 if distance_cm is not None else None
    if sport == "running" and distance and elapsed:
        speed = distance / elapsed
        if not RUN_SPEED_RANGE[0] <= speed <= RUN_SPEED_RANGE[1]:
            warnings.append(f"distance and duration give {speed:.2f} m/s, not a running speed: units unlike Garmin's usual ones")
    cadence = finite(entry.get("avgDoubleCadence")) or finite(entry.get("averageRunningCadenceInStepsPerMinute"))  # steps/min
    if cadence is None:
        cadence = finite(entry.get("avgRunCadence"))
        if cadence is not None and 0 < cadence < 120:
            cadence *= 2.0  # one foot's strides
    climb_cm = finite(entry.get("elevationGain"))
    return summary_activity(
        source=source,
        fmt="garmin_summary",
        start_utc=start,
        elapsed_s=elapsed,
        moving_s=moving_ms / 1000.0 if moving_ms is not None else None,
        distance_m=distance,
        sport=sport,
        sub_sport=sub_sport,
        name=str(entry.get("name")).strip() if entry.get("name") else None,
        device="Garmin Connect",
        utc_offset_s=offset,
        session_index=index,
        totals={
            "elevation_gain_m": bounded(climb_cm / 100.0 if climb_cm is not None else None, 0.0, 20000.0),
            "avg_heart_rate_bpm": finite(entry.get("avgHr")),
            "cadence_spm": bounded(cadence, 60.0, 260.0),
        },
        warnings=warnings,
    )
