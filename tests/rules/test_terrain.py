"""Terrain rules (rules/terrain.py): flat long runs, hills before a base, and what a base is."""

from __future__ import annotations

import numpy as np
import pytest

from .helpers import flags_for, run, steady_weeks

# ---------------------------------------------------------------- long runs --


def test_flat_long_run_by_distance_time_and_treadmill():
    rows = steady_weeks(1, 30.0)
    rows += [run(8, 17.0, climb_per_km=5.0), run(9, 17.0, climb_per_km=12.0)]
    rows += [run(10, 12.0, climb_per_km=3.0, moving_s=95 * 60), run(11, 15.0, climb_per_km=0.0, moving_s=80 * 60)]
    rows += [run(12, 16.5, climb_per_km=np.nan, indoor=True, sub_sport="treadmill", speed_reliable=False)]
    rows += [run(13, 18.0, climb_per_km=np.nan)]  # no altitude outdoors: cannot tell
    flags = flags_for(rows, rule="flat_long_run")
    assert sorted(f.run_id for f in flags) == ["run-10", "run-12", "run-8"]
    assert {f.severity for f in flags} == {"info"}
    tread = next(f for f in flags if f.run_id == "run-12")
    assert "on a treadmill" in tread.message and tread.value == 0.0

# --------------------------------------------------------------------- base --


def test_hills_before_base():
    rows = steady_weeks(5, 15.0, climb_per_km=5.0)
    rows.append(run(36, 6.0, climb_per_km=22.0))
    (f,) = flags_for(rows, rule="hills_before_base")
    assert f.run_id == "run-36" and f.value == pytest.approx(15000, rel=0.01) and f.threshold == 24000
    rows = steady_weeks(5, 30.0, climb_per_km=5.0) + [run(36, 6.0, climb_per_km=22.0)]
    assert flags_for(rows, rule="hills_before_base") == []
    # In the first 4 weeks of a history nothing is known about the base: not judged.
    assert flags_for([run(1, 6.0, climb_per_km=25.0), run(3, 6.0)], rule="hills_before_base") == []


def test_a_short_break_does_not_erase_a_base():
    rows = steady_weeks(6, 30.0, climb_per_km=5.0) + [run(55, 6.0, climb_per_km=22.0)]  # 13 days off, then hills
    assert flags_for(rows, rule="hills_before_base") == []


def test_hills_judged_against_the_runners_own_routes_and_only_on_real_runs():
    # a beginner whose every route climbs 20 m/km: that is where they run, not "hills"
    rows = steady_weeks(5, 15.0, climb_per_km=20.0) + [run(36, 6.0, climb_per_km=22.0)]
    assert flags_for(rows, rule="hills_before_base") == []
    # a 1 km jog up a slope (6 minutes): not hill training
    rows = steady_weeks(5, 15.0, climb_per_km=5.0) + [run(36, 1.0, climb_per_km=22.0, moving_s=6 * 60)]
    assert flags_for(rows, rule="hills_before_base") == []


def test_hills_before_base_is_for_beginners_only():
    # an experienced runner (a base from the export's first weeks) in a light spell: no base rule
    rows = steady_weeks(6, 30.0, climb_per_km=5.0) + steady_weeks(4, 12.0, first_day=42, climb_per_km=5.0)
    rows.append(run(73, 6.0, climb_per_km=22.0))
    assert flags_for(rows, rule="hills_before_base") == []
