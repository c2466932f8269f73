"""One week of running exported several ways reads the same: each run once, the same weekly distance."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math

import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.metrics.runs import runs_table
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run, write_fit
from hamstring_analyzer.synthetic_exports import Outing, garmin_export, raw_fit_folder, strava_archive
from hamstring_analyzer.metrics.weekly import weekly_summary

MONDAY = dt.datetime(2026, 3, 2, 7, 0)


def recorded_week() -> list[Outing]:
    """Three runs, a ride and a walk-less week of one runner; the second run is kept by Strava as GPX."""
    return [
        Outing(easy_run(MONDAY, 3, seed=1), rpe=4),
        Outing(easy_run(MONDAY + dt.timedelta(days=2, hours=11), 4, seed=2), rpe=6, commute=True, file_kind="gpx"),
        Outing(RunPlan(start_local=MONDAY + dt.timedelta(days=3), segments=[Segment(900, 7.5, 85)], sport="cycling", seed=5), strava_type="Ride"),
        Outing(easy_run(MONDAY + dt.timedelta(days=6), 6, seed=4), rpe=7),
    ]


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory):
    outings = recorded_week()
    base = tmp_path_factory.mktemp("three-ways")
    paths = {
        "strava": strava_archive(base / "strava", outings),
        "garmin": garmin_export(base / "garmin", outings, with_fit={0, 2}),  # the second and last runs: summaries only
        "fit": raw_fit_folder(base / "fit", outings),
    }
    exports = {k: load_runs(p, use_cache=False, workers=2, timezone="Europe/London") for k, p in paths.items()}
    return outings, exports


def test_the_same_week_three_ways_gives_the_same_weekly_distance(three_ways):
    outings, exports = three_ways
    truth = sum(o.distance_m for o in outings if o.strava_type == "Run")
    weekly = {}
    for name, export in exports.items():
        assert len(export.runs) == 3, (name, export.runs)  # each run once, the ride in none
        weeks = weekly_summary(runs_table(export.runs))
        assert list(weeks.index) == [dt.date(2026, 3, 2)]
        weekly[name] = float(weeks["distance_m"].iloc[0])
        assert weeks["runs"].iloc[0] == 3 and weeks["longest_run_m"].iloc[0] == pytest.approx(outings[3].distance_m, rel=0.01)
    for name, metres in weekly.items():
        assert metres == pytest.approx(truth, rel=0.01), name
    assert weekly["fit"] == pytest.approx(truth, rel=0.001)


def test_sources_say_where_each_run_came_from(three_ways):
    _, exports = three_ways
    assert [r.source_kinds for r in exports["fit"].runs] == [["fit"]] * 3
    assert [r.source_kinds for r in exports["strava"].runs] == [["strava_csv", "fit"], ["strava_csv", "gpx"], ["strava_csv", "fit"]]
    garmin = exports["garmin"].runs
    assert [r.source_kinds for r in garmin] == [["garmin_summary", "fit"], ["garmin_summary"], ["garmin_summary"]]
    assert [r.has_samples for r in garmin] == [True, False, False]
    dupes = [s for s in exports["garmin"].skipped if s["reason"].startswith("duplicate of ")]
    assert [d["source"] for d in dupes] == ["DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json"]


def test_strava_keeps_exertion_commute_and_names(three_ways):
    _, exports = three_ways
    runs = exports["strava"].runs
    assert [(r.rpe, r.commute) for r in runs] == [(4.0, False), (6.0, True), (7.0, False)]
    table = runs_table(runs)
    assert list(table["rpe"]) == [4.0, 6.0, 7.0] and list(table["has_samples"]) == [True, True, True]
    skipped = {s["source"]: s["reason"] for s in exports["strava"].skipped}
    assert skipped["activities/10000000002.fit.gz"] == "not a run (cycling)"


def test_a_manual_run_counts_in_the_week_without_samples(tmp_path):
    outings = recorded_week()[:2] + [
        Outing(manual_distance_m=8000.0, manual_elapsed_s=2700.0, manual_start_utc=dt.datetime(2026, 3, 7, 9, 0, tzinfo=dt.timezone.utc), rpe=5)
    ]
    export = load_runs(strava_archive(tmp_path, outings), use_cache=False, workers=1, timezone="Europe/London")
    manual = export.runs[-1]
    assert (manual.format, manual.has_samples, manual.distance_m, manual.moving_s, manual.rpe) == ("strava_csv", False, 8000.0, 2700.0, 5.0)
    table = runs_table(export.runs)
    row = table.iloc[-1]
    assert row["has_samples"] == False and math.isnan(row["fast_m"]) and row["sources"] == ["strava_csv"]  # noqa: E712
    weeks = weekly_summary(table)
    assert weeks["distance_m"].iloc[0] == pytest.approx(outings[0].distance_m + outings[1].distance_m + 8000.0, rel=1e-3)  # the GPX file: its track's distance
    assert weeks["longest_run_m"].iloc[0] == 8000.0 and weeks["moving_s"].iloc[0] > 2700.0


def test_strava_type_decides_before_any_guessing(tmp_path):
    """A file without a sport whose pace reads as a run is a ride when the runner said so on Strava, and the other way round."""
    run = easy_run(MONDAY, 3, seed=3, sport="generic")
    fast = RunPlan(start_local=MONDAY + dt.timedelta(days=1), segments=[Segment(1200, 3.2, 176)], sport="generic", seed=4)
    outings = [Outing(run, strava_type="Ride"), Outing(fast, strava_type="Run")]
    folder = strava_archive(tmp_path, outings)
    export = load_runs(folder, use_cache=False, workers=1)
    assert [r.source for r in export.runs] == ["activities/10000000001.fit.gz"]
    assert {s["source"]: s["reason"] for s in export.skipped}["activities/10000000000.fit.gz"] == "not a run (cycling)"


def test_a_listed_run_whose_file_is_broken_or_missing_still_counts(tmp_path):
    outings = recorded_week()[:2]
    folder = strava_archive(tmp_path, outings)
    (folder / "activities" / "10000000000.fit.gz").write_bytes(gzip.compress(b"\x0e\x10broken" * 10))
    (folder / "activities" / "10000000001.gpx").unlink()
    export = load_runs(folder, use_cache=False, workers=1)
    assert [e["source"] for e in export.errors] == ["activities/10000000000.fit.gz"]
    assert [(r.format, r.has_samples) for r in export.runs] == [("strava_csv", False), ("strava_csv", False)]
    assert "could not be read" in export.runs[0].warnings[-1] and "is not in the export" in export.runs[1].warnings[-1]
    assert sum(r.distance_m for r in export.runs) == pytest.approx(sum(o.distance_m for o in outings), abs=0.2)


def test_ingest_json_names_the_sources_and_analyze_runs_on_sampleless_weeks(tmp_path):
    outings = recorded_week()
    garmin = garmin_export(tmp_path / "garmin", outings, with_fit={0})
    out = tmp_path / "ingest.json"
    result = CliRunner().invoke(main, ["ingest", str(garmin), "--json", str(out), "--no-cache", "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    runs = json.loads(out.read_text())["runs"]
    assert [(r["sources"], r["has_samples"]) for r in runs] == [(["garmin_summary", "fit"], True), (["garmin_summary"], False), (["garmin_summary"], False)]
    assert runs[1]["distance_m"] == pytest.approx(outings[1].distance_m, abs=0.1) and runs[1]["cadence_spm"] is not None
    out = tmp_path / "analyze.json"
    result = CliRunner().invoke(main, ["analyze", str(garmin), "--json", str(out), "--no-cache", "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["weeks"][0]["runs"] == 3 and doc["weeks"][0]["distance_m"] == pytest.approx(
        sum(o.distance_m for o in outings if o.strava_type == "Run"), rel=0.01)


def test_a_second_ingest_reads_the_lists_from_the_store(tmp_path):
    outings = recorded_week()
    folder = strava_archive(tmp_path / "strava", outings)
    first = load_runs(folder, cache_dir=tmp_path / "store", workers=1)
    again = load_runs(folder, cache_dir=tmp_path / "store", workers=1)
    assert again.parsed == 0 and again.cache_hits == first.parsed
    assert [(r.id, r.source_kinds, r.rpe) for r in again.runs] == [(r.id, r.source_kinds, r.rpe) for r in first.runs]


def test_fit_beside_its_strava_listing_with_other_files(tmp_path):
    """A Strava archive dropped in a folder with other watch files: list rows join their own files only."""
    outings = recorded_week()[:1]
    strava_archive(tmp_path / "strava", outings)
    (tmp_path / "watch").mkdir()
    (tmp_path / "watch" / "other.fit").write_bytes(write_fit(easy_run(MONDAY + dt.timedelta(days=3), 3, seed=9)))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert [r.source_kinds for r in export.runs] == [["strava_csv", "fit"], ["fit"]]
