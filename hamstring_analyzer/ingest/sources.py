"""Where an export's files come from: folders, archives (nested zips), streamed files, and their limits.

`find_sources` walks a folder, a zip archive or one file and gives every
activity file as a `Source`, in a stable order, holding at most one archive
member's bytes at a time; nothing is extracted to disk. Only regular files are
read: a named pipe, socket or device is listed as skipped. Every archive tree
has a byte budget (`MAX_ARCHIVE_BYTES`), every member a size and a
compression-ratio limit, so a zip bomb is refused while it inflates.
What was not given (ignored, skipped, refused) is appended to ``outcomes``
with its reason (`wording`).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from ..errors import HamstringAnalyzerError, ParseError
from ..readers import Opener, non_regular_kind, open_regular
from ..readers.files import MAX_COMPRESSION_RATIO, RATIO_GRACE_BYTES  # noqa: F401 - the ratio test's numbers, named here too
from ..readers.files import MAX_FILE_BYTES, inflation_problem, read_regular
from ..readers.registry import is_streamed_name, reader_for_name
from ..store import content_key
from .wording import APPLE_ROUTE_REASON, not_activity_reason

#: One member of an archive larger than this, decompressed, is refused: no activity
#: file comes close (a 24-hour FIT recording with every sensor is a few MiB). The same
#: budget as a file on disk (`readers.files.MAX_FILE_BYTES`); the ratio test
#: (`MAX_COMPRESSION_RATIO`, `RATIO_GRACE_BYTES`) is `readers.files.inflation_problem`, as for gzip.
MAX_MEMBER_BYTES = MAX_FILE_BYTES
#: Bytes actually inflated from one top-level archive and everything nested in it,
#: counted while reading. Ten years of FIT files (a run a day, ~200 KiB each) are
#: well under 1 GiB, so an archive that inflates past this is refused from there on.
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024
#: Archive members are inflated this much at a time, so every limit is checked as we go.
READ_CHUNK = 1024 * 1024
#: Zips inside zips inside zips... deeper than this is refused.
MAX_ZIP_DEPTH = 4


@dataclass
class Source:
    """One file to parse: a path on disk, bytes from an archive, or a streamed file's `Opener`."""

    label: str
    path: Path | None = None
    data: bytes | None = None
    stream: Opener | None = None


@dataclass
class Outcome:
    """A file that is not parsed (ignored, skipped, refused), and why."""

    label: str
    reason: str


def is_activity_name(name: str) -> bool:
    """A file some reader takes, by its name (`readers.registry`)."""
    return reader_for_name(name) is not None


def is_apple_route(label: str, exists: Callable[[str], bool]) -> bool:
    """A route GPX of an Apple Health export whose ``export.xml`` is beside it (read with the workout, not alone)."""
    parts = label.lower().split("/")
    if len(parts) < 2 or parts[-2] != "workout-routes" or not parts[-1].endswith(".gpx"):
        return False
    return exists("/".join(label.split("/")[:-2] + ["export.xml"]))



def safe_member_name(name: str) -> str:
    """An archive member's name, made harmless for display: no absolute path, no '..'."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", "/", ".", "..")]
    parts = [p.replace(":", "_") for p in parts]
    return "/".join(parts) or "unnamed"


class _Budget:
    """Uncompressed bytes still allowed for one top-level archive tree (nested levels share it)."""

    def __init__(self, limit: int):
        self.left = limit


class _BudgetSpent(Exception):
    """The archive tree's budget ran out while reading member ``label``."""

    def __init__(self, label: str):
        super().__init__(label)
        self.label = label


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, label: str) -> bytes:
    """A member's bytes, inflated a chunk at a time with every limit checked as bytes come out.

    The sizes in the headers may lie; only the bytes actually inflated count. The
    compressed size bounds what the decompressor can consume, so it is a sound
    base for the ratio.
    """
    chunks = []
    n = 0
    with zf.open(info) as fh:
        while chunk := fh.read(READ_CHUNK):
            n += len(chunk)
            budget.left -= len(chunk)
            if n > MAX_MEMBER_BYTES:
                raise ParseError(info.filename, f"expands beyond {MAX_MEMBER_BYTES // 2**20} MiB; refused as a likely zip bomb")
            if problem := inflation_problem(n, info.compress_size, "zip"):
                raise ParseError(info.filename, problem)
            if budget.left < 0:
                raise _BudgetSpent(label)
            chunks.append(chunk)
    return b"".join(chunks)


