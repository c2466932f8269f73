"""Read a whole watch export: folders, gzip, nested zips, duplicates, cache, progress.

`load_runs` accepts a folder or an archive as the runner downloaded it
(Garmin Connect's nested zips, Strava's ``activities/*.fit.gz``), reads every
activity file in memory, and returns the runs, plus what was skipped and what
could not be read, each with its reason. Nothing is extracted to disk. Only
regular files are read: a named pipe, socket or device is listed as skipped.

Crash isolation
---------------
A parser can crash the process it runs in, not just raise: a deeply nested
GPX makes the XML parser overflow its stack (signal 11), a native decoder can
abort, the kernel can kill a process that runs out of memory. So files are
always parsed in worker processes, never in the process that owns the run,
even for one worker or one file (a worker from the fork server costs a few
milliseconds; see `_parse_all` and `hamstring_analyzer.workers`):

* A `ProcessPoolExecutor` parses the files, a few per task (`BATCH_FILES`:
  each task costs pickling, the pipe and the executor's threads), a bounded
  window of tasks in flight.
* When a worker dies, the pool is broken and every file that was in flight
  fails with `BrokenProcessPool` (every file of every task in flight), the
  innocent ones included. Those files are
  then parsed again one at a time, each in a fresh single-use process
  (`_parse_alone`): the innocent ones are read normally, and the one that
  really crashes is reported as an error with the reason its process died
  ("the parser crashed on this file (signal 11: segmentation fault); skipped").
  Then a new pool is made for the files not yet started.
* Only what the parser itself concluded is cached (``ok``, ``skipped``, or
  ``error`` for a file it refused). A worker failure (``failed``: a crash, a
  kill, an exception the parser let through) is never cached, so the file is
  tried again next run (an upgraded parser may read it) and an innocent file
  can never be stored as unreadable.
"""

from __future__ import annotations

import io
import os
import signal
import zipfile
import zlib
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from . import glossary as g
from .activity import Activity
from .store import RunStore, content_key
from .clean import clean_activity
from .errors import HamstringAnalyzerError, NotAnActivityError, ParseError
from .metrics.samples import RUNNING_STEP_RATE_MIN
from .readers import Opener, non_regular_kind, open_regular, read_activities
from .readers.registry import BY_KIND, is_index_name, is_streamed_name, reader_for_name
from .metrics.profile import NO_PROFILE, record_profile
from .metrics.summary import expensive_stats, json_number, run_summary
from .timezones import check_zone, offset_seconds
from .workers import EXIT_UNGUARDED_MAIN, UNGUARDED_MAIN_MESSAGE
from .workers import context as worker_context

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
#: One member of an archive larger than this, decompressed, is refused: no activity
#: file comes close (a 24-hour FIT recording with every sensor is a few MiB).
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: A member inflating more than this many times its compressed size, beyond the first
#: `RATIO_GRACE_BYTES`, is a bomb: activity files compress 2-10x, runs of zeros ~1000x.
MAX_COMPRESSION_RATIO = 200
RATIO_GRACE_BYTES = 1024 * 1024
#: Bytes actually inflated from one top-level archive and everything nested in it,
#: counted while reading. Ten years of FIT files (a run a day, ~200 KiB each) are
#: well under 1 GiB, so an archive that inflates past this is refused from there on.
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024
#: Archive members are inflated this much at a time, so every limit is checked as we go.
READ_CHUNK = 1024 * 1024
#: Bytes of files sent to parser workers and not yet parsed: bounds the ingest's memory
#: whatever the number of workers (at least one file is always in flight).
MAX_INFLIGHT_BYTES = 256 * 1024 * 1024
#: Zips inside zips inside zips... deeper than this is refused.
MAX_ZIP_DEPTH = 4
#: Two runs starting this close, with durations this close, are the same run.
DUPLICATE_START_S = 120.0
DUPLICATE_DURATION_SHARE = 0.10
#: Shorter than both, a "run" is a stray recording (a button pressed by mistake).
MIN_RUN_S = 120.0
MIN_RUN_M = 400.0
#: A file without a sport whose median moving speed is above this is a ride [m/s].
RIDE_SPEED_MPS = 6.0
#: Longer "steps" than this at the median speed are pedal strokes [m].
MAX_STEP_M = 1.9
KNOWN_NON_ACTIVITY = {
    "export_cda.xml": "Apple Health's clinical records (no workouts)",
}
#: Reader kinds whose files list activities (read first; see `readers.registry.Reader.index`).
INDEX_KINDS = frozenset(r.kind for r in BY_KIND.values() if r.index)


