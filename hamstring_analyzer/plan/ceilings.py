"""The plan's ceilings, week by week: the rules' lines on a history walked once, each week credited at what the plan
allowed it (the `plan` package's docstring says why and how)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import Config
from ..dates import add_days, day_number, day_numbers, days_between
from ..metrics.weekly import daily_load, week_start
from ..rules.layoff import return_allowance
from ..rules.load import (
    is_mileage_jump,
    is_run_spike,
    jump_window,
    jump_yardsticks,
    longest_in,
    mileage_jump_ceiling,
    ordinary_run_in,
    run_spike_ceiling,
)
from ..rules.registry import Context, beginner_in, enough_history, layoff_gaps, pre_break_stretch, regular_runs_in, stretch_average
from ..rules.speed import HARD_DAYS_WEEKS, hard_days_allowed, hard_sessions

#: A return ramp is shown, and caps the weeks after a return, for at most this many weeks.
MAX_RAMP_WEEKS = 26
#: Weeks run over the plan count at what it allowed them for this many weeks after; older weeks count as run.
CREDIT_WEEKS = 8


@dataclass(frozen=True)
class Reason:
    """Why a ceiling is what it is: the plan field, the rule it comes from, the numbers behind it."""

    field: str
    rule: str
    facts: dict
    text: str = ""


# -- the rules' lines, as ceilings (shared pieces: the rules can test against the same functions) -------------


def ramp_ceiling(allowance_m: float, pre_avg_m: float, weeks: int, warn_pct: float) -> float:
    """The return ramp ``weeks`` weeks after the week of a return [m]: the allowance + ``warn_pct`` a week, up to the pre-break average."""
    return min(allowance_m * (1 + warn_pct / 100) ** weeks, max(allowance_m, pre_avg_m))


def ramp_weeks(allowance_m: float, pre_avg_m: float, warn_pct: float) -> int:
    """The weeks after the week of a return until the ramp reaches the pre-break average (at least 1, at most `MAX_RAMP_WEEKS`)."""
    target = max(allowance_m, pre_avg_m)
    for j in range(1, MAX_RAMP_WEEKS):
        if ramp_ceiling(allowance_m, pre_avg_m, j, warn_pct) >= target:
            return j
    return MAX_RAMP_WEEKS


def credit_week(metres, max_distance_m: float, max_long_run_m: float) -> tuple[np.ndarray, np.ndarray]:
    """What a week's runs count for in later yardsticks [m], at most what the plan allowed the week.

    Returns the runs as counted for distance (scaled down together to
    ``max_distance_m`` when the week held more) and as counted for the
    longest-run yardstick (each also at most ``max_long_run_m``). A run never
    counts for more than was run, nor for less than a metre (it still counts
    as a run).
    """
    metres = np.asarray(metres, dtype="float64")
    total = float(metres[metres > 0].sum())
    scale = max_distance_m / total if total > max_distance_m else 1.0
    floor = np.minimum(metres, 1.0)
    scaled = np.minimum(metres, np.maximum(metres * scale, floor))
    return scaled, np.minimum(scaled, np.maximum(max_long_run_m, floor))


def floor_m(x: float) -> float:
    """Whole metres strictly below ``x`` when ``x`` is whole (so rounding can never cross a threshold), never below 0."""
    return float(max(0, math.floor(x - 1e-6))) if math.isfinite(x) else x


# -- the history, walked week by week ---------------------------------------------------------------------------


@dataclass
class _History:
    """A runs table as arrays sorted by day (all its runs, also those after ``until``), and its breaks."""

    first_week: dt.date
    date: np.ndarray  # dt.date per run
    day: np.ndarray  # days since first_week
    week: np.ndarray  # weeks since first_week
    week_start: np.ndarray  # dt.date of each run's week
    metres: np.ndarray
    hard: np.ndarray  # a hard session that is not a race (`rules.speed.hard_sessions`)
    climb: np.ndarray  # climb per km, NaN indoors or unknown
    gaps: list  # `rules.registry.layoff_gaps`
    _ordinary: dict = field(default_factory=dict, repr=False, compare=False)

    def ordinary_as_run(self, w: int) -> float:
        """`ordinary_run_in` of the runs as run before week ``w``: the same for every plan after it, so worked out once."""
        if w not in self._ordinary:
            self._ordinary[w] = ordinary_run_in(self.day, self.metres, 7 * w)
        return self._ordinary[w]


def history(runs: pd.DataFrame, config: Config) -> _History:
    runs = runs.sort_values("local_date", kind="stable").reset_index(drop=True)
    dates = runs["local_date"].to_numpy()
    first_week = week_start(dates[0], config.week_start)
    day = day_numbers(dates) - day_number(first_week)
    metres = pd.to_numeric(runs["distance_m"], errors="coerce").fillna(0.0).to_numpy(dtype="float64")
    if "hard" in runs or "fast_m" in runs:
        hard = hard_sessions(Context(runs, pd.DataFrame(), config, pd.Series(dtype="float64"), pd.Series(dtype="float64"), [])).to_numpy(bool)
    else:
        hard = np.zeros(len(runs), dtype=bool)
    climb = pd.to_numeric(runs["climb_per_km"], errors="coerce") if "climb_per_km" in runs else pd.Series(np.nan, index=runs.index)
    if "indoor" in runs:
        climb = climb.where(~runs["indoor"].astype("boolean").fillna(False).astype(bool))
    gaps = layoff_gaps(runs, config.layoff_return.min_gap_days)
    week = day // 7
    week_start_of = np.array([add_days(first_week, 7 * int(i)) for i in range(int(week[-1]) + 1)], dtype=object)
    return _History(first_week, dates, day, week, week_start_of[week], metres, hard, climb.to_numpy(dtype="float64"), gaps)


def _fingerprint(h: _History, config: Config) -> tuple:
    digest = hashlib.blake2b(digest_size=16)
    for a in (h.day, h.metres, h.hard, h.climb):
        digest.update(np.ascontiguousarray(a).tobytes())
    return (config, h.first_week, len(h.day), digest.digest())


@dataclass
class _Week:
    """One week's ceilings (numbers), with the facts behind them (no words yet)."""

    monday: dt.date
    distance_m: float
    long_run_m: float
    hard_days: int
    reasons: list[Reason] = field(default_factory=list)
    return_window: tuple[dt.date, float] | None = None
    ramp: tuple | None = None  # (allowance [m], target [m], weeks since the return week, weeks of ramp)
    new_runner: bool = False
    known: bool = False
    regular: float = float("nan")
    prefix: _Prefix | None = None


