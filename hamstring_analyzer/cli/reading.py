"""Reading an export for a command: its runs or its analysis, the config used, the files skipped.

The common start of ingest, analyze, plan and report. It imports the
library (pandas, the readers) at its top, so only the work modules import
it, once a command runs: ``--help`` and the symptom log never load it.
"""

from __future__ import annotations

import os

import click

from ..analysis import analyze_athlete, require_some_runs
from ..config import find_config, load_config, user_config_path
from ..errors import NoRunsError
from ..ingest import load_runs
from ..render.text import export_listing, paint
from ..store import StoredSamplesError
from .common import Terminal, terminal_progress, writing_to


def load_export(path, cache_dir, no_cache, workers, timezone, quiet, verbose, json_path, term: Terminal):
    """Call `load_runs` with a progress bar on a terminal; exit 1 when no run was found.

    With ``json_path``, an export without runs is still written (``runs`` empty,
    the skipped, unreadable and ignored files with their reasons) before the
    command exits 1, saying why in one line.
    """
    load = dict(workers=workers, cache_dir=cache_dir, use_cache=not no_cache, timezone=timezone)
    with terminal_progress("Reading files", quiet) as progress:
        try:
            export = load_runs(path, progress=progress, **load)
        except StoredSamplesError:  # a joined run's part damaged in the store (deleted when found): its file is read again
            export = load_runs(path, progress=progress, **load)
    try:
        require_some_runs(export, path)
    except NoRunsError as exc:
        no_runs(exc, term, verbose, json_path, None)
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
    for line in export_listing(export, verbose):
        term.note(paint(line, "alert", term.colour) if line.startswith("Could not read") else line)


def read_config(config_path, units, term: Terminal):
    """The config (``--config``, else $HAMSTRING_ANALYZER_CONFIG, else the user's file, else defaults), saying which."""
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
