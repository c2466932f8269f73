"""The hamstring risk rules: a runs table and a weekly frame in, flags out.

Each rule is one function ``rule(ctx) -> list[Flag]``. Rule ids are part of
the JSON contract. Flags are "worth a look", never a diagnosis.

After the rules ran, `find_flags` marks a flag ``doubtful`` when a run it
rests on is ``suspect`` (doubtful data: GPS jumps removed, a recording left
running, an implausible speed); `FLAG_BASIS` says which runs a week-level
flag rests on.

References
----------
Buist I et al. (2008). No effect of a graded training program on the number
of running-related injuries in novice runners. AJSM 36:33-39.
Nielsen RO et al. (2014). Excessive progression in weekly running distance
and risk of running-related injuries. JOSPT 44:739-747 (more distance-related
injuries above 30% progression over two weeks, not one).
Seiler S (2010). What is best practice for training intensity and duration
distribution in endurance athletes? IJSPP 5:276-291.
Duhig S et al. (2016). Effect of high-speed running on hamstring strain
injury risk. BJSM 50:1536-1540.
Heiderscheit BC et al. (2011). Effects of step rate manipulation on joint
mechanics during running. MSSE 43:296-302 (+5-10% step rate lowers knee, and at
+10% hip, loading).
Chumanov ES et al. (2011). The effect of speed and influence of individual
muscles on hamstring mechanics during the swing phase of sprinting. MSSE
43:525-532 (hamstring loading rises with speed and peaks in late swing).
Chumanov ES et al. (2012). Changes in muscle activation patterns when running
step rate is increased. Gait Posture 36:231-235 (+5-10% step rate raises
hamstring activity in late swing).
Gabbett TJ (2016). The training-injury prevention paradox. BJSM 50:273-280.
Mujika I, Padilla S (2001). Cardiorespiratory and metabolic characteristics
of detraining in humans. MSSE 33:413-421.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, replace
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd

from . import units as u
from .config import Config
from .weekly import acwr, daily_load, week_start

SEVERITIES = ("info", "warning", "alert")

#: Days of the chronic window of the acute:chronic ratio (and of a pre-break average).
CHRONIC_DAYS = 28
#: A doubtful week-level flag names at most this many suspect runs.
MAX_DOUBT_RUNS = 3


@dataclass(frozen=True)
class Flag:
    """One thing worth a look. ``value`` and ``threshold`` are in ``unit`` (fixed per rule)."""

    rule: str
    severity: str
    week_start: dt.date
    date: dt.date
    run_id: str | None
    value: float
    threshold: float
    unit: str
    message: str
    doubtful: bool = False  # a run the flag rests on is suspect (doubtful data)
    doubt: str | None = None  # why, in words: the suspect run(s) and their reasons

    def to_dict(self) -> dict:
        d = asdict(self)
        d["week_start"] = self.week_start.isoformat()
        d["date"] = self.date.isoformat()
        d["value"] = None if not math.isfinite(self.value) else round(float(self.value), 3)
        d["threshold"] = round(float(self.threshold), 3)
        return d


@dataclass(frozen=True)
class RuleInfo:
    title: str
    why: str
    source: str


RULES: dict[str, RuleInfo] = {
    "weekly_mileage_jump": RuleInfo(
        "Weekly distance jump",
        "A week well above the one before gives tendons and hamstrings little time to adapt.",
        "The 10% \"golden rule\" (\"15 Ways to Relieve Sore Hamstrings After Running\"). Buist 2008 (AJSM) "
        "found a graded 10% plan did not cut injuries; Nielsen 2014 (JOSPT, 874 novices) saw more "
        "distance-related injuries when distance grew more than 30% over two weeks. So 10% in a week asks "
        "for a look, and 30% in a single week (more than that two-week figure) more so.",
    ),
    "speedwork_share": RuleInfo(
        "Share of fast running",
        "Fast running loads the hamstrings most; most training should be easy.",
        "The 80/20 guideline (Seiler 2010, a description of elite training, not an injury threshold). "
        "Chumanov 2011 (MSSE): hamstring loading rises with running speed and peaks at the end of each swing. "
        "Duhig 2016 (BJSM): high-speed running above the runner's own usual level raised hamstring strain risk.",
    ),
    "low_cadence": RuleInfo(
        "Low cadence",
        "A low cadence usually means long steps that land ahead of the body and brake (overstriding), which "
        "loads the knee and hip. Raising cadence eases that, but it is not a hamstring fix in itself: "
        "quicker steps raise hamstring activity at the end of each swing rather than lower it.",
        "Heiderscheit 2011 (MSSE 43:296): +5-10% step rate lowers knee (and at +10% hip) loading. "
        "Chumanov 2012 (Gait Posture 36:231): the same increase raised hamstring activity in late swing, so a "
        "higher cadence does not promise less hamstring load. Cadence rises with speed, so the flag also "
        "compares the run with your own cadence at that pace.",
    ),
    "flat_long_run": RuleInfo(
        "Long run on flat ground",
        "A long run without variation in terrain works the same muscles the same way for hours.",
        "Practitioner opinion (Runner's World, \"15 Ways\"; an Uphill Athlete forum thread): exposure context, not evidence of harm.",
    ),
    "layoff_return": RuleInfo(
        "Coming back too hard after a break",
        "Tolerance fades during a break; the first week back should be well below the old routine.",
        "\"15 Ways\": after 10 days off return at 70%, after a month 60%, after about 4 months start from scratch. "
        "Mujika & Padilla 2001: detraining becomes long-term beyond 4 weeks.",
    ),
    "late_run_fatigue": RuleInfo(
        "Fading late in a run",
        "Cadence dropping at the same pace (or heart rate rising for the same speed) late in a run is tiredness; "
        "the hamstrings then take up the slack.",
        "The forum runner's burning hamstrings at mile 19 of 22; Friel's aerobic decoupling (under 5% on a steady run is good).",
    ),
    "hills_before_base": RuleInfo(
        "Hills before a base",
        "Hill running loads the hamstrings near the sit bone; it is best added on top of regular running.",
        "\"15 Ways\": hills once you run about 15 miles (24 km) a week regularly.",
    ),
    "speedwork_before_base": RuleInfo(
        "Speedwork before a base",
        "Fast running before the body is used to regular running is a common start of hamstring trouble.",
        "\"15 Ways\": speedwork once you comfortably run 3 miles (4.83 km) regularly. Chumanov 2011 (MSSE): "
        "hamstring loading rises with running speed.",
    ),
    "fast_on_flat": RuleInfo(
        "Fast running on flat ground",
        "Fast running on flat ground repeats the same long, fast stride; a physiotherapist saw an elite runner's "
        "hamstring pain peak there.",
        "Zona PT, \"Finally Solving the Chronic Hamstring Pain Dilemma\" (a case report). Chumanov 2011 "
        "(MSSE): hamstring loading rises with running speed and peaks at the end of each swing, so fast "
        "running is where the hamstrings work hardest; the flat-ground part rests on the case report alone.",
    ),
    "acwr_high": RuleInfo(
        "Acute:chronic load ratio high",
        "The last 7 days well above the 4 weeks before: a sudden spike in load.",
        "Gabbett 2016 (BJSM): 0.8-1.3 \"sweet spot\", 1.5 and above \"danger zone\". The ratio is criticised as "
        "mathematically coupled (Lolli 2019): context, not proof.",
    ),
}


@dataclass
class Context:
    runs: pd.DataFrame
    weeks: pd.DataFrame
    config: Config
    load: pd.Series  # distance per local day [m]
    ratio: pd.Series  # acute:chronic ratio per local day (the configured form)
    gaps: list[tuple[dt.date, dt.date, int]]  # (last run before, first run after, days without running)
    many_years: bool  # dates in messages then carry their year

    @property
    def units(self) -> str:
        return self.config.units

    def km(self, metres: float) -> str:
        return u.distance(metres, self.units)

    def day(self, d: dt.date) -> str:
        return u.day(d, year=self.many_years)

    def long_day(self, d: dt.date) -> str:
        return u.long_day(d, year=self.many_years)

    def run_label(self, run) -> str:
        return f"{self.long_day(run.local_date)}, {self.km(run.distance_m)}"


def layoff_gaps(runs: pd.DataFrame, min_days: int) -> list[tuple[dt.date, dt.date, int]]:
    """(last run before, first run after, days without running) for every break of ``min_days`` or more."""
    dates = sorted(set(runs["local_date"]))
    out = []
    for a, b in zip(dates, dates[1:]):
        off = (b - a).days - 1
        if off >= min_days:
            out.append((a, b, off))
    return out


def pre_break_window(ctx: Context, last: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the stretch whose weekly average a return after ``last`` is judged against.

    Up to `CHRONIC_DAYS` days ending on ``last``, the last run before the
    break, but never before the Monday of the history's first week.
    """
    first_day = week_start(min(ctx.runs["local_date"]))  # a history counts from the Monday of its first week
    span_days = min(CHRONIC_DAYS, (last - first_day).days + 1)
    return last - dt.timedelta(days=span_days - 1), last


