"""The one shape every parser returns."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import InitVar, dataclass, field

import numpy as np
import pandas as pd

from . import glossary as g


@dataclass(eq=False, kw_only=True)
class Activity:
    """One session of one sport, as read from a file.

    Attributes
    ----------
    records : DataFrame
        Samples on a time-zone-aware UTC ``DatetimeIndex`` named ``time``, with the
        glossary columns (``distance_m``, ``speed_mps``, ``altitude_m``,
        ``heart_rate_bpm``, ``cadence_spm`` [steps/min, both feet], ``lat_deg``,
        ``lon_deg`` and running dynamics). A channel the file lacks is absent.
        Built on first use from ``samples``; treat it as read-only.
    samples : Samples
        The same samples as numpy arrays: what ingest, cleaning and the
        metrics work on (no frame is built unless someone asks for ``records``).
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
    entry : str or None
        For an entry of a list (a row of a CSV, a workout of an export), where
        it is in its file (``"line 9"``, ``"workout 3"``), so that an entry
        refused later is named; not stored.
    """

    records: InitVar[object] = None  # a DataFrame or `Samples`; read back through the ``records`` / ``samples`` properties
    laps: InitVar[object] = None  # a laps frame or lap rows (see `lap_rows`); read back through the properties
    source: str = ""
    format: str = ""
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
    entry: str | None = None

    def __post_init__(self, records, laps) -> None:
        self._set_records(records)
        self._set_laps(laps)

    def replace(self, **changes) -> "Activity":
        """A copy with ``changes``; samples and laps carry over as they are held (no frame is built)."""
        changes.setdefault("records", self.samples)
        changes.setdefault("laps", self.lap_rows)
        return dataclasses.replace(self, **changes)

    # -- laps, as rows or as a frame ------------------------------------------
    def _set_laps(self, value) -> None:
        if isinstance(value, list):
            self.__dict__["_lap_list"], self.__dict__["_lap_frame"] = value, None
        else:
            self.__dict__["_lap_list"], self.__dict__["_lap_frame"] = None, value

    def _get_laps(self) -> pd.DataFrame:
        frame = self.__dict__.get("_lap_frame")
        if frame is None:
            frame = laps_frame(self.__dict__.get("_lap_list") or [])
            self.__dict__["_lap_frame"] = frame
        return frame

    @property
    def lap_rows(self) -> list[dict]:
        """The laps as dicts of the ``laps`` columns: Timestamps or None, floats or None, an intensity or None."""
        rows = self.__dict__.get("_lap_list")
        if rows is None:
            rows = lap_rows_from_frame(self.__dict__.get("_lap_frame"))
            self.__dict__["_lap_list"] = rows
        return rows

    # -- samples, as numpy arrays or as a frame -------------------------------
    def _set_records(self, value) -> None:
        if isinstance(value, Samples):
            self.__dict__["_samples"], self.__dict__["_frame"] = value, None
        else:
            self.__dict__["_samples"], self.__dict__["_frame"] = None, value

    def _get_records(self) -> pd.DataFrame:
        frame = self.__dict__.get("_frame")
        if frame is None:
            held = self.__dict__.get("_samples")
            frame = held.frame() if held is not None else Samples.empty().frame()
            self.__dict__["_frame"] = frame
        return frame

    @property
    def samples(self) -> "Samples":
        held = self.__dict__.get("_samples")
        if held is None:
            frame = self.__dict__.get("_frame")
            held = Samples.from_frame(frame) if frame is not None else Samples.empty()
            self.__dict__["_samples"] = held
        return held

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
        return self.samples.has(g.LATITUDE)

    @property
    def is_run(self) -> bool:
        return self.sport == "running"

    @property
    def id(self) -> str:
        """A stable id: the source, plus the session number for multisport files."""
        return self.source if self.session_index == 0 else f"{self.source}#{self.session_index}"

    def has_channel(self, name: str) -> bool:
        """True when the column ``name`` holds any value (without reading stored samples)."""
        return self.samples.has(name)

    @property
    def n_samples(self) -> int:
        return len(self.samples)

    @property
    def has_samples(self) -> bool:
        """False for a run known only from a summary (a manual entry, a summary without its file)."""
        return self.n_samples > 1

    @property
    def files(self) -> list[str]:
        """The files this run was read from, in order: ``[source]``, or every part of one workout recorded in several files (`ingest.join`)."""
        return [self.source]

    @property
    def source_kinds(self) -> list[str]:
        """The exports this run came from (``sources``, or just this reader's kind)."""
        return list(self.sources) if self.sources else [self.format]

    def interval_spans(self) -> list[tuple[float, float]]:
        """(start, end) in UNIX seconds of the laps the watch marked as intervals."""
        return [
            (r[g.LAP_START].timestamp(), r[g.LAP_END].timestamp())
            for r in self.lap_rows
            if r[g.LAP_INTENSITY] == "interval" and r[g.LAP_START] is not None and r[g.LAP_END] is not None
        ]

    def records_for(self, columns) -> pd.DataFrame:
        """The records with only ``columns`` (those present): what a metric needs, nothing more."""
        return self.samples_for(columns).frame()

    def samples_for(self, columns) -> "Samples":
        """The samples with only ``columns`` (those present): what a metric needs, nothing more."""
        held = self.samples
        return Samples(held.t_ns, {c: held[c] for c in columns if c in held})

    def channel(self, name: str) -> pd.Series | None:
        """The column ``name`` when it holds any value, else None."""
        if self.has_channel(name):
            return self.records[name]
        return None

    def __repr__(self) -> str:  # a short, readable repr for notebooks
        start = self.start_utc.isoformat() if self.start_utc is not None else "?"
        dist = f"{self.distance_m / 1000:.2f} km" if self.distance_m else "no distance"
        return f"<Activity {self.sport}/{self.sub_sport} {start} {dist} {self.n_samples} records from {self.source}>"


Activity.records = property(Activity._get_records, Activity._set_records, doc="The samples as a frame (see the class docstring).")
Activity.laps = property(lambda self: self._get_laps(), lambda self, value: self._set_laps(value), doc="The laps as a frame (see the class docstring).")


class Samples:
    """One activity's samples as numpy arrays, sorted by time with one sample per instant.

    ``t_ns`` holds UNIX nanoseconds (int64), ``t`` the same as float UNIX
    seconds; each glossary column is a float64 array of the same length, NaN
    where a sample lacks it. The arrays are shared, never copied: treat them
    as read-only and build a new `Samples` to change anything.
    """

    __slots__ = ("t_ns", "_t", "_cols", "_memo")

    def __init__(self, t_ns: np.ndarray, columns: dict[str, np.ndarray]):
        self.t_ns = np.asarray(t_ns, dtype="int64")
        self._t = None
        self._cols = columns
        self._memo = {}

    def memo(self, key, compute):
        """``compute()``, once per ``key`` for these samples (the result is made read-only)."""
        if key not in self._memo:
            value = compute()
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            self._memo[key] = value
        return self._memo[key]

    @classmethod
    def empty(cls) -> "Samples":
        return cls(np.array([], dtype="int64"), {})

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "Samples":
        t_ns = frame.index.as_unit("ns").asi8 if len(frame.index) else np.array([], dtype="int64")
        return cls(t_ns, {c: frame[c].to_numpy(dtype="float64") for c in frame.columns})

    @property
    def t(self) -> np.ndarray:
        """UNIX seconds [s] (float64)."""
        if self._t is None:
            self._t = self.t_ns / 1e9
        return self._t

    @property
    def columns(self) -> list[str]:
        return list(self._cols)

    def __len__(self) -> int:
        return len(self.t_ns)

    def __contains__(self, name) -> bool:
        return name in self._cols

    def __getitem__(self, name: str) -> np.ndarray:
        return self._cols[name]

    def get(self, name: str) -> np.ndarray | None:
        return self._cols.get(name)

    def has(self, name: str) -> bool:
        """The column ``name`` holds at least one value."""
        col = self._cols.get(name)
        return col is not None and bool(np.isfinite(col).any())

    def count(self, name: str) -> int:
        """Samples holding a value of ``name``."""
        col = self._cols.get(name)
        return 0 if col is None else int(np.isfinite(col).sum())

    def take(self, rows) -> "Samples":
        """The samples at ``rows`` (a boolean mask or positions)."""
        return Samples(self.t_ns[rows], {c: v[rows] for c, v in self._cols.items()})

    def with_columns(self, **columns: np.ndarray) -> "Samples":
        out = dict(self._cols)
        out.update(columns)
        return Samples(self.t_ns, out)

    def without(self, *names: str) -> "Samples":
        return Samples(self.t_ns, {c: v for c, v in self._cols.items() if c not in names})

    def frame(self) -> pd.DataFrame:
        """The samples as a records frame (UTC ``DatetimeIndex`` named ``time``)."""
        index = pd.DatetimeIndex(self.t_ns.view("datetime64[ns]"), name="time").tz_localize("UTC")
        return pd.DataFrame(dict(self._cols), index=index)

    def __repr__(self) -> str:
        return f"<Samples {len(self)} x {', '.join(self._cols)}>"


def as_samples(records) -> Samples:
    """``records`` (a records frame or `Samples`) as `Samples` (a frame's columns are shared, not copied)."""
    return records if isinstance(records, Samples) else Samples.from_frame(records)


def unix_seconds(index: pd.DatetimeIndex) -> np.ndarray:
    """UNIX seconds of a DatetimeIndex, whatever its resolution (pandas 3 may use us or s)."""
    return index.as_unit("ns").asi8 / 1e9


def _lap_number(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def lap_rows_from_frame(laps: pd.DataFrame | None) -> list[dict]:
    """A laps frame as `Activity.lap_rows`."""
    if laps is None or laps.empty:
        return []
    rows = []
    columns = {c: laps[c].tolist() for c in g.LAP_COLUMNS if c in laps}
    for i in range(len(laps)):
        row = {}
        for c in g.LAP_COLUMNS:
            v = columns[c][i] if c in columns else None
            if c in (g.LAP_START, g.LAP_END):
                row[c] = None if v is None or pd.isna(v) else pd.Timestamp(v)
            elif c == g.LAP_INTENSITY:
                row[c] = None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            else:
                row[c] = _lap_number(v)
        rows.append(row)
    return rows


def laps_frame(rows: list[dict]) -> pd.DataFrame:
    """`Activity.lap_rows` as a laps frame."""
    if not rows:
        return empty_laps()
    return pd.DataFrame({  # built as the readers build theirs, so dtypes match
        c: pd.to_datetime([r[c] for r in rows], utc=True) if c in (g.LAP_START, g.LAP_END)
        else [(np.nan if r[c] is None else r[c]) for r in rows] if c != g.LAP_INTENSITY
        else [r[c] for r in rows]
        for c in g.LAP_COLUMNS
    })  # fmt: skip


def empty_laps() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in g.LAP_COLUMNS}).astype(
        {g.LAP_START: "datetime64[ns, UTC]", g.LAP_END: "datetime64[ns, UTC]", g.LAP_INTENSITY: "object"}
    )


