"""What the FIT format says: the messages and fields read, the file types, enum names, the CRC, and `RawFit`.

Both engines (`fast`, `reference`) decode into `RawFit` using these names, so
the normalising (`sessions`) never knows which engine ran.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

from ... import glossary as g

FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in UNIX seconds
SEMICIRCLE_DEG = 180.0 / 2**31

#: The raw record fields we read, and nothing else (developer fields are ignored).
RECORD_FIELDS = (
    "timestamp",
    "position_lat",
    "position_long",
    "distance",
    "speed",
    "enhanced_speed",
    "altitude",
    "enhanced_altitude",
    "heart_rate",
    "cadence",
    "fractional_cadence",
    "step_length",
    "vertical_ratio",
    "stance_time",
    "vertical_oscillation",
)
SESSION_FIELDS = (
    "start_time",
    "timestamp",
    "total_elapsed_time",
    "total_timer_time",
    "total_distance",
    "sport",
    "sub_sport",
)
LAP_FIELDS = ("start_time", "timestamp", "total_elapsed_time", "total_timer_time", "total_distance", "intensity")
ACTIVITY_FIELDS = ("timestamp", "local_timestamp")
EVENT_FIELDS = ("timestamp", "event")
FILE_ID_FIELDS = ("type", "manufacturer", "product", "garmin_product")
ENUM_FIELDS = {"sport": "sport", "sub_sport": "sub_sport", "type": "file", "manufacturer": "manufacturer"}

#: FIT ``event`` values front_gear_change (42) and rear_gear_change (43): only bicycles have gears.
GEAR_CHANGE_EVENTS = frozenset({42.0, 43.0})

# FIT lap.intensity, from the current profile (fitparse's 2020 table stops at cooldown).
INTENSITY_NAMES = dict(enumerate(g.INTENSITIES))

#: File types that never hold a recorded activity.
NON_ACTIVITY_TYPES = {
    "device": "a device description file",
    "settings": "a settings file",
    "sport": "a sport settings file",
    "workout": "a planned workout",
    "course": "a course (a planned route), not a recorded activity",
    "schedules": "a training schedule",
    "weight": "a weight-scale file",
    "totals": "a totals file",
    "goals": "a goals file",
    "blood_pressure": "a blood pressure file",
    "monitoring_a": "a wellness (monitoring) file",
    "monitoring_b": "a wellness (monitoring) file",
    "monitoring_daily": "a wellness (monitoring) file",
    "activity_summary": "an activity summary without records",
    "segment": "a segment file",
    "segment_list": "a segment list",
}


def _crc_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table.append(c)
    return tuple(table)


_CRC_TABLE = _crc_table()


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT CRC-16 (polynomial 0xA001, as in the FIT SDK) of ``data``."""
    table = _CRC_TABLE
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


def crc_is_valid(data: bytes) -> bool:
    """True when the trailing CRC matches, counting the header in or not.

    Older Garmin files (header CRC 0) checksum header and data together; newer
    ones only the data. Both are valid FIT.
    """
    if len(data) < 14:
        return False
    stored = struct.unpack("<H", data[-2:])[0]
    header = data[0]
    return stored in (fit_crc(data[:-2]), fit_crc(data[header:-2]))


def _enum_tables() -> dict[str, dict[int, str]]:
    from fitparse import profile

    tables = {name: dict(profile.FIELD_TYPES[name].values) for name in ("sport", "sub_sport", "file", "manufacturer", "garmin_product")}
    return tables


_ENUMS: dict[str, dict[int, str]] | None = None


def enum_name(kind: str, value) -> str | None:
    """The FIT profile name of an enum value, or its number as text when unknown."""
    global _ENUMS
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    if _ENUMS is None:
        _ENUMS = _enum_tables()
    return _ENUMS[kind].get(int(value), str(int(value)))


@dataclass
class RawFit:
    """What an engine decoded, before any unit or naming choice."""

    records: dict[str, np.ndarray]
    sessions: list[dict]
    laps: list[dict]
    activity: dict | None
    file_id: dict | None
    engine: str
    partial: bool = False
    warnings: list[str] = field(default_factory=list)
    #: ``event`` messages (timestamp and event number): few, but they hold the gear changes.
    events: list[dict] = field(default_factory=list)


TIME_FIELDS = frozenset({"timestamp", "start_time", "local_timestamp"})
#: FIT times below 0x10000000 count seconds since the device powered on, not dates.
FIRST_ABSOLUTE_TIME_S = FIT_EPOCH_S + 0x10000000
