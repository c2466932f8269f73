"""The runner's own yardsticks, said once: usual cadence, ordinary run, weekly average, hard days.

The rules judge each run and week against these (`load.ordinary_run_m`,
`form.own_cadence_at_speed`, the 4-week average and 8-week high); the terminal
and the report say them once, in a profile line, instead of on every flag.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from ..config import Config
from ..dates import add_days, day_iso, day_number
from .. import units as u
from .load import ordinary_run_in, ordinary_run_m
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
    weeks). ``days``: `registry.run_days` of ``runs`` when at hand (a report
    asking for every week's profile makes it once).
    """
    if runs.empty:
        return {}
    until = until or max(runs["local_date"])
    past = runs[runs["local_date"] <= until]
    recent = past[past["local_date"] > add_days(until, -7 * PROFILE_WEEKS)]
    running_s = pd.to_numeric(recent.get("running_s", pd.Series(dtype=float)), errors="coerce")
    sampled = recent["has_samples"].map(lambda x: x is not False) if "has_samples" in recent else pd.Series(True, index=recent.index)
    long_enough = recent[sampled & ~(running_s < config.low_cadence.min_running_min * 60)]
    cadence = pd.to_numeric(long_enough["cadence_spm"], errors="coerce").dropna()
    speed = pd.to_numeric(long_enough["speed_mps"], errors="coerce").dropna()
    index = pd.Index(weeks.index)
    done = [(add_days(w, 6) <= until) and (w > add_days(until, -7 * PROFILE_WEEKS)) for w in index]
    last_weeks = weeks[done] if len(weeks) else weeks  # whole weeks only: a week begun today is not a week
    ran = last_weeks[last_weeks["runs"] > 0] if len(last_weeks) else last_weeks
    hard = hard_mask(recent, config)  # as speedwork_share counts them: races left out
    hard_days = recent[hard].groupby("week_start")["local_date"].nunique()
    quarter = past[past["local_date"] > add_days(until, -90)]
    return {
        "as_of": day_iso(until),
        "cadence_spm": float(cadence.median()) if len(cadence) >= 3 else float("nan"),
        "speed_mps": float(speed.median()) if len(speed) >= 3 else float("nan"),
        "ordinary_run_m": ordinary_run_m(past, add_days(until, 1)) if days is None else ordinary_run_in(days[0], days[1], day_number(add_days(until, 1))),
        "weekly_m": float(ran["distance_m"].mean()) if len(ran) else float("nan"),
        "weeks": int(len(ran)),
        "longest_m": float(quarter["distance_m"].max()) if len(quarter) else float("nan"),
        "hard_days": int(hard_days.max()) if len(hard_days) else 0,
    }


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
