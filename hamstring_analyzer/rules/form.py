"""Form rules: cadence, stride and fading late in a run.

References
----------
Heiderscheit BC et al. (2011). Effects of step rate manipulation on joint
mechanics during running. MSSE 43:296-302 (+5-10% step rate lowers knee, and at
+10% hip, loading).
Chumanov ES et al. (2012). Changes in muscle activation patterns when running
step rate is increased. Gait Posture 36:231-235 (+5-10% step rate raises
hamstring activity in late swing).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .load import ordinary_run_in
from .registry import Context, Flag, TableRow, rule
from .wording import Words
from ..dates import day_number
from ..numbers import is_finite, number


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
    return own_value_at_speed(runs, run, "cadence_spm", speed_mps, band_mps, min_runs)


def own_value_at_speed(
    runs: pd.DataFrame, run, column: str, speed_mps: float | None = None, band_mps: float = 0.25, min_runs: int = 5
) -> float:
    """The median of ``column`` on other weeks' runs within ``band_mps`` of the speed (NaN when fewer than ``min_runs``)."""
    if column not in runs:
        return float("nan")
    return SpeedPeers(runs, column).own(run, speed_mps, band_mps, min_runs)


class SpeedPeers:
    """A runs table's speeds, weeks and one column as arrays: `own_value_at_speed` for many runs, the table read once."""

    def __init__(self, runs: pd.DataFrame, column: str):
        self.speed = runs["speed_mps"].to_numpy(dtype="float64")
        codes, weeks = pd.factorize(runs["week_start"])
        self.week = codes
        self.code = {w: i for i, w in enumerate(weeks)}
        self.values = pd.to_numeric(runs[column], errors="coerce").to_numpy(dtype="float64")
        self.known = ~np.isnan(self.values)

    def own(self, run, speed_mps: float | None = None, band_mps: float = 0.25, min_runs: int = 5) -> float:
        """`own_value_at_speed` of ``run`` (a row of ``runs.itertuples()``)."""
        speed_mps = run.speed_mps if speed_mps is None else speed_mps
        if not math.isfinite(speed_mps):
            return float("nan")
        with np.errstate(invalid="ignore"):
            near = np.abs(self.speed - speed_mps) <= band_mps
        values = self.values[near & self.known & (self.week != self.code.get(run.week_start, -2))]
        return float(np.median(values)) if len(values) >= min_runs else float("nan")


def low_cadence_message(f, w: Words) -> str:
    x = f.facts
    cad, own, speed = x["cadence_spm"], x["own_spm"], x["speed_mps"]
    pace = f" at {w.pace(speed)}" if is_finite(speed) else ""
    if is_finite(own):
        return (
            f"{w.run(f)}{pace}: median cadence {cad:.0f} steps/min, {own - cad:.0f} below your own {own:.0f} at this pace "
            f"(more than the {x['own_margin_spm']:.0f} a watch's noise explains). A drop like this can mean tired legs or "
            "longer, braking steps."
        )
    return (
        f"{w.run(f)}{pace}: median cadence {cad:.0f} steps/min, below {x['min_spm']:g} (a general guide; your own normal "
        "at this pace is not known yet)."
    )


def low_cadence_brief(f, w: Words) -> str:
    x = f.facts
    own = f", {x['own_spm'] - x['cadence_spm']:.0f} below your own {x['own_spm']:.0f}" if is_finite(x.get("own_spm")) else ""
    return f"cadence {x['cadence_spm']:.0f} on {w.day(f.date)}{own}"


