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


def _runs(n: float) -> str:
    """``1`` -> "about one ordinary run", ``2`` -> "about two ordinary runs"."""
    names = {1: "one", 2: "two", 3: "three"}
    count = names.get(int(n), f"{n:g}") if float(n).is_integer() else f"{n:g}"
    return f"about {count} ordinary run{'' if n == 1 else 's'}"


def weekly_mileage_jump(f, w: Words) -> str:
    x = f.facts
    race = f" The race that week ({w.km(x['race_m'])}) is left out: it is judged as a race." if x.get("race_m", 0) > 0 else ""
    change = ""
    if _finite(x.get("change_pct")):
        change = f" ({'up' if x['change_pct'] >= 0 else 'down'} {abs(x['change_pct']):.0f}% on the week before, {w.km(x['prev_m'])})"
    return (
        f"Week of {w.day(f.week_start)}: {w.km(x['distance_m'])}{change}, above your high of the last {x['weeks']} weeks "
        f"({w.km(x['high_m'])}, week of {w.day(x['high_week'])}) and {x['over_avg4_pct']:.0f}% over your 4-week average "
        f"({w.km(x['avg4_m'])}). Adding more than {_runs(x['min_extra_runs'])} of yours ({w.km(x['ordinary_m'])}) above what "
        f"you have been doing is worth a look; the week-on-week change alone predicts little.{race}"
    )


def single_run_spike(f, w: Words) -> str:
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


def layoff_return(f, w: Words) -> str:
    x = f.facts
    off = x["off_days"]
    floor = _finite(x.get("ordinary_m")) and x["allowed_m"] > (x["pre_avg_m"] * (x["pct"] or 0) / 100 + 1e-6) and x["pct"] is not None
    if x["pct"] is None:
        advice = f"after {off} days off, start from scratch: about {w.km(x['allowed_m'])} in the first week"
    elif floor:
        advice = f"after {off} days off, the advice is at most {_runs(x.get('min_allowance_runs', 2))} of yours ({w.km(x['allowed_m'])})"
    else:
        advice = f"after {off} days off, the advice is at most {x['pct']:g}% of your pre-break {w.km(x['pre_avg_m'])} a week ({w.km(x['allowed_m'])})"
    return f"Back on {w.day(f.date)} after {off} days without running: {w.km(x['first7_m'])} in the first 7 days; {advice}."


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
    days = ", ".join(u.weekday(d) for d in x["days"])
    usual = (
        f"your most in one of the {x['weeks_before']} weeks before was {x['usual']:.0f}"
        if _finite(x.get("usual"))
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
        f"{w.run(f)}: a hard session {w.where(x)} ({w.km(x['fast_m'])} fast); a physiotherapist saw one runner's "
        "hamstring pain peak with fast running on flat ground (a case report). Some of it on a gentle incline or grass "
        "spreads the load."
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
    pace = f" at {w.pace(speed)}" if _finite(speed) else ""
    if _finite(own):
        return (
            f"{w.run(f)}{pace}: median cadence {cad:.0f} steps/min, {own - cad:.0f} below your own {own:.0f} at this pace "
            f"(more than the {x['own_margin_spm']:.0f} a watch's noise explains). A drop like this can mean tired legs or "
            "longer, braking steps."
        )
    return (
        f"{w.run(f)}{pace}: median cadence {cad:.0f} steps/min, below {x['min_spm']:g} (a general guide; your own normal "
        "at this pace is not known yet)."
    )


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
        f"{dec:.0f}%, above {x['threshold_pct']:g}%): a long run for you that cost more at its end than at its start."
    )


def overstride(f, w: Words) -> str:
    x = f.facts
    return (
        f"{w.run(f)} at {w.pace(x['speed_mps'])}: median step length {x['step_m'] * 100:.0f} cm, {f.value:.0f}% longer "
        f"than your own {x['own_m'] * 100:.0f} cm at this pace (from the running-dynamics sensor). Long steps for the "
        "speed tend to land ahead of the body; if it felt different, a few quicker, shorter steps are worth a try."
    )


