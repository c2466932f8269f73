"""FIT files: a fast columnar decoder with fitparse as the reference and fallback.

Two engines decode a file into the same raw shape (`RawFit`): field name ->
float array for the ``record`` messages, and small dicts for sessions, laps,
the activity and the file id. One normalisation step turns that into
`Activity` objects, so both engines give identical values by construction of
the comparison, and a test checks it on every real file.

* ``fitfast`` (Rust, columnar) is ~100x faster than fitparse, but refuses files
  with a checksum mismatch, a cut, or a message used before its definition.
* ``fitparse`` then reads the file record by record, keeping everything before
  the damage, which is what a runner wants from a watch that died mid-run.

This module chooses the engine (`read_fit`); `fast` and `reference` are the
engines, `profile` the FIT names they share, `plausible` leaves out impossible
dates and totals, and `sessions` makes the activities.

References
----------
Garmin FIT SDK profile (Profile.xlsx): record, session, lap, activity, file_id, event.
"""

from __future__ import annotations

import re
import struct

from ...activity import Activity
from ...errors import ParseError
from .. import track
from .fast import SUMMARY_MESSAGES, decode_fitfast, record_count
from .plausible import DURATION_FIELDS, LATEST_DATE_S, MAX_MEAN_SPEED_MPS, MAX_SESSION_S
from .profile import (
    ACTIVITY_FIELDS,
    ENUM_FIELDS,
    EVENT_FIELDS,
    FILE_ID_FIELDS,
    FIRST_ABSOLUTE_TIME_S,
    FIT_EPOCH_S,
    GEAR_CHANGE_EVENTS,
    INTENSITY_NAMES,
    LAP_FIELDS,
    NON_ACTIVITY_TYPES,
    RECORD_FIELDS,
    SEMICIRCLE_DEG,
    SESSION_FIELDS,
    TIME_FIELDS,
    RawFit,
    crc_is_valid,
    enum_name,
    fit_crc,
)
from .reference import decode_fitparse
from .sessions import activities_from_raw

#: The FIT reader's names, wherever they live in this package.
__all__ = [
    "ACTIVITY_FIELDS",
    "CRC_WARNING",
    "DURATION_FIELDS",
    "ENUM_FIELDS",
    "EVENT_FIELDS",
    "FILE_ID_FIELDS",
    "FIRST_ABSOLUTE_TIME_S",
    "FIT_EPOCH_S",
    "GEAR_CHANGE_EVENTS",
    "INTENSITY_NAMES",
    "LAP_FIELDS",
    "LATEST_DATE_S",
    "MAX_MEAN_SPEED_MPS",
    "MAX_SESSION_S",
    "NON_ACTIVITY_TYPES",
    "RECORD_FIELDS",
    "RawFit",
    "SEMICIRCLE_DEG",
    "SESSION_FIELDS",
    "SUMMARY_MESSAGES",
    "TIME_FIELDS",
    "activities_from_raw",
    "crc_is_valid",
    "decode_fitfast",
    "decode_fitparse",
    "enum_name",
    "fit_crc",
    "read_fit",
]

_CRC_MISMATCH = re.compile(r"checksum mismatch, found (\d+) calculated (\d+)")


def read_fit(data: bytes, source: str, engine: str = "auto") -> list[Activity]:
    """Read a FIT file into one `Activity` per session.

    Parameters
    ----------
    data : bytes
        The whole file.
    source : str
        How to name the file in messages.
    engine : {"auto", "fitfast", "fitparse"}
        ``auto`` tries fitfast and falls back to fitparse on damaged files.

    Raises
    ------
    ParseError
        Not a FIT file, or nothing readable before the damage; more records than any
        recording (`track.MAX_TRACK_POINTS`, counted before decoding).
    NotAnActivityError
        A valid FIT file that holds no activity (settings, wellness, course...).
    """
    if engine not in {"auto", "fitfast", "fitparse"}:
        raise ValueError(f"engine must be one of auto, fitfast, fitparse, not {engine!r}")
    if len(data) < 12 or data[8:12] != b".FIT":
        raise ParseError(source, "not a FIT file (no '.FIT' signature in the header)")
    limit = track.MAX_TRACK_POINTS  # a record is at least 2 bytes: a smaller file cannot pass the budget
    if len(data) > 2 * limit and record_count(data, limit) > limit:
        raise ParseError(source, track.too_many_points_reason(limit))
    raw = None
    fast_reason = ""
    if engine in {"auto", "fitfast"}:
        import fitfast

        try:
            raw = decode_fitfast(data)
        except BaseException as exc:  # noqa: B036 - a Rust panic is a BaseException
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            # fitfast 0.1 can panic on corrupt input (found by hypothesis); fitparse takes over.
            fast_reason = str(exc) if isinstance(exc, fitfast.FitDecodeError) else f"fitfast failed: {exc}"
            raw = _fitfast_despite_checksum(data, fast_reason)
            if raw is None and engine == "fitfast":
                raise ParseError(source, f"fitfast refused the file: {exc}") from None
    if raw is None:
        raw = decode_fitparse(data, source)
        if "checksum mismatch" in fast_reason and not raw.partial and not crc_is_valid(data):
            raw.warnings.append(CRC_WARNING)
    return activities_from_raw(raw, source)


CRC_WARNING = "checksum mismatch: the file may have been damaged in copying; its records decode cleanly and were kept"


def _fitfast_despite_checksum(data: bytes, reason: str) -> RawFit | None:
    """Decode with fitfast a file it refused only for its checksum.

    fitfast checks the trailing CRC over the data alone, but many older Garmin
    files (header CRC 0) checksum header and data together, which is also valid
    FIT. fitfast's message gives the CRC it expected, so the file is decoded with
    that value in place of the stored one; a warning is kept only when the stored
    CRC matches neither convention.
    """
    match = _CRC_MISMATCH.search(reason)
    if not match or "valid FIT sequence" in reason:
        return None
    patched = data[:-2] + struct.pack("<H", int(match.group(2)))
    try:
        raw = decode_fitfast(patched)
    except BaseException as exc:  # noqa: B036 - see read_fit
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return None
    if not crc_is_valid(data):
        raw.warnings.append(CRC_WARNING)
    return raw
