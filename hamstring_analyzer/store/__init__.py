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
hash of those modules, `version.code_version`), so a segment is never read by a version that would
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
  files parsed again; so is a run whose samples file is missing or damaged
  (cut short or empty: when the store is read; damaged inside, such as a
  footer claiming 2^62 rows or a bad page: when its samples are first read,
  and `analysis.analyze_athlete` then ingests again at once, see
  `stored.drop_damaged_samples`).
* Only a parser's own conclusion is stored (``ok``, ``skipped``, or ``error``
  for a file it refused); a worker that crashed or died never is (see
  `hamstring_analyzer.ingest.pool`).
* The store holds the runner's GPS tracks: ``store-v1`` is created 0700,
  and a store folder that other users can write to (where anyone could plant
  entries) or that belongs to another user is refused with a one-line message.
* Samples are content-addressed and segments have unique names, so several
  processes (a coach's team run, a cohort's workers) can share one store.

Code
----
`RunStore` (here) answers and records each file. `schema` says the columns,
`segments` reads and writes the summary segments, `stored` reads a run's
samples back (`StoredActivity`), `files` opens and writes the store's files
safely, and `temporary` keeps the ``--no-cache`` stores.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import time
from pathlib import Path

import pyarrow as pa
from platformdirs import user_cache_dir

from ..errors import HamstringAnalyzerError
from .files import looks_whole, private_dir, write_table
from .schema import activity_fields, check_row, encodings, outcome_row, samples_table, summary_row, summary_table
from .segments import META_KEY, SegmentsRead, read_segments, segment_name, write_segment
from .stored import StoredActivity, StoredSamplesError, drop_damaged_samples
from .temporary import TEMPORARY_PREFIX, temporary_folder

__all__ = [
    "CACHEABLE_KINDS",
    "LAYOUT_FOLDER",
    "META_KEY",
    "OTHER_VERSION_KEEP_S",
    "RunStore",
    "StoredActivity",
    "StoredSamplesError",
    "SummaryRows",
    "TEMPORARY_PREFIX",
    "cacheable",
    "content_key",
    "default_store_dir",
    "drop_damaged_samples",
    "segment_name",
]

LAYOUT_FOLDER = "store-v1"
#: Summary segments written by another release are kept this long (it may still be in use) [s].
OTHER_VERSION_KEEP_S = 30 * 86400

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
    return Path(user_cache_dir("hamstring-analyzer", appauthor=False))


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
        folder, keepalive = temporary_folder()
        store = cls(folder)
        store.reads = False
        store.keepalive = keepalive
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
        found = read_segments(self.summary_dir) if not self.readonly else SegmentsRead()
        self._segments, self._other_versions = found.segments, found.other_versions
        self.discarded += found.discarded
        self._index = found.index
        return found.index

    def summary(self):
        """The per-run summary table (Arrow), one row per (key, session_index): what a cohort or notebook reads.

        Reading ``summary/`` directly is fine too, with two rules: keep only segments
        whose metadata has this layout and code, and de-duplicate on
        (``key``, ``session_index``), the newest segment (the last name in sorted order) winning (two ingests at once
        may store the same file twice).
        """
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
        if any(_keeps_samples(r) for r in rows) and not looks_whole(samples):
            self.discarded += 1
            with contextlib.suppress(OSError):
                samples.unlink()
            return None
        return ("ok", [self._activity(r, samples) for r in rows])

    def _activity(self, row: dict, samples: Path) -> StoredActivity:
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
        kind, payload = result
        if kind != "ok":
            return (kind, SummaryRows([outcome_row(key, kind, payload)]))
        try:
            table = samples_table([a for a in payload if a.is_run])
            if table is not None:
                path = self.samples_path(key)
                private_dir(path.parent.parent)
                private_dir(path.parent)
                write_table(path, table, encodings(table.schema))
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
            path = write_segment(self.summary_dir, rows)
        except (OSError, pa.ArrowException):
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
            self._segments = [write_segment(self.summary_dir, merged)]
        except (OSError, pa.ArrowException):
            return
        for path in old:
            with contextlib.suppress(OSError):
                path.unlink()


class SummaryRows(list):
    """The summary rows of one stored file, as a worker sends them back."""


def _keeps_samples(row: dict) -> bool:
    return row["sport"] == "running" and bool(row["n_samples"])


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
