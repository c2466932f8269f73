"""A flag's (and a plan line's) wording, in the runner's units: km or miles, min/km or min/mi, local dates.

The rules return numbers (`rules.Flag.facts`); this module alone turns them
into sentences, so the terminal, the JSON, the HTML report and the plan word
a flag the same way. One function per rule id in `MESSAGES`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Callable

from .. import units as u


@dataclass(frozen=True)
class Words:
    """How numbers read for this runner: ``units`` (km or mi), and whether dates need their year."""

    units: str = "km"
    many_years: bool = False

    def km(self, metres: float) -> str:
        return u.distance(metres, self.units)

    def day(self, d: dt.date) -> str:
        return u.day(d, year=self.many_years)

    def long_day(self, d: dt.date) -> str:
        return u.long_day(d, year=self.many_years)

    def pace(self, speed_mps: float) -> str:
        return u.pace(speed_mps, self.units)

    def climb(self, m_per_km: float) -> str:
        return u.climb_rate(m_per_km, self.units)

    def run(self, flag) -> str:
        """``"Sun 26 Jul, 16.5 km"``: a run-level flag's run."""
        return f"{self.long_day(flag.date)}, {self.km(flag.facts['distance_m'])}"

    def where(self, facts: dict) -> str:
        """``"on a treadmill"`` or ``"on flat ground (0.0 m/km of climb)"``."""
        if facts["indoor"]:
            return "on a treadmill"
        return f"on flat ground ({self.climb(facts['climb_per_km'])} of climb)"


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def weekly_mileage_jump(f, w: Words) -> str:
    x = f.facts
    usual = ""
    if "usual_m" in x:
        usual = f" It is no more than your {w.km(x['usual_m'])} of {w.day(x['usual_week'])}, so likely a return to your usual after a light week."
    return (
        f"Week of {w.day(f.week_start)}: {w.km(x['distance_m'])}, up {x['change_pct']:.0f}% on the week before "
        f"({w.km(x['prev_m'])}); the usual advice is at most {x['warn_pct']:g}%.{usual}"
    )


def single_run_spike(f, w: Words) -> str:
    x = f.facts
    big = f" More than {x['alert_pct']:g}% longer went with 2.28 times the injury rate." if f.value > x["alert_pct"] else ""
    pct = f"{f.value:.0f}" if round(f.value) > x["warn_pct"] else f"{f.value:.1f}"  # 10.1%, not "10%", just above 10%
    return (
        f"{w.run(f)}: {pct}% longer than your longest run of the {x['window_days']} days before "
        f"({w.km(x['longest_m'])} on {w.day(x['longest_date'])}). In a study of 5,205 runners, a run more than "
        f"{x['warn_pct']:g}% longer than the month's longest went with more overuse injuries.{big}"
    )


def layoff_return(f, w: Words) -> str:
    x = f.facts
    off = x["off_days"]
    if x["pct"] is None:
        advice = f"after {off} days off, start from scratch: about {w.km(x['allowed_m'])} in the first week"
    else:
        advice = f"after {off} days off, the advice is at most {x['pct']:g}% of your pre-break {w.km(x['pre_avg_m'])} a week ({w.km(x['allowed_m'])})"
    ratio = f" Your acute:chronic load ratio reached {x['ratio_peak']:.1f}." if "ratio_peak" in x else ""
    return f"Back on {w.day(f.date)} after {off} days without running: {w.km(x['first7_m'])} in the first 7 days; {advice}.{ratio}"


def acwr_high(f, w: Words) -> str:
    x = f.facts
    what = "load" if x.get("load_method", "distance") == "distance" else f"{x['load_method'].upper()} load"
    return (
        f"Week of {w.day(f.week_start)}: on {w.day(f.date)} your last 7 days ({w.km(x['acute_m'])}) were {x['ratio']:.2f} times "
        f"your 4-week {what} ({x['method']} acute:chronic ratio); {x['danger']:g} and above is Gabbett's \"danger zone\". "
        "Context only: this ratio predicts injury barely better than chance (Impellizzeri 2020)."
    )


