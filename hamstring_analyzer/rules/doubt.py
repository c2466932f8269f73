"""Doubtful data: a flag resting on a ``suspect`` run says so (the flag itself is unchanged)."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import datetime as dt

import numpy as np
import pandas as pd

from .. import units as u
from ..dates import within
from .registry import RULES, Context, Flag

#: A doubtful week-level flag names at most this many suspect runs.
MAX_DOUBT_RUNS = 3


class SuspectRun(NamedTuple):
    id: str
    local_date: dt.date
    reason: str | None  # e.g. "GPS jumps: 16.7 of 22.1 km recorded were removed"; None when not given


def suspect_runs(runs: pd.DataFrame) -> list[SuspectRun]:
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


def doubt_text(suspects: list[SuspectRun]) -> str:
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
    ``suspect_reason``), and on the days its rule's ``basis`` gives, if any (a
    spike on the run it is measured against); a week-level flag on the runs
    of the days its rule's ``basis`` gives (``doubt`` names them by local date).
    A week-level load flag whose days hold a hole (`Context.holes`: an
    unreadable file that may hold a run) is doubtful too.
    """
    suspects = suspect_runs(ctx.runs)
    holes = list(ctx.holes)
    if not suspects and not holes:
        return flags
    by_id = {r.id: r for r in suspects}
    out = []
    for f in flags:
        rule = RULES[f.rule]
        if f.run_id is not None and f.run_id in by_id:
            f = replace(f, doubtful=True, doubt=by_id[f.run_id].reason or "this run rests on doubtful data")
        elif rule.basis is not None:
            days = rule.basis(ctx, f)
            inside = [r for r in suspects if any(first <= r.local_date <= last for first, last in days)]
            if inside:
                f = replace(f, doubtful=True, doubt=doubt_text(inside))
            elif rule.level == "week" and rule.load:
                missing = [h for h in holes if any(within(h.day, first, last) for first, last in days)]
                if missing:
                    f = replace(f, doubtful=True, doubt=hole_text(missing))
        out.append(f)
    return out


def hole_text(holes) -> str:
    """``"a file that could not be read may hold a run on Tue 25 Jun 2024 (GPX file holds no track points)"``."""
    h = holes[0]
    more = f" and {len(holes) - 1} more" if len(holes) > 1 else ""
    return f"a file that could not be read may hold a run on {u.long_day(h.day, year=True)} ({h.source}: {h.reason}){more}"
