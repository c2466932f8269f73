"""hamstring-analyzer: the training patterns behind sore hamstrings, from a runner's watch data.

The library comes first; the ``hamstring-analyzer`` command is a thin layer on it.

>>> import hamstring_analyzer as ha
>>> activities = ha.read_activities("run.fit")        # one file
>>> export = ha.load_runs("my-garmin-export/")        # a whole export
>>> result = ha.analyze(export)                        # weeks, per-run metrics, flags
"""

__version__ = "0.1.0"

from .activity import Activity
from .errors import ConfigError, HamstringAnalyzerError, NotAnActivityError, ParseError, SymptomLogError
from .parsers import read_activities

__all__ = [
    "Activity",
    "ConfigError",
    "HamstringAnalyzerError",
    "NotAnActivityError",
    "ParseError",
    "SymptomLogError",
    "read_activities",
    "__version__",
]


def __getattr__(name):
    # Heavier layers load on first use so that `import hamstring_analyzer` stays quick.
    lazy = {
        "load_runs": "export", "Export": "export", "analyze": "analysis", "Analysis": "analysis",
        "Config": "config", "load_config": "config",
    }  # fmt: skip
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(f".{lazy[name]}", __name__), name)
    raise AttributeError(f"module 'hamstring_analyzer' has no attribute {name!r}")
