"""Next week's ceilings, from the same rules and config as the flags: following them raises no flag.

`plan_week` reads a runs table (the history up to a day) and says, for the
week after that day's week (Monday to Sunday, or Sunday to Saturday with ``week_start = "sunday"``): the most distance, the longest
single run, the most fast running, whether hilly runs fit the base, and after
a break a return ramp week by week back to the pre-break volume. Each ceiling
names the rule it comes from (`Reason`); `render.messages` words them.

A week that keeps to every ceiling (its runs no longer than the long-run
ceiling, its fast running no more than the fast ceiling's share of what it
runs, and, when the first 7 days back from a break reach into the week, no
more than what is left of them by their last day: ``return_window``) raises no ``weekly_mileage_jump``, ``single_run_spike``,
``speedwork_share`` or ``layoff_return`` flag; ``tests/test_plan.py`` checks
that on random histories. Days left in the week of ``until`` are taken as
rest days.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass

import pandas as pd

from .render.jsonfile import write_json
from .config import Config
from .errors import HamstringAnalyzerError
from .render.messages import Words, plan_reason
from .rules.load import longest_before, return_allowance
from .rules.registry import best_in_prior_weeks, history_ok, layoff_gaps, pre_break_average
from .weekly import week_start

#: The columns of a runs table a plan reads.
PLAN_COLUMNS = ("local_date", "week_start", "distance_m")
#: A return ramp is shown for at most this many weeks.
MAX_RAMP_WEEKS = 26


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

    def to_dict(self) -> dict:
        """The JSON contract: exactly these fields."""
        return {
            "week_start": self.week_start.isoformat(),
            "max_distance_m": round(float(self.max_distance_m), 1),
            "max_long_run_m": round(float(self.max_long_run_m), 1),
            "max_fast_m": round(float(self.max_fast_m), 1),
            "hills_ok": bool(self.hills_ok),
            "ramp": [{"week_start": w.isoformat(), "max_distance_m": round(float(m), 1)} for w, m in self.ramp],
            "reasons": [{"field": r.field, "rule": r.rule, "text": r.text} for r in self.reasons],
        }

    def write_json(self, path: str | os.PathLike) -> None:
        """The JSON to ``path`` (``"-"``: standard output), atomically (`render.jsonfile.write_json`)."""
        write_json(self.to_dict(), path)


def _floor_m(x: float) -> float:
    """Whole metres strictly below ``x`` when ``x`` is whole (so rounding can never cross a threshold), never below 0."""
    return float(max(0, math.floor(x - 1e-6)))


def _extended(per_day: pd.Series, first: dt.date, last: dt.date) -> pd.Series:
    """``per_day`` over every day from ``first`` to ``last``, zero where it has none."""
    return per_day.reindex(_days(first, last), fill_value=0.0).astype("float64")


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


def plan_week(runs: pd.DataFrame, config: Config | None = None, until: dt.date | None = None) -> Plan:
    """The ceilings for the week after ``until``'s week (default: the last run's), from ``runs`` up to ``until``.

    Parameters
    ----------
    runs : DataFrame
        A runs table (`runmetrics.runs_table`); runs after ``until`` are ignored.
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
    if until is not None and not runs.empty:
        runs = runs[runs["local_date"] <= until]
    if runs.empty:
        raise PlanError(f"no runs up to {until}: nothing to plan from" if until else "no runs: nothing to plan from")
    runs = runs.reset_index(drop=True)
    until = until or max(runs["local_date"])
    monday = week_start(until, config.week_start) + dt.timedelta(days=7)  # the first day of next week (a Sunday for Sunday weeks)
    sunday = monday + dt.timedelta(days=6)
    first_run = min(runs["local_date"])
    # the daily distance from the first run's week start to the day before next week, zero on days off
    load = _extended(runs.groupby("local_date")["distance_m"].sum(), week_start(first_run, config.week_start), monday - dt.timedelta(days=1))
    ext = _extended(load, load.index[0], sunday)
    reasons: list[Reason] = []
    caps: list[tuple[float, Reason]] = []

    # -- weekly distance: the jump rule and the return after a break -------------------------
    jump = config.weekly_mileage_jump
    prev = float(load.loc[monday - dt.timedelta(days=7) : monday - dt.timedelta(days=1)].sum())
    if prev > 0:
        caps.append((prev * (1 + jump.warn_pct / 100), Reason("max_distance_m", "weekly_mileage_jump", {"prev_m": prev, "warn_pct": jump.warn_pct})))
    lay = config.layoff_return
    last = max(runs["local_date"])
    ramp_target = None
    off_monday, off_sunday = (monday - last).days - 1, (sunday - last).days - 1
    if off_sunday >= lay.min_gap_days:  # a break, or one if the week starts late enough
        pre_avg = pre_break_average(runs, load, last)
        options = [(return_allowance(lay, off, pre_avg), off) for off in range(max(off_monday, lay.min_gap_days), off_sunday + 1)]
        (allowed, pct), off = min(options, key=lambda o: o[0][0])
        facts = {"off_days": off, "pct": pct, "pre_avg_m": pre_avg, "allowed_m": allowed, "already": off_monday >= lay.min_gap_days, "last_run": last}
        caps.append((allowed, Reason("max_distance_m", "layoff_return", facts)))
        ramp_target = pre_avg
    gaps = layoff_gaps(runs, lay.min_gap_days)
    return_window = None
    if gaps and gaps[-1][1] + dt.timedelta(days=6) >= monday:  # the first 7 days back reach into next week
        before, back, off = gaps[-1]
        pre_avg = pre_break_average(runs, load, before)
        allowed, pct = return_allowance(lay, off, pre_avg)
        done = float(load.loc[back:].sum())
        end = back + dt.timedelta(days=6)
        return_window = (end, _floor_m(max(0.0, allowed - done)))
        facts = {"off_days": off, "pct": pct, "pre_avg_m": pre_avg, "allowed_m": allowed, "back": back, "done_m": done, "until": end, "left_m": return_window[1]}
        reasons.append(Reason("max_distance_m", "layoff_return", facts))
        ramp_target = pre_avg
    if not caps:  # no rule limits the week (an empty week with no break by the config): the best recent week
        recent = load.iloc[-28:].rolling(7, min_periods=1).sum()
        best = float(recent.max()) if len(recent) and recent.max() > 0 else lay.restart_week_km * 1000
        caps.append((best, Reason("max_distance_m", "weekly_mileage_jump", {"best_m": best})))
    limit, why = min(caps, key=lambda c: c[0])
    max_distance = _floor_m(limit)
    reasons.insert(0, why)

    # -- the longest run: against the longest of the 30 days before any day of the week --------
    spike = config.single_run_spike
    window = spike.window_days
    ref, ref_date = longest_before(runs, sunday, window)  # days every run of the week looks back on ...
    if not (math.isfinite(ref) and ref_date < monday):
        ref, ref_date = longest_before(runs, monday, window)  # ... else what a Monday run looks back on
    if math.isfinite(ref) and ref > 0:
        long_cap = min(max_distance, _floor_m(ref * (1 + spike.warn_pct / 100)))
        reasons.append(Reason("max_long_run_m", "single_run_spike", {"longest_m": ref, "longest_date": ref_date, "warn_pct": spike.warn_pct, "window_days": window}))
    else:
        long_cap = max_distance
        reasons.append(Reason("max_long_run_m", "single_run_spike", {"longest_m": None, "warn_pct": spike.warn_pct, "window_days": window}))
    if ramp_target is not None:  # coming back: the long run keeps its usual share of the week
        share_long = _usual_long_share(runs, load, last)
        if math.isfinite(share_long) and _floor_m(max_distance * share_long) < long_cap:
            long_cap = _floor_m(max_distance * share_long)
            reasons.append(Reason("max_long_run_m", "layoff_return", {"share": share_long}))
    flat = config.flat_long_run
    if long_cap >= flat.min_km * 1000:
        reasons.append(Reason("max_long_run_m", "flat_long_run", {"min_km": flat.min_km}))

    # -- fast running: the 80/20 share, and a base before speedwork -------------------------------
    share = config.speedwork_share.share_pct
    base = config.base
    long_enough = runs[runs["distance_m"] >= base.speedwork_run_km * 1000].groupby("local_date").size().astype("float64")
    regular = best_in_prior_weeks(_extended(long_enough, ext.index[0], sunday)).loc[monday:sunday].min()
    known = history_ok(runs, monday)
    if not known or regular < base.speedwork_runs:
        max_fast = 0.0
        reasons.append(Reason("max_fast_m", "speedwork_before_base", {"runs": float(regular), "needed": base.speedwork_runs, "run_km": base.speedwork_run_km, "known": known}))
    else:
        max_fast = _floor_m(max_distance * share / 100)
        reasons.append(Reason("max_fast_m", "speedwork_share", {"share_pct": share}))

    # -- hills: a weekly base first ------------------------------------------------------------------
    weekly_base = float((best_in_prior_weeks(ext) / 4.0).loc[monday:sunday].min())
    hills_ok = known and weekly_base >= base.hills_week_km * 1000
    reasons.append(Reason("hills_ok", "hills_before_base", {"base_m": weekly_base, "needed_m": base.hills_week_km * 1000, "known": known, "ok": hills_ok}))

    # -- after a break: back to the pre-break volume, at most +warn_pct a week ------------------------
    ramp: list[tuple[dt.date, float]] = []
    if ramp_target is not None and max_distance < ramp_target:
        week, volume = monday, max_distance
        ramp.append((week, volume))
        while volume < ramp_target and len(ramp) < MAX_RAMP_WEEKS:
            week += dt.timedelta(days=7)
            volume = min(_floor_m(volume * (1 + jump.warn_pct / 100)), ramp_target)
            if volume <= 0:
                break
            ramp.append((week, volume))
        reasons.append(Reason("ramp", "weekly_mileage_jump", {"target_m": ramp_target, "warn_pct": jump.warn_pct, "weeks": len(ramp)}))

    words = Words(config.units, many_years=monday.year != first_run.year)
    reasons = [Reason(r.field, r.rule, r.facts, plan_reason(r, words)) for r in reasons]
    return Plan(monday, max_distance, long_cap, max_fast, hills_ok, ramp, reasons, until, config.units, return_window)


def _usual_long_share(runs: pd.DataFrame, load: pd.Series, last: dt.date) -> float:
    """The median share of a week's distance its longest run took, over the 8 weeks up to ``last`` (NaN without any)."""
    recent = runs[(runs["local_date"] <= last) & (runs["local_date"] > last - dt.timedelta(weeks=8))]
    if recent.empty:
        return float("nan")
    weeks = recent.groupby("week_start")["distance_m"]
    shares = (weeks.max() / weeks.sum()).where(weeks.count() >= 2).dropna()
    return float(shares.median()) if len(shares) else float("nan")
