"""Terrain rules: long runs without variation, hills before a base."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .registry import Context, Flag, TableRow, beginner, best_in_prior_weeks, history_ok, rule
from .wording import Words


def flat_ground(run, flat_m_per_km: float) -> float | None:
    """Climb per km of a flat run (0 on a treadmill); None when not flat or unknown."""
    if run.indoor:
        return 0.0
    if math.isfinite(run.climb_per_km) and run.climb_per_km < flat_m_per_km:
        return float(run.climb_per_km)
    return None


def is_long(distance_m, moving_s, c):
    """A long run: at least ``flat_long_run.min_km`` [m] or ``min_moving_min`` moving [s].

    Takes one run's numbers (a bool back) or arrays of them (a bool array back:
    the weekly picture's long-run panel asks for every run at once).
    """
    return (distance_m >= c.min_km * 1000) | (moving_s >= c.min_moving_min * 60)


def flat_long_run_message(f, w: Words) -> str:
    return (
        f"{w.run(f)} {w.where(f.facts)}: a long run with no change of terrain works the same muscles "
        f"the same way all the way; rolling routes spread the load."
    )


def flat_long_run_brief(f, w: Words) -> str:
    return f"{w.day(f.date)}'s long run was {w.where(f.facts)}"


@rule(
    "flat_long_run",
    title="Long run on flat ground",
    why="A long run without variation in terrain works the same muscles the same way for hours.",
    source="Practitioner opinion (Runner's World, \"15 Ways\"; an Uphill Athlete forum thread): exposure context, not evidence of harm.",
    section="flat_long_run",
    level="run",
    message=flat_long_run_message,
    brief=flat_long_run_brief,
    row=TableRow(
        flags="a long run (16 km or 90 min) with under 10 m of climb per km, or on a treadmill",
        default="",
        severity="info (exposure context)",
        evidence="coaching practice",
    ),
)
def flat_long_run(ctx: Context) -> list[Flag]:
    """Long runs (``min_km`` or ``min_moving_min``) on a treadmill or below ``flat_m_per_km`` of climb [m/km]; info."""
    c = ctx.config.flat_long_run
    flags = []
    for run in ctx.runs.itertuples():
        if not is_long(run.distance_m, run.moving_s, c):
            continue
        flat = flat_ground(run, c.flat_m_per_km)
        if flat is None:
            continue
        facts = {"distance_m": run.distance_m, "indoor": bool(run.indoor), "climb_per_km": flat}
        flags.append(Flag("flat_long_run", "info", run.week_start, run.local_date, run.id, flat, c.flat_m_per_km, "m/km", facts=facts))
    return flags


def weekly_base(ctx: Context):
    """Per day: the best 4-week average weekly distance of the 8 weeks before [m]."""
    return best_in_prior_weeks(ctx.load) / 4.0


def hills_before_base_message(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)} with {w.climb(x['climb_per_km'])} of climb, while your weekly base "
        f"is {w.km(x['base_m'])}; the advice is to run about {w.km(x['needed_m'])} a week regularly before adding hills."
    )


@rule(
    "hills_before_base",
    title="Hills before a base",
    why="Hill running loads the hamstrings near the sit bone; it is best added on top of regular running.",
    source="\"15 Ways\": hills once you run about 15 miles (24 km) a week regularly.",
    section="base",
    level="run",
    message=hills_before_base_message,
    row=TableRow(
        flags="on a beginner's history (no base yet, within 90 days of the first run or never with a base): a run with 15+ m/km of climb and 1.5 times your usual climb while your base is under 24 km a week",
        default="",
        severity="warning",
        evidence="coaching practice",
    ),
)
def hills_before_base(ctx: Context) -> list[Flag]:
    """Runs hilly for the runner while the weekly base is below ``base.hills_week_km``, on a beginner's history.

    Hilly: at least ``base.hilly_m_per_km`` of climb per km and
    ``base.own_climb_factor`` times the runner's usual climb per km (the median
    of the runs before), so a runner's habitual routes are not "hills". Only
    while the history looks like a beginner's (`registry.beginner`), and only
    runs of ``low_cadence.min_running_min`` or more moving.
    """
    c = ctx.config.base
    flags = []
    runs = ctx.runs
    if runs.empty:
        return flags
    base = weekly_base(ctx)
    new_runner = beginner(ctx)
    climb = pd.to_numeric(runs["climb_per_km"], errors="coerce").where(~runs["indoor"].astype(bool))
    usual = climb.expanding().median().shift(1)  # the runs table is in time order
    short_s = ctx.config.low_cadence.min_running_min * 60
    for run, own in zip(runs.itertuples(), usual):
        if run.indoor or not math.isfinite(run.climb_per_km) or run.climb_per_km < c.hilly_m_per_km:
            continue
        if run.moving_s < short_s:
            continue  # a few minutes up a hill are not hill training (and a short track's climb is mostly noise)
        if math.isfinite(own) and run.climb_per_km < own * c.own_climb_factor:
            continue  # your usual routes
        if not history_ok(runs, run.local_date) or not bool(new_runner.get(run.local_date, False)):
            continue
        b = float(base.get(run.local_date, np.nan))
        if not math.isfinite(b) or b >= c.hills_week_km * 1000:
            continue
        facts = {"distance_m": run.distance_m, "climb_per_km": run.climb_per_km, "base_m": b, "needed_m": c.hills_week_km * 1000, "own_climb": own}
        flags.append(Flag("hills_before_base", "warning", run.week_start, run.local_date, run.id, b, c.hills_week_km * 1000, "m", facts=facts))
    return flags
