"""One workout recorded in several files (COROS splits a run at 5 km, a cool-down): joined into one run."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer import glossary as g
from hamstring_analyzer.activity import Activity
from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.cli import main
from hamstring_analyzer.config import Config, IngestConfig, load_config
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.ingest.join import join_parts
from hamstring_analyzer.ingest.parse import parse_bytes, settings_tag
from hamstring_analyzer.metrics.summary import run_summary
from hamstring_analyzer.readers.summary_only import summary_activity
from hamstring_analyzer.synthetic import easy_run, write_fit
from hamstring_analyzer.synthetic_quirks import split_workouts_folder

from ..conftest import examples, needs_real_histories


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    """The COROS-like folder, its workouts, and the folder read twice: parsed, then from the run store."""
    folder = tmp_path_factory.mktemp("split") / "coros"
    workouts = split_workouts_folder(folder)
    store = tmp_path_factory.mktemp("split-store")
    parsed = load_runs(folder, cache_dir=store, workers=1)
    stored = load_runs(folder, cache_dir=store, workers=1)
    assert stored.cache_hits == len(list(folder.iterdir())) and stored.parsed == 0
    return folder, workouts, parsed, stored


def _by_id(export):
    return {r.id: r for r in export.runs}


def test_one_run_per_workout(split):
    folder, workouts, parsed, stored = split
    assert sum(len(w.files) for w in workouts) == 19  # 4 workouts in 12 files, 7 in one each
    for export in (parsed, stored):
        assert [r.files for r in export.runs] == [w.files for w in workouts]
        assert [len(r.files) for r in export.runs] == [2, 2, 5, 3, 1, 1, 1, 1, 1, 1, 1]


@pytest.mark.parametrize("read", ["parsed", "stored"])
def test_joined_totals_are_the_parts_together(split, read):
    _, workouts, parsed, stored = split
    export = parsed if read == "parsed" else stored
    for w, run in zip(workouts, export.runs):
        assert run.distance_m == pytest.approx(w.distance_m, rel=0.001)
        assert run.elapsed_s == pytest.approx(w.elapsed_s, abs=2)  # FIT times are whole seconds
        assert run.start_utc == pd.Timestamp(w.outings[0].start_utc)
        assert run.moving_s == pytest.approx(sum(o.moving_s for o in w.outings), abs=2 * len(w.files))
    long_run = export.runs[2]  # 5 x 4 km, 30-120 s apart: the pauses are elapsed, not moving
    assert long_run.distance_m == pytest.approx(20_000, rel=0.01)
    assert long_run.elapsed_s - long_run.moving_s == pytest.approx(30 + 120 + 60 + 75, abs=12)
    assert len(long_run.laps) == 5 and long_run.laps["distance_m"].sum() == pytest.approx(long_run.distance_m, rel=0.001)


@pytest.mark.parametrize("read", ["parsed", "stored"])
def test_joined_samples_run_on_across_the_parts(split, read):
    _, workouts, parsed, stored = split
    run = (parsed if read == "parsed" else stored).runs[2]
    s = run.samples
    assert len(s) == run.n_samples == sum(p.n_samples for p in run.parts) == sum(len(o.samples.t) for o in workouts[2].outings)
    assert (np.diff(s.t_ns) > 0).all()
    d = s[g.DISTANCE]
    assert (np.diff(d) >= 0).all() and d[-1] == pytest.approx(run.distance_m, rel=0.005)  # no drop to 0 at a new part
    gaps = np.diff(s.t)
    assert sorted(gaps[gaps > 10].round()) == [32.0, 62.0, 77.0, 122.0]  # the four pauses (plus the 2 s sampling step)
    assert run.samples_for([g.HEART_RATE]).columns == [g.HEART_RATE]
    assert run.has_gps and run.has_channel(g.CADENCE)


def test_stats_are_measured_on_the_joined_samples(split):
    _, _, parsed, stored = split
    for a, b in zip(parsed.runs, stored.runs):
        sa, sb = run_summary(a), run_summary(b)
        assert sa["elevation_gain_m"] == pytest.approx(sb["elevation_gain_m"], abs=0.5)
        assert sa["cadence_spm"] == pytest.approx(sb["cadence_spm"], abs=0.2)
        assert sa["avg_heart_rate_bpm"] == pytest.approx(sb["avg_heart_rate_bpm"], abs=0.2)
    race = parsed.runs[1]  # a 10 km race at 4:10/km and a 2 km cool-down at the same pace setting
    hr = race.samples[g.HEART_RATE]
    assert run_summary(race)["avg_heart_rate_bpm"] == pytest.approx(float(np.nanmean(hr)), abs=0.5)
    long_run = parsed.runs[2]
    assert long_run.stats["profile"]["best_20min_mps"] == pytest.approx(1000 / 330, rel=0.02)
    assert long_run.quality.running_share == pytest.approx(1.0, abs=0.02)


def test_the_json_names_every_file(split):
    folder, workouts, parsed, _ = split
    doc = json.loads(json.dumps(parsed.to_dict(), allow_nan=False))
    runs = doc["runs"]
    assert [r["files"] for r in runs] == [w.files for w in workouts]
    assert [r["parts"] for r in runs] == [len(w.files) for w in workouts]
    assert [r["id"] for r in runs] == [w.files[0] for w in workouts]  # the first part's id and source
    assert all(r["sources"] == ["fit"] for r in runs)  # reader kinds, as before
    joined = doc["joined"]
    assert [j["source"] for j in joined] == [f for w in workouts for f in w.files[1:]]
    assert joined[0] == {"source": workouts[0].files[1], "part_of": workouts[0].files[0],
                         "reason": f"part 2 of 2 of the run {workouts[0].files[0]} (one workout recorded in 2 files, joined)"}
    # every file is somewhere: a run's files, or skipped (the ride)
    listed = [f for r in runs for f in r["files"]] + [s["source"] for s in doc["skipped"]]
    assert sorted(listed) == sorted(p.name for p in folder.iterdir())
    assert [s["reason"] for s in doc["skipped"]] == ["not a run (cycling)"]  # a ride 60 s after a run is not part of it


def test_runs_that_are_not_parts(split):
    _, workouts, parsed, _ = split
    runs = parsed.runs
    # 15 minutes after the previous run ended, on the same morning: another run
    gap = (runs[5].start_utc - runs[4].start_utc).total_seconds() - runs[4].elapsed_s
    assert gap == pytest.approx(900, abs=2) and runs[4].files != runs[5].files
    # a minute after a COROS run, on another watch; and a Garmin run started during a COROS run
    assert (runs[7].start_utc - runs[6].start_utc).total_seconds() - runs[6].elapsed_s == pytest.approx(60, abs=2)
    assert runs[6].device != runs[7].device and len(runs[7].files) == 1
    assert runs[9].start_utc < runs[8].start_utc + pd.Timedelta(seconds=runs[8].elapsed_s)
    assert [r.device for r in runs[8:10]] == ["294 845", "garmin 3113"]  # COROS (294) is not named by our FIT profile


def test_the_threshold_is_configurable(split, tmp_path):
    folder, workouts, parsed, _ = split
    assert IngestConfig().join_gap_min == 10
    never = load_runs(folder, use_cache=False, workers=1, ingest=IngestConfig(join_gap_min=0))
    assert len(never.runs) == 19 and never.joined == []  # every file its own run
    wide = load_runs(folder, use_cache=False, workers=1, ingest=IngestConfig(join_gap_min=16))
    assert len(wide.runs) == len(workouts) - 1  # the runs 15 minutes apart are now one
    assert wide.runs[4].files == workouts[4].files + workouts[5].files
    tight = load_runs(folder, use_cache=False, workers=1, ingest=IngestConfig(join_gap_min=0.8))  # 48 s
    assert [len(r.files) for r in tight.runs] == [2, 1, 1, 2, 1, 1, 1, 1, 1, 1] + [1] * 7  # only the 45 and 30 s pauses
    config = tmp_path / "config.toml"
    config.write_text("[ingest]\njoin_gap_min = 16\n")
    assert load_config(config).ingest.join_gap_min == 16
    # the join happens after the store: its setting is not part of a file's store key
    assert settings_tag(IngestConfig(join_gap_min=3)) == "" != settings_tag(IngestConfig(heart_rate_max_bpm=230))


def test_analyze_reads_the_joined_runs(split, tmp_path):
    folder, workouts, parsed, _ = split
    result = analyze(parsed, Config())
    assert len(result.runs) == len(workouts)
    assert result.runs["distance_m"].max() == pytest.approx(workouts[2].distance_m, rel=0.001)
    assert result.weeks_by_date["longest_run_m"].max() == pytest.approx(workouts[2].distance_m, rel=0.001)
    assert result.weeks_by_date["runs"].tolist() == [3, 7, 1]
    out = tmp_path / "analysis.json"
    cli = CliRunner().invoke(main, ["analyze", str(folder), "--no-cache", "--json", str(out)])
    assert cli.exit_code == 0, cli.output
    doc = json.loads(out.read_text())
    assert max(r["distance_m"] for r in doc["runs"]) == pytest.approx(workouts[2].distance_m, rel=0.001)
    assert len(doc["joined"]) == 8


def test_ingest_output_counts_parts_apart_from_skipped_files(split):
    folder, _, _, _ = split
    result = CliRunner().invoke(main, ["ingest", str(folder), "--no-cache"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("11 runs (") and lines[0].endswith("; 1 skipped; 0 could not be read.")
    assert "Joined 12 files into 4 runs (one workout recorded in several files)" in lines
    verbose = CliRunner().invoke(main, ["ingest", str(folder), "--no-cache", "-v"]).output
    assert "  coros_20260307_083245.fit: part 5 of 5 of the run coros_20260307_070000.fit" in verbose
    assert "  Sat 7 Mar 2026     20.0 km  coros_20260307_070000.fit and 4 more files" in verbose.splitlines()


# ---------------------------------------------------------------- by hand ---


def _part(start: dt.datetime, km: float, seed: int, **kw):
    plan = easy_run(start, km, seed=seed, zone="UTC", **kw)
    kind, (activity,) = parse_bytes(f"p{seed}.fit", write_fit(plan))
    assert kind == "ok"
    activity.source = f"watch/p{seed}.fit"
    return activity


def _after(a, seconds: float) -> dt.datetime:
    return (a.start_utc + pd.Timedelta(seconds=a.elapsed_s + seconds)).tz_localize(None).to_pydatetime()


def test_overlapping_runs_and_other_sports_are_never_parts():
    first = _part(dt.datetime(2026, 4, 1, 7), 5.0, 1)
    overlapping = _part(_after(first, -300), 3.0, 2)  # starts 5 minutes before the first ends: two recordings
    runs, joined = join_parts([first, overlapping], 600)
    assert len(runs) == 2 and joined == []
    treadmill = _part(_after(first, 60), 3.0, 3, sub_sport="treadmill")
    assert len(join_parts([first, treadmill], 600)[0]) == 2
    walk = _part(_after(first, 60), 3.0, 4).replace(sport="walking")
    assert len(join_parts([first, walk], 600)[0]) == 2
    touching = _part(_after(first, 0), 3.0, 5)  # the next file opens the second the first closed
    runs, joined = join_parts([touching, first], 600)
    assert [r.files for r in runs] == [["watch/p1.fit", "watch/p5.fit"]]


def test_files_without_a_device_join_within_one_folder_and_format():
    first = _part(dt.datetime(2026, 4, 2, 7), 5.0, 6).replace(device=None)
    second = _part(_after(first, 45), 2.0, 7).replace(device=None)
    assert len(join_parts([first, second], 600)[0]) == 1
    elsewhere = second.replace(source="other/p7.fit")
    assert len(join_parts([first, elsewhere], 600)[0]) == 2


def test_a_summary_only_part_adds_its_totals():
    """A part known only from a summary (its file missing): its distance and time count, its numbers weigh in."""
    first = _part(dt.datetime(2026, 4, 3, 7), 5.0, 8)
    start = first.start_utc + pd.Timedelta(seconds=first.elapsed_s + 60)
    summary = summary_activity(source="watch/summary.json", fmt="garmin_summary", start_utc=start, elapsed_s=600.0,
                               distance_m=2000.0, moving_s=590.0, sport="running", device=first.device,
                               totals={"avg_heart_rate_bpm": 120.0, "elevation_gain_m": 10.0})  # fmt: skip
    summary.stats = {"avg_heart_rate_bpm": 120.0, "elevation_gain_m": 10.0, "cadence_spm": None}
    (run,), joined = join_parts([summary, first], 600)
    assert run.files == ["watch/p8.fit", "watch/summary.json"] and joined[0]["part_of"] == "watch/p8.fit"
    assert run.distance_m == pytest.approx(first.distance_m + 2000.0)
    assert run.elapsed_s == pytest.approx(first.elapsed_s + 60 + 600)
    assert run.moving_s == pytest.approx(first.moving_s + 590)
    assert run.n_samples == first.n_samples and run.has_samples
    hr = (first.stats["avg_heart_rate_bpm"] * first.moving_s + 120.0 * 590) / (first.moving_s + 590)
    assert run_summary(run)["avg_heart_rate_bpm"] == pytest.approx(hr, abs=0.1)
    assert run_summary(run)["elevation_gain_m"] == pytest.approx(first.stats["elevation_gain_m"] + 10.0, abs=0.1)
    assert run_summary(run)["cadence_spm"] == pytest.approx(first.stats["cadence_spm"], abs=0.1)


def test_a_copy_keeps_its_parts():
    first = _part(dt.datetime(2026, 4, 4, 7), 5.0, 9)
    second = _part(_after(first, 45), 2.0, 10)
    (run,), _ = join_parts([first, second], 600)
    copy = run.replace(name="Morning run")
    assert copy.files == run.files and copy.n_samples == run.n_samples and copy.name == "Morning run"


# ------------------------------------------------------------ real history ---


@needs_real_histories
def test_stonericky_restarted_recordings_are_one_run(real_history):
    """stonericky (synced from COROS): "976 m, then 30 s later 13.1 km" and "389 m, then 38 s later 6.2 km" (README)."""
    export = real_history("stonericky")
    by_day = {}
    for run in export.runs:
        by_day.setdefault(str(run.start_local.date()), []).append(run)
    for day, kms in (("2024-08-04", (0.98, 13.15)), ("2025-01-26", (0.39, 6.24))):
        (run,) = [r for r in by_day[day] if len(r.files) > 1]
        assert tuple(round(p.distance_m / 1000, 2) for p in run.parts) == kms
        assert run.distance_m == pytest.approx(sum(p.distance_m for p in run.parts), rel=1e-9)
        gap = (run.parts[1].start_utc - run.parts[0].start_utc).total_seconds() - run.parts[0].elapsed_s
        assert 25 <= gap <= 45
        assert run_summary(run)["files"] == [p.source for p in run.parts]
    parts = {j["source"] for j in export.joined}
    assert not parts & {r.id for r in export.runs}
    # 402 runs read as files, 9 of them later parts (3 more restarts at another pace stay runs of their own)
    assert len(export.joined) == 9 and len(export.runs) == 393


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.integers(-400, 3000), st.integers(0, 4000), st.integers(0, 20_000), st.sampled_from(["a", "b", None])),
                min_size=1, max_size=12),
       st.integers(0, 1200))  # fmt: skip
def test_every_run_ends_up_once_and_no_distance_is_lost(pieces, gap_s):
    """Whatever the starts, lengths and devices: each run is in exactly one run's files, the totals add up, nothing overlaps."""
    t = pd.Timestamp("2026-05-01 06:00", tz="UTC")
    runs = []
    for k, (step, elapsed, metres, device) in enumerate(pieces):
        t = t + pd.Timedelta(seconds=step)
        runs.append(summary_activity(source=f"f/{k}.fit", fmt="fit", start_utc=t, elapsed_s=float(elapsed), distance_m=float(metres),
                                     sport="running", device=device))  # fmt: skip
        runs[-1].stats = {"elevation_gain_m": None, "cadence_spm": None, "avg_heart_rate_bpm": None}
    out, joined = join_parts(runs, gap_s)
    files = [f for r in out for f in r.files]
    assert sorted(files) == sorted(r.source for r in runs) and len(out) + len(joined) == len(runs)
    assert sum(r.distance_m for r in out) == pytest.approx(sum(r.distance_m for r in runs))
    for r in out:
        parts = getattr(r, "parts", None) or (r,)
        assert len({p.device for p in parts}) == 1
        for a, b in zip(parts, parts[1:]):
            gap = (b.start_utc - a.start_utc).total_seconds() - a.elapsed_s
            assert -2.0 <= gap <= gap_s
        assert r.elapsed_s == pytest.approx((parts[-1].start_utc - parts[0].start_utc).total_seconds() + parts[-1].elapsed_s)


def test_a_warm_up_and_the_race_after_it_are_two_efforts():
    """Within the gap, but at another pace: a warm-up (6:00/km) then a race (4:00/km) 3 minutes later stay two runs."""
    t0 = pd.Timestamp("2024-09-30 07:00", tz="UTC")

    def run(start_min, km, pace_s, name):
        seconds = km * pace_s
        return Activity(source=name, format="fit", sport="running", device="coros", start_utc=t0 + pd.Timedelta(minutes=start_min),
                        elapsed_s=seconds, moving_s=seconds, distance_m=km * 1000)  # fmt: skip

    warm_up, race, cool_down = run(0, 2.0, 360, "a.fit"), run(15, 5.0, 240, "b.fit"), run(38, 1.5, 280, "c.fit")
    runs, parts = join_parts([warm_up, race, cool_down], 600.0)
    assert [r.id for r in runs] == ["a.fit", "b.fit"] and [p["source"] for p in parts] == ["c.fit"]  # 4:40/km: 17% slower
    assert runs[1].distance_m == pytest.approx(6500) and runs[1].files == ["b.fit", "c.fit"]
