"""Moved to `hamstring_analyzer.metrics.weekly`; this module re-exports its names for existing imports."""

from .metrics.weekly import (  # noqa: F401
    WEEK_COLUMNS,
    WEEK_START_DAYS,
    acwr,
    as_time_series,
    by_date,
    daily_load,
    day_of,
    monotony_and_strain,
    runner_zone,
    session_daily_load,
    week_start,
    weekly_summary,
)

__all__ = ["WEEK_COLUMNS", "WEEK_START_DAYS", "acwr", "as_time_series", "by_date", "daily_load", "day_of", "monotony_and_strain", "runner_zone", "session_daily_load", "week_start", "weekly_summary"]
