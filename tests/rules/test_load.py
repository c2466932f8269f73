"""Load rules (rules/load.py): the weekly jump, the single-run spike, the layoff return and the acute:chronic ratio."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from hamstring_analyzer.config import Config, config_from_dict
from hamstring_analyzer.metrics.weekly import weekly_summary

from .helpers import (
    MON,
    flags_for,
    run,
    spike_flags,
    steady_weeks,
    sunday_spike,
)

# ------------------------------------------------------------ weekly jump --


def test_weekly_jump_is_judged_against_the_4_week_average_and_8_week_high():
    base = steady_weeks(4, 20.0)
    # +15% on the week before, but only 3 km above the 8-week high: less than one ordinary run (about 4-7 km)
    assert flags_for(base + steady_weeks(1, 23.0, first_day=28), rule="weekly_mileage_jump") == []
    (f,) = flags_for(base + steady_weeks(1, 27.0, first_day=28), rule="weekly_mileage_jump")
    assert (f.severity, f.week_start, f.value, f.threshold, f.unit) == ("warning", dt.date(2026, 3, 30), pytest.approx(35.0), 10.0, "%")
    assert f.run_id is None
    assert f.facts["high_m"] == 20000 and f.facts["avg4_m"] == 20000 and f.facts["ordinary_m"] == pytest.approx(4500)
    assert f.message.startswith("Week of 30 Mar: 27.0 km (up 35% on the week before, 20.0 km), above your high of the last 4 weeks")
    assert "the week-on-week change alone predicts little" in f.message
    assert f.date == dt.date(2026, 4, 5)  # the Sunday run took the week past the 20 km high
    # far above the 8-week high: the rule's own verdict is alert, capped at warning (coaching practice)
    (f,) = flags_for(base + steady_weeks(1, 30.0, first_day=28), rule="weekly_mileage_jump")
    assert f.severity == "warning" and f.facts["uncapped"] == "alert"


def test_weekly_jump_back_to_an_earlier_high_is_not_a_jump():
    # a light week, then back to the usual: the week before says +100%, the 8-week high says nothing new
    rows = steady_weeks(3, 30.0) + steady_weeks(1, 15.0, first_day=21) + steady_weeks(1, 30.0, first_day=28)
    assert flags_for(rows, rule="weekly_mileage_jump") == []


def test_weekly_jump_ignores_tiny_weeks():
    # 3.5 km to 17.5 km is +400%, but a 17.5 km week is below min_week_km (20): no percentage of a tiny week
    rows = [run(1, 3.5), run(8, 3.5), run(15, 3.5)] + steady_weeks(1, 17.5, first_day=21)
    assert flags_for(rows, rule="weekly_mileage_jump") == []


def test_weekly_jump_in_miles():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 27.0, first_day=28)
    (f,) = flags_for(rows, Config(units="mi"), rule="weekly_mileage_jump")
    assert f.message.startswith("Week of 30 Mar: 16.8 mi (up 35% on the week before, 12.4 mi)")


def test_week_after_an_empty_week_is_judged_against_the_weeks_before_it():
    # week 4 empty (8 days off: no layoff); back to the usual 20 km is nothing, 30 km is above the high
    assert flags_for(steady_weeks(3, 20.0) + steady_weeks(1, 20.0, first_day=28), rule="weekly_mileage_jump") == []
    (f,) = flags_for(steady_weeks(3, 20.0) + steady_weeks(1, 30.0, first_day=28), rule="weekly_mileage_jump")
    assert f.facts["high_m"] == 20000 and "the week before" not in f.message  # no percentage of an empty week


def test_an_exports_first_weeks_are_not_judged():
    # 10 km, 10 km, then 30 km in week 3: the export may start in the middle of a runner's season
    rows = steady_weeks(2, 10.0) + steady_weeks(1, 30.0, first_day=14)
    assert flags_for(rows, rule="weekly_mileage_jump") == []


def test_thresholds_come_from_config():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 27.0, first_day=28)
    cfg = config_from_dict({"weekly_mileage_jump": {"warn_pct": 40, "alert_pct": 60}})
    assert flags_for(rows, cfg, rule="weekly_mileage_jump") == []
    cfg = config_from_dict({"weekly_mileage_jump": {"min_week_km": 30}})
    assert flags_for(rows, cfg, rule="weekly_mileage_jump") == []

# ------------------------------------------------------------------ layoffs --


def test_layoff_return_after_10_28_and_120_days():
    before = steady_weeks(4, 30.0)  # last run on day 27 (Sunday)
    back = lambda first, kms: [run(first + i, k) for i, k in enumerate(kms)]  # noqa: E731
    # 14 days off (days 28-41), back on day 42 with 25 km in 7 days: above 70% of 30 (21).
    (f,) = flags_for(before + back(42, [8, 8, 9]), rule="layoff_return")
    # 19% over the allowance: info (a warning needs more than 25% over)
    assert (f.severity, f.date, f.value, f.threshold, f.unit) == ("info", MON + dt.timedelta(days=42), 25000, pytest.approx(21000), "m")
    assert "after 14 days without running" in f.message and "70% of your pre-break 30.0 km a week" in f.message
    assert flags_for(before + back(42, [7, 7, 6]), rule="layoff_return") == []
    # 35 days off: 60% (18 km).
    (f,) = flags_for(before + back(63, [7, 7, 6]), rule="layoff_return")
    assert f.threshold == pytest.approx(18000) and "60%" in f.message
    # 130 days off: start from scratch (10 km).
    (f,) = flags_for(before + back(158, [6, 6]), config_from_dict({"layoff_return": {"min_allowance_runs": 0}}), rule="layoff_return")
    assert f.threshold == 10000 and "start from scratch" in f.message
    # ... but never below two ordinary running days of this runner (6.75 km each)
    assert flags_for(before + back(158, [6, 6]), rule="layoff_return") == []
    (f,) = flags_for(before + back(158, [8, 8]), rule="layoff_return")
    assert f.threshold == pytest.approx(13500)
    # More than the old weekly average: the rule says alert; coaching-practice evidence caps it at warning.
    (f,) = flags_for(before + back(42, [10, 10, 12]), rule="layoff_return")
    assert f.severity == "warning" and f.facts["uncapped"] == "alert"
    # 9 days off is no layoff.
    assert flags_for(before + back(37, [10, 10, 12]), rule="layoff_return") == []


def test_layoff_allowance_is_never_below_two_ordinary_runs_and_small_overs_are_info():
    # 5 km a week before the break (one 5 km run a week): 70% would be 3.5 km, less than one run
    before = [run(7 * w + 6, 5.0) for w in range(6)]
    (f,) = flags_for(before + [run(55, 5.0), run(57, 5.0), run(59, 4.5)], rule="layoff_return")
    assert f.threshold == pytest.approx(10000) and "about two ordinary runs of yours (10.0 km)" in f.message
    assert f.severity == "warning"
    # 12 km: over the 10 km floor by more than min_over_km, by less than 25%, but more than a whole week before
    # the break (5 km): a warning
    (f,) = flags_for(before + [run(55, 6.0), run(57, 6.0)], rule="layoff_return")
    assert f.severity == "warning"
    # 10.5 km: within min_over_km (1 km) of the allowance, a few hundred metres are GPS error: no flag
    assert flags_for(before + [run(55, 5.5), run(57, 5.0)], rule="layoff_return") == []


def test_pre_break_average_counts_only_the_weeks_run():
    # 30 km a week, then a 2-week hole, then one week of 30 km, then the break: the base is 30, not 15
    rows = steady_weeks(2, 30.0) + steady_weeks(1, 30.0, first_day=28)  # days 0-13, 28-34; off 14-27
    f = flags_for(rows + [run(46 + i, 8) for i in range(3)], rule="layoff_return")[0]  # the second return
    assert f.date == MON + dt.timedelta(days=46) and f.facts["pre_avg_m"] == pytest.approx(30000)


def test_no_acwr_flag_while_the_chronic_window_holds_a_break():
    before = steady_weeks(4, 30.0)
    rows = before + [run(42 + i, 10) for i in range(4)]
    flags = flags_for(rows, ACWR_ON)
    assert [f.rule for f in flags if f.rule in {"acwr_high", "layoff_return"}] == ["layoff_return"]


def test_acwr_is_a_column_not_a_flag_unless_asked():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 45.0, first_day=28)
    assert flags_for(rows, rule="acwr_high") == []
    assert flags_for(rows, ACWR_ON, rule="acwr_high")


#: acute:chronic flags back on (they are a weekly column by default).
ACWR_ON = config_from_dict({"acwr": {"flag": True}})
ACWR_ON_ROLLING = config_from_dict({"acwr": {"flag": True, "method": "rolling"}})


def test_acwr_high_on_a_spike():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 45.0, first_day=28)
    (f,) = flags_for(rows, ACWR_ON_ROLLING, rule="acwr_high")
    assert f.week_start == MON + dt.timedelta(days=28) and f.value >= 1.5 and f.unit == "ratio"
    assert f.severity == "info"  # context, not a warning (Impellizzeri 2020/2021)
    assert "rolling acute:chronic ratio" in f.message and "barely better than chance" in f.message
    (f,) = flags_for(rows, ACWR_ON, rule="acwr_high")  # the default: uncoupled
    assert "uncoupled acute:chronic ratio" in f.message
    cfg = config_from_dict({"acwr": {"flag": True, "severity": "warning"}})
    assert flags_for(rows, cfg, rule="acwr_high")[0].severity == "warning"


def test_acwr_sunday_spike_carried_into_monday_is_flagged_once():
    rows = sunday_spike()
    table = pd.DataFrame(rows)
    weeks = weekly_summary(table, "rolling")
    # the setting: Monday's ratio equals Sunday's (no run on either day that leaves the windows) ...
    assert weeks.loc[MON + dt.timedelta(days=35), "acwr_peak_date"] == MON + dt.timedelta(days=35)
    assert weeks.loc[MON + dt.timedelta(days=35), "acwr_peak"] == pytest.approx(weeks.loc[MON + dt.timedelta(days=28), "acwr_peak"])
    # ... but it is one spike: flagged on the Sunday only.
    (f,) = flags_for(rows, ACWR_ON_ROLLING, rule="acwr_high")
    assert (f.date, f.week_start, f.value) == (MON + dt.timedelta(days=34), MON + dt.timedelta(days=28), pytest.approx(38 / 24.5))
    assert "on 5 Apr your last 7 days (38.0 km) were 1.55 times your 4-week load (rolling acute:chronic ratio)" in f.message


def test_acwr_new_spike_the_next_week_is_still_flagged():
    rows = sunday_spike()[:-2] + [run(37, 20.0)]  # Wednesday after: another big run, the ratio climbs again
    flags = flags_for(rows, ACWR_ON_ROLLING, rule="acwr_high")
    assert [f.date for f in flags] == [MON + dt.timedelta(days=37), MON + dt.timedelta(days=34)]
    assert flags[0].value == pytest.approx(54 / 28.5)
    # A run on the Monday is new load too: its (higher) ratio is a new flag.
    rows = sunday_spike()[:-2] + [run(35, 3.0)]
    assert [f.date for f in flags_for(rows, ACWR_ON_ROLLING, rule="acwr_high")] == [MON + dt.timedelta(days=35), MON + dt.timedelta(days=34)]

# ------------------------------------------------------- single-run spike --


def test_single_run_spike_warns_above_10_and_alerts_above_100_percent():
    rows = steady_weeks(6, 30.0)  # the longest run: 10.5 km every Sunday
    assert spike_flags(rows) == []
    assert spike_flags(rows + [run(43, 11.55)]) == []  # exactly +10%: not "above"
    (f,) = spike_flags(rows + [run(43, 11.6)])
    assert (f.severity, f.run_id, f.date, f.value, f.threshold, f.unit) == ("warning", "run-43", MON + dt.timedelta(days=43), pytest.approx(10.476, abs=0.001), 10.0, "%")
    assert f.message == (
        "Tue 14 Apr, 11.6 km: 10.5% longer than your longest run of the 30 days before (10.5 km on 12 Apr). "
        "In a study of 5,205 runners, a run more than 10% longer than the month's longest went with more overuse injuries."
    )
    (f,) = spike_flags(rows + [run(43, 21.0)])  # exactly double: still a warning
    assert f.severity == "warning" and f.value == pytest.approx(100.0)
    (f,) = spike_flags(rows + [run(43, 21.5)])
    assert f.severity == "alert" and "More than 100% longer went with 2.28 times the injury rate." in f.message
    (f,) = spike_flags(rows + [run(43, 21.5)], Config(units="mi"))
    assert f.message.startswith("Tue 14 Apr, 13.4 mi: 105% longer than your longest run of the 30 days before (6.5 mi on 12 Apr).")


def test_single_run_spike_looks_back_30_days_only():
    rows = steady_weeks(6, 30.0) + [run(46, 20.0)] + steady_weeks(5, 30.0, first_day=49)  # Fri 17 Apr: 20 km, a spike
    rows += [run(77, 12.0)]  # 31 days later the 20 km is out of the window: 12 km against the Sundays' 10.5 km
    flags = {f.run_id: f for f in spike_flags(rows)}
    assert set(flags) == {"run-46", "run-77"}
    assert flags["run-77"].facts["longest_m"] == 10500 and flags["run-77"].value == pytest.approx(100 * (12 / 10.5 - 1))


def test_single_run_spike_after_a_layoff_is_left_to_layoff_return():
    rows = steady_weeks(6, 30.0) + [run(56, 14.0), run(58, 16.0)]  # 14 days off, then 14 km (+33%) and 16 km
    spikes = spike_flags(rows)
    assert [f.run_id for f in spikes] == ["run-58"]  # the first run back is judged once, by layoff_return
    assert spikes[0].facts["longest_m"] == 14000  # ... but it counts for the runs after it
    assert [f.rule for f in flags_for(rows) if f.date == MON + dt.timedelta(days=56)] == ["layoff_return"]


def test_single_run_spike_needs_a_run_and_a_known_month_before():
    # No run in the 30 days before (a 35-day gap that the config does not call a layoff): nothing to compare with.
    cfg = config_from_dict({"layoff_return": {"min_gap_days": 60, "long_gap_days": 60, "restart_gap_days": 120}})
    rows = steady_weeks(6, 30.0) + [run(41 + 36, 20.0)]
    assert spike_flags(rows, cfg) == []
    # The history's first 30 days: the month before is not known, so not judged.
    rows = steady_weeks(4, 20.0)  # the first run on Tue 3 Mar (day 1); 7 km on Sundays
    assert spike_flags(rows + [run(30, 15.0)]) == []  # 29 days after the first run: not judged
    assert [f.run_id for f in spike_flags(rows + [run(31, 15.0)])] == ["run-31"]  # 30 days after: judged
