"""The fitfast engine: the records in one columnar decode, the summaries from a copy cut down to them.

fitfast (Rust) is ~100x faster than fitparse but refuses damaged files
(`read_fit` then falls back to `reference`), and a Rust panic would print
to the terminal unless silenced.
"""

from __future__ import annotations

import contextlib
import os
import sys

import numpy as np

from .profile import (
    ACTIVITY_FIELDS,
    ENUM_FIELDS,
    EVENT_FIELDS,
    FILE_ID_FIELDS,
    LAP_FIELDS,
    RECORD_FIELDS,
    SESSION_FIELDS,
    RawFit,
    enum_name,
    fit_crc,
)


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


#: The FIT profile's global number of the ``record`` message (one sample).
RECORD_NUMBER = 20


def record_count(data: bytes, stop_after: int) -> int:
    """How many ``record`` messages ``data`` holds (every chained sequence), counting no further than ``stop_after + 1``.

    A walk over the message framing only (header bytes and definitions,
    never a field value), so a file is judged before a decoder builds its
    columns: fitfast holds about 500 bytes a record while it decodes. Where
    the framing is not understood the count so far is returned, and the
    decoders judge the file as always.
    """
    count, pos, n = 0, 0, len(data)
    while pos + 14 <= n and data[pos] in (12, 14) and data[pos + 8 : pos + 12] == b".FIT":
        p = pos + data[pos]
        end = min(p + int.from_bytes(data[pos + 4 : pos + 8], "little"), n)
        defined: list[tuple[int, int] | None] = [None] * 16  # local type -> (global number, message size)
        while p < end:
            h = data[p]
            if h & 0x40 and not h & 0x80:  # a definition
                stop = p + 6 + 3 * data[p + 5] if p + 6 <= end else end + 1
                if stop > end:
                    return count
                size = 1 + sum(data[p + 7 : stop : 3])
                if h & 0x20:  # developer fields
                    if stop >= end:
                        return count
                    dev_stop = stop + 1 + 3 * data[stop]
                    size += sum(data[stop + 2 : dev_stop : 3])
                    stop = dev_stop
                defined[h & 0x0F] = (int.from_bytes(data[p + 3 : p + 5], "big" if data[p + 2] else "little"), size)
                p = stop
                continue
            d = defined[(h >> 5) & 3 if h & 0x80 else h & 0x0F]
            if d is None:
                return count
            if d[0] == RECORD_NUMBER:
                count += 1
                if count > stop_after:
                    return count
            p += d[1]
        pos = end + 2
    return count
