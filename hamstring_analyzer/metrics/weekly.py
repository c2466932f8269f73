"""Weekly summaries in the runner's local weeks (Monday to Sunday, or Sunday to Saturday), and the acute:chronic ratio.

Pure functions: a runs table in, frames out.

References
----------
Gabbett TJ (2016). The training-injury prevention paradox. BJSM 50:273-280
(acute:chronic 0.8-1.3 "sweet spot", >= 1.5 "danger zone").
Williams S et al. (2017). Better way to determine the acute:chronic workload
ratio? BJSM 51:209-210 (EWMA, lambda = 2 / (N + 1)).
Lolli L et al. (2019). Mathematical coupling causes spurious correlation
within the conventional acute-to-chronic workload ratio. BJSM 53:921-922
(the uncoupled form).
Foster C (1998). Monitoring training in athletes with reference to
overtraining syndrome. MSSE 30:1164-1168 (monotony = mean daily load / its
standard deviation over a week; strain = weekly load x monotony).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd

from ..config import ACWR_METHODS
from ..dates import WEEK_START_DAYS, add_days, calendar_date, day_range, days, days_between, week_start  # noqa: F401 (WEEK_START_DAYS, week_start: their old home)
from ..timezones import machine_zone

WEEK_COLUMNS = [
    "distance_m", "moving_s", "runs", "longest_run_m", "climb_m", "fast_m", "speedwork_share",
    "cadence_spm", "change_pct", "acwr", "acwr_peak", "acwr_peak_date", "load", "monotony", "strain", "unsampled_m",
]  # fmt: skip

#: A day's calendar date (`dates.calendar_date`), under its old name.
day_of = calendar_date


def runner_zone(activities) -> str | dt.tzinfo:
    """The runner's home time zone: the zone most of ``activities`` were recorded in.

    A run's zone is its IANA name when known (from the file, its position, or
    ``--timezone``), else one of the runner's three most used named zones
    whose offset matches the one its file wrote, else that fixed UTC offset. The most frequent one wins; on
    a tie, the zone of the latest run. Without runs, this machine's zone.
    Weekly frames start their weeks at local midnight in this zone, while each
    run still counts on its own local date (a week away stays in its days).
    """
    counts: Counter = Counter()
    latest: dict = {}
    dated = sorted((a for a in activities if a.start_utc is not None), key=lambda a: a.start_utc)
    named = _named_for_offsets(dated)
    for i, a in enumerate(dated):
        zone = a.timezone or named[i] or dt.timezone(dt.timedelta(seconds=int(a.utc_offset_s or 0)))
        counts[zone] += 1
        latest[zone] = i
    if not counts:
        return machine_zone()
    return max(counts, key=lambda z: (counts[z], latest[z]))


def _named_for_offsets(dated: list) -> list[str | None]:
    """For each run, the first of the runner's three most used named zones whose offset at its start is the one its file wrote.

    So a watch's +01:00 in summer and +00:00 in winter count for the
    Europe/London the runner's GPS files are named after, and weeks start at
    local midnight in summer and winter alike. One conversion per zone over
    all starts, not one per run.
    """
    out: list[str | None] = [None] * len(dated)
    names = [z for z, _ in Counter(a.timezone for a in dated if a.timezone).most_common(3)]
    todo = [i for i, a in enumerate(dated) if not a.timezone]
    if not names or not todo:
        return out
    starts = pd.DatetimeIndex([dated[i].start_utc for i in todo]).tz_convert("UTC")
    wrote = np.array([dated[i].utc_offset_s or 0 for i in todo], dtype="float64")
    for zone in names:
        try:
            local = starts.tz_convert(zone)
        except Exception:  # an unknown zone name
            continue
        offsets = (local.tz_localize(None) - starts.tz_localize(None)).total_seconds().to_numpy()
        for k in np.flatnonzero(offsets == wrote):
            if out[todo[k]] is None:
                out[todo[k]] = zone
    return out


def as_time_series(weeks: pd.DataFrame, zone) -> pd.DataFrame:
    """``weeks`` (indexed by local dates) indexed by a tz-aware DatetimeIndex: each week's start at local midnight in ``zone``.

    So ``weeks.loc["2026-06"]`` and ``weeks.resample("MS")`` work. The labels
    are `dates.days`: a midnight that a clock change skips moves to the first
    valid time, one that happens twice is the later.
    """
    return weeks.set_axis(days(weeks.index, zone).rename("week_start"))


def by_date(weeks: pd.DataFrame) -> pd.DataFrame:
    """The inverse of `as_time_series`: ``weeks`` indexed by the local date each week starts on."""
    if isinstance(weeks.index, pd.DatetimeIndex):
        return weeks.set_axis(pd.Index([calendar_date(t) for t in weeks.index], name="week_start"))
    return weeks


def daily_load(runs: pd.DataFrame, until: dt.date | None = None, column: str = "distance_m", since: dt.date | None = None) -> pd.Series:
    """``column`` (distance [m] by default) summed per local day, with zero on days without running.

    From ``since`` (default: the first run's day) to ``until`` (default: the last run's).
    """
    if runs.empty:
        return pd.Series(dtype="float64")
    per_day = runs.groupby("local_date")[column].sum()
    first = since or min(per_day.index)
    last = until or max(per_day.index)
    days = day_range(first, last)
    return per_day.reindex(days, fill_value=0.0).astype("float64")


def session_daily_load(runs: pd.DataFrame, until: dt.date | None = None) -> pd.Series:
    """The chosen session load (``load``, `session_load.add_session_load`) per local day; distance without it."""
    return daily_load(runs, until, "load" if "load" in runs else "distance_m")


def monotony_and_strain(per_day: pd.Series) -> tuple[float, float]:
    """Foster's monotony (mean daily load / its standard deviation) and strain (weekly load x monotony) of 7 days.

    Seven equal days (no spread) leave monotony undefined (NaN), not infinite;
    so is a week without load. The standard deviation is the sample one
    (n - 1), as in Foster's spreadsheets.
    """
    x = np.asarray(per_day, dtype="float64")
    if len(x) < 2:
        return float("nan"), float("nan")
    _, mono, strain = monotony_rows(x[None, :])
    return float(mono[0]), float(strain[0])


def acwr(load: pd.Series, method: str = "rolling") -> pd.Series:
    """Acute:chronic workload ratio per day (7 days against 28).

    ``rolling``: last 7 days / (last 28 days / 4). ``uncoupled``: days t-6..t
    against the weekly mean of days t-27..t-7. ``ewma``: exponentially weighted
    means with lambda = 2/(N+1), N = 7 and 28. Undefined (NaN) until 28 days of
    history exist, or when the chronic load is zero.
    """
    if method not in ACWR_METHODS:
        raise ValueError(f"acwr method must be one of {', '.join(ACWR_METHODS)}, not {method!r}")
    x = load.astype("float64")
    if method == "rolling":
        acute = x.rolling(7, min_periods=7).sum()
        chronic = x.rolling(28, min_periods=28).sum() / 4.0
    elif method == "uncoupled":
        acute = x.rolling(7, min_periods=7).sum()
        chronic = x.shift(7).rolling(21, min_periods=21).sum() / 3.0
    else:
        acute = x.ewm(alpha=2 / 8, adjust=False).mean()
        chronic = x.ewm(alpha=2 / 29, adjust=False).mean()
        young = np.arange(len(x)) < 27
        acute = acute.mask(young)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = acute / chronic
    return ratio.where(chronic > 0)


def daily_ratio(runs: pd.DataFrame, method: str = "uncoupled", until: dt.date | None = None) -> pd.Series:
    """The acute:chronic ratio per local day (`acwr`) over the session load (`session_daily_load`) up to ``until``.

    The one ratio: the weekly frame's ``acwr`` columns and the rules
    (`rules.make_context`) both read it.
    """
    return acwr(session_daily_load(runs, until), method)


def _week_grid(per_day: pd.Series, week_starts, fill: float) -> tuple[np.ndarray, list]:
    """A daily series as a (weeks x 7) array over consecutive ``week_starts`` (``fill`` on days it lacks), and the days."""
    week_starts = list(week_starts)
    if not week_starts:
        return np.empty((0, 7)), []
    all_days = day_range(week_starts[0], add_days(week_starts[-1], 6))
    if len(all_days) != 7 * len(week_starts):
        raise ValueError("weeks must be consecutive")
    return per_day.reindex(all_days).fillna(fill).to_numpy(dtype="float64").reshape(-1, 7), all_days


def weekly_peaks(ratio: pd.Series, week_starts) -> list[tuple[float, dt.date | None]]:
    """Each week's highest daily ``ratio`` and its day; (NaN, None) for a week without one."""
    week_starts = list(week_starts)
    if any(days_between(a, b) != 7 for a, b in zip(week_starts, week_starts[1:])):
        return [_week_peak(ratio, w) for w in week_starts]  # weeks with gaps: one at a time
    grid, all_days = _week_grid(ratio, week_starts, np.nan)
    out = []
    has = ~np.isnan(grid).all(axis=1)
    peak = np.full(len(grid), np.nan)
    peak[has] = np.nanmax(grid[has], axis=1)
    first = np.argmax(grid == peak[:, None], axis=1)  # the first day at the peak, as idxmax
    for i, (p, ok) in enumerate(zip(peak, has)):
        out.append((float(p), all_days[7 * i + int(first[i])]) if ok else (np.nan, None))
    return out