def race_build(f, w: Words) -> str:
    x = f.facts
    what = f"{x['name']} ({x['label']}, {w.km(x['distance_m'])})" if x.get("name") else f"a {x['label']} ({w.km(x['distance_m'])})"
    if x.get("recovery"):
        nxt = x["next_label"] or x["next_what"]
        return (
            f"{w.long_day(f.date)}: a {nxt} ({w.km(x['next_m'])}) {x['days_after']} day{'s' if x['days_after'] != 1 else ''} "
            f"after {what} on {w.day(x['race_date'])}; about {x['recovery_days']} days of easy running (a day per mile "
            "raced) is the usual recovery before the next hard effort."
        )
    found = "" if x.get("by") in (None, "name") else " (read as a race from its distance and pace)"
    head = f"Race on {w.long_day(f.date)}: {what}{found}."
    parts = []
    if x["known_weeks"] >= 4 and x["distance_m"] >= 15_000:
        parts.append(f"your longest training run of the 8 weeks before was {w.km(x['longest_m'])}")
    if x["known_weeks"] >= 4 and x["distance_m"] >= 40_000:
        parts.append(f"you averaged {w.km(x['weekly_m'])} a week")
    build = (" Build-up: " + " and ".join(parts) + ".") if parts else ""
    if "long_run" in x["problems"]:
        build += f" A longest run of about {x['share'] * 100:.0f}% of the race distance is the usual preparation."
    if "volume" in x["problems"]:
        build += f" Under {w.km(x['week_km'] * 1000)} a week before a marathon went with about twice the injury risk (Rasmussen 2013)."
    if not x["problems"]:
        build += " A sound build-up." if parts else ""
    return f"{head}{build} Judged as a race, not as a spike or speedwork; recovery: about {x['recovery_days']} easy days."


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
    "race_build": race_build,
}


def _race_brief(f, w: Words) -> str:
    x = f.facts
    if x.get("recovery"):
        nxt = x["next_label"] or x["next_what"]
        return f"a {nxt} ({w.km(x['next_m'])}) on {w.day(f.date)}, {x['days_after']} days after the {x['label']} of {w.day(x['race_date'])}"
    return f"the {x['label']} on {w.day(f.date)} ({w.km(x['distance_m'])})"


def _fatigue_brief(f, w: Words) -> str:
    if f.unit == "steps/min":
        return f"{w.day(f.date)}'s run faded late (cadence down {f.facts['drop_spm']:.0f} steps/min)"
    return f"{w.day(f.date)}'s heart rate drifted up {f.value:.0f}% for the same speed"


def _cadence_brief(f, w: Words) -> str:
    x = f.facts
    own = f", {x['own_spm'] - x['cadence_spm']:.0f} below your own {x['own_spm']:.0f}" if _finite(x.get("own_spm")) else ""
    return f"cadence {x['cadence_spm']:.0f} on {w.day(f.date)}{own}"


#: One short clause per rule id: how an episode mentions a finding that is not its lead.
BRIEFS: dict[str, Callable] = {
    "weekly_mileage_jump": lambda f, w: (
        f"the week of {w.day(f.week_start)} reached {w.km(f.facts['distance_m'])}, above your high of "
        f"{w.km(f.facts['high_m'])} in the weeks before"
    ),
    "single_run_spike": lambda f, w: f"{w.run(f)}, {f.value:.0f}% longer than the month's longest ({w.km(f.facts['longest_m'])})",
    "layoff_return": lambda f, w: (
        f"a return on {w.day(f.date)} after {f.facts['off_days']} days off, {w.km(f.facts['first7_m'])} in 7 days "
        f"(advice: {w.km(f.facts['allowed_m'])})"
    ),
    "acwr_high": lambda f, w: f"acute:chronic ratio {f.facts['ratio']:.1f} on {w.day(f.date)}",
    "speedwork_share": lambda f, w: f"{f.facts['hard_days']} hard days in the week of {w.day(f.week_start)}",
    "speedwork_before_base": lambda f, w: f"a hard session on {w.day(f.date)} before a base of regular runs",
    "fast_on_flat": lambda f, w: f"{w.day(f.date)}'s hard session {w.where(f.facts)}",
    "race_build": _race_brief,
    "late_run_fatigue": _fatigue_brief,
    "flat_long_run": lambda f, w: f"{w.day(f.date)}'s long run was {w.where(f.facts)}",
    "low_cadence": _cadence_brief,
    "overstride": lambda f, w: f"steps {f.value:.0f}% longer than your own on {w.day(f.date)}",
}


def brief(f, w: Words) -> str:
    """A finding as one clause of another's episode (`BRIEFS`; a rule without one is named with its day)."""
    if f.rule in BRIEFS:
        return BRIEFS[f.rule](f, w)
    return f"{f.rule.replace('_', ' ')} on {w.day(f.date)}"


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
