"""The run store: what each file held, in typed columns on disk (Apache Parquet).

A second ingest of an unchanged export parses nothing: each file's bytes are
hashed (BLAKE2b, 160 bits) and what the parser concluded is read back from
the store. Analysis reads the per-run summary and opens a run's samples only
while it needs them, so memory stays flat however many years are stored.

Layout (version 1)
------------------
Under the store folder (``--cache-dir``; by default the platform's per-user
cache folder, e.g. ``~/.cache/hamstring-analyzer``)::

    store-v1/                            created 0700
      summary/<segment>.parquet          the per-run summary table, in segments
      samples/<k[:2]>/<k>.parquet        the cleaned samples of the runs in the file whose content hash is k

``summary/`` is one Parquet dataset (read it whole with
``pyarrow.parquet.read_table(".../store-v1/summary")``) following
`schema.SUMMARY_SCHEMA`: ``key`` (BLAKE2b-160 of the file's bytes, hex),
``outcome`` (``ok``, ``skipped`` or ``error``) and ``reason``, then for each
activity in the file one row with its attributes (source, sport,
start_utc, distance_m...), its statistics (``elevation_gain_m``,
``cadence_spm``, ``avg_heart_rate_bpm``), the record profile (``p_*``:
median running speed, best 20 minutes, step length, late cadence drop,
decoupling, intervals), the cleaning record (``q_*``), its laps (a list of
structs) and warnings. A file without activities (skipped, refused) has one
row with the activity columns null. Each segment's key-value metadata
``hamstring_analyzer`` holds JSON ``{"layout": 1, "code": "<hash>"}``;
``code`` changes whenever the code that computes stored numbers changes (a
hash of those modules), so a segment is never read by a version that would
compute it differently. An ingest adds one segment for the files it parsed
(flushed every few seconds, so a killed run keeps most of its work); when
there are more than `MAX_SEGMENTS`, they are merged into one.

``samples/<k[:2]>/<k>.parquet`` holds ``session_index`` (int16), ``time``
(timestamp[ns, UTC]) and the glossary channels the file's runs have,
narrowed as `schema.SAMPLE_STORAGE` says: distance and altitude (cm),
speed (mm/s) and position (semicircles) as delta-encoded int32; heart rate,
cadence and running dynamics as float32; zstd throughout; a missing value is
a null. Only runs keep their samples.

Rules
-----
* Nothing in the store executes on load (no pickles): a reader gets columns.
* Files are written whole (a temporary file renamed into place), a run's
  samples before its summary row, so a summary row means its samples are
  there. A run killed mid-ingest leaves only whole files.
* A segment that cannot be read, has another layout or code version, or does
  not match the schema (a damaged disk, a foreign file) is deleted and its
  files parsed again; so is a run whose samples file is missing or damaged.
* Only a parser's own conclusion is stored (``ok``, ``skipped``, or ``error``
  for a file it refused); a worker that crashed or died never is (see
  `hamstring_analyzer.export`).
* The store holds the runner's GPS tracks: ``store-v1`` is created 0700,
  and a store folder that other users can write to (where anyone could plant
  entries) or that belongs to another user is refused with a one-line message.
* Samples are content-addressed and segments have unique names, so several
  processes (a coach's team run, a cohort's workers) can share one store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
import weakref
from pathlib import Path

from ..activity import Activity
from ..errors import HamstringAnalyzerError

LAYOUT_FOLDER = "store-v1"
#: Summary segments written by another release are kept this long (it may still be in use) [s].
OTHER_VERSION_KEEP_S = 30 * 86400
META_KEY = b"hamstring_analyzer"

#: The result kinds a parser concludes; the only ones worth keeping.
CACHEABLE_KINDS = ("ok", "skipped", "error")
#: How older builds wrote a worker failure as the file's error (never the parser's own words).
_WORKER_FAILURE_PREFIX = "could not be parsed ("
_KEY = re.compile(r"[0-9a-f]{40}")


def cacheable(result) -> bool:
    """True for a parser's own conclusion; False for a worker failure or anything unexpected."""
    if not (isinstance(result, tuple) and len(result) == 2 and result[0] in CACHEABLE_KINDS):
        return False
    kind, payload = result
    return not (kind == "error" and isinstance(payload, str) and payload.startswith(_WORKER_FAILURE_PREFIX))


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def default_store_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hamstring-analyzer", appauthor=False))


