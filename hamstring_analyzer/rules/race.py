"""Races: named as races, judged by their build-up and the recovery after them, not as spikes or speedwork.

References
----------
Rasmussen CH et al. (2013). Weekly running volume and risk of running-related
injuries among marathon runners. IJSPP 8:111-117 (662 marathon finishers,
retrospective: under 30 km a week before the race went with about twice the
injury risk).
"""

from __future__ import annotations

import math

import pandas as pd

from ..dates import add_days, days_between
from .registry import LONG_RACE_M, Context, DayRange, Flag, TableRow, race_mask, rule
from .wording import Words

#: Races of at least this distance are marathons, judged by their weekly volume too [m].
MARATHON_M = 40_000
#: Weeks before a race whose runs show its build-up.
BUILD_WEEKS = 8


def _the_build_up(ctx: Context, flag: Flag) -> list[DayRange]:
    race_day = flag.facts["race_date"]
    return [(add_days(race_day, -7 * BUILD_WEEKS), race_day)]


def race_build_message(f, w: Words) -> str:
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


def race_build_brief(f, w: Words) -> str:
    x = f.facts
    if x.get("recovery"):
        nxt = x["next_label"] or x["next_what"]
        return f"a {nxt} ({w.km(x['next_m'])}) on {w.day(f.date)}, {x['days_after']} days after the {x['label']} of {w.day(x['race_date'])}"
    return f"the {x['label']} on {w.day(f.date)} ({w.km(x['distance_m'])})"


@rule(
    "race_build",
    title="A race: its build-up and recovery",
    why="A race asks more than training; a short build-up or a hard effort soon after it leaves the hamstrings "
    "little margin.",
    source="Rasmussen 2013 (IJSPP, 662 marathon finishers, retrospective): under 30 km a week before a marathon went "
    "with about twice the injury risk. A longest training run of about 70% of the race distance, and about a day of "
    "easy running per mile raced before the next hard effort, are coaching practice.",
    section="races",
    level="run",
    load=True,
    basis=_the_build_up,
    evidence="study",
    message=race_build_message,
    brief=race_build_brief,
    row=TableRow(
        flags="a race (named so, or 5/10/21.1/42.2 km within 2% at a race effort for your threshold): its build-up (longest run of the 8 weeks before against 70% of the distance; a marathon against 30 km a week) and its recovery (a hard session or race within about a day per mile)",
        default="",
        severity="info when well built; warning or alert when not",
        evidence="a published study (Rasmussen 2013) and coaching practice",
    ),
)
def race_build(ctx: Context) -> list[Flag]:
    """Every race (the runs table's ``race``): info when well prepared, warning or alert when not, plus a recovery finding.

    Races under 15 km count only when their name says race (`race_mask`: a
    5 or 10 km read from pace alone is a hard session), and their recovery is
    not judged. Of the efforts in a recovery, another race is named first.

    The build-up: the longest training run of the 8 weeks before against
    ``races.build_long_run_share`` of the race distance (races of 15 km or
    more), and for a marathon the weekly average against
    ``races.marathon_week_km``. The recovery: another race or a hard session
    within ``races.recovery_days_per_km`` days per km raced is a second
    finding, on its own day.
    """
    c = ctx.config.races
    runs = ctx.runs
    flags: list[Flag] = []
    if runs.empty:
        return flags
    raced = race_mask(runs)
    hard = runs["hard"].astype("boolean").fillna(False).astype(bool) if "hard" in runs else pd.Series(False, index=runs.index)
    first = min(runs["local_date"])
    for run in runs[raced].itertuples():
        day, metres = run.local_date, float(run.distance_m)
        label = run.race_label if isinstance(getattr(run, "race_label", None), str) else "race"
        name = run.name if isinstance(getattr(run, "name", None), str) and run.name.strip() else None
        start = add_days(day, -7 * BUILD_WEEKS)
        before = runs[(runs["local_date"] < day) & (runs["local_date"] >= start) & ~raced]
        longest = float(before["distance_m"].max()) if len(before) else 0.0
        known_weeks = min(BUILD_WEEKS, days_between(first, day) / 7)
        weekly = float(ctx.load.loc[start : add_days(day, -1)].sum()) / max(known_weeks, 1.0)
        problems = []
        if metres >= LONG_RACE_M and known_weeks >= 4 and longest < c.build_long_run_share * metres:
            problems.append("long_run")
        if metres >= MARATHON_M and known_weeks >= 4 and weekly < c.marathon_week_km * 1000:
            problems.append("volume")
        recovery_days = int(math.ceil(c.recovery_days_per_km * metres / 1000))
        recovery_end = add_days(day, recovery_days)
        facts = {
            "distance_m": metres, "label": label, "name": name, "race_date": day, "longest_m": longest, "weekly_m": weekly,
            "share": c.build_long_run_share, "week_km": c.marathon_week_km, "problems": problems, "known_weeks": known_weeks,
            "recovery_days": recovery_days, "recovery_end": recovery_end, "by": getattr(run, "race_by", None),
        }  # fmt: skip
        severity = ("info", "warning", "alert")[min(len(problems), 2)]
        flags.append(Flag("race_build", severity, run.week_start, day, run.id, longest, c.build_long_run_share * metres, "m", facts=facts))
        after = runs[(runs["local_date"] > day) & (runs["local_date"] < recovery_end) & (raced | hard)]
        if len(after) and metres >= LONG_RACE_M:
            races_after = after[raced.loc[after.index]]
            pick = races_after.index[0] if len(races_after) else after.index[0]  # another race says the most
            nxt = after.loc[pick]
            what = "race" if bool(raced.loc[pick]) else "hard session"
            days = days_between(day, nxt["local_date"])
            rfacts = {**facts, "next_date": nxt["local_date"], "next_m": float(nxt["distance_m"]), "next_what": what, "days_after": days,
                      "next_label": nxt.get("race_label") if what == "race" else None, "recovery": True}  # fmt: skip
            flags.append(Flag("race_build", "warning", nxt["week_start"], nxt["local_date"], nxt["id"], days, recovery_days, "days", facts=rfacts))
    return flags
