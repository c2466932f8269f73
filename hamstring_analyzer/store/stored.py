"""`StoredActivity`: a run whose samples stay in its samples file until asked for, read back column by column.

A samples file damaged after it was stored (a torn write, a bad disk, a
footer that claims 2^62 rows) is found when a run's samples are read: it is
deleted and `StoredSamplesError` raised. `drop_damaged_samples` then checks
every other samples file of the export whole, so that one more ingest
(`analysis.analyze_athlete` does it at once) parses again every file whose
samples were lost.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pyarrow.parquet as pq

from ..activity import Activity, Samples, as_samples, laps_frame
from ..errors import HamstringAnalyzerError
from .files import open_entry
from .schema import SAMPLE_STORAGE, sample_schema, samples_from_table


class StoredSamplesError(HamstringAnalyzerError):
    """A run's stored samples could not be read; the samples file is deleted, so the next ingest reads the source again."""


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
        self.__dict__["_records"] = value.frame() if isinstance(value, Samples) else value

    @property
    def samples(self):
        held = self.__dict__.get("_records")
        if held is not None:
            return as_samples(held)
        return _load_samples(self._samples_path, self.session_index, None, self.source, self._channels)

    def _get_laps(self):  # built on each use, never held: a long history holds no laps frames
        frame = self.__dict__.get("_lap_frame")
        if frame is not None:
            return frame
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
    if path is None:
        return Samples.empty()
    try:
        with open_entry(path) as fh:
            st = os.fstat(fh.fileno())
            key = (str(path), st.st_mtime_ns, st.st_size, session_index, columns)
            if _last_read[0] == key:
                return _last_read[1]
            pf = pq.ParquetFile(fh, page_checksum_verification=True, pre_buffer=False)  # see files.open_entry
            expected = sample_schema([c for c in SAMPLE_STORAGE if c in pf.schema_arrow.names])
            if not pf.schema_arrow.remove_metadata().equals(expected) or not set(order) <= set(pf.schema_arrow.names):
                raise ValueError("not the samples schema")
            if not _counts_agree(pf.metadata):
                raise ValueError("a footer whose row counts disagree")
            names = None if columns is None else ["session_index", "time", *columns]
            frame = samples_from_table(pf.read(columns=names, use_threads=False), session_index, columns, order)
    except Exception:  # noqa: BLE001 - deleted or damaged since it was stored
        with contextlib.suppress(OSError):
            path.unlink()  # the next ingest reads the file again
        raise StoredSamplesError(f"{source}: its stored samples cannot be read (damaged since they were stored); "
                                 f"run again to re-read the file") from None  # fmt: skip
    _last_read = (key, frame)
    return frame


def _counts_agree(meta) -> bool:
    """The file's row count is its row groups' (a footer claiming 2^62 rows over a row group of 1,105 is damaged)."""
    return meta.num_rows == sum(meta.row_group(i).num_rows for i in range(meta.num_row_groups))


def _readable(path: Path) -> bool:
    """True when ``path`` reads whole as a samples file (every page, checksums verified)."""
    try:
        with open_entry(path) as fh:
            pf = pq.ParquetFile(fh, page_checksum_verification=True, pre_buffer=False)  # see files.open_entry
            expected = sample_schema([c for c in SAMPLE_STORAGE if c in pf.schema_arrow.names])
            if not pf.schema_arrow.remove_metadata().equals(expected) or not _counts_agree(pf.metadata):
                return False
            return pf.read(use_threads=False).num_rows == pf.metadata.num_rows
    except FileNotFoundError:
        return True  # gone already: the next ingest parses its file
    except Exception:  # noqa: BLE001 - any damage: unreadable
        return False


def drop_damaged_samples(activities) -> int:
    """Delete the samples files of ``activities`` that do not read whole; how many were deleted.

    Called once a run's samples were found damaged (`StoredSamplesError`):
    one damaged file often has company (a bad disk, a restored backup), and
    finding them all now costs one more ingest, not one per file.
    """
    global _last_read
    _last_read = (None, None)
    stored = [p for a in activities for p in (a, *getattr(a, "parts", ()))]  # a joined run's parts are stored runs
    paths = {a._samples_path for a in stored if isinstance(a, StoredActivity) and a._samples_path is not None}
    dropped = 0
    for path in sorted(paths):
        if not _readable(path):
            with contextlib.suppress(OSError):
                path.unlink()
            dropped += 1
    return dropped
