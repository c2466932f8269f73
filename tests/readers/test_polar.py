"""Polar Flow's account export in both real schemas, on generated sessions shaped like real exports."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer import glossary as g
from hamstring_analyzer.errors import NotAnActivityError, ParseError
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.readers import read_activities, registry
from hamstring_analyzer.readers.polar import POLAR_SPORTS, read_polar
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run
from hamstring_analyzer.synthetic_exports import (
    POLAR_CYCLING, POLAR_TRAIL, POLAR_TREADMILL, POLAR_XC_CLASSIC, Outing, polar_export, polar_file_name, polar_session,
)  # fmt: skip

from ..conftest import examples

SPRING = dt.datetime(2026, 5, 23, 10, 46, 22)  # British Summer Time: UTC+1


def outings() -> list[Outing]:
    """Three runs (road, treadmill, trail), a ride and a classic ski session, a day apart."""
    day = dt.timedelta(days=1)
    return [
        Outing(easy_run(SPRING, 4, seed=1), activity_id=8052216696),
        Outing(easy_run(SPRING + day, 3, seed=2), activity_id=8052216697),
        Outing(easy_run(SPRING + 2 * day, 5, seed=3), activity_id=8052216698),
        Outing(RunPlan(start_local=SPRING + 3 * day, segments=[Segment(900, 7.5, 85)], sport="cycling", seed=5), activity_id=8052216699),
        Outing(easy_run(SPRING + 4 * day, 3, seed=4), activity_id=8052216700),
    ]


SPORT_IDS = {1: POLAR_TREADMILL, 2: POLAR_TRAIL, 3: POLAR_CYCLING, 4: POLAR_XC_CLASSIC}


@pytest.fixture(scope="module")
def week():
    return outings()


def _polar_runs(export):
    return sorted((r for r in export.runs if r.format == "polar_json"), key=lambda r: r.start_utc)


# ------------------------------------------------------------ sport ids --


@pytest.mark.parametrize("sport_id, expected", [
    (1, ("running", None)), (4, ("running", None)), (17, ("running", "treadmill")), (19, ("running", None)),
    (27, ("running", "trail")), (36, ("running", "track")), (92, ("running", None)),
    (2, ("cycling", None)), (11, ("hiking", None)), (25, ("cross-country skiing", "classic")), (12, ("tennis", None)),
])  # fmt: skip
def test_sport_ids_from_polar_flows_list(sport_id, expected):
    assert POLAR_SPORTS[sport_id] == expected
    assert [i for i, (sport, _) in POLAR_SPORTS.items() if sport == "running"] == [1, 4, 17, 19, 27, 36, 92]


@pytest.mark.parametrize("sport, expected", [
    ({"id": "1"}, ("running", None)), ({"id": 27}, ("running", "trail")), ("17", ("running", "treadmill")),
    ({"id": "82"}, ("another sport: Polar sport id 82", None)), ({"id": "-3"}, ("other", None)), ({"id": True}, ("other", None)),
    ("TREADMILL_RUNNING", ("running", "treadmill")), ("TRAIL_RUNNING", ("running", "trail")),
    ("OTHER_OUTDOOR", ("other outdoor", None)), ("TENNIS", ("tennis", None)), ("WATER_RUNNING", ("water running", None)), ("<b>x</b>", ("other", None)), (None, ("other", None)),
])  # fmt: skip
def test_sport_from_id_or_name(sport, expected):
    from hamstring_analyzer.readers.polar import _sport

    assert _sport(sport) == expected


# ------------------------------------------------------- the new schema --


def test_new_schema_export_reads_every_run_with_its_distance_and_local_time(tmp_path, week):
    """Today's exports name no sport: every run must still be read, the ride and the ski session skipped by name."""
    folder = polar_export(tmp_path / "polar", week, each={n: {"sport_id": i} for n, i in SPORT_IDS.items()})
    names = sorted(p.name for p in folder.iterdir())
    assert all(":" in name for name in names) and names[0].startswith("training-session-2026-05-23T10:46:22-")
    export = load_runs(folder, use_cache=False, workers=1)
    runs = _polar_runs(export)
    assert len(runs) == 3 and not export.errors
    for run, o in zip(runs, week[:3]):
        assert run.distance_m == pytest.approx(o.distance_m, rel=0.01)
        assert run.start_local.tz_localize(None) == pd.Timestamp(o.start_utc.replace(tzinfo=None)) + pd.Timedelta(hours=1)
        assert run.utc_offset_s == 3600
    assert runs[0].start_local.strftime("%Y-%m-%d %H:%M:%S") == "2026-05-23 10:46:22"
    assert [(r.sport, r.sub_sport) for r in runs] == [("running", None), ("running", "treadmill"), ("running", "trail")]
    reasons = sorted(s["reason"] for s in export.skipped)
    assert reasons == ["not a run (cross-country skiing/classic)", "not a run (cycling)"]


