"""Next week's ceilings, from the rules' own lines: a week kept under them raises no load flag.

`plan_week` reads a runs table (the history up to a day) and says, for the
week after that day's week (Monday to Sunday, or Sunday to Saturday with
``week_start = "sunday"``), the most it can hold without a flag. Each ceiling
names the rule it comes from (`Reason`); `wording` words them.
Ceilings, not targets: each is a whole metre under the rule's line.

* Weekly distance (``max_distance_m``): the most that raises no
  ``weekly_mileage_jump`` (`mileage_jump_ceiling`: the largest of
  ``min_week_km``, the 4-week average + ``warn_pct`` and the 8-week high +
  ``min_extra_runs`` ordinary runs, over the weeks since the last break;
  `is_mileage_jump` is the rule's test). After a break of
  ``layoff_return.min_gap_days``, the first 7 days back hold at most the
  ``layoff_return`` allowance (`rules.layoff.return_allowance`: a share of the
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
import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Config
from ..dates import add_days, day_iso, days_between
from ..errors import PlanError
from ..metrics.weekly import week_start
from ..jsonfile import write_json
from ..rules.terrain import weekly_base
from ..rules.wording import Words
from .ceilings import CREDIT_WEEKS, MAX_RAMP_WEEKS, Reason, ceilings, credit_week, floor_m, history, ramp_ceiling, walk_of, with_hard_days
from .wording import plan_reason

__all__ = ["CREDIT_WEEKS", "MAX_RAMP_WEEKS", "PLAN_COLUMNS", "Plan", "PlanError", "Planner", "Reason", "credit_week", "plan_week", "ramp_ceiling"]

#: The columns of a runs table a plan reads (the first three are needed).
PLAN_COLUMNS = ("local_date", "week_start", "distance_m", "hard", "race", "fast_m", "climb_per_km", "indoor")


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
            window = {"until": day_iso(self.return_window[0]), "max_distance_m": round(float(self.return_window[1]), 1)}
        return {
            "week_start": day_iso(self.week_start),
            "max_distance_m": round(float(self.max_distance_m), 1),
            "max_long_run_m": round(float(self.max_long_run_m), 1),
            "max_fast_m": round(float(self.max_fast_m), 1),
            "hills_ok": bool(self.hills_ok),
            "ramp": [{"week_start": day_iso(w), "max_distance_m": round(float(m), 1)} for w, m in self.ramp],
            "reasons": [{"field": r.field, "rule": r.rule, "text": r.text} for r in self.reasons],
            "max_hard_days": int(self.max_hard_days),
            "return_window": window,
        }

    def write_json(self, path: str | os.PathLike) -> None:
        """The JSON to ``path`` (``"-"``: standard output), atomically (`jsonfile.write_json`)."""
        write_json(self.to_dict(), path)


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
    return Planner(runs, config).plan(until)


class Planner:
    """Plans for any weeks of one runs table: the history made once, the walk of its weeks shared.

    ``Planner(runs, config).plan(until)`` is `plan_week`; a report planning
    every week of a long history (``report --all``) asks one planner, so the
    plan for week N starts from what weeks 1..N-1 computed.
    """

    def __init__(self, runs: pd.DataFrame, config: Config | None = None):
        self.config = config or Config()
        self.runs = runs[[c for c in PLAN_COLUMNS if c in runs]]  # all a plan reads: filtering copies no more
        self._history = None

    def plan(self, until: dt.date | None = None) -> Plan:
        """`plan_week` of the table up to ``until``."""
        if self.runs.empty:
            raise PlanError(f"no runs up to {day_iso(until)}: nothing to plan from" if until else "no runs: nothing to plan from")
        if self._history is None:
            self._history = history(self.runs, self.config)
        h = self._history
        if until is not None and not h.date[0] <= until:  # h is in day order: no run on or before until
            raise PlanError(f"no runs up to {day_iso(until)}: nothing to plan from")
        return _plan(h, self.config, until or h.date[-1])


def _plan(h, config: Config, until: dt.date) -> Plan:
    walk = walk_of(h, config)
    monday = add_days(week_start(until, config.week_start), 7)  # the first day of next week (a Sunday for Sunday weeks)
    sunday = add_days(monday, 6)
    k = days_between(h.first_week, monday) // 7
    n = int(np.searchsorted(h.day, days_between(h.first_week, until), side="right"))  # the runs up to until
    walk.walk_to(k - 1)  # every week before until's credited; until's own week credits its runs up to until
    counted, longest = walk.counted_for(k)
    first = int(np.searchsorted(h.week, k - 1))
    if n > first and k - 1 >= 1:
        w = walk.week(k - 1)
        counted[first:n], longest[first:n] = credit_week(h.metres[first:n], w.distance_m, w.long_run_m)
    if n == int(np.searchsorted(h.week, k)):  # no run of until's week after until: the walk's own week k
        w = walk.week(k)
    else:
        w = ceilings(h, n, k, counted, longest, config, final=False, memo=walk.memo)
    w = with_hard_days(w, h, n, k, counted, config)
    reasons = list(w.reasons)
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
        max_fast = floor_m(w.distance_m * share / 100)
        reasons.append(Reason("max_fast_m", "speedwork_share", {"share_pct": share}))
    reasons.sort(key=lambda r: ("max_distance_m", "max_long_run_m", "max_fast_m", "max_hard_days").index(r.field))

    # -- hills: a weekly base first, for a beginner ---------------------------------------------------------------
    base = config.base
    base_m = float(weekly_base(w.prefix.ctx).loc[monday:sunday].min()) if w.new_runner else float("nan")  # only a beginner's hills wait for it
    hills_ok = not w.new_runner or (w.known and base_m >= base.hills_week_km * 1000)
    climbs = h.climb[:n][np.isfinite(h.climb[:n])]
    own = float(np.median(climbs)) if len(climbs) else float("nan")
    hilly = max(base.hilly_m_per_km, own * base.own_climb_factor) if math.isfinite(own) else base.hilly_m_per_km
    facts = {"base_m": base_m, "needed_m": base.hills_week_km * 1000, "known": w.known, "ok": hills_ok, "new_runner": w.new_runner, "hilly_m_per_km": hilly}
    reasons.append(Reason("hills_ok", "hills_before_base", facts))

    # -- back to the pre-break volume: the return ramp, week by week ------------------------------------------------
    ramp: list[tuple[dt.date, float]] = []
    if w.ramp is not None:
        allowed, target, since, weeks_of_ramp = w.ramp
        warn = config.weekly_mileage_jump.warn_pct
        if w.distance_m < floor_m(target):
            ramp.append((monday, w.distance_m))
            j = since
            while j < weeks_of_ramp and len(ramp) < MAX_RAMP_WEEKS:
                j += 1
                ramp.append((add_days(monday, 7 * (j - since)), floor_m(ramp_ceiling(allowed, target, j, warn))))
            reasons.append(Reason("ramp", "weekly_mileage_jump", {"target_m": target, "warn_pct": warn, "weeks": len(ramp)}))

    words = Words(config.units, many_years=monday.year != h.date[0].year)
    reasons = [Reason(r.field, r.rule, r.facts, plan_reason(r, words)) for r in reasons]
    return Plan(monday, w.distance_m, w.long_run_m, max_fast, hills_ok, ramp, reasons, until, config.units, w.return_window, w.hard_days)
