"""What every test shares: isolation from the machine, the hypothesis profiles, the real files and their decodes.

* Isolation: each test runs with its own ``HOME`` and XDG folders, so the
  store (user cache folder), the config and anything else per user are
  the test's own, never the person's running the tests; subprocesses inherit them.
* Hypothesis: the ``ci`` profile (the default) runs each property's own bounded
  number of examples, the same ones every run (derandomized), with a deadline
  per example; ``HYPOTHESIS_PROFILE=thorough`` fuzzes locally: 20 times the
  examples, random, remembered between runs.
* Real files (``../shared/real_runs``, described by ``INDEX.md``): decoded
  once per test session and handed to every test that needs them
  (`real_read`, `real_parsed`, `real_export`); tests must not change what
  they are handed. The same for the real runners' histories
  (``../shared/real_histories``, `real_history`, `needs_real_histories`).
  Without a folder beside the checkout, the tests that need it are deselected
  at collection and counted in one line at the end
  ("44 tests need ../shared/real_runs: skipped"), never listed one by one.
  ``HAMSTRING_REAL_RUNS`` and ``HAMSTRING_REAL_HISTORIES`` point elsewhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

settings.register_profile("ci", derandomize=True, database=None, deadline=dt.timedelta(seconds=30), print_blob=True)
settings.register_profile("thorough", deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
_SCALE = {"thorough": 20}


def pytest_addoption(parser):
    parser.addoption("--all-references", action="store_true",
                     help="compare the FIT decoder with fitparse on every real FIT file, not a sample (slow)")  # fmt: skip


def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist: a module's tests on one worker (its module fixtures are made once),
    and the tests marked with one ``xdist_group`` together (the real files decoded once)."""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleOrGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if "@" in nodeid:  # --dist loadgroup tags a grouped test's id with its group
                return nodeid.rsplit("@", 1)[-1]
            return nodeid.split("::", 1)[0]

    return ModuleOrGroup(config, log)


def pytest_report_header(config):
    where = f"{len(MANIFEST)} files in {REAL_RUNS}" if MANIFEST else f"none ({ABSENT}: their tests are deselected)"
    return [f"real files: {where}", f"hypothesis profile: {PROFILE}"]


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_shared(name): the test reads ../shared/<name> (deselected without it)")


#: The folders of ``../shared`` tests may need, by marker name, and the fixtures that read each.
SHARED_FIXTURES = {"real_runs": {"real_export", "phone_runner"}, "real_histories": {"real_history"}}
_DESELECTED = pytest.StashKey[dict]()


def _shared_needed(item) -> set[str]:
    """The ``../shared`` folders a test reads: by its marker, or by the session fixtures it uses."""
    names = {mark.args[0] for mark in item.iter_markers("needs_shared")}
    fixtures = set(getattr(item, "fixturenames", ()))
    return names | {name for name, uses in SHARED_FIXTURES.items() if fixtures & uses}


def pytest_collection_modifyitems(config, items):
    """Deselect the tests whose ``../shared`` folder is absent: counted once at the end, not one line each."""
    absent = {name for name, there in (("real_runs", bool(MANIFEST)), ("real_histories", _histories_there())) if not there}
    counts: dict[str, int] = {}
    if absent:
        keep, drop = [], []
        for item in items:
            missing = _shared_needed(item) & absent
            if missing:
                drop.append(item)
                for name in missing:
                    counts[name] = counts.get(name, 0) + 1
            else:
                keep.append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    config.stash[_DESELECTED] = counts
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: the controller prints the line
        config.workeroutput["shared_deselected"] = counts


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist's controller: every worker collects the whole suite, so any one worker's count is the count."""
    counts = getattr(node, "workeroutput", {}).get("shared_deselected")
    if counts is not None:
        node.config.stash[_DESELECTED] = counts


def pytest_terminal_summary(terminalreporter, config):
    """The tests of an absent ``../shared`` folder in one line per folder (deselected, or skipped while
    running), then the other skips once per reason, with a count (``-ra`` would list each test's)."""
    if hasattr(config, "workerinput"):
        return
    shared = dict(config.stash.get(_DESELECTED, {}))
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        folder = re.search(r"\.\./shared/(\w+)", reason)
        if folder:
            shared[folder[1]] = shared.get(folder[1], 0) + 1
        else:
            reasons[reason] = reasons.get(reason, 0) + 1
    for name, count in sorted(shared.items()):
        terminalreporter.write_line(f"{count} {'test needs' if count == 1 else 'tests need'} ../shared/{name}: skipped")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"skipped {count}: {reason}")


def examples(n: int) -> int:
    """A property's number of examples: ``n`` in CI, more when fuzzing (``HYPOTHESIS_PROFILE=thorough``)."""
    return n * _SCALE.get(PROFILE, 1)

REPO = Path(__file__).resolve().parents[1]
REAL_RUNS = Path(os.environ.get("HAMSTRING_REAL_RUNS", REPO.parent / "shared" / "real_runs"))
SAMPLE_RUNS = REPO / "sample_runs"


@dataclass(frozen=True)
class RealFile:
    """One row of real_runs/INDEX.md."""

    path: str
    fmt: str
    sports: str
    cadence: bool
    raw_cadence_median: float | None
    error: str

    @property
    def full(self) -> Path:
        return REAL_RUNS / self.path


def _manifest() -> list[RealFile]:
    index = REAL_RUNS / "INDEX.md"
    if not index.exists():
        return []
    rows = []
    for line in index.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 13 or cells[1] not in {"FIT", "GPX", "TCX"}:
            continue
        med = cells[11]
        rows.append(
            RealFile(
                path=cells[0],
                fmt=cells[1],
                sports=cells[2],
                cadence=cells[7] == "Y",
                raw_cadence_median=float(med) if med else None,
                error=cells[12],
            )
        )
    return rows


