"""The runner's own yardsticks, said once: usual cadence, ordinary run, weekly average, hard days.

The rules judge each run and week against these (`load.ordinary_run_m`,
`form.own_cadence_at_speed`, the 4-week average and 8-week high); the terminal
and the report say them once, in a profile line, instead of on every flag.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from ..config import Config
from ..dates import day_iso, day_number, day_numbers
from .. import units as u
from .load import ordinary_run_in
from .registry import run_days
from .speed import hard_mask

#: Weeks the profile's weekly average and hard days look back on.
PROFILE_WEEKS = 8


def runner_profile(runs: pd.DataFrame, weeks: pd.DataFrame, config: Config, until: dt.date | None = None, days=None) -> dict:
    """The yardsticks as of ``until`` (the last run's day by default); values NaN when not known.

    Keys: ``as_of``, ``cadence_spm`` (median over runs of at least
    ``low_cadence.min_running_min`` of running), ``speed_mps`` (median running
    speed of those runs), ``ordinary_run_m``, ``weekly_m`` (average of the last
    8 weeks that had running), ``weeks`` (how many), ``longest_m`` (longest run
    of the last 90 days), ``hard_days`` (most hard days in one of the last 8
    weeks). ``days``: `registry.run_days` of ``runs`` when at hand. A report
    asking for many days' profiles keeps one `Profiles` instead.
    """
    if runs.empty:
        return {}
    return Profiles(runs, weeks, config, days).at(until or max(runs["local_date"]))


class Profiles:
    """`runner_profile` of one runs table as of any day: the columns it reads as arrays in day order, made once.

    ``report --all`` says every week's profile: filtering the whole table per
    week cost milliseconds, slices of sorted arrays (`numpy.searchsorted`)
    cost microseconds. `runner_profile` is ``Profiles(...).at(until)``, so the
    yardsticks have one definition.
    """

    def __init__(self, runs: pd.DataFrame, weeks: pd.DataFrame, config: Config, days=None):
        runs = runs.sort_values("local_date", kind="stable")
        self.day = day_numbers(runs["local_date"].to_numpy())
        self.distance = pd.to_numeric(runs["distance_m"], errors="coerce").to_numpy(dtype="float64")
        if "running_s" in runs:  # long enough: not known to be under the minimum of running
            short = pd.to_numeric(runs["running_s"], errors="coerce").to_numpy(dtype="float64") < config.low_cadence.min_running_min * 60
            sampled = runs["has_samples"].map(lambda x: x is not False).to_numpy(dtype=bool) if "has_samples" in runs else True
            long_enough = sampled & ~short
        else:  # no running time: no run is known to be long enough
            long_enough = np.zeros(len(runs), dtype=bool)
        self.cadence = _known(self.day, runs["cadence_spm"], long_enough)
        self.speed = _known(self.day, runs["speed_mps"], long_enough)
        hard = hard_mask(runs, config).to_numpy(dtype=bool)  # as speedwork_share counts them: races left out
        self.hard_day, self.hard_week = self.day[hard], day_numbers(runs["week_start"].to_numpy()[hard])
        self.week = day_numbers(weeks.index)
        self.week_m = pd.to_numeric(weeks["distance_m"], errors="coerce").to_numpy(dtype="float64") if len(weeks) else np.zeros(0)
        self.week_ran = (weeks["runs"] > 0).to_numpy(dtype=bool) if len(weeks) else np.zeros(0, dtype=bool)
        self.days = days if days is not None else run_days(runs)

    def at(self, until: dt.date) -> dict:
        """The yardsticks as of ``until`` (`runner_profile`); {} when no run is on or before it."""
        u = day_number(until)
        if not len(self.day) or self.day[0] > u:
            return {}
        recent = (u - 7 * PROFILE_WEEKS, u)  # the days after the first, up to the last
        cadence, speed = (_in(days, values, *recent) for days, values in (self.cadence, self.speed))
        done = (self.week + 6 <= u) & (self.week > recent[0])  # whole weeks only: a week begun today is not a week
        ran = self.week_m[done & self.week_ran]
        lo, hi = np.searchsorted(self.hard_day, recent, side="right")
        # hard days per week: each (week, day) once
        _, per_week = np.unique(np.unique(self.hard_week[lo:hi] * 10_000_000 + self.hard_day[lo:hi]) // 10_000_000, return_counts=True)
        quarter = _in(self.day, self.distance, u - 90, u)
        return {
            "as_of": day_iso(until),
            "cadence_spm": float(np.median(cadence)) if len(cadence) >= 3 else float("nan"),
            "speed_mps": float(np.median(speed)) if len(speed) >= 3 else float("nan"),
            "ordinary_run_m": ordinary_run_in(self.days[0], self.days[1], u + 1),
            "weekly_m": _mean(ran),
            "weeks": int(len(ran)),
            "longest_m": float(quarter.max()) if len(quarter) else float("nan"),
            "hard_days": int(per_week.max()) if len(per_week) else 0,
        }


def _known(day: np.ndarray, column: pd.Series, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(day numbers, values) of the runs ``kept`` whose ``column`` is a number."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64")
    keep = kept & ~np.isnan(values)
    return day[keep], values[keep]


def _in(day: np.ndarray, values: np.ndarray, after: int, last: int) -> np.ndarray:
    """The ``values`` of the days after day number ``after`` up to ``last`` (``day`` sorted), NaN left out."""
    lo, hi = np.searchsorted(day, (after, last), side="right")
    v = values[lo:hi]
    return v[~np.isnan(v)]


def _mean(values: np.ndarray) -> float:
    """pandas' mean (NaN left out, NaN when none), summed as pandas sums, so the weekly average keeps its last digit."""
    known = ~np.isnan(values)
    return float(np.where(known, values, 0.0).sum() / known.sum()) if known.any() else float("nan")


def profile_text(profile: dict, units: str = "km") -> str:
    """``"Your usual (last 8 weeks): 34.2 km a week over 6 weeks, an ordinary run 6.1 km, ..."``; "" when nothing is known."""
    if not profile:
        return ""

    def known(key):
        x = profile.get(key)
        return x is not None and isinstance(x, (int, float)) and math.isfinite(x)

    parts = []
    if known("weekly_m") and profile["weeks"]:
        over = f" (over {u.plural(profile['weeks'], 'week')} with running)" if profile["weeks"] < PROFILE_WEEKS else ""
        parts.append(f"{u.distance(profile['weekly_m'], units)} a week{over}")
    if known("ordinary_run_m"):
        parts.append(f"an ordinary run {u.distance(profile['ordinary_run_m'], units)}")
    if known("longest_m"):
        parts.append(f"longest of 90 days {u.distance(profile['longest_m'], units)}")
    if known("cadence_spm"):
        at = f" at {u.pace(profile['speed_mps'], units)}" if known("speed_mps") else ""
        parts.append(f"cadence {profile['cadence_spm']:.0f} steps/min{at}")
    n = profile["hard_days"]
    parts.append(f"up to {n} hard day{'s' if n != 1 else ''} a week" if n else "no hard sessions")
    return f"Your usual (last {PROFILE_WEEKS} weeks): " + ", ".join(parts) + "."
