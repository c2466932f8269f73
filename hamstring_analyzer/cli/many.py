"""The many-athlete commands: a coach's team on this machine, a research cohort on Dask."""

from __future__ import annotations

import textwrap

import click

from ..glossary import DISCLAIMER
from .common import DATE, DATE_METAVAR, friendly_errors, json_option, terminal_progress, writing_to


@click.command()
@click.argument("root", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the team page (index.html) and each athlete's report.")
@json_option("Write the team's rows as JSON.")
@click.option("--week", type=DATE, metavar=DATE_METAVAR, help="Any day of the week to triage (default: the last complete week).")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="The run store every athlete shares (default: your user cache folder).")
@click.option("--no-cache", is_flag=True, help="Parse every file; read and write no cache.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Athletes analysed at once (default: all cores).")
@click.option("--timezone", metavar="ZONE", help="The team's time zone (e.g. Europe/London) for files that carry none.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@friendly_errors
def team(root, out_dir, json_path, week, cache_dir, no_cache, workers, timezone, quiet):
    """Monday's triage for a team: every athlete under ROOT, most in need of a look first.

    Each athlete is a folder or an export archive under ROOT; an optional
    ROOT/roster.toml names them and gives each their own config and symptom
    log (see the README). Writes each athlete's weekly report under
    OUT/<athlete>/ and the team page OUT/index.html. An athlete whose export
    cannot be read is listed with the reason; the others go on.
    """
    from ..jsonfile import STDOUT, check_target
    from ..render.triage import triage_text, write_team_page
    from ..team import run_team

    if json_path:
        check_target(json_path)  # a missing folder is said before the athletes are analysed
    err = json_path == STDOUT  # standard output holds the JSON alone: the text goes to standard error
    with terminal_progress("Analysing athletes", quiet) as progress, writing_to(out_dir):
        result = run_team(root, out_dir, week=week.date() if week else None, workers=workers, cache_dir=cache_dir,
                          use_cache=not no_cache, timezone=timezone, progress=progress)  # fmt: skip
        page = write_team_page(result, out_dir)
    if json_path:
        with writing_to(json_path):
            result.write_json(json_path)
    click.echo(triage_text(result), err=err)
    click.echo("", err=err)
    click.echo(textwrap.fill(DISCLAIMER, width=80), err=err)
    click.echo(f"Wrote {page}" + (f" and {json_path}" if json_path and not err else ""), err=err)
    if not result.analysed:
        raise click.ClickException(f"{root}: no athlete could be analysed")


@click.command()
@click.argument("root", type=click.Path(exists=True))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the cohort tables (Parquet) and the run store.")
@click.option("--scheduler", metavar="ADDRESS", help="A running Dask scheduler (e.g. tcp://10.0.0.5:8786); default: a local cluster.")
@click.option("--workers", type=click.IntRange(1, 512), default=None, help="Worker processes of the local cluster (default: all cores).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False), help="Where the run store goes (default: OUT/store); every worker must reach it.")
@click.option("--timezone", metavar="ZONE", help="Time zone for files that carry none.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@friendly_errors
def cohort(root, out_dir, scheduler, workers, store_dir, timezone, quiet):
    """Flag a whole cohort on a Dask cluster and write cohort tables.

    ROOT is a folder of athlete folders or export archives (as for `team`),
    or a daily training log (CSV or Parquet: athlete, date, distance,
    duration). Files are decoded in batches into a run store partitioned by
    athlete; each athlete is then analysed exactly as `analyze` would, and
    OUT/runs/, OUT/weeks/ and OUT/flags/ are written as Parquet datasets with
    an `athlete` column. Needs `pip install 'hamstring-analyzer[cohort]'`.
    """
    from ..cohort import run_cohort

    def say(text):
        if not quiet:
            click.echo(text, err=True)

    with writing_to(out_dir):
        summary = run_cohort(root, out_dir, scheduler=scheduler, workers=workers, store_dir=store_dir, timezone=timezone, say=say)
    click.echo(summary.text())
    if not summary.analysed:
        raise click.ClickException(f"{root}: no athlete could be analysed")


#: The subcommands, for `cli.main`.
COMMANDS = (team, cohort)
