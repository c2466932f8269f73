"""The plan's wording (`plan.Reason` -> a sentence), in the runner's units; each rule words its flags beside it."""

from __future__ import annotations

import math
from collections.abc import Callable

from ..dates import add_days
from ..rules.wording import Words


def _runs(n: float) -> str:
    return f"{n:g} ordinary run{'' if n == 1 else 's'}"


def _allowance(x: dict, w: Words) -> str:
    """How the first 7 days back are measured: from scratch, a share of the pre-break weeks, or the floor of ordinary runs."""
    if x["pct"] is None:
        return f"start from scratch: about {w.km(x['allowed_m'])} in the first 7 days back"
    share = x["pre_avg_m"] * x["pct"] / 100
    if x["allowed_m"] > share + 1e-6:  # the floor of ordinary runs is more
        return (
            f"the first 7 days back hold at most {_runs(x['min_allowance_runs'])} of yours "
            f"({w.km(x['allowed_m'])}; {x['pct']:g}% of your pre-break {w.km(x['pre_avg_m'])} a week would be less)"
        )
    return f"the first 7 days back hold at most {x['pct']:g}% of your pre-break {w.km(x['pre_avg_m'])} a week ({w.km(x['allowed_m'])})"


def _counted(x: dict, w: Words) -> str:
    """The weeks run over the plan, counted at what it allowed them."""
    over = x.get("counted") or []
    if not over:
        return ""
    week, ran, counted = max(over, key=lambda o: o[1] - o[2])
    which = f"week of {w.day(week)}: {w.km(ran)} run, {w.km(counted)} counted"
    if len(over) > 1:
        which = f"{len(over)} weeks here; the most, {which}"
    return f" Weeks run over the plan count at what it allowed them ({which}): running over it does not raise this."


def _jump(x: dict, w: Words) -> str:
    weeks = f"{x['weeks']} week{'s' if x['weeks'] != 1 else ''}"
    yardsticks = (
        f"more than {x['warn_pct']:g}% over your 4-week average ({w.km(x['avg4_m'])}), above your high of the last "
        f"{weeks} ({w.km(x['high_m'])}) and at least {_runs(x['min_extra_runs'])} of yours ({w.km(x['extra_m'])}) over that high"
    )
    if x["judged"]:
        text = f"A week is a weekly distance jump when it is {yardsticks}"
    else:
        since = "since your return" if x["since_return"] else "of history"
        text = (
            f"Under two weeks {since}: too few to judge a weekly distance jump yet. The same yardstick on the "
            f"{weeks} there {'is' if x['weeks'] == 1 else 'are'}: a jump is a week {yardsticks}"
        )
    if x["which"] == "min_week":
        text += f"; weeks under {w.km(x['min_week_m'])} are not judged."
    elif x["which"] == "avg4":
        text += f"; up to {x['warn_pct']:g}% over the average is not one."
    else:
        text += "."
    if "usual_m" in x:  # the floor: no less than the weeks actually run
        text += f" Never less than your last 4 weeks as run ({w.km(x['usual_m'])} a week on average)."
    return text + _counted(x, w)


