"""Next week's ceilings, from the rules' own lines: a week kept under them raises no load flag.

`plan_week` reads a runs table (the history up to a day) and says, for the
week after that day's week (Monday to Sunday, or Sunday to Saturday with
``week_start = "sunday"``), the most it can hold without a flag. Each ceiling
names the rule it comes from (`Reason`); `render.plan_messages` words them.
Ceilings, not targets: each is a whole metre under the rule's line.

* Weekly distance (``max_distance_m``): the most that raises no
  ``weekly_mileage_jump`` (`mileage_jump_ceiling`: the largest of
  ``min_week_km``, the 4-week average + ``warn_pct`` and the 8-week high +
  ``min_extra_runs`` ordinary runs, over the weeks since the last break;
  `is_mileage_jump` is the rule's test). After a break of
  ``layoff_return.min_gap_days``, the first 7 days back hold at most the
  ``layoff_return`` allowance (`rules.load.return_allowance`: a share of the
  pre-break average, never under ``min_allowance_runs`` ordinary runs), and
  the weeks after follow the return ramp (`ramp_ceiling`): that allowance
  + ``weekly_mileage_jump.warn_pct`` a week, counted from the week of the
  return, up to the pre-break average; from two weeks after the return the
  jump rule's line applies as well.
* Longest run (``max_long_run_m``): the most that raises no
  ``single_run_spike`` (`run_spike_ceiling`: the larger of + ``warn_pct`` and
  + ``min_extra_km`` on the longest run of the 30 days before), never more
  than the week; coming back from a break, the long run keeps its usual
  share of the week.
* Hard days (``max_hard_days``): the most that raises no ``speedwork_share``
  (`hard_days_allowed`: ``ordinary_hard_days``, or the runner's usual if
  more). Fast running (``max_fast_m``): the 80/20 description's share of the
  week (``speedwork_share.share_pct``), a guide that also keeps the week from
  being mostly fast. While the history looks like a beginner's
  (`rules.registry.beginner`), neither (a base comes first:
  ``speedwork_before_base``), and no hills (``hills_ok``) below the weekly
  base ``base.hills_week_km``; an experienced runner's history needs no base.

Running over the plan earns no distance. The yardsticks count each of the
`CREDIT_WEEKS` weeks before the week planned at most at what the plan allowed it (`credit_week`: its runs scaled down
to the week's distance ceiling; for the longest-run yardstick each also at
most that week's long-run ceiling), and the return ramp grows from the
allowance, not from what was run. So a week run longer than the plan by
enough to raise a flag does not raise the next ceilings above what keeping to
it would have given (a longer week the rules do not flag may), and a
too-hard return is not rewarded with a bigger next week. Counted distance is
never more than the distance run, so every ceiling stays at or under the
rules' own line. Older weeks count as run, and no ceiling falls below what
was plainly run (outside a return from a break): the weekly distance never
below the 4-week average as run (a week that was a jump counted as the plan
counted it: `_usual_week`), the long run never below the ordinary run nor the
longest run of its window that was no spike (`_usual_long_run`), each under
the rule's line on the runs as run. Hard days count as run: the rule's usual (the most of the
4 weeks before) is how a habit of more than ``ordinary_hard_days`` is
allowed at all, and counting hard days at the plan's would hold it at that
number for good.

A week that keeps to every ceiling (its runs no longer than the long-run
ceiling, the long run first; its hard days no more than ``max_hard_days``
with no more fast running than ``max_fast_m``, less in a shorter week; and,
when the first 7 days back from a break reach into the week, no more than
what is left of them by their last day: ``return_window``) raises no load
flag (``weekly_mileage_jump``, ``single_run_spike``, ``speedwork_share``,
``layoff_return``), so no load episode, nor a beginner's base flag;
``tests/test_plan.py`` checks that on random histories. Days left in the week
of ``until`` are taken as rest days.

Each week's ceilings depend on the weeks before, so a plan walks the history
once, week by week (the weeks with runs only), on arrays (`ordinary_run_in`,
`longest_in`: the rules' `ordinary_run_m` and `longest_before` without a
frame per question). The walk is kept per runs table and config (a few at a
time): a report that plans every week of a long history walks it once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import Config
from .errors import HamstringAnalyzerError
from .render.jsonfile import write_json
from .render.messages import Words
from .render.plan_messages import plan_reason
from .rules.load import (
    is_mileage_jump,
    is_run_spike,
    jump_window,
    jump_yardsticks,
    longest_in,
    mileage_jump_ceiling,
    ordinary_run_in,
    return_allowance,
    run_spike_ceiling,
)
from .rules.registry import (
    Context,
    beginner,
    best_in_prior_weeks,
    history_ok,
    layoff_gaps,
    pre_break_average,
    regular_runs,
)
from .rules.speed import HARD_DAYS_WEEKS, hard_days_allowed, hard_sessions
from .metrics.weekly import week_start

#: The columns of a runs table a plan reads (the first three are needed).
PLAN_COLUMNS = ("local_date", "week_start", "distance_m", "hard", "race", "fast_m", "climb_per_km", "indoor")
#: A return ramp is shown, and caps the weeks after a return, for at most this many weeks.
MAX_RAMP_WEEKS = 26
#: Weeks run over the plan count at what it allowed them for this many weeks after; older weeks count as run.
CREDIT_WEEKS = 8


class PlanError(HamstringAnalyzerError, ValueError):
    """No plan can be made (no runs up to the day asked for)."""


@dataclass(frozen=True)
class Reason:
    """Why a ceiling is what it is: the plan field, the rule it comes from, the numbers behind it."""

    field: str
    rule: str
    facts: dict
    text: str = ""


@dataclass
class Plan:
    """The ceilings for the week starting ``week_start`` (a Monday, or a Sunday for Sunday weeks). Distances in metres."""

    week_start: dt.date
    max_distance_m: float
    max_long_run_m: float
    max_fast_m: float
    hills_ok: bool
    ramp: list[tuple[dt.date, float]]
    reasons: list[Reason]
    history_until: dt.date
    units: str = "km"
    #: The first 7 days back from a break end inside the week: (their last day, distance left for them [m]).
    return_window: tuple[dt.date, float] | None = None
    #: Days with a hard session the week can hold without a ``speedwork_share`` (or, for a beginner, ``speedwork_before_base``) flag.
    max_hard_days: int = 0

    def to_dict(self) -> dict:
        """The JSON contract: these fields (new ones are added at the end; none is renamed or removed)."""
        window = None
        if self.return_window is not None:
            window = {"until": self.return_window[0].isoformat(), "max_distance_m": round(float(self.return_window[1]), 1)}
        return {
            "week_start": self.week_start.isoformat(),
            "max_distance_m": round(float(self.max_distance_m), 1),
            "max_long_run_m": round(float(self.max_long_run_m), 1),
            "max_fast_m": round(float(self.max_fast_m), 1),
            "hills_ok": bool(self.hills_ok),
            "ramp": [{"week_start": w.isoformat(), "max_distance_m": round(float(m), 1)} for w, m in self.ramp],
            "reasons": [{"field": r.field, "rule": r.rule, "text": r.text} for r in self.reasons],
            "max_hard_days": int(self.max_hard_days),
            "return_window": window,
        }

    def write_json(self, path: str | os.PathLike) -> None:
        """The JSON to ``path`` (``"-"``: standard output), atomically (`render.jsonfile.write_json`)."""
        write_json(self.to_dict(), path)


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


def _floor_m(x: float) -> float:
    """Whole metres strictly below ``x`` when ``x`` is whole (so rounding can never cross a threshold), never below 0."""
    return float(max(0, math.floor(x - 1e-6))) if math.isfinite(x) else x


_day_lists: dict = {}


def _days(first: dt.date, last: dt.date):
    """The dates from ``first`` to ``last`` (none when ``last`` is earlier), as an array.

    Made once per first day and extended as needed: a report of every week of
    a long history plans from the same first day hundreds of times.
    """
    n = (last - first).days + 1
    held = _day_lists.get(first)
    if held is None or len(held) < n:
        if len(_day_lists) >= 32:
            _day_lists.clear()
        held = _day_lists[first] = pd.date_range(first, first + dt.timedelta(days=max(n, 1) - 1), freq="D").date
    return held[: max(n, 0)]


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


def _history(runs: pd.DataFrame, config: Config) -> _History:
    runs = runs.sort_values("local_date", kind="stable").reset_index(drop=True)
    dates = runs["local_date"].to_numpy()
    first_week = week_start(dates[0], config.week_start)
    base = first_week.toordinal()
    day = np.fromiter((d.toordinal() - base for d in dates), dtype=np.int64, count=len(dates))
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
    week_start_of = np.array([first_week + dt.timedelta(days=7 * int(i)) for i in range(int(week[-1]) + 1)], dtype=object)
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
        """The distance ceilings of week ``k`` (``k`` < ``weeks``), from the weeks before it (walked first)."""
        if k not in self.ceilings:
            self.walk_to(k)
            n = int(np.searchsorted(self.h.week, k))
            counted, longest = self.counted_for(k)
            self.ceilings[k] = _ceilings(self.h, n, k, counted, longest, self.config, final=False, memo=self.memo)
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


def _walk(h: _History, config: Config) -> _Walk:
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
        return self.first_week + dt.timedelta(days=7 * i)


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
        """Distance per day [m], from the first run's day (as `weekly.daily_load`) to ``sunday``."""
        h, n = self.h, self.n
        per_day = np.bincount(h.day[:n], weights=self.counted[:n], minlength=(self.sunday - h.first_week).days + 1)
        return pd.Series(per_day[int(h.day[0]) :], index=_days(h.date[0], self.sunday))

    @functools.cached_property
    def ctx(self) -> Context:
        return Context(self.frame, _NO_RUNS, self.config, self.load, _NO_DAYS, self.gaps)


