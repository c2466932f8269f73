"""Phone tracks as phones write them: left recording for minutes to a day, and a fix every 10-60 s.

The tracks come from `synthetic.phone_run` / `left_recording` (a loop from home
and back, the phone lying at home before or after it with jitter, gaps and
cell-tower fixes), read as GPX and cleaned as an ingest does (`parse_bytes`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer.clean import clean_activity
from hamstring_analyzer.ingest import parse_bytes
from hamstring_analyzer.readers import read_activities
from hamstring_analyzer.readers.track import build_activity
from hamstring_analyzer.synthetic import PhoneTrack, left_recording, phone_idle, phone_run

from ..conftest import examples

START = pd.Timestamp("2026-03-04 07:00", tz="UTC").timestamp()
RUN_S = 8 * 330.0  # 8 km at 5:30/km


def _parsed(track: PhoneTrack):
    kind, payload = parse_bytes("phone.gpx", track.gpx())
    assert kind == "ok", payload
    (a,) = payload
    return a


def _as_read(track: PhoneTrack) -> float:
    (raw,) = read_activities("phone.gpx", track.gpx())
    return raw.distance_m


@pytest.fixture(scope="module")
def eight_km():
    return {seed: phone_run(START, 8.0, seed=seed) for seed in (0, 1, 2)}


def test_the_run_alone_reads_its_distance(eight_km):
    for run in eight_km.values():
        a = _parsed(run)
        assert a.distance_m == pytest.approx(8000, rel=0.012) and a.quality.cut_s == 0 and not a.quality.suspect
        assert a.elapsed_s == pytest.approx(RUN_S, abs=1) and a.moving_s == pytest.approx(RUN_S, abs=10)


@pytest.mark.parametrize("idle_s", [600, 3 * 3600, 20 * 3600], ids=["10min", "3h", "20h"])
@pytest.mark.parametrize("side", ["before", "after", "both"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_phone_left_recording_is_cut_to_the_run(eight_km, idle_s, side, seed):
    """Jitter of 5-40 m at 1-30 s, gaps, 1-3 cell-tower fixes 0.3-3 km off: cut, whatever its length, on either side."""
    run = eight_km[seed]
    before = idle_s if side in ("before", "both") else 0
    after = idle_s if side in ("after", "both") else 0
    track = left_recording(run, before, after, seed=seed + 10)
    as_read = _as_read(track)
    assert as_read > 8000 + 2000  # summed as recorded, the idle time reads as kilometres
    a = _parsed(track)
    assert a.distance_m == pytest.approx(8000, rel=0.03)
    assert a.quality.recorded_distance_m == pytest.approx(as_read)
    # elapsed and moving time are the run's (within the sampling at its ends), the idle time is recorded as cut
    assert a.elapsed_s == pytest.approx(RUN_S, abs=120) and a.moving_s == pytest.approx(RUN_S, abs=120)
    assert a.start_utc.timestamp() == pytest.approx(run.run_start_s, abs=120)
    assert a.quality.cut_s > 0.5 * min(idle_s, 3600) and a.quality.distance_source == "cleaned track"
    assert "outside the run cut" in a.quality.suspect_reason


def test_a_phone_left_recording_for_twenty_hours_reads_eight_km():
    """The case that faked a weekly jump: 8 km with the phone recording for 20 hours after it read 65 km."""
    run = phone_run(START, 8.0, seed=0)
    track = left_recording(run, 0, 20 * 3600, seed=1)
    assert _as_read(track) == pytest.approx(65324, abs=5)
    a = _parsed(track)
    assert a.distance_m == pytest.approx(8066, abs=25)  # the loop is 8,020 m; its own position noise adds the rest
    assert a.elapsed_s == pytest.approx(2660, abs=10) and a.moving_s == pytest.approx(2640, abs=10)
    assert a.quality.cut_s == pytest.approx(15904, abs=60)  # 4 h 25 min recorded at home; the rest is gaps
    assert "4 h 25 min of recording outside the run cut (57.0 km); 65.3 km recorded, 8.1 km kept" in a.quality.suspect_reason


def test_idle_alone_is_no_run_to_speak_of():
    """A recording that is all phone-on-a-table keeps almost none of its jitter."""
    t, lat, lon = phone_idle(START, 3 * 3600, 48.2, 16.37, seed=3)
    idle = PhoneTrack(t, lat, lon, START, START, 0.0)
    raw = _as_read(idle)
    assert raw > 10_000
    kind, payload = parse_bytes("idle.gpx", idle.gpx())
    assert kind == "ok" and (payload[0].distance_m or 0.0) < 0.05 * raw


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("every", [(10.0, 60.0), (30.0, 60.0)], ids=["10-60s", "30-60s"])
def test_sparse_phone_fixes_at_a_running_pace_are_kept(seed, every):
    """5 km at 5:30/km with a fix every 10-60 s and 5-15 m of noise: none of it is a jump, a pause or idle."""
    run = phone_run(START, 5.0, pace_s_per_km=330, every_s=every, noise_m=(5.0, 15.0), white=True, seed=seed)
    assert np.diff(run.t)[:-1].min() >= every[0] and np.diff(run.t).max() <= every[1]
    as_read = _as_read(run)
    a = _parsed(run)
    assert a.distance_m == pytest.approx(as_read, rel=0.03)
    assert a.distance_m == pytest.approx(5000, rel=0.05)
    assert a.quality.cut_s == 0 and a.quality.gps_jump_points == 0 and not a.quality.suspect
    assert a.moving_s == pytest.approx(1650, abs=60) and a.elapsed_s == pytest.approx(1650, abs=1)
    assert a.quality.running_share == pytest.approx(1.0, abs=0.05)


# -- a property: cutting never adds, and never bites into a clean run ------------------------------

M_PER_DEG = 111_195.0


def _clean_run(seconds: int, speeds: list[float], turn_deg_s: float, seed: int):
    """A 1 Hz track without noise or stops: speed changing in steps, the heading turning smoothly."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, seconds + 1.0)
    v = np.repeat(speeds, math.ceil(len(t) / len(speeds)))[: len(t)]
    heading = np.cumsum(np.radians(turn_deg_s) * np.sin(t / rng.uniform(30, 300)))
    east, north = np.cumsum(v * np.sin(heading)), np.cumsum(v * np.cos(heading))
    lat = 45.0 + north / M_PER_DEG
    lon = 7.0 + east / (M_PER_DEG * math.cos(math.radians(45.0)))
    return build_activity(source="p.gpx", fmt="gpx", times_s=START + t, lat=lat, lon=lon, sport="running")


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seconds=st.integers(600, 3600),
    speeds=st.lists(st.floats(2.0, 5.5), min_size=1, max_size=6),
    turn=st.floats(0.0, 8.0),
    seed=st.integers(0, 2**16),
)
def test_cleaning_a_clean_run_cuts_nothing(seconds, speeds, turn, seed):
    raw = _clean_run(seconds, speeds, turn, seed)
    a = clean_activity(raw)
    assert a.distance_m <= raw.distance_m * (1 + 1e-9)
    assert a.distance_m >= raw.distance_m * 0.995
    assert a.elapsed_s == pytest.approx(seconds, abs=1)


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.sampled_from([0, 300, 1800, 4 * 3600]),
    after=st.sampled_from([0, 300, 1800, 4 * 3600]),
    km=st.floats(3.0, 12.0),
    seed=st.integers(0, 2**16),
)
def test_cutting_never_makes_a_run_longer_than_recorded(before, after, km, seed):
    run = phone_run(START, km, seed=seed, every_s=(1.0, 6.0))
    track = left_recording(run, before, after, seed=seed)
    (raw,) = read_activities("phone.gpx", track.gpx())
    a = clean_activity(raw)
    assert a.distance_m <= raw.distance_m * (1 + 1e-9)
    assert a.distance_m == pytest.approx(run.run_m, rel=0.04)