@rule(
    "low_cadence",
    title="Low cadence",
    why="A low cadence usually means long steps that land ahead of the body and brake (overstriding), which "
    "loads the knee and hip. Raising cadence eases that, but it is not a hamstring fix in itself: "
    "quicker steps raise hamstring activity at the end of each swing rather than lower it.",
    source="Heiderscheit 2011 (MSSE 43:296): +5-10% step rate lowers knee (and at +10% hip) loading. "
    "Chumanov 2012 (Gait Posture 36:231): the same increase raised hamstring activity in late swing, so a "
    "higher cadence does not promise less hamstring load. Cadence rises with speed, so the flag also "
    "compares the run with your own cadence at that pace.",
    section="low_cadence",
    level="run",
    evidence="study",
    message=low_cadence_message,
    brief=low_cadence_brief,
    row=TableRow(
        flags="a run's cadence below your own at that pace by more than 6 steps/min or 3% (not on runs under 10 min of running, mostly walking, or slower than 85% of your usual speed); without your own normal yet, the 175 floor",
        default="your own",
        severity="warning; info from the floor alone",
        evidence="a published study (Heiderscheit 2011, a lab study of joint loading)",
    ),
)
def low_cadence(ctx: Context) -> list[Flag]:
    """Runs below the runner's own cadence at that pace by more than the noise (and below ``min_spm``).

    The margin is the larger of ``own_margin_spm`` and ``own_margin_pct`` [%]
    of the runner's own cadence at that speed (`own_cadence_at_speed`). Without
    enough runs to know it, the population floor ``min_spm`` gives info and
    ``alert_spm`` a warning. Not judged: runs with under ``min_running_min``
    of running, mostly walking runs (``running_share`` below
    ``mostly_walking_share``), and runs slower than ``slow_pct`` [%] of the
    runner's usual speed (cool-downs, jogs).

    References
    ----------
    Heiderscheit 2011 (MSSE 43:296); Chumanov 2012 (Gait Posture 36:231):
    a higher step rate lowers knee and hip loading but raises hamstring
    activity in late swing.
    """
    c = ctx.config.low_cadence
    runs = ctx.runs
    flags = []
    usual_speed = float(pd.to_numeric(runs["speed_mps"], errors="coerce").median()) if len(runs) else float("nan")
    peers = SpeedPeers(runs, "cadence_spm")
    for run in runs.itertuples():
        cad = run.cadence_spm
        if not math.isfinite(cad) or cad >= c.min_spm:
            continue
        if not bool(getattr(run, "has_samples", True)):
            continue  # a summary's average cadence counts walking too: not the running cadence this rule judges
        running_s = number(getattr(run, "running_s", None))
        if math.isfinite(running_s) and running_s < c.min_running_min * 60:
            continue  # a few minutes at running cadence say nothing about the runner's cadence
        share = number(getattr(run, "running_share", None))
        walking = math.isfinite(share) and share < c.mostly_walking_share
        if walking:
            continue  # a walk-run's running cadence describes a few stretches, not the runner
        speed = run.speed_mps
        if math.isfinite(speed) and math.isfinite(usual_speed) and speed < usual_speed * c.slow_pct / 100:
            continue  # a cool-down or a slow jog: cadence falls with pace
        own = peers.own(run, speed)
        if math.isfinite(own):
            margin = max(c.own_margin_spm, own * c.own_margin_pct / 100)
            if cad >= own - margin:
                continue  # your own normal at this pace, within the files' noise
            severity = "warning"  # a lab study of joint loading, not of injuries: never an alert
        else:
            margin = float("nan")
            severity = "warning" if cad < c.alert_spm else "info"  # a population floor alone: weaker
        facts = {
            "distance_m": run.distance_m, "cadence_spm": cad, "min_spm": c.min_spm, "own_spm": own,
            "own_margin_spm": margin, "speed_mps": speed, "walking": walking, "running_share": share,
        }  # fmt: skip
        flags.append(Flag("low_cadence", severity, run.week_start, run.local_date, run.id, cad, c.min_spm, "steps/min", facts=facts))
    return flags


#: A run this many times the runner's ordinary run (`load.ordinary_run_m`) is a long run for them.
LONG_FOR_YOU = 1.5


def late_run_fatigue_message(f, w: Words) -> str:
    x = f.facts
    dec = x["decoupling_pct"]
    if f.severity != "info" or "threshold_pct" not in x:
        same = "at the same pace" if x["pace_corrected"] else "(pace not known)"
        dec_text = f" Heart rate also rose for the same speed (decoupling {dec:.0f}%)." if dec is not None else ""
        return (
            f"{w.run(f)}: cadence fell by {x['drop_spm']:.0f} steps/min over the last quarter against the first "
            f"half {same}, a sign of tiring late in the run.{dec_text}"
        )
    return (
        f"{w.run(f)}: heart rate rose for the same speed in the second half (aerobic decoupling "
        f"{dec:.0f}%, above {x['threshold_pct']:g}%): a long run for you that cost more at its end than at its start."
    )


def late_run_fatigue_brief(f, w: Words) -> str:
    if f.unit == "steps/min":
        return f"{w.day(f.date)}'s run faded late (cadence down {f.facts['drop_spm']:.0f} steps/min)"
    return f"{w.day(f.date)}'s heart rate drifted up {f.value:.0f}% for the same speed"