# ---------------------------------------------------------------- weekly --


def weekly_mileage_jump(ctx: Context) -> list[Flag]:
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
        usual = ""
        # A break since that volume (a gap of layoff_return.min_gap_days) means tolerance has faded.
        broke = len(recent) and any(recent.idxmax() < b <= week + dt.timedelta(days=6) for _, b, _ in ctx.gaps)
        if len(recent) and row["distance_m"] <= recent.max() and not broke:
            # Back up to a volume run within the last month: worth knowing, not a spike.
            severity = "info"
            usual = f" It is no more than your {ctx.km(recent.max())} of {ctx.day(recent.idxmax())}, so likely a return to your usual after a light week."
        limit = prev["distance_m"] * (1 + c.warn_pct / 100)
        crossed = ctx.load.loc[week : week + dt.timedelta(days=6)].cumsum()
        date = next((d for d, v in crossed.items() if v > limit), week + dt.timedelta(days=6))
        flags.append(
            Flag(
                "weekly_mileage_jump", severity, week, date, None, row["change_pct"], c.warn_pct, "%",
                f"Week of {ctx.day(week)}: {ctx.km(row['distance_m'])}, up {row['change_pct']:.0f}% on the week before "
                f"({ctx.km(prev['distance_m'])}); the usual advice is at most {c.warn_pct:g}%.{usual}",
            )
        )  # fmt: skip
    return flags


