"""Read any run file (FIT, GPX, TCX, Apple Health, Strava CSV, Garmin summaries, Polar; gzipped or not) into `Activity` objects.

The format is decided from the content, not the file name, because exports
mislabel files; `registry.READERS` lists the formats. Whatever happens inside a decoder, only `ParseError` (or its
`NotAnActivityError` subclass) leaves this module.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib

from ..activity import Activity
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
            with open_regular(name) as fh:
                data = fh.read()
        except OSError as exc:
            raise ParseError(name, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return _read(data, name, engine)
    except ParseError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: B036 - a decoder bug (even a Rust panic) must reach the user as one line
        raise ParseError(name, f"could not be decoded ({type(exc).__name__}: {str(exc)[:200]})") from None


def _streamed_path(name: str) -> str | None:
    """The streamed reader's kind when ``name`` is a file such a reader takes (read from disk, not memory)."""
    from .registry import reader_for_name

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
    from .registry import SNIFF_BYTES, reader_for_content

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
        from .fit import read_fit

        return read_fit(data, source, engine=engine)
    if reader.streamed:
        return reader.load()(Opener.from_bytes(data, reader.kind), source)
    return reader.load()(data, source)


class Opener:
    """Where a streamed reader's file is, picklable for a worker: a path, or a member of a zip on disk.

    A streamed file (Apple Health's ``export.xml``, gigabytes) is never read
    into memory: the worker opens it itself. ``sibling`` reads a small file
    beside it (a workout route), relative to the file's folder.
    """

    def __init__(self, kind: str, path=None, member: str | None = None, data: bytes | None = None):
        self.kind = kind
        self.path = os.fspath(path) if path is not None else None
        self.member = member
        self.data = data

    @classmethod
    def from_bytes(cls, data: bytes, kind: str) -> "Opener":
        return cls(kind, data=data)

    def __len__(self) -> int:  # bytes held in memory (what the export's in-flight budget counts)
        return len(self.data) if self.data is not None else 0

    def reader(self):
        from .registry import BY_KIND

        return BY_KIND[self.kind]

    def open(self):
        """The file as a binary stream (close it)."""
        import io
        import zipfile

        if self.data is not None:
            return io.BytesIO(self.data)
        if self.member is None:
            return open_regular(self.path)
        zf = zipfile.ZipFile(open_regular(self.path))
        try:
            info = zf.getinfo(self.member)
            return _ClosingMember(zf, zf.open(info), info.compress_size, self.member)
        except BaseException:
            zf.close()
            raise

    def size(self) -> int | None:
        import zipfile

        if self.data is not None:
            return len(self.data)
        if self.member is None:
            return os.stat(self.path).st_size
        with zipfile.ZipFile(open_regular(self.path)) as zf:
            return zf.getinfo(self.member).file_size

    def sibling(self, relative: str, limit: int) -> bytes | None:
        """A file beside this one (``relative`` to its folder, no '..'), at most ``limit`` bytes; None when absent."""
        import posixpath
        import zipfile

        parts = [p for p in relative.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            return None
        if self.data is not None:
            return None
        if self.member is None:
            path = os.path.join(os.path.dirname(self.path), *parts)
            try:
                with open_regular(path) as fh:
                    data = fh.read(limit + 1)
            except OSError:
                return None
        else:
            name = posixpath.join(posixpath.dirname(self.member), *parts)
            try:
                with zipfile.ZipFile(open_regular(self.path)) as zf, zf.open(name) as fh:
                    data = fh.read(limit + 1)
            except (KeyError, OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, zlib.error):
                return None
        return data if len(data) <= limit else None

    def __repr__(self) -> str:
        where = self.path if self.member is None else f"{self.path}!{self.member}"
        return f"<Opener {self.kind} {where if self.data is None else f'{len(self.data)} bytes'}>"


#: A streamed archive member inflating more than this many times its compressed size, beyond
#: the first `STREAM_RATIO_GRACE_BYTES`, is a bomb (Apple's export.xml compresses 10-30x).
MAX_STREAM_RATIO = 200
STREAM_RATIO_GRACE_BYTES = 1024 * 1024


class _ClosingMember:
    """A zip member's stream that closes its archive with it, and stops a zip bomb as it inflates."""

    def __init__(self, zf, fh, compressed: int = 0, name: str = ""):
        self._zf, self._fh = zf, fh
        self._limit = MAX_STREAM_RATIO * max(compressed, 1)
        self._name = name
        self._n = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._n += len(data)
        if self._n > STREAM_RATIO_GRACE_BYTES and self._n > self._limit:
            raise ValueError(f"{self._name} expands more than {MAX_STREAM_RATIO} times its compressed size; refused as a likely zip bomb")
        return data

    def close(self) -> None:
        self._fh.close()
        self._zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
