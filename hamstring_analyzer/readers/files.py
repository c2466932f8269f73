"""A file's bytes, read safely: regular files only, gzip with a size limit, and the format told from the first bytes.

Everything below a reader: `read_activities`, the registry's content tests,
the readers that open files themselves (a daily log) and the export's file
discovery all use these, so they sit in a module that imports no reader.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib

from ..errors import ParseError

#: A decompressed single activity file is never this big; larger is a gzip bomb.
MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024


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


def gunzip(data: bytes, source: str, limit: int | None = None) -> bytes:
    """Decompress gzip data, refusing output larger than ``limit`` bytes."""
    if limit is None:
        limit = MAX_DECOMPRESSED_BYTES
    out = []
    size = 0
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        chunk = d.decompress(data, limit + 1)
        while True:
            out.append(chunk)
            size += len(chunk)
            if size > limit:
                raise ParseError(source, f"decompresses to more than {limit // 2**20} MiB; refused as a likely gzip bomb")
            if not d.unconsumed_tail:
                break
            chunk = d.decompress(d.unconsumed_tail, limit + 1 - size)
    except zlib.error as exc:
        raise ParseError(source, f"broken gzip data ({exc})") from None
    if not d.eof:
        raise ParseError(source, "gzip data is cut short")
    return b"".join(out)
