"""Garmin Connect's summarizedActivities as real exports write them (DOMAIN.md, "Real exports as they really are")."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.errors import NotAnActivityError, ParseError
from hamstring_analyzer.readers import read_activities
from hamstring_analyzer.readers.garmin_summary import activity_type, read_garmin_summary
from hamstring_analyzer.readers.sports import KNOWN_SPORTS
from hamstring_analyzer.readers.summary_only import refusal
from hamstring_analyzer.synthetic import easy_run
from hamstring_analyzer.synthetic_exports import Outing
from hamstring_analyzer.synthetic_quirks import garmin_real_export, java_double

from ..conftest import examples

PARIS = dict(zone="Europe/Paris", origin=(48.8566, 2.3522))
#: One row as a real export has it: floats in scientific notation, a plain activityType, both cadences.
REAL_ROW = b"""[{"summarizedActivitiesExport":[{"activityId":11018512345,"name":"Paris Running","activityType":"running",
"sportType":"RUNNING","startTimeGmt":1.7890164E12,"startTimeLocal":1.7890236E12,"beginTimestamp":1.7890164E12,
"duration":1971234.5,"elapsedDuration":1.9814E6,"movingDuration":1958000.0,"distance":598765.4,"avgSpeed":0.3037,
"elevationGain":2100.0,"avgHr":151.3,"avgRunCadence":85.0,"avgDoubleCadence":176.5,"manualActivity":false},
{"activityId":11018512346,"name":"Col hike","activityType":"hiking","sportType":"RUNNING","startTimeGmt":1.7891064E12,
"startTimeLocal":1.7891136E12,"duration":7.2E6,"distance":900000.0}]}]"""


def test_a_real_row_floats_in_scientific_notation_and_both_cadences():
    run, hike = read_garmin_summary(REAL_ROW, "x_0_summarizedActivities.json")
    assert run.start_utc == pd.Timestamp("2026-09-10 05:00", tz="UTC") and run.utc_offset_s == 7200
    assert run.start_local.isoformat() == "2026-09-10T07:00:00+02:00"
    assert (run.sport, run.sub_sport, run.elapsed_s, run.distance_m) == ("running", None, 1981.4, pytest.approx(5987.654))
    assert run.totals["cadence_spm"] == 176.5  # avgDoubleCadence, not avgRunCadence doubled (170)
    assert (hike.sport, hike.is_run) == ("hiking", False)  # sportType says RUNNING: activityType decides


@pytest.mark.parametrize("entry, expected", [
    ({"activityType": "treadmill_running", "sportType": "RUNNING"}, ("running", "treadmill")),
    ({"activityType": {"typeKey": "trail_running"}}, ("running", "trail")),
    ({"activityType": "hiking", "sportType": "RUNNING"}, ("hiking", None)),
    ({"activityType": "walking", "sportType": "RUNNING"}, ("walking", None)),
    ({"activityType": "strength_training", "sportType": "RUNNING"}, ("training", "strength_training")),  # before: a run
    ({"sportType": "RUNNING"}, ("running", None)),  # no activityType: sportType is all there is
    ({"activityType": {"typeKey": None}, "sportType": "CYCLING"}, ("cycling", None)),
])  # fmt: skip
def test_activity_type_is_the_runners_word(entry, expected):
    assert activity_type(entry) == expected


def test_per_leg_cadence_is_doubled_when_it_is_all_there_is():
    entry = {"activityType": "running", "startTimeGmt": 1.7889948e12, "duration": 1.8e6, "distance": 5.0e5, "avgRunCadence": 85.5}
    (a,) = read_garmin_summary(json.dumps([{"summarizedActivitiesExport": [entry]}]).encode(), "s.json")
    assert a.totals["cadence_spm"] == 171.0


def test_java_double_writes_what_garmin_writes():
    assert java_double(1685097098000.0) == "1.685097098E12" and java_double(1.8e6) == "1.8E6" and java_double(1e12) == "1.0E12"


@pytest.mark.parametrize("loose", [False, True])
def test_generated_real_export_reads_every_activity(tmp_path, loose):
    outings = [Outing(easy_run(dt.datetime(2026, 9, 7, 7), 6, seed=1, **PARIS)),
               Outing(easy_run(dt.datetime(2026, 9, 8, 7), 4, seed=2, **PARIS), strava_type="Walk"),
               Outing(manual_distance_m=9000.0, manual_elapsed_s=7200.0, strava_type="Hike",
                      manual_start_utc=dt.datetime(2026, 9, 9, 8, tzinfo=dt.timezone.utc))]  # fmt: skip
    folder = garmin_real_export(tmp_path, outings, loose=loose)
    (path,) = folder.glob("DI_CONNECT/DI-Connect-Fitness/*_summarizedActivities.json")
    assert b'"startTimeGmt": 1.7' in path.read_bytes()  # scientific notation, as Garmin writes it
    rows = sorted(read_activities(path), key=lambda a: a.start_utc)
    assert [(a.sport, a.format) for a in rows] == [("running", "garmin_summary"), ("walking", "garmin_summary"), ("hiking", "garmin_summary")]
    run = rows[0]
    assert run.distance_m == pytest.approx(outings[0].distance_m, abs=0.01)
    assert run.start_local.isoformat() == "2026-09-07T07:00:00+02:00"
    assert run.totals["cadence_spm"] == pytest.approx(float(np.mean(outings[0].samples.cad)), abs=0.01)
    fits = list(folder.glob("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1/*.fit"))
    assert len(fits) == (2 if loose else 0)


_value = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=True, allow_infinity=False),
                   st.text(max_size=12), st.sampled_from(["1.685097098E12", "running", "walking", "NaN"]),
                   st.dictionaries(st.sampled_from(["typeKey", "typeId"]), st.one_of(st.none(), st.text(max_size=8)), max_size=2))  # fmt: skip
_keys = st.sampled_from(["activityType", "sportType", "startTimeGmt", "startTimeLocal", "beginTimestamp", "duration",
                         "elapsedDuration", "movingDuration", "distance", "avgDoubleCadence", "avgRunCadence", "avgHr", "elevationGain"])  # fmt: skip


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.dictionaries(_keys, _value, max_size=13), min_size=1, max_size=4))
def test_any_row_shape_reads_or_says_why(entries):
    data = json.dumps([{"summarizedActivitiesExport": entries}]).encode()
    try:
        acts = read_garmin_summary(data, "s.json")
    except (ParseError, NotAnActivityError) as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    refused = [a for a in acts if refusal(a) is not None]
    assert all(refusal(a)[0].startswith("activity ") and refusal(a)[1] for a in refused)  # named, with a reason
    for a in (a for a in acts if refusal(a) is None):
        assert a.sport in KNOWN_SPORTS | {"other"}  # 1990-2200 and 1900-1990 alike: cleaning judges the older ones
        assert a.start_utc is not None and (a.utc_offset_s is None or abs(a.utc_offset_s) <= 18 * 3600)
        cadence = (a.totals or {}).get("cadence_spm")
        assert cadence is None or 60.0 <= cadence <= 260.0
