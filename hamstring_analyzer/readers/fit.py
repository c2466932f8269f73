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

References
----------
Garmin FIT SDK profile (Profile.xlsx): record, session, lap, activity, file_id, event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import struct
import sys
from dataclasses import dataclass, field

import numpy as np

from .. import glossary as g
from ..activity import Activity, make_samples
from ..errors import NotAnActivityError, ParseError

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

#: No recording is dated after 2100-01-01 UTC: a later date is a clock that was never set.
LATEST_DATE_S = 4102444800.0
#: The longest duration a FIT session can state (uint32 milliseconds) [s].
MAX_SESSION_S = (2**32 - 1) / 1000.0
#: No sport averages more over a session [m/s]: a longer total distance is corrupt.
MAX_MEAN_SPEED_MPS = 100.0
#: Session and lap totals that are durations [s].
DURATION_FIELDS = ("total_elapsed_time", "total_timer_time")

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
_CRC_MISMATCH = re.compile(r"checksum mismatch, found (\d+) calculated (\d+)")


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


# ---------------------------------------------------------------- engines ----


@contextlib.contextmanager
def _stderr_silenced():
    """Send file descriptor 2 to the null device while the block runs.

    fitfast can panic on corrupt input. The panic reaches Python as an
    exception, which `read_fit` turns into a fallback or one line naming the
    file, but Rust's default panic hook first writes "thread ... panicked at
    ..." and a backtrace hint straight to fd 2, and fitfast has no setting to
    stop it. fd 2 belongs to the whole process: this is safe because files are
    parsed one at a time, in the main thread or in a worker process of their
    own; another thread writing to stderr meanwhile would lose its output.
    """
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()  # what Python already wrote reaches the terminal first
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 at all: nothing to protect
        saved = None
    if saved is None:
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _fitfast_columns(data: bytes, message: str) -> dict[str, np.ndarray]:
    """``fitfast.records`` of one message kind, in raw units, with no Rust panic text on stderr."""
    import fitfast

    with _stderr_silenced():
        return fitfast.records(data, message, degrees=False)


#: The summary messages `decode_fitfast` reads (FIT profile name, global number, fields).
SUMMARY_MESSAGES = (
    ("activity", 34, ACTIVITY_FIELDS),
    ("file_id", 0, FILE_ID_FIELDS),
    ("session", 18, SESSION_FIELDS),
    ("lap", 19, LAP_FIELDS),
    ("event", 21, EVENT_FIELDS),
)
#: Global message numbers kept by `_summary_only`: the summaries, and field_description
#: (206) and developer_data_id (207), which name the developer fields fitfast adds to them.
_SUMMARY_NUMBERS = frozenset({number for _, number, _ in SUMMARY_MESSAGES} | {206, 207})


def _summary_only(data: bytes) -> bytes | None:
    """``data`` cut down to its summary messages, a FIT file of its own; None when unsure.

    fitfast decodes one message kind per call, and each call decodes the whole
    file: five calls for the summaries cost 3.4 times the ``record`` call. Its other
    calls do not help (``parse`` builds a dict for every record, ``count``
    returns no values), so this walks the message framing once (header byte,
    definition sizes, never a field value) and keeps every definition and
    message of the kinds in `_SUMMARY_NUMBERS`, with a fresh header and CRC per
    FIT sequence (chained files stay chained). fitfast then decodes a few
    hundred bytes per kind.

    The result decodes to the same summary columns as ``data`` itself (checked
    bit for bit on every real file and hundreds of damaged copies): a data
    message depends only on its definition, the developer field descriptions
    and earlier messages of its own kind (accumulated fields), all kept, with
    one exception: a compressed timestamp header counts from the previous
    message's time, which may have been a record. Such a summary message, or
    anything in the framing that fitfast (rustyfit) would not read the same
    way, gives None and the caller decodes the whole file.
    """
    out = []
    pos, n = 0, len(data)
    while pos < n:
        if pos + 14 > n:
            return None
        header_size = data[pos]
        if header_size not in (12, 14) or data[pos + 8 : pos + 12] != b".FIT":
            return None
        start = pos + header_size
        end = start + int.from_bytes(data[pos + 4 : pos + 8], "little")
        if end + 2 > n:
            return None
        body = _summary_messages(data, start, end)
        if body is None:
            return None
        header = bytearray(data[pos : pos + 12])
        header[0] = 14
        header[4:8] = len(body).to_bytes(4, "little")
        out += [bytes(header), b"\0\0", body, fit_crc(body).to_bytes(2, "little")]  # header CRC 0: not computed
        pos = end + 2
    return b"".join(out) if out else None


