"""The rules registry: each rule declares itself once, with its facts, next to its function.

A rule is a function ``rule(ctx) -> list[Flag]`` decorated with `rule`, which
records its id (part of the JSON contract), title, why, source, the
``Config`` section holding its thresholds, whether it judges a run or a week,
and whether it is a *load* rule (the ones a recent injury raises). Rules
return numbers and ids; `render.messages` turns a flag into words.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Callable

import pandas as pd

from ..config import SEVERITIES, Config

#: Days of the chronic window of the acute:chronic ratio (and of a pre-break average).
CHRONIC_DAYS = 28

DayRange = tuple[dt.date, dt.date]  # first and last local day, both included


@dataclass(frozen=True)
class Flag:
    """One thing worth a look. ``value`` and ``threshold`` are in ``unit`` (fixed per rule).

    ``facts`` holds the numbers the message is worded from (`render.messages`);
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

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k != "facts"}
        d["week_start"] = self.week_start.isoformat()
        d["date"] = self.date.isoformat()
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
    #: For a week-level rule: the days whose runs a flag rests on (for doubtful data).
    basis: Callable[["Context", Flag], list[DayRange]] | None = field(default=None, repr=False)

    @property
    def doc(self) -> str:
        return self.func.__doc__ or ""


#: Every rule, by id, in the order they run.
RULES: dict[str, Rule] = {}


def rule(id: str, *, title: str, why: str, source: str, section: str, level: str, load: bool = False, basis=None):
    """Register the decorated function as the rule ``id``."""
    if level not in ("run", "week"):
        raise ValueError(f"rule {id}: level must be run or week, not {level!r}")

    def register(func):
        if id in RULES:
            raise ValueError(f"rule {id} is registered twice")
        if section not in {f.name for f in Config.__dataclass_fields__.values()}:
            raise ValueError(f"rule {id}: no [{section}] section in Config")
        RULES[id] = Rule(id, title, why, source, section, level, load, func, basis)
        return func

    return register


@dataclass
class Context:
    """What every rule sees: the runs, the weeks, the config and a few series made once."""

    runs: pd.DataFrame
    weeks: pd.DataFrame
    config: Config
    load: pd.Series  # distance per local day [m]
    ratio: pd.Series  # acute:chronic ratio per local day (the configured form, over the chosen session load)
    gaps: list[tuple[dt.date, dt.date, int]]  # (last run before, first run after, days without running)


def severity_above(severity: str) -> str:
    """One step up (info -> warning -> alert); alert stays alert."""
    i = SEVERITIES.index(severity)
    return SEVERITIES[min(i + 1, len(SEVERITIES) - 1)]


def layoff_gaps(runs: pd.DataFrame, min_days: int) -> list[tuple[dt.date, dt.date, int]]:
    """(last run before, first run after, days without running) for every break of ``min_days`` or more."""
    dates = sorted(set(runs["local_date"]))
    out = []
    for a, b in zip(dates, dates[1:]):
        off = (b - a).days - 1
        if off >= min_days:
            out.append((a, b, off))
    return out


def pre_break_window(runs: pd.DataFrame, last: dt.date) -> DayRange:
    """First and last day of the stretch whose weekly average a return after ``last`` is judged against.

    Up to `CHRONIC_DAYS` days ending on ``last``, the last run before the
    break, but never before the Monday of the history's first week.
    """
    first_day = min(runs["week_start"])  # a history counts from the first day of its first week
    span_days = min(CHRONIC_DAYS, (last - first_day).days + 1)
    return last - dt.timedelta(days=span_days - 1), last


def pre_break_average(runs: pd.DataFrame, load: pd.Series, last: dt.date) -> float:
    """The weekly average distance of the stretch before a break that ended a run on ``last`` [m]."""
    start, end = pre_break_window(runs, last)
    span_days = (end - start).days + 1
    return float(load.loc[start:end].sum()) / max(1.0, span_days / 7)


def number(x) -> float:
    """``x`` as a float, NaN when missing (None, NaN, pd.NA, a column the table lacks)."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def best_in_prior_weeks(per_day: pd.Series) -> pd.Series:
    """On each day, the best 28-day total of ``per_day`` among the windows ending in the 8 weeks before.

    The best of 8 weeks, not the last 4, so a short break does not erase a base
    built over months (detraining is long-term beyond about 4 weeks).
    """
    return per_day.rolling(28, min_periods=1).sum().shift(1).rolling(56, min_periods=1).max()


def history_ok(runs: pd.DataFrame, d: dt.date) -> bool:
    """At least 28 days of history before ``d``: enough to know a base."""
    return (d - min(runs["local_date"])).days >= 28
