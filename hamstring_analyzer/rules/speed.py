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

import math

import datetime as dt

import pandas as pd

from ..dates import days_between
from .. import units as u
from .registry import Context, Flag, TableRow, beginner, history_ok, race_mask, regular_runs, rule
from .wording import Words
from .load import _week_and_week_before
from .terrain import flat_ground
from ..numbers import is_finite


#: Hard sessions on flat ground this many days apart or closer are one block (`fast_on_flat`).
BLOCK_GAP_DAYS = 28


def hard_days_allowed(prior_days, prior_ran, c) -> tuple[int, float]:
    """``speedwork_share``'s line: the hard days a week may hold, and the runner's usual (NaN when unknown).

    The usual is the most hard days in one of the weeks before that had
    running (``prior_ran``; the rule looks back 4 weeks); allowed is
    ``ordinary_hard_days`` or the usual, whichever is more. (A week within
    it is still flagged when it is more than the usual and mostly fast:
    above ``alert_share_pct`` of its distance. The plan's ``max_fast_m``
    stays under that.)
    """
    prior = [int(d) for d, r in zip(prior_days, prior_ran) if r]
    usual = float(max(prior)) if prior else float("nan")
    return max(c.ordinary_hard_days, int(usual) if math.isfinite(usual) else 0), usual


#: The weeks before a week whose hard days set the runner's usual (as ``speedwork_share``).
HARD_DAYS_WEEKS = 4


def speedwork_share_message(f, w: Words) -> str:
    x = f.facts
    days = ", ".join(u.weekday(d) for d in x["days"])
    usual = (
        f"your most in one of the {x['weeks_before']} weeks before was {x['usual']:.0f}"
        if is_finite(x.get("usual"))
        else "your usual is not known yet"
    )
    share = ""
    if "share_pct" in x:
        share = f" Fast running was {x['share_pct']:.0f}% of the week's {w.km(x['distance_m'])}."
    if x.get("new_to_it"):
        return (
            f"Week of {w.day(f.week_start)}: {x['hard_days']} hard day{'s' if x['hard_days'] != 1 else ''} ({days}); {usual}.{share} "
            "Fast running above your own usual level is where hamstring strains rise (Duhig 2016); build it in gradually."
        )
    return (
        f"Week of {w.day(f.week_start)}: {x['hard_days']} hard days ({days}); {usual}, and {x['ordinary']} is ordinary. "
        f"Hard days beyond your usual leave the hamstrings little time to recover.{share}"
    )


def speedwork_share_brief(f, w: Words) -> str:
    return f"{f.facts['hard_days']} hard days in the week of {w.day(f.week_start)}"


