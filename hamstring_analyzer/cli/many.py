"""The many-athlete commands: a coach's team on this machine, a research cohort on Dask.

Each command checks its options, then imports `many_work` inside the
command: that module imports pandas and matplotlib, which ``--help`` never loads.
"""

from __future__ import annotations

import click

from ..jsonfile import check_target
from .common import DATE, DATE_METAVAR, friendly_errors, json_option


#: ``team --help``'s examples (``\\b``: click shows the block as written, never rewrapped).
TEAM_EXAMPLES = """\b
Examples:
  hamstring-analyzer team athletes --out monday
      every athlete under athletes/; open monday/index.html
  hamstring-analyzer team athletes --out monday --week 2026-07-06
      the week holding Mon 6 Jul 2026, not the last complete one
  hamstring-analyzer team athletes --out monday --json team.json -q
      the rows as JSON too (--json - writes them to standard output)

\b
An optional athletes/roster.toml names athletes and their settings:
  [[athlete]]
  name = "Bea Moreno"
  folder = "bea"                # or an export archive, "bea.zip"
  symptoms = "bea/symptoms.csv"
  units = "mi"
"""

#: ``cohort --help``'s examples.
COHORT_EXAMPLES = """\b
Examples:
  hamstring-analyzer cohort athletes --out tables
      athlete folders or archives, on a Dask cluster of this machine's cores
  hamstring-analyzer cohort daily-log.csv --out tables --workers 4
      a daily training log (athlete, date, distance, duration)
  hamstring-analyzer cohort athletes --out tables --store /shared/store \\
      --scheduler tcp://10.0.0.5:8786
      a running cluster; every worker must reach the store
Then, in Python: pandas.read_parquet("tables/flags")
"""


@click.command(epilog=TEAM_EXAMPLES)
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
    if json_path:
        check_target(json_path)  # a missing folder is said before the athletes are analysed
    from . import many_work  # the library (pandas, matplotlib) loads when the command runs, not for --help

    many_work.team(root, out_dir, json_path, week, cache_dir, no_cache, workers, timezone, quiet)


@click.command(epilog=COHORT_EXAMPLES)
@click.argument("root", type=click.Path(exists=True))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the cohort tables (Parquet) and the run store.")
@click.option("--scheduler", metavar="ADDRESS", help="A running Dask scheduler (e.g. tcp://10.0.0.5:8786); default: a local cluster.")
@click.option("--workers", type=click.IntRange(1, 512), default=None, help="Worker processes of the local cluster (default: all cores).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False), help="Where the run store goes (default: OUT/store); every worker must reach it.")
@click.option("--timezone", metavar="ZONE", help="Time zone for files that carry none.")
@click.option("--partition-rows", type=click.IntRange(1000, 10_000_000), default=250_000, show_default=True,
              help="A daily log's rows per partition (one task each; a worker's memory follows it).")
@click.option("--athlete-logs", is_flag=True, help="Also write each daily-log athlete's rows as OUT/partitions/<athlete>/daily_log.csv (for analyze).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@friendly_errors
def cohort(root, out_dir, scheduler, workers, store_dir, timezone, partition_rows, athlete_logs, quiet):
    """Flag a whole cohort on a Dask cluster and write cohort tables.

    ROOT is a folder of athlete folders or export archives (as for `team`),
    or a daily training log (CSV or Parquet: athlete, date, distance,
    duration). Files are decoded in batches into a run store partitioned by
    athlete, each athlete analysed exactly as `analyze` would; a daily log is
    read in partitions of whole athletes, each analysed together, with the
    same flags. OUT/runs/, OUT/weeks/ and OUT/flags/ are Parquet datasets
    with an `athlete` column. A folder of athletes needs `pip install
    'hamstring-analyzer[cohort]'` (Dask); a daily log runs on local
    processes without it.
    """
    from . import many_work  # the library (pandas, matplotlib; Dask once it runs) loads when the command runs, not for --help

    many_work.cohort(root, out_dir, scheduler, workers, store_dir, timezone, quiet, partition_rows=partition_rows, athlete_logs=athlete_logs)


#: The subcommands, for `cli.main`.
COMMANDS = (team, cohort)
