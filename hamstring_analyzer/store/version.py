"""The run store's code version: a hash of the modules whose code decides what the store holds.

A stored file's numbers were computed by a reader, the cleaning, the sport
judgement and the per-run statistics. When any of that code changes, what
is stored would be computed differently, so the store reads only segments
written by the same code (`code_version` in each segment's metadata). The
thresholds those modules use come from the config's ``[ingest]`` section and
are part of each file's key instead (`ingest.sources.source_key`).

The modules are declared by name, not found by walking folders, and the
declaration is checked (``tests/store/test_version.py``): every module an
ingest imports is either in `COMPUTING_MODULES` or in `NOT_COMPUTING` with the
reason. A moved or new module then fails that test instead of silently
leaving the hash, and a module that only words or moves things (the reasons
in `ingest.wording`, the worker pool) can change without throwing every
user's store away.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from .. import __version__

PACKAGE = "hamstring_analyzer"

#: The modules whose code computes what the store holds (readers, cleaning, judgement, statistics, layout).
COMPUTING_MODULES = (
    "hamstring_analyzer.activity",
    "hamstring_analyzer.clean",
    "hamstring_analyzer.clean.gps",
    "hamstring_analyzer.clean.span",
    "hamstring_analyzer.clean.speed",
    "hamstring_analyzer.clean.values",
    "hamstring_analyzer.glossary",
    "hamstring_analyzer.ingest.classify",
    "hamstring_analyzer.ingest.parse",
    "hamstring_analyzer.metrics",
    "hamstring_analyzer.metrics.bands",
    "hamstring_analyzer.metrics.elevation",
    "hamstring_analyzer.metrics.fast",
    "hamstring_analyzer.metrics.form",
    "hamstring_analyzer.metrics.profile",
    "hamstring_analyzer.metrics.session_load",
    "hamstring_analyzer.metrics.summary",
    "hamstring_analyzer.numbers",
    "hamstring_analyzer.readers",
    "hamstring_analyzer.readers.apple_health",
    "hamstring_analyzer.readers.apple_samples",
    "hamstring_analyzer.readers.apple_workouts",
    "hamstring_analyzer.readers.daily_log",
    "hamstring_analyzer.readers.files",
    "hamstring_analyzer.readers.fit",
    "hamstring_analyzer.readers.fit.fast",
    "hamstring_analyzer.readers.fit.plausible",
    "hamstring_analyzer.readers.fit.profile",
    "hamstring_analyzer.readers.fit.reference",
    "hamstring_analyzer.readers.fit.sessions",
    "hamstring_analyzer.readers.garmin_summary",
    "hamstring_analyzer.readers.gpx",
    "hamstring_analyzer.readers.opener",
    "hamstring_analyzer.readers.polar",
    "hamstring_analyzer.readers.registry",
    "hamstring_analyzer.readers.sports",
    "hamstring_analyzer.readers.strava_csv",
    "hamstring_analyzer.readers.summary_only",
    "hamstring_analyzer.readers.tcx",
    "hamstring_analyzer.readers.track",
    "hamstring_analyzer.readers.xmlsafe",
    "hamstring_analyzer.samples",
    "hamstring_analyzer.store",
    "hamstring_analyzer.store.files",
    "hamstring_analyzer.store.schema",
    "hamstring_analyzer.store.segments",
    "hamstring_analyzer.store.stored",
    "hamstring_analyzer.store.version",
    "hamstring_analyzer.timezones",
)

#: Modules an ingest imports whose code never changes a stored number, and why.
NOT_COMPUTING = {
    "hamstring_analyzer": "the package's lazy names (its version is hashed on its own)",
    "hamstring_analyzer.config": "the [ingest] values are part of each file's key; the code only checks them",
    "hamstring_analyzer.atomic": "how a store entry is written (whole, renamed into place), not what it holds",
    "hamstring_analyzer.jsonfile": "writing the ingest JSON, after loading",
    "hamstring_analyzer.safetext": "text made safe to show or write (terminal, JSON, pages, CSV cells), after loading",
    "hamstring_analyzer.dates": "days for a run's week, after loading (never stored)",
    "hamstring_analyzer.errors": "exception types; the reasons stored are written by the readers",
    "hamstring_analyzer.tomlfile": "reading a config file; the [ingest] values themselves key each file",
    "hamstring_analyzer.units": "formatting, imported by config",
    "hamstring_analyzer.metrics.weekly": "the runner's zone for Export.runs_frame and a run's week, after loading (never stored)",
    "hamstring_analyzer.store.temporary": "where a --no-cache store lives and when it goes, not what it holds",
    "hamstring_analyzer.workers": "how worker processes start",
    "hamstring_analyzer.ingest": "the package's names",
    "hamstring_analyzer.ingest.load": "two passes and the Export, in the ingest's own process, on stored results",
    "hamstring_analyzer.ingest.join": "parts of one workout joined in the ingest's own process, on stored results (never stored)",
    "hamstring_analyzer.ingest.pool": "where files are parsed, not how",
    "hamstring_analyzer.ingest.sources": "which files are read; their bytes (source_key) key the store",
    "hamstring_analyzer.ingest.wording": "display strings",
}


def module_path(package_dir: Path, name: str) -> Path:
    """The source file of module ``name`` (dotted, under `PACKAGE`) in ``package_dir``, without importing it."""
    parts = name.split(".")[1:]
    folder = package_dir.joinpath(*parts)
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


def modules_digest(package_dir: Path, version: str) -> str:
    """A hash of ``version`` and the source of every `COMPUTING_MODULES` module in ``package_dir``."""
    h = hashlib.blake2b(version.encode(), digest_size=8)
    for name in COMPUTING_MODULES:
        h.update(name.encode() + b"\0")
        with contextlib.suppress(OSError):
            h.update(module_path(package_dir, name).read_bytes())
    return h.hexdigest()


_CODE_VERSION: str | None = None


def code_version() -> str:
    """This build's code version (computed once per process)."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        _CODE_VERSION = modules_digest(Path(__file__).resolve().parent.parent, __version__)
    return _CODE_VERSION
