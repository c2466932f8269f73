"""Writing the weekly reports: one week's PNG and page, or every week's (in worker processes) and their index.

Every file is written whole or not at all (`atomic`); a file that cannot be
written is a `ReportWriteError` naming it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

from ..dates import day_iso
from ..atomic import atomic_write_bytes, atomic_write_text
from ..errors import ReportWriteError
from ..workers import WORKER_DIED, map_in_workers
from .panels import WeeklyPicture
from .report import WeekPages, index_html, render_week_html
from .weeks import check_week, week_days


def week_png(result, week: dt.date) -> bytes:
    """The report picture of ``week`` as PNG bytes."""
    return WeeklyPicture(result).png(week)


def write_week_report(result, week: dt.date, out_dir: str | os.PathLike, today: dt.date | None = None) -> tuple[Path, Path]:
    """Write ``week-YYYY-MM-DD.png`` and ``.html`` into ``out_dir``; return their paths.

    Raises
    ------
    ReportError
        ``week`` is not a week of the data (a ValueError too).
    OSError
        A file could not be written (the command names ``out_dir``).
    """
    check_week(result, week)
    out = Path(out_dir)
    picture = WeeklyPicture(result, today=today)
    png, svg = picture.png(week), picture.svg(week)
    png_path, html_path = out / f"week-{day_iso(week)}.png", out / f"week-{day_iso(week)}.html"
    atomic_write_bytes(png_path, png)
    atomic_write_text(html_path, render_week_html(result, week, png, svg, today=today))
    return png_path, html_path


class _Weeks:
    """What every week of ``--all`` shares, made once per process: the picture and the pages' common parts."""

    def __init__(self, result, out: Path, today: dt.date | None = None):
        self.out = out
        self.picture = WeeklyPicture(result, today=today)
        self.pages = WeekPages(result, today)
        self.days = week_days(result.weeks)

    def write(self, week: dt.date) -> None:
        png = self.picture.png(week)
        svg = self.picture.svg(week)
        i = self.days.index(week)
        nav = (self.days[i - 1] if i else None, self.days[i + 1] if i + 1 < len(self.days) else None)
        page = self.pages.html(week, png, svg, nav)
        for path, data in ((self.out / f"week-{day_iso(week)}.png", png), (self.out / f"week-{day_iso(week)}.html", page.encode("utf-8"))):
            try:
                atomic_write_bytes(path, data, durable=False)  # made again by running --all again
            except OSError as exc:
                raise ReportWriteError(path, exc.strerror or str(exc)) from None


_worker_weeks: _Weeks | None = None


def _worker_start(result, out: Path, today: dt.date | None = None) -> None:
    """Initializer of a report worker process: Agg for matplotlib, and the shared parts made once.

    Ctrl-C is the parent's to handle: it cancels the weeks not started and waits for the
    few being drawn, whose files are written whole or not at all.
    """
    global _worker_weeks
    import signal

    import matplotlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    matplotlib.use("Agg", force=True)
    _worker_weeks = _Weeks(result, out, today)


def _worker_write(week: dt.date) -> dt.date:
    _worker_weeks.write(week)
    return week


def _write_weeks(result, out: Path, weeks: list, workers: int, progress, today: dt.date | None = None) -> None:
    """Every week's PNG and page, in this process (``workers`` 1) or in a pool of worker processes."""
    total = len(weeks)
    if workers <= 1 or total <= 1:
        shared = _Weeks(result, out, today)
        for i, week in enumerate(weeks):
            shared.write(week)
            if progress:
                progress(i + 1, total)
        return
    # The reports never read the export: its records would only be copied into every worker.
    slim = dataclasses.replace(result, export=None)
    # a week's ReportWriteError is raised here as it was in the worker, and no week after it is started
    for _, written in map_in_workers(_worker_write, weeks, workers, initializer=_worker_start, initargs=(slim, out, today), progress=progress):
        if written is WORKER_DIED:  # killed from outside (e.g. out of memory): no week of ours does that
            raise ReportWriteError(out, "a report worker process died unexpectedly")


def write_all_reports(result, out_dir: str | os.PathLike, progress=None, workers: int | None = None, today: dt.date | None = None) -> Path:
    """One report per week of the history, plus ``index.html`` linking them; returns the index path.

    Each page links to the week before, the week after and the index; the
    index lists the weeks newest first with what each holds.

    Parameters
    ----------
    result : Analysis
    out_dir : str or path
        Created when missing.
    progress : callable, optional
        Called as ``progress(done, total)`` after each week.
    workers : int, optional
        Processes drawing weeks in parallel (default: all cores); 1 draws them all in this process.
    today : date, optional
        Decides whether the last week is still in progress (default: the date today).

    Raises
    ------
    ReportWriteError
        A file could not be written; the message names it. The weeks not yet
        written are not started, and ``index.html`` is not written.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportWriteError(out, exc.strerror or str(exc)) from None
    weeks = week_days(result.weeks)
    _write_weeks(result, out, weeks, workers or os.cpu_count() or 1, progress, today)
    path = out / "index.html"
    try:
        atomic_write_text(path, index_html(result, today))
    except OSError as exc:
        raise ReportWriteError(path, exc.strerror or str(exc)) from None
    return path
