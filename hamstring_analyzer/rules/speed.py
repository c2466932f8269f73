"""Speed rules: how much running is fast, and whether a base carries it.

References
----------
Seiler S (2010). What is best practice for training intensity and duration
distribution in endurance athletes? IJSPP 5:276-291.
Duhig S et al. (2016). Effect of high-speed running on hamstring strain
injury risk. BJSM 50:1536-1540.
Chumanov ES et al. (2011). The effect of speed and influence of individual
muscles on hamstring mechanics during the swing phase of sprinting. MSSE
43:525-532 (hamstring loading rises with speed and peaks in late swing).
"""

from __future__ import annotations

import datetime as dt
import math

from .registry import Context, Flag, best_in_prior_weeks, history_ok, rule
from .load import _week_and_week_before
from .terrain import flat_ground


@rule(
    "speedwork_share",
    title="Share of fast running",
    why="Fast running loads the hamstrings most; most training should be easy.",
    source="The 80/20 guideline (Seiler 2010, a description of elite training, not an injury threshold). "
    "Chumanov 2011 (MSSE): hamstring loading rises with running speed and peaks at the end of each swing. "
    "Duhig 2016 (BJSM): high-speed running above the runner's own usual level raised hamstring strain risk.",
    section="speedwork_share",
    level="week",
    load=True,
    basis=_week_and_week_before,
)
def speedwork_share(ctx: Context) -> list[Flag]:
    """Weeks whose fast running is above ``share_pct`` [% of the week's distance]; alert above ``alert_share_pct``."""
    c = ctx.config.speedwork_share
    flags = []
    weeks = ctx.weeks
    for i, (week, row) in enumerate(weeks.iterrows()):
        share = row["speedwork_share"]
        if not (isinstance(share, float) and math.isfinite(share)) or share * 100 <= c.share_pct:
            continue
        severity = "alert" if share * 100 > c.alert_share_pct else "warning"
        week_runs = ctx.runs[(ctx.runs["week_start"] == week) & (ctx.runs["fast_m"] > 0)]
        date = max(week_runs["local_date"]) if len(week_runs) else week + dt.timedelta(days=6)
        before = weeks["fast_m"].iloc[max(0, i - 4) : i]
        facts = {"fast_m": row["fast_m"], "distance_m": row["distance_m"], "share_pct": c.share_pct}
        if row.get("unsampled_m", 0) > 0:
            facts.update(unsampled_m=row["unsampled_m"], distance_m=row["distance_m"] - row["unsampled_m"])
        if len(before) and row["fast_m"] > before.max():
            facts["weeks_before"] = len(before)
        flags.append(Flag("speedwork_share", severity, week, date, None, share * 100, c.share_pct, "%", facts=facts))
    return flags


def regular_runs(ctx: Context):
    """Per day: the most runs of at least ``base.speedwork_run_km`` in a 4-week stretch of the 8 weeks before."""
    c = ctx.config.base
    runs = ctx.runs
    long_enough = runs[runs["distance_m"] >= c.speedwork_run_km * 1000].groupby("local_date").size()
    return best_in_prior_weeks(long_enough.reindex(ctx.load.index, fill_value=0))


@rule(
    "speedwork_before_base",
    title="Speedwork before a base",
    why="Fast running before the body is used to regular running is a common start of hamstring trouble.",
    source="\"15 Ways\": speedwork once you comfortably run 3 miles (4.83 km) regularly. Chumanov 2011 (MSSE): "
    "hamstring loading rises with running speed.",
    section="base",
    level="run",
)
def speedwork_before_base(ctx: Context) -> list[Flag]:
    """Fast sessions (``fast.min_fast_km``) before ``base.speedwork_runs`` runs of ``base.speedwork_run_km`` in 4 weeks."""
    c = ctx.config.base
    min_fast = ctx.config.fast.min_fast_km * 1000
    runs = ctx.runs
    flags = []
    if runs.empty:
        return flags
    regular = regular_runs(ctx)
    for run in runs.itertuples():
        if not run.fast_m >= min_fast or not history_ok(runs, run.local_date):  # NaN: not known (a manual entry)
            continue
        n = float(regular.get(run.local_date, 0))
        if n >= c.speedwork_runs:
            continue
        facts = {"distance_m": run.distance_m, "fast_m": run.fast_m, "runs": n, "run_km": c.speedwork_run_km, "needed": c.speedwork_runs}
        flags.append(Flag("speedwork_before_base", "warning", run.week_start, run.local_date, run.id, n, c.speedwork_runs, "runs", facts=facts))
    return flags


@rule(
    "fast_on_flat",
    title="Fast running on flat ground",
    why="Fast running on flat ground repeats the same long, fast stride; a physiotherapist saw an elite runner's "
    "hamstring pain peak there.",
    source="Zona PT, \"Finally Solving the Chronic Hamstring Pain Dilemma\" (a case report). Chumanov 2011 "
    "(MSSE): hamstring loading rises with running speed and peaks at the end of each swing, so fast "
    "running is where the hamstrings work hardest; the flat-ground part rests on the case report alone.",
    section="fast",
    level="run",
)
def fast_on_flat(ctx: Context) -> list[Flag]:
    """Fast sessions (``fast.min_fast_km``) on a treadmill or below ``flat_long_run.flat_m_per_km`` of climb."""
    min_fast = ctx.config.fast.min_fast_km * 1000
    flat = ctx.config.flat_long_run.flat_m_per_km
    flags = []
    for run in ctx.runs.itertuples():
        if not run.fast_m >= min_fast:  # NaN: not known (a manual entry)
            continue
        on_flat = flat_ground(run, flat)
        if on_flat is None:
            continue
        facts = {"distance_m": run.distance_m, "fast_m": run.fast_m, "indoor": bool(run.indoor), "climb_per_km": on_flat}
        flags.append(Flag("fast_on_flat", "warning", run.week_start, run.local_date, run.id, on_flat, flat, "m/km", facts=facts))
    return flags
