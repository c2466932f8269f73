"""What ingest, analyze and plan do once their options are checked: read, analyse, print, write the JSON.

It imports the library (pandas, the readers) at its top, so `runner`
imports it inside these commands only: ``--help`` and the symptom log start
without it. The report command has its own module, since it needs matplotlib.
"""

from __future__ import annotations

import textwrap

from .. import units as u
from ..glossary import DISCLAIMER
from ..plan import plan_week
from ..render.text import episodes_text, first_screen_text, headline, insights_text, plan_text, runs_listing, text_width, weeks_legend, weeks_table
from .common import STDOUT, Terminal, writing_to
from .reading import analyse_export, load_export, print_listing


def ingest(path, json_path, cache_dir, no_cache, workers, timezone, quiet, verbose):
    """The runs found in ``path``: a headline, each run with -v, the files skipped; the JSON when asked for."""
    term = Terminal(json_path, quiet)
    export = load_export(path, cache_dir, no_cache, workers, timezone, quiet, verbose, json_path, term)
    if json_path:  # first, so that a closed pipe on the summary below cannot lose it
        with writing_to(json_path):
            export.write_json(json_path)
    dates = [a.start_local.date() for a in export.runs]
    term.echo(headline(export, sum(a.distance_m or 0 for a in export.runs), min(dates), max(dates)))
    if verbose and not quiet:
        for line in runs_listing(export):
            term.echo(line)
    print_listing(export, term, verbose)
    _wrote(term, json_path)


def analyze(path, config_path, symptoms_path, json_path, units, since, until, n_weeks, max_flags, export_opts: dict):
    """The analysis of ``path``: headline, first screen, weeks table, episodes, insights, disclaimer; the JSON when asked for."""
    term = Terminal(json_path, export_opts["quiet"])
    result = analyse_export(path, config_path, units, symptoms_path, export_opts, since=since, until=until, term=term, json_path=json_path,
                            listing=False)
    if json_path:  # first, so that a closed pipe on the summary below cannot lose it
        with writing_to(json_path):
            result.write_json(json_path)
    runs = result.runs
    term.echo(headline(result.export, runs["distance_m"].sum(), min(runs["local_date"]), max(runs["local_date"]), len(runs), result.config.units))
    print_listing(result.export, term, export_opts["verbose"])
    term.echo("")
    term.echo(first_screen_text(result, colour=term.colour))
    term.echo("")
    term.echo(weeks_table(result, n_weeks, with_headline=False))
    term.echo(weeks_legend(result.config))
    term.echo("")
    if export_opts["verbose"]:
        term.echo(episodes_text(result, max_flags, colour=term.colour))
    else:
        n = len(result.episodes)
        term.echo(f"{u.plural(n, 'episode')} ({u.plural(len(result.flags), 'flag')}) in this period; -v lists them, --json holds every flag.")
    term.echo("")
    if result.insights is not None:
        term.echo(insights_text(result))
        term.echo("")
    term.echo(textwrap.fill(DISCLAIMER, width=text_width()))
    _wrote(term, json_path)


def plan(path, until, json_path, config_path, units, export_opts: dict):
    """Next week's ceilings for ``path`` as text and a disclaimer; the JSON when asked for."""
    term = Terminal(json_path, export_opts["quiet"])
    result = analyse_export(path, config_path, units, None, export_opts, until=until, term=term)
    next_week = plan_week(result.runs, result.config, until)
    if json_path:  # first, so that a closed pipe on the text below cannot lose it
        with writing_to(json_path):
            next_week.write_json(json_path)
    term.echo(plan_text(next_week))
    term.echo("")
    term.echo(textwrap.fill(DISCLAIMER, width=min(80, text_width())))
    _wrote(term, json_path)


def _wrote(term: Terminal, json_path) -> None:
    """The last line, naming the JSON file written (none when it went to standard output)."""
    if json_path and json_path != STDOUT:
        term.echo(f"Wrote {json_path}")