def speedwork_share(ctx: Context) -> list[Flag]:
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
        usual = ""
        if len(before) and row["fast_m"] > before.max():
            usual = f" That is also more fast running than in any of the {len(before)} weeks before."
        flags.append(
            Flag(
                "speedwork_share", severity, week, date, None, share * 100, c.share_pct, "%",
                f"Week of {ctx.day(week)}: {ctx.km(row['fast_m'])} of fast running, {share * 100:.0f}% of "
                f"{ctx.km(row['distance_m'])}; the 80/20 guideline keeps fast running under {c.share_pct:g}%.{usual}",
            )
        )  # fmt: skip
    return flags


def acwr_high(ctx: Context) -> list[Flag]:
    """Weeks whose highest daily acute:chronic ratio reaches the danger zone.

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
        flags.append(
            Flag(
                "acwr_high", "warning", week, date, None, peak, c.danger, "ratio",
                f"Week of {ctx.day(week)}: on {ctx.day(date)} your last 7 days ({ctx.km(acute)}) were {peak:.2f} times "
                f"your 4-week load ({c.method} acute:chronic ratio); {c.danger:g} and above is the \"danger zone\" "
                "(Gabbett 2016), a context figure, not proof.",
            )
        )  # fmt: skip
    return flags


def layoff_return(ctx: Context) -> list[Flag]:
    c = ctx.config.layoff_return
    flags = []
    if ctx.runs.empty:
        return flags
    for last, back, off in ctx.gaps:
        start, end = pre_break_window(ctx, last)
        span_days = (end - start).days + 1
        pre_avg = ctx.load.loc[start:end].sum() / max(1.0, span_days / 7)
        first7 = ctx.load.loc[back : back + dt.timedelta(days=6)].sum()
        if off >= c.restart_gap_days:
            allowed = c.restart_week_km * 1000
            advice = f"after {off} days off, start from scratch: about {ctx.km(allowed)} in the first week"
        else:
            pct = c.long_return_pct if off >= c.long_gap_days else c.return_pct
            allowed = pre_avg * pct / 100
            advice = f"after {off} days off, the advice is at most {pct:g}% of your pre-break {ctx.km(pre_avg)} a week ({ctx.km(allowed)})"
        if first7 <= allowed:
            continue
        severity = "alert" if first7 > max(pre_avg, allowed * 1.5) else "warning"
        ratio = ""
        peak = ctx.ratio.loc[back : back + dt.timedelta(days=6)].max()
        if math.isfinite(peak) and peak >= ctx.config.acwr.danger:
            ratio = f" Your acute:chronic load ratio reached {peak:.1f}."
        flags.append(
            Flag(
                "layoff_return", severity, week_start(back), back, None, first7, allowed, "m",
                f"Back on {ctx.day(back)} after {off} days without running: {ctx.km(first7)} in the first 7 days; "
                f"{advice}.{ratio}",
            )
        )  # fmt: skip
    return flags


# ------------------------------------------------------------------ runs --


def _number(x) -> float:
    """``x`` as a float, NaN when missing (None, NaN, pd.NA, a column the table lacks)."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def low_cadence(ctx: Context) -> list[Flag]:
    """Runs whose median running cadence is below ``low_cadence.min_spm``.

    A run with under ``low_cadence.min_running_min`` of running is not judged. A
    mostly walking run (``running_share`` below ``low_cadence.mostly_walking_share``: a
    walk-run or hike) is at most "info", and its message quotes the pace of
    its running parts (``running_speed_mps``), never the whole run's.

    References
    ----------
    Heiderscheit 2011 (MSSE 43:296); Chumanov 2012 (Gait Posture 36:231):
    a higher step rate lowers knee and hip loading but raises hamstring
    activity in late swing.
    """
    c = ctx.config.low_cadence
    runs = ctx.runs
    flags = []
    for run in runs.itertuples():
        cad = run.cadence_spm
        if not math.isfinite(cad) or cad >= c.min_spm:
            continue
        running_s = _number(getattr(run, "running_s", None))
        if math.isfinite(running_s) and running_s < c.min_running_min * 60:
            continue  # a few minutes at running cadence say nothing about the runner's cadence
        share = _number(getattr(run, "running_share", None))
        walking = math.isfinite(share) and share < c.mostly_walking_share
        speed = _number(getattr(run, "running_speed_mps", None)) if walking else run.speed_mps
        own = own_cadence_at_speed(runs, run, speed)
        compare = ""
        if math.isfinite(own):
            if cad < own - c.own_margin_spm:
                compare = f" At this pace you usually run {own:.0f}, so this run is {own - cad:.0f} lower than your own normal."
            else:
                compare = f" That is close to your own usual {own:.0f} at this pace."
        if cad < c.alert_spm:
            severity = "alert"
        elif math.isfinite(own) and cad >= own - c.own_margin_spm:
            severity = "info"
        else:
            severity = "warning"
        if walking:
            severity = "info"  # a walk-run's running cadence describes a few stretches, not the runner
            pace = f", at {u.pace(speed, ctx.units)}" if math.isfinite(speed) else ""
            text = (
                f"{ctx.run_label(run)}, mostly walking: only {share * 100:.0f}% of its moving time was running; "
                f"in its running parts{pace}, median cadence {cad:.0f} steps/min, below {c.min_spm:g}.{compare}"
            )
        else:
            pace = f" at {u.pace(speed, ctx.units)}" if math.isfinite(speed) else ""
            text = f"{ctx.run_label(run)}{pace}: median cadence {cad:.0f} steps/min, below {c.min_spm:g}.{compare}"
        flags.append(
            Flag("low_cadence", severity, run.week_start, run.local_date, run.id, cad, c.min_spm, "steps/min", text)
        )  # fmt: skip
    return flags