def _zip_sources(label: str, opener, outcomes: list, *, read: bool = True, disk_path: Path | None = None,
                 select: Callable[[str], bool] | None = None) -> Iterator[Source]:
    """The activity files in one top-level archive, nested zips included, under one byte budget.

    With ``read=False`` activity members are listed without being inflated (nested
    zips still are, to list what they hold): a cheap count for the progress total.
    """
    budget = _Budget(MAX_ARCHIVE_BYTES)
    try:
        yield from _zip_members(label, opener, 1, outcomes, budget, read, disk_path, select)
    except _BudgetSpent as exc:
        outcomes.append(("error", Outcome(exc.label, f"the archive expands beyond {MAX_ARCHIVE_BYTES // 2**20} MiB in all; "
                                                     f"this member and the rest of {label} were not read (zip bomb?)")))


def _zip_members(label: str, opener, depth: int, outcomes: list, budget: _Budget, read: bool,
                 disk_path: Path | None = None, select: Callable[[str], bool] | None = None) -> Iterator[Source]:
    if depth > MAX_ZIP_DEPTH:
        outcomes.append(("error", Outcome(label, f"zip archives nested more than {MAX_ZIP_DEPTH} deep; refused")))
        return
    try:
        zf = zipfile.ZipFile(opener())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        outcomes.append(("error", Outcome(label, f"not a readable zip archive ({exc})")))
        return
    with zf:
        names = {safe_member_name(n).lower() for n in zf.namelist()}
        for info in zf.infolist():
            if info.is_dir():
                continue
            member = safe_member_name(info.filename)
            child = f"{label}/{member}"
            if select is not None:
                if not select(info.filename) or info.filename.lower().endswith(".zip") or depth > 1:
                    continue
            if is_apple_route(member, lambda n: n.lower() in names):
                outcomes.append(("skipped", Outcome(child, APPLE_ROUTE_REASON)))
                continue
            if disk_path is not None and depth == 1 and is_streamed_name(info.filename) and not info.flag_bits & 0x1:
                yield Source(child, stream=Opener(reader_for_name(info.filename).kind, disk_path, info.filename))
                continue
            if info.flag_bits & 0x1:
                outcomes.append(("error", Outcome(child, "encrypted archive member; cannot be read")))
                continue
            is_zip = info.filename.lower().endswith(".zip")
            if not is_zip and not is_activity_name(info.filename):
                outcomes.append(("ignored", Outcome(child, not_activity_reason(info.filename))))
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                outcomes.append(("error", Outcome(child, f"declares {info.file_size // 2**20} MiB; larger than any activity file, refused")))
                continue
            if not is_zip and not read:
                yield Source(child)
                continue
            try:
                data = _read_member(zf, info, budget, child)
            except ParseError as exc:
                outcomes.append(("error", Outcome(child, exc.reason)))
                continue
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
                outcomes.append(("error", Outcome(child, f"archive member cannot be read ({exc})")))
                continue
            if is_zip:
                yield from _zip_members(child, lambda data=data: io.BytesIO(data), depth + 1, outcomes, budget, read, None, select)
            else:
                yield Source(child, data=data)
            del data  # not kept while the caller works on what was yielded


