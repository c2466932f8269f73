"""Form rules (rules/form.py): low cadence against the runner's own, late-run fatigue, overstride."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.config import Config
from hamstring_analyzer.rules import RULES, find_flags
from hamstring_analyzer.metrics.weekly import weekly_summary

from .helpers import flags_for, run, steady_weeks

# ----------------------------------------------------------------- cadence --


def test_low_cadence_compared_with_the_runners_own_cadence_at_that_pace():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0)
    rows[-1]["cadence_spm"] = 168.0
    (f,) = flags_for(rows, rule="low_cadence")
    assert (f.severity, f.run_id, f.value, f.threshold, f.unit) == ("warning", rows[-1]["id"], 168.0, 175.0, "steps/min")
    assert "at 5:30/km" in f.message and "10 below your own 178 at this pace" in f.message
    rows[-1]["cadence_spm"] = 173.0  # 5 below: inside the noise (6 steps/min or 3%)
    assert flags_for(rows, rule="low_cadence") == []


def test_low_cadence_that_is_the_runners_normal_is_not_flagged():
    # 170 is below 175, but it is this runner's normal: no note on every run (a coach's 168 notes in a year)
    assert flags_for(steady_weeks(3, 30.0, cadence_spm=170.0), rule="low_cadence") == []
    # without enough runs to know the runner's normal, the population floor speaks softly
    rows = steady_weeks(1, 30.0, cadence_spm=155.0)
    assert {f.severity for f in flags_for(rows, rule="low_cadence")} == {"warning"}
    rows = steady_weeks(1, 30.0, cadence_spm=170.0)
    (f, *_) = flags_for(rows, rule="low_cadence")
    assert f.severity == "info" and "your own normal at this pace is not known yet" in f.message


def test_low_cadence_is_never_an_alert():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0)
    rows[-1]["cadence_spm"] = 150.0  # a lab study of joint loading, not of injuries: a warning at most
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning"


def test_slow_runs_and_cool_downs_are_not_judged():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0)
    rows[-1].update(cadence_spm=160.0, speed_mps=2.4)  # 79% of the usual 3.03 m/s: a jog
    assert flags_for(rows, rule="low_cadence") == []


def test_a_run_known_only_from_its_summary_is_not_judged_on_cadence():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0, has_samples=True)
    rows[-1].update(cadence_spm=158.0, has_samples=False)  # a summary's average: walking and stops included
    assert flags_for(rows, rule="low_cadence") == []
    rows[-1]["has_samples"] = True  # the same number from samples is judged
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning" and f.run_id == rows[-1]["id"]


def test_no_cadence_no_cadence_flags():
    rows = steady_weeks(2, 30.0, cadence_spm=np.nan)
    assert flags_for(rows, rule="low_cadence") == []


WALK_RUN = dict(cadence_spm=150.0, speed_mps=1.6, running_share=0.16, running_speed_mps=1000 / 370, running_s=25 * 60)


def test_a_mostly_walking_run_is_not_judged_on_cadence():
    rows = steady_weeks(3, 30.0) + [run(19, 8.0, **WALK_RUN)]  # Sat 21 Mar, a hike with a few running stretches
    assert flags_for(rows, rule="low_cadence") == []


def test_low_cadence_needs_ten_minutes_of_running():
    fast = dict(WALK_RUN, speed_mps=3.0, running_share=0.9)
    rows = steady_weeks(3, 30.0) + [run(22, 5.0, **{**fast, "running_s": 9 * 60})]
    assert flags_for(rows, rule="low_cadence") == []
    rows[-1]["running_s"] = 10 * 60
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning" and f.message.startswith("Tue 24 Mar, 5.0 km at 5:33/km: median cadence 150")


def test_low_cadence_when_the_running_share_is_unknown_or_high_is_as_before():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0)
    rows[-1].update(cadence_spm=168.0, running_share=np.nan, running_speed_mps=2.5, running_s=np.nan)
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning" and "at 5:30/km: median cadence 168" in f.message and "walking" not in f.message
    rows[-1].update(running_share=0.8, running_s=1800.0)
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning" and "at 5:30/km: median cadence 168" in f.message and "walking" not in f.message


# ----------------------------------------------------------------- overstride --


def test_overstride_against_the_runners_own_step_length_at_that_speed():
    rows = steady_weeks(3, 30.0, has_running_dynamics=True, step_length_m=1.00)
    rows[-1]["step_length_m"] = 1.10  # +10% at the same speed
    (f,) = flags_for(rows, rule="overstride")
    assert (f.run_id, f.severity, f.value, f.threshold, f.unit) == (rows[-1]["id"], "warning", pytest.approx(10.0), 8.0, "%")
    assert f.message.startswith("Sun 22 Mar, 10.5 km at 5:30/km: median step length 110 cm, 10% longer than your own 100 cm at this pace")
    rows[-1]["step_length_m"] = 1.20
    (f,) = flags_for(rows, rule="overstride")
    assert f.severity == "warning" and f.facts["uncapped"] == "alert"  # coaching practice: a warning at most
    rows[-1]["step_length_m"] = 1.05
    assert flags_for(rows, rule="overstride") == []


def test_no_running_dynamics_no_overstride_flag():
    rows = steady_weeks(3, 30.0, has_running_dynamics=False, step_length_m=1.00)
    rows[-1]["step_length_m"] = 1.30  # estimated from speed / cadence: not a sensor's, not judged
    assert flags_for(rows, rule="overstride") == []
    rows = steady_weeks(1, 30.0, has_running_dynamics=True, step_length_m=1.00)
    rows[-1]["step_length_m"] = 1.30  # too few other runs at this speed to know "your own"
    assert flags_for(rows, rule="overstride") == []
    table = pd.DataFrame(steady_weeks(3, 30.0)).drop(columns=["has_running_dynamics"])  # an older table
    assert [f for f in find_flags(table, weekly_summary(table)) if f.rule == "overstride"] == []

def test_late_run_fatigue():
    rows = steady_weeks(1, 30.0)
    rows += [run(8, 14.0, moving_s=70 * 60, late_cadence_drop_spm=6.0, decoupling_pct=2.0)]
    rows += [run(9, 7.0, moving_s=40 * 60, late_cadence_drop_spm=9.0)]  # short: not judged
    rows += [run(10, 14.0, moving_s=75 * 60, late_cadence_drop_spm=1.0, decoupling_pct=8.0)]
    rows += [run(11, 14.0, moving_s=75 * 60, late_cadence_drop_spm=np.nan, decoupling_pct=np.nan)]
    flags = {f.run_id: f for f in flags_for(rows, rule="late_run_fatigue")}
    assert set(flags) == {"run-8", "run-10"}
    assert (flags["run-8"].severity, flags["run-8"].value, flags["run-8"].unit) == ("warning", 6.0, "steps/min")
    assert "at the same pace" in flags["run-8"].message
    assert (flags["run-10"].severity, flags["run-10"].value, flags["run-10"].unit) == ("info", 8.0, "%")
