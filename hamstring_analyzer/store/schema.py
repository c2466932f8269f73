"""The run store's two tables, typed: one row per activity, one row per sample.

This module is the layout's definition (see `hamstring_analyzer.store` for
the folder tree and the rules). It converts between `Activity` objects and
Arrow tables and nothing else: no file is opened here.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import glossary as g
from ..activity import Activity, Samples
from ..clean import Quality
from ..metrics.bands import CURVES, KEPT_COLUMNS
from ..metrics.profile import RUN_NUMBERS

#: The layout's version. A reader that finds another number ignores the entry (2: the fast-running curves, issue 29).
LAYOUT_VERSION = 2

_TS = pa.timestamp("ns", tz="UTC")  # the readers' own resolution
_LAP = pa.struct([
    (g.LAP_START, _TS), (g.LAP_END, _TS), (g.LAP_DISTANCE, pa.float64()),
    (g.LAP_TIMER, pa.float64()), (g.LAP_ELAPSED, pa.float64()), (g.LAP_INTENSITY, pa.string()),
])  # fmt: skip

#: Activity attributes kept as they are: (column, Arrow type).
_PLAIN = (
    ("session_index", pa.int16()),
    ("source", pa.string()),
    ("format", pa.string()),
    ("sport", pa.string()),
    ("sub_sport", pa.string()),
    ("device", pa.string()),
    ("name", pa.string()),
    ("start_utc", _TS),
    ("utc_offset_s", pa.int32()),
    ("timezone", pa.string()),
    ("elapsed_s", pa.float64()),
    ("moving_s", pa.float64()),
    ("distance_m", pa.float64()),
    ("partial", pa.bool_()),
    ("gear_changes", pa.int32()),
)
#: Per-run statistics computed at ingest from the full samples (`summary.expensive_stats`).
_STATS = (("elevation_gain_m", pa.float64()), ("cadence_spm", pa.float64()), ("avg_heart_rate_bpm", pa.float64()))
#: Per-run record profile (`metrics.profile.RUN_NUMBERS`, measured at ingest); null for activities that are not runs.
_PROFILE = tuple((n.name, {"float64": pa.float64(), "bool": pa.bool_()}[n.dtype]) for n in RUN_NUMBERS)
#: Per-run summaries of the samples for the analysis (`metrics.bands`): each a list (one value per step), null when
#: the run cannot be judged that way; ``c_<curve>_<kept>`` and the heart-rate spread ``h_<name>``.
_CURVES = tuple(f"c_{c.name}_{k}" for c in CURVES for k in KEPT_COLUMNS)
_SPREAD = (("h_bpm", pa.list_(pa.int16())), ("h_minutes", pa.list_(pa.float64())))
#: The cleaning record (`clean.Quality`), prefixed ``q_``; all null before cleaning.
_QUALITY = (
    ("distance_source", pa.string()),
    ("recorded_distance_m", pa.float64()),
    ("gps_jumps_removed_m", pa.float64()),
    ("gps_jump_points", pa.int32()),
    ("cut_s", pa.float64()),
    ("cut_m", pa.float64()),
    ("vehicle_s", pa.float64()),
    ("vehicle_at_ends", pa.bool_()),
    ("running_s", pa.float64()),
    ("running_share", pa.float64()),
    ("running_speed_mps", pa.float64()),
    ("dropped_values", pa.map_(pa.string(), pa.int32())),
    ("suspect_reasons", pa.list_(pa.string())),
    ("notes", pa.list_(pa.string())),
)

#: What an export's own summary says (appended after the first layout's columns): perceived
#: exertion, commute, the file a list row names, and its totals for a run without samples.
_SUMMARY_EXTRA = (
    ("rpe", pa.float64()),
    ("commute", pa.bool_()),
    ("file_ref", pa.string()),
    ("totals", pa.map_(pa.string(), pa.float64())),
)

#: Which file a row comes from and what its parser concluded.
_ENTRY = (("key", pa.string()), ("outcome", pa.string()), ("reason", pa.string()))

SUMMARY_SCHEMA = pa.schema(
    [pa.field(n, t) for n, t in _ENTRY]
    + [pa.field(n, t) for n, t in _PLAIN]
    + [
        pa.field("has_gps", pa.bool_()),
        pa.field("n_samples", pa.int32()),
        pa.field("channels", pa.list_(pa.string())),
        pa.field("warnings", pa.list_(pa.string())),
        pa.field("laps", pa.list_(_LAP)),
    ]
    + [pa.field(n, t) for n, t in _STATS]
    + [pa.field(f"p_{n}", t) for n, t in _PROFILE]
    + [pa.field("cleaned", pa.bool_())]
    + [pa.field(f"q_{n}", t) for n, t in _QUALITY]
    + [pa.field(n, t) for n, t in _SUMMARY_EXTRA]
    + [pa.field(n, pa.list_(pa.float64())) for n in _CURVES]
    + [pa.field(n, t) for n, t in _SPREAD]
)

#: The columns of `_PROFILE` and `_QUALITY` with their kinds, worked out once (not per row).
_PROFILE_KEYS = tuple((n, f"p_{n}", t == pa.bool_()) for n, t in _PROFILE)
_QUALITY_KEYS = tuple(
    (n, f"q_{n}", "bool" if t == pa.bool_() else "int" if t == pa.int32() else "float" if t == pa.float64() else "other")
    for n, t in _QUALITY
)

# -- samples ----------------------------------------------------------------
#: How each sample channel is stored: (Arrow type, scale). Integers hold value x scale,
#: rounded; precision kept: 1 cm of distance and altitude, 1 mm/s of speed, 2 cm of
#: position (FIT semicircles, the watch's own unit). Others are float32 (7 digits).
SEMICIRCLES_PER_DEG = 2**31 / 180.0
SAMPLE_STORAGE: dict[str, tuple[pa.DataType, float | None]] = {
    g.DISTANCE: (pa.int32(), 100.0),
    g.SPEED: (pa.int32(), 1000.0),
    g.ALTITUDE: (pa.int32(), 100.0),
    g.LATITUDE: (pa.int32(), SEMICIRCLES_PER_DEG),
    g.LONGITUDE: (pa.int32(), SEMICIRCLES_PER_DEG),
    g.HEART_RATE: (pa.float32(), None),
    g.CADENCE: (pa.float32(), None),
    g.CADENCE_RPM: (pa.float32(), None),
    g.STEP_LENGTH: (pa.float32(), None),
    g.VERTICAL_RATIO: (pa.float32(), None),
    g.STANCE_TIME: (pa.float32(), None),
    g.VERTICAL_OSCILLATION: (pa.float32(), None),
    g.POWER: (pa.float32(), None),
}
_INT32_MAX = 2**31 - 1
_CHANNEL_RANK = {c: i for i, c in enumerate(SAMPLE_STORAGE)}


#: Sample times keep the readers' nanoseconds (some formats give fractions of seconds).
_SAMPLE_TS = pa.timestamp("ns", tz="UTC")


def sample_schema(channels) -> pa.Schema:
    return _sample_schema(tuple(channels))


@functools.lru_cache(maxsize=256)
def _sample_schema(channels: tuple) -> pa.Schema:  # a handful of channel sets in a history: built once each
    return pa.schema(
        [pa.field("session_index", pa.int16()), pa.field("time", _SAMPLE_TS)]
        + [pa.field(c, SAMPLE_STORAGE[c][0]) for c in channels]
    )


def encodings(schema: pa.Schema) -> dict[str, str]:
    """Parquet encodings per sample column: deltas for integers, split bytes for floats."""
    out = {}
    for f in schema:
        if pa.types.is_integer(f.type) or pa.types.is_timestamp(f.type):
            out[f.name] = "DELTA_BINARY_PACKED"
        elif pa.types.is_floating(f.type):
            out[f.name] = "BYTE_STREAM_SPLIT"
    return out


def storable_channels(records) -> list[str]:
    """The record columns the store keeps (the glossary's; anything else is the reader's scratch)."""
    return [c for c in records.columns if c in SAMPLE_STORAGE]


def samples_table(activities: list[Activity]) -> pa.Table | None:
    """The samples of ``activities`` in one table (a ``session_index`` column tells them apart)."""
    frames = [a.samples for a in activities if len(a.samples)]
    if not frames:
        return None
    sessions = [a.session_index for a in activities if len(a.samples)]
    channels = sorted({c for rec in frames for c in storable_channels(rec)}, key=_CHANNEL_RANK.__getitem__)
    schema = sample_schema(channels)

    def joined(parts: list[np.ndarray]) -> np.ndarray:
        return parts[0] if len(parts) == 1 else np.concatenate(parts)  # one run per file, mostly: no copy

    arrays = [
        pa.array(joined([np.full(len(rec), i, dtype="int16") for rec, i in zip(frames, sessions)]), type=pa.int16()),
        pa.array(joined([rec.t_ns for rec in frames]), type=pa.int64()).view(_SAMPLE_TS),  # same buffer, typed as times
    ]
    for c in channels:
        values = joined([rec[c] if c in rec else np.full(len(rec), np.nan) for rec in frames])
        arrays.append(_encode(values, *SAMPLE_STORAGE[c]))
    return pa.Table.from_arrays(arrays, schema=schema)


def _encode(values: np.ndarray, kind: pa.DataType, scale: float | None) -> pa.Array:
    """``values`` (float64, NaN for missing) in the narrow type: x ``scale``, rounded, as int32; else float32."""
    if scale is None:
        missing = ~np.isfinite(values)
        return pa.array(values.astype("float32"), type=kind, mask=missing if missing.any() else None)
    scaled = values * scale
    np.round(scaled, out=scaled)
    with np.errstate(invalid="ignore"):
        missing = ~(np.abs(scaled) <= _INT32_MAX)  # not finite, or beyond the narrow type: missing, never wrapped
    if missing.any():
        scaled[missing] = 0.0
        return pa.array(scaled.astype("int32"), type=kind, mask=missing)
    return pa.array(scaled.astype("int32"), type=kind)


def as_stored(samples: Samples, columns) -> Samples:
    """``samples``' ``columns`` as the store gives them back (`samples_table` then `samples_from_table`).

    What the ingest summarises for the analysis (`metrics.bands`) is measured
    from these, so that it equals what the analysis would measure from the
    stored samples: distance to the centimetre, speed to the mm/s, the rest as float32.
    """
    data = {}
    for name in columns:
        if name not in samples or name not in SAMPLE_STORAGE:
            continue
        kind, scale = SAMPLE_STORAGE[name]
        if scale is None:
            values = np.asarray(samples[name], dtype="float64").astype("float32").astype("float64")
            values[~np.isfinite(values)] = np.nan
        else:
            scaled = np.asarray(samples[name], dtype="float64") * scale
            np.round(scaled, out=scaled)
            with np.errstate(invalid="ignore"):
                missing = ~(np.abs(scaled) <= _INT32_MAX)
            scaled[missing] = 0.0
            values = scaled.astype("int32").astype("float64") / scale
            values[missing] = np.nan
        if np.isfinite(values).any():  # as `samples_from_table`: a channel without a value stays absent
            data[name] = values
    return Samples(np.asarray(samples.t_ns), data)


def samples_from_table(table: pa.Table, session_index: int, columns=None, order=()) -> Samples:
    """The `Samples` of one session, as the readers built them (float64 glossary columns).

    ``columns`` limits what is read; ``order`` is the reader's column order (the summary's ``channels``).
    """
    sessions = table.column("session_index").to_numpy()
    rows = np.nonzero(sessions == session_index)[0]
    if len(rows) != len(sessions):
        table = table.take(pa.array(rows))
    times = table.column("time").cast(pa.int64()).to_numpy()
    data = {}
    for name in table.column_names:
        if name in ("session_index", "time") or (columns is not None and name not in columns):
            continue
        kind, scale = SAMPLE_STORAGE[name]
        col = table.column(name)
        values = col.to_numpy(zero_copy_only=False).astype("float64") if col.null_count == 0 else (
            col.cast(pa.float64()).fill_null(math.nan).to_numpy()
        )
        if scale is not None:
            values = values / scale
        if np.isfinite(values).any():  # a channel the session lacks stays absent
            data[name] = values
    rank = {c: i for i, c in enumerate(order)}
    names = sorted(data, key=lambda c: rank.get(c, len(rank)))
    return Samples(times, {c: data[c] for c in names})


def records_from_table(table: pa.Table, session_index: int, columns=None, order=()) -> pd.DataFrame:
    """`samples_from_table` as a records frame."""
    return samples_from_table(table, session_index, columns, order).frame()


# -- summary ----------------------------------------------------------------


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def outcome_row(key: str, outcome: str, reason: str | None) -> dict:
    """The row of a file without activities (skipped or refused): entry columns only."""
    row = dict.fromkeys(SUMMARY_SCHEMA.names)
    row.update(key=key, outcome=outcome, reason=reason)
    return row


def summary_row(key: str, a: Activity) -> dict:
    """One activity as a row of `SUMMARY_SCHEMA`."""
    row = {"key": key, "outcome": "ok", "reason": None}
    row.update({n: getattr(a, n) for n, _ in _PLAIN})
    for n in ("elapsed_s", "moving_s", "distance_m"):
        row[n] = _num(row[n])
    row["start_utc"] = a.start_utc  # a pandas Timestamp: nanoseconds kept
    row["has_gps"] = a.has_gps
    row["n_samples"] = len(a.samples)
    row["channels"] = [c for c in storable_channels(a.samples) if not np.isnan(a.samples[c]).all()]
    row["warnings"] = list(a.warnings)
    row["laps"] = a.lap_rows
    stats = a.stats or {}
    for n, _ in _STATS:
        row[n] = _num(stats.get(n))
    profile = stats.get("profile") or {}
    for n, column, is_bool in _PROFILE_KEYS:
        v = profile.get(n)
        row[column] = (bool(v) if v is not None else None) if is_bool else _num(v)
    q = a.quality
    row["cleaned"] = q is not None
    for n, column, kind in _QUALITY_KEYS:
        v = getattr(q, n, None) if q is not None else None
        if n == "dropped_values":
            v = [(str(k), int(c)) for k, c in sorted((v or {}).items())]
        elif n in ("suspect_reasons", "notes"):
            v = list(v or ())
        elif kind == "bool":
            v = bool(v) if v is not None else None
        elif kind == "int":
            v = int(v) if v is not None else None
        elif kind == "float":
            v = _num(v)
        row[column] = v
    row["rpe"] = _num(a.rpe)
    row["commute"] = a.commute
    row["file_ref"] = a.file_ref
    row["totals"] = [(str(k), float(v)) for k, v in sorted((a.totals or {}).items()) if _num(v) is not None]
    summary = stats.get("samples_summary") or {}
    curves = summary.get("curves") or {}
    for c in CURVES:
        curve = curves.get(c.name)
        for k in KEPT_COLUMNS:
            row[f"c_{c.name}_{k}"] = curve[k] if curve is not None else None
    row["h_bpm"], row["h_minutes"] = summary.get("hr_bpm"), summary.get("hr_minutes")
    return row


def summary_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SUMMARY_SCHEMA)


def _nan(x):
    return float("nan") if x is None else x


#: Stored values outside these are damage, not data: the entry is read again from its file.
_START_RANGE = (pd.Timestamp("1900-01-01", tz="UTC"), pd.Timestamp("2200-01-01", tz="UTC"))
_MAX_OFFSET_S = 18 * 3600
_MAX_VALUE = 1e9


def check_row(row: dict) -> None:
    """Raise ValueError when a summary row holds what no reader writes (a crafted or damaged segment)."""
    start = row["start_utc"]
    if start is not None and not (_START_RANGE[0] <= pd.Timestamp(start) <= _START_RANGE[1]):
        raise ValueError("start out of range")
    if row["utc_offset_s"] is not None and abs(row["utc_offset_s"]) > _MAX_OFFSET_S:
        raise ValueError("offset out of range")
    if (row["session_index"] or 0) < 0 or (row["n_samples"] or 0) < 0 or (row["gear_changes"] or 0) < 0:
        raise ValueError("negative count")
    for n in ("elapsed_s", "moving_s", "distance_m"):
        v = row[n]
        if v is not None and not (0 <= v <= _MAX_VALUE):
            raise ValueError(f"{n} out of range")
    if any(c not in SAMPLE_STORAGE for c in row["channels"] or ()):
        raise ValueError("unknown channel")


def _curve(row: dict, name: str) -> dict | None:
    if row[f"c_{name}_lo"] is None:
        return None
    return {k: row[f"c_{name}_{k}"] for k in KEPT_COLUMNS}


def activity_fields(row: dict) -> dict:
    """Keyword arguments for an `Activity` (records and laps aside) from a summary row."""
    kw = {n: row[n] for n, _ in _PLAIN}
    if kw["start_utc"] is not None:
        kw["start_utc"] = pd.Timestamp(kw["start_utc"]).tz_convert("UTC").as_unit("ns")
    kw["warnings"] = list(row["warnings"] or [])
    stats = {n: row[n] for n, _ in _STATS}
    if row["p_speed_mps"] is not None or row["p_has_intervals"] is not None:
        stats["profile"] = {n: (row[column] if is_bool else _nan(row[column])) for n, column, is_bool in _PROFILE_KEYS}
    if row["c_laps_lo"] is not None:  # a run summarised for the analysis (`metrics.bands.run_curves`)
        stats["samples_summary"] = {
            "curves": {c.name: _curve(row, c.name) for c in CURVES}, "hr_bpm": row["h_bpm"], "hr_minutes": row["h_minutes"],
        }
    kw["stats"] = stats
    kw["rpe"] = row["rpe"]
    kw["commute"] = row["commute"]
    kw["file_ref"] = row["file_ref"]
    kw["totals"] = dict(row["totals"]) if row["totals"] else None
    if row["cleaned"]:
        q = {n: row[column] for n, column, _ in _QUALITY_KEYS}
        q["dropped_values"] = dict(q["dropped_values"] or [])
        q["suspect_reasons"] = tuple(q["suspect_reasons"] or ())
        q["notes"] = tuple(q["notes"] or ())
        for n, _, kind in _QUALITY_KEYS:
            if kind == "float" and n != "recorded_distance_m":
                q[n] = _nan(q[n])
        kw["quality"] = Quality(**q)
    return kw
