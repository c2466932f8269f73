"""Episodes (rules/episodes.py): one message per return, ramp, hard block, long run or race."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamstring_analyzer.config import Config
from hamstring_analyzer.rules import find_episodes
from hamstring_analyzer.rules.episodes import first_screen
from hamstring_analyzer.metrics.weekly import weekly_summary

from .helpers import MON, run, steady_weeks


def episodes_for(rows, config=None):
    table = pd.DataFrame(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no division by zero, no mean of nothing
        return find_episodes(table, weekly_summary(table), config or Config())


def check_episodes(flags, episodes):
    """Every flag in exactly one episode; no two episodes of the same lead rule overlap; numbers finite."""
    ids = [f.id for f in flags]
    assert len(ids) == len(set(ids))
    in_episodes = [i for e in episodes for i in e.flags]
    assert sorted(in_episodes) == sorted(ids)
    by_id = {e.id: e for e in episodes}
    assert len(by_id) == len(episodes)
    for f in flags:
        assert f.id in by_id[f.episode].flags
        assert math.isfinite(f.threshold) and (f.unit == "%" or math.isfinite(f.value))
    for a in episodes:
        assert a.start <= a.end and a.message
        for b in episodes:
            if a is not b and a.rule == b.rule:
                assert a.end < b.start or b.end < a.start, (a.id, b.id)


# -------------------------------------------------------------- properties --

DAYS = st.lists(
    st.tuples(
        st.integers(0, 400),  # day
        st.floats(0.3, 45.0),  # km
        st.booleans(),  # a hard session
        st.sampled_from([np.nan, 150.0, 165.0, 172.0, 178.0, 184.0]),  # cadence
        st.booleans(),  # on a treadmill
    ),
    min_size=1,
    max_size=80,
)


@given(DAYS)
def test_every_flag_in_exactly_one_episode_and_no_overlaps(days):
    rows = []
    for i, (day, km, hard, cadence, indoor) in enumerate(sorted(days)):
        rows.append(run(day, round(km, 1), id=f"run-{i}", hard=hard, fast_m=km * 600 if hard else 0.0, cadence_spm=cadence,
                        indoor=indoor, climb_per_km=np.nan if indoor else 12.0))  # fmt: skip
    flags, episodes = episodes_for(rows)
    check_episodes(flags, episodes)


@given(st.lists(st.integers(0, 3000), min_size=1, max_size=40, unique=True))
def test_years_of_gaps_give_returns_never_percentages_of_nothing(days):
    rows = [run(d, 6.0, id=f"run-{d}") for d in sorted(days)]
    flags, episodes = episodes_for(rows)
    check_episodes(flags, episodes)
    assert not [f for f in flags if f.rule == "weekly_mileage_jump" and not math.isfinite(f.facts["avg4_m"])]


# -------------------------------------------------------------- edge cases --


def test_one_run_and_one_week():
    assert episodes_for([run(0, 5.0)]) == ([], [])
    flags, episodes = episodes_for(steady_weeks(1, 30.0))
    check_episodes(flags, episodes)
    assert not [f for f in flags if f.rule in {"weekly_mileage_jump", "single_run_spike", "layoff_return", "speedwork_share"}]


def test_only_treadmill_runs():
    rows = steady_weeks(6, 30.0, indoor=True, sub_sport="treadmill", climb_per_km=np.nan) + [run(43, 14.0, indoor=True, climb_per_km=np.nan)]
    flags, episodes = episodes_for(rows)
    check_episodes(flags, episodes)
    (spike,) = [f for f in flags if f.rule == "single_run_spike"]
    assert spike.doubtful  # a treadmill's distance is the watch's estimate
    assert not [f for f in flags if f.rule == "hills_before_base"]


def test_only_summary_runs_without_samples():
    rows = steady_weeks(6, 30.0, has_samples=False, cadence_spm=np.nan, fast_m=np.nan, speed_mps=np.nan, climb_per_km=np.nan)
    rows.append(run(43, 20.0, has_samples=False, cadence_spm=np.nan, fast_m=np.nan, speed_mps=np.nan, climb_per_km=np.nan))
    flags, episodes = episodes_for(rows)
    check_episodes(flags, episodes)
    assert {f.rule for f in flags} == {"single_run_spike"}  # distance is known; form and speed are not


def test_a_return_that_trips_the_spike_and_the_week_is_one_episode():
    # 4 weeks of 30 km, 16 days off, then 40 km in a week with a 15 km run
    rows = steady_weeks(4, 30.0) + [run(44, 8.0), run(45, 8.0), run(47, 9.0), run(49, 15.0)]
    flags, episodes = episodes_for(rows)
    check_episodes(flags, episodes)
    load = [e for e in episodes if e.kind == "return"]
    assert len(load) == 1 and load[0].rule == "layoff_return"
    assert {f.rule for f in load[0].members} >= {"layoff_return"}
    assert [e for e in episodes if e.rule in {"weekly_mileage_jump", "single_run_spike"}] == []  # all said by the return


def test_the_same_finding_week_after_week_is_one_episode():
    rows = steady_weeks(6, 30.0, cadence_spm=178.0)
    for r in rows[-12:]:
        r["cadence_spm"] = 166.0  # three weeks of heavy shoes
    flags, episodes = episodes_for(rows)
    (cad,) = [e for e in episodes if e.rule == "low_cadence"]
    assert len(cad.flags) == len([f for f in flags if f.rule == "low_cadence"]) >= 8
    assert "In the same stretch: the same " in cad.message and "more times" in cad.message


def test_first_screen_orders_by_severity_then_evidence_then_recency():
    rows = steady_weeks(5, 20.0, cadence_spm=178.0) + [run(36, 30.0, cadence_spm=166.0)]  # +200% spike, low cadence
    flags, episodes = episodes_for(rows)
    week = MON + dt.timedelta(days=35)
    shown = first_screen(episodes, week, week + dt.timedelta(days=6), 3)
    assert [e.severity for e in shown][0] == "alert" and shown[0].rule == "single_run_spike"
    assert first_screen(episodes, week, week + dt.timedelta(days=6), 1) == shown[:1]


def test_json_of_an_episode():
    rows = steady_weeks(5, 20.0) + [run(36, 30.0)]
    flags, episodes = episodes_for(rows)
    (e,) = [e for e in episodes if e.rule == "single_run_spike"]
    d = e.to_dict()
    assert set(d) == {"id", "rule", "kind", "severity", "start", "end", "message", "flags", "evidence", "doubtful", "doubt"}
    assert d["flags"] == [f.id for f in flags if f.episode == e.id] and d["kind"] == "long run" and d["evidence"] == "study"
    assert dt.date.fromisoformat(d["start"]) <= dt.date.fromisoformat(d["end"])


@pytest.mark.parametrize("units", ["km", "mi"])
def test_episode_messages_in_the_runners_units(units):
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 30.0, first_day=28)
    flags, episodes = episodes_for(rows, Config(units=units))
    text = " ".join(e.message for e in episodes)
    assert (" mi" in text) == (units == "mi") and (" km" in text) == (units == "km")
