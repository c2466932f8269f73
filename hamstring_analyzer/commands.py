"""Subcommands of ``hamstring-analyzer``; each calls one library function.

`cli` adds them to its ``main`` group; this module does not import `cli`, so
there is no import cycle. The library modules behind a command (pandas,
matplotlib, the parsers) are imported inside the command, so that
``--help`` and the symptom log commands start without them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import textwrap

import click

from .errors import HamstringAnalyzerError
from .glossary import DISCLAIMER


def friendly_errors(func):
    """Turn the library's errors (and a few OS ones) into one-line messages."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except HamstringAnalyzerError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:
            # Output piped into `head` and closed: stop quietly, as other command-line tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # the commands name the file they write; this is the net below them
            reason = exc.strerror or str(exc)
            raise click.ClickException(f"{exc.filename}: {reason}" if exc.filename else reason) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing half-written was left behind.", err=True)
            sys.exit(130)
        except click.ClickException:
            raise
        except Exception as exc:  # a bug of ours: one line for the user, the traceback on request
            if os.environ.get("HAMSTRING_DEBUG"):
                raise
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {exc}); please report it, with HAMSTRING_DEBUG=1 for details"
            ) from None

    return wrapper


def export_options(func):
    """Options shared by every command that reads an export."""
    for option in reversed(
        [
            click.option("--cache-dir", type=click.Path(file_okay=False), help="Where parsed files are cached (default: your user cache folder)."),
            click.option("--no-cache", is_flag=True, help="Parse every file; read and write no cache."),
            click.option("--workers", type=click.IntRange(1, 64), default=None, help="Parallel processes (default: all cores)."),
            click.option("--timezone", metavar="ZONE", help="Your time zone (e.g. Europe/London) for files that carry none."),
            click.option("--quiet", "-q", is_flag=True, help="No progress bar or notes."),
        ]
    ):
        func = option(func)
    return func


@contextlib.contextmanager
def terminal_progress(label: str, quiet: bool):
    """A ``progress(done, total)`` callback drawing a bar on a terminal (nothing when piped or --quiet)."""
    show = not quiet and sys.stderr.isatty()
    bar = None

    def progress(done, total):
        nonlocal bar
        if not show:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@contextlib.contextmanager
def writing_to(path):
    """Report an OS failure while writing ``path`` (disk full, read-only folder...) as one line naming it.

    The writers' own errors name a temporary file, or nothing at all for a full disk.
    """
    try:
        yield
    except BrokenPipeError:  # stdout closed under a progress bar: not a failure of ``path``
        raise
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write ({exc.strerror or exc})") from None


def load_export(path, cache_dir, no_cache, workers, timezone, quiet):
    """Call `load_runs` with a progress bar on a terminal; exit 1 when no run was found."""
    from .export import load_runs

    with terminal_progress("Reading files", quiet) as progress:
        export = load_runs(path, workers=workers, cache_dir=cache_dir, use_cache=not no_cache, timezone=timezone, progress=progress)
    if not export.runs:
        where = f"{len(export.skipped)} skipped, {len(export.errors)} unreadable"
        raise click.ClickException(f"{path}: no runs found ({where}); nothing to analyse")
    return export


def print_export_notes(export, quiet: bool) -> None:
    if quiet:
        return
    for e in export.errors:
        click.echo(f"error: {e['source']}: {e['error']}", err=True)


@click.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="Write the runs, skips and errors as JSON.")
@export_options
@friendly_errors
def ingest(path, json_path, cache_dir, no_cache, workers, timezone, quiet):
    """Read every run in PATH (a folder or a zip archive) and list what was found.

    FIT, GPX and TCX files are read, gzipped or not, inside nested zip archives
    too, and the account exports of Apple Health, Strava, Garmin Connect and
    Polar Flow. Other sports, duplicates and broken files are listed with the reason.
    """
    from .report_text import headline

    export = load_export(path, cache_dir, no_cache, workers, timezone, quiet)
    if json_path:  # first, so that a closed pipe on the summary below cannot lose it
        with writing_to(json_path):
            export.write_json(json_path)
    print_export_notes(export, quiet)
    dates = [a.start_local.date() for a in export.runs]
    click.echo(headline(export, sum(a.distance_m or 0 for a in export.runs), min(dates), max(dates)))
    if json_path:
        click.echo(f"Wrote {json_path}")