def _summary_messages(data: bytes, pos: int, end: int) -> bytes | None:
    """The definitions and messages of the summary kinds in ``data[pos:end]`` (one FIT sequence's messages)."""
    skip = [0] * 256  # record header byte -> size of a message to skip; 0: look closer
    defined: list[tuple[bytes, int, int] | None] = [None] * 16  # local type -> (definition, global number, message size)
    written = [False] * 16  # the local type's current definition is in the output
    out = []
    while pos < end:
        h = data[pos]
        size = skip[h]
        if size:  # the hot path: a record (or another kind not kept)
            pos += size
            if pos < end and data[pos] == h:  # a run of them, one after another: stride over it
                span, header = 16, data[pos : pos + 1]
                while True:  # every ``size``-th byte from here, in growing windows: cost follows the run's length
                    heads = data[pos : min(end, pos + span * size) : size]
                    same = len(heads) - len(heads.lstrip(header))
                    pos += same * size
                    if same < len(heads) or pos >= end:
                        break
                    span *= 2
            continue
        if h & 0x80:  # compressed timestamp header, local type 0-3
            d = defined[(h >> 5) & 3]
            if d is None or d[1] in _SUMMARY_NUMBERS:
                return None
            pos += d[2]
        elif h & 0x40:  # definition message
            local = h & 0x0F
            stop = pos + 6 + 3 * data[pos + 5] if pos + 6 <= end else end + 1
            if stop > end:
                return None
            size = 1 + sum(data[pos + 7 : stop : 3])
            if h & 0x20:  # developer fields follow
                if stop >= end:
                    return None
                dev_stop = stop + 1 + 3 * data[stop]
                if dev_stop > end:
                    return None
                size += sum(data[stop + 2 : dev_stop : 3])
                stop = dev_stop
            number = int.from_bytes(data[pos + 3 : pos + 5], "big" if data[pos + 2] else "little")
            defined[local] = (data[pos:stop], number, size)
            written[local] = False
            step = 0 if number in _SUMMARY_NUMBERS else size
            skip[local] = skip[local | 0x10] = step
            if local < 4:
                first = 0x80 | local << 5
                skip[first : first + 32] = [step] * 32
            pos = stop
        else:  # a data message: a summary, or a header with reserved bits set
            local = h & 0x0F
            d = defined[local]
            if d is None:
                return None
            if d[1] in _SUMMARY_NUMBERS:
                if not written[local]:
                    out.append(d[0])
                    written[local] = True
                out.append(data[pos : pos + d[2]])
            pos += d[2]
    return b"".join(out) if pos == end else None


def _fitfast_tables(data: bytes) -> dict[str, list[dict]]:
    """The summary messages of ``data`` as rows (field -> value, absent when invalid), enums named."""
    import fitfast

    tables = {}
    with _stderr_silenced():
        for message, _, fields in SUMMARY_MESSAGES:
            cols = fitfast.records(data, message, degrees=False)
            n = len(next(iter(cols.values()))) if cols else 0
            rows: list[dict] = [{} for _ in range(n)]
            for f in fields:
                if f not in cols:
                    continue
                kind = ENUM_FIELDS.get(f)
                for row, v in zip(rows, cols[f].tolist()):
                    if v == v:  # not NaN
                        row[f] = enum_name(kind, v) if kind else v
            tables[message] = rows
    return tables


