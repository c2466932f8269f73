"""`StoredActivity`: a run whose samples stay in its samples file until asked for, read back column by column."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pyarrow.parquet as pq

from ..activity import Activity, Samples, as_samples, laps_frame
from ..errors import HamstringAnalyzerError
from .files import open_entry
from .schema import SAMPLE_STORAGE, sample_schema, samples_from_table


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
            names = None if columns is None else ["session_index", "time", *columns]
            frame = samples_from_table(pf.read(columns=names, use_threads=False), session_index, columns, order)
    except Exception as exc:  # noqa: BLE001 - deleted or damaged since it was stored
        with contextlib.suppress(OSError):
            path.unlink()  # the next ingest reads the file again
        raise HamstringAnalyzerError(f"{source}: its stored samples cannot be read ({type(exc).__name__}); "
                                     f"run again to re-read the file") from None  # fmt: skip
    _last_read = (key, frame)
    return frame
