"""The fitparse engine: the reference, and the fallback that keeps what a damaged file holds before the damage."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np

from ...errors import ParseError
from .profile import (
    ACTIVITY_FIELDS,
    ENUM_FIELDS,
    EVENT_FIELDS,
    FILE_ID_FIELDS,
    FIT_EPOCH_S,
    LAP_FIELDS,
    RECORD_FIELDS,
    SESSION_FIELDS,
    TIME_FIELDS,
    RawFit,
    enum_name,
)


def _fitparse_value(field_data):
    """A fitparse field as fitfast gives it: UNIX seconds for times, numbers for enums."""
    value = field_data.value
    if field_data.name in TIME_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) + FIT_EPOCH_S
    if isinstance(value, dt.datetime):
        raw = field_data.raw_value
        if isinstance(raw, (int, float)):
            return float(raw) + FIT_EPOCH_S
        return value.replace(tzinfo=dt.timezone.utc).timestamp()
    if isinstance(value, str) or value is None:
        raw = field_data.raw_value
        return float(raw) if isinstance(raw, (int, float)) else None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def decode_fitparse(data: bytes, source: str) -> RawFit:
    """Decode record by record with fitparse, keeping what comes before any damage."""
    import fitparse

    wanted = {
        "record": RECORD_FIELDS,
        "session": SESSION_FIELDS,
        "lap": LAP_FIELDS,
        "activity": ACTIVITY_FIELDS,
        "file_id": FILE_ID_FIELDS,
        "event": EVENT_FIELDS,
    }
    found: dict[str, list[dict]] = {k: [] for k in wanted}
    raw = RawFit({}, [], [], None, None, engine="fitparse")
    try:
        fit = fitparse.FitFile(io.BytesIO(data), check_crc=False)
        for message in fit.get_messages(list(wanted)):
            fields = wanted[message.name]
            row = {}
            for fd in message.fields:
                if fd.name in fields:
                    v = _fitparse_value(fd)
                    if v is not None:
                        row[fd.name] = enum_name(ENUM_FIELDS[fd.name], v) if fd.name in ENUM_FIELDS and message.name != "record" else v
            found[message.name].append(row)
    except Exception as exc:  # fitparse raises several types; all mean "damaged from here on"
        reason = _describe_fitparse_error(exc)
        if not found["record"] and not found["session"]:
            raise ParseError(source, f"not a readable FIT file ({reason})") from None
        raw.partial = True
        raw.warnings.append(f"file is damaged or cut short ({reason}); kept the {len(found['record'])} records before it")
    rows = found["record"]
    n = len(rows)
    cols = {}
    for f in RECORD_FIELDS:
        if any(f in r for r in rows):
            cols[f] = np.array([r.get(f, np.nan) for r in rows], dtype="float64")
    raw.records = cols if n else {}
    raw.sessions = found["session"]
    raw.laps = found["lap"]
    raw.activity = found["activity"][0] if found["activity"] else None
    raw.file_id = found["file_id"][0] if found["file_id"] else None
    raw.events = found["event"]
    return raw


def _describe_fitparse_error(exc: Exception) -> str:
    text = str(exc).strip() or "damaged data"
    if "EOF" in type(exc).__name__ or "expected" in text and "got" in text:
        return f"ends early: {text}"
    return text.splitlines()[0][:200]
