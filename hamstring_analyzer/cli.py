"""The ``hamstring-analyzer`` command: a thin layer over the library.

Each command opens its inputs, calls one library function, and turns the
library's own errors into a one-line message and exit code 1, never a traceback.
"""

from __future__ import annotations

import click

from . import __version__, commands
from .commands import friendly_errors  # noqa: F401  (its home before the subcommands moved out)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hamstring-analyzer")
def main():
    """Find the training patterns behind sore hamstrings in a watch export.

    Flags are "worth a look", not diagnoses. This tool is not medical advice:
    persistent pain deserves a physiotherapist or doctor.
    """


for _command in commands.COMMANDS:
    main.add_command(_command)
