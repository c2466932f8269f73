"""Each rule on constructed runs tables, its edges, and the sample export's story."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.config import Config, config_from_dict
from hamstring_analyzer.rules import RULES, find_flags
from hamstring_analyzer.runmetrics import PROFILE_COLUMNS
from hamstring_analyzer.weekly import weekly_summary

from .conftest import SAMPLE_RUNS

MON = dt.date(2026, 3, 2)  # a Monday


def run(day: int, km: float, **kw) -> dict:
    """A row of a runs table: ``day`` counts from Monday 2 March 2026."""
    d = MON + dt.timedelta(days=day)
    row = {c: np.nan for c in PROFILE_COLUMNS}
    row.update(
        id=f"run-{day}", source=f"run-{day}.fit", local_date=d, week_start=d - dt.timedelta(days=d.weekday()),
        distance_m=km * 1000, moving_s=km * 330, climb_m=km * 12, climb_per_km=12.0, indoor=False,
        sub_sport="generic", cadence_spm=178.0, speed_mps=3.03, speed_reliable=True,
        late_drop_pace_corrected=True, has_intervals=False, fast_m=0.0, fast_by="pace",
    )  # fmt: skip
    row.update(kw)
    if "climb_per_km" in kw:
        row["climb_m"] = kw["climb_per_km"] * km
    return row


def flags_for(rows, config: Config | None = None, rule: str | None = None):
    table = pd.DataFrame(rows)
    weeks = weekly_summary(table, (config or Config()).acwr.method)
    flags = find_flags(table, weeks, config)
    return [f for f in flags if rule is None or f.rule == rule]


def steady_weeks(n: int, km: float = 30.0, first_day: int = 0, **kw) -> list[dict]:
    """``n`` weeks of four runs (Tue, Thu, Fri, Sun) adding up to ``km`` each."""
    rows = []
    for w in range(n):
        for d, share in ((1, 0.2), (3, 0.25), (4, 0.2), (6, 0.35)):
            rows.append(run(first_day + 7 * w + d, km * share, **kw))
    return rows


# ------------------------------------------------------------ weekly jump --


def test_weekly_jump_warns_above_10_and_alerts_above_30_percent():
    base = steady_weeks(2, 20.0)
    assert flags_for(base + steady_weeks(1, 21.9, first_day=14), rule="weekly_mileage_jump") == []
    (f,) = flags_for(base + steady_weeks(1, 23.0, first_day=14), rule="weekly_mileage_jump")
    assert (f.severity, f.week_start, f.value, f.threshold, f.unit) == ("warning", dt.date(2026, 3, 16), pytest.approx(15.0), 10.0, "%")
    assert f.run_id is None
    assert f.message == "Week of 16 Mar: 23.0 km, up 15% on the week before (20.0 km); the usual advice is at most 10%."
    assert f.date == dt.date(2026, 3, 22)  # the Sunday run took the week past 22 km
    (f,) = flags_for(base + steady_weeks(1, 27.0, first_day=14), rule="weekly_mileage_jump")
    assert f.severity == "alert" and f.value == pytest.approx(35.0)


def test_weekly_jump_in_miles():
    rows = steady_weeks(1, 20.0) + steady_weeks(1, 27.0, first_day=7)
    (f,) = flags_for(rows, Config(units="mi"), rule="weekly_mileage_jump")
    assert f.message.startswith("Week of 9 Mar: 16.8 mi, up 35% on the week before (12.4 mi)")


def test_week_after_an_empty_week_is_a_return_not_a_jump():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 30.0, first_day=21)  # week 3 empty
    assert flags_for(rows, rule="weekly_mileage_jump") == []


def test_back_to_usual_after_a_light_week_is_info():
    rows = steady_weeks(2, 30.0) + steady_weeks(1, 15.0, first_day=14) + steady_weeks(1, 30.0, first_day=21)
    (f,) = flags_for(rows, rule="weekly_mileage_jump")
    assert f.severity == "info" and "no more than your 30.0 km" in f.message


def test_thresholds_come_from_config():
    rows = steady_weeks(1, 20.0) + steady_weeks(1, 23.0, first_day=7)
    cfg = config_from_dict({"weekly_mileage_jump": {"warn_pct": 20, "alert_pct": 40}})
    assert flags_for(rows, cfg, rule="weekly_mileage_jump") == []


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


def test_no_cadence_no_cadence_flags():
    rows = steady_weeks(2, 30.0, cadence_spm=np.nan)
    assert flags_for(rows, rule="low_cadence") == []


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


# ------------------------------------------------------------------ layoffs --


def test_layoff_return_after_10_28_and_120_days():
    before = steady_weeks(4, 30.0)  # last run on day 27 (Sunday)
    back = lambda first, kms: [run(first + i, k) for i, k in enumerate(kms)]  # noqa: E731
    # 14 days off (days 28-41), back on day 42 with 25 km in 7 days: above 70% of 30 (21).
    (f,) = flags_for(before + back(42, [8, 8, 9]), rule="layoff_return")
    assert (f.severity, f.date, f.value, f.threshold, f.unit) == ("warning", MON + dt.timedelta(days=42), 25000, pytest.approx(21000), "m")
    assert "after 14 days without running" in f.message and "70% of your pre-break 30.0 km a week" in f.message
    assert flags_for(before + back(42, [7, 7, 6]), rule="layoff_return") == []
    # 35 days off: 60% (18 km).
    (f,) = flags_for(before + back(63, [7, 7, 6]), rule="layoff_return")
    assert f.threshold == pytest.approx(18000) and "60%" in f.message
    # 130 days off: start from scratch (10 km).
    (f,) = flags_for(before + back(158, [6, 6]), rule="layoff_return")
    assert f.threshold == 10000 and "start from scratch" in f.message
    # More than the old weekly average: alert.
    assert flags_for(before + back(42, [10, 10, 12]), rule="layoff_return")[0].severity == "alert"
    # 9 days off is no layoff.
    assert flags_for(before + back(37, [10, 10, 12]), rule="layoff_return") == []


def test_no_acwr_flag_while_the_chronic_window_holds_a_break():
    before = steady_weeks(4, 30.0)
    rows = before + [run(42 + i, 10) for i in range(4)]
    flags = flags_for(rows)
    assert [f.rule for f in flags if f.rule in {"acwr_high", "layoff_return"}] == ["layoff_return"]
    assert "acute:chronic load ratio reached" in flags_for(rows, rule="layoff_return")[0].message


def test_acwr_high_on_a_spike():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 45.0, first_day=28)
    (f,) = flags_for(rows, rule="acwr_high")
    assert f.week_start == MON + dt.timedelta(days=28) and f.value >= 1.5 and f.unit == "ratio"
    cfg = config_from_dict({"acwr": {"method": "uncoupled"}})
    assert "uncoupled" in flags_for(rows, cfg, rule="acwr_high")[0].message


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


# -------------------------------------------------------------------- edges --


def test_one_run_only_and_no_runs():
    assert flags_for([run(0, 5.0)]) == []
    assert find_flags(pd.DataFrame(columns=PROFILE_COLUMNS), weekly_summary(pd.DataFrame(columns=PROFILE_COLUMNS))) == []


def test_every_flag_has_the_contract_fields_and_a_known_rule():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 30.0, first_day=14, cadence_spm=165.0)
    for f in flags_for(rows):
        d = f.to_dict()
        assert set(d) == {"rule", "severity", "week_start", "date", "run_id", "value", "threshold", "unit", "message"}
        assert d["rule"] in RULES and d["severity"] in {"info", "warning", "alert"}
        assert dt.date.fromisoformat(d["week_start"]).weekday() == 0


def test_flags_are_newest_first():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 30.0, first_day=14, cadence_spm=165.0)
    dates = [f.date for f in flags_for(rows)]
    assert dates == sorted(dates, reverse=True)


# ------------------------------------------------------------ sample story --

STORY = {
    ("weekly_mileage_jump", "2026-06-14", "alert"),
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
def sample_analysis():
    return analyze(SAMPLE_RUNS, use_cache=False, workers=2)


def test_sample_runs_flags_exactly_the_story(sample_analysis):
    got = {(f.rule, f.date.isoformat(), f.severity) for f in sample_analysis.flags}
    assert got == STORY
    quiet = {dt.date(2026, 5, 4) + dt.timedelta(weeks=w - 1) for w in (1, 2, 3, 4, 5, 7, 9, 11, 13, 14, 16, 17, 18, 19, 20, 21, 22)}
    assert not [f for f in sample_analysis.flags if f.week_start in quiet]


def test_sample_runs_numbers_behind_the_flags(sample_analysis):
    weeks = sample_analysis.weeks
    w8 = weeks.loc[dt.date(2026, 6, 22)]
    assert w8["fast_m"] == pytest.approx(12661, rel=0.02)  # 8 x 800 m + 6 x 1000 m = 12.4 km of reps
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
    assert part.weeks.index[0] == dt.date(2026, 6, 29)
    # history before `since` still counts: the low-cadence comparison uses the runner's earlier runs
    assert any("you usually run 177" in f.message for f in part.flags if f.rule == "low_cadence")
    doc = part.to_dict()
    assert {r["id"] for r in doc["runs"]} == set(part.runs["id"])
    with pytest.raises(ValueError, match="after"):
        analyze(export, since=dt.date(2026, 8, 1), until=dt.date(2026, 7, 1))


def test_flag_values_are_finite(sample_analysis):
    assert all(math.isfinite(f.value) and math.isfinite(f.threshold) for f in sample_analysis.flags)
