"""The hamstring risk rules: a runs table and a weekly frame in, flags out.

Each rule is one function in the module of its theme (`load`, `layoff`,
`ratio`, `race`, `terrain`, `speed`, `form`), registered with `registry.rule`
together with its id, title, why, source, config section, README row and
wording (its ``message`` and ``brief``, beside it); `find_flags` runs every
registered rule. Rule ids are part of the JSON contract. Flags are "worth a
look", never a diagnosis. Rules find numbers; their messages word them in the
runner's units (`wording.Words`).

After the rules ran, a recent symptom episode raises load flags one step
(`history`), and a flag resting on a ``suspect`` run is marked ``doubtful``
(`doubt`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pandas as pd

from ..config import SEVERITIES, Config
from ..dates import add_days
from ..metrics.weekly import daily_load, daily_ratio
from .registry import CHRONIC_DAYS, RULES, Context, Flag, Rule, capped_by_evidence, layoff_gaps, pre_break_window, rule
from . import load, layoff, ratio, race, terrain, speed, form  # noqa: F401  (registers the rules, in this order)
from .doubt import mark_doubtful
from .episodes import Episode, episodes_of
from .form import own_cadence_at_speed
from .history import raise_after_symptoms
from .wording import Words, worded

__all__ = [
    "CHRONIC_DAYS", "RULES", "SEVERITIES", "Context", "Episode", "Flag", "Rule", "find_episodes", "find_flags", "flags_frame",
    "layoff_gaps", "make_context", "own_cadence_at_speed", "pre_break_window", "rule",
]  # fmt: skip


def make_context(runs: pd.DataFrame, weeks: pd.DataFrame, config: Config, until: dt.date | None = None, holes=()) -> Context:
    """The series every rule uses, made once (daily distance up to ``until``, the ratio, the breaks, the holes)."""
    until = until or add_days(max(weeks.index), 6)
    return Context(
        runs=runs,
        weeks=weeks,
        config=config,
        load=daily_load(runs, until=until),
        ratio=daily_ratio(runs, config.acwr.method, until=until),
        gaps=layoff_gaps(runs, config.layoff_return.min_gap_days, holes),
        holes=list(holes),
    )


def find_flags(runs: pd.DataFrame, weeks: pd.DataFrame, config: Config | None = None, symptoms=None, holes=()) -> list[Flag]:
    """Every rule over a runs table (`metrics.runs.runs_table`) and its weekly frame; newest first.

    With ``symptoms`` (symptom log entries), load flags within
    ``injury_history.window_days`` after logged symptoms are raised one step.
    Flags resting on a ``suspect`` run come back ``doubtful``. Each flag
    carries its ``id`` and the ``episode`` it belongs to (`find_episodes`).
    ``holes`` (`holes.Hole`: days an unreadable file may hold a run on) stop
    the rules judging a break across them and make a week's load flag on them
    doubtful.
    """
    return find_episodes(runs, weeks, config, symptoms, holes)[0]


def find_episodes(
    runs: pd.DataFrame, weeks: pd.DataFrame, config: Config | None = None, symptoms=None, holes=()
) -> tuple[list[Flag], list[Episode]]:
    """The flags (as `find_flags`) and the episodes they form (`episodes.episodes_of`), both newest first."""
    config = config or Config()
    if runs.empty:
        return [], []
    ctx = make_context(runs, weeks, config, holes=holes)
    flags = capped_by_evidence([f for r in RULES.values() for f in r.func(ctx)])
    flags = raise_after_symptoms(flags, symptoms, config)
    flags = mark_doubtful(ctx, flags)
    words = Words(config.units, many_years=len({d.year for d in runs["local_date"]}) > 1)
    flags = worded(flags, words)
    flags, episodes = episodes_of(flags, config, words)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    flags.sort(key=lambda f: (f.date, rank[f.severity], f.rule), reverse=True)
    return flags, episodes


FLAG_COLUMNS = ["rule", "severity", "week_start", "date", "run_id", "value", "threshold", "unit", "message", "doubtful", "doubt", "id", "episode"]


def flags_frame(flags: list[Flag]) -> pd.DataFrame:
    """Flags as a frame (one row each), for notebooks.

    ``severity`` is an ordered categorical (info < warning < alert), so
    ``sort_values("severity")`` and ``frame[frame.severity >= "warning"]`` go by severity.
    """
    frame = pd.DataFrame([{k: v for k, v in asdict(f).items() if k != "facts"} for f in flags], columns=FLAG_COLUMNS)
    frame["severity"] = pd.Categorical(frame["severity"], categories=list(SEVERITIES), ordered=True)
    return frame
