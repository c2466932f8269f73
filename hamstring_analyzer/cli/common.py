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

from ..errors import HamstringAnalyzerError, NoRunsError


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


#: A date option: shown as YYYY-MM-DD in --help, not as click's ``[%Y-%m-%d]``.
DATE = click.DateTime(["%Y-%m-%d"])
DATE_METAVAR = "YYYY-MM-DD"
#: Where a file option writes; ``-`` is standard output.
STDOUT = "-"


def json_option(help: str):
    """``--json FILE``: ``-`` writes to standard output (the terminal text then goes to standard error)."""
    return click.option("--json", "json_path", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
                        help=help + " '-' writes it to standard output.")


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


def verbose_option(func):
    """``-v``: every file skipped, unreadable or ignored, with its reason (the commands that list an export)."""
    return click.option("--verbose", "-v", is_flag=True, help="List every file skipped, unreadable or ignored, with its reason.")(func)


def config_option(func):
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
        help="A TOML file of thresholds (default: $HAMSTRING_ANALYZER_CONFIG, else config.toml in your user config folder).",
    )(func)


class Terminal:
    """Where a command's text goes, and whether it is coloured.

    The text goes to standard output, or to standard error when the JSON goes
    to standard output (``--json -``), so that standard output is pure JSON.
    Colour only on a terminal, and never with ``NO_COLOR`` set (no-color.org).
    """

    def __init__(self, json_path=None, quiet: bool = False):
        self.err = json_path == STDOUT
        self.quiet = quiet
        stream = sys.stderr if self.err else sys.stdout
        self.colour = _isatty(stream) and not os.environ.get("NO_COLOR")

    def echo(self, text: str = "") -> None:
        click.echo(text, err=self.err, color=self.colour)

    def note(self, text: str) -> None:
        """A note beside the results (the config used, the listing): on standard error, never with --quiet."""
        if not self.quiet:
            click.echo(text, err=True, color=self.colour)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


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


def load_export(path, cache_dir, no_cache, workers, timezone, quiet, verbose=False, json_path=None, empty_extra=None, term=None, ingest=None):
    """Call `load_runs` with a progress bar on a terminal; list what was skipped; exit 1 when no run was found.

    With ``json_path``, an export without runs is still written (``runs`` empty,
    the skipped, unreadable and ignored files with their reasons, plus
    ``empty_extra``) before the command exits 1, saying why in one line.
    """
    from ..analysis import require_some_runs
    from ..ingest import load_runs

    with terminal_progress("Reading files", quiet) as progress:
        export = load_runs(path, workers=workers, cache_dir=cache_dir, use_cache=not no_cache, timezone=timezone, progress=progress, ingest=ingest)
    try:
        require_some_runs(export, path)
    except NoRunsError as exc:
        no_runs(exc, term or Terminal(json_path, quiet), verbose, json_path, empty_extra)
    return export


def no_runs(exc: NoRunsError, term: Terminal, verbose: bool, json_path, empty_extra: dict | None):
    """An export without runs: its files and their reasons (every one with -v), its JSON when asked for, then exit 1 saying why."""
    print_listing(exc.export, term, verbose=verbose)
    if json_path:
        with writing_to(json_path):
            exc.export.write_json(json_path, extra=empty_extra)
    raise click.ClickException(f"{exc}; nothing to analyse")


def print_listing(export, term: Terminal, verbose: bool) -> None:
    """The skipped, unreadable and ignored files, grouped by reason and counted (each file with --verbose)."""
    from ..render.text import export_listing, paint

    for line in export_listing(export, verbose):
        term.note(paint(line, "alert", term.colour) if line.startswith("Could not read") else line)


def print_export_notes(export, quiet: bool) -> None:
    """Kept for callers of the former API: the listing, grouped, on standard error."""
    print_listing(export, Terminal(quiet=quiet), verbose=False)


def _date(value):
    return value.date() if value is not None else None


def read_config(config_path, units, term: Terminal):
    """The config (``--config``, else $HAMSTRING_ANALYZER_CONFIG, else the user's file, else defaults), saying which."""
    from ..config import find_config, load_config, user_config_path

    found = find_config(config_path)
    config = load_config(found).with_units(units)
    if found is not None:
        term.note(f"Config: {found}")
    else:
        term.note(f"Config: defaults (no {_home(user_config_path())})")
    return config


def _home(path) -> str:
    home = os.path.expanduser("~")
    text = str(path)
    return "~" + text[len(home):] if home not in ("", "/") and text.startswith(home + os.sep) else text


def analyse_export(path, config_path, units, symptoms_path, export_opts: dict, since=None, until=None, term: Terminal | None = None,
                   json_path=None, listing: bool = True):
    """Config, symptom log and export read, then analysed: the common start of analyze, plan and report.

    With ``json_path``, the analyze JSON is written whatever the outcome: an
    export without runs, or no runs in the period, writes what was found
    (``runs`` empty, ``weeks`` and ``flags`` empty) before exiting 1.
    """
    from ..analysis import analyze_athlete

    export_opts = dict(export_opts)
    verbose, quiet = export_opts.pop("verbose", False), export_opts.pop("quiet")
    term = term or Terminal(quiet=quiet)
    config = read_config(config_path, units, term)
    load = {"workers": export_opts["workers"], "cache_dir": export_opts["cache_dir"], "use_cache": not export_opts["no_cache"],
            "timezone": export_opts["timezone"]}  # fmt: skip
    empty = {"weeks": [], "flags": [], "episodes": [], "profile": {}, "holes": [], "coverage": []}
    try:
        with terminal_progress("Reading files", quiet) as progress:
            result = analyze_athlete(path, config, symptoms_path, since=since, until=until, progress=progress, **load)
    except NoRunsError as exc:
        no_runs(exc, term, verbose, json_path, empty)
    if listing:  # else the command lists the export itself, after its headline
        print_listing(result.export, term, verbose)
    if result.runs.empty:
        if json_path:
            with writing_to(json_path):
                result.write_json(json_path)
        when = f"{since or 'the start'} and {until or 'the end'}"
        raise click.ClickException(f"{path}: no runs between {when}")
    return result
