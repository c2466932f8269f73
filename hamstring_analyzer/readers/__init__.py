"""Read any run file (FIT, GPX, TCX, Apple Health, Strava CSV, Garmin summaries, Polar; gzipped or not) into `Activity` objects.

The format is decided from the content, not the file name, because exports
mislabel files; `registry.READERS` lists the formats. Whatever happens inside a decoder, only `ParseError` (or its
`NotAnActivityError` subclass) leaves this module. Reading bytes safely (regular files, gzip) is in
`files`, a streamed file's `Opener` in `opener`; both are offered here too.
"""

from __future__ import annotations

import os

from ..activity import Activity
from ..errors import ParseError, unexpected_problem
from .files import MAX_DECOMPRESSED_BYTES, MAX_FILE_BYTES, NON_REGULAR_KINDS, gunzip, non_regular_kind, open_regular, read_regular, sniff
from .fit import read_fit
from .opener import MAX_STREAM_RATIO, STREAM_RATIO_GRACE_BYTES, Opener
from .registry import SNIFF_BYTES, reader_for_content, reader_for_name

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "MAX_FILE_BYTES",
    "MAX_STREAM_RATIO",
    "NON_REGULAR_KINDS",
    "Opener",
    "STREAM_RATIO_GRACE_BYTES",
    "gunzip",
    "non_regular_kind",
    "open_regular",
    "read_regular",
    "read_activities",
    "sniff",
]


def read_activities(source, data: bytes | None = None, *, engine: str = "auto") -> list[Activity]:
    """Read one file into a list of activities (one per session or track).

    Parameters
    ----------
    source : str or path
        The file to read; when ``data`` is given, only the name used in messages.
    data : bytes or Opener, optional
        The file's content, when it is already in memory (inside an archive), or
        an `Opener` for a streamed format. A file on disk that a streamed reader
        takes (Apple Health's ``export.xml``) is streamed, never read whole.
    engine : {"auto", "fitfast", "fitparse"}
        FIT decoder choice; see `hamstring_analyzer.readers.fit.read_fit`.

    An entry of a list (a row of ``activities.csv``, a Garmin summary, an
    Apple workout, a Polar exercise) that cannot be read comes back in its
    place as a refused entry: ``readers.summary_only.refusal(a)`` gives where
    it is in the file and why; it is None for every activity.

    Raises
    ------
    ParseError
        Unreadable, empty, wrong format, or no usable data. Nothing else.
    NotAnActivityError
        A valid file that holds no activity (settings, wellness, routes).
    """
    name = os.fspath(source)
    streamed = _streamed_path(name) if data is None else None
    if streamed:
        data = Opener(streamed, name)
    if data is None:
        try:
            data = read_regular(name)  # larger than any activity file: refused unread
        except OSError as exc:
            raise ParseError(name, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return _read(data, name, engine)
    except ParseError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: B036 - a decoder bug (even a Rust panic) must reach the user as one line
        raise ParseError(name, f"could not be read: {unexpected_problem(exc, 'in the reader')}") from None


def _streamed_path(name: str) -> str | None:
    """The streamed reader's kind when ``name`` is a file such a reader takes (read from disk, not memory)."""
    reader = reader_for_name(name)
    if reader is None or not reader.streamed or name.lower().endswith(".gz"):
        return None
    try:
        with open_regular(name) as fh:
            head = fh.read(4096)
    except OSError:
        return None
    return reader.kind if reader.sniff(head, name) else None


def _read(data, source: str, engine: str) -> list[Activity]:
    if isinstance(data, Opener):
        return data.reader().load()(data, source)
    if not data:
        raise ParseError(source, "file is empty")
    kind = sniff(data)
    if kind == "gzip":
        inner = gunzip(data, source)
        if sniff(inner) == "gzip":
            raise ParseError(source, "gzip inside gzip; refused")
        return _read(inner, source, engine)
    if kind == "zip":
        raise ParseError(source, "is a zip archive; point load_runs at it to read its members")
    reader = reader_for_content(data[:SNIFF_BYTES], source)
    if reader is None:
        raise ParseError(source, "not a FIT, GPX or TCX file, nor an export list we read (unrecognised content)")
    if reader.kind == "fit":
        return read_fit(data, source, engine=engine)
    if reader.streamed:
        return reader.load()(Opener.from_bytes(data, reader.kind), source)
    return reader.load()(data, source)
