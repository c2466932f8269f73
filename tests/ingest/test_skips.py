"""What the ingest keeps out of the runs: stub files (too little track) and runs no runner could run.

Stubs are real phone exports' (DOMAIN.md: "2-point stub files (start and end
only)"); their distance stays in the skipped list for the holes it leaves.
Speeds are judged on every source: files after cleaning, and activity lists'
rows without samples.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main
from hamstring_analyzer.config import Config, IngestConfig, config_from_dict
from hamstring_analyzer.errors import ConfigError
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.ingest.wording import reason_group
from hamstring_analyzer.readers.track import haversine_m
from hamstring_analyzer.synthetic import PhoneTrack, phone_run
from hamstring_analyzer.synthetic_exports import Outing, garmin_export, strava_archive

START = pd.Timestamp("2026-03-04 07:00", tz="UTC").timestamp()
DAY = 86400.0


def _points(track: PhoneTrack, n: int) -> PhoneTrack:
    """The first and last fix of ``track`` and ``n - 2`` evenly between: what a stub export keeps."""
    idx = np.unique(np.linspace(0, len(track.t) - 1, n).round().astype(int))
    return PhoneTrack(track.t[idx], track.lat[idx], track.lon[idx], track.run_start_s, track.run_end_s, track.run_m)


def _write(folder, name: str, track: PhoneTrack):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(track.gpx())


@pytest.fixture(scope="module")
def stubs(tmp_path_factory):
    """A phone export: a 2-point stub, a 9-point track, a 10-point track and a whole run, a day apart."""
    folder = tmp_path_factory.mktemp("stubs")
    out = {}
    for day, (name, n) in enumerate([("stub.gpx", 2), ("nine.gpx", 9), ("ten.gpx", 10), ("whole.gpx", None)]):
        loop = phone_run(START + day * DAY, 8.4, seed=day, every_s=(2.0, 4.0))
        half = loop.t <= loop.t[0] + (loop.t[-1] - loop.t[0]) / 2  # out to the far side of the loop: 4.2 km, ends 2.7 km apart
        run = PhoneTrack(loop.t[half], loop.lat[half], loop.lon[half], loop.t[0], loop.t[half][-1], loop.run_m / 2)
        track = run if n is None else _points(run, n)
        _write(folder, name, track)
        out[name] = track
    export = load_runs(folder, use_cache=False, workers=1)
    return folder, export, out


def test_a_two_point_stub_is_skipped_with_its_distance(stubs):
    _, export, tracks = stubs
    skipped = {s["source"]: s for s in export.skipped}
    stub = tracks["stub.gpx"]
    straight = float(haversine_m(stub.lat[0], stub.lon[0], stub.lat[1], stub.lon[1]))
    assert skipped["stub.gpx"] == {"source": "stub.gpx", "reason": "too little track to count as a run (2 points)",
                                   "distance_m": pytest.approx(straight, abs=0.1)}  # fmt: skip
    assert skipped["nine.gpx"]["reason"] == "too little track to count as a run (9 points)"
    assert skipped["nine.gpx"]["distance_m"] == pytest.approx(4200 * 0.95, rel=0.05)  # corners cut by 8 straight lines
    assert sorted(r.source for r in export.runs) == ["ten.gpx", "whole.gpx"]
    assert reason_group(skipped["stub.gpx"]["reason"]) == "too little track"


def test_the_stub_and_its_distance_reach_the_json(stubs, tmp_path):
    folder, _, _ = stubs
    out = tmp_path / "ingest.json"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--json", str(out), "--no-cache", "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    entry = next(s for s in doc["skipped"] if s["source"] == "stub.gpx")
    assert set(entry) == {"source", "reason", "distance_m"} and entry["distance_m"] > 2600
    assert all(set(s) == {"source", "reason"} for s in doc["skipped"] if s["source"] not in ("stub.gpx", "nine.gpx"))


def test_the_stub_threshold_is_a_setting(stubs):
    folder, _, _ = stubs
    export = load_runs(folder, use_cache=False, workers=1, ingest=IngestConfig(min_track_points=9))
    assert sorted(r.source for r in export.runs) == ["nine.gpx", "ten.gpx", "whole.gpx"]
    assert export.runs[0].distance_m == pytest.approx(4200 * 0.95, rel=0.05)
    assert [s["reason"] for s in export.skipped] == ["too little track to count as a run (2 points)"]


def test_a_stub_shorter_than_a_run_is_too_short_first(tmp_path):
    run = phone_run(START, 0.3, seed=1, pace_s_per_km=300)  # 300 m in 90 s
    _write(tmp_path, "blip.gpx", _points(run, 2))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert export.skipped == [{"source": "blip.gpx", "reason": "too short to count as a run (under 2 minutes and 400 m)"}]


def test_runs_without_samples_are_no_stubs(tmp_path):
    """A manual entry in an activity list is a run without samples (has_samples False), never too little track."""
    manual = Outing(manual_distance_m=8000.0, manual_elapsed_s=2700.0, manual_start_utc=dt.datetime(2026, 3, 7, 9, 0, tzinfo=dt.timezone.utc))
    export = load_runs(strava_archive(tmp_path, [manual]), use_cache=False, workers=1)
    assert [(r.format, r.has_samples, r.distance_m) for r in export.runs] == [("strava_csv", False, 8000.0)]
    assert export.skipped == []


# -- faster than running ------------------------------------------------------------------------


def _manual(km: float, minutes: float, day: int) -> Outing:
    return Outing(manual_distance_m=km * 1000.0, manual_elapsed_s=minutes * 60.0,
                  manual_start_utc=dt.datetime(2026, 3, day, 9, 0, tzinfo=dt.timezone.utc))  # fmt: skip


@pytest.mark.parametrize("export_kind", ["strava", "garmin"])
def test_a_listed_run_faster_than_running_is_skipped(tmp_path, export_kind):
    """30 km in 45 minutes: a ride (or a typo) listed as a run; 10 km in 50 minutes and a 5 km race in 14:30 stay."""
    outings = [_manual(30.0, 45.0, 2), _manual(10.0, 50.0, 3), _manual(5.0, 14.5, 4)]
    folder = strava_archive(tmp_path, outings) if export_kind == "strava" else garmin_export(tmp_path, outings)
    export = load_runs(folder, use_cache=False, workers=1)
    assert sorted(r.distance_m for r in export.runs) == [5000.0, 10000.0]
    (skip,) = export.skipped
    assert skip["reason"] == "faster than running: 30.0 km in 45 min (11.1 m/s); a ride or a GPS fault?"
    assert set(skip) == {"source", "reason"} and reason_group(skip["reason"]) == "faster than running"


def test_the_speed_limit_is_a_setting(tmp_path):
    export = load_runs(strava_archive(tmp_path, [_manual(30.0, 45.0, 2)]), use_cache=False, workers=1,
                       ingest=IngestConfig(max_run_speed_mps=12.0))  # fmt: skip
    assert [r.distance_m for r in export.runs] == [30000.0]


def test_a_file_faster_than_running_is_skipped(tmp_path):
    """45 minutes at 7 m/s, written as a run: slower than the car-speed cut, faster than any runner for that long."""
    ride = phone_run(START, 18.9, pace_s_per_km=1000 / 7.0, seed=5)
    _write(tmp_path, "ride.gpx", ride)
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert export.runs == []
    (skip,) = export.skipped
    assert skip["source"] == "ride.gpx"
    assert skip["reason"] == "faster than running: 18.9 km in 45 min (7.0 m/s); a ride or a GPS fault?"


def test_a_run_with_a_stretch_in_a_car_is_kept_as_suspect(tmp_path):
    """Only part of it impossible: the part is cut, the run kept and marked suspect, never skipped."""
    first = phone_run(START, 5.0, seed=6)
    car_t = first.t[-1] + np.arange(1.0, 601.0)  # ten minutes north at 14 m/s
    car_lat = first.lat[-1] + 14.0 * (car_t - first.t[-1]) / 111_195.0
    then = phone_run(car_t[-1] + 1.0, 3.0, seed=7, lat0=float(car_lat[-1]), lon0=float(first.lon[-1]))
    track = PhoneTrack(np.r_[first.t, car_t, then.t], np.r_[first.lat, car_lat, then.lat], np.r_[first.lon, np.full(600, first.lon[-1]), then.lon],
                       first.run_start_s, then.run_end_s, first.run_m + then.run_m)  # fmt: skip
    _write(tmp_path, "with-car.gpx", track)
    export = load_runs(tmp_path, use_cache=False, workers=1)
    (run,) = export.runs
    assert export.skipped == []
    assert run.distance_m == pytest.approx(8000, rel=0.03)
    assert run.quality.suspect and "at vehicle speed removed" in run.quality.suspect_reason


def test_the_new_ingest_keys_are_read_and_checked():
    c = Config().ingest
    assert (c.max_run_speed_mps, c.min_track_points) == (6.5, 10)
    assert config_from_dict({"ingest": {"max_run_speed_mps": 7.0, "min_track_points": 5}}).ingest.min_track_points == 5
    with pytest.raises(ConfigError, match="ingest.max_run_speed_mps"):
        config_from_dict({"ingest": {"max_run_speed_mps": 50}})