def make_samples(times_s: np.ndarray, columns: dict[str, np.ndarray]) -> Samples:
    """Samples from UNIX seconds and glossary columns, as every reader builds them.

    Sorts by time, drops samples without a time, merges samples that share a
    time (some writers split one second across two messages: the first value of
    each channel wins), and drops channels that hold no value, so a missing
    channel is absent, never zeros.
    """
    times_s = np.asarray(times_s, dtype="float64")
    keep = np.isfinite(times_s)
    everything = bool(keep.all())
    cols = {k: np.asarray(v, dtype="float64") for k, v in columns.items()}
    if not everything:
        times_s = times_s[keep]
        cols = {k: v[keep] for k, v in cols.items()}
    t_ns = unix_nanoseconds(times_s)
    if len(t_ns) > 1 and (np.diff(t_ns) <= 0).any():
        order = np.argsort(t_ns, kind="stable")
        t_ns = t_ns[order]
        cols = {k: v[order] for k, v in cols.items()}
        new = np.concatenate([[True], np.diff(t_ns) != 0])
        if not new.all():  # one sample per instant: per channel, the first value there is
            starts = np.nonzero(new)[0]
            n = len(t_ns)
            merged = {}
            for k, v in cols.items():
                pos = np.where(np.isfinite(v), np.arange(n), n)
                merged[k] = np.append(v, np.nan)[np.minimum.reduceat(pos, starts)]
            t_ns, cols = t_ns[starts], merged
    return Samples(t_ns, {k: v for k, v in cols.items() if np.isfinite(v).any()})


def unix_nanoseconds(times_s: np.ndarray) -> np.ndarray:
    """UNIX seconds (finite floats) as int64 nanoseconds, rounded exactly as ``pd.to_datetime(unit="s")`` rounds."""
    if not len(times_s):
        return np.array([], dtype="int64")
    if np.abs(times_s).max() > 9.0e9:  # beyond pandas' range (year 2262): let pandas say so
        return pd.to_datetime(times_s, unit="s", utc=True).as_unit("ns").asi8
    whole = times_s.astype("int64")
    return whole * 1_000_000_000 + (np.round(times_s - whole, 9) * 1_000_000_000).astype("int64")


def records_frame(times_s: np.ndarray, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """`make_samples` as a records frame."""
    return make_samples(times_s, columns).frame()