def own_cadence_at_speed(
    runs: pd.DataFrame, run, speed_mps: float | None = None, band_mps: float = 0.25, min_runs: int = 5
) -> float:
    """The runner's median cadence on other weeks' runs at a similar speed (NaN when too few).

    Parameters
    ----------
    runs : DataFrame
        The runs table.
    run : namedtuple
        The run judged (a row of ``runs.itertuples()``).
    speed_mps : float, optional
        The speed to compare at [m/s]; the run's ``speed_mps`` when None.
    band_mps : float
        How close another run's speed must be [m/s].
    min_runs : int
        Fewer comparable runs than this give NaN.
    """
    speed_mps = run.speed_mps if speed_mps is None else speed_mps
    if not math.isfinite(speed_mps):
        return float("nan")
    others = runs[(runs["week_start"] != run.week_start) & ((runs["speed_mps"] - speed_mps).abs() <= band_mps)]
    cad = others["cadence_spm"].dropna()
    return float(cad.median()) if len(cad) >= min_runs else float("nan")


def _flat_ground(ctx: Context, run, flat_m_per_km: float) -> tuple[str, float] | None:
    """("on a treadmill" or "on flat ground (...)", climb per km) for a flat run; None otherwise or unknown."""
    if run.indoor:
        return "on a treadmill", 0.0
    if math.isfinite(run.climb_per_km) and run.climb_per_km < flat_m_per_km:
        return f"on flat ground ({u.climb_rate(run.climb_per_km, ctx.units)} of climb)", run.climb_per_km
    return None