_CODE_VERSION: str | None = None
#: The modules whose code decides what the store holds (readers, cleaning, statistics, layout).
_CODE_PARTS = ("readers", "clean", "store", "activity.py", "metrics", "export.py", "timezones.py", "glossary.py")


def code_version() -> str:
    """A hash of this package's version and of the code that computes stored numbers."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        from .. import __version__

        package = Path(__file__).resolve().parent.parent
        h = hashlib.blake2b(__version__.encode(), digest_size=8)
        for part in _CODE_PARTS:
            path = package / part
            files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
            for f in files:
                h.update(f.relative_to(package).as_posix().encode())
                with contextlib.suppress(OSError):
                    h.update(f.read_bytes())
        _CODE_VERSION = h.hexdigest()
    return _CODE_VERSION


class StoredActivity(Activity):
    """An `Activity` whose samples stay in the run store until asked for.

    ``records`` reads the run's samples from its ``*.samples.parquet`` on
    every access (the last one read is kept, so back-to-back uses cost one
    read); nothing else of the samples is held in memory. Everything the
    analysis needs without samples (``has_gps``, channels, statistics,
    quality, laps) comes from the summary row.
    """

    # Built by `RunStore`, never by hand: Activity's fields plus these.
    _samples_path: Path | None = None
    _channels: tuple = ()
    _n_samples: int = 0
    _has_gps: bool = False
    _keep = None  # a temporary store's lifetime handle

    @property
    def records(self):
        held = self.__dict__.get("_records")
        if held is not None:
            return held
        return _load_samples(self._samples_path, self.session_index, None, self.source, self._channels).frame()

    @records.setter
    def records(self, value):
        self._set_records(value)

    def _set_records(self, value) -> None:  # a copy made with samples in hand holds them
        from ..activity import Samples

        self.__dict__["_records"] = value.frame() if isinstance(value, Samples) else value

    @property
    def samples(self):
        held = self.__dict__.get("_records")
        if held is not None:
            from ..activity import as_samples

            return as_samples(held)
        return _load_samples(self._samples_path, self.session_index, None, self.source, self._channels)

    def _get_laps(self):  # built on each use, never held: a long history holds no laps frames
        frame = self.__dict__.get("_lap_frame")
        if frame is not None:
            return frame
        from ..activity import laps_frame

        return laps_frame(self.__dict__.get("_lap_list") or [])

    def samples_for(self, columns):
        """The samples with only ``columns`` (those the run has): one read of just those columns."""
        if self.__dict__.get("_records") is not None:
            return super().samples_for(columns)
        wanted = tuple(c for c in columns if c in self._channels)
        return _load_samples(self._samples_path, self.session_index, wanted, self.source, self._channels)

    def _holds_records(self) -> bool:  # a copy made with records in hand behaves as a plain Activity
        return self.__dict__.get("_records") is not None

    @property
    def has_gps(self) -> bool:
        return super().has_gps if self._holds_records() else self._has_gps

    def has_channel(self, name: str) -> bool:
        return super().has_channel(name) if self._holds_records() else name in self._channels

    @property
    def n_samples(self) -> int:
        return len(self.__dict__["_records"]) if self._holds_records() else self._n_samples


_last_read: tuple = (None, None)


def _load_samples(path: Path | None, session_index: int, columns, source: str, order=()):
    """One session's `Samples` from a samples file (the most recent read is reused)."""
    global _last_read
    import pyarrow.parquet as pq

    from ..activity import Samples
    from .schema import SAMPLE_STORAGE, samples_from_table, sample_schema

    if path is None:
        return Samples.empty()
    try:
        with _open_regular(path) as fh:
            st = os.fstat(fh.fileno())
            key = (str(path), st.st_mtime_ns, st.st_size, session_index, columns)
            if _last_read[0] == key:
                return _last_read[1]
            pf = pq.ParquetFile(fh, page_checksum_verification=True, pre_buffer=False)  # see _open_regular
            expected = sample_schema([c for c in SAMPLE_STORAGE if c in pf.schema_arrow.names])
            if not pf.schema_arrow.remove_metadata().equals(expected) or not set(order) <= set(pf.schema_arrow.names):
                raise ValueError("not the samples schema")
            names = None if columns is None else ["session_index", "time", *columns]
            frame = samples_from_table(pf.read(columns=names, use_threads=False), session_index, columns, order)
    except Exception as exc:  # noqa: BLE001 - deleted or damaged since it was stored
        with contextlib.suppress(OSError):
            path.unlink()  # the next ingest reads the file again
        raise HamstringAnalyzerError(f"{source}: its stored samples cannot be read ({type(exc).__name__}); "
                                     f"run again to re-read the file") from None  # fmt: skip
    _last_read = (key, frame)
    return frame


