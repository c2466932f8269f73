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

from ..dates import add_days, day_number, days_between
from ..metrics.weekly import week_start
from .registry import Context, DayRange, Flag, TableRow, race_mask, rule, run_days, severity_below
from .wording import Words, ordinary_runs
from ..numbers import is_finite


def _week_and_week_before(ctx: Context, flag: Flag) -> list[DayRange]:
    return [(add_days(flag.week_start, -7), add_days(flag.week_start, 6))]


def _week_and_its_high(ctx: Context, flag: Flag) -> list[DayRange]:
    """The week judged and the 8-week high it was judged against."""
    high = flag.facts["high_week"]
    return [(flag.week_start, add_days(flag.week_start, 6)), (high, add_days(high, 6))]


def ordinary_run_m(runs: pd.DataFrame, day: dt.date, days: int = 56) -> float:
    """The runner's ordinary run before ``day``: the median distance run on a running day of the ``days`` before [m].

    Per day, not per file: a warm-up, a session and a cool-down recorded
    apart are one day's run. With no run in that window, the median of every
    earlier running day; NaN when there is none (`ordinary_run_in` on arrays).
    """
    numbers, metres, _ = run_days(runs)
    return ordinary_run_in(numbers, metres, day_number(day), days)


#: The first week of a history `weekly_mileage_jump` judges (0-based): the 4-week average needs 4 weeks.
FIRST_JUDGED_WEEK = 4


def eight_week_high(distance) -> np.ndarray:
    """Per week: the highest of the 8 weeks before it (NaN for the first week), the yardstick a week must pass.

    (`weekly_mileage_jump` also starts the 8 weeks after a break; the weekly picture draws this line.)
    """
    x = pd.Series(np.asarray(distance, dtype="float64"))
    return x.shift(1).rolling(8, min_periods=1).max().to_numpy()


def last_return(ctx: Context, first: dt.date, last: dt.date) -> dt.date | None:
    """The latest first-day-back of a break that ended between ``first`` and ``last`` (both included)."""
    backs = [b for _, b, _ in ctx.gaps if first <= b <= last]
    return max(backs) if backs else None


# -- the rules' lines (the plan draws its ceilings from the same functions) --------------------------------


def jump_yardsticks(prior_m, ordinary_m: float, c) -> tuple[float, float, float]:
    """The 4-week average [m], the high [m] and the extra [m] a week must add, over ``prior_m``.

    ``prior_m``: the distances of the weeks a week is judged against (oldest
    first, at least one); ``ordinary_m``: the runner's ordinary run
    (`rules.load.ordinary_run_m`, NaN when unknown: no extra then); ``c``: the
    ``weekly_mileage_jump`` config.
    """
    prior = np.asarray(prior_m, dtype="float64")
    extra = c.min_extra_runs * (ordinary_m if math.isfinite(ordinary_m) else 0.0)
    return float(prior[-4:].mean()), float(prior.max()), float(extra)



def jump_facts(total: float, prior, ordinary: float, prev: float, race_m: float, c, week_at) -> tuple[str, dict] | None:
    """A mileage jump's severity and facts (`weekly_mileage_jump`; `cohort_rules` on arrays), or None without a base.

    ``prior``: the judged weeks before (training distance [m]); ``week_at(k)``
    gives the start of ``prior[k]``'s week (the high week is the latest of equals).
    """
    avg4, high, _ = jump_yardsticks(prior, ordinary, c)
    if not avg4 > 0:
        return None
    severity = "alert" if total > high * (1 + c.alert_pct / 100) else "warning"
    change = (total / prev - 1.0) * 100.0 if prev > 0 else float("nan")
    facts = {
        "distance_m": total, "avg4_m": avg4, "high_m": high, "high_week": week_at(len(prior) - 1 - int(prior[::-1].argmax())),
        "weeks": len(prior), "prev_m": prev, "change_pct": change, "ordinary_m": ordinary, "warn_pct": c.warn_pct,
        "alert_pct": c.alert_pct, "over_avg4_pct": (total / avg4 - 1.0) * 100.0, "min_extra_runs": c.min_extra_runs, "race_m": race_m,
    }  # fmt: skip
    return severity, facts


def is_mileage_jump(total_m: float, prior_m, ordinary_m: float, c) -> bool:
    """``weekly_mileage_jump``'s test of one week of ``total_m`` [m] (False when fewer than two weeks are behind it).

    At least ``min_week_km``, more than ``warn_pct`` above the 4-week average,
    above the high, and at least the extra above it (`jump_yardsticks`).
    """
    if len(prior_m) < 2 or not total_m >= c.min_week_km * 1000:
        return False
    avg4, high, extra = jump_yardsticks(prior_m, ordinary_m, c)
    return total_m > avg4 * (1 + c.warn_pct / 100) and total_m > high and total_m - high >= extra