def _plan_distance(r, w: Words) -> str:
    x = r.facts
    if r.rule == "weekly_mileage_jump":
        return _jump(x, w)
    if "ramp_m" in x and x["allowed_m"] >= x["pre_avg_m"]:
        return (
            f"Back on {w.long_day(x['back'])} after {x['off_days']} days off: the first 7 days back could hold "
            f"{w.km(x['allowed_m'])}, already as much as your pre-break weeks ({w.km(x['pre_avg_m'])}); the week after holds "
            "no more, and from then on your weeks since the return set the yardstick."
        )
    if "ramp_m" in x:
        return (
            f"Back on {w.long_day(x['back'])} after {x['off_days']} days off: the return ramp starts from the "
            f"{w.km(x['allowed_m'])} the first 7 days back could hold and adds at most {x['warn_pct']:g}% a week, up to "
            f"your pre-break {w.km(x['target_m'])} a week; week {x['week']} of it holds {w.km(x['ramp_m'])}. "
            "Running more than the ramp does not raise it."
        )
    if "done_m" in x:
        end, after = w.long_day(x["until"]), w.long_day(add_days(x["until"], 1))
        head = f"Back on {w.long_day(x['back'])} after {x['off_days']} days off: {_allowance(x, w)}, up to {end}; "
        if x["done_m"] > x["allowed_m"] + 0.5:
            return head + f"{w.km(x['done_m'])} are already run, more than they hold: rest up to {end}, and run again from {after}."
        if x["left_m"] < 50:  # nothing a run is made of is left
            return head + f"{w.km(x['done_m'])} are already run, all they hold: rest up to {end}, and run again from {after}."
        return head + f"{w.km(x['done_m'])} are run, so at most {w.km(x['left_m'])} more until then."
    if x["already"]:
        return f"No run since {w.long_day(x['last_run'])}: after a break of {x['off_days']} days, {_allowance(x, w)}."
    return (
        f"Your last run was on {w.long_day(x['last_run'])}: starting late in the week makes a break of "
        f"{x['off_days']} days, after which {_allowance(x, w)}."
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
    if "usual_m" in x:  # the floor: the ordinary run, or the longest run of the window that was no spike
        which = f"your run of {w.long_day(x['usual_date'])}" if x.get("usual_date") else "your ordinary run"
        return (
            f"Never less than what you plainly run: {which}, {w.km(x['usual_m'])}, no single-run spike "
            f"(more than {x['warn_pct']:g}% and at least {w.km(x['min_extra_km'] * 1000)} over the longest run of the "
            f"{x['window_days']} days before; Frandsen 2025)."
        )
    if x["ran_m"] > x["longest_m"] + 0.5:  # a run over the plan's long-run ceiling counts at it
        return (
            f"Your longest run of the last {x['window_days']} days, {w.km(x['ran_m'])} on {w.long_day(x['longest_date'])}, counts as "
            f"{w.km(x['longest_m'])}, the most the plan allowed it; one more than {x['warn_pct']:g}% and at least "
            f"{w.km(x['min_extra_km'] * 1000)} longer than that is a single-run spike (Frandsen 2025)."
        )
    return (
        f"Your longest run of the last {x['window_days']} days was {w.km(x['longest_m'])} ({w.long_day(x['longest_date'])}); "
        f"one more than {x['warn_pct']:g}% and at least {w.km(x['min_extra_km'] * 1000)} longer is a single-run spike (Frandsen 2025)."
    )


def _base(x: dict, w: Words) -> str:
    if not x["known"]:
        return f"Under 4 weeks of history, and no base yet: build regular runs of {w.km(x['run_km'] * 1000)} first"
    return (
        f"Only {x['runs']:.0f} run{'' if round(x['runs']) == 1 else 's'} of {w.km(x['run_km'] * 1000)} or more in your best "
        "recent 4-week stretch; about "
        f"{x['needed']} come first while you are building a base"
    )


def _plan_fast(r, w: Words) -> str:
    x = r.facts
    if r.rule == "speedwork_before_base":
        return _base(x, w) + ", then fast running."
    if x.get("no_hard_days"):
        return "No hard days fit next week, so no fast running either."
    return (
        f"At most about {x['share_pct']:g}% of what you run, less in a shorter week: the 80/20 description of how "
        "endurance runners train. The flags count hard days; a week that is mostly fast is flagged even with few of them."
    )


def _plan_hard_days(r, w: Words) -> str:
    x = r.facts
    if r.rule == "speedwork_before_base":
        return _base(x, w) + ", then hard sessions."
    allowed = f"{x['allowed']} hard day{'s' if x['allowed'] != 1 else ''}"
    if not (isinstance(x["usual"], float) and math.isfinite(x["usual"])):
        usual = "your own usual is not known yet"
    else:
        usual = f"your most in one of the last {x['weeks']} week{'s' if x['weeks'] != 1 else ''} with running was {x['usual']:g}"
    return (
        f"At most {allowed} (a session at threshold pace or faster): {x['ordinary']} a week is ordinary for anyone, "
        f"and {usual}; more than your own usual is where hamstring strains rise (Duhig 2016)."
    )


def _plan_hills(r, w: Words) -> str:
    x = r.facts
    hilly = f"hilly for you means at least {w.climb(x['hilly_m_per_km'])} of climb"
    if not x["new_runner"]:
        return "Your history is not a beginner's: hills need no weekly base first."
    if not x["known"]:
        return f"Under 4 weeks of history: hills once you run about {w.km(x['needed_m'])} a week regularly ({hilly})."
    if x["ok"]:
        return f"Your weekly base is {w.km(x['base_m'])}, at least the {w.km(x['needed_m'])} hills ask for ({hilly})."
    return f"Your weekly base is {w.km(x['base_m'])}; hills once it is about {w.km(x['needed_m'])} a week ({hilly})."


def _plan_ramp(r, w: Words) -> str:
    x = r.facts
    return (
        f"Back to your pre-break {w.km(x['target_m'])} a week over {x['weeks']} weeks, at most {x['warn_pct']:g}% more "
        "each week, counted from the week you come back, whatever you run."
    )


PLAN_REASONS: dict[str, Callable] = {
    "max_distance_m": _plan_distance,
    "max_long_run_m": _plan_long_run,
    "max_fast_m": _plan_fast,
    "max_hard_days": _plan_hard_days,
    "hills_ok": _plan_hills,
    "ramp": _plan_ramp,
}


def plan_reason(reason, words: Words) -> str:
    """The sentence behind one of the plan's ceilings."""
    return PLAN_REASONS[reason.field](reason, words)
