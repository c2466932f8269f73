"""The one-runner commands: ingest, analyze, plan, report and the symptom log."""

from __future__ import annotations

import textwrap

import click

from ..glossary import DISCLAIMER
from .common import _date, analyse_export, export_options, friendly_errors, load_export, print_export_notes, terminal_progress, writing_to


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
    from ..report_text import headline

    export = load_export(path, cache_dir, no_cache, workers, timezone, quiet)
    if json_path:  # first, so that a closed pipe on the summary below cannot lose it
        with writing_to(json_path):
            export.write_json(json_path)
    print_export_notes(export, quiet)
    dates = [a.start_local.date() for a in export.runs]
    click.echo(headline(export, sum(a.distance_m or 0 for a in export.runs), min(dates), max(dates)))
    if json_path:
        click.echo(f"Wrote {json_path}")


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
    from ..report_text import flags_text, insights_text, weeks_table

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

    from ..symptoms import add_entry, check_entry

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
    from ..symptoms import entries_table, read_log

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
    from ..plan import plan_week
    from ..report_text import plan_text

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
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Leave out runs after this day (YYYY-MM-DD): the reports as they were that day.")
@click.option("--symptoms", "symptoms_path", type=click.Path(dir_okay=False), help="Your symptom log (CSV).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="A TOML file of thresholds (see the README).")
@click.option("--units", type=click.Choice(["km", "mi"]), default=None, help="Kilometres or miles (default: the config's, else km).")
@click.option("--open", "open_page", is_flag=True, help="Open the page written (with --all, index.html) in your web browser.")
@export_options
@friendly_errors
def report(path, out_dir, week, all_weeks, until, symptoms_path, config_path, units, open_page, cache_dir, no_cache, workers, timezone, quiet):
    """Write a weekly report for PATH: week-YYYY-MM-DD.png and a self-contained .html.

    The page opens with the week's status and its flags (worth a look), then
    a picture of the flags, weekly distance, fast share, cadence, long-run
    climb and symptoms on one time axis over the last 14 weeks, with breaks
    shaded, the week highlighted and a week not over yet hatched; then the
    week's numbers, runs, next week's ceilings, the symptoms logged and the
    insights. It reads on a phone as on a desktop.
    """
    import datetime as dt

    from ..report import default_week, write_all_reports, write_week_report
    from ..weekly import week_start

    def show(page):
        if open_page:
            import webbrowser

            if not webbrowser.open(page.resolve().as_uri()):
                click.echo(f"Could not open a web browser: open {page} yourself.", err=True)

    if week and all_weeks:
        raise click.BadParameter("give --week or --all, not both")
    until = _date(until)
    export_opts = dict(cache_dir=cache_dir, no_cache=no_cache, workers=workers, timezone=timezone, quiet=quiet)
    result = analyse_export(path, config_path, units, symptoms_path, export_opts, until=until)
    if all_weeks:
        with terminal_progress("Writing weekly reports", quiet) as progress, writing_to(out_dir):
            index = write_all_reports(result, out_dir, progress=progress)
        n = len(result.weeks)
        click.echo(f"Wrote {n} weekly report{'s' if n != 1 else ''} and {index}")
        show(index)
        return
    if week is not None:
        monday = week_start(week.date())
    else:
        try:
            monday = default_week(result, today=until + dt.timedelta(days=1) if until else None)
        except ValueError as exc:
            raise click.ClickException(f"{path}: {exc}; pick one with --week") from None
    try:
        with writing_to(out_dir):
            png, html = write_week_report(result, monday, out_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {png} and {html}")
    click.echo(DISCLAIMER)
    show(html)


#: The subcommands, for `cli.main`.
COMMANDS = (ingest, analyze, plan, symptoms, report)
