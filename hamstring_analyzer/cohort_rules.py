"""The summary rules over many athletes at once: a daily log's running days in, the cohort tables' rows out.

A daily log's athlete is known only by one row per running day (day,
distance, duration): no samples, so of the rules only those with
``samples=False`` can judge them (`rules.registry.summary_rules`:
``weekly_mileage_jump``, ``single_run_spike``, ``layoff_return``,
``acwr_high``), and their runs table and weekly frame are a handful of
columns. Here they are made for every athlete of a partition at once, on one
array per quantity (a grid of days and one of weeks, athlete after athlete),
instead of one pandas frame per athlete.

The flags must be exactly those `analysis.analyze` gives each athlete alone,
so this module decides *where* a rule fires with arrays, then words each
flag with the rules' own pieces (`rules.load.ordinary_run_in`,
`longest_in`, `is_mileage_jump`, `rules.layoff.return_allowance`, the
rules' messages, `rules.episodes.episodes_of`): the few flags cost Python,
the many days do not. ``tests/test_cohort.py`` compares the flags, the
weeks and the runs with ``analyze`` athlete by athlete.

What it does not do goes back to the per-athlete path (`eligible`): an
athlete with two rows on one day (the ingest judges those), a config this
path does not cover (``acwr.flag``, a session load other than distance, the
``ewma`` ratio).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import SEVERITIES, Config
from .dates import day_number, week_start_number
from .metrics.weekly import monotony_rows
from .readers.summary_only import MAX_INDEX_ROWS
from .rules import RULES, Flag, capped_by_evidence
from .rules.episodes import episodes_of
from .rules.layoff import return_allowance
from .rules.load import FIRST_JUDGED_WEEK, SMALL_OVER_PCT, is_mileage_jump, jump_facts, longest_in, ordinary_run_in
from .rules.registry import CHRONIC_DAYS, severity_below
from .rules.wording import Words, worded

#: Day 0 of numpy's datetime64[D] as a day number (`dates.day_number`).
EPOCH = day_number(dt.date(1970, 1, 1))
#: The run id of a daily log's row k of an athlete (``daily_log.csv``, ``daily_log.csv#1``, ...), as the ingest names it.
SOURCE = "daily_log.csv"


def config_covered(config: Config) -> str | None:
    """None when this path computes what `analyze` would under ``config``; else why not."""
    if config.acwr.flag:
        return "acwr.flag is on"
    if config.load.method != "distance":
        return "the session load is not distance"
    if config.acwr.method not in ("uncoupled", "rolling"):
        return f"the {config.acwr.method} ratio"
    return None


def ordinals(dates) -> np.ndarray:
    """Day numbers (`dates.day_number`) of many dates at once."""
    return np.asarray(dates, dtype="datetime64[D]").astype("int64") + EPOCH


def as_date(n: int) -> dt.date:
    return dt.date.fromordinal(int(n))


def eligible(days: pd.DataFrame) -> np.ndarray:
    """Per row of ``days`` (sorted by athlete and date): True when its athlete can take this path."""
    athlete = days["athlete"].to_numpy(dtype=object)
    same = np.r_[False, (athlete[1:] == athlete[:-1]) & (days["date"].to_numpy()[1:] == days["date"].to_numpy()[:-1])]
    codes, uniques = pd.factorize(athlete)
    doubled = np.bincount(codes, weights=same, minlength=len(uniques)) > 0
    too_many = np.bincount(codes, minlength=len(uniques)) > MAX_INDEX_ROWS
    return ~(doubled | too_many)[codes]


def kahan_group_sum(labels: np.ndarray, values: np.ndarray, n: int, rank: np.ndarray) -> np.ndarray:
    """Per label, the sum of ``values`` as pandas' groupby sum adds them (compensated, NaN skipped, in order).

    ``rank``: each value's place within its label (0, 1, ...), in the order of adding.
    """
    total = np.zeros(n)
    comp = np.zeros(n)
    for k in range(int(rank.max(initial=-1)) + 1):
        at = rank == k
        lab, val = labels[at], values[at]
        ok = ~np.isnan(val)
        lab, val = lab[ok], val[ok]
        y = val - comp[lab]
        t = total[lab] + y
        comp[lab] = t - total[lab] - y
        total[lab] = t
    return total


@dataclass
class Partition:
    """A partition's athletes on arrays: runs (one per day), a grid of days and a grid of weeks, athlete after athlete."""

    names: list
    start: np.ndarray  # first run of each athlete (index into the runs)
    count: np.ndarray
    day: np.ndarray  # runs: day numbers
    dist: np.ndarray
    dur: np.ndarray
    week: np.ndarray  # runs: their week's first day
    goff: np.ndarray  # each athlete's first grid day's index
    first: np.ndarray  # each athlete's first run day
    load: np.ndarray  # grid: distance per day
    ratio: np.ndarray  # grid: the acute:chronic ratio
    woff: np.ndarray  # each athlete's first week's index in the week grid
    w0: np.ndarray  # each athlete's first week's first day
    nweeks: np.ndarray
    weeks: dict = field(default_factory=dict)  # week grid columns