def test_new_schema_ski_session_is_skipped_with_its_sport_named(tmp_path, week):
    (tmp_path / polar_file_name(week[4])).write_bytes(polar_session(week[4], sport_id=POLAR_XC_CLASSIC))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert export.runs == [] and [s["reason"] for s in export.skipped] == ["not a run (cross-country skiing/classic)"]


def test_unknown_sport_id_says_so():
    data = polar_session(outings()[0], sport_id=999, with_samples=False)
    (a,) = read_polar(data, "training-session-x.json")
    assert (a.sport, a.is_run) == ("another sport: Polar sport id 999", False)


def test_new_schema_samples_route_and_units(week):
    o = week[0]
    data = polar_session(o)
    assert b'"NaN"' in data and b'"sport": {"id": "1"}' in data and b"RUNNING" not in data  # as real exports: no sport name
    (a,) = read_polar(data, polar_file_name(o))
    assert a.has_gps and a.records[g.LATITUDE].notna().mean() > 0.95  # the route sits on the series' 1 s grid
    assert a.records[g.SPEED].median() == pytest.approx(float(np.median(o.samples.speed)), rel=0.02)  # km/h read as km/h
    assert a.records[g.CADENCE].median() == pytest.approx(176, abs=2)  # one foot (88) read as steps
    assert a.records[g.HEART_RATE].notna().sum() >= len(a.records) * 0.9
    assert a.distance_m == pytest.approx(o.distance_m, abs=0.01)
    assert a.elapsed_s == pytest.approx(o.elapsed_s, abs=1.0)


def test_totals_only_session_takes_the_sessions_own_totals(week):
    o = week[1]
    (a,) = read_polar(polar_session(o, with_samples=False), "training-session-x.json")
    assert not a.has_samples and a.is_run
    assert a.distance_m == pytest.approx(o.distance_m, abs=0.01)
    assert a.elapsed_s == pytest.approx(round(o.elapsed_s, 3), abs=0.001)
    assert a.start_utc == pd.Timestamp(o.start_utc).floor("s") and a.utc_offset_s == 3600
    assert a.totals["avg_heart_rate_bpm"] == pytest.approx(float(np.mean(o.samples.hr)), abs=0.5)


def test_session_without_exercises_reads_from_its_totals(week):
    doc = json.loads(polar_session(week[1], with_samples=False))
    del doc["exercises"]
    data = json.dumps(doc).encode()
    assert registry.reader_for_content(data).kind == "polar_json"
    (a,) = read_activities("training-session-2026-05-24T10:46:22-a-b.json", data)
    assert a.is_run and a.distance_m == pytest.approx(week[1].distance_m, abs=0.01) and a.elapsed_s == pytest.approx(week[1].elapsed_s, abs=0.01)
    with pytest.raises(NotAnActivityError, match="without exercises"):
        read_polar(json.dumps({"identifier": {"id": "1"}, "startTime": "2026-05-24T10:46:22"}).encode(), "training-session-y.json")


