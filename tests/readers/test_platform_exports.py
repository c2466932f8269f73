"""The readers of the platforms' exports, on samples generated from their documented layouts."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer import glossary as g
from hamstring_analyzer.errors import NotAnActivityError, ParseError
from hamstring_analyzer.readers import Opener, read_activities, registry
from hamstring_analyzer.readers.apple_health import parse_date
from hamstring_analyzer.readers.garmin_summary import read_garmin_summary
from hamstring_analyzer.readers.polar import read_polar
from hamstring_analyzer.readers.strava_csv import read_strava_csv
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run
from hamstring_analyzer.synthetic_exports import Outing, apple_health_export, garmin_export, polar_session, strava_archive

MONDAY = dt.datetime(2026, 3, 2, 7, 0)  # London: GMT in early March


def week() -> list[Outing]:
    return [
        Outing(easy_run(MONDAY, 3, seed=1), rpe=4),
        Outing(easy_run(MONDAY + dt.timedelta(days=2), 4, seed=2), rpe=6, commute=True, file_kind="gpx"),
        Outing(RunPlan(start_local=MONDAY + dt.timedelta(days=1), segments=[Segment(900, 7.5, 85)], sport="cycling", seed=5), strava_type="Ride"),
        Outing(manual_distance_m=6000.0, manual_elapsed_s=1900.0, manual_start_utc=dt.datetime(2026, 3, 5, 18, 0, tzinfo=dt.timezone.utc), rpe=3),
    ]


@pytest.fixture(scope="module")
def outings():
    return week()


# ---------------------------------------------------------------- registry --


def test_every_format_is_one_registry_line_with_a_name_and_a_content_test():
    kinds = [r.kind for r in registry.READERS]
    assert kinds == ["fit", "apple_health", "tcx", "gpx", "strava_csv", "garmin_summary", "polar_json", "daily_log"]  # issue 16: daily logs
    assert registry.reader_for_name("export/activities.csv").kind == "strava_csv"
    assert registry.reader_for_name("DI_CONNECT/DI-Connect-Fitness/a@b.c_0_summarizedActivities.json").kind == "garmin_summary"
    assert registry.reader_for_name("training-session-2019-05-12-263.json").kind == "polar_json"
    assert registry.reader_for_name("apple_health_export/export.xml").kind == "apple_health"
    assert registry.reader_for_name("notes.json") is None and registry.reader_for_name("export_cda.xml") is None
    assert [r.kind for r in registry.READERS if r.index] == ["strava_csv", "garmin_summary"]


# ------------------------------------------------------------------ Strava --


def test_strava_csv_rows_types_units_exertion_and_files(tmp_path, outings):
    folder = strava_archive(tmp_path, outings)
    rows = read_activities(folder / "activities.csv")
    assert [(a.sport, a.sub_sport) for a in rows] == [("running", None), ("running", None), ("cycling", None), ("running", None)]
    run, gpx_run, ride, manual = rows
    assert run.format == "strava_csv" and not run.has_samples
    assert run.distance_m == pytest.approx(outings[0].distance_m, abs=0.1)  # the metres column, not the rounded km
    assert run.elapsed_s == round(outings[0].elapsed_s) and run.moving_s == pytest.approx(outings[0].moving_s, abs=0.1)
    assert run.start_utc == pd.Timestamp("2026-03-02 07:00:00", tz="UTC")
    assert (run.rpe, run.commute, gpx_run.rpe, gpx_run.commute, ride.rpe) == (4.0, False, 6.0, True, None)
    assert run.file_ref == "activities/10000000000.fit.gz" and gpx_run.file_ref == "activities/10000000001.gpx"
    assert manual.file_ref is None and manual.distance_m == 6000.0 and manual.elapsed_s == 1900.0
    assert run.totals["cadence_spm"] == pytest.approx(float(np.mean(outings[0].samples.cad)), abs=0.2)  # one foot's, doubled


@pytest.mark.parametrize("era", ["2018", "de"])
def test_strava_csv_older_and_localised_headers(tmp_path, outings, era):
    folder = strava_archive(tmp_path, outings, era=era)
    rows = read_strava_csv((folder / "activities.csv").read_bytes(), "activities.csv")
    assert [a.sport for a in rows] == ["running", "running", "cycling", "running"]
    assert rows[0].start_utc == pd.Timestamp("2026-03-02 07:00:00", tz="UTC")
    # 2018: one Distance column, in km (two decimals); German: metres in the second "Distanz"
    assert rows[0].distance_m == pytest.approx(outings[0].distance_m, abs=6.0 if era == "2018" else 0.1)
    assert rows[3].rpe == (3.0 if era == "de" else None)


def test_strava_csv_a_minimal_header_with_iso_dates():
    data = b"Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance\n9001,2026-08-10 06:12:00,Morning Run,Run,2700,8.1\n9003,2026-08-11 07:00:00,Pool,Swim,2400,1.2\n"
    run, swim = read_strava_csv(data, "activities.csv")
    assert (run.sport, run.distance_m, run.elapsed_s, run.name) == ("running", 8100.0, 2700.0, "Morning Run")
    assert swim.sport == "other" and not swim.is_run


@pytest.mark.parametrize("kind,expected", [("Trail Run", ("running", "trail")), ("Virtual Run", ("running", "virtual_activity")),
                                           ("Walk", ("walking", None)), ("Hike", ("hiking", None)), ("Ride", ("cycling", None)),
                                           ("Lauf", ("running", None)), ("Course à pied", ("running", None)), ("Swim", ("other", None)),
                                           ("Rowing", ("other", None)), ("Weight Training", ("other", None))])  # fmt: skip
def test_strava_activity_types(kind, expected):
    from hamstring_analyzer.readers.strava_csv import strava_type

    assert strava_type(kind) == expected


# ------------------------------------------------------------------ Garmin --


def test_garmin_summary_units_as_garmin_writes_them():
    entry = {"activityId": 111, "name": "Lunch run", "activityType": {"typeKey": "trail_running"}, "sportType": "RUNNING",
             "startTimeGmt": 1772438400000, "startTimeLocal": 1772442000000, "beginTimestamp": 1772438400000,
             "duration": 1800000.0, "elapsedDuration": 1860000.0, "movingDuration": 1750000.0, "distance": 500000.0,
             "elevationGain": 12345.0, "avgHr": 151.0, "avgRunCadence": 85.5}  # fmt: skip
    (a,) = read_garmin_summary(json.dumps([{"summarizedActivitiesExport": [entry]}]).encode(), "x_summarizedActivities.json")
    assert (a.sport, a.sub_sport, a.distance_m, a.elapsed_s, a.moving_s) == ("running", "trail", 5000.0, 1860.0, 1750.0)
    assert a.start_utc == pd.Timestamp("2026-03-02 08:00:00", tz="UTC") and a.utc_offset_s == 3600
    assert a.totals == {"elevation_gain_m": 123.45, "avg_heart_rate_bpm": 151.0, "cadence_spm": 171.0}
    assert not a.has_samples and a.warnings == []


def test_garmin_summary_doubts_units_that_give_no_running_speed():
    entry = {"activityId": 1, "activityType": "running", "startTimeGmt": 1772438400000, "duration": 1800000.0, "distance": 5000.0}
    (a,) = read_garmin_summary(json.dumps([{"summarizedActivitiesExport": [entry]}]).encode(), "s.json")
    assert a.distance_m == 50.0 and "not a running speed" in a.warnings[0]


def test_garmin_summary_generated_export(tmp_path, outings):
    folder = garmin_export(tmp_path, outings)
    (path,) = folder.glob("DI_CONNECT/DI-Connect-Fitness/*_summarizedActivities.json")
    rows = read_activities(path)
    assert [a.sport for a in rows] == ["running", "running", "cycling", "running"]
    assert [round(a.distance_m, 1) for a in rows] == [round(o.distance_m, 1) for o in outings]
    assert rows[0].utc_offset_s == 0 and rows[0].start_utc == pd.Timestamp("2026-03-02 07:00:00", tz="UTC")


# ------------------------------------------------------------------- Polar --


@pytest.mark.parametrize("shape", ["new", "typed", "old"])
def test_polar_session_both_shapes(outings, shape):
    data = polar_session(outings[0], shape)
    assert b"NaN" in data  # as Polar writes it: not valid JSON
    (a,) = read_polar(data, "training-session-2026-03-02-1.json")
    o = outings[0]
    assert a.format == "polar_json" and a.sport == "running" and a.has_samples
    assert a.start_utc == pd.Timestamp("2026-03-02 07:00:00", tz="UTC") and a.utc_offset_s == 0
    assert a.distance_m == pytest.approx(o.distance_m, abs=0.1)
    speed = a.records[g.SPEED].median()
    assert speed == pytest.approx(float(np.median(o.samples.speed)), rel=0.02)  # km/h read as km/h
    assert a.records[g.CADENCE].median() == pytest.approx(176, abs=2)
    assert a.records[g.HEART_RATE].notna().sum() >= len(a.records) * 0.9
    assert a.has_gps


def test_polar_session_in_summer_time_and_without_samples():
    doc = {"startTime": "2026-07-01T18:30:00.000", "timezoneOffsetMinutes": 120, "exercises": [
        {"sport": "RUNNING", "duration": "PT1H2M3S", "distance": 12000.0, "perceivedExertion": 7}]}  # fmt: skip
    (a,) = read_polar(json.dumps(doc).encode(), "training-session-x.json")
    assert a.start_utc == pd.Timestamp("2026-07-01 16:30:00", tz="UTC") and a.utc_offset_s == 7200
    assert (a.elapsed_s, a.distance_m, a.rpe, a.has_samples) == (3723.0, 12000.0, 7.0, False)


# ----------------------------------------------------------- Apple Health --


@pytest.fixture(scope="module")
def apple(tmp_path_factory, outings):
    runs = [outings[0], outings[1], Outing(easy_run(MONDAY + dt.timedelta(days=4), 3, seed=7))]
    root = apple_health_export(tmp_path_factory.mktemp("apple"), runs, indoor={2}, without_route={1})
    return root, runs, read_activities(root / "export.xml")


def test_apple_health_workouts_routes_and_samples(apple):
    root, runs, acts = apple
    assert [a.id for a in acts] == [f"{root / 'export.xml'}", f"{root / 'export.xml'}#1", f"{root / 'export.xml'}#2"]
    first, no_route, indoor = acts
    assert all(a.format == "apple_health" and a.sport == "running" for a in acts)
    assert [a.sub_sport for a in acts] == [None, None, "treadmill"]
    for a, o in zip(acts, runs):
        assert a.distance_m == pytest.approx(o.distance_m, abs=1.0)  # the workout's own total
        assert a.start_utc == pd.Timestamp(o.start_utc) and a.utc_offset_s == 0
        assert a.moving_s == pytest.approx(o.moving_s, abs=1.0)
    assert first.has_gps and not no_route.has_gps and not indoor.has_gps
    assert "is not in the export" in no_route.warnings[0]
    rec = first.records
    # the watch's steps only: the phone's count of the same steps is not added
    assert rec[g.CADENCE].median() == pytest.approx(float(np.mean(runs[0].samples.cad)), abs=2)
    assert rec[g.HEART_RATE].median() == pytest.approx(float(np.median(runs[0].samples.hr)), abs=3)
    assert rec[g.STANCE_TIME].median() == 245 and rec[g.VERTICAL_OSCILLATION].median() == 89
    speed = float(np.median(runs[0].samples.speed))
    assert rec[g.STEP_LENGTH].median() == pytest.approx(speed / (176 / 60) * 1000, rel=0.03)
    assert rec[g.SPEED].median() == pytest.approx(speed, rel=0.02)
    assert first.totals["elevation_gain_m"] == 21.0
    assert indoor.records[g.DISTANCE].iloc[-1] == pytest.approx(runs[2].distance_m, rel=0.02)  # from the distance samples
    # the running metrics are part of the run's samples: they survive cleaning and the run store
    from hamstring_analyzer.clean import clean_activity

    cleaned = clean_activity(first)
    assert {g.STEP_LENGTH, g.STANCE_TIME, g.VERTICAL_OSCILLATION} <= set(cleaned.samples.columns)
    assert np.nanmedian(cleaned.samples[g.STANCE_TIME]) == 245


def test_apple_health_dates():
    assert parse_date("2026-03-02 07:01:00 +0100") == (pd.Timestamp("2026-03-02 06:01", tz="UTC").timestamp(), 3600)
    assert parse_date("2026-03-02 07:01:00 -0530")[1] == -19800
    assert parse_date("2026-03-02T07:01:00Z")[1] == 0
    assert parse_date("2026-02-30 07:01:00 +0100") is None and parse_date("yesterday") is None


def test_apple_health_in_its_zip_is_streamed_with_its_routes(tmp_path, apple):
    import zipfile

    root, runs, _ = apple
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(root.rglob("*")):
            if f.is_file():
                zf.write(f, "apple_health_export/" + f.relative_to(root).as_posix())
    acts = read_activities("export.zip/apple_health_export/export.xml", Opener("apple_health", archive, "apple_health_export/export.xml"))
    assert [a.has_gps for a in acts] == [True, False, False]
    assert acts[0].distance_m == pytest.approx(runs[0].distance_m, abs=1.0)


def test_apple_health_without_running_workouts_is_not_an_activity(tmp_path):
    root = apple_health_export(tmp_path, [])
    with pytest.raises(NotAnActivityError, match="without running workouts"):
        read_activities(root / "export.xml")


def test_apple_health_cut_short_keeps_the_workouts_before_the_cut(tmp_path, apple):
    root, runs, _ = apple
    data = (root / "export.xml").read_bytes()
    cut = data.index(b"<Workout ", data.index(b"<Workout ") + 10) + 40  # inside the second workout
    (tmp_path / "export.xml").write_bytes(data[:cut])
    (a,) = read_activities(tmp_path / "export.xml")
    assert a.distance_m == pytest.approx(runs[0].distance_m, abs=1.0)
    assert any("cut short" in w for w in a.warnings)
    (tmp_path / "export.xml").write_bytes(data[: data.index(b"</Workout>") - 5])
    with pytest.raises(ParseError, match="cut short"):
        read_activities(tmp_path / "export.xml")


@pytest.mark.parametrize(
    "read, name, expected",
    [
        ("polar", "TRAIL_RUNNING", ("running", "trail")),
        ("polar", "TRACK_AND_FIELD_RUNNING", ("running", "track")),
        ("polar", "INDOOR_RUNNING", ("running", "treadmill")),
        ("polar", "CYCLING", ("cycling", None)),
        ("polar", "YOGA", ("yoga", None)),  # named, so that the skip says what it was
        ("strava", "Trail Run", ("running", "trail")),
        ("strava", "TrailRun", ("running", "trail")),
        ("strava", "Virtual Run", ("running", "virtual_activity")),
        ("strava", "Swim", ("other", None)),
        ("gpx", "trail-running", ("running", "trail")),
    ],
)
def test_every_reader_names_sports_from_one_table(read, name, expected):
    from hamstring_analyzer.readers.polar import _sport
    from hamstring_analyzer.readers.sports import sport_from_text
    from hamstring_analyzer.readers.strava_csv import strava_type

    assert {"polar": _sport, "strava": strava_type, "gpx": sport_from_text}[read](name) == expected
