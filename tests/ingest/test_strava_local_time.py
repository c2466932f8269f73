"""A Strava archive through the ingest: every era and language, and the local time of runs known only from the CSV.

``Activity Date`` is UTC and the CSV holds no local time: a row whose file is read
keeps the file's local time; a row without one takes the runner's home zone (the
zone most of the runner's files were recorded in), else ``--timezone``, else this
machine's zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from hamstring_analyzer.activity import Activity
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.ingest.classify import home_zone
from hamstring_analyzer.readers.summary_only import summary_activity
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run
from hamstring_analyzer.synthetic_exports import Outing, strava_archive
from hamstring_analyzer.synthetic_strava import STRAVA_LAYOUTS

SYDNEY = ZoneInfo("Australia/Sydney")
SYDNEY_ORIGIN = (-33.8688, 151.2093)
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def sydney_run(day: dt.datetime, km: float, seed: int, **kw) -> RunPlan:
    return easy_run(day, km, seed=seed, zone="Australia/Sydney", origin=SYDNEY_ORIGIN, **kw)


def utc(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return local.replace(tzinfo=zone).astimezone(dt.timezone.utc)


def sydney_week() -> list[Outing]:
    """A March week in Sydney (summer time, +11:00), in activity-id order: files of four kinds, a ride, a run without a file."""
    monday = dt.datetime(2026, 3, 2, 6, 30)  # 06:30 in Sydney is 19:30 UTC the day before
    return [
        Outing(sydney_run(monday + dt.timedelta(days=3), 5, 1)),
        Outing(sydney_run(monday, 6, 2), strava_type="Trail Run", file_kind="gpx.gz"),
        Outing(sydney_run(monday + dt.timedelta(days=1), 4, 3), file_kind="tcx.gz"),
        Outing(sydney_run(monday + dt.timedelta(days=5), 3, 4), file_kind="gpx"),
        Outing(manual_distance_m=8000.0, manual_elapsed_s=2600.0, manual_start_utc=utc(dt.datetime(2026, 3, 4, 23, 30), SYDNEY),
               strava_type="Virtual Run"),
        Outing(RunPlan(start_local=monday + dt.timedelta(days=2), segments=[Segment(900, 7.5, 85)], sport="cycling", seed=5,
                       zone="Australia/Sydney", origin=SYDNEY_ORIGIN), strava_type="Ride"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def week():
    return sydney_week()


@pytest.mark.parametrize("era", ["2024", *STRAVA_LAYOUTS])
def test_each_era_and_language_through_the_ingest(tmp_path, week, era):
    export = load_runs(strava_archive(tmp_path, week, era=era, upload_ids=True), use_cache=False, workers=1, timezone="Europe/London")
    assert export.errors == []
    assert [r.source_kinds for r in export.runs] == [["strava_csv", "gpx"], ["strava_csv", "tcx"], ["strava_csv"],
                                                      ["strava_csv", "fit"], ["strava_csv", "gpx"]]  # fmt: skip
    truth = sum(o.distance_m for o in week if o.strava_type != "Ride")
    assert sum(r.distance_m for r in export.runs) == pytest.approx(truth, rel=0.01)
    # Files keep their own local time; the run without a file takes the files' zone (not --timezone's London).
    assert [r.start_local.strftime("%Y-%m-%d %H:%M %z") for r in export.runs] == [
        "2026-03-02 06:30 +1100", "2026-03-03 06:30 +1100", "2026-03-04 23:30 +1100", "2026-03-05 06:30 +1100", "2026-03-07 06:30 +1100"]
    assert [s["reason"] for s in export.skipped] == ["not a run (cycling)"]


def test_summer_time_is_inferred_from_a_watchs_offsets(tmp_path):
    """FIT files carry offsets, not zones: +10:00 in winter, +11:00 in summer. A run without a file in
    summer, at 00:30, lands on its own day, not at 23:30 the day before (the most frequent offset)."""
    winter = [Outing(sydney_run(dt.datetime(2026, 6, d, 7, 0), 5, d)) for d in (1, 3, 5, 8, 10)]
    summer = [Outing(sydney_run(dt.datetime(2026, 2, d, 7, 0), 5, d)) for d in (2, 4)]
    late = Outing(manual_distance_m=6000.0, manual_elapsed_s=2000.0, manual_start_utc=utc(dt.datetime(2026, 3, 11, 0, 30), SYDNEY))
    export = load_runs(strava_archive(tmp_path, winter + summer + [late]), use_cache=False, workers=1)
    assert {r.utc_offset_s for r in export.runs if r.has_samples} == {36000, 39600}
    (listed,) = [r for r in export.runs if not r.has_samples]
    assert listed.start_local.strftime("%Y-%m-%d %H:%M %z") == "2026-03-11 00:30 +1100"


def test_without_files_the_given_zone_is_used(tmp_path):
    entries = [Outing(manual_distance_m=5000.0 + 1000 * i, manual_elapsed_s=1800.0,
                      manual_start_utc=utc(dt.datetime(2026, 1, 5 + i, 23, 30), LOS_ANGELES)) for i in range(3)]  # fmt: skip
    folder = strava_archive(tmp_path, entries, era="fr")
    export = load_runs(folder, use_cache=False, workers=1, timezone="America/Los_Angeles")
    assert [r.start_local.strftime("%Y-%m-%d %H:%M %z") for r in export.runs] == [
        "2026-01-05 23:30 -0800", "2026-01-06 23:30 -0800", "2026-01-07 23:30 -0800"]
    assert {r.timezone for r in export.runs} == {"America/Los_Angeles"}


def test_a_row_whose_file_is_read_keeps_the_files_local_time(tmp_path):
    (run,) = load_runs(strava_archive(tmp_path, [Outing(sydney_run(dt.datetime(2026, 3, 2, 6, 30), 5, 1))], era="it"),
                       use_cache=False, workers=1, timezone="America/Los_Angeles").runs  # fmt: skip
    assert run.source_kinds == ["strava_csv", "fit"]
    assert run.start_local.strftime("%Y-%m-%d %H:%M %z") == "2026-03-02 06:30 +1100"


def _at(when: str, offset_h: float | None = None, zone: str | None = None, fmt: str = "fit") -> Activity:
    a = summary_activity(source="x", fmt=fmt, start_utc=pd.Timestamp(when, tz="UTC"), elapsed_s=1800.0, distance_m=5000.0,
                         sport="running", utc_offset_s=None if offset_h is None else int(offset_h * 3600))  # fmt: skip
    a.timezone = zone
    return a


def test_home_zone_from_the_files_then_the_option_then_none():
    assert home_zone([], "Europe/Paris") == "Europe/Paris" and home_zone([], None) is None
    no_local_time = [_at("2026-03-02 07:00", fmt="strava_csv"), _at("2026-03-03 07:00", fmt="gpx")]
    assert home_zone(no_local_time, "Europe/Paris") == "Europe/Paris"  # nothing of their own to go by
    named = [_at("2026-03-02 07:00", zone="Europe/Berlin"), _at("2026-03-03 07:00", zone="Europe/Berlin"), _at("2026-03-04 07:00", 1)]
    assert home_zone(named, "America/New_York") == "Europe/Berlin"
    # One season only: the offset explains every file, so no zone is guessed.
    assert home_zone([_at(f"2026-07-0{d} 07:00", -4) for d in (1, 2, 3)], None) == dt.timezone(dt.timedelta(hours=-4))
    # Both seasons: a zone with summer time explains more than any single offset; the user's zone first among equals.
    both = [_at("2026-07-01 12:00", -4), _at("2026-07-02 12:00", -4), _at("2026-07-03 12:00", -4), _at("2026-01-05 12:00", -5)]
    zone = home_zone(both, "America/Toronto")
    assert zone == ZoneInfo("America/Toronto")
    assert home_zone(both, None).utcoffset(dt.datetime(2026, 1, 5, 12)) == dt.timedelta(hours=-5)
