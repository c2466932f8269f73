"""Per-run metrics on synthetic runs with known answers, and the weekly frame's edges."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from hamstring_analyzer.config import config_from_dict
from hamstring_analyzer.readers import read_activities
from hamstring_analyzer.runmetrics import (
    aerobic_decoupling_pct,
    best_sustained_speed,
    fast_distance_m,
    late_cadence_drop,
    runs_table,
    step_length_m,
)
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run, write_fit
from hamstring_analyzer.weekly import weekly_summary

from .conftest import needs_real_runs


def read(plan: RunPlan, **kw):
    (act,) = read_activities("run.fit", write_fit(plan, **kw))
    return act


def intervals_plan(start=dt.datetime(2026, 3, 3, 18, 0), reps=6, rep_m=1000, sub_sport="generic", seed=1):
    segs = [Segment(2000 / 2.9, 2.9, 176, "warmup")]
    for _ in range(reps):
        segs += [Segment(rep_m / 4.2, 4.2, 186, "interval"), Segment(120, 2.0, 160, "recovery")]
    segs.append(Segment(2000 / 2.9, 2.9, 175, "cooldown"))
    return RunPlan(start, segs, laps_by_segment=True, sub_sport=sub_sport, seed=seed)


def test_fast_distance_counts_the_reps_not_the_whole_run():
    act = read(intervals_plan())
    metres, by = fast_distance_m(act, fast_speed_mps=3.4, fast_hr_bpm=None)
    assert by == "pace"
    assert metres == pytest.approx(6000, rel=0.04)
    assert act.distance_m > 10000


def test_interval_laps_count_even_where_pace_is_unreliable():
    act = read(intervals_plan(sub_sport="treadmill"), with_gps=False)
    metres, by = fast_distance_m(act, fast_speed_mps=3.4, fast_hr_bpm=None)
    assert by == "laps" and metres == pytest.approx(6000, rel=0.04)


def test_treadmill_uses_heart_rate_and_no_heart_rate_means_no_guess():
    plan = RunPlan(dt.datetime(2026, 3, 3, 18), [Segment(1200, 2.8, 172), Segment(1200, 3.8, 182)], sub_sport="treadmill", seed=3)
    act = read(plan, with_gps=False)
    # HR = 60 + 30 x speed: ~144 easy, ~174 fast. A fast zone from 165 bpm catches the second half.
    metres, by = fast_distance_m(act, fast_speed_mps=3.4, fast_hr_bpm=165)
    assert by == "heart rate" and metres == pytest.approx(1200 * 3.8, rel=0.1)
    act.records = act.records.drop(columns=["heart_rate_bpm"])
    assert fast_distance_m(act, fast_speed_mps=3.4, fast_hr_bpm=165) == (0.0, None)


def test_late_cadence_drop_at_the_same_pace():
    fading = read(RunPlan(dt.datetime(2026, 3, 8, 8), [Segment(5400, 3.0, 178)], late_cadence_drop_spm=12, seed=4))
    drop, corrected = late_cadence_drop(fading.records)
    assert corrected and drop == pytest.approx(6.0, abs=1.0)
    steady = read(RunPlan(dt.datetime(2026, 3, 8, 8), [Segment(5400, 3.0, 178)], seed=5))
    assert abs(late_cadence_drop(steady.records)[0]) < 1.0


def test_slowing_down_is_not_fading():
    # Slower and shorter-stepped in the last quarter: a pace change, nothing to compare at the same pace.
    plan = RunPlan(dt.datetime(2026, 3, 8, 8), [Segment(4050, 3.2, 178), Segment(1350, 2.5, 168)], seed=6)
    drop, corrected = late_cadence_drop(read(plan).records)
    assert corrected and math.isnan(drop)


def test_aerobic_decoupling():
    drifting = read(RunPlan(dt.datetime(2026, 3, 8, 8), [Segment(5400, 3.0, 178)], hr_drift_per_hour=20, seed=7))
    steady = read(RunPlan(dt.datetime(2026, 3, 8, 8), [Segment(5400, 3.0, 178)], hr_drift_per_hour=2, seed=8))
    # HR 150 at the start, +20 bpm an hour: the second half sits ~14 bpm higher than the first.
    assert 6 < aerobic_decoupling_pct(drifting) < 12
    assert abs(aerobic_decoupling_pct(steady)) < 2
    assert math.isnan(aerobic_decoupling_pct(read(intervals_plan())))  # not a steady run


def test_step_length_and_best_sustained_speed():
    act = read(RunPlan(dt.datetime(2026, 3, 8, 8), [Segment(900, 2.8, 168), Segment(1500, 3.6, 180), Segment(600, 2.8, 168)], seed=9))
    assert best_sustained_speed(act.records) == pytest.approx((1200 * 3.6) / 1200, rel=0.02)
    steady = read(RunPlan(dt.datetime(2026, 3, 8, 8), [Segment(1800, 3.0, 180)], seed=10))
    assert step_length_m(steady.records) == pytest.approx(1.0, rel=0.02)  # 3.0 m/s / (180 / 60) steps/s
    long_stride = read(RunPlan(dt.datetime(2026, 3, 8, 8), [Segment(1800, 3.0, 160)], seed=11))
    assert step_length_m(long_stride.records) == pytest.approx(1.125, rel=0.02)
    short = read(easy_run(dt.datetime(2026, 3, 8, 8), 3))
    assert math.isnan(best_sustained_speed(short.records))  # under 20 minutes


def test_threshold_estimate_for_a_runner_who_only_jogs():
    acts = [read(easy_run(dt.datetime(2026, 3, d, 7), 6, pace_s_per_km=360, seed=d)) for d in range(2, 20, 2)]
    table = runs_table(acts)
    # No hard efforts: threshold = 1.2 x easy speed, so no easy run counts as fast.
    assert table["threshold_speed_mps"].iloc[-1] == pytest.approx(1.2 * 1000 / 360, rel=0.02)
    assert table["fast_m"].sum() == 0


def test_configured_threshold_pace_wins():
    acts = [read(easy_run(dt.datetime(2026, 3, 3, 7), 6, pace_s_per_km=300))]
    table = runs_table(acts, config_from_dict({"runner": {"threshold_pace_per_km": "5:10"}}))
    assert table["threshold_speed_mps"].iloc[0] == pytest.approx(1000 / 310)
    assert table["fast_m"].iloc[0] == pytest.approx(6000, rel=0.02)  # 5:00/km is within 6% of 5:10
    table = runs_table(acts, config_from_dict({"runner": {"threshold_pace_per_mi": "7:30"}}))
    assert table["threshold_speed_mps"].iloc[0] == pytest.approx(1609.344 / 450)


def test_no_altitude_no_heart_rate_no_cadence():
    act = read(easy_run(dt.datetime(2026, 3, 3, 7), 6), with_altitude=False)
    act.records = act.records.drop(columns=["heart_rate_bpm", "cadence_spm"])
    act.stats = None
    row = runs_table([act]).iloc[0]
    assert math.isnan(row["climb_per_km"]) and math.isnan(row["cadence_spm"]) and math.isnan(row["avg_heart_rate_bpm"])
    assert math.isnan(row["late_cadence_drop_spm"]) and math.isnan(row["decoupling_pct"]) and math.isnan(row["step_length_m"])
    assert row["distance_m"] == pytest.approx(6000, rel=0.01)


def test_treadmill_only_history():
    acts = [
        read(RunPlan(dt.datetime(2026, 3, d, 19), [Segment(2400, 2.9, 174)], sub_sport="treadmill", seed=d), with_gps=False)
        for d in (3, 5, 8, 10, 12)
    ]
    table = runs_table(acts)
    assert not table["speed_reliable"].any() and (table["climb_per_km"] == 0).all()
    # No run before the first: no threshold yet. After it, heart rate decides, and steady easy HR stays easy.
    assert table["fast_by"].isna().iloc[0] and math.isnan(table["threshold_hr_bpm"].iloc[0])
    assert (table["fast_by"].iloc[1:] == "heart rate").all() and table["fast_m"].sum() == 0
    weeks = weekly_summary(table)
    assert weeks["runs"].tolist() == [3, 2]  # Sunday 8 March closes the first week


def test_week_that_straddles_the_clocks_going_forward():
    # UK clocks go forward on Sunday 29 March 2026. A Sunday 23:30 run (BST) and a Monday
    # 00:30 run (BST, which is still Sunday 23:30 in UTC) fall in different local weeks.
    sunday = read(easy_run(dt.datetime(2026, 3, 29, 23, 30), 5))
    monday = read(easy_run(dt.datetime(2026, 3, 30, 0, 30), 5, seed=1))
    saturday = read(easy_run(dt.datetime(2026, 3, 28, 9, 0), 5, seed=2))  # GMT, before the change
    assert monday.start_utc.day == 29 and monday.start_utc.weekday() == 6
    table = runs_table([saturday, sunday, monday])
    assert table["week_start"].tolist() == [dt.date(2026, 3, 23)] * 2 + [dt.date(2026, 3, 30)]
    assert [t.utcoffset().total_seconds() for t in table["start_local"]] == [0, 3600, 3600]
    weeks = weekly_summary(table)
    assert weeks["distance_m"].tolist() == pytest.approx([10000, 5000], rel=0.01)


@needs_real_runs
def test_real_running_dynamics_step_length(real_export):
    # Garmin running dynamics store step_length [mm]; it wins over speed / cadence.
    export, _ = real_export
    with_dynamics = [a for a in export.runs if a.channel("step_length_mm") is not None]
    assert with_dynamics
    for a in with_dynamics:
        sl = step_length_m(a.records)
        assert 0.5 < sl < 2.2, a.source
    lengths = np.array([step_length_m(a.records) for a in export.runs])
    ok = lengths[np.isfinite(lengths)]
    assert len(ok) > 30 and 0.7 < np.median(ok) < 1.4