def _is_long(run, c) -> bool:
    return run.distance_m >= c.min_km * 1000 or run.moving_s >= c.min_moving_min * 60


def flat_long_run(ctx: Context) -> list[Flag]:
    c = ctx.config.flat_long_run
    flags = []
    for run in ctx.runs.itertuples():
        if not _is_long(run, c):
            continue
        flat = _flat_ground(ctx, run, c.flat_m_per_km)
        if flat is None:
            continue
        where, value = flat
        flags.append(
            Flag(
                "flat_long_run", "info", run.week_start, run.local_date, run.id, value, c.flat_m_per_km, "m/km",
                f"{ctx.run_label(run)} {where}: a long run with no change of terrain works the same muscles "
                f"the same way all the way; rolling routes spread the load.",
            )
        )  # fmt: skip
    return flags


def late_run_fatigue(ctx: Context) -> list[Flag]:
    c = ctx.config.late_run_fatigue
    flags = []
    for run in ctx.runs.itertuples():
        if run.moving_s < c.min_moving_min * 60:
            continue
        drop, dec = run.late_cadence_drop_spm, run.decoupling_pct
        dec_text = f" Heart rate also rose for the same speed (decoupling {dec:.0f}%)." if math.isfinite(dec) and dec >= c.decoupling_pct else ""
        if math.isfinite(drop) and drop >= c.cadence_drop_spm:
            same = "at the same pace" if run.late_drop_pace_corrected else "(pace not known)"
            flags.append(
                Flag(
                    "late_run_fatigue", "warning", run.week_start, run.local_date, run.id, drop, c.cadence_drop_spm, "steps/min",
                    f"{ctx.run_label(run)}: cadence fell by {drop:.0f} steps/min over the last quarter against the first "
                    f"half {same}, a sign of tiring late in the run.{dec_text}",
                )
            )  # fmt: skip
        elif dec_text:
            flags.append(
                Flag(
                    "late_run_fatigue", "info", run.week_start, run.local_date, run.id, dec, c.decoupling_pct, "%",
                    f"{ctx.run_label(run)}: heart rate rose for the same speed in the second half (aerobic decoupling "
                    f"{dec:.0f}%, above {c.decoupling_pct:g}%); this run's length was a stretch.",
                )
            )  # fmt: skip
    return flags


def _history_ok(ctx: Context, d: dt.date) -> bool:
    return (d - min(ctx.runs["local_date"])).days >= 28


def best_in_prior_weeks(per_day: pd.Series) -> pd.Series:
    """On each day, the best 28-day total of ``per_day`` among the windows ending in the 8 weeks before.

    The best of 8 weeks, not the last 4, so a short break does not erase a base
    built over months (detraining is long-term beyond about 4 weeks).
    """
    return per_day.rolling(28, min_periods=1).sum().shift(1).rolling(56, min_periods=1).max()