class RunStore:
    """Parsed files on disk (see the module docstring).

    Parameters
    ----------
    folder : path, optional
        The store folder (default: `default_store_dir`). ``store-v1`` is made inside it.
    """

    #: More summary segments than this are merged into one when an ingest ends.
    MAX_SEGMENTS = 8
    #: Pending summary rows are written at least this often [s], and every `FLUSH_ROWS` files.
    FLUSH_S = 5.0
    FLUSH_ROWS = 500

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder) if folder is not None else default_store_dir()
        self.root = self.folder / LAYOUT_FOLDER
        self.hits = 0
        self.misses = 0
        self.discarded = 0
        self.readonly = False  # True when the folder cannot be created: results stay in memory
        self.reads = True
        self.keepalive = None
        self._checked = False
        self._index: dict[str, list[dict]] | None = None
        self._segments: list[Path] = []
        self._pending: list[dict] = []
        self._flushed_at = time.monotonic()
        self._sample_folders: dict[str, Path] = {}

    def __getstate__(self):  # what a worker needs: where to write samples
        return {"folder": self.folder, "root": self.root, "readonly": self.readonly}

    def __setstate__(self, state):
        self.__init__(state["folder"])
        self.readonly = state["readonly"]
        self._checked = True

    @classmethod
    def temporary(cls) -> "RunStore":
        """A private store that is never read from and is deleted with the last run that uses it
        (``--no-cache``: nothing is reused or left behind, and memory still stays flat)."""
        _remove_orphans()
        folder = tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-")
        store = cls(folder)
        store.reads = False
        store.keepalive = _Keepalive()
        weakref.finalize(store.keepalive, _remove_folder, folder, os.getpid())
        return store

    # -- safety ----------------------------------------------------------------
    def check(self) -> None:
        """Make sure the store folder is safe to use, creating ``store-v1`` (0700) as needed.

        Raises
        ------
        HamstringAnalyzerError
            The folder (or ``store-v1``) can be written by other users, or belongs to another user.
        """
        if self._checked:
            return
        for path in (self.folder, self.root):  # the folder is judged before anything is made in it
            try:
                st = os.stat(path)
            except FileNotFoundError:
                try:
                    path.mkdir(mode=0o700, parents=True)
                    st = os.stat(path)
                except OSError:
                    self.readonly = self._checked = True
                    return
            except OSError:
                self.readonly = self._checked = True
                return
            if not stat.S_ISDIR(st.st_mode):
                raise HamstringAnalyzerError(f"{path}: the cache folder is not a folder; choose another with --cache-dir")
            if hasattr(os, "getuid") and st.st_uid != os.getuid():
                raise HamstringAnalyzerError(f"{path}: the cache folder belongs to another user; refused "
                                             f"(choose your own with --cache-dir)")  # fmt: skip
            if st.st_mode & 0o022:
                raise HamstringAnalyzerError(f"{path}: the cache folder can be written by other users, who could plant "
                                             f"entries; refused (run chmod go-w on it, or choose another with --cache-dir)")  # fmt: skip
        self._checked = True
        with contextlib.suppress(OSError):
            if os.stat(self.root).st_mode & 0o077:
                os.chmod(self.root, 0o700)  # the runner's tracks: private
        _remove_old_pickles(self.folder)

    # -- paths -----------------------------------------------------------------
    @property
    def summary_dir(self) -> Path:
        return self.root / "summary"

    def samples_path(self, key: str) -> Path:
        folder = self._sample_folders.get(key[:2])
        if folder is None:  # 256 folders: each Path built once, a run's path is one join
            folder = self._sample_folders[key[:2]] = self.root / "samples" / key[:2]
        return folder / f"{key}.parquet"

    # -- reading ---------------------------------------------------------------
    def keys(self) -> list[str]:
        """The content keys of the files stored (in readable segments)."""
        self.check()
        return sorted(self._load_index())

    def _load_index(self) -> dict[str, list[dict]]:
        """Every stored file's rows, by key, from the summary segments (bad segments deleted)."""
        if self._index is not None:
            return self._index
        import pyarrow.parquet as pq

        from .schema import LAYOUT_VERSION, SUMMARY_SCHEMA

        index: dict[str, list[dict]] = {}
        self._segments = []
        self._other_versions = []
        for path in sorted(self.summary_dir.glob("*.parquet")) if not self.readonly else []:
            try:
                with _open_regular(path) as fh:
                    pf = pq.ParquetFile(fh, pre_buffer=False)  # see _open_regular
                    meta = json.loads((pf.schema_arrow.metadata or {})[META_KEY])
                    if meta.get("layout") != LAYOUT_VERSION or meta.get("code") != code_version():
                        self._other_versions.append(path)  # another release's: left for it, pruned when old
                        continue
                    table = pf.read()
                if not table.schema.remove_metadata().equals(SUMMARY_SCHEMA):
                    raise ValueError("not the summary schema")
                rows = table.to_pylist()
            except FileNotFoundError:  # merged away by another process meanwhile
                continue
            except Exception:  # noqa: BLE001 - unreadable or foreign: its files are parsed again
                self.discarded += 1
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            self._segments.append(path)
            by_key: dict[str, list[dict]] = {}
            for row in rows:
                by_key.setdefault(row["key"], []).append(row)
            index.update(by_key)  # a later segment wins (same file, same content)
        self._index = index
        return index

    def summary(self):
        """The per-run summary table (Arrow), one row per (key, session_index): what a cohort or notebook reads.

        Reading ``summary/`` directly is fine too, with two rules: keep only segments
        whose metadata has this layout and code, and de-duplicate on
        (``key``, ``session_index``), the newest segment (the last name in sorted order) winning (two ingests at once
        may store the same file twice).
        """
        from .schema import summary_table

        self.check()
        return summary_table([row for rows in self._load_index().values() for row in rows])

    def get(self, key: str):
        """The stored result for ``key`` (runs as `StoredActivity`), or None (a miss, or a discarded entry)."""
        if not self.reads:
            self.misses += 1
            return None
        self.check()
        rows = self._load_index().get(key)
        result = self._result(key, rows) if rows else None
        if result is None:
            self.misses += 1
        else:
            self.hits += 1
        return result

    def _result(self, key: str, rows: list[dict]):
        """The result a file's rows stand for; None when they cannot stand for one (then the file is read again)."""
        try:
            return self._rows_result(key, rows)
        except Exception:  # noqa: BLE001 - values no reader writes: damage or a crafted segment
            self.discarded += 1
            return None

    def _rows_result(self, key: str, rows: list[dict]):
        from .schema import check_row

        outcome = rows[0]["outcome"]
        if outcome in ("skipped", "error"):
            result = (outcome, rows[0]["reason"])
            return result if len(rows) == 1 and isinstance(rows[0]["reason"], str) and cacheable(result) else None
        if outcome != "ok" or any(r["outcome"] != "ok" for r in rows):
            return None
        rows = [r for r in rows if r["session_index"] is not None]
        for r in rows:
            check_row(r)
        samples = self.samples_path(key)
        if any(_keeps_samples(r) for r in rows) and not _looks_whole(samples):
            self.discarded += 1
            with contextlib.suppress(OSError):
                samples.unlink()
            return None
        return ("ok", [self._activity(r, samples) for r in rows])

    def _activity(self, row: dict, samples: Path) -> StoredActivity:
        from .schema import activity_fields

        a = StoredActivity(records=None, laps=None, **activity_fields(row))
        a._samples_path = samples if _keeps_samples(row) else None
        a._channels = tuple(row["channels"] or ())
        a._n_samples = row["n_samples"] or 0
        a._has_gps = bool(row["has_gps"])
        a._set_laps(row["laps"] or [])
        a._keep = self.keepalive
        return a

    # -- writing ---------------------------------------------------------------
    def write_samples(self, key: str, result):
        """In the worker that parsed a file: write its runs' samples, return the summary rows.

        Returns ``(kind, SummaryRows)`` for a stored parser conclusion. A worker
        failure (see `cacheable`) comes back as it was, and so does everything
        when the store cannot be written (a read-only or full disk costs memory
        and speed, never the ingest).
        """
        if not cacheable(result) or self.readonly:
            return result
        import pyarrow as pa

        from .schema import encodings, outcome_row, samples_table, summary_row

        kind, payload = result
        if kind != "ok":
            return (kind, SummaryRows([outcome_row(key, kind, payload)]))
        try:
            table = samples_table([a for a in payload if a.is_run])
            if table is not None:
                path = self.samples_path(key)
                _private_dir(path.parent.parent)
                _private_dir(path.parent)
                _write(path, table, encodings(table.schema))
            rows = [summary_row(key, a) for a in payload] or [outcome_row(key, "ok", None)]
        except (OSError, pa.ArrowException):
            return result
        return ("ok", SummaryRows(rows))

    def add(self, key: str, result):
        """In the ingest's own process: note a file's summary rows, return its result with `StoredActivity` runs."""
        kind, payload = result
        if not isinstance(payload, SummaryRows):
            return result  # not stored: a failure, or a store that cannot be written
        back = self._result(key, list(payload))
        if back is None:  # rows that would not read back: never stored, reported as a failure
            return ("failed", "could not be stored (its summary does not read back); skipped")
        self._pending.extend(payload)
        if self._index is not None:
            self._index[key] = list(payload)
        if len(self._pending) >= self.FLUSH_ROWS or time.monotonic() - self._flushed_at >= self.FLUSH_S:
            self.flush()
        return back

    def flush(self) -> None:
        """Write the pending summary rows as a new segment (and merge segments when there are many)."""
        self._flushed_at = time.monotonic()
        if not self._pending or self.readonly:
            return
        rows, self._pending = self._pending, []
        try:
            path = self._write_segment(rows)
        except (OSError, _arrow_error()):
            return  # the samples stay; these files are parsed again next time
        self._segments.append(path)

    def close(self) -> None:
        """Flush, and merge the segments when there are more than `MAX_SEGMENTS`."""
        self.flush()
        if self.readonly or not self.reads:
            return
        now = time.time()
        for path in getattr(self, "_other_versions", []):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > OTHER_VERSION_KEEP_S:
                    path.unlink()
        if len(self._segments) <= self.MAX_SEGMENTS:
            return
        index = self._load_index() if self._index is None else self._index
        merged = [row for rows in index.values() for row in rows]
        old = list(self._segments)
        try:
            self._segments = [self._write_segment(merged)]
        except (OSError, _arrow_error()):
            return
        for path in old:
            with contextlib.suppress(OSError):
                path.unlink()

    def _write_segment(self, rows: list[dict]) -> Path:
        from .schema import LAYOUT_VERSION, summary_table

        table = summary_table(rows).replace_schema_metadata(
            {META_KEY: json.dumps({"layout": LAYOUT_VERSION, "code": code_version()}).encode()}
        )
        _private_dir(self.summary_dir)
        path = self.summary_dir / segment_name()
        _write(path, table, None)
        return path