@rule(
    "speedwork_share",
    title="More hard days than your usual",
    why="Fast running loads the hamstrings most; hard days beyond what you are used to leave them little time to recover.",
    source="Duhig 2016 (BJSM, a cohort of Australian footballers): high-speed running above the athlete's own usual "
    "level raised hamstring strain risk (odds ratio 6.44). Chumanov 2011 (MSSE): hamstring loading rises with running "
    "speed and peaks at the end of each swing. Coaching practice counts hard sessions (sustained minutes at threshold "
    "pace or faster), two hard days a week being ordinary; the 80/20 split (Seiler 2010, a description of elite "
    "training) is quoted as context.",
    section="speedwork_share",
    level="week",
    load=True,
    basis=_week_and_week_before,
    evidence="study",
    message=speedwork_share_message,
    brief=speedwork_share_brief,
    row=TableRow(
        flags="hard days in a week (a hard session: 8+ min at threshold pace or faster, or a run mostly at it, confirmed by heart rate where there is one; not 1-2 fast km inside an easy run) above the most of your 4 weeks before and above 2; or sessions new to you in a week more than 30% fast",
        default="2 hard days",
        severity="warning; alert at 2 above",
        evidence="a published study (Duhig 2016)",
    ),
)
def speedwork_share(ctx: Context) -> list[Flag]:
    """Weeks with more hard days than the runner's own usual (and more than ``ordinary_hard_days``).

    A hard day holds a hard session (`hard_sessions`): sustained fast running
    of minutes, or a run mostly at that pace; long races are `race_build`'s.
    The runner's own usual is the most hard days of the 4 weeks before that
    had running. Alert at two hard days or more above what is allowed. Fewer
    hard days also warn when they are more than the usual and the week (of
    ``min_runs`` runs or more) is above ``alert_share_pct`` [%] fast: hard
    sessions new to the runner (Duhig 2016). The week's
    share of fast running is quoted as context on weeks of ``min_runs`` runs.
    """
    c = ctx.config.speedwork_share
    flags = []
    weeks = ctx.weeks
    runs = ctx.runs
    if runs.empty:
        return flags
    hard = hard_sessions(ctx)
    days = runs[hard].groupby("week_start")["local_date"].nunique().reindex(weeks.index, fill_value=0).to_numpy()
    ran = weeks["runs"].to_numpy() > 0
    for i, week in enumerate(weeks.index):
        n = int(days[i])
        if n == 0:
            continue
        lo = max(0, i - HARD_DAYS_WEEKS)
        if not ran[lo:i].any():
            continue  # no week before to know the runner's usual from
        allowed, usual = hard_days_allowed(days[lo:i], ran[lo:i], c)
        prior = [d for d, r in zip(days[lo:i], ran[lo:i]) if r]
        row = weeks.iloc[i]
        share = row["speedwork_share"]
        fast_week = (
            int(row["runs"]) >= c.min_runs and isinstance(share, float) and math.isfinite(share) and share * 100 > c.alert_share_pct
        )
        new_to_it = math.isfinite(usual) and n > usual and fast_week  # sessions new to you, in a week mostly fast
        if n <= allowed and not new_to_it:
            continue
        severity = "alert" if n >= allowed + 2 else "warning"
        week_hard = runs[hard & (runs["week_start"] == week)]
        facts = {"hard_days": n, "allowed": allowed, "usual": usual, "weeks_before": len(prior), "days": sorted(set(week_hard["local_date"])),
                 "ordinary": c.ordinary_hard_days, "distance_m": row["distance_m"], "runs": int(row["runs"]), "new_to_it": n <= allowed}  # fmt: skip
        if int(row["runs"]) >= c.min_runs and isinstance(share, float) and math.isfinite(share):
            facts.update(share_pct=share * 100, fast_m=row["fast_m"], guide_pct=c.share_pct)
        # value and threshold keep their meaning in the JSON: the week's fast share against the 80/20 line
        value = share * 100 if isinstance(share, float) and math.isfinite(share) else float("nan")
        flags.append(Flag("speedwork_share", severity, week, max(week_hard["local_date"]), None, value, c.share_pct, "%", facts=facts))
    return flags


def hard_sessions(ctx: Context) -> pd.Series:
    """Per run: a hard session that is not a race (`hard_mask`)."""
    return hard_mask(ctx.runs, ctx.config)


def hard_mask(runs: pd.DataFrame, config) -> pd.Series:
    """Per run: a hard session (the runs table's ``hard``; else ``fast.min_fast_km`` of fast running), races left out.

    A race is not speedwork: `race.race_mask` races are `race_build`'s (their
    build-up, and what came in their recovery); a 5 or 10 km read from pace
    alone stays a hard session.
    """
    if "hard" in runs:
        hard = runs["hard"].astype("boolean").fillna(False).astype(bool)
    else:
        hard = pd.to_numeric(runs["fast_m"], errors="coerce").fillna(0) >= max(config.fast.min_fast_km, 1e-9) * 1000
    return hard & ~race_mask(runs)


def speedwork_before_base_message(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)} with {w.km(x['fast_m'])} of fast running, while only {x['runs']:.0f} of your runs in a "
        f"4-week stretch reached {w.km(x['run_km'] * 1000)}; the advice is to run that distance "
        f"comfortably and regularly (about {x['needed']} times in 4 weeks) before speedwork."
    )


