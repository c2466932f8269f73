"""The return from a break: the first 7 days back against the weeks before it.

References
----------
Mujika I, Padilla S (2001). Cardiorespiratory and metabolic characteristics
of detraining in humans. MSSE 33:413-421.
"""

from __future__ import annotations

import math

from ..dates import add_days, day_number
from ..metrics.weekly import week_start
from .load import SMALL_OVER_PCT, ordinary_run_in
from .registry import Context, DayRange, Flag, TableRow, pre_break_average, pre_break_window, rule
from .wording import Words, ordinary_runs
from ..numbers import is_finite


def _first_week_back_and_before_the_break(ctx: Context, flag: Flag) -> list[DayRange]:
    last = next(a for a, b, _ in ctx.gaps if b == flag.date)
    return [pre_break_window(ctx.runs, last), (flag.date, add_days(flag.date, 6))]


def layoff_return_message(f, w: Words) -> str:
    x = f.facts
    off = x["off_days"]
    floor = is_finite(x.get("ordinary_m")) and x["allowed_m"] > (x["pre_avg_m"] * (x["pct"] or 0) / 100 + 1e-6) and x["pct"] is not None
    if x["pct"] is None:
        advice = f"after {off} days off, start from scratch: about {w.km(x['allowed_m'])} in the first week"
    elif floor:
        advice = f"after {off} days off, the advice is at most {ordinary_runs(x.get('min_allowance_runs', 2))} of yours ({w.km(x['allowed_m'])})"
    else:
        advice = f"after {off} days off, the advice is at most {x['pct']:g}% of your pre-break {w.km(x['pre_avg_m'])} a week ({w.km(x['allowed_m'])})"
    return f"Back on {w.day(f.date)} after {off} days without running: {w.km(x['first7_m'])} in the first 7 days; {advice}."


def layoff_return_brief(f, w: Words) -> str:
    return (
        f"a return on {w.day(f.date)} after {f.facts['off_days']} days off, {w.km(f.facts['first7_m'])} in 7 days "
        f"(advice: {w.km(f.facts['allowed_m'])})"
    )


@rule(
    "layoff_return",
    title="Coming back too hard after a break",
    why="Tolerance fades during a break; the first week back should be well below the old routine.",
    source="\"15 Ways\": after 10 days off return at 70%, after a month 60%, after about 4 months start from scratch. "
    "Mujika & Padilla 2001: detraining becomes long-term beyond 4 weeks.",
    section="layoff_return",
    level="week",
    load=True,
    basis=_first_week_back_and_before_the_break,
    evidence="practice",
    message=layoff_return_message,
    brief=layoff_return_brief,
    samples=False,
    row=TableRow(
        flags="the first 7 days back after 10+ days off, against your pre-break weekly average (weeks actually run) and never below two ordinary runs; 1 km over the line is GPS error",
        default="70%; 60% after 28 days; 10 km after 120 days",
        severity="info a little over; warning over by a quarter or above your old week",
        evidence="coaching practice",
    ),
)
def layoff_return(ctx: Context) -> list[Flag]:
    """First 7 days back after a break of ``min_gap_days`` or more above `return_allowance` [m] by ``min_over_km``.

    The allowance never falls below ``min_allowance_runs`` ordinary runs of
    the runner (`ordinary_run_m` before the break), and the pre-break average
    counts only the weeks actually run (`pre_break_average`).
    """
    c = ctx.config.layoff_return
    flags = []
    if ctx.runs.empty:
        return flags
    for last, back, off in ctx.gaps:
        pre_avg = pre_break_average(ctx.runs, ctx.load, last)
        first7 = ctx.load.loc[back : add_days(back, 6)].sum()
        ordinary = ordinary_run_in(*ctx.run_days()[:2], day_number(add_days(last, 1)))
        allowed, pct = return_allowance(c, off, pre_avg, ordinary)
        if first7 <= allowed + c.min_over_km * 1000:
            continue
        if first7 > max(pre_avg, allowed * 1.5):
            severity = "alert"
        elif first7 > allowed * (1 + SMALL_OVER_PCT / 100) or first7 > pre_avg:
            severity = "warning"  # well over the allowance, or more than a whole week of before the break
        else:
            severity = "info"  # a little over the line: worth knowing, not a warning
        peak = ctx.ratio.loc[back : add_days(back, 6)].max()
        facts = {
            "off_days": off, "first7_m": first7, "allowed_m": allowed, "pct": pct, "pre_avg_m": pre_avg,
            "restart_gap_days": c.restart_gap_days, "ordinary_m": ordinary, "last_before": last, "min_allowance_runs": c.min_allowance_runs,
        }  # fmt: skip
        if math.isfinite(peak) and peak >= ctx.config.acwr.danger:
            facts["ratio_peak"] = peak
        flags.append(Flag("layoff_return", severity, week_start(back, ctx.config.week_start), back, None, first7, allowed, "m", facts=facts))
    return flags


def return_allowance(c, off_days: int, pre_avg_m: float, ordinary_m: float = float("nan")) -> tuple[float, float | None]:
    """The distance allowed in the first 7 days back after ``off_days`` without running [m], and its % (None: from scratch).

    Never below ``min_allowance_runs`` times the runner's ordinary run ``ordinary_m`` (when known).
    """
    if off_days >= c.restart_gap_days:
        allowed, pct = c.restart_week_km * 1000, None
    else:
        pct = c.long_return_pct if off_days >= c.long_gap_days else c.return_pct
        allowed = pre_avg_m * pct / 100
    floor = c.min_allowance_runs * ordinary_m if math.isfinite(ordinary_m) else 0.0
    return max(allowed, floor), pct