def build(days: pd.DataFrame, config: Config) -> Partition:
    """The arrays of a partition (``days``: the eligible athletes' running days, sorted by athlete and date)."""
    athlete = days["athlete"].to_numpy(dtype=object)
    bounds = np.flatnonzero(np.r_[True, athlete[1:] != athlete[:-1], True]) if len(athlete) else np.array([0])
    start, count = bounds[:-1], np.diff(bounds)
    codes = np.repeat(np.arange(len(start)), count)
    day = ordinals(days["date"].to_numpy())
    dist = days["distance_m"].to_numpy(dtype="float64")
    dur = days["duration_s"].to_numpy(dtype="float64")
    week = week_start_number(day, config.week_start)
    first = day[start]
    w0, w1 = week[start], week[start + count - 1]
    nweeks = (w1 - w0) // 7 + 1
    glen = (w1 + 6) - first + 1  # the grid runs to the last week's last day (`rules.make_context`'s ``until``)
    goff = np.r_[0, np.cumsum(glen)[:-1]].astype("int64")
    woff = np.r_[0, np.cumsum(nweeks)[:-1]].astype("int64")
    load = np.zeros(int(glen.sum()))
    load[goff[codes] + day - first[codes]] = dist
    pos = np.arange(len(load)) - np.repeat(goff, glen)  # days since the athlete's first run
    acute = _sums(load, 7, 0)
    if config.acwr.method == "uncoupled":
        chronic = np.where(pos >= 27, _sums(load, 21, 7) / 3.0, np.nan)
    else:
        chronic = np.where(pos >= 27, _sums(load, 28, 0) / 4.0, np.nan)
    acute = np.where(pos >= 6, acute, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(chronic > 0, acute / chronic, np.nan)
    part = Partition(list(athlete[start]), start, count, day, dist, dur, week, goff, first, load, ratio, woff, w0, nweeks)
    part.weeks = _weeks(part, codes, config)
    return part


def _sums(x: np.ndarray, width: int, lag: int) -> np.ndarray:
    """For every i: the sum of x[i-lag-width+1 .. i-lag] (zeros before the start)."""
    padded = np.r_[np.zeros(width + lag - 1), x]
    sums = np.lib.stride_tricks.sliding_window_view(padded, width).sum(axis=1)
    return sums[: len(x)]


def _weeks(p: Partition, codes: np.ndarray, config: Config) -> dict:
    """The weekly frame's columns (`metrics.weekly.weekly_summary`, then `analysis.mark_unfinished`) on the week grid."""
    n = int(p.nweeks.sum())
    wi = p.woff[codes] + (p.week - p.w0[codes]) // 7
    first_of_week = np.r_[True, wi[1:] != wi[:-1]]
    rank = np.arange(len(wi)) - np.maximum.accumulate(np.where(first_of_week, np.arange(len(wi)), 0))
    distance = kahan_group_sum(wi, p.dist, n, rank)
    moving = kahan_group_sum(wi, np.where(np.isnan(p.dur), 0.0, p.dur), n, rank)  # a run without duration moves 0 s
    runs = np.bincount(wi, minlength=n)
    longest = np.zeros(n)
    np.maximum.at(longest, wi, p.dist)
    wcode = np.repeat(np.arange(len(p.nweeks)), p.nweeks)
    wstart = p.w0[wcode] + 7 * (np.arange(n) - p.woff[wcode])
    prev = np.r_[np.nan, distance[:-1]]
    prev[p.woff] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(prev > 0, (distance / prev - 1.0) * 100.0, np.nan)
    sunday = p.goff[wcode] + (wstart + 6 - p.first[wcode])
    acwr = p.ratio[sunday]
    days7 = np.zeros((n, 7))
    for k in range(7):
        g = sunday - 6 + k
        inside = wstart + k >= p.first[wcode]
        days7[inside, k] = p.load[g[inside]]
    load, monotony, strain = monotony_rows(days7)
    return {"code": wcode, "start": wstart, "distance_m": distance, "moving_s": moving, "runs": runs, "longest_run_m": longest,
            "change_pct": change, "acwr": acwr, "load": load, "monotony": monotony, "strain": strain,
            "fast_m": np.where(runs > 0, np.nan, 0.0)}  # fmt: skip


def mark_unfinished(p: Partition, today: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """``complete`` and ``days`` per week (`analysis.mark_unfinished`): each athlete's last week is unfinished when today falls inside it."""
    w = p.weeks
    n = len(w["start"])
    complete = np.ones(n, dtype=bool)
    days = np.full(n, 7, dtype="int64")
    last = p.woff + p.nweeks - 1
    elapsed = day_number(today) - w["start"][last] + 1
    short = elapsed < 7
    complete[last[short]] = False
    days[last[short]] = np.maximum(elapsed[short], 1)
    w["change_pct"][last[short]] = np.nan
    w["acwr"][last[short]] = np.nan
    return complete, days


# ------------------------------------------------------------------ flags ---


def find_flags(p: Partition, config: Config) -> dict[int, list[Flag]]:
    """Each athlete's flags (by athlete index), newest first, exactly as `rules.find_episodes` gives them alone.

    Athletes without a flag are left out.
    """
    codes = np.repeat(np.arange(len(p.start)), p.count)
    gap_c = config.layoff_return.min_gap_days
    new_athlete = np.r_[True, codes[1:] != codes[:-1]]
    off = np.r_[0, np.diff(p.day)] - 1
    is_back = ~new_athlete & (off >= gap_c)  # the first run after a break (`registry.layoff_gaps`; a daily log has no holes)
    found: dict[int, dict[str, list[Flag]]] = {}
    for a, flags in _jumps(p, codes, is_back, config):
        found.setdefault(a, {}).setdefault("weekly_mileage_jump", []).extend(flags)
    for a, flag in _spikes(p, codes, is_back, config):
        found.setdefault(a, {}).setdefault("single_run_spike", []).append(flag)
    for r in np.flatnonzero(is_back):
        flag = _layoff_return(p, int(codes[r]), int(r), int(off[r]), config)
        if flag is not None:
            found.setdefault(int(codes[r]), {}).setdefault("layoff_return", []).append(flag)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    out = {}
    for a, by_rule in found.items():
        flags = capped_by_evidence([f for r in RULES for f in by_rule.get(r, [])])  # in the rules' order, as find_episodes runs them
        first, last = p.day[p.start[a]], p.day[p.start[a] + p.count[a] - 1]
        words = Words(config.units, many_years=as_date(first).year != as_date(last).year)
        flags, _ = episodes_of(worded(flags, words), config, words)
        flags.sort(key=lambda f: (f.date, rank[f.severity], f.rule), reverse=True)
        out[a] = flags
    return out


def _athlete_runs(p: Partition, a: int) -> tuple[np.ndarray, np.ndarray]:
    s, n = int(p.start[a]), int(p.count[a])
    return p.day[s : s + n], p.dist[s : s + n]


def _grid(p: Partition, a: int, first_day: int, last_day: int) -> np.ndarray:
    """The athlete's distance per day from ``first_day`` to ``last_day`` (the days before their first run left out, as `daily_load`)."""
    lo = max(first_day, int(p.first[a]))
    last_day = min(last_day, int(p.w0[a]) + 7 * int(p.nweeks[a]) - 1)
    g = int(p.goff[a])
    return p.load[g + lo - int(p.first[a]) : g + last_day - int(p.first[a]) + 1]


def _spikes(p: Partition, codes: np.ndarray, is_back: np.ndarray, config: Config):
    """``single_run_spike``: the runs it flags, found on arrays; each flag made as the rule makes it."""
    c = config.single_run_spike
    window = c.window_days
    grid_max = np.lib.stride_tricks.sliding_window_view(np.r_[np.zeros(window), p.load], window).max(axis=1)[: len(p.load)]
    at = p.goff[codes] + p.day - p.first[codes]
    since_first = p.day - p.first[codes]
    longest = np.where(since_first >= window, grid_max[np.minimum(at, len(grid_max) - 1)], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (p.dist / longest - 1.0) * 100.0
    hit = (since_first >= window) & ~is_back & (longest > 0) & (p.dist > 0) & (pct > c.warn_pct + 1e-9)
    hit &= p.dist - longest >= c.min_extra_km * 1000
    for r in np.flatnonzero(hit):
        a = int(codes[r])
        day, metres = _athlete_runs(p, a)
        dist, pct_r = float(p.dist[r]), float(pct[r])
        longest_m, i = longest_in(day, metres, int(p.day[r]), window)
        severity = "alert" if pct_r > c.alert_pct else "warning"
        facts = {"distance_m": dist, "longest_m": longest_m, "longest_date": as_date(day[i]), "window_days": window,
                 "warn_pct": c.warn_pct, "alert_pct": c.alert_pct}  # fmt: skip
        far, j = longest_in(day, metres, int(p.day[r]), c.long_window_days)
        if c.long_window_days > window and math.isfinite(far) and far > longest_m:
            within = dist <= far + c.min_extra_km * 1000
            facts.update(long_window_days=c.long_window_days, far_m=far, far_date=as_date(day[j]), within=within)
            if within:
                severity = severity_below(severity)
        k = int(r - p.start[a])
        run_id = SOURCE if k == 0 else f"{SOURCE}#{k}"
        yield a, Flag("single_run_spike", severity, as_date(p.week[r]), as_date(p.day[r]), run_id, pct_r, c.warn_pct, "%", facts=facts)


def _jumps(p: Partition, codes: np.ndarray, is_back: np.ndarray, config: Config):
    """``weekly_mileage_jump``: candidate weeks found on arrays (a superset), each judged as the rule judges it."""
    c = config.weekly_mileage_jump
    w = p.weeks
    d = w["distance_m"]
    n = len(d)
    wpos = np.arange(n) - p.woff[w["code"]]
    # weeks near a return are judged over fewer weeks: any week above its two weeks before is a candidate there
    back_days = p.day[is_back]
    back_code = codes[is_back]
    key = back_code * 10_000_000 + back_days
    lo8 = np.maximum(wpos - 8, 0)
    lo_day = w["start"] - 7 * (wpos - lo8)
    near = np.searchsorted(key, w["code"] * 10_000_000 + w["start"] + 6, "right") > np.searchsorted(key, w["code"] * 10_000_000 + lo_day, "left")
    prev1 = np.where(wpos >= 1, np.r_[np.nan, d[:-1]], np.nan)
    prev2 = np.where(wpos >= 2, np.r_[np.nan, np.nan, d[:-2]], np.nan)
    high8 = np.full(n, -np.inf)
    total4 = np.zeros(n)
    for k in range(1, 9):
        back = np.where(wpos >= k, np.r_[np.full(k, np.nan), d[:-k]], -np.inf)
        high8 = np.maximum(high8, back)
        if k <= 4:
            total4 += np.where(wpos >= k, np.r_[np.full(k, np.nan), d[:-k]], 0.0)
    big = (wpos >= FIRST_JUDGED_WEEK) & (d >= c.min_week_km * 1000)
    plain = big & ~near & (d > high8 * (1 - 1e-9)) & (d > total4 / 4 * (1 + c.warn_pct / 100) * (1 - 1e-9))
    returned = big & near & (d > prev1) & (d > prev2)
    for a in np.unique(w["code"][plain | returned]):
        a = int(a)
        day, metres = _athlete_runs(p, a)
        s, m = int(p.woff[a]), int(p.nweeks[a])
        dist = d[s : s + m]
        starts = w["start"][s : s + m]
        backs = [int(b) for b in p.day[(codes == a) & is_back]] if near[s : s + m].any() else []
        flags = []
        for i in np.flatnonzero((plain | returned)[s : s + m]):
            flag = _jump(p, a, int(i), dist, starts, backs, day, metres, config)
            if flag is not None:
                flags.append(flag)
        if flags:
            yield a, flags


def _jump(p, a, i, dist, starts, backs, day, metres, config) -> Flag | None:
    """Week ``i`` of athlete ``a`` judged as `rules.load.weekly_mileage_jump` judges it (None: no flag)."""
    c = config.weekly_mileage_jump
    week = int(starts[i])
    total = dist[i]
    lo = max(0, i - 8)
    near = [b for b in backs if starts[lo] <= b <= week + 6]  # `rules.load.jump_window`
    if near:
        back = max(near)
        if back >= week:
            return None
        back_week = week_start_number(back, config.week_start)
        lo = max(lo, i - (week - back_week) // 7)
    prior = dist[lo:i]
    ordinary = ordinary_run_in(day, metres, week)
    if not is_mileage_jump(total, prior, ordinary, c):
        return None
    judged = jump_facts(total, prior, ordinary, dist[i - 1], float(total - total), c, lambda k: as_date(starts[lo + k]))
    if judged is None:
        return None
    severity, facts = judged
    high = facts["high_m"]
    crossed = np.cumsum(_grid(p, a, week, week + 6))
    over = np.flatnonzero(crossed > high)
    date = week + 6 if not len(over) else max(week, int(p.first[a])) + int(over[0])
    return Flag("weekly_mileage_jump", severity, as_date(week), as_date(date), None, facts["change_pct"], c.warn_pct, "%", facts=facts)


def _layoff_return(p: Partition, a: int, r: int, off: int, config: Config) -> Flag | None:
    """The return on run ``r`` after ``off`` days judged as `rules.layoff.layoff_return` judges it (None: no flag)."""
    c = config.layoff_return
    back, last = int(p.day[r]), int(p.day[r - 1])
    span = min(CHRONIC_DAYS, last - int(p.w0[a]) + 1)  # `registry.pre_break_window`
    days = _grid(p, a, last - (span - 1), last).astype("float64")[::-1]
    blocks = [days[i : i + 7] for i in range(0, len(days), 7)]
    ran = [b.sum() for b in blocks if b.sum() > 0]
    pre_avg = float(np.mean(ran)) if ran else 0.0
    first7 = _grid(p, a, back, back + 6).sum()
    day, metres = _athlete_runs(p, a)
    ordinary = ordinary_run_in(day, metres, last + 1)
    allowed, pct = return_allowance(c, off, pre_avg, ordinary)
    if first7 <= allowed + c.min_over_km * 1000:
        return None
    if first7 > max(pre_avg, allowed * 1.5):
        severity = "alert"
    elif first7 > allowed * (1 + SMALL_OVER_PCT / 100) or first7 > pre_avg:
        severity = "warning"
    else:
        severity = "info"
    g = int(p.goff[a]) + back - int(p.first[a])
    window = p.ratio[g : g + 7]
    window = window[~np.isnan(window)]
    peak = float(window.max()) if len(window) else float("nan")
    facts = {
        "off_days": off, "first7_m": first7, "allowed_m": allowed, "pct": pct, "pre_avg_m": pre_avg,
        "restart_gap_days": c.restart_gap_days, "ordinary_m": ordinary, "last_before": as_date(last), "min_allowance_runs": c.min_allowance_runs,
    }  # fmt: skip
    if math.isfinite(peak) and peak >= config.acwr.danger:
        facts["ratio_peak"] = peak
    week = week_start_number(back, config.week_start)
    return Flag("layoff_return", severity, as_date(week), as_date(back), None, first7, allowed, "m", facts=facts)
