"""Speed rules (rules/speed.py): the share of fast running, speedwork before a base, fast running on flat ground."""

from __future__ import annotations

import numpy as np

from .helpers import flags_for, run, steady_weeks

# --------------------------------------------------------------- speedwork --


def test_speedwork_counts_hard_days_against_the_runners_own_usual():
    rows = steady_weeks(5, 30.0)
    for i in (1, 5, 9, 13):  # one hard session a week for four weeks
        rows[i]["hard"] = True
    for i in (16, 17, 18):  # then three hard days in week 5 (Tue, Thu, Fri)
        rows[i]["hard"] = True
    (f,) = flags_for(rows, rule="speedwork_share")
    # the JSON's value and threshold keep their meaning: the week's fast share against the 80/20 line
    assert (f.severity, f.facts["hard_days"], f.facts["allowed"], f.unit, f.threshold) == ("warning", 3, 2, "%", 20.0)
    assert f.date == rows[18]["local_date"] and "3 hard days (Tue, Thu, Fri)" in f.message
    rows[19]["hard"] = True  # four: two above what is allowed
    assert flags_for(rows, rule="speedwork_share")[0].severity == "alert"
    rows[19]["hard"] = rows[18]["hard"] = False  # two: ordinary
    assert flags_for(rows, rule="speedwork_share") == []


def test_speedwork_your_usual_allows_more():
    rows = steady_weeks(5, 30.0)
    for w in range(5):
        for i in (0, 1, 2):  # three hard days every week: this runner's usual
            rows[4 * w + i]["hard"] = True
    assert flags_for(rows, rule="speedwork_share") == []


def test_fast_kilometres_inside_easy_runs_are_not_hard_days():
    rows = steady_weeks(3, 30.0)
    for r in rows:
        r.update(fast_m=1500.0, hard=False)  # a fast kilometre or two in every run: not sessions
    assert flags_for(rows, rule="speedwork_share") == []


def test_a_race_is_not_speedwork():
    rows = steady_weeks(5, 30.0)
    for i in (16, 17):
        rows[i]["hard"] = True
    rows[19].update(hard=True, race=True, race_label="half marathon", distance_m=21100.0, climb_per_km=2.0)
    assert flags_for(rows, rule="speedwork_share") == [] and flags_for(rows, rule="fast_on_flat") == []
    rows[19].update(race_label="5 km", distance_m=5000.0, race_by="name")  # a parkrun, named so
    assert flags_for(rows, rule="speedwork_share") == []
    rows[19].update(race_by="distance and effort")  # 5.0 km at race pace, no name: maybe a time trial, a hard day
    assert flags_for(rows, rule="speedwork_share")[0].facts["hard_days"] == 3
    rows[19].update(race=False)  # not a race at all: a third hard day too
    assert flags_for(rows, rule="speedwork_share")[0].facts["hard_days"] == 3


def test_speedwork_before_base_and_fast_on_flat():
    rows = steady_weeks(5, 12.0)  # runs of 2.4-4.2 km: not yet 5 km regularly
    rows.append(run(36, 6.0, fast_m=2000.0, climb_per_km=2.0, hard=True))
    rule_ids = sorted(f.rule for f in flags_for(rows) if f.run_id == "run-36")
    assert "speedwork_before_base" in rule_ids and "fast_on_flat" in rule_ids
    rows[-1]["climb_per_km"] = 18.0
    assert flags_for(rows, rule="fast_on_flat") == []
    rows = steady_weeks(5, 30.0) + [run(36, 6.0, fast_m=2000.0, indoor=True, climb_per_km=np.nan, hard=True)]
    (f,) = flags_for(rows, rule="fast_on_flat")
    assert "on a treadmill" in f.message and f.severity == "info"
    assert flags_for(rows, rule="speedwork_before_base") == []
    # a block of hard sessions on flat ground is said once, at its start
    rows += [run(40, 6.0, fast_m=2000.0, climb_per_km=2.0, hard=True), run(50, 6.0, fast_m=2000.0, climb_per_km=2.0, hard=True)]
    assert [f.date for f in flags_for(rows, rule="fast_on_flat")] == [rows[-3]["local_date"]]


def test_base_rules_are_for_beginners():
    # an experienced runner (a base of 5 km runs from the start) with a short week: no "base" warnings
    rows = steady_weeks(6, 30.0) + [run(45, 3.0), run(47, 6.0, fast_m=3000.0, hard=True)]
    assert flags_for(rows, rule="speedwork_before_base") == []
    # a beginner's first weeks (runs of 2.4-4.2 km): the same session is flagged
    rows = steady_weeks(5, 12.0) + [run(36, 6.0, fast_m=3000.0, hard=True)]
    assert [f.rule for f in flags_for(rows, rule="speedwork_before_base")] == ["speedwork_before_base"]