def _pre_break(p: _Prefix, last: dt.date, memo: dict | None) -> tuple[float, float]:
    """(pre-break average [m], ordinary run [m]) of a break after ``last``: what its allowance rests on."""
    if memo is not None and last in memo:
        return memo[last]
    h = p.h
    out = (pre_break_average(p.frame, p.load, last), ordinary_run_in(h.day[: p.n], p.counted[: p.n], (last - h.first_week).days + 1))
    if memo is not None:
        memo[last] = out
    return out


def _ceilings(h: _History, n: int, k: int, counted: np.ndarray, longest: np.ndarray, config: Config,
              final: bool = True, memo: dict | None = None) -> _Week:  # fmt: skip
    """Week ``k``'s ceilings from the first ``n`` runs (those before it), as counted (`credit_week`): ``counted`` and
    ``longest`` (per run [m]).

    ``final``: also the hard days, whether the history is a beginner's and
    the facts of the reasons (what the plan shows; counting a week needs only
    its distances). ``memo``: what the allowances of breaks already met rest on
    (the runs before a break, counted once).
    """
    starts = _WeekStarts(h.first_week)
    monday = starts[k]
    sunday = monday + dt.timedelta(days=6)
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
    off_monday = (monday - last).days - 1
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
    if gaps and (monday - gaps[-1][1]).days < 7 * (MAX_RAMP_WEEKS + 1) and not already:
        before, back, off = gaps[-1]
        pre_avg, ordinary = _pre_break(p, before, memo)  # the weeks before a break met are counted for good
        allowed, pct = return_allowance(lay, off, pre_avg, ordinary)
        since = (monday - week_start(back, config.week_start)).days // 7
        weeks_of_ramp = ramp_weeks(allowed, pre_avg, jump.warn_pct)
        end = back + dt.timedelta(days=6)
        common = {"off_days": off, "pct": pct, "pre_avg_m": pre_avg, "allowed_m": allowed, "ordinary_m": ordinary,
                  "min_allowance_runs": lay.min_allowance_runs, "back": back}  # fmt: skip
        if end >= monday:  # the first 7 days back reach into the week: what is left of them, as run
            done = float(h.metres[:n][days >= (back - h.first_week).days].sum())
            return_window = (end, _floor_m(max(0.0, allowed - done)))
            reasons.append(Reason("max_distance_m", "layoff_return", {**common, "done_m": done, "until": end, "left_m": return_window[1]}))
            coming_back = True
        if since <= weeks_of_ramp:
            value = ramp_ceiling(allowed, pre_avg, since, jump.warn_pct)
            facts = {**common, "week": since + 1, "warn_pct": jump.warn_pct, "target_m": max(allowed, pre_avg), "ramp_m": value}
            caps.append((value, Reason("max_distance_m", "layoff_return", facts)))
            ramp = ramp or (allowed, max(allowed, pre_avg), since, weeks_of_ramp)
            coming_back = True

    # -- weekly distance: the jump rule's line, over the weeks since the last return -------------------------------
    if not already:
        lo = jump_window(Context(_NO_RUNS, _NO_RUNS, config, _NO_DAYS, _NO_DAYS, gaps), k, starts)
        prior = weekly[lo:k]
        ordinary = ordinary_run_in(days, metres, mon)
        line, which = mileage_jump_ceiling(prior, ordinary, jump)
        judged = len(prior) >= 2
        if judged or not caps:  # not judged yet (under two weeks behind it): the same line on what there is
            facts = {"line_m": line, "which": which, "judged": judged}
            if final:
                actual = np.bincount(h.week[:n], weights=h.metres[:n], minlength=k)[:k]
                over = [(starts[i], float(actual[i]), float(weekly[i])) for i in range(lo, k) if weekly[i] < actual[i] - 0.5]
                avg4, high, extra = jump_yardsticks(prior, ordinary, jump)
                facts.update(avg4_m=avg4, high_m=high, weeks=len(prior), ordinary_m=ordinary, extra_m=extra, min_extra_runs=jump.min_extra_runs,
                             min_week_m=jump.min_week_km * 1000, warn_pct=jump.warn_pct, since_return=lo > max(0, k - 8), counted=over)  # fmt: skip
            caps.append((line, Reason("max_distance_m", "weekly_mileage_jump", facts)))
    limit, why = min(caps, key=lambda c: c[0])
    max_distance = _floor_m(limit)
    if not coming_back and why.rule == "weekly_mileage_jump" and len(prior) >= 2:  # no less than the weeks actually run
        usual = _usual_week(h, n, k, lo, weekly, gaps, starts, config)
        if _floor_m(usual) > max_distance:
            max_distance = _floor_m(usual)
            why = Reason(why.field, why.rule, {**why.facts, "usual_m": usual})
    reasons.insert(0, why)

    # -- the longest run: against the longest of the 30 days before any day of the week ----------------------------
    spike = config.single_run_spike
    window = spike.window_days
    ref, i = longest_in(days, longest[:n], mon + 6, window)  # the days every run of the week looks back on ...
    if i is None:
        ref, i = longest_in(days, longest[:n], mon, window)  # ... else what a Monday run looks back on
    if i is not None and ref > 0:
        long_cap = min(max_distance, _floor_m(run_spike_ceiling(ref, spike)))
        facts = {"longest_m": ref, "longest_date": h.date[i], "ran_m": float(h.metres[i]), "warn_pct": spike.warn_pct,
                 "min_extra_km": spike.min_extra_km, "window_days": window}  # fmt: skip
        reasons.append(Reason("max_long_run_m", "single_run_spike", facts))
    else:
        long_cap = max_distance
        reasons.append(Reason("max_long_run_m", "single_run_spike", {"longest_m": None, "warn_pct": spike.warn_pct, "window_days": window}))
    if not coming_back:  # no less than the runner's ordinary run, nor the longest run of the window that was no spike
        floor, ran_i = _usual_long_run(h, n, mon, window, spike, ordinary_run_in(days, metres, mon))
        if _floor_m(floor) > long_cap and max_distance > long_cap:
            long_cap = min(max_distance, _floor_m(floor))
            reasons[-1] = Reason("max_long_run_m", "single_run_spike", {**reasons[-1].facts, "usual_m": floor,
                                 "usual_date": h.date[ran_i] if ran_i is not None else None})  # fmt: skip
    if coming_back:  # the long run keeps its usual share of the week
        share_long = _usual_long_share(days, h.week[:n], metres, int(days[-1]))
        if math.isfinite(share_long) and _floor_m(max_distance * share_long) < long_cap:
            long_cap = _floor_m(max_distance * share_long)
            reasons.append(Reason("max_long_run_m", "layoff_return", {"share": share_long}))

    # -- hard days: the runner's usual, after a beginner's base ----------------------------------------------------
    week = _Week(monday, max_distance, long_cap, 0, reasons, return_window, ramp, prefix=p if final else None)
    if final:
        base, sw = config.base, config.speedwork_share
        week.known = history_ok(p.frame, monday)
        week.regular = float(regular_runs(p.ctx).loc[monday:sunday].min())
        week.new_runner = bool(beginner(p.ctx).loc[monday:sunday].any())
        if week.new_runner:
            facts = {"runs": week.regular, "needed": base.speedwork_runs, "run_km": base.speedwork_run_km, "known": week.known}
            reasons.append(Reason("max_hard_days", "speedwork_before_base", facts))
        else:
            ran_weeks = np.bincount(h.week[:n], minlength=k)[:k] > 0
            hard_days = _hard_days(h, n, k)  # as run: the usual is the rule's (a week over it is flagged, not hidden)
            lo = max(0, k - HARD_DAYS_WEEKS)
            week.hard_days, usual = hard_days_allowed(hard_days[lo:k], ran_weeks[lo:k], sw)
            facts = {"allowed": week.hard_days, "usual": usual, "ordinary": sw.ordinary_hard_days, "weeks": int(ran_weeks[lo:k].sum())}
            reasons.append(Reason("max_hard_days", "speedwork_share", facts))
    return week


