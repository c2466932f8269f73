"""The one-runner commands: ingest, analyze, plan, report and the symptom log.

Each command checks its options, then imports the module doing its work
(`runner_work`, or `report_work` for report) inside the command: that module
imports pandas and the readers, which ``--help`` and the symptom log never load.
"""

from __future__ import annotations

import datetime as dt

import click

from .. import units as u
from ..dates import day_iso
from ..jsonfile import check_target
from ..symptoms import KINDS, SIDES, WHENS, add_entry, check_entry, entries_table, read_log
from .common import DATE, DATE_METAVAR, _date, config_option, echo, export_options, friendly_errors, json_option, verbose_option


@click.command()
@click.argument("path", type=click.Path(exists=True))
@json_option("Write the runs, skipped, unreadable and ignored files as JSON (also when no run is found).")
@export_options
@verbose_option
@friendly_errors
def ingest(path, json_path, cache_dir, no_cache, workers, timezone, quiet, verbose):
    """Read every run in PATH (a folder or a zip archive) and list what was found.

    FIT, GPX and TCX files are read, gzipped or not, inside nested zip archives
    too, and the account exports of Apple Health, Strava, Garmin Connect and
    Polar Flow. Other sports, duplicates and broken files are listed with the
    reason, grouped and counted (-v: every file); files that are plainly not
    activities (a README, a script, the symptom log) are listed as ignored.

    \b
    Examples:
      hamstring-analyzer ingest ~/Downloads/garmin-export
      hamstring-analyzer ingest export.zip -v --json runs.json
      hamstring-analyzer ingest export.zip --json - | python -m json.tool
    """
    if json_path:
        check_target(json_path)  # a wrong folder is said before minutes of reading
    from . import runner_work  # the library (pandas, the readers) loads when the command runs, not for --help

    runner_work.ingest(path, json_path, cache_dir, no_cache, workers, timezone, quiet, verbose)


@click.command()
@click.argument("path", type=click.Path(exists=True))
@config_option
@click.option("--symptoms", "symptoms_path", type=click.Path(dir_okay=False), metavar="FILE", help="Your symptom log (CSV): adds symptom insights.")
@json_option("Write runs, weeks and flags as JSON (also when no run is found).")
@click.option("--units", type=click.Choice(["km", "mi"]), default=None, help="Kilometres or miles (default: the config's, else km).")
@click.option("--since", type=DATE, metavar=DATE_METAVAR, help="Show weeks and flags from this date.")
@click.option("--until", type=DATE, metavar=DATE_METAVAR, help="Leave out runs after this date, as if today were that day.")
@click.option("--weeks", "n_weeks", type=click.IntRange(1, 520), default=8, show_default=True, help="Weeks in the terminal table.")
@click.option("--max-flags", type=click.IntRange(0, 100000), default=30, show_default=True, help="Episodes listed with -v (every flag goes to --json).")
@export_options
@verbose_option
@friendly_errors
def analyze(path, config_path, symptoms_path, json_path, units, since, until, n_weeks, max_flags, cache_dir, no_cache, workers, timezone, quiet, verbose):
    """Flag the hamstring risk factors in PATH, week by week and run by run.

    Opens with what is worth a look in the last week (at most three episodes,
    most severe and best evidenced first) and your own usual, then the recent
    weeks as a table; -v lists every episode, --json holds every flag. Flags
    are worth a look, not a diagnosis. A week not over yet (the current one, or
    --until mid-week) is shown in progress, without a change or ratio.

    \b
    Examples:
      hamstring-analyzer analyze ~/Downloads/garmin-export
      hamstring-analyzer analyze export.zip --units mi --since 2026-01-01
      hamstring-analyzer analyze export.zip --until 2026-07-08 --symptoms my-symptoms.csv
      hamstring-analyzer analyze export.zip -q --json - > analysis.json
    """
    since, until = _date(since), _date(until)
    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    if json_path:
        check_target(json_path)
    from . import runner_work  # the library (pandas, the readers) loads when the command runs, not for --help

    export_opts = dict(cache_dir=cache_dir, no_cache=no_cache, workers=workers, timezone=timezone, quiet=quiet, verbose=verbose)
    runner_work.analyze(path, config_path, symptoms_path, json_path, units, since, until, n_weeks, max_flags, export_opts)


# ------------------------------------------------------------------ symptoms --


@click.group()
def symptoms():
    """Keep a hamstring symptom log (a CSV you can also edit by hand).

    Columns: date, severity (0-10), side, location, kind, when, note.

    \b
    Examples:
      hamstring-analyzer symptoms add my-symptoms.csv --severity 3 --side right --kind pain
      hamstring-analyzer symptoms list my-symptoms.csv
    """


@symptoms.command("add")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--date", "day", metavar=DATE_METAVAR, help="The day, today or before; default today.")
@click.option("--severity", type=click.IntRange(0, 10), required=True, help="0 (nothing) to 10 (worst imaginable).")
@click.option("--side", type=click.Choice(SIDES, case_sensitive=False), default=None, help="Which leg (left, right or both); left blank when not given.")
@click.option("--location", default="", help='Where, e.g. "upper near the sit bone", "mid thigh", "behind the knee", "glute".')
@click.option("--kind", type=click.Choice(KINDS, case_sensitive=False), default=None, help="What it feels like; left blank when not given.")
@click.option("--when", "when", type=click.Choice(WHENS, case_sensitive=False), default=None, help="When it shows; left blank when not given.")
@click.option("--note", default="", help="Anything else, in your words.")
@friendly_errors
def symptoms_add(file, day, severity, side, location, kind, when, note):
    """Add one entry to the symptom log FILE (created when missing, in a folder that exists).

    Only what you give is recorded: side, kind and when stay blank when not
    given. The log is checked first and rewritten atomically: a crash never
    loses or corrupts earlier rows, and a malformed log is left exactly as it was.
    A day after today is refused.

    \b
    Examples:
      hamstring-analyzer symptoms add my-symptoms.csv --severity 2
      hamstring-analyzer symptoms add my-symptoms.csv --date 2026-08-15 --severity 3 --side Right \\
          --location "upper near the sit bone" --kind pain --when "after run" --note "back too soon?"
    """
    day = _symptom_day(day, dt.date.today())
    side, kind, when = (side or "").lower(), (kind or "").lower(), (when or "").lower()
    values = {"date": day_iso(day), "severity": str(severity), "side": side, "location": location, "kind": kind, "when": when, "note": note}
    entry = check_entry(values, "the new entry")
    add_entry(file, entry)
    said = ", ".join(x for x in (kind, f"severity {severity}", side, when, location) if x)
    echo(f"Added {u.long_day(day)}: {said} to {file}")


