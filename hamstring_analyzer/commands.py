"""Subcommands of ``hamstring-analyzer``; each calls one library function."""

from __future__ import annotations

import click

from .cli import friendly_errors, main
