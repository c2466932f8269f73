"""A watch run the runner re-typed in Garmin Connect: the summary's type is the runner's word and wins."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from hamstring_analyzer.activity import Activity
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.ingest.classify import drop_retyped
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run
from hamstring_analyzer.synthetic_exports import Outing
from hamstring_analyzer.synthetic_quirks import garmin_real_export

PARIS = dict(zone="Europe/Paris", origin=(48.8566, 2.3522))
RETYPED = "re-typed as walking in Garmin Connect (the watch recorded it as a run)"


def _day(d: int) -> dt.datetime:
    return dt.datetime(2026, 9, d, 7, 0)


def week() -> list[Outing]:
    return [
        Outing(easy_run(_day(7), 6, seed=1, **PARIS)),  # a run, FIT and summary
        Outing(easy_run(_day(8), 4, seed=2, **PARIS), strava_type="Walk"),  # the watch's run, re-typed as a walk
        Outing(manual_distance_m=9000.0, manual_elapsed_s=7200.0, strava_type="Hike",  # sportType RUNNING, no FIT
               manual_start_utc=dt.datetime(2026, 9, 9, 8, tzinfo=dt.timezone.utc)),
        Outing(RunPlan(start_local=_day(11), segments=[Segment(1800, 1.4, 110)], sport="walking", seed=4, **PARIS), strava_type="Walk"),
        # the reverse: a FIT walk the runner re-typed as a run
        Outing(RunPlan(start_local=_day(12), segments=[Segment(1500, 2.6, 150)], sport="walking", seed=5, **PARIS), strava_type="Run"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def outings():
    return week()


@pytest.mark.parametrize("loose", [False, True], ids=["fit in the zip", "fit loose"])
def test_a_run_retyped_as_a_walk_is_skipped_with_its_reason(tmp_path, outings, loose):
    export = load_runs(garmin_real_export(tmp_path, outings, loose=loose), use_cache=False, workers=1)
    fits = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1" + ("/" if loose else ".zip/")
    skipped = {s["source"]: s["reason"] for s in export.skipped}
    assert skipped[fits + "runner@example.com_12000000001.fit"] == RETYPED
    assert skipped[fits + "runner@example.com_12000000003.fit"] == "not a run (walking)"  # a walk by both words
    run, reverse = export.runs
    assert run.source == fits + "runner@example.com_12000000000.fit" and run.sources == ["garmin_summary", "fit"]
    assert run.distance_m == pytest.approx(outings[0].distance_m, rel=0.01)
    assert run.start_local.isoformat() == "2026-09-07T07:00:00+02:00"
    # the reverse counts as a run, from the summary's totals (the FIT walk's samples were not kept)
    assert (reverse.format, reverse.has_samples) == ("garmin_summary", False)
    assert reverse.start_utc == pd.Timestamp(outings[4].start_utc) and reverse.distance_m == pytest.approx(outings[4].distance_m, abs=0.01)
    assert skipped[fits + "runner@example.com_12000000004.fit"] == "not a run (walking)"
    assert not any(s.startswith("re-typed") for src, s in skipped.items() if "12000000004" in src or "12000000000" in src)


def _row(sport: str, start: str, elapsed: float = 1800.0, fmt: str = "garmin_summary") -> Activity:
    return Activity(source="s.json", format=fmt, sport=sport, start_utc=pd.Timestamp(start, tz="UTC"), elapsed_s=elapsed)


def test_drop_retyped_matches_by_start_and_duration_only_known_sports():
    runs = [_row("running", "2026-09-08 05:00:01", fmt="fit"), _row("running", "2026-09-09 05:00", fmt="fit"),
            _row("running", "2026-09-10 05:00", fmt="fit"), _row("running", "2026-09-11 05:00", 600.0, fmt="fit")]  # fmt: skip
    for i, run in enumerate(runs):
        run.source = f"{i}.fit"
    rows = [_row("walking", "2026-09-08 05:00"), _row("other", "2026-09-09 05:00"), _row("hiking", "2026-09-10 05:04"),
            _row("cycling", "2026-09-11 05:00", 3600.0), _row("walking", "2026-09-12 05:00", fmt="strava_csv")]  # fmt: skip
    skipped: list[dict] = []
    drop_retyped(rows, runs, skipped)
    # 0: the same start; 1: "other" says nothing; 2: four minutes apart; 3: a ride of an hour is not a 10-minute run
    assert [r.source for r in runs] == ["1.fit", "2.fit", "3.fit"] and skipped == [{"source": "0.fit", "reason": RETYPED}]
    strava = [_row("running", "2026-09-12 05:00:30", fmt="gpx")]
    drop_retyped(rows, strava, skipped)
    assert strava == [] and skipped[-1]["reason"] == "re-typed as walking in Strava (the watch recorded it as a run)"
