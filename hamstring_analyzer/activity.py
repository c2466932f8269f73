"""The one shape every parser returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import glossary as g


@dataclass(eq=False)
class Activity:
    """One session of one sport, as read from a file.

    Attributes
    ----------
    records : DataFrame
        Samples on a time-zone-aware UTC ``DatetimeIndex`` named ``time``, with the
        glossary columns (``distance_m``, ``speed_mps``, ``altitude_m``,
        ``heart_rate_bpm``, ``cadence_spm`` [steps/min, both feet], ``lat_deg``,
        ``lon_deg`` and running dynamics). A channel the file lacks is absent.
    laps : DataFrame
        ``start_utc``, ``end_utc``, ``distance_m``, ``timer_s``, ``elapsed_s``,
        ``intensity`` (active / rest / warmup / cooldown / recovery / interval or None).
    source : str
        The file, relative to what the user pointed at (through archives).
    format : str
        The reader that made it (`hamstring_analyzer.readers.registry`): ``fit``,
        ``gpx``, ``tcx``, ``apple_health``, ``strava_csv``, ``garmin_summary``,
        ``polar_json``.
    sport, sub_sport : str or None
        FIT profile names (``running`` / ``treadmill``, ``trail``, ``indoor_running``...).
        GPX and TCX sports are mapped onto the same names.
    start_utc : Timestamp
        Start, UTC.
    utc_offset_s : int or None
        The runner's offset from UTC at the start [s]; None when nothing said it.
    timezone : str or None
        IANA zone name when known (from the coordinates or a user setting).
    elapsed_s, moving_s : float
        Wall-clock and timer (moving) duration [s]; pauses leave moving below elapsed.
    distance_m : float or None
        Total distance [m].
    partial : bool
        True when the file was cut short (a watch that died mid-run) and only the
        records before the cut were read.
    warnings : list of str
        Things a careful reader should know (checksum mismatch, recovered XML...).
    rpe : float or None
        The runner's perceived exertion, 1-10 (Strava, Polar), when given.
    commute : bool or None
        Marked as a commute (Strava), when said.
    file_ref : str or None
        For a row of an export's activity list (Strava's ``activities.csv``): the
        activity file it names, relative to the list's folder.
    totals : dict or None
        The summary's own ``elevation_gain_m``, ``avg_heart_rate_bpm`` and
        ``cadence_spm``, used when there are no samples to compute them from.
    sources : list of str
        Every export that held this run (reader kinds), once duplicates are
        merged; empty until then (``[format]`` is meant).
    """

    records: pd.DataFrame
    laps: pd.DataFrame
    source: str
    format: str
    sport: str | None = None
    sub_sport: str | None = None
    device: str | None = None
    name: str | None = None
    start_utc: pd.Timestamp | None = None
    utc_offset_s: int | None = None
    timezone: str | None = None
    elapsed_s: float | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    partial: bool = False
    session_index: int = 0
    warnings: list[str] = field(default_factory=list)
    #: Summary numbers computed once at ingest (climb, running cadence, heart rate).
    stats: dict | None = None
    #: Gear-change events in the file (FIT ``event`` 42/43): only bicycles have gears.
    gear_changes: int = 0
    #: What cleaning did to the samples (`hamstring_analyzer.clean.Quality`); None before cleaning.
    quality: object | None = None
    rpe: float | None = None
    commute: bool | None = None
    file_ref: str | None = None
    totals: dict | None = None
    sources: list[str] = field(default_factory=list)

    # -- derived --------------------------------------------------------------
    @property
    def start_local(self) -> pd.Timestamp | None:
        """Start in the runner's local time, carrying its UTC offset."""
        if self.start_utc is None:
            return None
        if self.timezone:
            try:
                return self.start_utc.tz_convert(self.timezone)
            except Exception:  # an unknown zone name: fall back to the offset
                pass
        offset = self.utc_offset_s or 0
        return self.start_utc.tz_convert(dt.timezone(dt.timedelta(seconds=int(offset))))

    @property
    def has_gps(self) -> bool:
        return g.LATITUDE in self.records and bool(self.records[g.LATITUDE].notna().any())

    @property
    def is_run(self) -> bool:
        return self.sport == "running"

    @property
    def id(self) -> str:
        """A stable id: the source, plus the session number for multisport files."""
        return self.source if self.session_index == 0 else f"{self.source}#{self.session_index}"

    def has_channel(self, name: str) -> bool:
        """True when the column ``name`` holds any value (without reading stored samples)."""
        return self.channel(name) is not None

    @property
    def n_samples(self) -> int:
        return len(self.records)

    @property
    def has_samples(self) -> bool:
        """False for a run known only from a summary (a manual entry, a summary without its file)."""
        return self.n_samples > 1

    @property
    def source_kinds(self) -> list[str]:
        """The exports this run came from (``sources``, or just this reader's kind)."""
        return list(self.sources) if self.sources else [self.format]

    def interval_spans(self) -> list[tuple[float, float]]:
        """(start, end) in UNIX seconds of the laps the watch marked as intervals."""
        laps = self.laps
        if laps is None or laps.empty or g.LAP_INTENSITY not in laps:
            return []
        marked = (laps[g.LAP_INTENSITY] == "interval").to_numpy()
        return [
            (start.timestamp(), end.timestamp())
            for start, end in zip(laps[g.LAP_START][marked], laps[g.LAP_END][marked])
            if not (pd.isna(start) or pd.isna(end))
        ]

    def records_for(self, columns) -> pd.DataFrame:
        """The records with only ``columns`` (those present): what a metric needs, nothing more."""
        rec = self.records
        return rec[[c for c in columns if c in rec.columns]]

    def channel(self, name: str) -> pd.Series | None:
        """The column ``name`` when it holds any value, else None."""
        if name in self.records:
            col = self.records[name]
            if col.notna().any():
                return col
        return None

    def __repr__(self) -> str:  # a short, readable repr for notebooks
        start = self.start_utc.isoformat() if self.start_utc is not None else "?"
        dist = f"{self.distance_m / 1000:.2f} km" if self.distance_m else "no distance"
        return f"<Activity {self.sport}/{self.sub_sport} {start} {dist} {self.n_samples} records from {self.source}>"


def unix_seconds(index: pd.DatetimeIndex) -> np.ndarray:
    """UNIX seconds of a DatetimeIndex, whatever its resolution (pandas 3 may use us or s)."""
    return index.as_unit("ns").asi8 / 1e9


def empty_laps() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in g.LAP_COLUMNS}).astype(
        {g.LAP_START: "datetime64[ns, UTC]", g.LAP_END: "datetime64[ns, UTC]", g.LAP_INTENSITY: "object"}
    )


def records_frame(times_s: np.ndarray, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Build a records frame from UNIX seconds and glossary columns.

    Sorts by time, drops samples without a time, merges samples that share a
    time (some writers split one second across two messages: the first value of
    each channel wins), and drops channels that hold no value, so a missing
    channel is absent, never zeros.
    """
    times_s = np.asarray(times_s, dtype="float64")
    keep = np.isfinite(times_s)
    frame = pd.DataFrame({k: np.asarray(v, dtype="float64")[keep] for k, v in columns.items()})
    index = pd.to_datetime(times_s[keep], unit="s", utc=True)
    frame.index = pd.DatetimeIndex(index, name="time")
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    if frame.index.has_duplicates:
        frame = frame.groupby(level=0, sort=False).first()
    empty = [c for c in frame.columns if not frame[c].notna().any()]
    return frame.drop(columns=empty)