@dataclass
class Source:
    """One file to parse: a path on disk, bytes from an archive, or a streamed file's `Opener`."""

    label: str
    path: Path | None = None
    data: bytes | None = None
    stream: Opener | None = None


@dataclass
class Outcome:
    label: str
    reason: str


@dataclass
class Export:
    """What `load_runs` found.

    Attributes
    ----------
    runs : list of Activity
        Running sessions (trail and treadmill included), oldest first, one per real run.
    skipped : list of dict
        ``{"source", "reason"}``: other sports, duplicates, files that are not activities.
    errors : list of dict
        ``{"source", "error"}``: files that could not be read.
    ignored : list of dict
        ``{"source", "reason"}``: files that are plainly not activities by their
        name (documentation, scripts, a symptom log, photos); never opened.
    """

    root: str
    runs: list[Activity] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    cache_hits: int = 0
    parsed: int = 0
    ignored: list[dict] = field(default_factory=list)

    def summaries(self) -> list[dict]:
        return [run_summary(a) for a in self.runs]

    def runs_frame(self) -> pd.DataFrame:
        """One row per run (the JSON's run fields), on a tz-aware DatetimeIndex ``start``, oldest first.

        ``start`` is each run's start in the runner's home zone
        (`weekly.runner_zone`), so ``frame.loc["2026-06"]`` and
        ``frame.resample("W-SUN")`` work. ``start_utc`` is a UTC datetime;
        ``start_local`` the wall-clock time where the run was (a datetime
        without zone: runs abroad keep their own clock), ``id`` a column.
        """
        from .metrics.weekly import runner_zone

        rows = self.summaries()
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame.set_axis(pd.DatetimeIndex([], tz="UTC", name="start"))
        frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True, format="ISO8601")
        frame["start_local"] = pd.to_datetime(frame["start_local"].str.slice(0, 19), format="ISO8601")
        index = pd.DatetimeIndex(frame["start_utc"]).tz_convert(runner_zone(self.runs)).rename("start")
        return frame.set_axis(index).sort_index(kind="stable")

    def to_dict(self) -> dict:
        return {"runs": self.summaries(), "skipped": list(self.skipped), "errors": list(self.errors), "ignored": list(self.ignored)}

    def write_json(self, path: str | os.PathLike, extra: dict | None = None) -> None:
        """The ingest JSON to ``path`` (``"-"``: standard output), atomically (`render.jsonfile.write_json`)."""
        from .render.jsonfile import write_json

        doc = self.to_dict()
        if extra:
            doc.update(extra)
        write_json(doc, path)

    def __repr__(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        return f"<Export {self.root}: {n(len(self.runs), 'run')}, {len(self.skipped)} skipped, {n(len(self.errors), 'error')}>"


def reason_group(reason: str) -> str:
    """A skip or error reason shortened to the group it is counted in: ``"not a run (cycling)"`` -> ``"cycling"``."""
    if reason.startswith("not a run (") and reason.endswith(")"):
        return reason[len("not a run ("):-1]
    if reason.startswith("duplicate of "):
        return "duplicate"
    if reason.startswith("too short to count as a run"):
        return "too short"
    if reason == APPLE_ROUTE_REASON:
        return "Apple Health route (read with export.xml)"
    if reason.startswith("not an activity file"):
        return "not an activity file"
    for stop in (" (", "; ", ": "):
        head = reason.split(stop, 1)[0]
        if head and len(head) < len(reason):
            reason = head
    return reason.strip()


def grouped(items: list[dict], key: str) -> list[tuple[str, list[str]]]:
    """``items`` (``{"source", key}``) as (group, sources) pairs, largest group first, then by name."""
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(reason_group(str(item[key])), []).append(item["source"])
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


# ---------------------------------------------------------------- finding ---


def is_activity_name(name: str) -> bool:
    """A file some reader takes, by its name (`readers.registry`)."""
    return reader_for_name(name) is not None


def is_apple_route(label: str, exists: Callable[[str], bool]) -> bool:
    """A route GPX of an Apple Health export whose ``export.xml`` is beside it (read with the workout, not alone)."""
    parts = label.lower().split("/")
    if len(parts) < 2 or parts[-2] != "workout-routes" or not parts[-1].endswith(".gpx"):
        return False
    return exists("/".join(label.split("/")[:-2] + ["export.xml"]))


APPLE_ROUTE_REASON = "a route of an Apple Health workout; read with export.xml"


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
            if n > RATIO_GRACE_BYTES and n > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                raise ParseError(info.filename, f"expands more than {MAX_COMPRESSION_RATIO} times its compressed size; refused as a likely zip bomb")
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
                outcomes.append(("ignored", Outcome(child, _not_activity_reason(info.filename))))
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


def _not_activity_reason(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if base.lower() in KNOWN_NON_ACTIVITY:
        return KNOWN_NON_ACTIVITY[base.lower()]
    return ("not an activity file (read: .fit, .gpx and .tcx, gzipped or not; Apple Health export.xml; Strava activities.csv; "
            "Garmin *summarizedActivities*.json; Polar training-session-*.json)")


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
                outcomes.append(("ignored", Outcome(label, _not_activity_reason(name))))
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


def stream_key(opener: Opener) -> str:
    """The store key of a streamed file: a hash of its bytes read in chunks (never all in memory);
    for an archive member, of its name, size and CRC (reading it twice would cost more than parsing)."""
    import hashlib

    h = hashlib.blake2b(digest_size=20)
    if opener.member is not None:
        with zipfile.ZipFile(open_regular(opener.path)) as zf:
            info = zf.getinfo(opener.member)
            h.update(f"zip-member\0{opener.member}\0{info.file_size}\0{info.CRC}".encode())
        return h.hexdigest()
    with opener.open() as fh:
        while chunk := fh.read(READ_CHUNK * 4):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- parsing ---


def source_key(data, hint=None) -> str:
    """The store key of a file's content (bytes, or an `Opener` for a streamed format), with the sport an activity list gave it."""
    if isinstance(data, Opener):
        return stream_key(data)
    return content_key(data if hint is None else data + f"\0sport-from-list:{hint}".encode())


def parse_bytes(label: str, data, hint: tuple[str | None, str | None] | None = None):
    """Parse one file; the cacheable result: ("ok", activities) / ("skipped", reason) / ("error", reason).

    ``data`` is the file's bytes, or an `Opener` for a streamed format. ``hint``
    is the (sport, sub_sport) an activity list gave the file (Strava's type, as
    the runner set it): it decides the sport of a one-activity file, before any guessing.
    """
    try:
        activities = read_activities(label, data)
    except NotAnActivityError as exc:
        return ("skipped", exc.reason)
    except ParseError as exc:
        return ("error", exc.reason)
    if hint is not None and len(activities) == 1:
        _apply_hint(activities[0], hint)
    out = []
    for a in activities:
        try:
            if a.sport in (None, "generic"):
                a = _judged(a)
            if a.is_run and a.quality is None:
                a = clean_activity(a)
        except ParseError as exc:
            return ("error", exc.reason)
        if a.has_samples:
            a.stats = expensive_stats(a)  # computed once, cached with the records
            for name, value in (a.totals or {}).items():  # the summary's own where the samples cannot say
                if a.stats.get(name) is None:
                    a.stats[name] = json_number(value)
            if a.is_run:
                a.stats["profile"] = record_profile(a)
        else:
            a.stats = {name: json_number((a.totals or {}).get(name)) for name in ("elevation_gain_m", "cadence_spm", "avg_heart_rate_bpm")}
            if a.is_run:
                a.stats["profile"] = dict(NO_PROFILE)
        out.append(a)
    return ("ok", out)


def _apply_hint(activity: Activity, hint: tuple[str | None, str | None]) -> None:
    sport, sub_sport = hint
    if sport is None or sport == activity.sport:
        if sport is not None and sub_sport and activity.sub_sport in (None, "generic"):
            activity.sub_sport = sub_sport
        return
    if activity.sport not in (None, "generic"):
        activity.warnings.append(f"the file says {activity.sport}; the activity list says {sport}, which was kept")
    activity.sport = sport
    activity.sub_sport = sub_sport if sub_sport else (activity.sub_sport if sport == "running" else None)


def _judged(activity: Activity) -> Activity:
    """An activity without a sport, with the sport judged; a run comes back cleaned.

    The raw samples judge first. A file that reads as a ride only because the
    phone kept recording the drive home is judged again once cleaned: if what
    is left is a run, and all the time at vehicle speed came before or after
    the time on foot (on a ride it comes in between), it is a run.
    """
    sport, note = judge_sport(activity)
    if sport != "running" and sport is not None and not activity.gear_changes:
        cleaned = clean_activity(activity.replace(sport=None, warnings=list(activity.warnings)))
        again, again_note = judge_sport(cleaned)
        q = cleaned.quality
        if again == "running" and q.vehicle_at_ends:
            cleaned.sport = "running"
            cleaned.warnings.append(f"{again_note}, once {q.gps_jumps_removed_m / 1000:.1f} km at vehicle speed was removed")
            return cleaned
    activity.sport = sport
    if note:
        activity.warnings.append(note)
    return activity


def _worker(label: str, data, key: str, store: RunStore, hint=None, parse=None):
    """Parse one file and store what the parser concluded; the runs come back without their samples."""
    parse = parse or parse_bytes
    result = parse(label, data) if hint is None else parse(label, data, hint)  # two arguments, as stand-ins in tests take
    return store.write_samples(key, result)


def _worker_batch(store: RunStore, items: list, parse=None) -> list:
    """The body of one pool task: `_worker` on each of a few files, their results in order.

    An exception a parser lets through costs its own file (a worker failure,
    never stored), as when each file was a task of its own.
    """
    results = []
    for _, key, label, data, hint in items:
        try:
            results.append(_worker(label, data, key, store, hint, parse))
        except Exception as exc:  # noqa: BLE001 - reported as this file's failure
            results.append(_failure(exc))
    return results


#: The result kind of a parse that did not finish (a crash, a kill, an exception the
#: parser let through): reported as an error, never cached.
FAILED = "failed"
#: Tasks in flight per worker: enough to keep workers busy, few enough that a crash
#: makes only a handful of files suspects to retry alone.
WINDOW_PER_WORKER = 2
#: Files per task at most. A task of one file costs about 1 ms of CPU (pickling, the
#: pipe, the executor's threads, both sides), 5% of parsing a one-hour run; a few files
#: per task share it. Few enough that a crash makes at most ``2 x BATCH_FILES`` suspects
#: per worker, and that progress still moves every few files.
BATCH_FILES = 4
#: A task stops taking files once it holds this many bytes (a big file goes nearly alone).
BATCH_BYTES = 2 * 1024 * 1024


def _failure(exc: BaseException):
    return (FAILED, f"could not be parsed ({type(exc).__name__}: {str(exc)[:200]})")


def _crash_reason(exitcode: int | None) -> str:
    """Why a single-use parser process ended without a result, for the errors list."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.strsignal(number) or f"signal {number}"
        except ValueError:
            name = f"signal {number}"
        name = name[0].lower() + name[1:]
        if number == signal.SIGKILL:
            return f"the parser was killed on this file (signal {number}: {name}; out of memory?); skipped"
        return f"the parser crashed on this file (signal {number}: {name}); skipped"
    return f"the parser process ended on this file without a result (exit code {exitcode}); skipped"


def _alone_target(conn, label: str, data, key: str, store: RunStore, hint=None, parse=None) -> None:
    """The body of a single-use parser process: parse, store, send the result back, exit."""
    try:
        result = _worker(label, data, key, store, hint, parse)
    except BaseException as exc:  # noqa: BLE001 - reported, not raised, in a child
        result = _failure(exc)
    try:
        conn.send(result)
    except BaseException as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
        conn.send(_failure(exc))
    conn.close()


def _parse_alone(label: str, data, key: str, store: RunStore, hint=None, parse=None):
    """Parse one file in a fresh process of its own; a crash there is this file's alone."""
    ctx = worker_context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_alone_target, args=(sender, label, data, key, store, hint, parse), daemon=True)
    proc.start()
    sender.close()
    try:
        result = receiver.recv()  # read before join: a big result would fill the pipe
    except (EOFError, OSError):  # the process died before it sent anything
        result = None
    finally:
        receiver.close()
    proc.join()
    if result is None and proc.exitcode == EXIT_UNGUARDED_MAIN:
        raise HamstringAnalyzerError(UNGUARDED_MAIN_MESSAGE)
    return result if result is not None else (FAILED, _crash_reason(proc.exitcode))


# ------------------------------------------------------------- judgement ---


def judge_sport(activity: Activity) -> tuple[str | None, str | None]:
    """Guess the sport of a file that does not say, from gears, speed and cadence.

    Returns (sport, note). Gear changes mean a bicycle. A median moving speed
    above 6 m/s (2:47/km: faster than any amateur's whole run) is a ride; so
    is a "step" longer than 1.9 m at the median speed, because doubling a
    pedal cadence of 80-95 rpm gives a plausible step rate, so cadence alone
    cannot tell a ride from a run. Runs: 1.9-6 m/s and, when cadence exists,
    mostly running steps (>= 130/min).
    """
    if activity.gear_changes:
        return "cycling", f"no sport in the file; judged a ride ({activity.gear_changes} gear changes)"
    rec = activity.samples
    speed = rec.get(g.SPEED)
    moving = speed[speed > 0.5] if speed is not None else np.empty(0)  # NaN is not above 0.5
    if not len(moving):
        return None, "no speed to judge the sport by"
    v = float(np.median(moving))
    if v > RIDE_SPEED_MPS:
        return "cycling", f"no sport in the file; judged a ride (median {v:.1f} m/s)"
    if g.CADENCE in rec and (~np.isnan(rec[g.CADENCE])).sum() > 10:
        cad = rec[g.CADENCE][~np.isnan(rec[g.CADENCE])]
        running_share = float((cad >= RUNNING_STEP_RATE_MIN).mean())
        step = v / (float(np.median(cad[cad >= RUNNING_STEP_RATE_MIN])) / 60.0) if running_share > 0 else float("nan")
        if step > MAX_STEP_M:
            return "cycling", f"no sport in the file; judged a ride ({step:.1f} m per \"step\" at {v:.1f} m/s)"
        if running_share >= 0.5:
            return "running", f"no sport in the file; judged a run (median {v:.1f} m/s, {running_share:.0%} running steps)"
        return "walking", f"no sport in the file; judged a walk (only {running_share:.0%} running steps)"
    if 1.9 <= v <= RIDE_SPEED_MPS:
        return "running", f"no sport in the file; judged a run from its speed (median {v:.1f} m/s)"
    return "walking", f"no sport in the file; judged a walk from its speed (median {v:.1f} m/s)"


def _richness(a: Activity) -> tuple:
    channels = sum(a.has_channel(c) for c in g.RECORD_COLUMNS + g.RUNNING_DYNAMICS)
    return (a.has_samples, not a.partial, channels, a.format == "fit", a.n_samples)


def _same_run(a: Activity, b: Activity) -> bool:
    if a.start_utc is None or b.start_utc is None:
        return False
    if abs((a.start_utc - b.start_utc).total_seconds()) > DUPLICATE_START_S:
        return False
    da, db = a.elapsed_s or 0.0, b.elapsed_s or 0.0
    return abs(da - db) <= max(DUPLICATE_DURATION_SHARE * max(da, db), DUPLICATE_START_S)


def drop_duplicates(runs: list[Activity]) -> tuple[list[Activity], list[dict]]:
    """Keep one of each run that arrived twice (the richer file); list the others."""
    runs = sorted(runs, key=lambda a: (a.start_utc, a.id))
    kept: list[Activity] = []
    skipped = []
    for run in runs:
        twin = next((k for k in reversed(kept[-5:]) if _same_run(k, run)), None)
        if twin is None:
            kept.append(run)
            continue
        better, worse = (run, twin) if _richness(run) > _richness(twin) else (twin, run)
        _absorb(better, worse)
        if better is run:
            kept[kept.index(twin)] = run
        skipped.append({"source": worse.id, "reason": f"duplicate of {better.id}"})
    return kept, skipped


# ------------------------------------------------------------------ main ----


def load_runs(
    path: str | os.PathLike,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    use_cache: bool = True,
    timezone: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    parse: Callable | None = None,
) -> Export:
    """Read every run in a folder or archive.

    Parameters
    ----------
    path : str or path
        A folder, a zip archive, or one activity file.
    workers : int, optional
        Processes that parse in parallel (default: all cores).
    cache_dir : path, optional
        The run store's folder (default: the platform's user cache folder); see
        `hamstring_analyzer.store` for its layout.
    use_cache : bool
        False parses everything and reuses nothing: the runs' samples go to a
        private temporary store, deleted with the last run that uses it.
    timezone : str, optional
        IANA zone for files that carry no local time and no position
        (default: this machine's zone).
    progress : callable, optional
        Called as ``progress(done, total)`` after each file.
    parse : callable, optional
        What reads one file in a worker process, called as ``parse(label, data)``
        or ``parse(label, data, hint)`` and returning what `parse_bytes` returns
        (the default). Workers start fresh (see `hamstring_analyzer.workers`), so
        it must be a module-level function they can import; for tests and experiments.

    Raises
    ------
    HamstringAnalyzerError
        ``path`` does not exist, ``timezone`` is not a zone name, or the store
        folder can be written by other users.
    """
    root = Path(path)
    if not root.exists():
        raise HamstringAnalyzerError(f"{path}: no such file or folder")
    if timezone is not None:
        try:
            check_zone(timezone)
        except ValueError as exc:
            raise HamstringAnalyzerError(str(exc)) from None
    store = RunStore(cache_dir) if use_cache else RunStore.temporary()
    store.check()
    outcomes: list = []
    # Members are streamed, never all held at once: a listing pass (activity members
    # are not inflated) gives the progress total, then each file is read when it is
    # reached and at most a bounded window of them is in flight (see `_parse_all`).
    total = sum(1 for _ in find_sources(root, [], read=False))
    export = Export(root=str(path))
    results: dict[int, tuple] = {}
    labels: list[str] = []
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(min(done, total), max(total, done))

    def pending(sources, hints: dict, skip: set) -> Iterator[tuple]:
        for src in sources:
            if src.label in skip:  # an activity list already read in the first pass
                continue
            i = len(labels)
            labels.append(src.label)
            hint = hints.get(src.label.lower())
            try:
                if src.stream is not None:
                    data = src.stream
                elif src.data is not None:
                    data = src.data
                else:
                    with open_regular(src.path) as fh:  # swapped for a pipe since it was listed: refused, not waited on
                        data = fh.read()
                key = source_key(data, hint)
            except (OSError, zipfile.BadZipFile, KeyError) as exc:
                results[i] = ("error", f"cannot be read ({getattr(exc, 'strerror', None) or exc})")
                tick()
                continue
            src.data = None  # archives' bytes are not kept twice
            cached = store.get(key)
            if cached is not None:
                results[i] = cached
                tick()
                continue
            export.parsed += 1
            item = (i, key, src.label, data, hint)
            del data, src
            yield item
            del item

    n_workers = max(1, min(workers or os.cpu_count() or 1, total))  # no idle workers for a few files
    # A few files per task, fewer when there are few files: every worker keeps work.
    batch_files = max(1, min(BATCH_FILES, total // (n_workers * WINDOW_PER_WORKER * 2)))
    # Workers store what the parser concluded (parser errors too: a broken file is not
    # re-read until it changes); a crash or a dead worker is never stored.
    try:
        # First the activity lists (Strava's CSV, Garmin's summaries): what they say about
        # each file (a run or a ride) is known when the file is read.
        for i, key, result in _parse_all(pending(find_sources(root, [], select=is_index_name), {}, set()), n_workers, store, batch_files, parse):
            results[i] = store.add(key, result)
            tick()
        first_pass = set(labels)
        hints = _sport_hints(labels, results)
        for i, key, result in _parse_all(pending(find_sources(root, outcomes), hints, first_pass), n_workers, store, batch_files, parse):
            results[i] = store.add(key, result)
            tick()
    finally:
        store.close()  # the summary rows of what was parsed, even when interrupted
    export.cache_hits = store.hits
    if progress and total and done < total:  # members listed but refused while read (bombs)
        progress(total, total)
    runs = []
    listed: list[tuple[str, Activity]] = []
    for i, label in enumerate(labels):
        kind, payload = results[i]
        if kind in ("error", FAILED):
            export.errors.append({"source": label, "error": payload})
        elif kind == "skipped":
            export.skipped.append({"source": label, "reason": payload})
        else:
            for activity in payload:
                _relabel(activity, label)
                _settle_local_time(activity, timezone)
                if activity.format in INDEX_KINDS:
                    listed.append((label, activity))
                elif activity.is_run and _too_short(activity):
                    export.skipped.append({"source": activity.id, "reason": "too short to count as a run (under 2 minutes and 400 m)"})
                elif activity.is_run:
                    runs.append(activity)
                else:
                    what = activity.sport or "unknown sport"
                    if activity.sub_sport and activity.sub_sport != "generic":
                        what += f"/{activity.sub_sport}"
                    export.skipped.append({"source": activity.id, "reason": f"not a run ({what})"})
    for kind, outcome in outcomes:
        if kind == "error":
            export.errors.append({"source": outcome.label, "error": outcome.reason})
        elif kind == "ignored":
            export.ignored.append({"source": outcome.label, "reason": outcome.reason})
        else:
            export.skipped.append({"source": outcome.label, "reason": outcome.reason})
    runs.extend(_listed_runs(listed, labels, results, runs, export))
    runs = [r for r in runs if r.start_utc is not None]
    export.runs, duplicates = drop_duplicates(runs)
    export.skipped.extend(duplicates)
    export.skipped.sort(key=lambda d: d["source"])
    export.errors.sort(key=lambda d: d["source"])
    export.ignored.sort(key=lambda d: d["source"])
    return export


def _ref_label(list_label: str, file_ref: str) -> str:
    """The label the file named by an activity list's row has, in the same folder or archive as the list."""
    folder = list_label.rsplit("/", 1)[0] + "/" if "/" in list_label else ""
    return (folder + safe_member_name(file_ref)).lower()


def _sport_hints(labels: list[str], results: dict) -> dict[str, tuple[str | None, str | None]]:
    """(sport, sub_sport) by file label (lower case), as the activity lists read so far say."""
    hints = {}
    for i, label in enumerate(labels):
        kind, payload = results.get(i, (None, None))
        if kind != "ok":
            continue
        for a in payload:
            if a.file_ref and a.sport:
                hints[_ref_label(label, a.file_ref)] = (a.sport, a.sub_sport)
    return hints


def _listed_runs(listed: list[tuple[str, Activity]], labels: list[str], results: dict, runs: list[Activity], export: Export) -> list[Activity]:
    """The runs only an activity list knows; what the lists say about the other runs goes onto them.

    A list row naming a file that was read as a run gives that run its
    perceived exertion, commute mark and name, and adds the list to the run's
    sources. A run row whose file is missing or unreadable, or a row without a
    file (a manual entry), counts as a run without samples. Rows of other
    sports are dropped: their files, when there are any, say so themselves.
    """
    by_label = {label.lower(): i for i, label in enumerate(labels)}
    runs_by_label: dict[str, list[Activity]] = {}
    for run in runs:
        runs_by_label.setdefault(run.source.lower(), []).append(run)
    out = []
    for list_label, row in listed:
        if not row.is_run:
            continue
        if row.file_ref:
            target = _ref_label(list_label, row.file_ref)
            matched = runs_by_label.get(target)
            if matched:
                for run in matched:
                    _absorb(run, row)
                continue
            i = by_label.get(target)
            if i is None:
                row.warnings.append(f"its file {row.file_ref} is not in the export: counted from the list's totals, without samples")
            elif results[i][0] == "ok":
                continue  # read, and not a run after all (too short): the file decides
            else:
                row.warnings.append(f"its file {row.file_ref} could not be read: counted from the list's totals, without samples")
        if _too_short(row):
            export.skipped.append({"source": row.id, "reason": "too short to count as a run (under 2 minutes and 400 m)"})
            continue
        out.append(row)
    return out


def _absorb(run: Activity, other: Activity) -> None:
    """``run`` (kept) takes what ``other`` (the same run from another export) adds: its sources, exertion, commute."""
    kinds = other.source_kinds + [k for k in run.source_kinds if k not in other.source_kinds]
    run.sources = list(dict.fromkeys(kinds))
    if run.rpe is None and other.rpe is not None:
        run.rpe = other.rpe
    if run.commute is None and other.commute is not None:
        run.commute = other.commute
    if other.format == "strava_csv" and other.name:
        run.name = other.name  # the runner's own title


def _parse_all(pending, n_workers: int, store: RunStore, batch_files: int = 1, parse=None):
    """Yield (index, key, result) for each pending file, parsed in worker processes.

    Always in processes, even one file with one worker: whether a file crashes
    its parser cannot be known before it is parsed. Files go to the workers a
    few at a time (up to ``batch_files`` per task, see `BATCH_FILES`), their
    results coming back together. A worker death breaks the pool; the files
    that were in flight are then parsed one at a time in single-use processes
    (`_parse_alone`), and a new pool takes the rest. See the module docstring.
    ``parse`` replaces `parse_bytes` in the workers (importable by name).
    """
    source = iter(pending)  # read lazily: only files about to be sent are in memory
    queue: deque = deque()  # files taken from ``source`` and not yet sent (after a broken pool)
    exhausted = False
    batch_files = max(1, batch_files)

    def next_item():
        nonlocal exhausted
        if queue:
            return queue.popleft()
        if not exhausted:
            item = next(source, None)
            if item is not None:
                return item
            exhausted = True
        return None

    while True:
        first = next_item()
        if first is None:
            break
        queue.appendleft(first)
        suspects = []
        workers = max(1, n_workers)
        window = workers * WINDOW_PER_WORKER  # bounded: never all files' bytes in flight at once
        with ProcessPoolExecutor(max_workers=workers, mp_context=worker_context()) as pool:
            running: dict = {}  # future -> the files of its task
            inflight = 0
            broken = False
            while True:
                while not broken and len(running) < window:
                    batch, size = [], 0
                    while len(batch) < batch_files and size < BATCH_BYTES:
                        if (running or batch) and inflight + size >= MAX_INFLIGHT_BYTES:
                            break  # at least one file is always in flight, never more bytes than this
                        item = next_item()
                        if item is None:
                            break
                        streamed = isinstance(item[3], Opener)  # a streamed file (gigabytes, minutes) goes alone
                        if batch and streamed:
                            queue.appendleft(item)
                            break
                        batch.append(item)
                        size += len(item[3])
                        if streamed:
                            break
                    if not batch:
                        break
                    try:
                        running[pool.submit(_worker_batch, store, batch, parse)] = (batch, size)
                        inflight += size
                    except BrokenProcessPool:
                        queue.extendleft(reversed(batch))
                        broken = True
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    batch, size = running.pop(fut)
                    inflight -= size
                    try:
                        results = fut.result()
                    except BrokenProcessPool:  # some worker died: these files may be innocent
                        broken = True
                        suspects.extend(batch)
                        continue
                    except Exception:  # the task's results could not come back (one would not pickle): each file alone
                        suspects.extend(batch)
                        continue
                    for item, result in zip(batch, results):
                        yield item[0], item[1], result
                    del results
                del batch, finished
        for i, key, label, data, hint in sorted(suspects, key=lambda item: item[0]):
            yield i, key, _parse_alone(label, data, key, store, hint, parse)


def _too_short(activity: Activity) -> bool:
    return (activity.elapsed_s or 0) < MIN_RUN_S and (activity.distance_m or 0) < MIN_RUN_M


def _relabel(activity: Activity, label: str) -> None:
    activity.source = label  # the same content may sit at another path than when cached


def _settle_local_time(activity: Activity, timezone: str | None) -> None:
    """Give files without local time the user's zone (or this machine's)."""
    if activity.utc_offset_s is not None or activity.start_utc is None:
        return
    if activity.timezone is None and timezone:
        activity.timezone = timezone
    activity.utc_offset_s = offset_seconds(activity.start_utc, activity.timezone)