def _symptom_day(text: str | None, today: dt.date) -> dt.date:
    """The day of ``--date`` (``today`` when not given); a one-line error for a day that is not a date or is after today.

    Checked here, not by a click type, so that the error is one line (no usage text) with an example.
    """
    if text is None:
        return today
    try:
        day = dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise click.ClickException(f"--date {text}: not a date; give it as {DATE_METAVAR}, e.g. {day_iso(today)}") from None
    if day > today:
        raise click.ClickException(f"--date {text}: after today ({day_iso(today)}); log a symptom once you have felt it")
    return day


@symptoms.command("list")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@friendly_errors
def symptoms_list(file):
    """Show the entries of the symptom log FILE, oldest first.

    \b
    Example:
      hamstring-analyzer symptoms list my-symptoms.csv
    """
    entries = read_log(file)
    if not entries:
        echo(f"{file}: no entries yet.")
        return
    echo(entries_table(entries))


# ---------------------------------------------------------------------- plan --


@click.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--until", type=DATE, metavar=DATE_METAVAR, help="Plan from the runs up to this day: the week after its week.")
@json_option("Write the plan as JSON.")
@config_option
@click.option("--units", type=click.Choice(["km", "mi"]), default=None, help="Kilometres or miles (default: the config's, else km).")
@export_options
@verbose_option
@friendly_errors
def plan(path, until, json_path, config_path, units, cache_dir, no_cache, workers, timezone, quiet, verbose):
    """Say what next week can hold for PATH without raising a flag.

    The most weekly distance, the longest run, the most fast running and
    whether hilly runs fit, each from the rule it comes from, for the week
    after your last run's week (or after --until's week; Monday to Sunday, or
    Sunday to Saturday with week_start = "sunday" in the config); after a
    break, a return ramp week by week. Ceilings, not targets.

    \b
    Examples:
      hamstring-analyzer plan ~/Downloads/garmin-export
      hamstring-analyzer plan export.zip --until 2026-08-09 --units mi
      hamstring-analyzer plan export.zip -q --json - > plan.json
    """
    if json_path:
        check_target(json_path)
    from . import runner_work  # the library (pandas, the readers) loads when the command runs, not for --help

    export_opts = dict(cache_dir=cache_dir, no_cache=no_cache, workers=workers, timezone=timezone, quiet=quiet, verbose=verbose)
    runner_work.plan(path, _date(until), json_path, config_path, units, export_opts)


# -------------------------------------------------------------------- report --


@click.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the PNG and HTML files.")
@click.option("--week", type=DATE, metavar=DATE_METAVAR, help="Any day of the week to report (default: the last complete week).")
@click.option("--all", "all_weeks", is_flag=True, help="One report per week of the history, plus index.html.")
@click.option("--until", type=DATE, metavar=DATE_METAVAR, help="Leave out runs after this day: the reports as they were that day.")
@click.option("--symptoms", "symptoms_path", type=click.Path(dir_okay=False), metavar="FILE", help="Your symptom log (CSV).")
@config_option
@click.option("--units", type=click.Choice(["km", "mi"]), default=None, help="Kilometres or miles (default: the config's, else km).")
@click.option("--open", "open_page", is_flag=True, help="Open the page written (with --all, index.html) in your web browser.")
@export_options
@verbose_option
@friendly_errors
def report(path, out_dir, week, all_weeks, until, symptoms_path, config_path, units, open_page, cache_dir, no_cache, workers, timezone, quiet, verbose):
    """Write a weekly report for PATH: week-YYYY-MM-DD.png and a self-contained .html.

    The page opens with the week's status and its flags (worth a look), then
    a picture of the flags, weekly distance, fast share, cadence, long-run
    climb and symptoms on one time axis over the last 14 weeks, with breaks
    shaded, the week highlighted and a week not over yet hatched; then the
    week's numbers, runs, next week's ceilings, the symptoms logged and the
    insights. It reads on a phone as on a desktop.

    \b
    Examples:
      hamstring-analyzer report ~/Downloads/garmin-export --out reports/
      hamstring-analyzer report export.zip --out reports/ --week 2026-08-10 --symptoms my-symptoms.csv
      hamstring-analyzer report export.zip --out reports/ --all
      hamstring-analyzer report export.zip --out reports/ --until 2026-08-12 --open
    """
    if week and all_weeks:
        raise click.BadParameter("give --week or --all, not both")
    from . import report_work  # the library and matplotlib load when the command runs, not for --help

    export_opts = dict(cache_dir=cache_dir, no_cache=no_cache, workers=workers, timezone=timezone, quiet=quiet, verbose=verbose)
    report_work.report(path, out_dir, week, all_weeks, _date(until), symptoms_path, config_path, units, open_page, export_opts)


#: The subcommands, for `cli.main`.
COMMANDS = (ingest, analyze, plan, symptoms, report)