def _week_peak(ratio: pd.Series, w) -> tuple[float, dt.date | None]:
    days = ratio.loc[w : add_days(w, 6)].dropna()
    return (days.max(), days.idxmax()) if len(days) else (np.nan, None)


def weekly_monotony(per_day: pd.Series, week_starts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each consecutive week's load, monotony and strain (`monotony_and_strain`), from the daily load, all weeks at once."""
    return monotony_rows(_week_grid(per_day, week_starts, 0.0)[0])


def monotony_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Load, monotony and strain of each row of ``x`` (weeks x 7 daily loads), as `monotony_and_strain` judges one week.

    One place for the formula: the runner's weekly frame and the cohort's arrays both call it.
    """
    load = x.sum(axis=1)
    sd = np.std(x, ddof=1, axis=1)
    flat = sd <= 1e-9 * np.maximum(1.0, np.abs(x).max(axis=1, initial=0.0))
    undefined = flat | (load <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mono = np.where(undefined, np.nan, x.mean(axis=1) / sd)
    return load, mono, np.where(undefined, np.nan, load * mono)


def weekly_summary(runs: pd.DataFrame, method: str = "uncoupled") -> pd.DataFrame:
    """One row per local week (the runs' ``week_start``), indexed by its first day's date, empty weeks included as zeros.

    (`analysis.analyze` turns the index into a tz-aware DatetimeIndex with
    `as_time_series`; the rules work on dates.)

    Columns: ``distance_m``, ``moving_s``, ``runs``, ``longest_run_m``,
    ``climb_m``, ``fast_m``, ``speedwork_share`` (fast_m / distance_m, 0-1; manual
    entries without samples, ``has_samples`` False, are left out of both and their
    distance is ``unsampled_m``),
    ``cadence_spm`` (median of the week's runs), ``change_pct`` (against the
    previous week [%]; NaN after an empty week), ``acwr`` (on the week's Sunday)
    and ``acwr_peak`` with ``acwr_peak_date`` (the highest daily ratio within the week),
    ``load`` (the week's session load: the runs' ``load`` column, distance
    without it), ``monotony`` and ``strain`` (Foster, over that load). The ratio
    is over the session load too.
    """
    if runs.empty:
        return pd.DataFrame(columns=WEEK_COLUMNS, index=pd.Index([], name="week_start"))
    if "fast_m" not in runs:
        runs = runs.assign(fast_m=np.nan)
    sampled = runs["has_samples"].map(lambda x: x is not False) if "has_samples" in runs else pd.Series(True, index=runs.index)
    # a manual entry (no samples) says nothing about fast running: its distance is not in the share
    runs = runs.assign(fast_m=runs["fast_m"].where(sampled), sampled_m=runs["distance_m"].where(sampled, 0.0))
    grouped = runs.groupby("week_start")
    frame = pd.DataFrame(
        {
            "distance_m": grouped["distance_m"].sum(),
            "moving_s": grouped["moving_s"].sum(),
            "runs": grouped.size(),
            "longest_run_m": grouped["distance_m"].max(),
            "climb_m": grouped["climb_m"].sum(min_count=1),
            "fast_m": grouped["fast_m"].sum(min_count=1),
            "sampled_m": grouped["sampled_m"].sum(),
            "cadence_spm": grouped["cadence_spm"].median(),
        }
    )
    weeks = day_range(min(frame.index), max(frame.index), 7)
    frame = frame.reindex(weeks)
    for col in ("distance_m", "moving_s", "runs", "longest_run_m"):
        frame[col] = frame[col].fillna(0)
    frame["fast_m"] = frame["fast_m"].where(frame["runs"] > 0, 0.0)
    frame["speedwork_share"] = (frame["fast_m"] / frame["sampled_m"]).where(frame["sampled_m"] > 0)
    frame["unsampled_m"] = frame["distance_m"] - frame["sampled_m"].fillna(0)
    frame = frame.drop(columns=["sampled_m"])
    frame["runs"] = frame["runs"].astype(int)
    prev = frame["distance_m"].shift(1)
    frame["change_pct"] = ((frame["distance_m"] / prev - 1.0) * 100.0).where(prev > 0)
    sundays = [add_days(w, 6) for w in frame.index]
    per_day = session_daily_load(runs, until=max(sundays))
    ratio = daily_ratio(runs, method, until=max(sundays))
    frame["acwr"] = ratio.reindex(sundays).to_numpy(dtype="float64")
    peaks = weekly_peaks(ratio, frame.index)
    frame["acwr_peak"] = [peak for peak, _ in peaks]
    frame["acwr_peak_date"] = [day for _, day in peaks]
    frame["load"], frame["monotony"], frame["strain"] = weekly_monotony(per_day, frame.index)  # the weeks are consecutive
    frame.index = pd.Index(frame.index, name="week_start")
    return frame
