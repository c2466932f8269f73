"""Moved to `hamstring_analyzer.render.text`: the terminal's views of an analysis, an export and a plan.

Kept so that ``from hamstring_analyzer.report_text import plan_text`` goes on working.
"""

from .render.text import (
    LISTED_ERRORS,
    NAMED_FILES,
    SEVERITY_COLOURS,
    episodes_text,
    export_listing,
    first_screen_text,
    focus_week,
    headline,
    insights_text,
    paint,
    plan_rows,
    plan_text,
    runs_listing,
    text_width,
    unsampled_note,
    weeks_table,
)

__all__ = [
    "LISTED_ERRORS", "NAMED_FILES", "SEVERITY_COLOURS", "episodes_text", "export_listing", "first_screen_text", "focus_week", "headline",
    "insights_text", "paint", "plan_rows", "plan_text", "runs_listing", "text_width", "unsampled_note", "weeks_table",
]  # fmt: skip
