"""Speed rules (rules/speed.py): the share of fast running, speedwork before a base, fast running on flat ground."""

from __future__ import annotations

import numpy as np
import pytest

from .helpers import flags_for, run, steady_weeks

# --------------------------------------------------------------- speedwork --


def test_speedwork_share():
    rows = steady_weeks(1, 30.0)
    rows[1]["fast_m"] = 7000.0  # 23%
    (f,) = flags_for(rows, rule="speedwork_share")
    assert (f.severity, f.value, f.threshold, f.date) == ("warning", pytest.approx(23.33, abs=0.01), 20.0, rows[1]["local_date"])
    rows[1]["fast_m"] = 10000.0  # 33%
    assert flags_for(rows, rule="speedwork_share")[0].severity == "alert"
    rows[1]["fast_m"] = 5000.0
    assert flags_for(rows, rule="speedwork_share") == []

def test_speedwork_before_base_and_fast_on_flat():
    rows = steady_weeks(5, 12.0)  # runs of 2.4-4.2 km: not yet 5 km regularly
    rows.append(run(36, 6.0, fast_m=2000.0, climb_per_km=2.0))
    rule_ids = sorted(f.rule for f in flags_for(rows) if f.run_id == "run-36")
    assert "speedwork_before_base" in rule_ids and "fast_on_flat" in rule_ids
    rows[-1]["climb_per_km"] = 18.0
    assert flags_for(rows, rule="fast_on_flat") == []
    rows = steady_weeks(5, 30.0) + [run(36, 6.0, fast_m=2000.0, indoor=True, climb_per_km=np.nan)]
    (f,) = flags_for(rows, rule="fast_on_flat")
    assert "on a treadmill" in f.message
    assert flags_for(rows, rule="speedwork_before_base") == []
