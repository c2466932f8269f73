"""find_flags over all rules (rules/__init__.py): edges, order, and the sample export's story."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.rules import find_flags
from hamstring_analyzer.runmetrics import PROFILE_COLUMNS
from hamstring_analyzer.weekly import weekly_summary

from .helpers import MON, flags_for, run, spike_flags, steady_weeks

# -------------------------------------------------------------------- edges --


def test_one_run_only_and_no_runs():
    assert flags_for([run(0, 5.0)]) == []
    assert find_flags(pd.DataFrame(columns=PROFILE_COLUMNS), weekly_summary(pd.DataFrame(columns=PROFILE_COLUMNS))) == []


# ------------------------------------------------------------ sample story --

STORY = {
    ("weekly_mileage_jump", "2026-06-14", "alert"),
    # issue 15: runs longer than the month's longest (Frandsen 2025): 15.0 km after 13.0 km (+15%) in the big
    # week 6 and on the canal in week 11, then 16.5 km on the treadmill after that 15.0 km (+10.1%).
    ("single_run_spike", "2026-06-14", "warning"),
    ("single_run_spike", "2026-07-19", "warning"),
    ("single_run_spike", "2026-07-23", "warning"),
    ("speedwork_share", "2026-06-26", "alert"),
    ("fast_on_flat", "2026-06-23", "warning"),
    ("fast_on_flat", "2026-06-26", "warning"),
    ("low_cadence", "2026-07-07", "warning"),
    ("low_cadence", "2026-07-09", "warning"),
    ("low_cadence", "2026-07-10", "warning"),
    ("low_cadence", "2026-07-12", "warning"),
    ("flat_long_run", "2026-07-23", "info"),
    ("flat_long_run", "2026-07-26", "info"),
    ("late_run_fatigue", "2026-07-26", "warning"),
    ("layoff_return", "2026-08-12", "alert"),
}


@pytest.fixture(scope="module")
def sample_analysis(sample_export):
    return analyze(sample_export)


def test_sample_runs_flags_exactly_the_story(sample_analysis):
    got = {(f.rule, f.date.isoformat(), f.severity) for f in sample_analysis.flags}
    assert got == STORY
    quiet = {dt.date(2026, 5, 4) + dt.timedelta(weeks=w - 1) for w in (1, 2, 3, 4, 5, 7, 9, 13, 14, 16, 17, 18, 19, 20, 21, 22)}
    assert not [f for f in sample_analysis.flags if f.week_start in quiet]


def test_sample_runs_numbers_behind_the_flags(sample_analysis):
    weeks = sample_analysis.weeks
    w8 = weeks.loc["2026-06-22"]
    assert w8["fast_m"] == pytest.approx(12400, rel=0.01)  # 8 x 800 m + 6 x 1000 m = 12.4 km of reps
    assert w8["speedwork_share"] == pytest.approx(0.37, abs=0.01)
    runs = sample_analysis.runs.set_index("id")
    canal = runs.loc["export/garmin/2026-07-26-08-00.fit"]
    assert canal["late_cadence_drop_spm"] == pytest.approx(6.0, abs=1.0)  # 12 spm lost linearly: 6 at the median
    assert runs["late_cadence_drop_spm"].drop(canal.name).abs().max() < 1.5  # no other run fades
    assert runs["threshold_speed_mps"].iloc[-1] == pytest.approx(1000 / 283, rel=0.02)  # ~4:43/km, the story's ~4:45
    layoff = next(f for f in sample_analysis.flags if f.rule == "layoff_return")
    assert layoff.value == pytest.approx(39960, rel=0.01) and layoff.threshold == pytest.approx(0.7 * 33700, rel=0.01)


def test_since_and_until(sample_analysis):
    export = sample_analysis.export
    part = analyze(export, since=dt.date(2026, 7, 1), until=dt.date(2026, 7, 31))
    assert {f.date.month for f in part.flags} == {7}
    assert min(part.runs["local_date"]) >= dt.date(2026, 7, 1) and max(part.runs["local_date"]) <= dt.date(2026, 7, 31)
    assert part.weeks.index[0].date() == dt.date(2026, 6, 29)
    # history before `since` still counts: the low-cadence comparison uses the runner's earlier runs
    assert any("you usually run 177" in f.message for f in part.flags if f.rule == "low_cadence")
    doc = part.to_dict()
    assert {r["id"] for r in doc["runs"]} == set(part.runs["id"])
    with pytest.raises(ValueError, match="after"):
        analyze(export, since=dt.date(2026, 8, 1), until=dt.date(2026, 7, 1))


def test_flag_values_are_finite(sample_analysis):
    assert all(math.isfinite(f.value) and math.isfinite(f.threshold) for f in sample_analysis.flags)


def test_sample_story_rests_on_clean_data(sample_analysis):
    """No run of the story is suspect; only the spike measured on the treadmill says its distance is an estimate."""
    doubtful = [(f.rule, f.date.isoformat(), f.doubt) for f in sample_analysis.flags if f.doubtful or f.doubt]
    assert doubtful == [("single_run_spike", "2026-07-23", "on a treadmill, the distance is the watch's estimate")]


def test_single_run_spike_on_a_treadmill_stands_with_its_doubt_said():
    rows = steady_weeks(6, 30.0)
    (f,) = spike_flags(rows + [run(43, 11.6, indoor=True, sub_sport="treadmill")])
    assert (f.severity, f.doubtful, f.doubt) == ("warning", True, "on a treadmill, the distance is the watch's estimate")
    (f,) = spike_flags(rows + [run(43, 11.6)])
    assert (f.doubtful, f.doubt) == (False, None)
    (f,) = spike_flags(rows + [run(43, 11.6, indoor=np.nan)])  # unknown (a summary without the field): no doubt invented
    assert (f.doubtful, f.doubt) == (False, None)


def test_weekly_jump_after_a_break_is_not_called_a_return_to_usual():
    """4 weeks of 20 km, 3 weeks off, a 5 km week, then 18 km: below the old volume, but a break came between."""
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 5.0, first_day=49) + steady_weeks(1, 18.0, first_day=56)
    (flag,) = [f for f in flags_for(rows, rule="weekly_mileage_jump") if f.week_start == MON + dt.timedelta(days=56)]
    assert flag.severity == "alert" and "return to your usual" not in flag.message
    # without the break, the same numbers read as a return to the usual volume
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 5.0, first_day=28) + steady_weeks(1, 18.0, first_day=35)
    (flag,) = [f for f in flags_for(rows, rule="weekly_mileage_jump") if f.week_start == MON + dt.timedelta(days=35)]
    assert flag.severity == "info" and "return to your usual" in flag.message
