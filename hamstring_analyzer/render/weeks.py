"""Which weeks a report shows: the weeks' days, the week in progress, the default week, a week's episodes.

The picture (`panels`) and the pages (`report`, `report_files`) both read
weeks through these, so that they agree on every date.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from ..errors import ReportError
from ..rules.episodes import Episode, first_screen
from ..dates import add_days, calendar_date


def week_days(weeks) -> list[dt.date]:
    """The local start day of each week of a weekly frame (`Analysis.weeks`) or of its index.

    The one place that reads week dates from a weekly frame: its index holds
    dates, or a DatetimeIndex of the weeks' starts (tz-aware: their local dates).
    """
    import pandas as pd

    return [calendar_date(t) for t in (weeks if isinstance(weeks, pd.Index) else weeks.index)]


def in_progress(result, week: dt.date, today: dt.date | None = None) -> dt.date | None:
    """The last day ``week`` is known to when it is not over yet, else None.

    Only the last week of the data can be in progress: the analysis
    (``result``) was cut (``until``) before its last day, or, without
    ``until``, today is before its last day. Without ``today``, the
    analysis's own judgement is read (the weeks' ``complete`` and ``days``,
    as the terminal shows them); with ``today``, it is judged on that day
    (on or before the last day).
    """
    days, week = week_days(result.weeks), calendar_date(week)  # a label or a date: weeks meet as calendar dates
    if not days or week != days[-1]:
        return None
    if today is None and "complete" in result.weeks:  # the analysis said (`analysis.mark_unfinished`): the terminal agrees
        row = result.weeks.iloc[-1]
        return None if bool(row["complete"]) else add_days(week, int(row["days"]) - 1)
    last = add_days(week, 6)
    if result.until is not None:
        return max(result.until, week) if result.until < last else None
    today = calendar_date(today) if today else dt.date.today()
    return max(today, week) if today <= last else None


def default_week(result, today: dt.date | None = None) -> dt.date:
    """The last complete week (its last day before today) that the analysis ``result`` reaches."""
    today = calendar_date(today) if today else dt.date.today()
    weeks = [w for w in week_days(result.weeks) if add_days(w, 6) < today]
    if not weeks:
        raise ReportError("no complete week in the data yet")
    return max(weeks)


def check_week(result, week: dt.date) -> None:
    """Raise `ReportError` unless ``week`` is the first day of a week of ``result``."""
    days, week = week_days(result.weeks), calendar_date(week)
    if week not in days:
        raise ReportError(f"no week starting {week} in the data (weeks run from {min(days)} to {max(days)})")


def week_episodes(result, week: dt.date, episodes: list[Episode] | None = None) -> list[Episode]:
    """The episodes overlapping the 7 days of ``week``, in the order a runner reads them (`episodes.first_screen`).

    ``episodes``: a shorter list holding those of the week, when the caller grouped them (`episodes_by_week`).
    """
    pool = result.episodes if episodes is None else episodes
    return first_screen(pool, week, add_days(week, 6), len(pool))


def episodes_by_week(result) -> dict[dt.date, list[Episode]]:
    """Each week's start day and the episodes overlapping it (an episode of several weeks is in each), in one pass."""
    days = week_days(result.weeks)
    out: dict[dt.date, list[Episode]] = defaultdict(list)
    for e in result.episodes:
        i = max(bisect.bisect_right(days, e.start) - 1, 0)
        while i < len(days) and days[i] <= e.end:
            if e.overlaps(days[i], add_days(days[i], 6)):
                out[days[i]].append(e)
            i += 1
    return out