def hills_before_base(ctx: Context) -> list[Flag]:
    c = ctx.config.base
    flags = []
    base = best_in_prior_weeks(ctx.load) / 4.0  # best 4-week average weekly distance [m]
    for run in ctx.runs.itertuples():
        if run.indoor or not math.isfinite(run.climb_per_km) or run.climb_per_km < c.hilly_m_per_km:
            continue
        if not _history_ok(ctx, run.local_date):
            continue
        b = float(base.get(run.local_date, np.nan))
        if not math.isfinite(b) or b >= c.hills_week_km * 1000:
            continue
        flags.append(
            Flag(
                "hills_before_base", "warning", run.week_start, run.local_date, run.id, b, c.hills_week_km * 1000, "m",
                f"{ctx.run_label(run)} with {u.climb_rate(run.climb_per_km, ctx.units)} of climb, while your weekly base "
                f"is {ctx.km(b)}; the advice is to run about {ctx.km(c.hills_week_km * 1000)} a week regularly before adding hills.",
            )
        )  # fmt: skip
    return flags


def speedwork_before_base(ctx: Context) -> list[Flag]:
    c = ctx.config.base
    min_fast = ctx.config.fast.min_fast_km * 1000
    runs = ctx.runs
    flags = []
    if runs.empty:
        return flags
    long_enough = runs[runs["distance_m"] >= c.speedwork_run_km * 1000].groupby("local_date").size()
    regular = best_in_prior_weeks(long_enough.reindex(ctx.load.index, fill_value=0))
    for run in runs.itertuples():
        if run.fast_m < min_fast or not _history_ok(ctx, run.local_date):
            continue
        n = float(regular.get(run.local_date, 0))
        if n >= c.speedwork_runs:
            continue
        flags.append(
            Flag(
                "speedwork_before_base", "warning", run.week_start, run.local_date, run.id, n, c.speedwork_runs, "runs",
                f"{ctx.run_label(run)} with {ctx.km(run.fast_m)} of fast running, while only {n:.0f} of your runs in a "
                f"4-week stretch reached {ctx.km(c.speedwork_run_km * 1000)}; the advice is to run that distance "
                f"comfortably and regularly (about {c.speedwork_runs} times in 4 weeks) before speedwork.",
            )
        )  # fmt: skip
    return flags


def fast_on_flat(ctx: Context) -> list[Flag]:
    min_fast = ctx.config.fast.min_fast_km * 1000
    flat = ctx.config.flat_long_run.flat_m_per_km
    flags = []
    for run in ctx.runs.itertuples():
        if run.fast_m < min_fast:
            continue
        on_flat = _flat_ground(ctx, run, flat)
        if on_flat is None:
            continue
        where, value = on_flat
        flags.append(
            Flag(
                "fast_on_flat", "warning", run.week_start, run.local_date, run.id, value, flat, "m/km",
                f"{ctx.run_label(run)}: {ctx.km(run.fast_m)} of fast running {where}; fast running on flat ground is "
                "where one physiotherapist saw hamstring pain peak. Some of it on a gentle incline or grass spreads the load.",
            )
        )  # fmt: skip
    return flags


ALL_RULES = (
    weekly_mileage_jump, speedwork_share, low_cadence, flat_long_run, layoff_return,
    late_run_fatigue, hills_before_base, speedwork_before_base, fast_on_flat, acwr_high,
)  # fmt: skip


# ------------------------------------------------------- doubtful data --

DayRange = tuple[dt.date, dt.date]  # first and last local day, both included


def _week_and_week_before(ctx: Context, flag: Flag) -> list[DayRange]:
    return [(flag.week_start - dt.timedelta(days=7), flag.week_start + dt.timedelta(days=6))]


def _first_week_back_and_before_the_break(ctx: Context, flag: Flag) -> list[DayRange]:
    last = next(a for a, b, _ in ctx.gaps if b == flag.date)
    return [pre_break_window(ctx, last), (flag.date, flag.date + dt.timedelta(days=6))]


def _chronic_window(ctx: Context, flag: Flag) -> list[DayRange]:
    return [(flag.date - dt.timedelta(days=CHRONIC_DAYS - 1), flag.date)]


