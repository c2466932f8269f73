"""A file's bytes, read safely: regular files only, size and inflation budgets, and the format told from the first bytes.

Everything below a reader: `read_activities`, the registry's content tests,
the readers that open files themselves (a daily log) and the export's file
discovery all use these, so they sit in a module that imports no reader.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import zlib

from ..errors import ParseError

MiB = 1024 * 1024
#: One file read whole into memory (an activity file on disk, an activity list, a gzip's
#: content) larger than this is refused before it is parsed: a watch recording once a second
#: for 24 hours writes about 30 MiB of GPX (a few MiB of FIT), and this bounds what a parser holds.
MAX_FILE_BYTES = 64 * MiB
#: A decompressed single activity file is never this big; larger is a gzip bomb.
MAX_DECOMPRESSED_BYTES = MAX_FILE_BYTES
#: A compressed stream (a gzip, a zip member, nested or not) inflating more than this many times
#: its compressed size, beyond the first `RATIO_GRACE_BYTES`, is a bomb: activity files and
#: exports compress 2-30x (Apple's export.xml 10-30x), runs of zeros about 1000x.
MAX_COMPRESSION_RATIO = 200
RATIO_GRACE_BYTES = 1 * MiB


#: What a file is when it is not a regular file, by its ``st_mode`` type test.
NON_REGULAR_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def non_regular_kind(mode: int) -> str | None:
    """What a file of this ``st_mode`` is ("a named pipe", ...) when not a regular file; None when it is."""
    if stat.S_ISREG(mode):
        return None
    return next((name for is_kind, name in NON_REGULAR_KINDS if is_kind(mode)), "a special file")


def open_regular(path: str | os.PathLike):
    """Open ``path`` to read bytes, refusing anything but a regular file (a symlink is followed).

    Opening a named pipe for reading waits for a writer, maybe forever. Opened
    without waiting and checked by what was opened, a pipe, socket or device
    is refused at once, with no gap between the check and the read.

    Returns
    -------
    file object
        Open in binary mode; close it (``with``).

    Raises
    ------
    OSError
        Cannot be opened, or is not a regular file; ``strerror`` says which,
        e.g. "a named pipe, not a regular file".
    """
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_BINARY", 0))
    try:
        kind = non_regular_kind(os.fstat(fd).st_mode)
        if kind:
            raise OSError(errno.EINVAL, f"{kind}, not a regular file", os.fspath(path))
        if nonblocking:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def sniff(data: bytes) -> str | None:
    """'fit', 'gpx', 'tcx', 'gzip', 'zip' or None, from the first bytes."""
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] == b"PK\x03\x04":
        return "zip"
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        if b"<gpx" in head:
            return "gpx"
        if b"<trainingcenterdatabase" in head or b"<activities" in head:
            return "tcx"
        if b"trainingcenterdatabase" in data[:65536].lower():
            return "tcx"
        if b"<gpx" in data[:65536].lower():
            return "gpx"
    return None


def inflation_problem(inflated: int, compressed: int, what: str = "zip") -> str | None:
    """Why a compressed stream is refused as a bomb, once ``inflated`` bytes came out of ``compressed``; None while it is not.

    One test for every compressed stream the readers take (gzip, zip members,
    nested ones): more than `MAX_COMPRESSION_RATIO` times the compressed size,
    beyond the first `RATIO_GRACE_BYTES`. Check it as bytes come out, so a bomb
    is stopped while it inflates. ``what`` names the kind ("gzip", "zip").
    """
    if inflated > RATIO_GRACE_BYTES and inflated > MAX_COMPRESSION_RATIO * max(compressed, 1):
        return f"expands more than {MAX_COMPRESSION_RATIO} times its compressed size; refused as a likely {what} bomb"
    return None


def _size(n: int) -> str:
    """``"300 MiB"``, ``"20 KiB"``: a size as a file manager shows it."""
    return f"{n / MiB:,.0f} MiB" if n >= MiB else f"{n / 1024:,.0f} KiB"


def too_large_reason(size: int, limit: int | None = None) -> str:
    """``"300 MiB, larger than any activity file: at most 64 MiB are read"`` (a file's size past the budget)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    return f"{_size(size)}, larger than any activity file: at most {_size(limit)} are read"


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """A regular file's bytes (`open_regular`), refusing a file larger than ``limit`` (`MAX_FILE_BYTES`) unread.

    Raises
    ------
    OSError
        As `open_regular`; or the file is larger than the limit (``errno.EFBIG``,
        ``strerror`` from `too_large_reason`), told before its bytes are read.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise OSError(errno.EFBIG, too_large_reason(size, limit), os.fspath(path))
        data = fh.read(limit + 1)  # the file may have grown since
    if len(data) > limit:
        raise OSError(errno.EFBIG, too_large_reason(len(data), limit), os.fspath(path))
    return data


def gunzip(data: bytes, source: str, limit: int | None = None) -> bytes:
    """Decompress gzip data, refusing output larger than ``limit`` bytes or inflating like a bomb (`inflation_problem`)."""
    if limit is None:
        limit = MAX_DECOMPRESSED_BYTES
    out = io.BytesIO()  # its value is handed over without a copy (a list joined would need twice the memory)
    size = 0
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        chunk = d.decompress(data, MiB)  # a MiB at a time, every limit checked as it comes out
        while True:
            out.write(chunk)
            size += len(chunk)
            if size > limit:
                raise ParseError(source, f"decompresses to more than {_size(limit)}; refused as a likely gzip bomb")
            if problem := inflation_problem(size, len(data), "gzip"):
                raise ParseError(source, problem)
            if d.eof or (not d.unconsumed_tail and len(chunk) < MiB):
                break
            chunk = d.decompress(d.unconsumed_tail, MiB)
    except zlib.error as exc:
        raise ParseError(source, f"broken gzip data ({exc})") from None
    if not d.eof:
        raise ParseError(source, "gzip data is cut short")
    return out.getvalue()
