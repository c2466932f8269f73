"""Doubtful data (rules/doubt.py): flags resting on suspect or manual runs say so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.rules import find_flags, flags_frame
from hamstring_analyzer.metrics.weekly import weekly_summary

from .helpers import (
    ACWR_ON,
    flags_for,
    run,
    spike_flags,
    steady_weeks,
    sunday_spike,
)

# ------------------------------------------------------------ doubtful data --

GPS = "GPS jumps: 16.7 of 22.1 km recorded were removed"


def suspect(row: dict, reason: str | None = GPS) -> dict:
    row.update(suspect=True, suspect_reason=reason)
    return row


def test_a_run_flag_on_a_suspect_run_is_doubtful_with_the_runs_reason():
    rows = steady_weeks(1, 30.0) + [suspect(run(8, 17.0, climb_per_km=2.0)), run(10, 17.0, climb_per_km=2.0)]
    flags = {f.run_id: f for f in flags_for(rows, rule="flat_long_run")}
    assert (flags["run-8"].doubtful, flags["run-8"].doubt) == (True, GPS)
    assert (flags["run-10"].doubtful, flags["run-10"].doubt) == (False, None)
    d = flags["run-8"].to_dict()
    assert (d["doubtful"], d["doubt"]) == (True, GPS)
    suspect(rows[-2], None)  # suspect without a reason given
    assert flags_for(rows, rule="flat_long_run")[-1].doubt == "this run rests on doubtful data"
    frame = flags_frame(flags_for(rows, rule="flat_long_run")).set_index("run_id")
    assert frame.loc["run-8", "doubtful"] and not frame.loc["run-10", "doubtful"]


def test_weekly_flags_rest_on_the_week_and_its_high():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 27.0, first_day=28)
    suspect(rows[15])  # Sun 29 Mar: the week judged against (the high: all weeks are 20 km, the latest counts)
    (f,) = flags_for(rows, rule="weekly_mileage_jump")
    assert f.doubtful and f.doubt == f"rests on Sun 29 Mar 2026 ({GPS})"
    assert f.severity == "warning"  # the flag itself is unchanged
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 27.0, first_day=28)
    suspect(rows[3])  # Sun 8 Mar: not the high week, not the week judged
    (f,) = flags_for(rows, rule="weekly_mileage_jump")
    assert (f.doubtful, f.doubt) == (False, None)
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 27.0, first_day=28)
    suspect(rows[17], "recording left running for 5 h")
    suspect(rows[18], None)
    (f,) = flags_for(rows, rule="weekly_mileage_jump")
    assert f.doubt == "rests on Thu 2 Apr 2026 (recording left running for 5 h) and Fri 3 Apr 2026 (doubtful data)"
    rows = steady_weeks(5, 30.0)
    for i in (1, 17, 18, 19):
        rows[i]["hard"] = True
    suspect(rows[19], "an implausible speed")
    (f,) = flags_for(rows, rule="speedwork_share")
    assert f.doubt == "rests on Sun 5 Apr 2026 (an implausible speed)"


def test_layoff_return_rests_on_the_first_week_back_and_the_weeks_before_the_break():
    rows = steady_weeks(6, 30.0) + [run(56, 8.0), run(57, 8.0), run(59, 9.0)]  # 14 days off (days 42-55)
    assert not flags_for(rows, rule="layoff_return")[0].doubtful
    suspect(rows[1])  # Thu 5 Mar: before the 4 weeks the return is judged against
    assert not flags_for(rows, rule="layoff_return")[0].doubtful
    suspect(rows[9])  # Thu 19 Mar, inside the pre-break 4 weeks (16 Mar to 12 Apr)
    assert flags_for(rows, rule="layoff_return")[0].doubt == f"rests on Thu 19 Mar 2026 ({GPS})"
    rows = steady_weeks(6, 30.0) + [run(56, 8.0), run(57, 8.0), suspect(run(59, 9.0), "an implausible speed")]
    (f,) = flags_for(rows, rule="layoff_return")
    assert f.doubt == "rests on Thu 30 Apr 2026 (an implausible speed)"


def test_acwr_high_rests_on_the_28_days_up_to_its_day():
    rows = sunday_spike()
    for i in (0, 1):  # Tue 3 and Thu 5 Mar: more than 28 days before 5 Apr
        suspect(rows[i])
    assert not flags_for(rows, ACWR_ON, rule="acwr_high")[0].doubtful
    for i in (4, 5, 6, 7, 8):  # five runs from Tue 10 Mar on
        suspect(rows[i])
    (f,) = flags_for(rows, ACWR_ON, rule="acwr_high")
    assert f.doubt == (
        f"rests on Tue 10 Mar 2026 ({GPS}), Thu 12 Mar 2026 ({GPS}), Fri 13 Mar 2026 ({GPS}) and 2 more doubtful runs"
    )


def test_tables_without_the_quality_columns_have_no_doubtful_flags():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 27.0, first_day=28, cadence_spm=165.0)
    cols = ["suspect", "suspect_reason", "running_share", "running_speed_mps", "running_s"]
    table = pd.DataFrame(rows).drop(columns=cols)
    flags = find_flags(table, weekly_summary(table))
    assert {f.rule for f in flags} == {"weekly_mileage_jump", "single_run_spike", "low_cadence"}
    assert not any(f.doubtful for f in flags)
    assert len([f for f in flags if f.rule == "low_cadence"]) == 4  # no running_s column: judged as before


def test_flags_are_newest_first():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 30.0, first_day=14, cadence_spm=165.0)
    dates = [f.date for f in flags_for(rows)]
    assert dates == sorted(dates, reverse=True)

# -------------------------------------------------------------- manual runs --


def test_manual_runs_with_rpe_only_count_by_distance_and_are_not_judged_on_samples():
    rows = steady_weeks(6, 30.0)
    manual = run(43, 14.0, has_samples=False, rpe=6.0, cadence_spm=np.nan, speed_mps=np.nan, climb_per_km=np.nan,
                 fast_m=np.nan, step_length_m=np.nan, moving_s=80 * 60, sources="strava:manual")  # fmt: skip
    flags = flags_for(rows + [manual])
    assert {f.rule for f in flags if f.run_id == "run-43"} == {"single_run_spike"}  # distance is known: judged
    assert not [f for f in flags if f.rule in {"low_cadence", "flat_long_run", "fast_on_flat", "overstride"} and f.run_id == "run-43"]


def test_manual_runs_are_left_out_of_the_fast_share_and_said_so():
    from hamstring_analyzer.render.text import unsampled_note

    rows = steady_weeks(1, 30.0)
    rows[1]["fast_m"] = 6500.0  # 21.7% of 30 km
    for r in rows:
        r["has_samples"] = True
    manual = run(5, 10.0, has_samples=False, fast_m=0.0, cadence_spm=np.nan, rpe=5.0)  # a manual Saturday 10 km
    table = pd.DataFrame(rows + [manual])
    week = weekly_summary(table).iloc[0]
    assert week["speedwork_share"] == pytest.approx(0.2167, abs=0.0001)  # not 16%: the manual 10 km has no pace to judge
    assert week["unsampled_m"] == 10000
    assert unsampled_note(table).startswith("1 run is a manual entry without samples: counted in distance and load")
    assert unsampled_note(pd.DataFrame(rows)) == ""


def test_a_spike_measured_against_a_doubtful_run_is_doubtful():
    rows = steady_weeks(6, 30.0) + [run(43, 12.0)]
    assert not spike_flags(rows)[0].doubtful
    suspect(rows[-2], "GPS jumps: 6.1 of 16.6 km recorded were removed")  # Sun 12 Apr, the 10.5 km it is measured against
    (f,) = spike_flags(rows)
    assert f.doubtful and f.doubt == "rests on Sun 12 Apr 2026 (GPS jumps: 6.1 of 16.6 km recorded were removed)"
