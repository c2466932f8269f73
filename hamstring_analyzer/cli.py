"""The ``hamstring-analyzer`` command: a thin layer over the library.

Each command opens its inputs, calls one library function, and turns the
library's own errors into a one-line message and exit code 1, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys

import click

from . import __version__
from .errors import HamstringAnalyzerError


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hamstring-analyzer")
def main():
    """Find the training patterns behind sore hamstrings in a watch export.

    Flags are "worth a look", not diagnoses. This tool is not medical advice:
    persistent pain deserves a physiotherapist or doctor.
    """


from . import commands  # noqa: E402,F401  (registers the subcommands)