def mileage_jump_ceiling(prior_m, ordinary_m: float, c) -> tuple[float, str]:
    """The line `is_mileage_jump` draws [m]: every week below it passes, every week above it (2+ weeks behind) is a jump.

    Returns the line and which yardstick draws it: ``"min_week"``
    (``min_week_km``), ``"avg4"`` (the 4-week average + ``warn_pct``) or
    ``"extra"`` (the high + the extra).
    """
    avg4, high, extra = jump_yardsticks(prior_m, ordinary_m, c)
    lines = {"extra": high + extra, "avg4": avg4 * (1 + c.warn_pct / 100), "min_week": c.min_week_km * 1000}
    which = max(lines, key=lambda k: lines[k])
    return lines[which], which



def jump_window(ctx, i: int, week_starts) -> int | None:
    """The index of the first week that week ``i`` of ``week_starts`` is judged against (None: a return in week ``i``).

    The 8 weeks before it, or the weeks since the last return from a break
    (`rules.load.last_return` over ``ctx.gaps``), whichever are fewer.
    """
    week = week_starts[i]
    lo = max(0, i - 8)
    back = last_return(ctx, week_starts[lo], add_days(week, 6))
    if back is not None:
        if back >= week:
            return None
        lo = max(lo, i - days_between(week_start(back, ctx.config.week_start), week) // 7)
    return lo



def is_run_spike(distance_m: float, longest_m: float, c) -> bool:
    """``single_run_spike``'s test of one run: more than ``warn_pct`` and at least ``min_extra_km`` longer than ``longest_m``."""
    if not (math.isfinite(longest_m) and longest_m > 0 and distance_m > 0):
        return False
    pct = (distance_m / longest_m - 1.0) * 100.0
    return pct > c.warn_pct + 1e-9 and distance_m - longest_m >= c.min_extra_km * 1000



def run_spike_ceiling(longest_m: float, c) -> float:
    """The line `is_run_spike` draws [m]: the larger of ``warn_pct`` and ``min_extra_km`` on ``longest_m``."""
    return max(longest_m * (1 + c.warn_pct / 100), longest_m + c.min_extra_km * 1000)



def ordinary_run_in(day: np.ndarray, metres: np.ndarray, before: int, days: int = 56) -> float:
    """`rules.load.ordinary_run_m` on arrays: the median distance of a running day of the ``days`` before day ``before`` [m].

    ``day``: each run's day number, sorted; ``metres``: its distance. With no
    run in that window, the median of every earlier running day; NaN when
    there is none. (A week-by-week walk asks this hundreds of times: a frame
    per question costs milliseconds, a slice of arrays microseconds.)
    """
    hi = int(np.searchsorted(day, before, "left"))
    lo = int(np.searchsorted(day, before - days, "left"))
    if lo >= hi:
        lo = 0
    if lo >= hi:
        return float("nan")
    d, m = day[lo:hi], np.nan_to_num(np.asarray(metres[lo:hi], dtype="float64"))
    per_day = np.add.reduceat(m, np.flatnonzero(np.r_[True, d[1:] != d[:-1]]))
    per_day = per_day[per_day > 0]
    return float(np.median(per_day)) if len(per_day) else float("nan")



def longest_in(day: np.ndarray, metres: np.ndarray, before: int, window_days: int) -> tuple[float, int | None]:
    """`rules.load.longest_before` on arrays: the longest run [m] of the ``window_days`` days before day ``before``, and its index.

    ``day`` sorted (runs of a day in their order); the latest of equals. NaN and None when no run.
    """
    hi = int(np.searchsorted(day, before, "left"))
    lo = int(np.searchsorted(day, before - window_days, "left"))
    if lo >= hi:
        return float("nan"), None
    i = hi - 1 - int(np.argmax(np.asarray(metres[lo:hi])[::-1]))
    return float(metres[i]), i


def weekly_mileage_jump_message(f, w: Words) -> str:
    x = f.facts
    race = f" The race that week ({w.km(x['race_m'])}) is left out: it is judged as a race." if x.get("race_m", 0) > 0 else ""
    change = ""
    if is_finite(x.get("change_pct")):
        change = f" ({'up' if x['change_pct'] >= 0 else 'down'} {abs(x['change_pct']):.0f}% on the week before, {w.km(x['prev_m'])})"
    return (
        f"Week of {w.day(f.week_start)}: {w.km(x['distance_m'])}{change}, above your high of the last {x['weeks']} weeks "
        f"({w.km(x['high_m'])}, week of {w.day(x['high_week'])}) and {x['over_avg4_pct']:.0f}% over your 4-week average "
        f"({w.km(x['avg4_m'])}). Adding more than {ordinary_runs(x['min_extra_runs'])} of yours ({w.km(x['ordinary_m'])}) above what "
        f"you have been doing is worth a look; the week-on-week change alone predicts little.{race}"
    )


def weekly_mileage_jump_brief(f, w: Words) -> str:
    return (
        f"the week of {w.day(f.week_start)} reached {w.km(f.facts['distance_m'])}, above your high of "
        f"{w.km(f.facts['high_m'])} in the weeks before"
    )


@rule(
    "weekly_mileage_jump",
    title="A week above your own usual",
    why="A week well above what you have been running for the last two months gives tendons and hamstrings "
    "little time to adapt.",
    source="Weak evidence, so at most a warning unless far above your 8-week high. Buist 2008 (AJSM, RCT of 532 "
    "novices): a graded 10% plan did not cut injuries. Nielsen 2014 (JOSPT, 874 novices, exploratory): more "
    "distance-related injuries above 30% over two weeks. Frandsen 2025 (BJSM, 5,205 runners): no association "
    "for the week-to-week ratio. So a week is judged against your own 4-week average and 8-week high, and must "
    "add at least about one ordinary run of yours; the change on the week before is context only.",
    section="weekly_mileage_jump",
    level="week",
    load=True,
    basis=_week_and_its_high,
    evidence="practice",
    message=weekly_mileage_jump_message,
    brief=weekly_mileage_jump_brief,
    samples=False,
    row=TableRow(
        flags="a week of 20+ km above your 8-week high and 10% above your 4-week average, adding at least one ordinary run of yours (only the weeks since your last break count); the change on the week before is context",
        default="+10%",
        severity="warning",
        evidence="coaching practice (Buist 2008 and Frandsen 2025 found week-to-week rules did not predict injury)",
    ),
)
def weekly_mileage_jump(ctx: Context) -> list[Flag]:
    """Weeks above the runner's own yardsticks: the 4-week average by ``warn_pct`` [%] and the 8-week high.

    The week must hold at least ``min_week_km`` and add at least
    ``min_extra_runs`` ordinary runs (`ordinary_run_m`) over the 8-week high;
    alert when it is more than ``alert_pct`` [%] above that high. Only weeks
    since the last break of ``layoff_return.min_gap_days`` count (a return is
    `layoff_return`'s to judge), and at least two of them are needed; a
    history's first `FIRST_JUDGED_WEEK` weeks are not judged.
    """
    c = ctx.config.weekly_mileage_jump
    flags = []
    weeks = ctx.weeks
    # training distance: a race is race_build's to judge, and its week is compared with the weeks before the taper
    raced = ctx.runs[race_mask(ctx.runs)].groupby("week_start")["distance_m"].sum() if len(ctx.runs) else pd.Series(dtype=float)
    distance = (weeks["distance_m"] - raced.reindex(weeks.index, fill_value=0.0)).to_numpy(dtype="float64")
    for i in range(FIRST_JUDGED_WEEK, len(weeks)):  # an export's first weeks are rarely the start of the running
        week = weeks.index[i]
        total = distance[i]
        if not total >= c.min_week_km * 1000:
            continue
        lo = jump_window(ctx, i, weeks.index)
        if lo is None:
            continue  # back from a break this week: layoff_return judges it
        prior = distance[lo:i]
        ordinary = ordinary_run_in(*ctx.run_days()[:2], day_number(week))
        if not is_mileage_jump(total, prior, ordinary, c):
            continue
        judged = jump_facts(total, prior, ordinary, distance[i - 1], float(weeks["distance_m"].iloc[i] - total), c,
                            lambda k, lo=lo: weeks.index[lo + k])  # fmt: skip
        if judged is None:
            continue  # nothing run in the weeks before (a hole cut the break): a return, not a jump
        severity, facts = judged
        crossed = ctx.load.loc[week : add_days(week, 6)].cumsum()
        date = next((d for d, v in crossed.items() if v > facts["high_m"]), add_days(week, 6))
        # value keeps its meaning in the JSON: the change on the week before [%] (null after an empty week)
        flags.append(Flag("weekly_mileage_jump", severity, week, date, None, facts["change_pct"], c.warn_pct, "%", facts=facts))
    return flags


def _the_longest_run_before(ctx: Context, flag: Flag) -> list[DayRange]:
    day = flag.facts["longest_date"]
    return [(day, day)]


def longest_before(runs: pd.DataFrame, day: dt.date, window_days: int, days=None) -> tuple[float, dt.date | None]:
    """The longest run [m] on the ``window_days`` days before ``day`` (not ``day`` itself), and its date (the latest of equals).

    ``days``: the runs' `registry.run_days`, when made already.
    """
    numbers, metres, dates = days if days is not None else run_days(runs)
    longest, i = longest_in(numbers, metres, day_number(day), window_days)
    return longest, (dates[i] if i is not None else None)


def longest_per_window(runs: pd.DataFrame, window_days: int) -> dict:
    """For each day with a run: the longest run [m] of the ``window_days`` days before it (NaN when none), in one pass."""
    day_max = runs.groupby("local_date")["distance_m"].max()
    daily = pd.Series(day_max.to_numpy(), index=pd.to_datetime(day_max.index)).asfreq("D")
    before = daily.rolling(window_days, min_periods=1).max().shift(1)
    return dict(zip(before.index.date, before.to_numpy()))


#: A return at most this much [%] over its allowance is info, not a warning.
SMALL_OVER_PCT = 25

#: Why a spike measured on a treadmill run is doubtful.
TREADMILL_DOUBT = "on a treadmill, the distance is the watch's estimate"


def single_run_spike_message(f, w: Words) -> str:
    x = f.facts
    big = ""
    if f.value > x["alert_pct"]:
        big = (
            " More than 100% longer went with 2.28 times the injury rate." if x["alert_pct"] >= 100
            else f" That is above your alert line of +{x['alert_pct']:g}%."
        )  # fmt: skip
    pct = f"{f.value:.0f}" if round(f.value) > x["warn_pct"] else f"{f.value:.1f}"  # 10.1%, not "10%", just above 10%
    far = ""
    if "far_m" in x:
        within = "so it is within what you have run recently" if x.get("within", x["distance_m"] <= x["far_m"]) else "and this goes beyond it"
        far = f" Your longest of the last {x['long_window_days']} days was {w.km(x['far_m'])} on {w.day(x['far_date'])}, {within}."
    return (
        f"{w.run(f)}: {pct}% longer than your longest run of the {x['window_days']} days before "
        f"({w.km(x['longest_m'])} on {w.day(x['longest_date'])}).{far} In a study of 5,205 runners, a run more than "
        f"{x['warn_pct']:g}% longer than the month's longest went with more overuse injuries.{big}"
    )


def single_run_spike_brief(f, w: Words) -> str:
    return f"{w.run(f)}, {f.value:.0f}% longer than the month's longest ({w.km(f.facts['longest_m'])})"


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
    evidence="study",
    message=single_run_spike_message,
    brief=single_run_spike_brief,
    samples=False,
    row=TableRow(
        flags="a run longer than your longest of the 30 days before by more than 10% and at least 1 km (not in a history's first 30 days, not on the first day back after a break, not a race); your longest of the 90 days is quoted",
        default="+10%",
        severity="warning; alert above +100%; one step less when the run is within your 90-day longest",
        evidence="a published study (Frandsen 2025, 5,205 runners)",
    ),
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
    raced = race_mask(runs)
    for run in runs.itertuples():
        if days_between(first, run.local_date) < c.window_days:
            continue  # the history does not cover the month before: its longest run is not known
        if run.local_date in returns:
            continue  # the first run (or runs, that day) after a layoff: layoff_return's to judge
        longest = prior[run.local_date]
        if not math.isfinite(longest) or longest <= 0 or run.distance_m <= 0:
            continue
        if not is_run_spike(run.distance_m, longest, c):
            continue  # "above": exactly +10% is not flagged; a few hundred metres more is inside a track's GPS error
        pct = (run.distance_m / longest - 1.0) * 100.0
        if raced[run.Index]:
            continue  # a race: race_build judges its build-up and recovery
        longest, when = longest_before(runs, run.local_date, c.window_days, ctx.run_days())  # its date, for the flagged runs only
        severity = "alert" if pct > c.alert_pct else "warning"
        facts = {"distance_m": run.distance_m, "longest_m": longest, "longest_date": when, "window_days": c.window_days, "warn_pct": c.warn_pct, "alert_pct": c.alert_pct}
        far, far_when = longest_before(runs, run.local_date, c.long_window_days, ctx.run_days())
        if c.long_window_days > c.window_days and math.isfinite(far) and far > longest:
            within = run.distance_m <= far + c.min_extra_km * 1000  # GPS error: a few hundred metres more is the same run
            facts.update(long_window_days=c.long_window_days, far_m=far, far_date=far_when, within=within)
            if within:
                severity = severity_below(severity)  # within your longest of the last months: less of a stretch
        # A treadmill's distance is the watch's estimate (arm swing or a foot pod): a spike
        # measured on it stands, with the doubt said.
        on_treadmill = isinstance(getattr(run, "indoor", None), (bool, np.bool_)) and bool(run.indoor)
        doubt = TREADMILL_DOUBT if on_treadmill else None
        flags.append(
            Flag("single_run_spike", severity, run.week_start, run.local_date, run.id, pct, c.warn_pct, "%", doubtful=on_treadmill, doubt=doubt, facts=facts)
        )
    return flags
