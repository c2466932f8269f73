"""FIT: gold facts from DOMAIN.md, engines that agree, damaged files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer import ParseError, read_activities
from hamstring_analyzer import glossary as g
from hamstring_analyzer.readers.fit import RawFit, activities_from_raw, crc_is_valid, fit_crc, read_fit
from hamstring_analyzer.readers.fit.sessions import _normalise_records

from ..conftest import MANIFEST, REAL_RUNS, needs_real_runs, real_files


def test_cadence_88_plus_half_is_177_steps_per_minute():
    out = _normalise_records({"cadence": np.array([88.0, 79.0]), "fractional_cadence": np.array([0.5, 0.5])}, foot_sport=True)
    assert out[g.CADENCE].tolist() == [177.0, 159.0]


def test_cycling_cadence_is_not_doubled():
    out = _normalise_records({"cadence": np.array([88.0])}, foot_sport=False)
    assert g.CADENCE not in out and out[g.CADENCE_RPM].tolist() == [88.0]


def test_semicircles_to_degrees():
    out = _normalise_records({"position_lat": np.array([2**30, 491094191.0]), "position_long": np.array([-(2**31) / 2, 1.0])}, True)
    assert out[g.LATITUDE][0] == 90.0
    assert out[g.LONGITUDE][0] == -90.0
    assert out[g.LATITUDE][1] == pytest.approx(491094191 * 180 / 2**31) == pytest.approx(41.16304, abs=1e-5)


def test_enhanced_speed_wins_unless_it_is_a_rounded_copy():
    out = _normalise_records(
        {"speed": np.array([2.006, 3.0, np.nan]), "enhanced_speed": np.array([2.005, 3.5, 4.0])}, foot_sport=True
    )
    assert out[g.SPEED].tolist() == [2.006, 3.5, 4.0]


def test_missing_channels_are_absent_and_zero_heart_rate_is_nan():
    raw = RawFit(
        records={"timestamp": np.array([1e9, 1e9 + 1]), "heart_rate": np.array([0.0, 150.0]), "distance": np.array([np.nan, np.nan])},
        sessions=[{"start_time": 1e9, "total_elapsed_time": 1.0, "total_timer_time": 1.0, "sport": "running"}],
        laps=[],
        activity=None,
        file_id={"type": "activity"},
        engine="test",
    )
    (act,) = activities_from_raw(raw, "x.fit")
    assert g.DISTANCE not in act.records
    assert np.isnan(act.records[g.HEART_RATE].iloc[0]) and act.records[g.HEART_RATE].iloc[1] == 150


def test_fit_crc_matches_the_sdk_check_value():
    # CRC-16/ARC of "123456789" is 0xBB3D (the FIT SDK uses this polynomial).
    assert fit_crc(b"123456789") == 0xBB3D


@needs_real_runs
def test_real_run_values():
    (act,) = read_activities(REAL_RUNS / "sports-lib/src/specs/fixtures/runs/fit/6782987395.fit")
    assert (act.sport, act.sub_sport, act.format) == ("running", "generic", "fit")
    assert act.distance_m == pytest.approx(14004.85)
    assert act.elapsed_s == pytest.approx(4989.112)
    assert act.utc_offset_s == -4 * 3600  # from activity.local_timestamp
    assert str(act.start_local) == "2019-06-15 05:42:23-04:00"
    rec = act.records.loc["2019-06-15 09:44:03+00:00"]
    assert rec[g.CADENCE] == 170.0  # cadence 85 per foot, fractional 0
    assert rec[g.SPEED] == pytest.approx(2.995)
    assert rec[g.LATITUDE] == pytest.approx(491102242 * 180 / 2**31)
    assert len(act.laps) == 2 and act.laps[g.LAP_DISTANCE].sum() == pytest.approx(14004.85, abs=1)


@needs_real_runs
def test_treadmill_run_has_sub_sport_and_no_gps():
    (act,) = read_activities(REAL_RUNS / "sports-lib/src/specs/fixtures/runs/fit/6860622783.fit")
    assert act.sub_sport == "treadmill" and not act.has_gps
    assert act.distance_m == pytest.approx(10630, abs=5)


@needs_real_runs
def test_multisport_file_gives_one_activity_per_session():
    acts = read_activities(REAL_RUNS / "sports-lib/src/specs/fixtures/triathlons/fit/4623204522.fit")
    assert [a.sport for a in acts] == ["swimming", "transition", "cycling", "transition", "running"]
    run = acts[-1]
    assert run.session_index == 4 and run.id.endswith("#4")
    assert run.records.index[0] >= acts[2].records.index[-1]
    assert 150 < run.records[g.CADENCE].median() < 200


@needs_real_runs
def test_truncated_file_keeps_records_before_the_cut():
    (act,) = read_activities(REAL_RUNS / "python-fitparse/tests/files/nick.fit")
    assert act.partial and len(act.records) > 14000
    assert any("cut short" in w for w in act.warnings)


@needs_real_runs
def test_message_before_definition_keeps_what_came_before():
    (act,) = read_activities(REAL_RUNS / "python-fitparse/tests/files/strava-android-app-201.10-b1218918.fit")
    assert act.partial and act.sport == "running" and len(act.records) > 200


@needs_real_runs
def test_crc_mismatch_is_a_warning_not_a_refusal():
    data = (REAL_RUNS / "fitdecode/tests/files/invalid/activity-filecrc.fit").read_bytes()
    assert not crc_is_valid(data)
    (act,) = read_fit(data, "activity-filecrc.fit")
    assert not act.partial and any("checksum" in w for w in act.warnings)


@needs_real_runs
def test_old_garmin_checksum_over_header_is_valid_and_read_fast():
    data = (REAL_RUNS / "sports-lib/samples/fit/garmin.fit").read_bytes()
    assert crc_is_valid(data)
    acts = read_fit(data, "garmin.fit", engine="fitfast")
    assert not acts[0].warnings and len(acts[0].records) == 20342


#: The real FIT files compared with fitparse on every test run: a fixed sample of
#: the kinds a reader can get wrong (compressed timestamps, chained multisport
#: files, developer fields and running dynamics, swims, old rides, broken and
#: truncated files, odd times and sports). fitparse is the slow reference
#: (pure Python, about 1 s per 100 KB); the agreement on every real FIT file is
#: checked with ``pytest --all-references`` (opt-in, about 90 s).
REFERENCE_SAMPLE = (
    "fitdecode/tests/files/Activity.fit",
    "fitdecode/tests/files/compressed-speed-distance.fit",
    "fitdecode/tests/files/2013-02-06-12-11-14.fit",
    "fitdecode/tests/files/garmin-fenix-5-bike.fit",
    "fitdecode/tests/files/invalid/activity-filecrc.fit",
    "sports-lib/src/specs/fixtures/runs/fit/6914538454.fit",
    "sports-lib/src/specs/fixtures/runs/fit/6782987395.fit",
    "sports-lib/src/specs/fixtures/runs/fit/6909950168-no-pause-records.fit",
    "sports-lib/src/specs/fixtures/others/inverted-times.fit",
    "python-fitparse/tests/files/sample_mulitple_header.fit",
    "GoldenCheetah/test/roundtrip/Fr955v19.28andStryd.fit",
    "GoldenCheetah/test/rides/2012_02_05_09_03_59.fit",
    "muktihari-fit/testdata/from_official_sdk/activity_poolswim.fit",
    "tormoder-fit/testdata/misc/mornindew-broken.fit",
    "fit-parser/test/snorkeling-unknown-sport.fit",
)


def pytest_generate_tests(metafunc):
    if "reference_fit" in metafunc.fixturenames:
        params = real_files("FIT")
        if not metafunc.config.getoption("--all-references"):
            params = [p for p in params if p.id is None or p.id in REFERENCE_SAMPLE]
        metafunc.parametrize("reference_fit", params)


@needs_real_runs
def test_the_reference_sample_is_in_the_manifest():
    assert set(REFERENCE_SAMPLE) <= {f.path for f in MANIFEST}


def test_fast_engine_matches_fitparse(reference_fit):
    """The columnar decoder gives exactly fitparse's values wherever fitparse reads the whole file.

    Where it cannot compare, the test still checks what the auto engine does.
    """
    real = reference_fit
    data = real.full.read_bytes()
    try:
        slow = read_fit(data, real.path, engine="fitparse")
    except ParseError:
        slow = None
    try:
        fast = read_fit(data, real.path, engine="fitfast")
    except ParseError:
        fast = None
    if slow is None or fast is None or any(a.partial for a in slow):
        try:
            auto = read_fit(data, real.path)
        except ParseError:
            assert slow is None or not any(len(a.records) for a in slow)
            return
        if fast is not None:  # fitparse stops early: fitfast reads at least as much
            assert [len(a.records) for a in auto] == [len(a.records) for a in fast]
            assert sum(len(a.records) for a in fast) >= sum(len(a.records) for a in slow)
        else:  # fitfast refuses: the auto engine is fitparse
            assert [len(a.records) for a in auto] == [len(a.records) for a in slow]
        return
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        pd.testing.assert_frame_equal(a.records, b.records)
        pd.testing.assert_frame_equal(a.laps, b.laps)
        for attr in ("sport", "sub_sport", "device", "start_utc", "utc_offset_s", "elapsed_s", "moving_s", "distance_m", "gear_changes"):
            assert getattr(a, attr) == getattr(b, attr), attr


@needs_real_runs
def test_fast_engine_covers_most_files():
    compared = 0
    for real in MANIFEST:
        if real.fmt != "FIT":
            continue
        try:
            read_fit(real.full.read_bytes(), real.path, engine="fitfast")
            compared += 1
        except ParseError:
            pass
    assert compared >= 120
