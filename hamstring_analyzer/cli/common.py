"""What every command shares: one-line errors, the export options, progress, and reading an export.

The modules of `cli` import only downwards: `common` imports the library,
the command modules import `common`, and `cli/__init__` gathers the
commands. The library modules behind a command (pandas, matplotlib, the
readers) are imported inside the functions, so that ``--help`` and the
symptom log commands start without them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys

import click

from ..errors import HamstringAnalyzerError


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
    from ..export import load_runs

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


def _date(value):
    return value.date() if value is not None else None


def analyse_export(path, config_path, units, symptoms_path, export_opts: dict, since=None, until=None):
    """Config, symptom log and export read, then analysed: the common start of analyze and report."""
    from ..analysis import analyze
    from ..config import load_config
    from ..symptoms import read_log

    config = load_config(config_path).with_units(units)
    symptoms = read_log(symptoms_path) if symptoms_path else None
    export = load_export(path, **export_opts)
    print_export_notes(export, export_opts["quiet"])
    result = analyze(export, config, since=since, until=until, symptoms=symptoms)
    if result.runs.empty:
        raise click.ClickException(f"{path}: no runs between {since or 'the start'} and {until or 'the end'}")
    return result