MANIFEST = _manifest()
ABSENT = "../shared/real_runs is not beside this checkout"
#: Tests of the real files run on one worker under pytest-xdist (``--dist loadgroup``),
#: so the files are decoded once per session, not once per worker.
REAL_RUNS_GROUP = pytest.mark.xdist_group("real_runs")
NEEDS_REAL_RUNS = pytest.mark.needs_shared("real_runs")


def needs_real_runs(test):
    """Marks a test that reads ``../shared/real_runs``: deselected without it, grouped with the other real-file tests."""
    return REAL_RUNS_GROUP(NEEDS_REAL_RUNS(pytest.mark.skipif(not MANIFEST, reason=ABSENT)(test)))


def real_files(fmt: str | None = None) -> list:
    """Parameters for every real file (one placeholder, deselected, when the folder is absent)."""
    files = [f for f in MANIFEST if fmt is None or f.fmt == fmt]
    if not files:
        return [pytest.param(None, marks=[NEEDS_REAL_RUNS, pytest.mark.skip(reason=ABSENT)])]
    return [pytest.param(f, id=f.path, marks=[REAL_RUNS_GROUP, NEEDS_REAL_RUNS]) for f in files]


@pytest.fixture(autouse=True)
def _own_home(monkeypatch, tmp_path_factory):
    """The test's own home and per-user folders (cache, config, data), for it and the processes it starts."""
    from hamstring_analyzer import config

    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_STATE_HOME", ".local/state")):  # fmt: skip
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv(config.CONFIG_ENV, raising=False)
    monkeypatch.delenv("HAMSTRING_DEBUG", raising=False)


# ------------------------------------------------------ real files, decoded once per session ---


@functools.lru_cache(maxsize=None)
def _read(path: str):
    from hamstring_analyzer import read_activities
    from hamstring_analyzer.errors import NotAnActivityError, ParseError

    try:
        return read_activities(REAL_RUNS / path)
    except (NotAnActivityError, ParseError) as exc:
        return exc


@functools.lru_cache(maxsize=None)
def _parse(path: str):
    from hamstring_analyzer.ingest import parse_bytes

    return parse_bytes(path, (REAL_RUNS / path).read_bytes())


def real_read(real: "RealFile"):
    """`read_activities` of a real file, once per session: its activities, or the NotAnActivityError/ParseError it raised."""
    return _read(real.path)


def real_parsed(real: "RealFile"):
    """`parse_bytes` of a real file (sport judged, runs cleaned, statistics), once per session."""
    return _parse(real.path)


@pytest.fixture(scope="session")
def real_export(tmp_path_factory):
    """All of ``../shared/real_runs`` read as one export, into a store of the session's: (export, store folder)."""
    if not MANIFEST:
        pytest.skip(ABSENT)
    from hamstring_analyzer.ingest import load_runs

    folder = tmp_path_factory.mktemp("real-store")
    return load_runs(REAL_RUNS, cache_dir=folder, workers=2), folder


@pytest.fixture(scope="session")
def phone_runner(real_export):
    """The phone runner's year (``runpandas/examples/session``, 68 runs), read warm from the session's store."""
    from hamstring_analyzer.ingest import load_runs

    return load_runs(REAL_RUNS / "runpandas/examples/session", cache_dir=real_export[1], workers=1)


# ------------------------------------------------ real histories, read once per session ---

REAL_HISTORIES = Path(os.environ.get("HAMSTRING_REAL_HISTORIES", REPO.parent / "shared" / "real_histories"))
HISTORIES_ABSENT = "../shared/real_histories is not beside this checkout"
#: Tests of the real histories run on one worker under pytest-xdist, so each history is read once per session.
REAL_HISTORIES_GROUP = pytest.mark.xdist_group("real_histories")


def _histories_there() -> bool:
    return (REAL_HISTORIES / "README.md").exists()


def needs_real_histories(test):
    """Marks a test that reads ``../shared/real_histories``: deselected without it, grouped with the other history tests."""
    absent = not _histories_there()
    marked = pytest.mark.needs_shared("real_histories")(pytest.mark.skipif(absent, reason=HISTORIES_ABSENT)(test))
    return REAL_HISTORIES_GROUP(marked)


@pytest.fixture(scope="session")
def real_history(tmp_path_factory):
    """``real_history("clf3")``: that runner's files (``real_histories/<runner>/files``) as an Export, read once
    per session into the session's store. All three runners live in UTC+8, the zone for files with no position."""
    if not (REAL_HISTORIES / "README.md").exists():
        pytest.skip(HISTORIES_ABSENT)
    from hamstring_analyzer.ingest import load_runs

    folder = tmp_path_factory.mktemp("history-store")

    @functools.lru_cache(maxsize=None)
    def load(runner: str):
        return load_runs(REAL_HISTORIES / runner / "files", cache_dir=folder, workers=2, timezone="Asia/Shanghai")

    return load


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """A store holding ``sample_runs/`` (ingested once per session): its folder, for ``--cache-dir``.

    Tests that read it get warm ingests; a test that wants a cold one uses its own folder.
    """
    from hamstring_analyzer.ingest import load_runs

    folder = tmp_path_factory.mktemp("sample-store")
    load_runs(SAMPLE_RUNS, cache_dir=folder, workers=2)
    return folder


@pytest.fixture(scope="session")
def sample_export(sample_store):
    """``sample_runs/`` read from the session's store (a warm ingest)."""
    from hamstring_analyzer.ingest import load_runs

    return load_runs(SAMPLE_RUNS, cache_dir=sample_store, workers=2)