_last_segment_ns = 0
_clock_ns = time.time_ns  # what segment_name reads the time from (a test stops it)


def segment_name() -> str:
    """A new summary segment's name; names sort in the order they were made.

    The write time in nanoseconds (20 digits), never less than one more than the
    last name this process made (a clock that steps back cannot reorder them),
    then random characters so that two processes never pick the same name.
    (Older builds named them by the second, with a random tail: two segments of
    one second were then ordered by chance. Their segments carry another code
    version, so this build never reads them.)
    """
    global _last_segment_ns
    _last_segment_ns = max(_clock_ns(), _last_segment_ns + 1)
    return f"{_last_segment_ns:020d}-{secrets.token_hex(6)}.parquet"


class SummaryRows(list):
    """The summary rows of one stored file, as a worker sends them back."""


def _open_regular(path: Path):
    """``path`` opened for reading if it is a regular file (not a link, pipe or device), else OSError.

    Parquet reads from the Python file object this returns must pass
    ``pre_buffer=False``: pre-buffering reads it on Arrow's I/O threads, and the
    last of those reads can be released after the interpreter began to exit;
    releasing a Python buffer then needs the GIL, the thread is ended, and the
    process aborts ("terminate called without an active exception", seen in
    about 1 of 10 short runs).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _private_dir(path: Path) -> None:
    """Make ``path`` a real folder (0700) inside the store; a link or file there is removed first."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return
    if stat.S_ISDIR(st.st_mode):
        return
    path.unlink()  # a symlink (or anything else) planted where our folder goes
    path.mkdir(mode=0o700)


