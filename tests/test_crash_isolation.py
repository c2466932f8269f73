"""A parser crash costs only its file (issue 13, case 1).

A GPX whose track point carries 200,000 nested extension elements (1.4 MB)
overflowed gpxpy's stack: a real segmentation fault, not an exception. Before
the fix it killed the whole run (exit 139) with one worker, and with two it
ended the run with "internal error (BrokenProcessPool)" and cached that error
for innocent files. The GPX reader now streams and refuses such nesting
(issue 27), so the crash itself comes from a stand-in parser
(`standins.crashes_on_crash`: the real parser, with files named "crash" dying
on signal 11) run by the real command. Every run with a crashing or dying
parser here is a real process with a timeout, so a regression fails (instead
of killing or hanging the suite); the stale-entry test needs no crash and runs
in this process.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hamstring_analyzer.store import RunStore, cacheable, content_key
from hamstring_analyzer.ingest import FAILED, load_runs
from hamstring_analyzer.ingest.wording import crash_reason
from hamstring_analyzer.synthetic import easy_run, write_fit

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 180
N_GOOD = 5


def crash_gpx(depth: int = 200_000) -> bytes:
    """One track point whose extensions nest ``depth`` elements deep: segfaulted gpxpy."""
    return (
        b'<?xml version="1.0"?><gpx version="1.1" creator="x"><trk><trkseg>'
        b'<trkpt lat="1" lon="1"><time>2026-01-01T00:00:00Z</time><extensions>'
        + b"<a>" * depth + b"</a>" * depth
        + b"</extensions></trkpt></trkseg></trk></gpx>"
    )


def _export(folder: Path, n_good: int = N_GOOD, crashers: tuple[str, ...] = ("crash.gpx",)) -> Path:
    folder.mkdir()
    for day in range(2, 2 + n_good):
        (folder / f"run{day:02d}.fit").write_bytes(write_fit(easy_run(dt.datetime(2026, 3, day, 7, 0), 5, seed=day)))
    for name in crashers:
        (folder / name).write_bytes(crash_gpx())
    return folder


#: The real command, with the stand-in parser that crashes on files named "crash" (workers import it by name).
COMMAND = """
import sys
import hamstring_analyzer.ingest.load as load
from hamstring_analyzer.cli import main
from tests.standins import crashes_on_crash
load.parse_bytes = crashes_on_crash
sys.argv = ["hamstring-analyzer", *sys.argv[1:]]
main()
"""


def ingest(export: Path, out: Path, *flags) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", COMMAND, "ingest", str(export), "--json", str(out), *map(str, flags)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=REPO)


def cache_entries(cache_dir: Path) -> list:
    store = RunStore(cache_dir)
    return [store.get(key) for key in store.keys()]


def test_the_deep_gpx_that_crashed_gpxpy_is_refused_with_a_reason(tmp_path):
    """The file that segfaulted the parser in-process is now one line (in a process of its own, in case it regresses)."""
    bad = tmp_path / "deep.gpx"
    bad.write_bytes(crash_gpx())
    code = f"from hamstring_analyzer.ingest import parse_bytes\nprint(parse_bytes('deep.gpx', open({str(bad)!r}, 'rb').read()))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT_S, cwd=REPO)
    assert proc.returncode == 0, proc.returncode
    assert proc.stdout.strip() == "('error', 'not a readable GPX file (its XML nests elements more than 64 deep)')"


def test_the_stand_in_really_segfaults(tmp_path):
    """The premise of the tests below: the stand-in kills its process with signal 11 on a "crash" file."""
    code = "from tests.standins import crashes_on_crash\ncrashes_on_crash('crash.gpx', b'<gpx/>')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT_S, cwd=REPO)
    assert proc.returncode == -signal.SIGSEGV


@pytest.mark.parametrize("workers", [1, 2])
def test_a_crashing_file_costs_only_itself(tmp_path, workers):
    export = _export(tmp_path / "export")
    cache_dir = tmp_path / "cache"
    for attempt in ("first run", "second run, same cache"):
        out = tmp_path / f"{attempt[:5]}.json"
        proc = ingest(export, out, "--workers", workers, "--cache-dir", cache_dir)
        assert proc.returncode == 0, (attempt, proc.stderr)
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
        doc = json.loads(out.read_text())
        assert len(doc["runs"]) == N_GOOD, attempt
        [error] = doc["errors"]
        assert error["source"] == "crash.gpx"
        assert error["error"] == "the parser crashed on this file (signal 11: segmentation fault); skipped"
        assert proc.stderr.strip() == f"error: crash.gpx: {error['error']}"
    entries = cache_entries(cache_dir)
    assert len(entries) == N_GOOD  # the good files, and nothing for the crash
    assert all(kind == "ok" for kind, _ in entries)
    assert "BrokenProcessPool" not in repr(entries) and "crash" not in repr(entries)


def test_two_crashing_files_among_many_good_ones(tmp_path):
    """More files than the pool's window, two crashers: both named, every good run read."""
    export = _export(tmp_path / "export", n_good=12, crashers=("a-crash.gpx", "m-crash.gpx"))
    out = tmp_path / "out.json"
    proc = ingest(export, out, "--workers", 2, "--cache-dir", tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert len(doc["runs"]) == 12
    assert [e["source"] for e in doc["errors"]] == ["a-crash.gpx", "m-crash.gpx"]
    assert all("signal 11" in e["error"] for e in doc["errors"])
    assert len(cache_entries(tmp_path / "cache")) == 12


KILLER = """
import sys
import hamstring_analyzer.ingest as ex
from tests.standins import killer
export = ex.load_runs(sys.argv[1], workers=int(sys.argv[2]), cache_dir=sys.argv[3], parse=killer)
print(len(export.runs))
for e in export.errors:
    print(e["source"], "|", e["error"])
"""


@pytest.mark.parametrize("workers", [1, 3])
def test_killed_exited_and_raising_workers(tmp_path, workers):
    """Out of memory (SIGKILL), an abrupt exit, an exception: each costs one file and none is cached."""
    export = _export(tmp_path / "export", crashers=())
    for name in ("killed.gpx", "exits.gpx", "raises.gpx"):
        (export / name).write_bytes(b"<gpx/>")
    cache_dir = tmp_path / "cache"
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(export), str(workers), str(cache_dir)],
        capture_output=True, text=True, timeout=TIMEOUT_S, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == str(N_GOOD)
    assert lines[1:] == [
        "exits.gpx | the parser process ended on this file without a result (exit code 139); skipped",
        "killed.gpx | the parser was killed on this file (signal 9: killed; out of memory?); skipped",
        "raises.gpx | could not be read: the computer ran out of memory",
    ]
    entries = cache_entries(cache_dir)
    assert len(entries) == N_GOOD and all(kind == "ok" for kind, _ in entries)