def _date(value):
    return value.date() if value is not None else None


def analyse_export(path, config_path, units, symptoms_path, export_opts: dict, since=None, until=None):
    """Config, symptom log and export read, then analysed: the common start of analyze and report."""
    from .analysis import analyze
    from .config import load_config
    from .symptoms import read_log

    config = load_config(config_path).with_units(units)
    symptoms = read_log(symptoms_path) if symptoms_path else None
    export = load_export(path, **export_opts)
    print_export_notes(export, export_opts["quiet"])
    result = analyze(export, config, since=since, until=until, symptoms=symptoms)
    if result.runs.empty:
        raise click.ClickException(f"{path}: no runs between {since or 'the start'} and {until or 'the end'}")
    return result


@click.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="A TOML file of thresholds (see the README).")
@click.option("--symptoms", "symptoms_path", type=click.Path(dir_okay=False), help="Your symptom log (CSV): adds symptom insights.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="Write runs, weeks and flags as JSON.")
@click.option("--units", type=click.Choice(["km", "mi"]), default=None, help="Kilometres or miles (default: the config's, else km).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Show weeks and flags from this date (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Leave out runs after this date (YYYY-MM-DD).")
@click.option("--weeks", "n_weeks", type=click.IntRange(1, 520), default=8, show_default=True, help="Weeks in the terminal table.")
@click.option("--max-flags", type=click.IntRange(0, 100000), default=30, show_default=True, help="Flags printed (all go to --json).")
@export_options
@friendly_errors
def analyze(path, config_path, symptoms_path, json_path, units, since, until, n_weeks, max_flags, cache_dir, no_cache, workers, timezone, quiet):
    """Flag the hamstring risk factors in PATH, week by week and run by run.

    Prints the recent weeks as a table, then the flags, newest first. Flags are
    worth a look, not a diagnosis.
    """
    from .report_text import flags_text, insights_text, weeks_table

    since, until = _date(since), _date(until)
    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    export_opts = dict(cache_dir=cache_dir, no_cache=no_cache, workers=workers, timezone=timezone, quiet=quiet)
    result = analyse_export(path, config_path, units, symptoms_path, export_opts, since=since, until=until)
    if json_path:  # first, so that a closed pipe on the summary below cannot lose it
        with writing_to(json_path):
            result.write_json(json_path)
    click.echo(weeks_table(result, n_weeks))
    click.echo("")
    click.echo(flags_text(result, max_flags))
    click.echo("")
    if result.insights is not None:
        click.echo(insights_text(result))
        click.echo("")
    click.echo(DISCLAIMER)
    if json_path:
        click.echo(f"Wrote {json_path}")


# ------------------------------------------------------------------ symptoms --


@click.group()
def symptoms():
    """Keep a hamstring symptom log (a CSV you can also edit by hand).

    Columns: date, severity (0-10), side, location, kind, when, note.
    """


@symptoms.command("add")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="The day (YYYY-MM-DD); default today.")
@click.option("--severity", type=click.IntRange(0, 10), required=True, help="0 (nothing) to 10 (worst imaginable).")
@click.option("--side", type=click.Choice(["left", "right", "both"]), default="both", show_default=True, help="Which leg.")
@click.option("--location", default="", help='Where, e.g. "upper near the sit bone", "mid thigh", "behind the knee", "glute".')
@click.option("--kind", type=click.Choice(["tightness", "fatigue", "burning", "pain", "cramp"]), default="tightness", show_default=True, help="What it feels like.")
@click.option("--when", "when", type=click.Choice(["during run", "after run", "next day", "sitting"]), default="after run", show_default=True, help="When it shows.")
@click.option("--note", default="", help="Anything else, in your words.")
@friendly_errors
def symptoms_add(file, day, severity, side, location, kind, when, note):
    """Add one entry to the symptom log FILE (created when missing).

    The log is checked first and rewritten atomically: a crash never loses or
    corrupts earlier rows, and a malformed log is left exactly as it was.
    """
    import datetime as dt

    from .symptoms import add_entry, check_entry

    day = day.date() if day else dt.date.today()
    values = {"date": day.isoformat(), "severity": str(severity), "side": side, "location": location, "kind": kind, "when": when, "note": note}
    entry = check_entry(values, "the new entry")
    add_entry(file, entry)
    click.echo(f"Added {day:%a %d %b %Y}: {kind}, severity {severity}, {side}" + (f", {location}" if location else "") + f" to {file}")


