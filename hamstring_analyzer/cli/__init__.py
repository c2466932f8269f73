"""The ``hamstring-analyzer`` command: a thin layer over the library.

Each command opens its inputs, calls one library function, and turns the
library's own errors into a one-line message and exit code 1, never a traceback.
The package's modules import only downwards, so there is no import cycle:
`common` (light: options, errors, where the text goes), `reading` (an
export read and analysed), the work modules (`runner_work`, `report_work`,
`many_work`: what a command does), the command modules (`runner`, `many`:
options and help), then this one. A command module imports its work module
inside the command, so that ``--help`` and the symptom log load no pandas.
"""

from __future__ import annotations

import click

from .. import __version__
from . import many, runner
from .common import SafeGroup, friendly_errors  # noqa: F401  (part of the CLI's surface: tests and plugins wrap commands with it)


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hamstring-analyzer")
def main():
    """Find the training patterns behind sore hamstrings in a watch export.

    Flags are "worth a look", not diagnoses. This tool is not medical advice:
    persistent pain deserves a physiotherapist or doctor.
    """


for _command in runner.COMMANDS + many.COMMANDS:
    main.add_command(_command)
