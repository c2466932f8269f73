"""`Opener`: a streamed reader's file, opened where it is by the worker that parses it.

The ingest hands workers an opener, not the bytes, for files that can
exceed memory; an archive member is inflated as it is read, with a guard
against zip bombs (`files.inflation_problem`, the test every compressed stream gets).
"""

from __future__ import annotations

import io
import os
import posixpath
import zipfile
import zlib

from .files import MAX_COMPRESSION_RATIO, RATIO_GRACE_BYTES, inflation_problem, open_regular
from .registry import BY_KIND


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
        return BY_KIND[self.kind]

    def open(self):
        """The file as a binary stream (close it)."""
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
        if self.data is not None:
            return len(self.data)
        if self.member is None:
            return os.stat(self.path).st_size
        with zipfile.ZipFile(open_regular(self.path)) as zf:
            return zf.getinfo(self.member).file_size

    def sibling(self, relative: str, limit: int) -> bytes | None:
        """A file beside this one (``relative`` to its folder, no '..'), at most ``limit`` bytes; None when absent."""
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


#: The ratio test of `files.inflation_problem`, under the names this module first gave it.
MAX_STREAM_RATIO = MAX_COMPRESSION_RATIO
STREAM_RATIO_GRACE_BYTES = RATIO_GRACE_BYTES


class _ClosingMember:
    """A zip member's stream that closes its archive with it, and stops a zip bomb as it inflates."""

    def __init__(self, zf, fh, compressed: int = 0, name: str = ""):
        self._zf, self._fh = zf, fh
        self._compressed = compressed
        self._name = name
        self._n = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._n += len(data)
        if problem := inflation_problem(self._n, self._compressed, "zip"):
            raise ValueError(f"{self._name} {problem}")
        return data

    def close(self) -> None:
        self._fh.close()
        self._zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
