"""The run store (issue 12): Parquet on disk, nothing executed on load, private, flat in memory."""

from __future__ import annotations

import gc
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer import glossary as g
from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.cli import main
from hamstring_analyzer.errors import HamstringAnalyzerError
from hamstring_analyzer.ingest import load_runs, parse_bytes
from hamstring_analyzer.store import LAYOUT_FOLDER, RunStore, StoredActivity, content_key
from hamstring_analyzer.store.schema import SUMMARY_SCHEMA
from hamstring_analyzer.metrics.summary import run_summary

from ..conftest import MANIFEST, REAL_RUNS, SAMPLE_RUNS, examples, needs_real_runs, real_parsed

#: How far a stored channel may sit from the parsed one: the narrow types' resolution.
TOLERANCE = {g.DISTANCE: 0.00501, g.ALTITUDE: 0.00501, g.SPEED: 0.000501, g.LATITUDE: 1e-7, g.LONGITUDE: 1e-7}
GARMIN = SAMPLE_RUNS / "export" / "garmin"


def _fresh(path: Path):
    [activity] = [a for a in parse_bytes(path.name, path.read_bytes())[1] if a.is_run]
    return activity


def assert_same_samples(stored: pd.DataFrame, fresh: pd.DataFrame) -> None:
    assert list(stored.columns) == list(fresh.columns)
    assert stored.index.equals(fresh.index)
    for c in fresh.columns:
        a, b = stored[c].to_numpy(), fresh[c].to_numpy()
        assert np.array_equal(np.isnan(a), np.isnan(b)), c
        ok = ~np.isnan(b)
        tol = TOLERANCE.get(c, 1e-6 * max(1.0, float(np.nanmax(np.abs(b)))))
        assert np.max(np.abs(a[ok] - b[ok]), initial=0.0) <= tol, c


@pytest.fixture(scope="module")
def sample_ingests(tmp_path_factory):
    """A cold and a warm ingest of sample_runs/ into this module's own store: (folder, cold, warm)."""
    folder = tmp_path_factory.mktemp("store")
    cold = load_runs(SAMPLE_RUNS, cache_dir=folder, workers=2)
    warm = load_runs(SAMPLE_RUNS, cache_dir=folder, workers=2)
    return folder, cold, warm


def test_a_stored_run_reads_back_as_parsed(sample_ingests):
    _, cold, warm = sample_ingests
    assert warm.parsed == 0 and warm.cache_hits == cold.parsed > 70
    by_source = {a.source: a for a in warm.runs}
    path = GARMIN / "2026-05-10-08-00.fit"
    stored, fresh = by_source["export/garmin/2026-05-10-08-00.fit"], _fresh(path)
    assert isinstance(stored, StoredActivity) and "_records" not in {k for k, v in vars(stored).items() if v is not None}
    assert len(stored.records) == 1767
    assert_same_samples(stored.records, fresh.records)
    fresh.source = stored.source
    assert run_summary(stored) == run_summary(fresh)
    pd.testing.assert_frame_equal(stored.laps, fresh.laps, check_dtype=False)  # the readers mix us and ns
    assert stored.quality == fresh.quality and stored.stats == fresh.stats
    assert stored.warnings == fresh.warnings


def test_cold_warm_and_no_cache_give_the_same_analysis(sample_ingests):
    _, cold, warm = sample_ingests
    docs = [analyze(e).to_dict() for e in (cold, warm, load_runs(SAMPLE_RUNS, use_cache=False, workers=2))]
    assert docs[0] == docs[1] == docs[2]
    assert len(docs[0]["runs"]) == 79 and len(docs[0]["flags"]) == 14  # the story (issue 24)


def test_the_store_is_private_parquet_and_smaller_than_the_files(sample_ingests):
    folder, cold, _ = sample_ingests
    root = folder / LAYOUT_FOLDER
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert not list(folder.rglob("*.pkl"))
    summary = pq.read_table(root / "summary")  # one dataset, readable by any Parquet tool
    assert summary.schema.remove_metadata().equals(SUMMARY_SCHEMA)
    keys = set(summary.column("key").to_pylist())
    assert len(keys) == cold.parsed
    assert int(np.sum(np.array(summary.column("sport").to_pylist()) == "running")) >= 79
    sources = [p for p in SAMPLE_RUNS.rglob("*") if p.is_file() and p.suffix in (".fit", ".gpx", ".tcx", ".zip", ".gz")]
    stored = sum(p.stat().st_size for p in root.rglob("*.parquet"))
    assert stored < sum(p.stat().st_size for p in sources)