@symptoms.command("list")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@friendly_errors
def symptoms_list(file):
    """Show the entries of the symptom log FILE, oldest first."""
    from .symptoms import entries_table, read_log

    entries = read_log(file)
    if not entries:
        click.echo(f"{file}: no entries yet.")
        return
    click.echo(entries_table(entries))


# ---------------------------------------------------------------------- plan --


@click.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Plan from the runs up to this day (YYYY-MM-DD): the week after its week.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="Write the plan as JSON.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="A TOML file of thresholds (see the README).")
@click.option("--units", type=click.Choice(["km", "mi"]), default=None, help="Kilometres or miles (default: the config's, else km).")
@export_options
@friendly_errors
def plan(path, until, json_path, config_path, units, cache_dir, no_cache, workers, timezone, quiet):
    """Say what next week can hold for PATH without raising a flag.

    The most weekly distance, the longest run, the most fast running and
    whether hilly runs fit, each from the rule it comes from, for the Monday
    to Sunday week after your last run's week (or after --until's week);
    after a break, a return ramp week by week. Ceilings, not targets.
    """
    from .plan import plan_week
    from .report_text import plan_text

    until = _date(until)
    export_opts = dict(cache_dir=cache_dir, no_cache=no_cache, workers=workers, timezone=timezone, quiet=quiet)
    result = analyse_export(path, config_path, units, None, export_opts, until=until)
    next_week = plan_week(result.runs, result.config, until)
    if json_path:  # first, so that a closed pipe on the text below cannot lose it
        with writing_to(json_path):
            next_week.write_json(json_path)
    click.echo(plan_text(next_week))
    click.echo("")
    click.echo(textwrap.fill(DISCLAIMER, width=80))
    if json_path:
        click.echo(f"Wrote {json_path}")


# -------------------------------------------------------------------- report --


@click.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the PNG and HTML files.")
@click.option("--week", type=click.DateTime(["%Y-%m-%d"]), help="Any day of the week to report (default: the last complete week).")
@click.option("--all", "all_weeks", is_flag=True, help="One report per week of the history, plus index.html.")
@click.option("--symptoms", "symptoms_path", type=click.Path(dir_okay=False), help="Your symptom log (CSV).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="A TOML file of thresholds (see the README).")
@click.option("--units", type=click.Choice(["km", "mi"]), default=None, help="Kilometres or miles (default: the config's, else km).")
@export_options
@friendly_errors
def report(path, out_dir, week, all_weeks, symptoms_path, config_path, units, cache_dir, no_cache, workers, timezone, quiet):
    """Write a weekly report for PATH: week-YYYY-MM-DD.png and a self-contained .html.

    The picture sets weekly distance, fast share, cadence, long-run climb and
    symptoms on one time axis over the last 14 weeks, with breaks shaded and
    the week highlighted. The page adds the week's numbers, its flags with
    their explanations and sources, the symptoms logged, and the insights.
    """
    from .report import default_week, write_all_reports, write_week_report
    from .weekly import week_start

    if week and all_weeks:
        raise click.BadParameter("give --week or --all, not both")
    export_opts = dict(cache_dir=cache_dir, no_cache=no_cache, workers=workers, timezone=timezone, quiet=quiet)
    result = analyse_export(path, config_path, units, symptoms_path, export_opts)
    if all_weeks:
        with terminal_progress("Writing weekly reports", quiet) as progress, writing_to(out_dir):
            index = write_all_reports(result, out_dir, progress=progress)
        click.echo(f"Wrote {len(result.weeks)} weekly reports and {index}")
        return
    if week is not None:
        monday = week_start(week.date())
    else:
        try:
            monday = default_week(result)
        except ValueError as exc:
            raise click.ClickException(f"{path}: {exc}; pick one with --week") from None
    try:
        with writing_to(out_dir):
            png, html = write_week_report(result, monday, out_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {png} and {html}")
    click.echo(DISCLAIMER)


#: The subcommands, for `cli.main`.
COMMANDS = (ingest, analyze, plan, symptoms, report)
