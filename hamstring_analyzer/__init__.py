"""hamstring-analyzer: the training patterns behind sore hamstrings, from a runner's watch data.

The library comes first; the ``hamstring-analyzer`` command is a thin layer on it.

>>> import hamstring_analyzer as ha
>>> activities = ha.read_activities("run.fit")        # one file
>>> export = ha.load_runs("my-garmin-export/")        # a whole export
>>> result = ha.analyze(export)                        # weeks, per-run metrics, flags
>>> result = ha.analyze_path("export/", config="me.toml", symptoms="my-symptoms.csv")  # what the CLI's analyze does
>>> result.weeks.loc["2026-06"]                        # weeks on a tz-aware DatetimeIndex

Importing the package is quick: the layers built on pandas (the readers, the
export, the analysis) load on first use of a name that needs them (PEP 562),
so that ``hamstring-analyzer --help`` and the symptom log commands start at once.
"""

import importlib as _importlib
import typing as _typing

from .errors import ConfigError, HamstringAnalyzerError, NotAnActivityError, ParseError, SymptomLogError

__version__ = "0.1.0"

#: Public names that load their module on first use, and that module.
_LAZY = {
    "Activity": "activity",
    "read_activities": "readers",
    "Export": "ingest",
    "load_runs": "ingest",
    "Analysis": "analysis",
    "analyze": "analysis",
    "analyze_path": "analysis",
    "Config": "config",
    "load_config": "config",
    "find_config": "config",
    "plan_week": "plan",
    "read_log": "symptoms",
    "add_entry": "symptoms",
    "SymptomEntry": "symptoms",
    "flags_frame": "rules",
    "runs_table": "metrics.runs",
    "weekly_summary": "metrics.weekly",
}

__all__ = [
    "Activity",
    "Analysis",
    "Config",
    "ConfigError",
    "Export",
    "HamstringAnalyzerError",
    "NotAnActivityError",
    "ParseError",
    "SymptomLogError",
    "SymptomEntry",
    "add_entry",
    "analyze",
    "analyze_path",
    "find_config",
    "flags_frame",
    "load_config",
    "load_runs",
    "plan_week",
    "read_activities",
    "read_log",
    "runs_table",
    "weekly_summary",
    "__version__",
]

if _typing.TYPE_CHECKING:  # what static checkers and editors see; nothing is imported at run time
    from .activity import Activity
    from .analysis import Analysis, analyze, analyze_path
    from .config import Config, find_config, load_config
    from .ingest import Export, load_runs
    from .plan import plan_week
    from .readers import read_activities
    from .rules import flags_frame
    from .metrics.runs import runs_table
    from .symptoms import SymptomEntry, add_entry, read_log
    from .metrics.weekly import weekly_summary


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is an ordinary one
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
