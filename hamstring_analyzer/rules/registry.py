"""The rules registry: each rule declares itself once, with its facts, next to its function.

A rule is a function ``rule(ctx) -> list[Flag]`` decorated with `rule`, which
records its id (part of the JSON contract), title, why, source, the
``Config`` section holding its thresholds, whether it judges a run or a week,
whether it is a *load* rule (the ones a recent injury raises), whether it
needs a run's samples, its README row, and its wording: ``message`` (a flag's
sentence) and ``brief`` (a clause in another finding's episode), written in
the rule's own module beside it and said through `wording.Words`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Callable, NamedTuple

import numpy as np
import pandas as pd

from ..config import SEVERITIES, Config
from ..dates import add_days, calendar_date, day_iso, day_number, day_numbers, days_between

if TYPE_CHECKING:
    from .wording import Words

#: Days of the chronic window of the acute:chronic ratio (and of a pre-break average).
CHRONIC_DAYS = 28

DayRange = tuple[dt.date, dt.date]  # first and last local day, both included


@dataclass(frozen=True)
class Flag:
    """One thing worth a look. ``value`` and ``threshold`` are in ``unit`` (fixed per rule).

    ``facts`` holds the numbers the message is worded from (the rule's ``message``);
    it is not part of the JSON contract.
    """

    rule: str
    severity: str
    week_start: dt.date
    date: dt.date
    run_id: str | None
    value: float
    threshold: float
    unit: str
    message: str = ""
    doubtful: bool = False  # a run the flag rests on is suspect (doubtful data)
    doubt: str | None = None  # why, in words: the suspect run(s) and their reasons
    facts: dict = field(default_factory=dict, compare=False, repr=False)
    id: str = ""  # rule:date[:run] (`episodes.flag_id`), set with the episodes
    episode: str | None = None  # the id of the episode it belongs to (`episodes.episodes_of`)

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k != "facts"}
        d["week_start"] = day_iso(self.week_start)
        d["date"] = day_iso(self.date)
        d["value"] = None if not math.isfinite(self.value) else round(float(self.value), 3)
        d["threshold"] = round(float(self.threshold), 3)
        return d


@dataclass(frozen=True)
class Rule:
    """A rule's facts: what the HTML report, the plan and the README table show."""

    id: str
    title: str
    why: str
    source: str
    section: str  # the Config section holding its thresholds
    level: str  # "run" (one run) or "week" (a week or a stretch of days)
    load: bool  # a load rule: raised one step after a recent symptom episode
    func: Callable[["Context"], list[Flag]] = field(repr=False)
    #: A flag's sentence: ``message(flag, words)`` (`wording.Words`: the runner's units and dates).
    message: Callable[[Flag, "Words"], str] = field(repr=False)
    #: The README's row: what it flags, its default line, its severities, its evidence in words.
    row: "TableRow" = field(repr=False)
    #: For a week-level rule: the days whose runs a flag rests on (for doubtful data).
    basis: Callable[["Context", Flag], list[DayRange]] | None = field(default=None, repr=False)
    #: How strong the evidence is: "study" (a published study), "practice" (coaching or clinical practice,
    #: a case report), "data" (common sense about the data). The loudest severities belong to the best.
    evidence: str = "practice"
    #: The clause an episode led by another finding says this one in; None: the rule's name and day.
    brief: Callable[[Flag, "Words"], str] | None = field(default=None, repr=False)
    #: Judges what only a run's samples say (cadence, pace, climb); False: day, distance and duration are enough.
    samples: bool = True

    @property
    def doc(self) -> str:
        return self.func.__doc__ or ""


class TableRow(NamedTuple):
    """A rule's row in the README's rules table (`readme_table`)."""

    flags: str
    default: str
    severity: str
    evidence: str


#: Every rule, by id, in the order they run.
RULES: dict[str, Rule] = {}


#: The kinds of evidence a rule may rest on (`Rule.evidence`), strongest first, and how reports say them.
EVIDENCE = {"study": "a published study", "practice": "coaching practice", "data": "common sense about the data"}
#: The loudest severity each kind of evidence may carry: alerts belong to published studies.
LOUDEST = {"study": "alert", "practice": "warning", "data": "info"}


def capped_by_evidence(flags: list[Flag]) -> list[Flag]:
    """The flags, none louder than its rule's evidence allows (`LOUDEST`); the rule's own verdict stays in ``facts["uncapped"]``."""
    from dataclasses import replace

    out = []
    for f in flags:
        cap = LOUDEST[RULES[f.rule].evidence]
        if SEVERITIES.index(f.severity) > SEVERITIES.index(cap):
            f = replace(f, severity=cap, facts={**f.facts, "uncapped": f.severity})
        out.append(f)
    return out


def rule(id: str, *, title: str, why: str, source: str, section: str, level: str, message, row: TableRow, brief=None,
         load: bool = False, basis=None, evidence: str = "practice", samples: bool = True):  # fmt: skip
    """Register the decorated function as the rule ``id``, with its wording (``message``, ``brief``) and README ``row``.

    Raises ValueError at import when a declaration is incomplete: no message,
    no README row, an unknown level, evidence or config section, an id twice.
    """
    if level not in ("run", "week"):
        raise ValueError(f"rule {id}: level must be run or week, not {level!r}")
    if evidence not in EVIDENCE:
        raise ValueError(f"rule {id}: evidence must be one of {', '.join(EVIDENCE)}, not {evidence!r}")
    if not callable(message):
        raise ValueError(f"rule {id}: no message (a function of the flag and the runner's Words)")
    if brief is not None and not callable(brief):
        raise ValueError(f"rule {id}: brief must be a function of the flag and the runner's Words")
    if not isinstance(row, TableRow):
        raise ValueError(f"rule {id}: no README row (a TableRow)")

    def register(func):
        if id in RULES:
            raise ValueError(f"rule {id} is registered twice")
        if section not in {f.name for f in Config.__dataclass_fields__.values()}:
            raise ValueError(f"rule {id}: no [{section}] section in Config")
        RULES[id] = Rule(id, title, why, source, section, level, load, func, message, row, basis, evidence, brief, samples)
        return func

    return register


def readme_table() -> str:
    """The README's rules table, one row per registered rule in the order they run (``tests/test_docs.py`` compares)."""
    lines = ["| rule | flags | default | severity | evidence |", "|---|---|---|---|---|"]
    for r in RULES.values():
        lines.append("|" + "|".join(f" {cell} " if cell else " " for cell in (f"`{r.id}`", *r.row)) + "|")
    return "\n".join(lines)


def summary_rules() -> list[str]:
    """The rules that judge a history known only from summaries (day, distance, duration: no samples)."""
    return [r.id for r in RULES.values() if not r.samples]


@dataclass
class Context:
    """What every rule sees: the runs, the weeks, the config and a few series made once."""

    runs: pd.DataFrame
    weeks: pd.DataFrame
    config: Config
    load: pd.Series  # distance per local day [m]
    ratio: pd.Series  # acute:chronic ratio per local day (the configured form, over the chosen session load)
    gaps: list[tuple[dt.date, dt.date, int]]  # (last run before, first run after, days without running)
    holes: list = field(default_factory=list)  # `holes.Hole`s: days an unreadable file may hold a run on

    def run_days(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`run_days` of the runs, made once for every rule that looks back over days."""
        held = self.__dict__.get("_run_days")
        if held is None:
            held = self.__dict__["_run_days"] = run_days(self.runs)
        return held


def run_days(runs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The runs in date order as arrays: day numbers (`dates.day_number`), distances [m] and local dates.

    What `load.ordinary_run_in` and `load.longest_in` read: a slice of arrays
    per question instead of a filtered frame.
    """
    ordered = runs.sort_values("local_date", kind="stable")
    dates = ordered["local_date"].to_numpy()
    numbers = day_numbers(dates)
    return numbers, pd.to_numeric(ordered["distance_m"], errors="coerce").to_numpy(dtype="float64"), dates


def severity_below(severity: str) -> str:
    """One step down (alert -> warning -> info); info stays info."""
    return SEVERITIES[max(SEVERITIES.index(severity) - 1, 0)]


def severity_above(severity: str) -> str:
    """One step up (info -> warning -> alert); alert stays alert."""
    i = SEVERITIES.index(severity)
    return SEVERITIES[min(i + 1, len(SEVERITIES) - 1)]


def layoff_gaps(runs: pd.DataFrame, min_days: int, holes=()) -> list[tuple[dt.date, dt.date, int]]:
    """(last run before, first run after, days without running) for every break of ``min_days`` or more.

    A hole (``holes``: a day an unreadable file may hold a run on) cuts a
    break in two: the rules do not judge across what they cannot read, and
    the days off counted up to a return start at the hole.
    """
    maybe = {calendar_date(h.day if hasattr(h, "day") else h) for h in holes}  # holes and run days meet as calendar dates
    dates = sorted({calendar_date(d) for d in runs["local_date"]} | maybe)  # a hole is a day that may have been run: it cuts a break
    out = []
    for a, b in zip(dates, dates[1:]):
        off = days_between(a, b) - 1
        if off >= min_days and b not in maybe:  # a "return" on an unreadable file's day is not one
            out.append((a, b, off))
    return out


def pre_break_window(runs: pd.DataFrame, last: dt.date) -> DayRange:
    """First and last day of the stretch whose weekly average a return after ``last`` is judged against.

    Up to `CHRONIC_DAYS` days ending on ``last``, the last run before the
    break, but never before the Monday of the history's first week (`pre_break_stretch`).
    """
    return pre_break_stretch(min(runs["week_start"]), last)  # a history counts from the first day of its first week


def pre_break_stretch(first_week: dt.date, last: dt.date) -> DayRange:
    """`pre_break_window` of a history whose first week starts on ``first_week``."""
    span_days = min(CHRONIC_DAYS, days_between(first_week, last) + 1)
    return add_days(last, -(span_days - 1)), last


def pre_break_average(runs: pd.DataFrame, load: pd.Series, last: dt.date) -> float:
    """The weekly average distance of the stretch before a break that ended a run on ``last`` [m].

    The stretch (`pre_break_window`) is cut into 7-day blocks back from
    ``last``; only the blocks with running count, so an earlier layoff inside
    it does not dilute the base (`stretch_average`).
    """
    start, end = pre_break_window(runs, last)
    return stretch_average(load.loc[start:end])


def stretch_average(per_day) -> float:
    """`pre_break_average` of the stretch's distance per day [m], oldest first: 7-day blocks back from its last day,
    the blocks with running only."""
    days = np.asarray(per_day, dtype="float64")[::-1]  # newest first
    blocks = [days[i : i + 7] for i in range(0, len(days), 7)]
    ran = [b.sum() for b in blocks if b.sum() > 0]
    return float(np.mean(ran)) if ran else 0.0


#: The stretch a base is counted over (days), and how far back the best stretch is looked for (`best_in_prior_weeks`).
STRETCH_DAYS, PRIOR_DAYS = 28, 56


def best_in_prior_weeks(per_day: pd.Series) -> pd.Series:
    """On each day, the best 28-day total of ``per_day`` among the windows ending in the 8 weeks before.

    The best of 8 weeks, not the last 4, so a short break does not erase a base
    built over months (detraining is long-term beyond about 4 weeks).
    """
    return per_day.rolling(STRETCH_DAYS, min_periods=1).sum().shift(1).rolling(PRIOR_DAYS, min_periods=1).max()


def best_count_in_prior_weeks(counts: np.ndarray) -> np.ndarray:
    """`best_in_prior_weeks` of whole numbers per day (counts of runs), on an array; NaN on the first day.

    Whole numbers add up exactly, so sums by cumulative sum are pandas'
    rolling sums to the last digit, without a frame: the plan asks this for
    every week of a history.
    """
    total = np.concatenate(([0], np.cumsum(np.asarray(counts, dtype="int64"))))
    end = np.arange(1, len(counts) + 1)
    stretch = (total[end] - total[np.maximum(end - STRETCH_DAYS, 0)]).astype("float64")  # the 28 days up to each day
    # each day: the best stretch ending in the 56 days before it (-1: no day there)
    before = np.concatenate((np.full(PRIOR_DAYS, -1.0), stretch[:-1]))
    best = np.lib.stride_tricks.sliding_window_view(before, PRIOR_DAYS).max(axis=1) if len(counts) else stretch
    return np.where(best < 0, np.nan, best)


def enough_history(first: dt.date, d: dt.date) -> bool:
    """At least 28 days from the first run's day ``first`` to ``d``: enough to know a base."""
    return days_between(first, d) >= 28


def history_ok(runs: pd.DataFrame, d: dt.date) -> bool:
    """At least 28 days of history before ``d``: enough to know a base (`enough_history`)."""
    return enough_history(min(runs["local_date"]), d)


def regular_runs_in(day: np.ndarray, metres: np.ndarray, days: np.ndarray, c) -> np.ndarray:
    """`regular_runs` on arrays: the runs' day numbers and distances [m], for the day numbers ``days`` (sorted; a run
    on a day not among them is not counted). ``c``: the ``base`` config."""
    on = np.asarray(day)[np.asarray(metres, dtype="float64") >= c.speedwork_run_km * 1000]
    at = np.searchsorted(days, on)
    known = at < len(days)
    known[known] = days[at[known]] == on[known]
    return best_count_in_prior_weeks(np.bincount(at[known], minlength=len(days)))


def regular_runs(ctx: Context):
    """Per day: the most runs of at least ``base.speedwork_run_km`` in a 4-week stretch of the 8 weeks before."""
    runs = ctx.runs
    metres = pd.to_numeric(runs["distance_m"], errors="coerce").to_numpy(dtype="float64")
    regular = regular_runs_in(day_numbers(runs["local_date"].to_numpy()), metres, day_numbers(ctx.load.index), ctx.config.base)
    return pd.Series(regular, index=ctx.load.index)


def beginner_in(regular: np.ndarray, days: np.ndarray, first: int, c) -> np.ndarray:
    """`beginner` on arrays: ``regular`` (`regular_runs_in`) on the day numbers ``days``, from the first run's day
    number ``first``. ``c``: the ``base`` config."""
    had = regular >= c.speedwork_runs
    before = np.logical_or.accumulate(had)
    young = np.asarray(days) - first < c.beginner_days
    return ~before & (young | (not bool(had.any())))


def beginner(ctx: Context):
    """Per day: True while the history looks like a beginner's.

    The runner has not yet had the base (``base.speedwork_runs`` runs of
    ``base.speedwork_run_km`` in a 4-week stretch), and either is within
    ``base.beginner_days`` of the first run or never has that base in the whole
    history. An experienced runner's export shows the base within weeks.
    """
    regular = regular_runs(ctx)
    first = day_number(min(ctx.runs["local_date"]))
    return pd.Series(beginner_in(regular.to_numpy(), day_numbers(regular.index), first, ctx.config.base), index=regular.index)


#: Races of at least this distance are judged by the longest training run before them (`race.race_build`) [m].
LONG_RACE_M = 15_000


def race_mask(runs: pd.DataFrame) -> pd.Series:
    """Per run: a race this rule judges (named as a race, or a long one read from distance and effort).

    A 5 or 10 km read from its pace alone may be a time trial or a tempo run:
    it stays a hard session (`speed.hard_sessions`), not a race.
    """
    if "race" not in runs:
        return pd.Series(False, index=runs.index)
    race = runs["race"].astype("boolean").fillna(False).astype(bool)
    named = runs["race_by"].eq("name") if "race_by" in runs else pd.Series(False, index=runs.index)
    return race & (named | (pd.to_numeric(runs["distance_m"], errors="coerce") >= LONG_RACE_M))
