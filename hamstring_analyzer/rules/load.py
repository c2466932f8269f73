"""Load rules: how much and how suddenly, week by week and run by run.

References
----------
Buist I et al. (2008). No effect of a graded training program on the number
of running-related injuries in novice runners. AJSM 36:33-39.
Nielsen RO et al. (2014). Excessive progression in weekly running distance
and risk of running-related injuries. JOSPT 44:739-747 (more distance-related
injuries above 30% progression over two weeks, not one).
Frandsen JSB et al. (2025). How much running is too much? Identifying high-risk
running sessions in a 5,200-person cohort study. BJSM (a run 10-30% longer
than the longest of the previous 30 days: overuse-injury rate 1.64x; more than
100% longer: 2.28x; weekly ratios showed no association).
Gabbett TJ (2016). The training-injury prevention paradox. BJSM 50:273-280.
Lolli L et al. (2019). Mathematical coupling causes spurious correlation
within the conventional acute-to-chronic workload ratio. BJSM 53:921-922.
Impellizzeri FM et al. (2020). Acute:chronic workload ratio: conceptual issues
and fundamental pitfalls. IJSPP 15:907-913; (2021) What role do chronic
workloads play in the acute to chronic workload ratio? Sports Med 51:581-592.
Mujika I, Padilla S (2001). Cardiorespiratory and metabolic characteristics
of detraining in humans. MSSE 33:413-421.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from ..weekly import week_start
from .registry import CHRONIC_DAYS, Context, DayRange, Flag, pre_break_average, pre_break_window, rule


def _week_and_week_before(ctx: Context, flag: Flag) -> list[DayRange]:
    return [(flag.week_start - dt.timedelta(days=7), flag.week_start + dt.timedelta(days=6))]


def _first_week_back_and_before_the_break(ctx: Context, flag: Flag) -> list[DayRange]:
    last = next(a for a, b, _ in ctx.gaps if b == flag.date)
    return [pre_break_window(ctx.runs, last), (flag.date, flag.date + dt.timedelta(days=6))]


def _chronic_window(ctx: Context, flag: Flag) -> list[DayRange]:
    return [(flag.date - dt.timedelta(days=CHRONIC_DAYS - 1), flag.date)]


@rule(
    "weekly_mileage_jump",
    title="Weekly distance jump",
    why="A week well above the one before gives tendons and hamstrings little time to adapt.",
    source="The 10% \"golden rule\" (\"15 Ways to Relieve Sore Hamstrings After Running\"). Buist 2008 (AJSM) "
    "found a graded 10% plan did not cut injuries; Nielsen 2014 (JOSPT, 874 novices) saw more "
    "distance-related injuries when distance grew more than 30% over two weeks. So 10% in a week asks "
    "for a look, and 30% in a single week (more than that two-week figure) more so.",
    section="weekly_mileage_jump",
    level="week",
    load=True,
    basis=_week_and_week_before,
)
def weekly_mileage_jump(ctx: Context) -> list[Flag]:
    """Weeks whose distance grew more than ``warn_pct`` [%] on the week before (alert above ``alert_pct``).

    Back up to a volume run within the last month, with no break since, is
    ``info``: likely a return to the usual after a light week.
    """
    c = ctx.config.weekly_mileage_jump
    flags = []
    weeks = ctx.weeks
    for i in range(1, len(weeks)):
        week, prev = weeks.index[i], weeks.iloc[i - 1]
        row = weeks.iloc[i]
        if prev["distance_m"] <= 0 or not math.isfinite(row["change_pct"]) or row["change_pct"] <= c.warn_pct:
            continue
        severity = "alert" if row["change_pct"] > c.alert_pct else "warning"
        recent = weeks["distance_m"].iloc[max(0, i - 5) : i - 1]
        facts = {"distance_m": row["distance_m"], "prev_m": prev["distance_m"], "change_pct": row["change_pct"], "warn_pct": c.warn_pct}
        # A break since that volume (a gap of layoff_return.min_gap_days) means tolerance has faded.
        broke = len(recent) and any(recent.idxmax() < b <= week + dt.timedelta(days=6) for _, b, _ in ctx.gaps)
        if len(recent) and row["distance_m"] <= recent.max() and not broke:
            severity = "info"  # back up to a volume run within the last month: worth knowing, not a spike
            facts.update(usual_m=recent.max(), usual_week=recent.idxmax())
        limit = prev["distance_m"] * (1 + c.warn_pct / 100)
        crossed = ctx.load.loc[week : week + dt.timedelta(days=6)].cumsum()
        date = next((d for d, v in crossed.items() if v > limit), week + dt.timedelta(days=6))
        flags.append(Flag("weekly_mileage_jump", severity, week, date, None, row["change_pct"], c.warn_pct, "%", facts=facts))
    return flags


def _the_longest_run_before(ctx: Context, flag: Flag) -> list[DayRange]:
    day = flag.facts["longest_date"]
    return [(day, day)]


def longest_before(runs: pd.DataFrame, day: dt.date, window_days: int) -> tuple[float, dt.date | None]:
    """The longest run [m] on the ``window_days`` days before ``day`` (not ``day`` itself), and its date (the latest of equals)."""
    prior = runs[(runs["local_date"] < day) & (runs["local_date"] >= day - dt.timedelta(days=window_days))]
    if prior.empty:
        return float("nan"), None
    prior = prior.sort_values("local_date", kind="stable")
    metres = prior["distance_m"].to_numpy()
    i = len(metres) - 1 - metres[::-1].argmax()
    return float(metres[i]), prior["local_date"].iloc[i]


def longest_per_window(runs: pd.DataFrame, window_days: int) -> dict:
    """For each day with a run: the longest run [m] of the ``window_days`` days before it (NaN when none), in one pass."""
    day_max = runs.groupby("local_date")["distance_m"].max()
    daily = pd.Series(day_max.to_numpy(), index=pd.to_datetime(day_max.index)).asfreq("D")
    before = daily.rolling(window_days, min_periods=1).max().shift(1)
    return dict(zip(before.index.date, before.to_numpy()))


#: Why a spike measured on a treadmill run is doubtful.
TREADMILL_DOUBT = "on a treadmill, the distance is the watch's estimate"


@rule(
    "single_run_spike",
    title="One run much longer than before",
    why="A single run well beyond anything of the last month loads tendons and hamstrings for longer than "
    "they have recently been asked to carry.",
    source="Frandsen et al. 2025 (BJSM, 5,205 runners followed for 18 months): a run 10-30% longer than the "
    "longest of the previous 30 days raised the overuse-injury rate 1.64 times, and more than 100% longer 2.28 "
    "times, while weekly ratios (acute:chronic) showed no such link. The strongest recent evidence on load.",
    section="single_run_spike",
    level="run",
    load=True,
    basis=_the_longest_run_before,
)
def single_run_spike(ctx: Context) -> list[Flag]:
    """Runs more than ``warn_pct`` [%] longer than the longest run of the previous ``window_days`` days.

    Alert above ``alert_pct`` [%]. A run whose window reaches back before the
    history's first run, or with no run in the window, is not judged (the
    month's longest run is not known), and the first run after a break
    of ``layoff_return.min_gap_days`` (every run of that day) is judged by
    `layoff_return`, not twice. Runs earlier on the same day do not count as
    "before": each run of a double day is judged against the days before.

    References
    ----------
    Frandsen et al. 2025, BJSM (5,205 runners).
    """
    c = ctx.config.single_run_spike
    returns = {b for _, b, _ in ctx.gaps}
    runs = ctx.runs
    flags = []
    if runs.empty:
        return flags
    first = min(runs["local_date"])
    prior = longest_per_window(runs, c.window_days)
    for run in runs.itertuples():
        if (run.local_date - first).days < c.window_days:
            continue  # the history does not cover the month before: its longest run is not known
        if run.local_date in returns:
            continue  # the first run (or runs, that day) after a layoff: layoff_return's to judge
        longest = prior[run.local_date]
        if not math.isfinite(longest) or longest <= 0 or run.distance_m <= 0:
            continue
        pct = (run.distance_m / longest - 1.0) * 100.0
        if pct <= c.warn_pct + 1e-9:  # "above": exactly +10% (10.5 -> 11.55 km) is not flagged, whatever the float rounding
            continue
        longest, when = longest_before(runs, run.local_date, c.window_days)  # its date, for the flagged runs only
        severity = "alert" if pct > c.alert_pct else "warning"
        facts = {"distance_m": run.distance_m, "longest_m": longest, "longest_date": when, "window_days": c.window_days, "warn_pct": c.warn_pct, "alert_pct": c.alert_pct}
        # A treadmill's distance is the watch's estimate (arm swing or a foot pod): a spike
        # measured on it stands, with the doubt said.
        on_treadmill = isinstance(getattr(run, "indoor", None), (bool, np.bool_)) and bool(run.indoor)
        doubt = TREADMILL_DOUBT if on_treadmill else None
        flags.append(
            Flag("single_run_spike", severity, run.week_start, run.local_date, run.id, pct, c.warn_pct, "%", doubtful=on_treadmill, doubt=doubt, facts=facts)
        )
    return flags


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
)
def layoff_return(ctx: Context) -> list[Flag]:
    """First 7 days back after a break of ``min_gap_days`` or more above `return_allowance` [m]."""
    c = ctx.config.layoff_return
    flags = []
    if ctx.runs.empty:
        return flags
    for last, back, off in ctx.gaps:
        pre_avg = pre_break_average(ctx.runs, ctx.load, last)
        first7 = ctx.load.loc[back : back + dt.timedelta(days=6)].sum()
        allowed, pct = return_allowance(c, off, pre_avg)
        if first7 <= allowed:
            continue
        severity = "alert" if first7 > max(pre_avg, allowed * 1.5) else "warning"
        peak = ctx.ratio.loc[back : back + dt.timedelta(days=6)].max()
        facts = {"off_days": off, "first7_m": first7, "allowed_m": allowed, "pct": pct, "pre_avg_m": pre_avg, "restart_gap_days": c.restart_gap_days}
        if math.isfinite(peak) and peak >= ctx.config.acwr.danger:
            facts["ratio_peak"] = peak
        flags.append(Flag("layoff_return", severity, week_start(back, ctx.config.week_start), back, None, first7, allowed, "m", facts=facts))
    return flags


def return_allowance(c, off_days: int, pre_avg_m: float) -> tuple[float, float | None]:
    """The distance allowed in the first 7 days back after ``off_days`` without running [m], and its % (None: from scratch)."""
    if off_days >= c.restart_gap_days:
        return c.restart_week_km * 1000, None
    pct = c.long_return_pct if off_days >= c.long_gap_days else c.return_pct
    return pre_avg_m * pct / 100, pct


@rule(
    "acwr_high",
    title="Acute:chronic load ratio high",
    why="The last 7 days well above the weeks before: context for a spike in load, not a warning in itself.",
    source="Gabbett 2016 (BJSM): 0.8-1.3 \"sweet spot\", 1.5 and above \"danger zone\". Weak evidence: the usual "
    "(coupled) ratio correlates spuriously (Lolli 2019, BJSM), so the uncoupled form is the default here; "
    "Impellizzeri 2020 (IJSPP) and 2021 (Sports Med): the ratio predicts injury barely better than chance, "
    "and Frandsen 2025 (BJSM) found no association for weekly ratios. Shown as context (info).",
    section="acwr",
    level="week",
    basis=_chronic_window,
)
def acwr_high(ctx: Context) -> list[Flag]:
    """Weeks whose highest daily acute:chronic ratio reaches ``danger``; severity ``acwr.severity`` (info).

    Not flagged while the 28-day chronic window still holds a break of
    ``layoff_return.min_gap_days`` or more: the ratio then only says "you were
    off", which `layoff_return` judges with the right yardstick.

    A week's peak is the same spike as the last flagged one when no run came
    after that flag's day up to this peak (a Sunday spike carried into
    Monday, with no new load): it is not flagged twice.
    """
    c = ctx.config.acwr
    flags = []
    last_flagged: dt.date | None = None
    for week, row in ctx.weeks.iterrows():
        peak, date = row["acwr_peak"], row["acwr_peak_date"]
        if not (isinstance(peak, float) and math.isfinite(peak)) or peak < c.danger:
            continue
        window_start = date - dt.timedelta(days=CHRONIC_DAYS - 1)
        if any(b > window_start and a < date for a, b, _ in ctx.gaps):
            continue
        if last_flagged is not None and not (ctx.load.loc[last_flagged + dt.timedelta(days=1) : date] > 0).any():
            continue
        last_flagged = date
        acute = ctx.load.loc[date - dt.timedelta(days=6) : date].sum()
        facts = {"acute_m": acute, "ratio": peak, "method": c.method, "danger": c.danger, "load_method": ctx.config.load.method}
        flags.append(Flag("acwr_high", c.severity, week, date, None, peak, c.danger, "ratio", facts=facts))
    return flags