def test_multisport_totals_stay_with_the_session():
    """A multisport session's own distance and sport must not be copied onto an exercise that has none."""
    doc = {"identifier": {"id": "7537918035"}, "startTime": "2022-12-06T09:21:40", "timezoneOffsetMinutes": 60,
           "durationMillis": 1408260, "distanceMeters": 42.6, "sport": {"id": "82"},
           "exercises": [{"startTime": "2022-12-06T09:21:40", "durationMillis": 559127, "distanceMeters": 42.6, "sport": {"id": "17"}},
                         {"startTime": "2022-12-06T09:31:09", "durationMillis": 438282, "sport": {"id": "18"}}]}  # fmt: skip
    first, second = read_polar(json.dumps(doc).encode(), "training-session-z.json")
    assert (first.sport, first.sub_sport, first.distance_m, first.elapsed_s) == ("running", "treadmill", 42.6, 559.127)
    assert (second.sport, second.sub_sport, second.distance_m, second.elapsed_s) == ("cycling", "indoor", None, 438.282)
    assert second.start_utc == pd.Timestamp("2022-12-06 08:31:09", tz="UTC") and second.id.endswith("#1")


# ---------------------------------------------------- the older schema --


@pytest.mark.parametrize("shape", ["typed", "old"])
@pytest.mark.parametrize("name, expected, reason", [
    ("TREADMILL_RUNNING", ("running", "treadmill"), None), ("TRAIL_RUNNING", ("running", "trail"), None),
    ("OTHER_OUTDOOR", ("other outdoor", None), "not a run (other outdoor)"), ("TENNIS", ("tennis", None), "not a run (tennis)"),
])  # fmt: skip
def test_older_export_sport_names(tmp_path, week, shape, name, expected, reason):
    o = week[0]
    (a,) = read_polar(polar_session(o, shape, sport_name=name), "training-session-2026-05-23-1-a.json")
    assert (a.sport, a.sub_sport) == expected
    (tmp_path / polar_file_name(o, shape)).write_bytes(polar_session(o, shape, sport_name=name))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert [s["reason"] for s in export.skipped] == ([reason] if reason else [])
    assert len(export.runs) == (0 if reason else 1)


def test_older_export_offsets_in_either_case_and_iso_durations():
    """exportVersion 1.6-2.6: the session writes timeZoneOffset, an exercise timezoneOffset; durations are ISO 8601."""
    session = {"exportVersion": "2.4", "startTime": "2022-10-16T14:23:39.204", "timeZoneOffset": 120, "distance": 1151.178,
               "duration": "PT11582.216S", "exercises": [{"startTime": "2022-10-16T14:23:39.204", "duration": "PT6859.625S",
                                                          "distance": 10012.5, "sport": "RUNNING"}]}  # fmt: skip
    (a,) = read_polar(json.dumps(session).encode(), "training-session-2022-10-16-7505780534-a.json")
    assert a.start_utc == pd.Timestamp("2022-10-16 12:23:39.204", tz="UTC") and a.utc_offset_s == 7200
    assert (a.elapsed_s, a.distance_m, a.sport) == (6859.625, 10012.5, "running")
    session["exercises"][0]["timezoneOffset"] = -300  # the exercise's own wins
    (a,) = read_polar(json.dumps(session).encode(), "training-session-2022-10-16-7505780534-a.json")
    assert a.start_utc == pd.Timestamp("2022-10-16 19:23:39.204", tz="UTC") and a.utc_offset_s == -18000


# ------------------------------------------------------ heart rate, NaN --


@pytest.mark.parametrize("shape", ["new", "typed", "old"])
def test_no_heart_rate_sensor_gives_no_heart_rate(shape, week):
    o = week[0]
    for with_samples in (True, False):
        data = polar_session(o, shape, hr_sensor=False, with_samples=with_samples)
        if shape == "new":
            assert b'"hrAvg": 0' in data and b'"hrMax": 0' in data
        (a,) = read_polar(data, "training-session-x.json")
        assert a.totals is None or a.totals.get("avg_heart_rate_bpm") is None
        assert g.HEART_RATE not in a.records or a.records[g.HEART_RATE].isna().all()
    if shape == "new":  # the control: with the strap on, the session's own average is kept
        (a,) = read_polar(polar_session(o, shape, with_samples=False), "training-session-x.json")
        assert a.totals["avg_heart_rate_bpm"] == pytest.approx(float(np.mean(o.samples.hr)), abs=0.5)