def _usual_week(h: _History, n: int, k: int, lo: int, weekly: np.ndarray, gaps: list, starts, config: Config) -> float:
    """The mean of the (up to) 4 weeks before week ``k`` since ``lo`` as run [m], a week that was a jump counted as the
    plan counted it (``weekly``). Under the rule's 4-week average (as run), so under its line."""
    actual = np.bincount(h.week[:n], weights=h.metres[:n], minlength=k)[:k]
    ctx = Context(_NO_RUNS, _NO_RUNS, config, _NO_DAYS, _NO_DAYS, gaps)
    days = h.day[:n]
    totals = []
    for w in range(max(lo, k - 4), k):
        first = jump_window(ctx, w, starts)
        jumped = first is not None and is_mileage_jump(actual[w], actual[first:w], ordinary_run_in(days, h.metres[:n], 7 * w), config.weekly_mileage_jump)
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


def plan_week(runs: pd.DataFrame, config: Config | None = None, until: dt.date | None = None) -> Plan:
    """The ceilings for the week after ``until``'s week (default: the last run's), from ``runs`` up to ``until``.

    Parameters
    ----------
    runs : DataFrame
        A runs table (`metrics.runs.runs_table`); runs after ``until`` are ignored.
    config : Config
        The same thresholds the flags use.
    until : date, optional
        The last day of the history; the plan is for the week after its week (``config.week_start``).

    Raises
    ------
    PlanError
        No run on or before ``until``.
    """
    config = config or Config()
    runs = runs[[c for c in PLAN_COLUMNS if c in runs]]  # all a plan reads: filtering copies no more
    if until is not None and not runs.empty and not (runs["local_date"] <= until).any():
        runs = runs.iloc[:0]
    if runs.empty:
        raise PlanError(f"no runs up to {until}: nothing to plan from" if until else "no runs: nothing to plan from")
    h = _history(runs, config)
    until = until or h.date[-1]
    walk = _walk(h, config)
    monday = week_start(until, config.week_start) + dt.timedelta(days=7)  # the first day of next week (a Sunday for Sunday weeks)
    sunday = monday + dt.timedelta(days=6)
    k = (monday - h.first_week).days // 7
    n = int(np.searchsorted(h.day, (until - h.first_week).days, side="right"))  # the runs up to until
    walk.walk_to(k - 1)  # every week before until's credited; until's own week credits its runs up to until
    counted, longest = walk.counted_for(k)
    first = int(np.searchsorted(h.week, k - 1))
    if n > first and k - 1 >= 1:
        w = walk.week(k - 1)
        counted[first:n], longest[first:n] = credit_week(h.metres[first:n], w.distance_m, w.long_run_m)
    w = _ceilings(h, n, k, counted, longest, config, memo=walk.memo)
    reasons = list(w.reasons)
    load = w.prefix.load
    flat = config.flat_long_run
    if w.long_run_m >= flat.min_km * 1000:
        reasons.append(Reason("max_long_run_m", "flat_long_run", {"min_km": flat.min_km}))

    # -- fast running: the 80/20 description, once hard days are allowed ---------------------------------------------
    share = min(config.speedwork_share.share_pct, config.speedwork_share.alert_share_pct)
    if w.hard_days == 0:
        max_fast = 0.0
        if w.new_runner:
            reasons.append(Reason("max_fast_m", "speedwork_before_base", dict(next(r for r in reasons if r.field == "max_hard_days").facts)))
        else:
            reasons.append(Reason("max_fast_m", "speedwork_share", {"share_pct": share, "no_hard_days": True}))
    else:
        max_fast = _floor_m(w.distance_m * share / 100)
        reasons.append(Reason("max_fast_m", "speedwork_share", {"share_pct": share}))
    reasons.sort(key=lambda r: ("max_distance_m", "max_long_run_m", "max_fast_m", "max_hard_days").index(r.field))

    # -- hills: a weekly base first, for a beginner ---------------------------------------------------------------
    base = config.base
    weekly_base = float((best_in_prior_weeks(load) / 4.0).loc[monday:sunday].min())
    hills_ok = not w.new_runner or (w.known and weekly_base >= base.hills_week_km * 1000)
    climbs = h.climb[:n][np.isfinite(h.climb[:n])]
    own = float(np.median(climbs)) if len(climbs) else float("nan")
    hilly = max(base.hilly_m_per_km, own * base.own_climb_factor) if math.isfinite(own) else base.hilly_m_per_km
    facts = {"base_m": weekly_base, "needed_m": base.hills_week_km * 1000, "known": w.known, "ok": hills_ok, "new_runner": w.new_runner, "hilly_m_per_km": hilly}
    reasons.append(Reason("hills_ok", "hills_before_base", facts))

    # -- back to the pre-break volume: the return ramp, week by week ------------------------------------------------
    ramp: list[tuple[dt.date, float]] = []
    if w.ramp is not None:
        allowed, target, since, weeks_of_ramp = w.ramp
        warn = config.weekly_mileage_jump.warn_pct
        if w.distance_m < _floor_m(target):
            ramp.append((monday, w.distance_m))
            j = since
            while j < weeks_of_ramp and len(ramp) < MAX_RAMP_WEEKS:
                j += 1
                ramp.append((monday + dt.timedelta(days=7 * (j - since)), _floor_m(ramp_ceiling(allowed, target, j, warn))))
            reasons.append(Reason("ramp", "weekly_mileage_jump", {"target_m": target, "warn_pct": warn, "weeks": len(ramp)}))

    words = Words(config.units, many_years=monday.year != h.date[0].year)
    reasons = [Reason(r.field, r.rule, r.facts, plan_reason(r, words)) for r in reasons]
    return Plan(monday, w.distance_m, w.long_run_m, max_fast, hills_ok, ramp, reasons, until, config.units, w.return_window, w.hard_days)