def decode_fitfast(data: bytes) -> RawFit:
    """Decode with fitfast; raises ``fitfast.FitDecodeError`` on any damage.

    One full decode for the records; the summaries come from `_summary_only`,
    or from the whole file when that declines.
    """
    import fitfast

    cols = _fitfast_columns(data, "record")
    records = {f: cols[f] for f in RECORD_FIELDS if f in cols}
    if len(cols.get("timestamp", ())) and not {"speed", "enhanced_speed", "distance"} & set(cols):
        # Old footpod watches pack speed and distance into `compressed_speed_distance`,
        # a byte array fitfast does not expand; fitparse does.
        raise fitfast.FitDecodeError("no speed or distance columns (maybe compressed_speed_distance)")
    tables = None
    summary = _summary_only(data)
    if summary is not None:
        try:
            tables = _fitfast_tables(summary)
        except BaseException as exc:  # noqa: B036 - never seen; the whole file then decides, as it always did
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
    if tables is None:
        tables = _fitfast_tables(data)
    activity, file_id = tables["activity"], tables["file_id"]
    return RawFit(
        records=records,
        sessions=tables["session"],
        laps=tables["lap"],
        activity=activity[0] if activity else None,
        file_id=file_id[0] if file_id else None,
        engine="fitfast",
        events=tables["event"],
    )


TIME_FIELDS = frozenset({"timestamp", "start_time", "local_timestamp"})
#: FIT times below 0x10000000 count seconds since the device powered on, not dates.
FIRST_ABSOLUTE_TIME_S = FIT_EPOCH_S + 0x10000000


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
    text = str(exc).strip() or type(exc).__name__
    if "EOF" in type(exc).__name__ or "expected" in text and "got" in text:
        return f"ends early: {text}"
    return text.splitlines()[0][:200]


