"""Session load beyond distance: Banister TRIMP, session RPE, the fallbacks, and monotony and strain."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.activity import Activity, empty_laps, records_frame
from hamstring_analyzer.config import config_from_dict
from hamstring_analyzer.rules import find_flags
from hamstring_analyzer.metrics.session_load import add_session_load, banister_trimp, heart_rate_minutes, peak_heart_rate
from hamstring_analyzer.metrics.weekly import monotony_and_strain, weekly_summary

from ..conftest import REAL_RUNS, needs_real_runs
from ..rules.helpers import run, steady_weeks

TRIMP = config_from_dict({"load": {"method": "trimp"}, "runner": {"resting_heart_rate": 50, "max_heart_rate": 190}})


def hr_activity(rid: str, bpm: list[float], seconds_each: int = 60) -> Activity:
    """A run whose heart rate holds each of ``bpm`` for ``seconds_each`` seconds (1 Hz)."""
    hr = np.repeat(np.asarray(bpm, dtype=float), seconds_each)
    t = 1.78e9 + np.arange(len(hr), dtype=float)
    return Activity(records=records_frame(t, {"heart_rate_bpm": hr}), laps=empty_laps(), source=rid, format="fit", sport="running")


def test_banister_trimp_by_hand():
    hist = np.zeros(251)
    hist[120] = 60.0  # an hour at 120 beats/min
    # rest 60, max 180: HRr 0.5; men 60 x 0.5 x 0.64 e^(0.96) = 50.14; women 60 x 0.5 x 0.86 e^(0.835) = 59.47
    assert banister_trimp(hist, 60, 180) == pytest.approx(60 * 0.5 * 0.64 * math.exp(1.92 * 0.5))
    assert banister_trimp(hist, 60, 180) == pytest.approx(50.14, abs=0.01)
    assert banister_trimp(hist, 60, 180, "women") == pytest.approx(59.47, abs=0.01)
    hist[120], hist[40] = 0.0, 30.0  # below resting: HRr clipped to 0, no load
    assert banister_trimp(hist, 60, 180) == 0.0


def test_heart_rate_minutes_and_peak():
    a = hr_activity("a", [140] * 20 + [185])
    hist = heart_rate_minutes(a.records)
    assert hist[140] == pytest.approx(20.0, abs=0.02) and hist[185] == pytest.approx(1.0, abs=0.02)
    assert peak_heart_rate(hist) == 185  # a whole minute there
    assert heart_rate_minutes(a.records.drop(columns=["heart_rate_bpm"])) is None


def _table(rows, activities):
    return add_session_load(pd.DataFrame(rows), {a.source: a for a in activities}, TRIMP)


def test_trimp_load_with_set_heart_rates_and_runs_without_heart_rate():
    rows = [run(1, 6.0, id="hr-1"), run(3, 6.0, id="hr-2"), run(4, 10.0, id="no-hr", avg_heart_rate_bpm=np.nan)]
    acts = [hr_activity("hr-1", [120] * 30), hr_activity("hr-2", [160] * 30)]
    t = _table(rows, acts).set_index("id")
    hrr1, hrr2 = (120 - 50) / 140, (160 - 50) / 140
    assert t.loc["hr-1", "trimp"] == pytest.approx(30 * hrr1 * 0.64 * math.exp(1.92 * hrr1), rel=0.01)
    assert t.loc["hr-2", "trimp"] == pytest.approx(30 * hrr2 * 0.64 * math.exp(1.92 * hrr2), rel=0.01)
    assert list(t["load_by"]) == ["trimp", "trimp", "scaled distance"]
    per_metre = np.median([t.loc["hr-1", "trimp"] / 6000, t.loc["hr-2", "trimp"] / 6000])
    assert t.loc["no-hr", "load"] == pytest.approx(10000 * per_metre)
    assert (t["trimp_rest_hr_bpm"] == 50).all() and (t["trimp_max_hr_bpm"] == 190).all()


def test_heart_rate_without_resting_heart_rate_assumes_60_and_estimates_max():
    cfg = config_from_dict({"load": {"method": "trimp"}})
    acts = [hr_activity("a", [130] * 30 + [178, 178]), hr_activity("b", [150] * 40 + [183])]
    t = add_session_load(pd.DataFrame([run(1, 6.0, id="a"), run(3, 8.0, id="b")]), {a.source: a for a in acts}, cfg)
    assert (t["trimp_rest_hr_bpm"] == 60).all() and (t["trimp_max_hr_bpm"] == 183).all()  # the highest held a minute
    assert t["trimp"].notna().all() and (t["load_by"] == "trimp").all()


def test_no_heart_rate_at_all_keeps_distance():
    cfg = config_from_dict({"load": {"method": "trimp"}})
    t = add_session_load(pd.DataFrame(steady_weeks(1, 20.0, avg_heart_rate_bpm=np.nan)), {}, cfg)
    assert t["trimp"].isna().all() and (t["load_by"] == "distance").all() and (t["load"] == t["distance_m"]).all()


def test_manual_runs_with_rpe_only_give_session_rpe():
    cfg = config_from_dict({"load": {"method": "srpe"}})
    rows = [
        run(1, 8.0, id="m1", has_samples=False, rpe=4.0, moving_s=45 * 60),
        run(3, 12.0, id="m2", has_samples=False, rpe=7.0, moving_s=70 * 60),
        run(4, 5.0, id="watch", rpe=np.nan, moving_s=30 * 60),
    ]
    t = add_session_load(pd.DataFrame(rows), {}, cfg).set_index("id")
    assert t.loc["m1", "srpe"] == 180 and t.loc["m2", "srpe"] == 490  # Foster: RPE x minutes
    assert t.loc["watch", "load_by"] == "scaled distance"
    assert t.loc["watch", "load"] == pytest.approx(5000 * np.median([180 / 8000, 490 / 12000]))
    # without an rpe column at all (an older table): distance
    t = add_session_load(pd.DataFrame(rows).drop(columns=["rpe"]), {}, cfg)
    assert (t["load_by"] == "distance").all()


def test_monotony_and_strain():
    mono, strain = monotony_and_strain([5.0, 0, 5, 0, 5, 0, 10])
    sd = np.std([5.0, 0, 5, 0, 5, 0, 10], ddof=1)
    assert mono == pytest.approx((25 / 7) / sd) and strain == pytest.approx(25 * mono)
    assert all(math.isnan(x) for x in monotony_and_strain([6.0] * 7))  # no spread: undefined, not infinite
    assert all(math.isnan(x) for x in monotony_and_strain([0.0] * 7))


def test_the_ratio_and_weekly_load_follow_the_chosen_load():
    rows = steady_weeks(5, 30.0)
    table = pd.DataFrame(rows)
    by_distance = weekly_summary(table)
    table["load"] = table["distance_m"] * np.where(table["local_date"] >= max(table["local_date"]) - pd.Timedelta(days=6), 3.0, 1.0)
    by_load = weekly_summary(table)
    assert by_load["load"].iloc[-1] == pytest.approx(3 * by_distance["load"].iloc[-1])
    assert by_load["acwr"].iloc[-1] > 2 > by_distance["acwr"].iloc[-1]
    assert by_load["distance_m"].equals(by_distance["distance_m"])  # distance rules still see distance
    assert by_distance["monotony"].iloc[0] == pytest.approx(monotony_and_strain([0, 6000, 0, 7500, 6000, 0, 10500])[0])
    flags = find_flags(table, by_load, config_from_dict({"acwr": {"flag": True}}))
    (f,) = [f for f in flags if f.rule == "acwr_high"]
    assert f.severity == "info" and "Context only" in f.message
    assert not [f for f in flags if f.rule == "weekly_mileage_jump"]


@needs_real_runs
def test_real_run_with_heart_rate_and_running_dynamics():
    """A Garmin FR955 + Stryd run: TRIMP from its samples agrees with Banister's average-heart-rate form."""
    from hamstring_analyzer.ingest import load_runs
    from hamstring_analyzer.metrics.runs import runs_table

    export = load_runs(REAL_RUNS / "GoldenCheetah/test/roundtrip/Fr955v19.28andStryd.fit", use_cache=False, workers=1)
    cfg = config_from_dict({"load": {"method": "trimp"}, "runner": {"resting_heart_rate": 50, "max_heart_rate": 185}})
    (row,) = runs_table(export.runs, cfg).itertuples()
    assert row.has_running_dynamics and row.step_length_m == pytest.approx(1.18, abs=0.01)  # the sensor's, in m
    assert row.trimp == pytest.approx(78.7, abs=0.5) and row.load_by == "trimp"  # 52 min at 139 beats/min on average
    hrr = (row.avg_heart_rate_bpm - 50) / 135
    assert row.trimp == pytest.approx(row.moving_s / 60 * hrr * 0.64 * math.exp(1.92 * hrr), rel=0.03)
