"""What the report command does once its options are checked: analyse, then write the week's pages (or every week's).

It imports the report writers, and so matplotlib, at its top: `runner`
imports it inside the report command only, so that no other command loads them.
"""

from __future__ import annotations

import webbrowser

import click

from ..dates import add_days
from ..glossary import DISCLAIMER
from ..metrics.weekly import week_start
from ..render.report_files import write_all_reports, write_week_report
from ..render.weeks import default_week
from .common import echo, terminal_progress, writing_to
from .reading import analyse_export


def report(path, out_dir, week, all_weeks, until, symptoms_path, config_path, units, open_page, export_opts: dict):
    """Write the reports of ``path`` under ``out_dir`` and name them; open the page written with ``open_page``."""

    def show(page):
        if open_page and not webbrowser.open(page.resolve().as_uri()):
            echo(f"Could not open a web browser: open {page} yourself.", err=True)

    result = analyse_export(path, config_path, units, symptoms_path, export_opts, until=until)
    if all_weeks:
        with terminal_progress("Writing weekly reports", export_opts["quiet"]) as progress, writing_to(out_dir):
            index = write_all_reports(result, out_dir, progress=progress, workers=export_opts.get("workers"))
        n = len(result.weeks)
        echo(f"Wrote {n} weekly report{'s' if n != 1 else ''} and {index}")
        show(index)
        return
    if week is not None:
        first_day = week_start(week.date(), result.config.week_start)
    else:
        try:
            first_day = default_week(result, today=add_days(until, 1) if until else None)
        except ValueError as exc:
            raise click.ClickException(f"{path}: {exc}; pick one with --week") from None
    try:
        with writing_to(out_dir):
            png, html = write_week_report(result, first_day, out_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    echo(f"Wrote {png} and {html}")
    echo(DISCLAIMER)
    show(html)