def test_no_heart_rate_reaches_the_run_summary_as_missing(tmp_path, week):
    (tmp_path / polar_file_name(week[1])).write_bytes(polar_session(week[1], hr_sensor=False, with_samples=False))
    (run,) = load_runs(tmp_path, use_cache=False, workers=1).runs
    assert run.stats["avg_heart_rate_bpm"] is None


@pytest.mark.parametrize("nan", ["bare", "quoted"])
@pytest.mark.parametrize("shape", ["new", "typed", "old"])
def test_nan_in_raw_files_is_missing(shape, nan, week):
    data = polar_session(week[0], shape, nan=nan)
    assert (b'"NaN"' in data) == (nan == "quoted") and b"NaN" in data
    if nan == "bare":
        with pytest.raises(ValueError, match="NaN"):  # not valid JSON: a strict parser refuses it
            json.loads(data, parse_constant=_refuse)
    (a,) = read_polar(data, "training-session-x.json")
    hr = a.records[g.HEART_RATE]
    assert hr.isna().sum() >= 3 and hr.notna().sum() >= len(hr) * 0.9


def _refuse(name: str):
    raise ValueError(name)


# ------------------------------------------- colon names: folder and zip --


def test_colon_file_names_in_a_folder_and_a_zip(tmp_path, week):
    runs = week[:2]
    folder = polar_export(tmp_path / "export 2026-05-23T10:46:22", runs)  # a colon in the folder's name too
    archive = polar_export(tmp_path / "zipped", runs, zipped=True)
    with zipfile.ZipFile(archive) as zf:
        assert all(":" in name for name in zf.namelist())
    for root in (folder, archive):
        export = load_runs(root, use_cache=False, workers=1)
        assert not export.errors and not export.ignored and not export.skipped
        assert sorted(round(r.distance_m, 1) for r in export.runs) == sorted(round(o.distance_m, 1) for o in runs)
        assert all(r.source.startswith("training-session-2026-05-2") or "/training-session-2026-05-2" in r.source for r in export.runs)
    assert registry.reader_for_name("training-session-2026-05-23T10:46:22-0e16eab9-4a80b2d7.json").kind == "polar_json"
    assert registry.reader_for_name("training-session_2026-05-23T10_46_22_8052216696-4a80b2d7.json").kind == "polar_json"


# -------------------------------------------------------- bad new shapes --

JSON = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)  # fmt: skip
FIELDS = ["identifier", "startTime", "stopTime", "timezoneOffsetMinutes", "durationMillis", "distanceMeters", "sport", "hrAvg",
          "hrMax", "exercises", "samples", "routes", "name"]  # fmt: skip


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(top=st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=4), inner=st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=4),
       sample=st.dictionaries(st.sampled_from(["type", "intervalMillis", "values", "wayPoints", "startTime", "route"]),
                              JSON | st.sampled_from(["HEART_RATE", "SPEED", "2026-05-23T10:46:22.204"]), max_size=3))  # fmt: skip
def test_any_values_in_the_new_fields_raise_only_the_readers_errors(top, inner, sample):
    doc = json.loads(polar_session(SEED, with_samples=False))
    doc.update(top)
    exercise = doc["exercises"][0] if isinstance(doc.get("exercises"), list) and doc["exercises"] and isinstance(doc["exercises"][0], dict) else {}
    exercise.update(inner)
    exercise["samples"] = {"samples": [sample]}
    exercise["routes"] = {"route": sample}
    try:
        activities = read_polar(json.dumps(doc).encode(), "training-session-f.json")
    except (ParseError, NotAnActivityError) as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    for a in activities:
        assert a.start_utc is not None and 1980 <= a.start_utc.year <= 2100
        assert a.records.index.is_monotonic_increasing
        assert a.elapsed_s is None or 0 <= a.elapsed_s <= 8 * 86400
        assert isinstance(a.sport, str) and len(a.sport) < 60


SEED = Outing(easy_run(SPRING, 1.0, seed=9), activity_id=1)