@rule(
    "late_run_fatigue",
    title="Fading late in a run",
    why="Cadence dropping at the same pace (or heart rate rising for the same speed) late in a run is tiredness; "
    "the hamstrings then take up the slack.",
    source="The forum runner's burning hamstrings at mile 19 of 22; Friel's aerobic decoupling (under 5% on a steady run is good).",
    section="late_run_fatigue",
    level="run",
    message=late_run_fatigue_message,
    brief=late_run_fatigue_brief,
    row=TableRow(
        flags="cadence lost in the last quarter against the first half at the same pace (runs of 60+ min); or aerobic decoupling",
        default="5 steps/min; 5%",
        severity="warning; info for decoupling alone",
        evidence="coaching practice",
    ),
)
def late_run_fatigue(ctx: Context) -> list[Flag]:
    """Runs of ``min_moving_min`` or more losing ``cadence_drop_spm`` late (warning), or decoupling ``decoupling_pct`` [%] (info).

    Decoupling alone is said only on a run long for the runner (`LONG_FOR_YOU`
    times the ordinary run): heart rate drifts up on many steady runs, and a
    note on each is noise.
    """
    c = ctx.config.late_run_fatigue
    flags = []
    runs = ctx.runs
    if runs.empty:
        return flags
    numbers, metres, _ = ctx.run_days()
    for run in runs.itertuples():
        if run.moving_s < c.min_moving_min * 60:
            continue
        drop, dec = run.late_cadence_drop_spm, run.decoupling_pct
        ordinary = ordinary_run_in(numbers, metres, day_number(run.local_date))
        long_for_you = not math.isfinite(ordinary) or run.distance_m >= LONG_FOR_YOU * ordinary
        decoupled = math.isfinite(dec) and dec >= c.decoupling_pct and long_for_you
        facts = {"distance_m": run.distance_m, "drop_spm": drop, "decoupling_pct": dec if decoupled else None, "pace_corrected": bool(run.late_drop_pace_corrected)}
        if math.isfinite(drop) and drop >= c.cadence_drop_spm:
            flags.append(Flag("late_run_fatigue", "warning", run.week_start, run.local_date, run.id, drop, c.cadence_drop_spm, "steps/min", facts=facts))
        elif decoupled:
            facts["threshold_pct"] = c.decoupling_pct
            flags.append(Flag("late_run_fatigue", "info", run.week_start, run.local_date, run.id, dec, c.decoupling_pct, "%", facts=facts))
    return flags


def overstride_message(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)} at {w.pace(x['speed_mps'])}: median step length {x['step_m'] * 100:.0f} cm, {f.value:.0f}% longer "
        f"than your own {x['own_m'] * 100:.0f} cm at this pace (from the running-dynamics sensor). Long steps for the "
        "speed tend to land ahead of the body; if it felt different, a few quicker, shorter steps are worth a try."
    )


def overstride_brief(f, w: Words) -> str:
    return f"steps {f.value:.0f}% longer than your own on {w.day(f.date)}"


@rule(
    "overstride",
    title="Long steps for the speed",
    why="A step much longer than your own usual at the same speed tends to land ahead of the body and brake; "
    "overstriding shifts load onto the hamstrings.",
    source="Runner's World (\"sore hamstrings after running\") and an Uphill Athlete forum case (a slightly "
    "over-long stride behind late-run hamstring fatigue): practitioner opinion. Step length = speed / step rate "
    "(Heiderscheit 2011, MSSE 43:296). Judged only where a running-dynamics sensor recorded step length (Garmin "
    "HRM-Pro/Run pod, Stryd, Apple Watch), against your own runs at that speed, never a population norm.",
    section="overstride",
    level="run",
    message=overstride_message,
    brief=overstride_brief,
    row=TableRow(
        flags="a run's step length from a running-dynamics sensor against your own at that speed (10+ min of running)",
        default="+8%",
        severity="warning",
        evidence="coaching practice",
    ),
)
def overstride(ctx: Context) -> list[Flag]:
    """Runs whose sensor step length is ``margin_pct`` [%] above the runner's own at that speed (alert above ``alert_pct``).

    Only runs with running dynamics (``has_running_dynamics``) are judged, and
    only against other weeks' runs with running dynamics within ``band_mps``
    of the run's median speed (at least ``min_runs`` of them): a step length
    estimated from speed and cadence says nothing cadence does not. Runs
    without the sensor, manual entries without samples, and runs with under
    ``low_cadence.min_running_min`` of running are not judged.
    """
    c = ctx.config.overstride
    runs = ctx.runs
    if "has_running_dynamics" not in runs:
        return []
    sensed = runs[runs["has_running_dynamics"].astype("boolean").fillna(False).astype(bool)]
    flags = []
    min_running_s = ctx.config.low_cadence.min_running_min * 60
    peers = SpeedPeers(sensed, "step_length_m")
    for run in sensed.itertuples():
        running_s = number(getattr(run, "running_s", None))
        if math.isfinite(running_s) and running_s < min_running_s:
            continue  # a few minutes of steps say nothing about the runner's stride
        step, speed = number(run.step_length_m), number(run.speed_mps)
        if not (math.isfinite(step) and math.isfinite(speed)) or step <= 0:
            continue
        own = peers.own(run, speed, c.band_mps, c.min_runs)
        if not math.isfinite(own) or own <= 0:
            continue
        pct = (step / own - 1.0) * 100.0
        if pct <= c.margin_pct:
            continue
        severity = "alert" if pct > c.alert_pct else "warning"
        facts = {"distance_m": run.distance_m, "step_m": step, "own_m": own, "speed_mps": speed}
        flags.append(Flag("overstride", severity, run.week_start, run.local_date, run.id, pct, c.margin_pct, "%", facts=facts))
    return flags
