"""Moved to `hamstring_analyzer.render`: the pages (`render.report`), writing them (`render.report_files`), the weeks (`render.weeks`).

Kept so that ``from hamstring_analyzer.report import write_week_report`` goes on working.
"""

from .render.html import REPORT_CSS as CSS
from .render.report import WeekPages, index_html, render_week_html
from .render.report_files import ReportWriteError, week_png, write_all_reports, write_week_report
from .render.weeks import ReportError, default_week, episodes_by_week, in_progress, week_days, week_episodes

__all__ = [
    "CSS", "ReportError", "ReportWriteError", "WeekPages", "default_week", "episodes_by_week", "in_progress", "index_html",
    "render_week_html", "week_days", "week_episodes", "week_png", "write_all_reports", "write_week_report",
]  # fmt: skip