#: The days whose runs a week-level flag rests on, by rule id (a run-level flag rests on its run).
FLAG_BASIS: dict[str, Callable[[Context, Flag], list[DayRange]]] = {
    "weekly_mileage_jump": _week_and_week_before,
    "speedwork_share": _week_and_week_before,
    "layoff_return": _first_week_back_and_before_the_break,
    "acwr_high": _chronic_window,
}


class SuspectRun(NamedTuple):
    id: str
    local_date: dt.date
    reason: str | None  # e.g. "GPS jumps: 16.7 of 22.1 km recorded were removed"; None when not given


def _suspect_runs(runs: pd.DataFrame) -> list[SuspectRun]:
    """The runs marked ``suspect``, oldest first.

    A table without the column (or with NaN in it) has no suspect runs.
    """
    if "suspect" not in runs:
        return []
    reasons = runs["suspect_reason"] if "suspect_reason" in runs else pd.Series(None, index=runs.index)
    out = [
        SuspectRun(i, d, r.strip() if isinstance(r, str) and r.strip() else None)
        for i, d, marked, r in zip(runs["id"], runs["local_date"], runs["suspect"], reasons)
        if isinstance(marked, (bool, np.bool_)) and marked  # NaN (unknown) is not suspect
    ]
    return sorted(out, key=lambda r: r.local_date)


def _doubt_text(suspects: list[SuspectRun]) -> str:
    """``"rests on Sun 20 Sep 2020 (GPS jumps: ...)"``, naming at most `MAX_DOUBT_RUNS` runs."""
    named = [f"{u.long_day(r.local_date, year=True)} ({r.reason or 'doubtful data'})" for r in suspects[:MAX_DOUBT_RUNS]]
    more = len(suspects) - len(named)
    if more:
        named.append(f"{more} more doubtful run{'s' if more != 1 else ''}")
    # reasons hold commas and semicolons of their own: the parentheses, then "," and "and", keep runs apart
    return "rests on " + (", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0])


def mark_doubtful(ctx: Context, flags: list[Flag]) -> list[Flag]:
    """The flags, with ``doubtful`` and ``doubt`` set where a run they rest on is suspect.

    A run-level flag rests on its run (``doubt`` is the run's
    ``suspect_reason``); a week-level flag on the runs of the days
    `FLAG_BASIS` gives for its rule (``doubt`` names them by local date).
    """
    suspects = _suspect_runs(ctx.runs)
    if not suspects:
        return flags
    by_id = {r.id: r for r in suspects}
    out = []
    for f in flags:
        if f.run_id is not None:
            if f.run_id in by_id:
                f = replace(f, doubtful=True, doubt=by_id[f.run_id].reason or "this run rests on doubtful data")
        elif f.rule in FLAG_BASIS:
            days = FLAG_BASIS[f.rule](ctx, f)
            inside = [r for r in suspects if any(first <= r.local_date <= last for first, last in days)]
            if inside:
                f = replace(f, doubtful=True, doubt=_doubt_text(inside))
        out.append(f)
    return out


def find_flags(runs: pd.DataFrame, weeks: pd.DataFrame, config: Config | None = None) -> list[Flag]:
    """Every rule over a runs table (`runmetrics.runs_table`) and its weekly frame; newest first.

    Flags resting on a ``suspect`` run come back ``doubtful`` (`mark_doubtful`).
    """
    config = config or Config()
    if runs.empty:
        return []
    load = daily_load(runs, until=max(weeks.index) + dt.timedelta(days=6))
    ctx = Context(
        runs=runs,
        weeks=weeks,
        config=config,
        load=load,
        ratio=acwr(load, config.acwr.method),
        gaps=layoff_gaps(runs, config.layoff_return.min_gap_days),
        many_years=len({d.year for d in runs["local_date"]}) > 1,
    )
    flags = mark_doubtful(ctx, [f for rule in ALL_RULES for f in rule(ctx)])
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    flags.sort(key=lambda f: (f.date, rank[f.severity], f.rule), reverse=True)
    return flags


def flags_frame(flags: list[Flag]) -> pd.DataFrame:
    """Flags as a frame (one row each), for notebooks."""
    cols = ["rule", "severity", "week_start", "date", "run_id", "value", "threshold", "unit", "message", "doubtful", "doubt"]
    return pd.DataFrame([asdict(f) for f in flags], columns=cols)
