"""Subcommands of ``hamstring-analyzer``; each calls one library function."""

from __future__ import annotations

import click

from .cli import friendly_errors, main


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


def load_export(path, cache_dir, no_cache, workers, timezone, quiet):
    """Call `load_runs` with a progress bar on a terminal (none when piped or --quiet)."""
    import sys

    from .export import load_runs

    show = not quiet and sys.stderr.isatty()
    state = {"bar": None}

    def progress(done, total):
        if not show:
            return
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=total, label="Reading files", file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(done - state["bar"].pos)

    try:
        export = load_runs(path, workers=workers, cache_dir=cache_dir, use_cache=not no_cache, timezone=timezone, progress=progress)
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)
    if not export.runs:
        where = f"{len(export.skipped)} skipped, {len(export.errors)} unreadable"
        raise click.ClickException(f"{path}: no runs found ({where}); nothing to analyse")
    return export


def print_export_notes(export, quiet: bool) -> None:
    if quiet:
        return
    for e in export.errors:
        click.echo(f"error: {e['source']}: {e['error']}", err=True)


@main.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="Write the runs, skips and errors as JSON.")
@export_options
@friendly_errors
def ingest(path, json_path, cache_dir, no_cache, workers, timezone, quiet):
    """Read every run in PATH (a folder or a zip archive) and list what was found.

    FIT, GPX and TCX files are read, gzipped or not, inside nested zip archives
    too. Other sports, duplicates and broken files are listed with the reason.
    """
    export = load_export(path, cache_dir, no_cache, workers, timezone, quiet)
    print_export_notes(export, quiet)
    total_km = sum((a.distance_m or 0) for a in export.runs) / 1000
    first, last = export.runs[0].start_local, export.runs[-1].start_local
    click.echo(
        f"{len(export.runs)} runs ({total_km:,.1f} km, {first:%d %b %Y} to {last:%d %b %Y}); "
        f"{len(export.skipped)} skipped; {len(export.errors)} could not be read."
    )
    if json_path:
        export.write_json(json_path)
        click.echo(f"Wrote {json_path}")


DISCLAIMER = "Not medical advice: flags are worth a look, not a diagnosis. Pain that persists deserves a physiotherapist or doctor."


def _date(value):
    return value.date() if value is not None else None


@main.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="A TOML file of thresholds (see the README).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="Write runs, weeks and flags as JSON.")
@click.option("--units", type=click.Choice(["km", "mi"]), default=None, help="Kilometres or miles (default: the config's, else km).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Show weeks and flags from this date (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Leave out runs after this date (YYYY-MM-DD).")
@click.option("--weeks", "n_weeks", type=click.IntRange(1, 520), default=8, show_default=True, help="Weeks in the terminal table.")
@click.option("--max-flags", type=click.IntRange(0, 100000), default=30, show_default=True, help="Flags printed (all go to --json).")
@export_options
@friendly_errors
def analyze(path, config_path, json_path, units, since, until, n_weeks, max_flags, cache_dir, no_cache, workers, timezone, quiet):
    """Flag the hamstring risk factors in PATH, week by week and run by run.

    Prints the recent weeks as a table, then the flags, newest first. Flags are
    worth a look, not a diagnosis.
    """
    from .analysis import analyze as run_analysis
    from .config import load_config
    from .report_text import flags_text, weeks_table

    config = load_config(config_path).with_units(units)
    since, until = _date(since), _date(until)
    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    export = load_export(path, cache_dir, no_cache, workers, timezone, quiet)
    print_export_notes(export, quiet)
    result = run_analysis(export, config, since=since, until=until)
    if result.runs.empty:
        raise click.ClickException(f"{path}: no runs between {since or 'the start'} and {until or 'the end'}")
    click.echo(weeks_table(result, n_weeks))
    click.echo("")
    click.echo(flags_text(result, max_flags))
    click.echo("")
    click.echo(DISCLAIMER)
    if json_path:
        result.write_json(json_path)
        click.echo(f"Wrote {json_path}")
