"""Form rules (rules/form.py): low cadence against the runner's own, late-run fatigue, overstride."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.config import Config
from hamstring_analyzer.rules import RULES, find_flags
from hamstring_analyzer.weekly import weekly_summary

from .helpers import flags_for, run, steady_weeks

# ----------------------------------------------------------------- cadence --


def test_low_cadence_compared_with_the_runners_own_cadence_at_that_pace():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0)
    rows[-1]["cadence_spm"] = 168.0
    (f,) = flags_for(rows, rule="low_cadence")
    assert (f.severity, f.run_id, f.value, f.threshold, f.unit) == ("warning", rows[-1]["id"], 168.0, 175.0, "steps/min")
    assert "at 5:30/km" in f.message and "you usually run 178, so this run is 10 lower" in f.message


def test_low_cadence_that_is_the_runners_normal_is_info_and_very_low_is_alert():
    rows = steady_weeks(3, 30.0, cadence_spm=170.0)
    flags = flags_for(rows, rule="low_cadence")
    assert len(flags) == 12
    assert {f.severity for f in flags} == {"info"} and "close to your own usual 170" in flags[0].message
    rows = steady_weeks(1, 30.0, cadence_spm=155.0)
    assert {f.severity for f in flags_for(rows, rule="low_cadence")} == {"alert"}


def test_a_run_known_only_from_its_summary_is_not_judged_on_cadence():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0, has_samples=True)
    rows[-1].update(cadence_spm=158.0, has_samples=False)  # a summary's average: walking and stops included
    assert flags_for(rows, rule="low_cadence") == []
    rows[-1]["has_samples"] = True  # the same number from samples is judged
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "alert" and f.run_id == rows[-1]["id"]


def test_no_cadence_no_cadence_flags():
    rows = steady_weeks(2, 30.0, cadence_spm=np.nan)
    assert flags_for(rows, rule="low_cadence") == []


WALK_RUN = dict(cadence_spm=150.0, speed_mps=1.6, running_share=0.16, running_speed_mps=1000 / 370, running_s=25 * 60)


def test_low_cadence_on_a_mostly_walking_run_says_so_and_quotes_the_running_pace():
    rows = steady_weeks(3, 30.0) + [run(19, 8.0, **WALK_RUN)]  # Sat 21 Mar, a hike with a few running stretches
    (f,) = flags_for(rows, rule="low_cadence")
    assert (f.run_id, f.severity, f.value) == ("run-19", "info", 150.0)  # 150 would be an alert on a run
    assert f.message == (
        "Sat 21 Mar, 8.0 km, mostly walking: only 16% of its moving time was running; in its running parts, "
        "at 6:10/km, median cadence 150 steps/min, below 175."
    )
    assert "10:25/km" not in f.message  # the whole outing's pace (1.6 m/s) is never quoted
    # Running speed unknown: no pace at all rather than the whole run's.
    rows[-1]["running_speed_mps"] = np.nan
    (f,) = flags_for(rows, rule="low_cadence")
    assert "in its running parts, median cadence 150 steps/min" in f.message and "/km" not in f.message
    assert f.severity == "info"


def test_low_cadence_needs_ten_minutes_of_running():
    rows = steady_weeks(1, 30.0) + [run(8, 5.0, **{**WALK_RUN, "running_s": 9 * 60})]
    assert flags_for(rows, rule="low_cadence") == []
    rows[-1].update(running_share=0.9, running_s=9 * 60)  # even when running all along
    assert flags_for(rows, rule="low_cadence") == []
    rows[-1]["running_s"] = 10 * 60
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "alert" and f.message.startswith("Tue 10 Mar, 5.0 km at 10:25/km: median cadence 150")


def test_low_cadence_when_the_running_share_is_unknown_or_high_is_as_before():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0)
    rows[-1].update(cadence_spm=168.0, running_share=np.nan, running_speed_mps=2.5, running_s=np.nan)
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning" and "at 5:30/km: median cadence 168" in f.message and "walking" not in f.message
    rows[-1].update(running_share=0.8, running_s=1800.0)
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning" and "at 5:30/km: median cadence 168" in f.message and "walking" not in f.message


def test_rule_texts_follow_the_evidence():
    jump, cad = RULES["weekly_mileage_jump"].source, RULES["low_cadence"]
    assert "30% over two weeks" in jump
    assert "Chumanov 2012 (Gait Posture 36:231)" in cad.source and "raised hamstring activity in late swing" in cad.source
    assert "Heiderscheit 2011 (MSSE 43:296)" in cad.source
    assert "more work for the hamstrings" not in cad.why and "not a hamstring fix" in cad.why
    assert "overstriding" in cad.why and "knee and hip" in cad.why
    assert "3 miles (4.83 km)" in RULES["speedwork_before_base"].source
    assert all("Chumanov 2011 (MSSE)" in RULES[r].source for r in ("speedwork_share", "fast_on_flat"))
    assert Config().base.speedwork_run_km == 4.83

# ----------------------------------------------------------------- overstride --


def test_overstride_against_the_runners_own_step_length_at_that_speed():
    rows = steady_weeks(3, 30.0, has_running_dynamics=True, step_length_m=1.00)
    rows[-1]["step_length_m"] = 1.10  # +10% at the same speed
    (f,) = flags_for(rows, rule="overstride")
    assert (f.run_id, f.severity, f.value, f.threshold, f.unit) == (rows[-1]["id"], "warning", pytest.approx(10.0), 8.0, "%")
    assert f.message.startswith("Sun 22 Mar, 10.5 km at 5:30/km: median step length 110 cm, 10% longer than your own 100 cm at this pace")
    rows[-1]["step_length_m"] = 1.20
    assert flags_for(rows, rule="overstride")[0].severity == "alert"
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