def speedwork_share(f, w: Words) -> str:
    x = f.facts
    usual = f" That is also more fast running than in any of the {x['weeks_before']} weeks before." if "weeks_before" in x else ""
    if "unsampled_m" in x:
        usual += f" The week's {w.km(x['unsampled_m'])} of manual entries (no samples) are left out: their pace is not known."
    return (
        f"Week of {w.day(f.week_start)}: {w.km(x['fast_m'])} of fast running, {f.value:.0f}% of "
        f"{w.km(x['distance_m'])}; the 80/20 guideline keeps fast running under {x['share_pct']:g}%.{usual}"
    )


def speedwork_before_base(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)} with {w.km(x['fast_m'])} of fast running, while only {x['runs']:.0f} of your runs in a "
        f"4-week stretch reached {w.km(x['run_km'] * 1000)}; the advice is to run that distance "
        f"comfortably and regularly (about {x['needed']} times in 4 weeks) before speedwork."
    )


def fast_on_flat(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)}: {w.km(x['fast_m'])} of fast running {w.where(x)}; fast running on flat ground is "
        "where one physiotherapist saw hamstring pain peak. Some of it on a gentle incline or grass spreads the load."
    )


def flat_long_run(f, w: Words) -> str:
    return (
        f"{w.run(f)} {w.where(f.facts)}: a long run with no change of terrain works the same muscles "
        f"the same way all the way; rolling routes spread the load."
    )


def hills_before_base(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)} with {w.climb(x['climb_per_km'])} of climb, while your weekly base "
        f"is {w.km(x['base_m'])}; the advice is to run about {w.km(x['needed_m'])} a week regularly before adding hills."
    )


def low_cadence(f, w: Words) -> str:
    x = f.facts
    cad, own, speed = x["cadence_spm"], x["own_spm"], x["speed_mps"]
    compare = ""
    if _finite(own):
        if cad < own - x["own_margin_spm"]:
            compare = f" At this pace you usually run {own:.0f}, so this run is {own - cad:.0f} lower than your own normal."
        else:
            compare = f" That is close to your own usual {own:.0f} at this pace."
    if x["walking"]:
        pace = f", at {w.pace(speed)}" if _finite(speed) else ""
        return (
            f"{w.run(f)}, mostly walking: only {x['running_share'] * 100:.0f}% of its moving time was running; "
            f"in its running parts{pace}, median cadence {cad:.0f} steps/min, below {x['min_spm']:g}.{compare}"
        )
    pace = f" at {w.pace(speed)}" if _finite(speed) else ""
    return f"{w.run(f)}{pace}: median cadence {cad:.0f} steps/min, below {x['min_spm']:g}.{compare}"


def late_run_fatigue(f, w: Words) -> str:
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
        f"{dec:.0f}%, above {x['threshold_pct']:g}%); this run's length was a stretch."
    )


def overstride(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)} at {w.pace(x['speed_mps'])}: median step length {x['step_m'] * 100:.0f} cm, {f.value:.0f}% longer "
        f"than your own {x['own_m'] * 100:.0f} cm at this pace (from the running-dynamics sensor). Long steps for the "
        "speed tend to land ahead of the body; if it felt different, a few quicker, shorter steps are worth a try."
    )


#: One wording function per rule id.
MESSAGES: dict[str, Callable] = {
    "weekly_mileage_jump": weekly_mileage_jump,
    "single_run_spike": single_run_spike,
    "layoff_return": layoff_return,
    "acwr_high": acwr_high,
    "speedwork_share": speedwork_share,
    "speedwork_before_base": speedwork_before_base,
    "fast_on_flat": fast_on_flat,
    "flat_long_run": flat_long_run,
    "hills_before_base": hills_before_base,
    "low_cadence": low_cadence,
    "late_run_fatigue": late_run_fatigue,
    "overstride": overstride,
}


def raised_note(f, w: Words) -> str:
    """Why a load flag was raised a step: the symptom episode behind it."""
    r = f.facts["raised"]
    return (
        f" Raised from {r['from']} to {f.severity}: you logged hamstring symptoms (up to {r['max_severity']}/10, "
        f"last on {w.day(r['episode_end'])}), and a recent hamstring problem is the strongest known predictor of the "
        "next one (Green 2020)."
    )


def message(flag, words: Words) -> str:
    """The flag's sentence for this runner."""
    text = MESSAGES[flag.rule](flag, words)
    if "raised" in flag.facts:
        text += raised_note(flag, words)
    return text


