"""find_flags over all rules (rules/__init__.py): edges, order, and the sample export's story."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.rules import find_flags
from hamstring_analyzer.metrics.profile import PROFILE_COLUMNS
from hamstring_analyzer.metrics.weekly import weekly_summary

from .helpers import MON, flags_for, run, spike_flags, steady_weeks

# -------------------------------------------------------------------- edges --


def test_one_run_only_and_no_runs():
    assert flags_for([run(0, 5.0)]) == []
    assert find_flags(pd.DataFrame(columns=PROFILE_COLUMNS), weekly_summary(pd.DataFrame(columns=PROFILE_COLUMNS))) == []


# ------------------------------------------------------------ sample story --

STORY = {
    # week 6: the jump and the month's longest run, one episode (the spike leads: the best evidence)
    ("weekly_mileage_jump", "2026-06-14", "warning"),
    ("single_run_spike", "2026-06-14", "warning"),
    # week 8: two interval sessions where the 4 weeks before had none, 36% of the week fast
    ("speedwork_share", "2026-06-26", "warning"),
    ("fast_on_flat", "2026-06-23", "info"),  # a case report: context, once for the block
    ("low_cadence", "2026-07-07", "warning"),
    ("low_cadence", "2026-07-09", "warning"),
    ("low_cadence", "2026-07-10", "warning"),
    ("low_cadence", "2026-07-12", "warning"),
    # week 11: +15% on the month, but no longer than the 15.0 km of 14 Jun (the 90-day longest): info
    ("single_run_spike", "2026-07-19", "info"),
    ("single_run_spike", "2026-07-23", "warning"),  # 16.5 km on the treadmill after 15.0 km (+10.1%)
    ("flat_long_run", "2026-07-23", "info"),
    ("flat_long_run", "2026-07-26", "info"),
    ("late_run_fatigue", "2026-07-26", "warning"),
    ("layoff_return", "2026-08-12", "warning"),  # coaching practice: a warning at most
}
#: The story's episodes: (lead rule, first day, severity, how many flags).
STORY_EPISODES = {
    ("single_run_spike", "2026-06-08", "warning", 2),
    ("speedwork_share", "2026-06-22", "warning", 1),
    ("fast_on_flat", "2026-06-23", "info", 1),
    ("low_cadence", "2026-07-07", "warning", 4),
    ("single_run_spike", "2026-07-19", "warning", 3),  # the treadmill's flat long run joins its run's spike
    ("late_run_fatigue", "2026-07-26", "warning", 2),  # the canal run: flat, and fading late: one message
    ("layoff_return", "2026-08-12", "warning", 1),  # from the first day back
}


@pytest.fixture(scope="module")
def sample_analysis(sample_export):
    return analyze(sample_export)


def test_sample_runs_flags_exactly_the_story(sample_analysis):
    got = {(f.rule, f.date.isoformat(), f.severity) for f in sample_analysis.flags}
    assert got == STORY
    quiet = {dt.date(2026, 5, 4) + dt.timedelta(weeks=w - 1) for w in (1, 2, 3, 4, 5, 7, 9, 13, 14, 16, 17, 18, 19, 20, 21, 22)}
    assert not [f for f in sample_analysis.flags if f.week_start in quiet]
    got = {(e.rule, e.start.isoformat(), e.severity, len(e.flags)) for e in sample_analysis.episodes}
    assert got == STORY_EPISODES
    by_id = {e.id: e for e in sample_analysis.episodes}
    assert all(f.episode in by_id and f.id in by_id[f.episode].flags for f in sample_analysis.flags)
    week6 = next(e for e in sample_analysis.episodes if e.start == dt.date(2026, 6, 8))
    assert week6.evidence == "study" and "In the same stretch: the week of 8 Jun reached 45.9 km, above your high of 32.5 km in the weeks before" in week6.message


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
    assert layoff.facts["uncapped"] == "alert"  # more than the pre-break average: the rule's alert, capped by its evidence
    profile = sample_analysis.profile
    assert profile["cadence_spm"] == pytest.approx(177, abs=1) and profile["weekly_m"] == pytest.approx(33600, rel=0.01)


def test_since_and_until(sample_analysis):
    export = sample_analysis.export
    part = analyze(export, since=dt.date(2026, 7, 1), until=dt.date(2026, 7, 31))
    assert {f.date.month for f in part.flags} == {7}
    assert min(part.runs["local_date"]) >= dt.date(2026, 7, 1) and max(part.runs["local_date"]) <= dt.date(2026, 7, 31)
    assert part.weeks.index[0].date() == dt.date(2026, 6, 29)
    # history before `since` still counts: the low-cadence comparison uses the runner's earlier runs
    assert any("below your own 177 at this pace" in f.message for f in part.flags if f.rule == "low_cadence")
    assert {e.id for e in part.episodes} == {f.episode for f in part.flags}
    late = analyze(export, since=dt.date(2026, 7, 21))  # the long-run episode began on 19 Jul, before `since`
    assert sorted(i for e in late.episodes for i in e.flags) == sorted(f.id for f in late.flags)
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


def test_weekly_jump_after_a_break_is_judged_only_against_the_weeks_since():
    """4 weeks of 20 km, 3 weeks off, a 5 km week, then 18 km: the weeks before the break are not the yardstick."""
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 5.0, first_day=49) + steady_weeks(1, 18.0, first_day=56)
    assert [f for f in flags_for(rows, rule="weekly_mileage_jump") if f.week_start == MON + dt.timedelta(days=56)] == []
    assert flags_for(rows, rule="layoff_return") == []  # a gentle return (5 km), then 18 km: quiet
    # without the break, 18 km after a light week is back to the usual: nothing
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 5.0, first_day=28) + steady_weeks(1, 18.0, first_day=35)
    assert flags_for(rows, rule="weekly_mileage_jump") == []
