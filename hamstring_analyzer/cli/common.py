"""What every command shares: one-line errors, the options, where the text goes, progress, writing a file.

Light on purpose: it imports no library module that loads pandas,
matplotlib or the readers, since every command module imports it, and
``--help`` and the symptom log commands must start without them. Reading an
export is in `reading`, which only the work modules import.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys

import click

from ..errors import HamstringAnalyzerError
from ..jsonfile import STDOUT
from ..safetext import terminal_lines


def friendly_errors(func):
    """Turn the library's errors (and a few OS ones) into one-line messages."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except HamstringAnalyzerError as exc:
            raise click.ClickException(terminal_lines(str(exc))) from None
        except BrokenPipeError:
            # Output piped into `head` and closed: stop quietly, as other command-line tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # the commands name the file they write; this is the net below them
            reason = exc.strerror or str(exc)
            raise click.ClickException(terminal_lines(f"{exc.filename}: {reason}" if exc.filename else reason)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing half-written was left behind.", err=True)
            sys.exit(130)
        except click.ClickException as exc:  # ours name paths and reasons from files: no escape reaches the terminal
            exc.message = terminal_lines(exc.message)
            raise
        except Exception as exc:  # a bug of ours: one line for the user, the traceback on request
            if os.environ.get("HAMSTRING_DEBUG"):
                raise
            raise click.ClickException(terminal_lines(
                f"internal error ({type(exc).__name__}: {exc}); please report it, with HAMSTRING_DEBUG=1 for details"
            )) from None

    return wrapper


class SafeGroup(click.Group):
    """The command group: click's own errors (a bad option value, an unexpected argument, an unknown command) quote
    what was typed, so their text goes through `terminal_lines` too ("Got unexpected extra argument (evil\\x1b]0;...)"),
    as the commands' own errors do in `friendly_errors`."""

    def make_context(self, info_name, args, parent=None, **extra):
        with _safe_click_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        with _safe_click_errors():  # each command's options are parsed here
            return super().invoke(ctx)


@contextlib.contextmanager
def _safe_click_errors():
    try:
        yield
    except click.ClickException as exc:
        exc.message = terminal_lines(exc.message)
        raise


#: The days a date option may name: a run, a plan or a report outside them is a typing slip, and
#: a day near 9999 overflows every week and plan computed from it.
DATE_YEARS = (1970, 2200)


class _Day(click.DateTime):
    """A date option (YYYY-MM-DD, as click's datetime), refused in one line outside `DATE_YEARS`."""

    def convert(self, value, param, ctx):
        day = super().convert(value, param, ctx)
        if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
            self.fail(f"{day.year:04d}-{day.month:02d}-{day.day:02d} is out of range; give a day between {DATE_YEARS[0]} and {DATE_YEARS[1]}", param, ctx)
        return day


#: A date option: shown as YYYY-MM-DD in --help, not as click's ``[%Y-%m-%d]``.
DATE = _Day(["%Y-%m-%d"])
DATE_METAVAR = "YYYY-MM-DD"


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
        echo(text, err=self.err, colour=self.colour)

    def note(self, text: str) -> None:
        """A note beside the results (the config used, the listing): on standard error, never with --quiet."""
        if not self.quiet:
            echo(text, err=True, colour=self.colour)


def echo(text: str = "", err: bool = False, colour: bool | None = None) -> None:
    """``click.echo`` for our text: a control character from a file name or a reason is shown (``\\x1b``), never obeyed.

    Line breaks, tabs and, with ``colour``, our own colour sequences are kept.
    """
    click.echo(terminal_lines(text, colour=bool(colour)), err=err, color=colour)


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


def _date(value):
    """The day of a `DATE` option's value (click gives a datetime), or None."""
    return value.date() if value is not None else None