# ------------------------------------------------------------ normalising ----


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
        Not a FIT file, or nothing readable before the damage.
    NotAnActivityError
        A valid FIT file that holds no activity (settings, wellness, course...).
    """
    if engine not in {"auto", "fitfast", "fitparse"}:
        raise ValueError(f"engine must be one of auto, fitfast, fitparse, not {engine!r}")
    if len(data) < 12 or data[8:12] != b".FIT":
        raise ParseError(source, "not a FIT file (no '.FIT' signature in the header)")
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


def _device(file_id: dict | None) -> str | None:
    if not file_id:
        return None
    maker = file_id.get("manufacturer")
    product = file_id.get("garmin_product", file_id.get("product"))
    if maker == "garmin" and product is not None:
        product = enum_name("garmin_product", product)
    elif isinstance(product, float):
        product = str(int(product))
    parts = [p for p in (maker, product) if p]
    return " ".join(parts) or None


def _utc_offset(activity: dict | None) -> int | None:
    if not activity or "local_timestamp" not in activity or "timestamp" not in activity:
        return None
    offset = activity["local_timestamp"] - activity["timestamp"]
    if abs(offset) > 14 * 3600:
        return None
    return int(round(offset / 900.0) * 900)  # zones come in quarter hours


def _normalise_records(raw: dict[str, np.ndarray], foot_sport: bool) -> dict[str, np.ndarray]:
    def col(name):
        return raw.get(name)

    def prefer(enhanced, plain, resolution):
        # Enhanced fields win, except where they only repeat the plain field: a
        # file that writes just `speed` gets `enhanced_speed` by component
        # expansion, and decoders differ in how they round that copy (fitfast
        # gives 2.005 for a raw 2006 mm/s). The plain value is then the exact one.
        a, b = col(enhanced), col(plain)
        if a is None:
            return b
        if b is None:
            return a
        copy = np.abs(a - b) <= resolution * 1.01
        return np.where(np.isnan(a) | copy, b, a)

    out: dict[str, np.ndarray] = {}
    if col("distance") is not None:
        out[g.DISTANCE] = col("distance")
    speed = prefer("enhanced_speed", "speed", 0.001)
    if speed is not None:
        if foot_sport:  # faster than any human: a GPS glitch, not a sprint
            speed = np.where(speed >= 12.0, np.nan, speed)
        out[g.SPEED] = speed
    altitude = prefer("enhanced_altitude", "altitude", 0.2)
    if altitude is not None:
        out[g.ALTITUDE] = altitude
    if col("heart_rate") is not None:
        hr = col("heart_rate")
        out[g.HEART_RATE] = np.where(hr > 0, hr, np.nan)
    if col("cadence") is not None:
        cad = col("cadence")
        frac = col("fractional_cadence")
        if frac is not None:
            cad = cad + np.nan_to_num(frac, nan=0.0)
        if foot_sport:
            out[g.CADENCE] = 2.0 * cad  # FIT counts strides of one foot
        else:
            out[g.CADENCE_RPM] = cad
    lat, lon = col("position_lat"), col("position_long")
    if lat is not None and lon is not None:
        lat = lat * SEMICIRCLE_DEG
        lon = lon * SEMICIRCLE_DEG
        bad = (np.abs(lat) > 90) | (np.abs(lon) > 180) | ((lat == 0) & (lon == 0))
        out[g.LATITUDE] = np.where(bad, np.nan, lat)
        out[g.LONGITUDE] = np.where(bad, np.nan, lon)
    for fit_name, name in (
        ("step_length", g.STEP_LENGTH),
        ("vertical_ratio", g.VERTICAL_RATIO),
        ("stance_time", g.STANCE_TIME),
        ("vertical_oscillation", g.VERTICAL_OSCILLATION),
    ):
        if col(fit_name) is not None:
            v = col(fit_name)
            out[name] = np.where(v > 0, v, np.nan)
    return out


def _laps(rows: list[dict], start: float, end: float) -> list[dict]:
    """The laps between ``start`` and ``end`` [UNIX s] as `Activity.lap_rows`, in order of their start."""
    import pandas as pd

    laps = [r for r in rows if "start_time" in r and start - 1 <= r["start_time"] <= end + 1]
    laps.sort(key=lambda r: r["start_time"])

    def when(x):
        return pd.Timestamp(x, unit="s", tz="UTC") if np.isfinite(x) else None

    def number(x):
        return None if x is None or not np.isfinite(x) else float(x)

    return [
        {
            g.LAP_START: when(r["start_time"]),
            g.LAP_END: when(r.get("timestamp", r["start_time"] + r.get("total_elapsed_time", 0.0))),
            g.LAP_DISTANCE: number(r.get("total_distance")),
            g.LAP_TIMER: number(r.get("total_timer_time")),
            g.LAP_ELAPSED: number(r.get("total_elapsed_time")),
            g.LAP_INTENSITY: INTENSITY_NAMES.get(int(r["intensity"])) if "intensity" in r else None,
        }
        for r in laps
    ]


def _plausible_date(unix_s: float) -> bool:
    return FIT_EPOCH_S <= unix_s <= LATEST_DATE_S


def _date_text(unix_s: float) -> str:
    """A date for a message, even one no calendar holds."""
    try:
        return dt.datetime.fromtimestamp(unix_s, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return "beyond the year 9999" if unix_s > 0 else "before the year 1"


def _plausible_distance(distance_m: float, duration_s: float | None) -> bool:
    """True for a total no session could fail to cover: not negative, no faster than any sport."""
    longest = duration_s if duration_s is not None and duration_s > 0 else MAX_SESSION_S
    return 0.0 <= distance_m <= MAX_MEAN_SPEED_MPS * longest


class _Ignored:
    """Impossible summary values left out, told once per message and field."""

    def __init__(self):
        self.seen: dict[tuple[str, str], list] = {}

    def add(self, kind: str, name: str, text: str) -> None:
        self.seen.setdefault((kind, name), [text, 0])[1] += 1

    def warnings(self) -> list[str]:
        out = []
        for (kind, name), (text, count) in self.seen.items():
            times = f" ({count} messages)" if count > 1 else ""
            out.append(f"{kind} {name} {text} is impossible and was ignored{times}")
        return out


def _checked_row(row: dict, kind: str, ignored: _Ignored) -> dict:
    """``row`` without dates outside 1989..2100 or totals no session can hold."""
    out = dict(row)
    for name in TIME_FIELDS & row.keys():
        if not _plausible_date(row[name]):
            ignored.add(kind, name, f"dated {_date_text(row[name])}")
            del out[name]
    for name in DURATION_FIELDS:
        if name in out and not 0.0 <= out[name] <= MAX_SESSION_S:
            ignored.add(kind, name, f"of {out.pop(name):g} s")
    if "total_distance" in out:
        # Wall-clock time first: the reader trusts it over the timer (see activities_from_raw).
        duration = out.get("total_elapsed_time", out.get("total_timer_time"))
        if not _plausible_distance(out["total_distance"], duration):
            ignored.add(kind, "total_distance", f"of {out.pop('total_distance'):g} m")
    return out


def _without_impossible_values(raw: RawFit, source: str) -> RawFit:
    """A copy of ``raw`` whose dates and totals can be real, so nothing downstream overflows.

    FIT stores times as seconds since 1989-12-31 and totals as unsigned
    integers, but a damaged file or a watch whose clock was never set can still
    say 2110, or cover 40,000 km in half an hour. Such summary values are left
    out with a warning; records dated outside 1989..2100 are left out. Sample
    values (a 1,000 m/s speed) stay: cleaning judges samples.

    Raises
    ------
    ParseError
        Every record (or, without records, every summary) is dated outside 1989..2100.
    """
    ignored = _Ignored()
    records = dict(raw.records)
    times = records.get("timestamp")
    bad_times = np.array([], dtype="float64")
    warnings = []
    if times is not None:
        dated = np.isfinite(times)  # inf, like NaN, is no date: records_frame drops both
        ok = (times >= FIT_EPOCH_S) & (times <= LATEST_DATE_S)
        bad_times = times[dated & ~ok]
        if len(bad_times):
            records["timestamp"] = np.where(ok, times, np.nan)
            warnings.append(f"{len(bad_times)} records dated outside 1989..2100 were left out")
    sessions = [_checked_row(r, "session", ignored) for r in raw.sessions]
    laps = [_checked_row(r, "lap", ignored) for r in raw.laps]
    activity = _checked_row(raw.activity, "activity", ignored) if raw.activity else raw.activity
    events = [_checked_row(r, "event", ignored) for r in raw.events]

    # The date to name: the session's start, else the first record's.
    starts = [r["start_time"] for r in raw.sessions + raw.laps if "start_time" in r and np.isfinite(r["start_time"])]
    if times is not None and np.isfinite(times).any():
        undated = not np.isfinite(records["timestamp"]).any()
    else:
        undated = bool(starts) and not any(_plausible_date(t) for t in starts)
    bad_starts = [t for t in starts if not _plausible_date(t)]
    when = min(bad_starts) if bad_starts else (float(bad_times.min()) if len(bad_times) else None)
    if undated and when is not None:
        side = "after 2100" if when > LATEST_DATE_S else "before the FIT epoch (1989-12-31)"
        raise ParseError(source, f"dated {_date_text(when)}, {side}; the watch's clock was not set?")
    return RawFit(
        records=records,
        sessions=sessions,
        laps=laps,
        activity=activity,
        file_id=raw.file_id,
        engine=raw.engine,
        partial=raw.partial,
        warnings=list(raw.warnings) + warnings + ignored.warnings(),
        events=events,
    )


def _distances(session: dict, records):
    """The session's total distance [m], then the records' (first to last), as far as either exists."""
    if "total_distance" in session:
        yield "session total_distance", session["total_distance"]
    if g.DISTANCE in records:
        d = records[g.DISTANCE]
        d = d[~np.isnan(d)]
        if len(d):
            yield "distance from the records", float(d[-1] - d[0])


def _gear_changes(events: list[dict], start: float, end: float) -> int:
    """Gear-change events between ``start`` and ``end`` [UNIX s]; all of them when unbounded."""
    gear = [e for e in events if e.get("event") in GEAR_CHANGE_EVENTS]
    if np.isinf(start) and np.isinf(end):
        return len(gear)
    return sum(1 for e in gear if start <= e.get("timestamp", np.nan) <= end)


def activities_from_raw(raw: RawFit, source: str) -> list[Activity]:
    """Split a decoded FIT file into one `Activity` per session.

    Raises
    ------
    ParseError
        No sessions and no records, or no record that can be placed in time
        (clock never set: times since power-on, or dates outside 1989..2100).
    NotAnActivityError
        A file type that holds no activity.
    """
    import pandas as pd

    file_type = (raw.file_id or {}).get("type")
    times = raw.records.get("timestamp")
    n_records = 0 if times is None else int(np.isfinite(times).sum())
    if file_type in NON_ACTIVITY_TYPES and not raw.sessions:
        raise NotAnActivityError(source, f"FIT file type '{file_type}': {NON_ACTIVITY_TYPES[file_type]}")
    if not raw.sessions and n_records == 0:
        if file_type not in (None, "activity"):
            raise NotAnActivityError(source, f"FIT file type '{file_type}' holds no activity")
        raise ParseError(source, "FIT file holds no sessions and no records")

    raw = _without_impossible_values(raw, source)
    times = raw.records.get("timestamp")
    n_records = 0 if times is None else int(np.isfinite(times).sum())
    if n_records and np.nanmax(times) < FIRST_ABSOLUTE_TIME_S:
        raise ParseError(source, "times count seconds since the watch was switched on, not dates (clock never set), so the run cannot be placed in time")
    sessions = [s for s in raw.sessions if "start_time" in s] or [{}]
    sessions.sort(key=lambda s: s.get("start_time", 0.0))
    if times is None:
        times = np.array([], dtype="float64")
    device = _device(raw.file_id)
    offset = _utc_offset(raw.activity)
    activities = []
    for index, session in enumerate(sessions):
        sport = session.get("sport")
        sub_sport = session.get("sub_sport")
        if session:
            start = session["start_time"]
            if "total_elapsed_time" in session:
                end = start + session["total_elapsed_time"]
            else:
                end = session.get("timestamp", np.inf)
            # Records just past the session's end still belong to a one-session file.
            mask = (times >= start) & (times <= end) if len(sessions) > 1 else np.isfinite(times)
        else:
            mask = np.isfinite(times)
        # Like the records: a session's own time range only when the file holds several.
        gear_changes = _gear_changes(raw.events, *((start, end) if session and len(sessions) > 1 else (-np.inf, np.inf)))
        foot = sport in g.FOOT_SPORTS or sport is None
        rec = {k: v[mask] for k, v in raw.records.items() if k != "timestamp"}
        records = make_samples(times[mask], _normalise_records(rec, foot))
        if session and "start_time" in session:
            start_utc = pd.Timestamp(session["start_time"], unit="s", tz="UTC")
        elif len(records):
            start_utc = pd.Timestamp(int(records.t_ns[0]), tz="UTC")
        else:
            start_utc = None
        elapsed = session.get("total_elapsed_time")
        if elapsed is None and len(records) > 1:
            elapsed = pd.Timedelta(int(records.t_ns[-1] - records.t_ns[0])).total_seconds()
        moving = session.get("total_timer_time", elapsed)
        if moving is not None and elapsed is not None and moving > elapsed:
            moving = elapsed  # timer rounding, or a session summary the watch got wrong
        warnings = list(raw.warnings)
        distance = None
        for label, value in _distances(session, records):
            if _plausible_distance(value, elapsed):
                distance = value
                break
            warnings.append(f"{label} of {value:g} m in {elapsed or 0:g} s is impossible and was ignored")
        partial = raw.partial
        if partial and len(records) and start_utc is not None and elapsed is None:
            elapsed = (pd.Timestamp(int(records.t_ns[-1]), tz="UTC") - start_utc).total_seconds()
        if partial and not session:
            warnings.append("no session summary (the watch stopped before writing it): totals come from the records")
        activities.append(
            Activity(
                records=records,
                laps=_laps(raw.laps, start_utc.timestamp() if start_utc is not None else -np.inf, (start_utc.timestamp() + (elapsed or 0)) if start_utc is not None else np.inf)
                if len(sessions) > 1
                else _laps(raw.laps, -np.inf, np.inf),
                source=source,
                format="fit",
                sport=sport,
                sub_sport=sub_sport,
                device=device,
                start_utc=start_utc,
                utc_offset_s=offset,
                elapsed_s=float(elapsed) if elapsed is not None else None,
                moving_s=float(moving) if moving is not None else None,
                distance_m=float(distance) if distance is not None else None,
                partial=partial,
                session_index=index,
                warnings=warnings,
                gear_changes=gear_changes,
            )
        )
    return activities