class _Walk:
    """A history walked week by week: each week's ceilings, and what its runs count for (`credit_week`).

    A week's runs are credited against that week's own ceilings once, and a
    plan counts them so only while they are among the `CREDIT_WEEKS` weeks
    before the week planned (`counted_for`); older weeks count as run.
    """

    def __init__(self, h: _History, config: Config):
        self.h, self.config = h, config
        self.credited = h.metres.copy()  # what each run counts for when credited; as run for weeks not yet walked
        self.credited_long = h.metres.copy()  # ... and for the longest-run yardstick
        self.weeks = int(h.week[-1]) + 1
        self.walked = 1  # week 0 has no plan: it counts as run
        self.ceilings: dict[int, _Week] = {}
        self.memo: dict = {}  # what the allowance of each break met rests on (`_pre_break`)

    def counted_for(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Every run as counted for week ``k``'s yardsticks: credited in the `CREDIT_WEEKS` weeks before it, else as run."""
        h = self.h
        lo, hi = np.searchsorted(h.week, [max(1, k - CREDIT_WEEKS), k])
        counted, longest = h.metres.copy(), h.metres.copy()
        counted[lo:hi], longest[lo:hi] = self.credited[lo:hi], self.credited_long[lo:hi]
        return counted, longest

    def week(self, k: int) -> _Week:
        """The distance ceilings of week ``k`` (``k`` >= 1), from the weeks before it (walked first)."""
        if k not in self.ceilings:
            self.walk_to(k)
            n = int(np.searchsorted(self.h.week, k))
            counted, longest = self.counted_for(k)
            self.ceilings[k] = ceilings(self.h, n, k, counted, longest, self.config, final=False, memo=self.memo)
        return self.ceilings[k]

    def walk_to(self, k: int) -> None:
        """Credit every week before ``k`` (the weeks with runs; at most the history's) against its own ceilings."""
        h = self.h
        for j in range(self.walked, min(k, self.weeks)):
            first, end = np.searchsorted(h.week, [j, j + 1])
            if end > first:
                w = self.week(j)
                self.credited[first:end], self.credited_long[first:end] = credit_week(h.metres[first:end], w.distance_m, w.long_run_m)
            self.walked = j + 1


def _hard_days(h: _History, n: int, weeks: int) -> np.ndarray:
    """Days with a hard session per week, over the first ``n`` runs."""
    hard_day = np.unique(h.day[:n][h.hard[:n]])
    return np.bincount(hard_day // 7, minlength=weeks)[:weeks].astype(np.int64)


_walks: dict = {}


def walk_of(h: _History, config: Config) -> _Walk:
    key = _fingerprint(h, config)
    walk = _walks.get(key)
    if walk is None:
        if len(_walks) >= 8:
            _walks.pop(next(iter(_walks), None), None)  # the oldest
        walk = _walks[key] = _Walk(h, config)
    return walk


class _WeekStarts:
    """The first day of every week of a history, by index (week 0: the week of the first run)."""

    def __init__(self, first_week: dt.date):
        self.first_week = first_week

    def __getitem__(self, i: int) -> dt.date:
        return add_days(self.first_week, 7 * i)


_NO_RUNS, _NO_DAYS = pd.DataFrame(), pd.Series(dtype="float64")


class _Prefix:
    """The first ``n`` runs, as counted, in the shape the rules' helpers take (made only when one is asked)."""

    def __init__(self, h: _History, n: int, counted: np.ndarray, sunday: dt.date, config: Config, gaps: list):
        self.h, self.n, self.counted, self.sunday, self.config, self.gaps = h, n, counted, sunday, config, gaps

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        n = self.n
        return pd.DataFrame({"local_date": self.h.date[:n], "week_start": self.h.week_start[:n], "distance_m": self.counted[:n]})

    @functools.cached_property
    def load(self) -> pd.Series:
        """Distance per day [m] as counted, from the first run's day to ``sunday`` (`metrics.weekly.daily_load`)."""
        return daily_load(self.frame, until=self.sunday)

    @functools.cached_property
    def ctx(self) -> Context:
        return Context(self.frame, _NO_RUNS, self.config, self.load, _NO_DAYS, self.gaps)


def _pre_break(p: _Prefix, last: dt.date, memo: dict | None) -> tuple[float, float]:
    """(pre-break average [m], ordinary run [m]) of a break after ``last``: what its allowance rests on."""
    if memo is not None and last in memo:
        return memo[last]
    h = p.h
    start, end = pre_break_stretch(h.first_week, last)  # the days `pre_break_average` reads: only their runs, no whole-history frame
    lo, hi = np.searchsorted(h.day[: p.n], [days_between(h.first_week, start), days_between(h.first_week, end) + 1])
    stretch = pd.DataFrame({"local_date": h.date[lo:hi], "distance_m": p.counted[lo:hi]})
    load = daily_load(stretch, until=end, since=max(start, h.date[0]))  # as the prefix's load has them: from its first run's day
    out = (stretch_average(load), ordinary_run_in(h.day[: p.n], p.counted[: p.n], days_between(h.first_week, last) + 1))
    if memo is not None:
        memo[last] = out
    return out


def ceilings(h: _History, n: int, k: int, counted: np.ndarray, longest: np.ndarray, config: Config,
              final: bool = True, memo: dict | None = None) -> _Week:  # fmt: skip
    """Week ``k``'s ceilings from the first ``n`` runs (those before it), as counted (`credit_week`): ``counted`` and
    ``longest`` (per run [m]).

    ``final``: also the hard days and whether the history is a beginner's
    (`with_hard_days`: what the plan shows; counting a week needs only its
    distances). ``memo``: what the allowances of breaks already met rest on
    (the runs before a break, counted once).
    """
    week = _distance_ceilings(h, n, k, counted, longest, config, memo)
    return with_hard_days(week, h, n, k, counted, config) if final else week


def _distance_ceilings(h: _History, n: int, k: int, counted: np.ndarray, longest: np.ndarray, config: Config, memo: dict | None) -> _Week:
    """`ceilings` of the week's distance and longest run, with the facts of their reasons."""
    starts = _WeekStarts(h.first_week)
    monday = starts[k]
    sunday = add_days(monday, 6)
    mon = 7 * k  # day numbers count from the first week's first day
    days, metres = h.day[:n], counted[:n]
    last = h.date[n - 1]
    gaps = [g for g in h.gaps if g[1] <= last]
    p = _Prefix(h, n, counted, sunday, config, gaps)
    weekly = np.bincount(h.week[:n], weights=metres, minlength=k)[:k]
    lay, jump = config.layoff_return, config.weekly_mileage_jump
    caps: list[tuple[float, Reason]] = []
    reasons: list[Reason] = []
    coming_back = False
    ramp = None

    # -- a break: the first 7 days back at most the allowance ------------------------------------------------------
    off_monday = days_between(last, monday) - 1
    off_sunday = off_monday + 6
    pending = off_sunday >= lay.min_gap_days  # a break, or one if the week starts late enough
    already = off_monday >= lay.min_gap_days  # the week will hold a return: layoff_return judges it, not the jump rule
    if pending:
        pre_avg, ordinary = _pre_break(p, last, None)  # the runs up to until's day: counted as in this plan only
        options = [(return_allowance(lay, off, pre_avg, ordinary), off) for off in range(max(off_monday, lay.min_gap_days), off_sunday + 1)]
        (allowed, pct), off = min(options, key=lambda o: o[0][0])
        facts = {"off_days": off, "pct": pct, "pre_avg_m": pre_avg, "allowed_m": allowed, "ordinary_m": ordinary,
                 "min_allowance_runs": lay.min_allowance_runs, "already": already, "last_run": last}  # fmt: skip
        caps.append((allowed, Reason("max_distance_m", "layoff_return", facts)))
        ramp = (allowed, max(allowed, pre_avg), 0, ramp_weeks(allowed, pre_avg, jump.warn_pct))
        coming_back = True

    # -- after a return: what is left of the first 7 days back, then the ramp from the allowance -------------------
    return_window = None
    if gaps and days_between(gaps[-1][1], monday) < 7 * (MAX_RAMP_WEEKS + 1) and not already:
        before, back, off = gaps[-1]
        pre_avg, ordinary = _pre_break(p, before, memo)  # the weeks before a break met are counted for good
        allowed, pct = return_allowance(lay, off, pre_avg, ordinary)
        since = days_between(week_start(back, config.week_start), monday) // 7
        weeks_of_ramp = ramp_weeks(allowed, pre_avg, jump.warn_pct)
        end = add_days(back, 6)
        common = {"off_days": off, "pct": pct, "pre_avg_m": pre_avg, "allowed_m": allowed, "ordinary_m": ordinary,
                  "min_allowance_runs": lay.min_allowance_runs, "back": back}  # fmt: skip
        if end >= monday:  # the first 7 days back reach into the week: what is left of them, as run
            done = float(h.metres[:n][days >= days_between(h.first_week, back)].sum())
            return_window = (end, floor_m(max(0.0, allowed - done)))
            reasons.append(Reason("max_distance_m", "layoff_return", {**common, "done_m": done, "until": end, "left_m": return_window[1]}))
            coming_back = True
        if since <= weeks_of_ramp:
            value = ramp_ceiling(allowed, pre_avg, since, jump.warn_pct)
            facts = {**common, "week": since + 1, "warn_pct": jump.warn_pct, "target_m": max(allowed, pre_avg), "ramp_m": value}
            caps.append((value, Reason("max_distance_m", "layoff_return", facts)))
            ramp = ramp or (allowed, max(allowed, pre_avg), since, weeks_of_ramp)
            coming_back = True

    # -- weekly distance: the jump rule's line, over the weeks since the last return -------------------------------
    usual_run = ordinary_run_in(days, metres, mon)  # the ordinary run as this plan counts it: the jump rule's, the long run's floor
    if not already:
        lo = jump_window(Context(_NO_RUNS, _NO_RUNS, config, _NO_DAYS, _NO_DAYS, gaps), k, starts)
        prior = weekly[lo:k]
        line, which = mileage_jump_ceiling(prior, usual_run, jump)
        judged = len(prior) >= 2
        if judged or not caps:  # not judged yet (under two weeks behind it): the same line on what there is
            actual = np.bincount(h.week[:n], weights=h.metres[:n], minlength=k)[:k]
            over = [(starts[i], float(actual[i]), float(weekly[i])) for i in range(lo, k) if weekly[i] < actual[i] - 0.5]
            avg4, high, extra = jump_yardsticks(prior, usual_run, jump)
            facts = {"line_m": line, "which": which, "judged": judged, "avg4_m": avg4, "high_m": high, "weeks": len(prior), "ordinary_m": usual_run,
                     "extra_m": extra, "min_extra_runs": jump.min_extra_runs, "min_week_m": jump.min_week_km * 1000, "warn_pct": jump.warn_pct,
                     "since_return": lo > max(0, k - 8), "counted": over}  # fmt: skip
            caps.append((line, Reason("max_distance_m", "weekly_mileage_jump", facts)))
    limit, why = min(caps, key=lambda c: c[0])
    max_distance = floor_m(limit)
    if not coming_back and why.rule == "weekly_mileage_jump" and len(prior) >= 2:  # no less than the weeks actually run
        usual = _usual_week(h, n, k, lo, weekly, gaps, starts, config)
        if floor_m(usual) > max_distance:
            max_distance = floor_m(usual)
            why = Reason(why.field, why.rule, {**why.facts, "usual_m": usual})
    reasons.insert(0, why)

    # -- the longest run: against the longest of the 30 days before any day of the week ----------------------------
    spike = config.single_run_spike
    window = spike.window_days
    ref, i = longest_in(days, longest[:n], mon + 6, window)  # the days every run of the week looks back on ...
    if i is None:
        ref, i = longest_in(days, longest[:n], mon, window)  # ... else what a Monday run looks back on
    if i is not None and ref > 0:
        long_cap = min(max_distance, floor_m(run_spike_ceiling(ref, spike)))
        facts = {"longest_m": ref, "longest_date": h.date[i], "ran_m": float(h.metres[i]), "warn_pct": spike.warn_pct,
                 "min_extra_km": spike.min_extra_km, "window_days": window}  # fmt: skip
        reasons.append(Reason("max_long_run_m", "single_run_spike", facts))
    else:
        long_cap = max_distance
        reasons.append(Reason("max_long_run_m", "single_run_spike", {"longest_m": None, "warn_pct": spike.warn_pct, "window_days": window}))
    if not coming_back:  # no less than the runner's ordinary run, nor the longest run of the window that was no spike
        floor, ran_i = _usual_long_run(h, n, mon, window, spike, usual_run)
        if floor_m(floor) > long_cap and max_distance > long_cap:
            long_cap = min(max_distance, floor_m(floor))
            reasons[-1] = Reason("max_long_run_m", "single_run_spike", {**reasons[-1].facts, "usual_m": floor,
                                 "usual_date": h.date[ran_i] if ran_i is not None else None})  # fmt: skip
    if coming_back:  # the long run keeps its usual share of the week
        share_long = _usual_long_share(days, h.week[:n], metres, int(days[-1]))
        if math.isfinite(share_long) and floor_m(max_distance * share_long) < long_cap:
            long_cap = floor_m(max_distance * share_long)
            reasons.append(Reason("max_long_run_m", "layoff_return", {"share": share_long}))

    return _Week(monday, max_distance, long_cap, 0, reasons, return_window, ramp)


def with_hard_days(week: _Week, h: _History, n: int, k: int, counted: np.ndarray, config: Config) -> _Week:
    """``week`` (`ceilings` of its distances) with its hard days, and whether the history is a beginner's: what the
    plan shows. A new `_Week`: a walk's weeks stay as they are."""
    base, sw = config.base, config.speedwork_share
    monday, mon = week.monday, 7 * k
    days, metres = h.day[:n], counted[:n]
    gaps = [g for g in h.gaps if g[1] <= h.date[n - 1]]
    out = dataclasses.replace(week, reasons=list(week.reasons), prefix=_Prefix(h, n, counted, add_days(monday, 6), config, gaps))
    out.known = enough_history(h.date[0], monday)
    # the rules' regular runs and beginner's days, from the first run's day to Sunday, on arrays (no frame per plan)
    since = np.arange(int(days[0]), mon + 7)
    regular = regular_runs_in(days, metres, since, base)
    out.regular = float(np.nanmin(regular[mon - since[0] :]))
    out.new_runner = bool(beginner_in(regular, since, since[0], base)[mon - since[0] :].any())
    if out.new_runner:
        facts = {"runs": out.regular, "needed": base.speedwork_runs, "run_km": base.speedwork_run_km, "known": out.known}
        out.reasons.append(Reason("max_hard_days", "speedwork_before_base", facts))
    else:
        ran_weeks = np.bincount(h.week[:n], minlength=k)[:k] > 0
        hard_days = _hard_days(h, n, k)  # as run: the usual is the rule's (a week over it is flagged, not hidden)
        lo = max(0, k - HARD_DAYS_WEEKS)
        out.hard_days, usual = hard_days_allowed(hard_days[lo:k], ran_weeks[lo:k], sw)
        facts = {"allowed": out.hard_days, "usual": usual, "ordinary": sw.ordinary_hard_days, "weeks": int(ran_weeks[lo:k].sum())}
        out.reasons.append(Reason("max_hard_days", "speedwork_share", facts))
    return out


def _usual_week(h: _History, n: int, k: int, lo: int, weekly: np.ndarray, gaps: list, starts, config: Config) -> float:
    """The mean of the (up to) 4 weeks before week ``k`` since ``lo`` as run [m], a week that was a jump counted as the
    plan counted it (``weekly``). Under the rule's 4-week average (as run), so under its line."""
    actual = np.bincount(h.week[:n], weights=h.metres[:n], minlength=k)[:k]
    ctx = Context(_NO_RUNS, _NO_RUNS, config, _NO_DAYS, _NO_DAYS, gaps)
    totals = []
    for w in range(max(lo, k - 4), k):
        first = jump_window(ctx, w, starts)
        jumped = first is not None and is_mileage_jump(actual[w], actual[first:w], h.ordinary_as_run(w), config.weekly_mileage_jump)
        totals.append(min(weekly[w], actual[w]) if jumped else actual[w])
    return float(np.mean(totals)) if totals else 0.0


def _usual_long_run(h: _History, n: int, mon: int, window: int, spike, ordinary: float) -> tuple[float, int | None]:
    """What the long-run ceiling of the week from day ``mon`` is never under [m], and the run behind it (None: the ordinary run).

    The larger of ``ordinary`` (the ordinary run, as the plan counts it) and
    the longest plain run (as run) of the window every run of the week looks back on, never over the
    rule's line on the runs as run (so a week under it raises no spike). A
    run is plain when it is no ``single_run_spike`` over the longest plain
    run of the ``window`` days before it (runs a further window back count as
    plain); a spike counts as that longest plain run: a spike, and the runs
    that only repeat it, do not raise the floor.
    """
    days, metres = h.day[:n], h.metres[:n]
    ref, i = longest_in(days, metres, mon + 6, window)
    if i is None:
        ref, i = longest_in(days, metres, mon, window)
    if i is None or not ref > 0:
        return 0.0, None
    start = int(np.searchsorted(days, mon + 6 - window))
    lo = int(np.searchsorted(days, mon + 6 - 2 * window))
    plain = metres.copy()  # as run where plain; a spike counts as the longest plain run before it
    best, best_i = 0.0, None
    for j in range(lo, n):
        before, _ = longest_in(days, plain, int(days[j]), window)
        if is_run_spike(metres[j], before, spike):
            plain[j] = before
        elif j >= start and metres[j] > best:
            best, best_i = float(metres[j]), j
    if math.isfinite(ordinary) and ordinary > best:
        best, best_i = ordinary, None
    return min(best, run_spike_ceiling(ref, spike)), best_i


def _usual_long_share(day: np.ndarray, week: np.ndarray, metres: np.ndarray, last: int) -> float:
    """The median share of a week's distance its longest run took, over the 8 weeks up to day ``last`` (weeks of 2+ runs; NaN without)."""
    lo, hi = np.searchsorted(day, [last - 55, last + 1])
    w, m = week[lo:hi], np.asarray(metres[lo:hi], dtype="float64")
    shares = []
    for k in np.unique(w):
        runs = m[w == k]
        if len(runs) >= 2 and runs.sum() > 0:
            shares.append(runs.max() / runs.sum())
    return float(np.median(shares)) if shares else float("nan")