def test_a_cached_worker_failure_from_an_older_build_is_discarded(tmp_path):
    """The poisoned entries the old build wrote ("BrokenProcessPool") no longer make a good file unreadable."""
    export = _export(tmp_path / "export", n_good=1, crashers=())
    store = RunStore(tmp_path / "cache")
    key = content_key((export / "run02.fit").read_bytes())
    poisoned = ("error", "could not be parsed (BrokenProcessPool: A process in the process pool was terminated abruptly)")
    _plant(store, key, poisoned)
    assert RunStore(tmp_path / "cache").keys() == [key]
    again = load_runs(export, workers=1, cache_dir=tmp_path / "cache")  # in this process: nothing here crashes
    assert (len(again.runs), again.errors, again.parsed) == (1, [], 1)
    [(kind, _)] = cache_entries(tmp_path / "cache")
    assert kind == "ok"


def _plant(store: RunStore, key: str, result) -> None:
    """Write a summary segment as an older build did, bypassing the store's refusal of failures."""
    from hamstring_analyzer.store.schema import outcome_row
    from hamstring_analyzer.store.segments import write_segment

    store.check()
    write_segment(store.summary_dir, [outcome_row(key, *result)])


def test_cache_refuses_worker_failures(tmp_path):
    cache = RunStore(tmp_path)
    cache.check()
    for key, result in (("aa", (FAILED, crash_reason(-11))), ("bb", ("error", "could not be parsed (BrokenProcessPool: gone)")),
                        ("cc", ("error", "not a readable GPX file (mismatched tag)"))):  # fmt: skip
        cache.add(key * 20, cache.write_samples(key * 20, result))
    cache.close()
    again = RunStore(tmp_path)
    assert again.get("aa" * 20) is None and again.get("bb" * 20) is None
    assert again.get("cc" * 20) == ("error", "not a readable GPX file (mismatched tag)")
    assert not cacheable((FAILED, "x")) and cacheable(("skipped", "not a run"))


def test_crash_reasons():
    assert crash_reason(-11) == "the parser crashed on this file (signal 11: segmentation fault); skipped"
    assert crash_reason(-6) == "the parser crashed on this file (signal 6: aborted); skipped"
    assert crash_reason(-9) == "the parser was killed on this file (signal 9: killed; out of memory?); skipped"
    assert crash_reason(1) == "the parser process ended on this file without a result (exit code 1); skipped"
