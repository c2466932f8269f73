"""hamstring-analyzer: the training patterns behind sore hamstrings, from a runner's watch data.

The library comes first; the ``hamstring-analyzer`` command is a thin layer on it.

>>> import hamstring_analyzer as ha
>>> activities = ha.read_activities("run.fit")        # one file
>>> export = ha.load_runs("my-garmin-export/")        # a whole export
>>> result = ha.analyze(export)                        # weeks, per-run metrics, flags

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
    "Export": "export",
    "load_runs": "export",
    "Analysis": "analysis",
    "analyze": "analysis",
    "Config": "config",
    "load_config": "config",
    "plan_week": "plan",
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
    "analyze",
    "load_config",
    "load_runs",
    "plan_week",
    "read_activities",
    "__version__",
]

if _typing.TYPE_CHECKING:  # what static checkers and editors see; nothing is imported at run time
    from .activity import Activity
    from .analysis import Analysis, analyze
    from .config import Config, load_config
    from .export import Export, load_runs
    from .plan import plan_week
    from .readers import read_activities


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is an ordinary one
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
