"""What team and cohort do once their options are checked: analyse every athlete, write the pages and tables, sum up.

It imports the team and cohort runners (and with them pandas and
matplotlib) at its top, so `many` imports it inside these commands only.
"""

from __future__ import annotations

import textwrap

import click

from ..cohort import run_cohort
from ..glossary import DISCLAIMER
from ..render.triage import triage_text, write_team_page
from ..team import run_team
from .common import STDOUT, echo, terminal_progress, writing_to


def team(root, out_dir, json_path, week, cache_dir, no_cache, workers, timezone, quiet):
    """Analyse the team under ``root``, write its pages under ``out_dir``, print the triage; exit 1 when no athlete could be analysed."""
    err = json_path == STDOUT  # standard output holds the JSON alone: the text goes to standard error
    with terminal_progress("Analysing athletes", quiet) as progress, writing_to(out_dir):
        result = run_team(root, out_dir, week=week.date() if week else None, workers=workers, cache_dir=cache_dir,
                          use_cache=not no_cache, timezone=timezone, progress=progress)  # fmt: skip
        page = write_team_page(result, out_dir)
    if json_path:
        with writing_to(json_path):
            result.write_json(json_path)
    echo(triage_text(result), err=err)
    echo("", err=err)
    echo(textwrap.fill(DISCLAIMER, width=80), err=err)
    echo(f"Wrote {page}" + (f" and {json_path}" if json_path and not err else ""), err=err)
    if not result.analysed:
        raise click.ClickException(f"{root}: no athlete could be analysed")


def cohort(root, out_dir, scheduler, workers, store_dir, timezone, quiet, partition_rows=250_000, athlete_logs=False):
    """Analyse the cohort under ``root`` on Dask, write its tables under ``out_dir``, print the summary; exit 1 when no athlete could be analysed."""

    def say(text):
        if not quiet:
            echo(text, err=True)

    with writing_to(out_dir):
        summary = run_cohort(root, out_dir, scheduler=scheduler, workers=workers, store_dir=store_dir, timezone=timezone, say=say,
                             partition_rows=partition_rows, athlete_logs=athlete_logs)  # fmt: skip
    echo(summary.text())
    if not summary.analysed:
        raise click.ClickException(f"{root}: no athlete could be analysed")
