"""Reading whole exports: sample_runs' story, real files, archives, duplicates, cache."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from hamstring_analyzer.store import RunStore
from hamstring_analyzer.cli import main
from hamstring_analyzer.ingest import load_runs, safe_member_name
from hamstring_analyzer.synthetic import easy_run, write_fit, write_gpx

from ..conftest import REAL_RUNS, SAMPLE_RUNS, needs_real_runs

RUN_FIELDS = {
    "id", "source", "format", "start_utc", "start_local", "sport", "sub_sport", "device", "distance_m",
    "elapsed_s", "moving_s", "elevation_gain_m", "cadence_spm", "avg_heart_rate_bpm", "has_gps", "partial",
    "distance_source", "recorded_distance_m", "gps_jumps_removed_m", "cut_s", "running_share", "suspect", "suspect_reason",
    "sources", "has_samples", "rpe", "commute", "name", "files", "parts",
}


def _fit(day: int, km: float = 5.0, seed: int = 0) -> bytes:
    return write_fit(easy_run(dt.datetime(2026, 3, day, 7, 0), km, seed=seed))


@pytest.fixture(scope="module")
def sample_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("ingest") / "out.json"
    result = CliRunner().invoke(main, ["ingest", str(SAMPLE_RUNS), "--json", str(out), "--no-cache", "--workers", "2"])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def test_sample_runs_story(sample_json):
    runs, skipped, errors = sample_json["runs"], sample_json["skipped"], sample_json["errors"]
    assert len(runs) == 79
    assert all(set(r) == RUN_FIELDS for r in runs)
    reasons = {s["source"]: s["reason"] for s in skipped}
    assert reasons["export/garmin/2026-07-04-10-00-ride.fit"] == "not a run (cycling)"
    assert reasons["export/garmin/2026-08-08-15-00-walk.fit"] == "not a run (walking)"
    assert reasons["export/phone/2026-06-28-08-00-phone.gpx"] == "duplicate of export/garmin/2026-06-28-08-00.fit"
    assert [e["source"] for e in errors] == ["export/garmin/2026-09-12-corrupt.fit"]
    # the story, the script and the symptom log are not activities: ignored, not counted as skipped
    assert len(skipped) == 3
    assert [i["source"] for i in sample_json["ignored"]] == [
        "README.md", "export/garmin-connect-export.zip/DI_CONNECT/DI-Connect-User/user_profile.json", "generate.py", "symptoms.csv",
    ]  # fmt: skip
    by_source = {r["source"]: r for r in runs}
    nested = [s for s in by_source if "UploadedFiles_0-_Part1.zip/" in s]
    assert len(nested) == 20 and all(s.startswith("export/garmin-connect-export.zip/DI_CONNECT/") for s in nested)
    assert by_source["export/garmin/2026-05-19-07-00.fit.gz"]["format"] == "fit"
    cut = by_source["export/garmin/2026-08-29-09-00-battery-died.fit"]
    assert cut["partial"] is True and 3000 < cut["distance_m"] < 6000
    gpx = by_source["export/phone/2026-05-05-07-00.gpx"]
    assert gpx["start_local"] == "2026-05-05T07:00:00+01:00"  # Bristol in summer, from the coordinates
    assert gpx["cadence_spm"] == pytest.approx(177, abs=1)  # Strava-style steps: not doubled
    tcx = by_source["export/phone/2026-05-07-07-00.tcx"]
    assert tcx["cadence_spm"] == pytest.approx(176, abs=1)  # per foot in the file: doubled once
    treadmill = by_source["export/garmin/2026-07-23-19-00.fit"]
    assert treadmill["sub_sport"] == "treadmill" and treadmill["elevation_gain_m"] == 0.0
    low = [r for r in runs if r["start_local"][:10] in {"2026-07-07", "2026-07-09", "2026-07-10", "2026-07-12"}]
    assert [round(r["cadence_spm"]) for r in low] == [166, 165, 167, 166]
    hilly = by_source["export/garmin/2026-05-10-08-00.fit"]
    assert 15 < hilly["elevation_gain_m"] / (hilly["distance_m"] / 1000) < 25  # ~20 m/km by design
    flat = by_source["export/garmin/2026-07-26-08-00.fit"]
    assert flat["elevation_gain_m"] / (flat["distance_m"] / 1000) < 2  # noisy but flat: no phantom climb


@needs_real_runs
def test_real_runs_every_file_accounted_for(real_export):
    export, _ = real_export
    seen = {e.split("#")[0] for e in [r.id for r in export.runs] + [s["source"] for s in export.skipped] + [e["source"] for e in export.errors] + [i["source"] for i in export.ignored] + [j["source"] for j in export.joined]}
    on_disk = {p.relative_to(REAL_RUNS).as_posix() for p in REAL_RUNS.rglob("*") if p.is_file()}
    assert on_disk <= seen
    assert len(export.runs) >= 100 and len(export.errors) <= 15
    json.dumps(export.to_dict(), allow_nan=False)  # valid JSON: no NaN anywhere


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_nested_zip_gz_and_zip_slip(tmp_path):
    inner = _zip({"a.fit": _fit(2), "b.fit.gz": gzip.compress(_fit(3))})
    (tmp_path / "export.zip").write_bytes(_zip({"../../../etc/evil.fit": _fit(4), "/abs/x.fit": _fit(5), "DI/Part1.zip": inner}))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    sources = sorted(r.source for r in export.runs)
    assert sources == ["export.zip/DI/Part1.zip/a.fit", "export.zip/DI/Part1.zip/b.fit.gz", "export.zip/abs/x.fit", "export.zip/etc/evil.fit"]
    assert not (tmp_path / "etc").exists() and not Path("/etc/evil.fit").exists()
    assert safe_member_name("..\\..\\C:\\x.fit") == "C_/x.fit"


def test_zip_bomb_member_is_refused(tmp_path, monkeypatch):
    from hamstring_analyzer.ingest import sources as ex

    monkeypatch.setattr(ex, "MAX_MEMBER_BYTES", 1_000_000)
    (tmp_path / "bomb.zip").write_bytes(_zip({"big.fit": b"\0" * 20_000_000, "ok.fit": _fit(2)}))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert [r.source for r in export.runs] == ["bomb.zip/ok.fit"]
    assert export.errors[0]["source"] == "bomb.zip/big.fit" and "refused" in export.errors[0]["error"]


def test_lying_zip_header_is_caught(tmp_path, monkeypatch):
    from hamstring_analyzer.ingest import sources as ex

    monkeypatch.setattr(ex, "MAX_MEMBER_BYTES", 1_000_000)
    data = bytearray(_zip({"big.fit": b"\0" * 5_000_000}))
    # Make the local and central headers claim 100 bytes: reading must still stop at the limit.
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(sig)
        data[pos + off : pos + off + 4] = (100).to_bytes(4, "little")
    (tmp_path / "liar.zip").write_bytes(bytes(data))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert not export.runs and export.errors


def test_duplicate_pair_keeps_the_richer_file(tmp_path):
    plan = easy_run(dt.datetime(2026, 3, 2, 7, 0), 6, seed=3)
    (tmp_path / "watch.fit").write_bytes(write_fit(plan))
    (tmp_path / "phone.gpx").write_bytes(write_gpx(plan))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert [r.source for r in export.runs] == ["watch.fit"]
    assert export.skipped == [{"source": "phone.gpx", "reason": "duplicate of watch.fit"}]


def test_cache_hit_changed_file_and_corrupted_entry(tmp_path):
    folder, cache_dir = tmp_path / "export", tmp_path / "cache"
    folder.mkdir()
    for d in (2, 4, 6):
        (folder / f"run{d}.fit").write_bytes(_fit(d, seed=d))
    first = load_runs(folder, cache_dir=cache_dir, workers=1)
    assert (first.parsed, first.cache_hits) == (3, 0)
    second = load_runs(folder, cache_dir=cache_dir, workers=1)
    assert (second.parsed, second.cache_hits) == (0, 3)
    assert [r.distance_m for r in second.runs] == [r.distance_m for r in first.runs]
    (folder / "run4.fit").write_bytes(_fit(4, km=9, seed=4))
    entries = sorted(cache_dir.rglob("samples/*/*.parquet"))
    entries[0].write_bytes(b"PAR1garbage")  # a damaged run: read again when analysed, and by the next ingest
    third = load_runs(folder, cache_dir=cache_dir, workers=1)
    assert third.parsed == 2 and third.cache_hits == 1
    assert [round(r.distance_m / 1000) for r in third.runs] == [5, 9, 5]


def test_killed_mid_ingest_next_run_is_correct(tmp_path):
    folder, cache_dir = tmp_path / "export", tmp_path / "cache"
    folder.mkdir()
    for d in range(1, 29):
        (folder / f"run{d:02d}.fit").write_bytes(_fit(d, km=4, seed=d))
    cmd = [sys.executable, "-m", "hamstring_analyzer", "ingest", str(folder), "--cache-dir", str(cache_dir), "--workers", "2", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list(cache_dir.rglob("summary/*.parquet")):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    export = load_runs(folder, cache_dir=cache_dir, workers=1)
    assert len(export.runs) == 28 and not export.errors
    assert export.cache_hits >= 1 and export.cache_hits + export.parsed == 28
    assert not list(cache_dir.rglob("*.tmp"))  or all(p.name.startswith(".") for p in cache_dir.rglob("*.tmp"))


def test_no_runs_exits_1_with_a_message(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = CliRunner().invoke(main, ["ingest", str(tmp_path), "--no-cache"])
    assert result.exit_code == 1
    assert "no runs found" in result.output and "Traceback" not in result.output


def test_bad_timezone_is_one_line(tmp_path):
    (tmp_path / "a.fit").write_bytes(_fit(2))
    result = CliRunner().invoke(main, ["ingest", str(tmp_path), "--timezone", "Mars/Olympus"])
    assert result.exit_code == 1 and "unknown time zone 'Mars/Olympus'" in result.output


def test_cache_default_folder_is_per_user():
    assert "hamstring-analyzer" in str(RunStore().folder)