def test_runs_hold_no_samples_in_memory(sample_ingests):
    _, _, warm = sample_ingests
    held = [a for a in warm.runs if a.__dict__.get("_records") is not None]
    assert held == []
    assert len(pickle.dumps(warm.runs)) < 15_000 * len(warm.runs)  # summaries and laps, not samples


def test_nothing_in_the_store_executes_when_loaded(tmp_path):
    """A planted pickle, or a Parquet file of another shape, is ignored, deleted, and the file parsed again."""
    folder = tmp_path / "store"
    first = load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    root = folder / LAYOUT_FOLDER
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (root / "summary" / "zz-planted.parquet").write_bytes(pickle.dumps(Evil()))
    pd.DataFrame({"key": ["x"]}).to_parquet(root / "summary" / "zz-foreign.parquet")
    for segment in (root / "summary").glob("*.parquet"):
        segment.write_bytes(pickle.dumps(Evil()))
    again = load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    assert not marker.exists()
    assert (again.parsed, again.cache_hits) == (1, 0)
    assert again.runs[0].distance_m == first.runs[0].distance_m
    assert not (root / "summary" / "zz-planted.parquet").exists() and not (root / "summary" / "zz-foreign.parquet").exists()
    assert load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1).cache_hits == 1


def test_an_entry_of_another_code_version_is_not_read(tmp_path, monkeypatch):
    import hamstring_analyzer.store.version as store_module

    folder = tmp_path / "store"
    load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    monkeypatch.setattr(store_module, "_CODE_VERSION", "0" * 16)
    assert load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1).parsed == 1


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o1777])
def test_a_store_folder_others_can_write_is_refused(tmp_path, mode):
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    os.chmod(folder, mode)
    result = CliRunner().invoke(main, ["ingest", str(GARMIN / "2026-05-10-08-00.fit"), "--cache-dir", str(folder)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(folder) in lines[0] and "can be written by other users" in lines[0]
    assert "Traceback" not in result.output and not (folder / LAYOUT_FOLDER).exists()


def test_a_store_folder_of_another_user_is_refused(tmp_path):
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    if os.getuid() == 0:
        os.chown(folder, 65534, 65534)  # root can hand it to "nobody"
        with pytest.raises(HamstringAnalyzerError, match="belongs to another user"):
            RunStore(folder).check()
    else:  # a folder we do not own cannot be made here; the check must still pass for our own
        RunStore(folder).check()
        assert (folder / LAYOUT_FOLDER).is_dir()


def test_an_existing_readable_store_is_made_private(tmp_path):
    folder = tmp_path / "cache"
    (folder / LAYOUT_FOLDER).mkdir(parents=True)
    os.chmod(folder / LAYOUT_FOLDER, 0o755)
    RunStore(folder).check()
    assert stat.S_IMODE((folder / LAYOUT_FOLDER).stat().st_mode) == 0o700


def test_the_old_pickle_cache_is_removed(tmp_path):
    folder = tmp_path / "cache"
    old = folder / "v1" / "ab"
    old.mkdir(parents=True)
    (old / ("ab" * 20 + ".pkl")).write_bytes(b"\x80\x05N.")
    (folder / "v1" / "notes.txt").write_text("mine")  # not ours: left alone
    RunStore(folder).check()
    assert not old.exists() and (folder / "v1" / "notes.txt").exists()


def test_damaged_samples_are_read_again(tmp_path):
    folder = tmp_path / "store"
    first = load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    [samples] = (folder / LAYOUT_FOLDER / "samples").rglob("*.parquet")
    samples.write_bytes(samples.read_bytes()[: samples.stat().st_size // 2])
    with pytest.raises(HamstringAnalyzerError, match="2026-05-10-08-00.fit: its stored samples cannot be read"):
        first.runs[0].records  # noqa: B018 - damaged after the ingest: one clear line
    again = load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    assert again.parsed == 1 and len(again.runs[0].records) == 1767


def test_no_cache_leaves_nothing_behind(tmp_path):
    code = (
        "import glob, tempfile\n"
        "from hamstring_analyzer.analysis import analyze\n"
        f"r = analyze({str(GARMIN)!r}, use_cache=False, workers=1)\n"
        "print(len(r.runs), len(glob.glob(tempfile.gettempdir() + '/hamstring-analyzer-*')) > 0)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [out.stdout.split()[0], "True"] and int(out.stdout.split()[0]) > 10
    assert list(tmp_path.iterdir()) == []


def test_segments_are_merged(tmp_path, monkeypatch):
    monkeypatch.setattr(RunStore, "FLUSH_S", 0.0)  # a segment per file
    folder = tmp_path / "store"
    files = sorted(GARMIN.glob("2026-05-*.fit"))[:12]
    for f in files:
        load_runs(f, cache_dir=folder, workers=1)
    segments = list((folder / LAYOUT_FOLDER / "summary").glob("*.parquet"))
    assert 1 <= len(segments) <= RunStore.MAX_SEGMENTS + 1
    store = RunStore(folder)
    assert len(store.keys()) == len(files)
    assert all(store.get(content_key(f.read_bytes()))[0] == "ok" for f in files)


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=2000), which=st.sampled_from(["summary", "samples"]))
def test_random_bytes_in_the_store_never_raise(tmp_path_factory, blob, which):
    folder = tmp_path_factory.mktemp("fuzz")
    source = GARMIN / "2026-05-10-08-00.fit"
    load_runs(source, cache_dir=folder, workers=1)
    pattern = "summary/*.parquet" if which == "summary" else "samples/*/*.parquet"
    for p in (folder / LAYOUT_FOLDER).glob(pattern):
        p.write_bytes(blob)
    store = RunStore(folder)
    result = store.get(content_key(source.read_bytes()))
    if result is not None:  # only a whole entry is used, and it reads back
        assert result[0] == "ok" and len(result[1][0].records) > 0


@needs_real_runs
def test_real_files_round_trip_and_the_store_is_smaller(real_export):
    """Every real run's stored samples equal a fresh parse's; the store is smaller than the files its runs came from."""
    export, folder = real_export
    by_path = {f.path: f for f in MANIFEST}
    assert len(export.runs) > 100
    checked = 0
    parts = [p for a in export.runs for p in getattr(a, "parts", None) or (a,)]  # a workout in several files: each file
    for a in parts:
        name = a.source.split("#")[0]
        kind, fresh = real_parsed(by_path[name])
        [fresh] = [b for b in fresh if b.session_index == a.session_index]
        assert_same_samples(a.records, fresh.records)
        checked += 1
    assert checked == len(export.runs) + len(export.joined)
    run_files = {a.source.split("#")[0] for a in parts}
    stored = sum(p.stat().st_size for p in (folder / LAYOUT_FOLDER).rglob("*.parquet"))
    assert stored <= sum((REAL_RUNS / n).stat().st_size for n in run_files)


def test_a_store_on_a_read_only_disk_still_ingests(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    if os.access(folder, os.W_OK):  # root writes anywhere: make the store path unusable another way
        folder = tmp_path / "file-not-folder"
        folder.write_text("x")
        with pytest.raises(HamstringAnalyzerError, match="not a folder"):
            load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
        return
    export = load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    assert len(export.runs) == 1 and len(export.runs[0].records) == 1767


# -- found in review: the store must survive what a hostile or damaged folder holds ----


def _one_run_store(tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "store"
    load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    return folder, folder / LAYOUT_FOLDER


@pytest.mark.parametrize("where", ["samples", "summary"])
def test_a_fifo_in_the_store_never_hangs(tmp_path, where):
    folder, root = _one_run_store(tmp_path)
    target = next(root.glob("samples/*/*.parquet" if where == "samples" else "summary/*.parquet"))
    target.unlink()
    os.mkfifo(target)
    code = f"from hamstring_analyzer.ingest import load_runs\ne = load_runs({str(GARMIN / '2026-05-10-08-00.fit')!r}, cache_dir={str(folder)!r}, workers=1)\nprint(len(e.runs[0].records))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "1767", out.stderr


@pytest.mark.parametrize("column,value", [("utc_offset_s", 2**31 - 1), ("session_index", -5), ("distance_m", 1e308), ("n_samples", -1)])
def test_a_crafted_summary_row_is_read_again_not_trusted(tmp_path, column, value):
    folder, root = _one_run_store(tmp_path)
    [segment] = root.glob("summary/*.parquet")
    table = pq.read_table(segment)
    rows = table.to_pylist()
    rows[0][column] = value
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), segment)
    again = load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    assert (again.parsed, again.cache_hits) == (1, 0) and abs(again.runs[0].distance_m - 10984.8) < 1


def test_another_releases_segments_are_kept(tmp_path, monkeypatch):
    import hamstring_analyzer.store.version as store_module

    folder, root = _one_run_store(tmp_path)
    before = sorted(root.glob("summary/*.parquet"))
    monkeypatch.setattr(store_module, "_CODE_VERSION", "1" * 16)
    assert RunStore(folder).keys() == []
    assert load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1).parsed == 1
    assert all(p.exists() for p in before)  # still there for the release that wrote them


def test_store_files_are_private_and_planted_links_are_not_followed(tmp_path):
    folder = tmp_path / "store"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    RunStore(folder).check()
    (folder / LAYOUT_FOLDER / "summary").symlink_to(elsewhere)
    load_runs(GARMIN / "2026-05-10-08-00.fit", cache_dir=folder, workers=1)
    assert list(elsewhere.iterdir()) == []
    for p in (folder / LAYOUT_FOLDER).rglob("*"):
        assert not p.is_symlink()
        assert stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600), p


def test_the_summary_table_has_one_row_per_run_after_concurrent_ingests(tmp_path):
    folder = tmp_path / "store"
    cmd = [sys.executable, "-m", "hamstring_analyzer", "ingest", str(GARMIN), "--cache-dir", str(folder), "-q", "--workers", "1"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    assert [p.wait(timeout=600) for p in procs] == [0, 0]
    summary = RunStore(folder).summary()
    pairs = list(zip(summary.column("key").to_pylist(), summary.column("session_index").to_pylist()))
    assert len(pairs) == len(set(pairs))
    assert len({k for k, _ in pairs}) == len(RunStore(folder).keys()) >= 50


def test_copies_of_stored_runs_behave(tmp_path):
    import copy
    import dataclasses

    export = load_runs(GARMIN / "2026-05-10-08-00.fit", use_cache=False, workers=1)
    run = export.runs[0]
    renamed = dataclasses.replace(run, name="x")
    assert renamed.has_gps and renamed.n_samples == 1767 and renamed.has_channel(g.SPEED)
    deep = copy.deepcopy(run)
    del export, run, renamed
    gc.collect()
    assert len(deep.records) == 1767  # the temporary store lives as long as any copy


def test_orphaned_temporary_stores_are_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    orphan = tmp_path / f"hamstring-analyzer-{dead}-abcd1234"
    orphan.mkdir()
    (orphan / "x").write_text("a track")
    mine = RunStore.temporary()
    assert not orphan.exists() and mine.folder.exists()


def test_the_newer_entry_for_a_key_always_wins_within_one_second(tmp_path, monkeypatch):
    """Segments written in the same second (and with a clock that stands still) are read in the order they were written."""
    folder = tmp_path / "store"
    key = "ab" * 20
    from hamstring_analyzer.store import segments

    monkeypatch.setattr(segments, "_last_segment_ns", 0)  # this process's names, as they were before
    for i in range(40):
        if i == 20:  # from here the clock stands still (at now: no name of the future outlives the test)
            frozen = time.time_ns()
            monkeypatch.setattr(segments, "_clock_ns", lambda: frozen)
        writer = RunStore(folder)
        writer.add(key, writer.write_samples(key, ("skipped", f"version {i}")))
        writer.flush()  # a segment each, never merged: the order of names alone decides
        assert RunStore(folder).get(key) == ("skipped", f"version {i}"), i
    names = sorted(p.name for p in (folder / LAYOUT_FOLDER / "summary").glob("*.parquet"))
    assert len(names) == 40


def test_parquet_from_our_file_objects_is_never_pre_buffered(sample_ingests, monkeypatch):
    """Pre-buffering reads a Python file object on Arrow's I/O threads; the last read released while the
    interpreter exits aborted about 1 short run in 10 ("terminate called without an active exception")."""
    real = pq.ParquetFile
    seen = []

    def spy(source, *args, **kwargs):
        seen.append((type(source).__name__, kwargs.get("pre_buffer", True)))
        return real(source, *args, **kwargs)

    folder, _, warm = sample_ingests
    monkeypatch.setattr(pq, "ParquetFile", spy)
    assert RunStore(folder).keys()  # the summary segments
    monkeypatch.setattr("hamstring_analyzer.store.stored._last_read", (None, None))
    assert len(warm.runs[1].records) > 0  # a run's samples
    assert {kind for kind, _ in seen} == {"BufferedReader"} and len(seen) >= 2
    assert not any(pre_buffer for _, pre_buffer in seen), seen