def _why_not_read(path: Path) -> tuple[str, str] | None:
    """Why ``path`` is not read, as an outcome ("skipped" or "error", reason); None for a regular file.

    Only regular files are opened: reading a named pipe waits for a writer,
    maybe forever, and a device or socket holds no activity. A symlink is
    followed to what it points at.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:  # a dangling link, a link loop
        return "error", f"cannot be read ({exc.strerror or exc})"
    kind = non_regular_kind(mode)
    return ("skipped", f"not a regular file ({kind}); only regular files are read") if kind else None


def find_sources(root: Path, outcomes: list, *, read: bool = True, select: Callable[[str], bool] | None = None) -> Iterator[Source]:
    """Every activity file under ``root`` (a folder, an archive, or one file), in a stable order.

    A generator: an archive member's bytes are inflated when it is reached, so a
    caller that consumes the sources one by one holds one member at a time. With
    ``read=False`` archive members are listed without their bytes (for a count).
    With ``select``, only the files whose name it accepts are given, from the
    folder and the top-level archive (not nested ones), and nothing is
    reported (the first pass over activity lists).

    Raises
    ------
    HamstringAnalyzerError
        ``root`` is neither a folder nor a regular file (a named pipe, a device...).
    """
    if not root.is_dir():
        kind = non_regular_kind(os.stat(root).st_mode)
        if kind:
            raise HamstringAnalyzerError(f"{root}: not a regular file ({kind}); give a folder, a zip archive or an activity file")
        if root.name.lower().endswith(".zip"):
            yield from _zip_sources(root.name, lambda: open_regular(root), outcomes, read=read, disk_path=root, select=select)
        elif select is None or select(root.name):
            yield _file_source(root.name, root)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        folder = Path(dirpath)
        rel = folder.relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"  # labels built per folder, not per file (a run a day for years)
        for name in sorted(filenames):
            path = folder / name
            label = prefix + name
            is_zip = name.lower().endswith(".zip")
            if select is not None:
                if is_zip:
                    if not _why_not_read(path):
                        yield from _zip_sources(label, lambda path=path: open_regular(path), [], read=read, disk_path=path, select=select)
                elif select(name) and not _why_not_read(path):
                    yield _file_source(label, path)
                continue
            reader = None if is_zip else reader_for_name(name)
            if not is_zip and is_apple_route(label, lambda n: (root / n).is_file()):
                outcomes.append(("skipped", Outcome(label, APPLE_ROUTE_REASON)))
            elif not is_zip and reader is None:
                outcomes.append(("ignored", Outcome(label, not_activity_reason(name))))
            elif problem := _why_not_read(path):
                outcomes.append((problem[0], Outcome(label, problem[1])))
            elif is_zip:
                yield from _zip_sources(label, lambda path=path: open_regular(path), outcomes, read=read)
            else:
                yield _file_source(label, path, reader)


def _file_source(label: str, path: Path, reader=None) -> Source:
    """A file on disk: streamed when its reader streams (Apple Health), else read whole when reached.

    ``reader`` is `reader_for_name` of its name when the caller has it.
    """
    reader = reader or reader_for_name(path.name)
    if reader is not None and reader.streamed and not path.name.lower().endswith(".gz"):  # as `is_streamed_name`
        return Source(label, path=path, stream=Opener(reader.kind, path))
    return Source(label, path=path)


def stream_key(opener: Opener, settings: str = "") -> str:
    """The store key of a streamed file: a hash of its bytes read in chunks (never all in memory);
    for an archive member, of its name, size and CRC (reading it twice would cost more than parsing).
    ``settings`` as for `source_key`."""
    h = hashlib.blake2b(digest_size=20)
    if opener.member is not None:
        with zipfile.ZipFile(open_regular(opener.path)) as zf:
            info = zf.getinfo(opener.member)
            h.update(f"zip-member\0{opener.member}\0{info.file_size}\0{info.CRC}".encode())
    else:
        with opener.open() as fh:
            while chunk := fh.read(READ_CHUNK * 4):
                h.update(chunk)
    if settings:
        h.update(f"\0ingest:{settings}".encode())
    return h.hexdigest()


def source_key(data, hint=None, settings: str = "") -> str:
    """The store key of a file's content (bytes, or an `Opener` for a streamed format).

    With the sport an activity list gave it (``hint``) and the ingest settings
    it is parsed with (``settings``, `parse.settings_tag`): the same bytes read
    with other thresholds are another entry, parsed again.
    """
    if isinstance(data, Opener):
        return stream_key(data, settings)  # a streamed file (Apple Health) is never named by an activity list
    extra = (f"\0sport-from-list:{hint}" if hint is not None else "") + (f"\0ingest:{settings}" if settings else "")
    return content_key(data + extra.encode() if extra else data)


def read_source(src: Source):
    """A source's content as the parser takes it: its `Opener` (streamed), or its bytes.

    Raises
    ------
    OSError
        The file cannot be read, or it is no longer a regular file (swapped for
        a pipe since it was listed: refused, not waited on), or it is larger
        than any activity file (`readers.files.MAX_FILE_BYTES`).
    """
    if src.stream is not None:
        return src.stream
    if src.data is not None:
        return src.data
    return read_regular(src.path)  # a file larger than any activity file is refused unread