def speedwork_before_base_brief(f, w: Words) -> str:
    return f"a hard session on {w.day(f.date)} before a base of regular runs"


@rule(
    "speedwork_before_base",
    title="Speedwork before a base",
    why="Fast running before the body is used to regular running is a common start of hamstring trouble.",
    source="\"15 Ways\": speedwork once you comfortably run 3 miles (4.83 km) regularly. Chumanov 2011 (MSSE): "
    "hamstring loading rises with running speed.",
    section="base",
    level="run",
    evidence="practice",
    message=speedwork_before_base_message,
    brief=speedwork_before_base_brief,
    row=TableRow(
        flags="on a beginner's history: a hard session before you ran 4.83 km (3 miles) about 6 times in 4 weeks",
        default="",
        severity="warning",
        evidence="coaching practice",
    ),
)
def speedwork_before_base(ctx: Context) -> list[Flag]:
    """Hard sessions before ``base.speedwork_runs`` runs of ``base.speedwork_run_km`` in 4 weeks, on a beginner's history (`beginner`)."""
    c = ctx.config.base
    runs = ctx.runs
    flags = []
    if runs.empty:
        return flags
    regular = regular_runs(ctx)
    new_runner = beginner(ctx)
    hard = hard_sessions(ctx)
    for run, is_hard in zip(runs.itertuples(), hard):
        if not is_hard or not history_ok(runs, run.local_date) or not bool(new_runner.get(run.local_date, False)):
            continue
        n = float(regular.get(run.local_date, 0))
        if n >= c.speedwork_runs:
            continue
        facts = {"distance_m": run.distance_m, "fast_m": run.fast_m, "runs": n, "run_km": c.speedwork_run_km, "needed": c.speedwork_runs}
        flags.append(Flag("speedwork_before_base", "warning", run.week_start, run.local_date, run.id, n, c.speedwork_runs, "runs", facts=facts))
    return flags


def fast_on_flat_message(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)}: a hard session {w.where(x)} ({w.km(x['fast_m'])} fast); a physiotherapist saw one runner's "
        "hamstring pain peak with fast running on flat ground (a case report). Some of it on a gentle incline or grass "
        "spreads the load."
    )


def fast_on_flat_brief(f, w: Words) -> str:
    return f"{w.day(f.date)}'s hard session {w.where(f.facts)}"


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
    message=fast_on_flat_message,
    brief=fast_on_flat_brief,
    row=TableRow(
        flags="the first hard session of a block on flat ground or a treadmill",
        default="",
        severity="info, once per block",
        evidence="coaching practice (a case report)",
    ),
)
def fast_on_flat(ctx: Context) -> list[Flag]:
    """The first hard session (`hard_sessions`) of a block on a treadmill or below ``flat_long_run.flat_m_per_km`` of climb; info.

    A block runs on while such sessions come within `BLOCK_GAP_DAYS` of each
    other: the finding rests on one case report, so it is context, said once.
    """
    flat = ctx.config.flat_long_run.flat_m_per_km
    flags = []
    if ctx.runs.empty:
        return flags
    last: dt.date | None = None
    for run, is_hard in zip(ctx.runs.itertuples(), hard_sessions(ctx)):
        if not is_hard:
            continue
        on_flat = flat_ground(run, flat)
        if on_flat is None:
            continue
        seen, last = last, run.local_date
        if seen is not None and days_between(seen, run.local_date) <= BLOCK_GAP_DAYS:
            continue  # the same block of hard sessions on flat ground: said once, at its start
        facts = {"distance_m": run.distance_m, "fast_m": run.fast_m, "indoor": bool(run.indoor), "climb_per_km": on_flat}
        flags.append(Flag("fast_on_flat", "info", run.week_start, run.local_date, run.id, on_flat, flat, "m/km", facts=facts))
    return flags