def _looks_whole(path: Path) -> bool:
    """A Parquet file that is there and ends like one (a cheap check; a full read checks the rest)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:  # plain descriptors: this runs once per stored run, in the ingest's own process
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < 8:
            return False
        size = st.st_size
        os.lseek(fd, size - 8, os.SEEK_SET)
        tail = os.read(fd, 8)
    except OSError:
        return False
    finally:
        os.close(fd)
    return tail[4:] == b"PAR1" and 0 < int.from_bytes(tail[:4], "little") < size


def _keeps_samples(row: dict) -> bool:
    return row["sport"] == "running" and bool(row["n_samples"])


def _arrow_error():
    import pyarrow as pa

    return pa.ArrowException


TEMPORARY_PREFIX = "hamstring-analyzer-"


def _remove_orphans() -> None:
    """Remove the temporary stores of our processes that died without cleaning up (killed)."""
    pattern = re.compile(re.escape(TEMPORARY_PREFIX) + r"(\d+)-\w+")
    with contextlib.suppress(OSError):
        for entry in os.scandir(tempfile.gettempdir()):
            m = pattern.fullmatch(entry.name)
            if not m or not entry.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                if hasattr(os, "getuid") and entry.stat(follow_symlinks=False).st_uid != os.getuid():
                    continue
                if not _alive(int(m.group(1))):
                    shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _remove_folder(folder: str, owner_pid: int) -> None:
    if os.getpid() == owner_pid:  # never from a forked worker that inherited the handle
        shutil.rmtree(folder, ignore_errors=True)


class _Keepalive:
    """Held by every run of a temporary store; the store's folder goes when the last one does."""

    def __copy__(self):
        return self  # a copied run shares its store's lifetime

    def __deepcopy__(self, memo):
        return self


