"""Impossible dates and totals in a decoded FIT file, left out with a warning before anything is computed from them.

A damaged file or a watch whose clock was never set can say 2110, or cover
40,000 km in half an hour; nothing downstream must overflow on such values.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ...errors import ParseError
from .profile import FIT_EPOCH_S, TIME_FIELDS, RawFit

#: No recording is dated after 2100-01-01 UTC: a later date is a clock that was never set.
LATEST_DATE_S = 4102444800.0
#: The longest duration a FIT session can state (uint32 milliseconds) [s].
MAX_SESSION_S = (2**32 - 1) / 1000.0
#: No sport averages more over a session [m/s]: a longer total distance is corrupt.
MAX_MEAN_SPEED_MPS = 100.0
#: Session and lap totals that are durations [s].
DURATION_FIELDS = ("total_elapsed_time", "total_timer_time")


def _plausible_date(unix_s: float) -> bool:
    return FIT_EPOCH_S <= unix_s <= LATEST_DATE_S


def _date_text(unix_s: float) -> str:
    """A date for a message, even one no calendar holds."""
    try:
        return dt.datetime.fromtimestamp(unix_s, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return "beyond the year 9999" if unix_s > 0 else "before the year 1"


def plausible_distance(distance_m: float, duration_s: float | None) -> bool:
    """True for a total no session could fail to cover: not negative, no faster than any sport."""
    longest = duration_s if duration_s is not None and duration_s > 0 else MAX_SESSION_S
    return 0.0 <= distance_m <= MAX_MEAN_SPEED_MPS * longest


class _Ignored:
    """Impossible summary values left out, told once per message and field."""

    def __init__(self):
        self.seen: dict[tuple[str, str], list] = {}

    def add(self, kind: str, name: str, text: str) -> None:
        self.seen.setdefault((kind, name), [text, 0])[1] += 1

    def warnings(self) -> list[str]:
        out = []
        for (kind, name), (text, count) in self.seen.items():
            times = f" ({count} messages)" if count > 1 else ""
            out.append(f"{kind} {name} {text} is impossible and was ignored{times}")
        return out


def _checked_row(row: dict, kind: str, ignored: _Ignored) -> dict:
    """``row`` without dates outside 1989..2100 or totals no session can hold."""
    out = dict(row)
    for name in TIME_FIELDS & row.keys():
        if not _plausible_date(row[name]):
            ignored.add(kind, name, f"dated {_date_text(row[name])}")
            del out[name]
    for name in DURATION_FIELDS:
        if name in out and not 0.0 <= out[name] <= MAX_SESSION_S:
            ignored.add(kind, name, f"of {out.pop(name):g} s")
    if "total_distance" in out:
        # Wall-clock time first: the reader trusts it over the timer (see activities_from_raw).
        duration = out.get("total_elapsed_time", out.get("total_timer_time"))
        if not plausible_distance(out["total_distance"], duration):
            ignored.add(kind, "total_distance", f"of {out.pop('total_distance'):g} m")
    return out


def without_impossible_values(raw: RawFit, source: str) -> RawFit:
    """A copy of ``raw`` whose dates and totals can be real, so nothing downstream overflows.

    FIT stores times as seconds since 1989-12-31 and totals as unsigned
    integers, but a damaged file or a watch whose clock was never set can still
    say 2110, or cover 40,000 km in half an hour. Such summary values are left
    out with a warning; records dated outside 1989..2100 are left out. Sample
    values (a 1,000 m/s speed) stay: cleaning judges samples.

    Raises
    ------
    ParseError
        Every record (or, without records, every summary) is dated outside 1989..2100.
    """
    ignored = _Ignored()
    records = dict(raw.records)
    times = records.get("timestamp")
    bad_times = np.array([], dtype="float64")
    warnings = []
    if times is not None:
        dated = np.isfinite(times)  # inf, like NaN, is no date: records_frame drops both
        ok = (times >= FIT_EPOCH_S) & (times <= LATEST_DATE_S)
        bad_times = times[dated & ~ok]
        if len(bad_times):
            records["timestamp"] = np.where(ok, times, np.nan)
            warnings.append(f"{len(bad_times)} records dated outside 1989..2100 were left out")
    sessions = [_checked_row(r, "session", ignored) for r in raw.sessions]
    laps = [_checked_row(r, "lap", ignored) for r in raw.laps]
    activity = _checked_row(raw.activity, "activity", ignored) if raw.activity else raw.activity
    events = [_checked_row(r, "event", ignored) for r in raw.events]

    # The date to name: the session's start, else the first record's.
    starts = [r["start_time"] for r in raw.sessions + raw.laps if "start_time" in r and np.isfinite(r["start_time"])]
    if times is not None and np.isfinite(times).any():
        undated = not np.isfinite(records["timestamp"]).any()
    else:
        undated = bool(starts) and not any(_plausible_date(t) for t in starts)
    bad_starts = [t for t in starts if not _plausible_date(t)]
    when = min(bad_starts) if bad_starts else (float(bad_times.min()) if len(bad_times) else None)
    if undated and when is not None:
        side = "after 2100" if when > LATEST_DATE_S else "before the FIT epoch (1989-12-31)"
        raise ParseError(source, f"timestamps out of range (dated {_date_text(when)}, {side}): the watch's clock was not set?")
    return RawFit(
        records=records,
        sessions=sessions,
        laps=laps,
        activity=activity,
        file_id=raw.file_id,
        engine=raw.engine,
        partial=raw.partial,
        warnings=list(raw.warnings) + warnings + ignored.warnings(),
        events=events,
    )