def worded(flags: list, words: Words) -> list:
    """The flags with ``message`` written."""
    return [replace(f, message=message(f, words)) for f in flags]


# ------------------------------------------------------------------ the plan --


def _return_advice(x: dict, w: Words) -> str:
    if x["pct"] is None:
        return f"start from scratch: about {w.km(x['allowed_m'])} in the first 7 days back"
    return f"the first 7 days back hold at most {x['pct']:g}% of your pre-break {w.km(x['pre_avg_m'])} a week ({w.km(x['allowed_m'])})"


def _plan_distance(r, w: Words) -> str:
    x = r.facts
    if r.rule == "weekly_mileage_jump":
        if "best_m" in x:
            return f"No rule limits a week after an empty one here; at most your best recent week, {w.km(x['best_m'])}."
        return f"Last week you ran {w.km(x['prev_m'])}; more than {x['warn_pct']:g}% on top of it is a weekly distance jump."
    if "back" in x:
        return (
            f"Back on {w.long_day(x['back'])} after {x['off_days']} days off: {_return_advice(x, w)}, up to "
            f"{w.long_day(x['until'])}; {w.km(x['done_m'])} are run, so at most {w.km(x['left_m'])} more until then."
        )
    if x["already"]:
        return (
            f"No run since {w.long_day(x['last_run'])}: after a break of {x['off_days']} days, {_return_advice(x, w)}."
        )
    return (
        f"Your last run was on {w.long_day(x['last_run'])}: starting late in the week makes a break of "
        f"{x['off_days']} days, after which {_return_advice(x, w)}."
    )


def _plan_long_run(r, w: Words) -> str:
    x = r.facts
    if r.rule == "layoff_return":
        return f"Coming back, the long run keeps its usual share of your week (about {x['share'] * 100:.0f}%)."
    if r.rule == "flat_long_run":
        return f"A run of {w.km(x['min_km'] * 1000)} or more is a long run: rolling ground spreads the load better than a flat path or a treadmill."
    if x["longest_m"] is None:
        return (
            f"No run in the {x['window_days']} days before: your first run back sets the yardstick; keep each later run "
            f"within {x['warn_pct']:g}% of the longest before it."
        )
    return (
        f"Your longest run of the last {x['window_days']} days was {w.km(x['longest_m'])} ({w.long_day(x['longest_date'])}); "
        f"one more than {x['warn_pct']:g}% longer is a single-run spike (Frandsen 2025)."
    )


def _plan_fast(r, w: Words) -> str:
    x = r.facts
    if r.rule == "speedwork_share":
        return f"At most {x['share_pct']:g}% of what you run (the 80/20 guideline): less in a shorter week."
    if not x["known"]:
        return f"Under 4 weeks of history: build regular runs of {w.km(x['run_km'] * 1000)} before speedwork."
    return (
        f"Only {x['runs']:.0f} runs of {w.km(x['run_km'] * 1000)} or more in a recent 4-week stretch; about "
        f"{x['needed']} come before speedwork."
    )


def _plan_hills(r, w: Words) -> str:
    x = r.facts
    if not x["known"]:
        return f"Under 4 weeks of history: hills once you run about {w.km(x['needed_m'])} a week regularly."
    if x["ok"]:
        return f"Your weekly base is {w.km(x['base_m'])}, at least the {w.km(x['needed_m'])} hills ask for."
    return f"Your weekly base is {w.km(x['base_m'])}; hills once it is about {w.km(x['needed_m'])} a week."


def _plan_ramp(r, w: Words) -> str:
    x = r.facts
    return f"Back to your pre-break {w.km(x['target_m'])} a week over {x['weeks']} weeks, at most {x['warn_pct']:g}% more each week."


PLAN_REASONS: dict[str, Callable] = {
    "max_distance_m": _plan_distance,
    "max_long_run_m": _plan_long_run,
    "max_fast_m": _plan_fast,
    "hills_ok": _plan_hills,
    "ramp": _plan_ramp,
}


def plan_reason(reason, words: Words) -> str:
    """The sentence behind one of the plan's ceilings."""
    return PLAN_REASONS[reason.field](reason, words)