def _write(path: Path, table, column_encoding) -> None:
    """Write ``table`` to ``path`` whole: a private temporary file (0600) renamed into place.

    No fsync: a store entry lost or torn by a power cut is detected when read
    (Parquet's footer) and the file parsed again.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    options = {"compression": "zstd", "write_statistics": False, "write_page_checksum": True}
    if column_encoding:  # samples: the Parquet types say all (no Arrow schema copy in each small file)
        options.update(use_dictionary=False, column_encoding=column_encoding, store_schema=False)
    pq.write_table(table, sink, **options)
    data = sink.getvalue().to_pybytes()
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # a link planted at ``path`` is replaced, never followed
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_old_pickles(folder: Path) -> None:
    """Delete the pickle cache of versions before the store (``v1/<kk>/<key>.pkl``): never read again."""
    old = folder / "v1"
    if not old.is_dir() or old.is_symlink():
        return
    with contextlib.suppress(OSError):
        for sub in old.iterdir():
            if not (sub.is_dir() and not sub.is_symlink() and re.fullmatch(r"[0-9a-f]{2}", sub.name)):
                continue
            for f in sub.iterdir():
                if f.suffix == ".pkl" and _KEY.fullmatch(f.stem):
                    f.unlink()
            with contextlib.suppress(OSError):
                sub.rmdir()
        with contextlib.suppress(OSError):
            old.rmdir()
