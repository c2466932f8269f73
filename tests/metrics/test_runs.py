"""Per-run metrics on synthetic runs with known answers, and the weekly frame's edges."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.activity import Activity
from hamstring_analyzer.config import config_from_dict
from hamstring_analyzer.readers import read_activities
from hamstring_analyzer.clean.speed import best_sustained_speed
from hamstring_analyzer.metrics.fast import fast_distance_m, fast_running
from hamstring_analyzer.metrics.form import aerobic_decoupling_pct, late_cadence_drop, step_length_m
from hamstring_analyzer.metrics.runs import runs_table
from hamstring_analyzer.metrics.weekly import weekly_summary
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run, write_fit

from ..conftest import needs_real_runs


def read(plan: RunPlan, **kw):
    # A file name of its own: a runs table finds each run's samples by its id (the source).
    (act,) = read_activities(f"run-{plan.start_local:%Y%m%d-%H%M}-{plan.seed}.fit", write_fit(plan, **kw))
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


# Threshold 4:20/km (3.85 m/s, fast from 3.63 m/s) and 175 bpm: a hard session's fast stretches reach 157.5 bpm.
HARD_CONFIG = config_from_dict({"runner": {"threshold_pace_per_km": "4:20", "threshold_heart_rate": 175}})


def session(fast_s: float, *, easy_s: float = 900, hr_rest: float = 60.0, day: int = 10, seed: int = 20):
    """Easy 2.9 m/s, then ``fast_s`` at 4.2 m/s, then easy: synthetic heart rate is hr_rest + 30 x speed (~186 fast)."""
    fast = [Segment(fast_s, 4.2, 184)]
    segs = [Segment(easy_s, 2.9, 174), *fast, Segment(easy_s, 2.9, 174)] if easy_s else fast
    return read(RunPlan(dt.datetime(2026, 3, day, 18), segs, hr_rest=hr_rest, seed=seed))


def test_fast_running_measures_time_and_heart_rate_from_one_read():
    act = session(600)
    effort = fast_running(act, fast_speed_mps=3.63, fast_hr_bpm=None)
    assert effort["fast_by"] == "pace"
    assert effort["fast_s"] == pytest.approx(600, abs=30) and effort["fast_m"] == pytest.approx(2520, rel=0.05)
    assert 186 < effort["fast_hr_bpm"] < 192  # 60 + 30 x 4.2 = 186, drift and noise on top: the 90th percentile
    assert (effort["fast_m"], effort["fast_by"]) == fast_distance_m(act, 3.63, None)
    easy = fast_running(read(easy_run(dt.datetime(2026, 3, 8, 8), 5)), fast_speed_mps=3.63, fast_hr_bpm=None)
    assert easy["fast_s"] == 0 and easy["fast_m"] == 0 and math.isnan(easy["fast_hr_bpm"])


def test_hard_sessions_are_sustained_fast_running_confirmed_by_heart_rate():
    runs = [
        session(600, day=2),  # 10 minutes at 4.2 m/s, heart rate ~188: an interval or tempo session
        session(600, hr_rest=20.0, day=3, seed=21),  # the same pace at heart rate ~148: the pace is a GPS or pod error
        session(1500 / 4.2, easy_s=1500, day=4, seed=22),  # 1.5 fast km inside 10 km: 6 minutes, not a session
        session(2000 / 4.2, easy_s=0, day=5, seed=23),  # one 2 km rep of a session recorded one file per rep
        session(2000 / 4.2, easy_s=1300, hr_rest=20.0, day=6, seed=24),  # 2 fast km in an easy run, at heart rate ~150
    ]
    table = runs_table(runs, HARD_CONFIG)
    assert table["hard"].tolist() == [True, False, False, True, False]
    assert table["fast_s"].iloc[0] == pytest.approx(600, abs=30) and table["fast_s"].iloc[2] < 480
    assert table["fast_hr_bpm"].iloc[0] > 0.9 * 175 > table["fast_hr_bpm"].iloc[1]
    assert table["fast_m"].iloc[3] > 0.9 * table["distance_m"].iloc[3]
    assert table["hard"].dtype == bool and table["fast_s"].dtype == table["fast_hr_bpm"].dtype == "float64"


def test_a_hard_session_without_heart_rate_rests_on_pace():
    no_hr = session(600, hr_rest=20.0)
    no_hr.records = no_hr.records.drop(columns=["heart_rate_bpm"])
    no_hr.stats = None
    row = runs_table([no_hr], HARD_CONFIG).iloc[0]
    assert row["hard"] and math.isnan(row["fast_hr_bpm"]) and row["fast_s"] == pytest.approx(600, abs=30)
    # No threshold heart rate known (none set, no run before this one): pace alone decides too.
    only_pace = config_from_dict({"runner": {"threshold_pace_per_km": "4:20"}})
    row = runs_table([session(600, hr_rest=20.0)], only_pace).iloc[0]
    assert math.isnan(row["threshold_hr_bpm"]) and row["fast_hr_bpm"] < 157 and row["hard"]


def test_a_run_without_samples_is_never_hard_and_its_fast_time_is_unknown():
    start = pd.Timestamp("2026-03-07 09:00", tz="UTC")
    manual = Activity(source="manual", format="strava_csv", sport="running", name="Intervals 10x400", start_utc=start,
                      utc_offset_s=0, distance_m=8000.0, moving_s=2400.0, elapsed_s=2400.0)  # fmt: skip
    row = runs_table([manual], HARD_CONFIG).iloc[0]
    assert not row["has_samples"] and not row["hard"] and row["name"] == "Intervals 10x400"
    assert math.isnan(row["fast_s"]) and math.isnan(row["fast_hr_bpm"]) and math.isnan(row["fast_m"])


def test_an_empty_history_has_every_column_with_its_dtype():
    empty = runs_table([])
    full = runs_table([session(600)], HARD_CONFIG)
    assert set(empty.columns) == set(full.columns)
    for col in ("fast_s", "fast_hr_bpm", "fast_m", "distance_m", "threshold_speed_mps"):
        assert empty[col].dtype == "float64", col
    for col in ("hard", "race", "has_samples", "indoor"):
        assert empty[col].dtype == bool == full[col].dtype, col
    assert empty["race_label"].dtype == object and empty["name"].dtype == object


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


def test_runs_are_in_the_order_they_happened_not_by_wall_clock():
    """A Sunday 23:30 run in New York starts after a Monday 01:00 run in London: the table is in instants' order."""
    home = [read(easy_run(dt.datetime(2026, 6, d, 7, 0), 5, seed=d)) for d in (15, 17)]
    london = read(easy_run(dt.datetime(2026, 6, 22, 1, 0), 5, seed=3))
    new_york = read(easy_run(dt.datetime(2026, 6, 21, 23, 30), 5, seed=4, zone="America/New_York", origin=(40.7128, -74.006)))
    table = runs_table([new_york, london, *home])
    assert table["id"].tolist()[2:] == [london.id, new_york.id]
    assert table["start"].is_monotonic_increasing and table["start"].iloc[3] == pd.Timestamp("2026-06-22 04:30+01:00")  # home: summer London
    assert table["start_local"].iloc[3] == pd.Timestamp("2026-06-21 23:30")  # its own clock, without zone
    assert table["local_date"].iloc[3] == dt.date(2026, 6, 21)  # its own Sunday


def test_week_that_straddles_the_clocks_going_forward():
    # UK clocks go forward on Sunday 29 March 2026. A Sunday 23:30 run (BST) and a Monday
    # 00:30 run (BST, which is still Sunday 23:30 in UTC) fall in different local weeks.
    sunday = read(easy_run(dt.datetime(2026, 3, 29, 23, 30), 5))
    monday = read(easy_run(dt.datetime(2026, 3, 30, 0, 30), 5, seed=1))
    saturday = read(easy_run(dt.datetime(2026, 3, 28, 9, 0), 5, seed=2))  # GMT, before the change
    assert monday.start_utc.day == 29 and monday.start_utc.weekday() == 6
    table = runs_table([saturday, sunday, monday])
    assert table["week_start"].tolist() == [dt.date(2026, 3, 23)] * 2 + [dt.date(2026, 3, 30)]
    assert table["start_local"].dt.tz is None and table["start"].dt.tz is not None  # the wall clock; the instant
    assert (table["start_local"] - table["start"].dt.tz_convert(None)).dt.total_seconds().tolist() == [0, 3600, 3600]
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
