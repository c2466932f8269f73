"""Each rule on constructed runs tables, its edges, and the sample export's story."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.config import Config, config_from_dict
from hamstring_analyzer.rules import RULES, find_flags, flags_frame
from hamstring_analyzer.runmetrics import PROFILE_COLUMNS
from hamstring_analyzer.weekly import weekly_summary


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


def test_a_run_known_only_from_its_summary_is_not_judged_on_cadence():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0, has_samples=True)
    rows[-1].update(cadence_spm=158.0, has_samples=False)  # a summary's average: walking and stops included
    assert flags_for(rows, rule="low_cadence") == []
    rows[-1]["has_samples"] = True  # the same number from samples is judged
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "alert" and f.run_id == rows[-1]["id"]


def test_no_cadence_no_cadence_flags():
    rows = steady_weeks(2, 30.0, cadence_spm=np.nan)
    assert flags_for(rows, rule="low_cadence") == []


WALK_RUN = dict(cadence_spm=150.0, speed_mps=1.6, running_share=0.16, running_speed_mps=1000 / 370, running_s=25 * 60)


def test_low_cadence_on_a_mostly_walking_run_says_so_and_quotes_the_running_pace():
    rows = steady_weeks(3, 30.0) + [run(19, 8.0, **WALK_RUN)]  # Sat 21 Mar, a hike with a few running stretches
    (f,) = flags_for(rows, rule="low_cadence")
    assert (f.run_id, f.severity, f.value) == ("run-19", "info", 150.0)  # 150 would be an alert on a run
    assert f.message == (
        "Sat 21 Mar, 8.0 km, mostly walking: only 16% of its moving time was running; in its running parts, "
        "at 6:10/km, median cadence 150 steps/min, below 175."
    )
    assert "10:25/km" not in f.message  # the whole outing's pace (1.6 m/s) is never quoted
    # Running speed unknown: no pace at all rather than the whole run's.
    rows[-1]["running_speed_mps"] = np.nan
    (f,) = flags_for(rows, rule="low_cadence")
    assert "in its running parts, median cadence 150 steps/min" in f.message and "/km" not in f.message
    assert f.severity == "info"


def test_low_cadence_needs_ten_minutes_of_running():
    rows = steady_weeks(1, 30.0) + [run(8, 5.0, **{**WALK_RUN, "running_s": 9 * 60})]
    assert flags_for(rows, rule="low_cadence") == []
    rows[-1].update(running_share=0.9, running_s=9 * 60)  # even when running all along
    assert flags_for(rows, rule="low_cadence") == []
    rows[-1]["running_s"] = 10 * 60
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "alert" and f.message.startswith("Tue 10 Mar, 5.0 km at 10:25/km: median cadence 150")


def test_low_cadence_when_the_running_share_is_unknown_or_high_is_as_before():
    rows = steady_weeks(3, 30.0, cadence_spm=178.0)
    rows[-1].update(cadence_spm=168.0, running_share=np.nan, running_speed_mps=2.5, running_s=np.nan)
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning" and "at 5:30/km: median cadence 168" in f.message and "walking" not in f.message
    rows[-1].update(running_share=0.8, running_s=1800.0)
    (f,) = flags_for(rows, rule="low_cadence")
    assert f.severity == "warning" and "at 5:30/km: median cadence 168" in f.message and "walking" not in f.message


def test_rule_texts_follow_the_evidence():
    jump, cad = RULES["weekly_mileage_jump"].source, RULES["low_cadence"]
    assert "30% over two weeks" in jump
    assert "Chumanov 2012 (Gait Posture 36:231)" in cad.source and "raised hamstring activity in late swing" in cad.source
    assert "Heiderscheit 2011 (MSSE 43:296)" in cad.source
    assert "more work for the hamstrings" not in cad.why and "not a hamstring fix" in cad.why
    assert "overstriding" in cad.why and "knee and hip" in cad.why
    assert "3 miles (4.83 km)" in RULES["speedwork_before_base"].source
    assert all("Chumanov 2011 (MSSE)" in RULES[r].source for r in ("speedwork_share", "fast_on_flat"))
    assert Config().base.speedwork_run_km == 4.83


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


#: The coupled 7:28-day ratio, the default before issue 15 (its arithmetic is what these tests pin down).
ROLLING = config_from_dict({"acwr": {"method": "rolling"}})


def test_acwr_high_on_a_spike():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 45.0, first_day=28)
    (f,) = flags_for(rows, ROLLING, rule="acwr_high")
    assert f.week_start == MON + dt.timedelta(days=28) and f.value >= 1.5 and f.unit == "ratio"
    assert f.severity == "info"  # context, not a warning (Impellizzeri 2020/2021)
    assert "rolling acute:chronic ratio" in f.message and "barely better than chance" in f.message
    (f,) = flags_for(rows, rule="acwr_high")  # the default: uncoupled
    assert "uncoupled acute:chronic ratio" in f.message
    cfg = config_from_dict({"acwr": {"severity": "warning"}})
    assert flags_for(rows, cfg, rule="acwr_high")[0].severity == "warning"


def sunday_spike() -> list[dict]:
    """Four steady 20 km weeks (Tue, Thu, Fri, Sun), then a 25 km Sunday (day 34): 38 of 98 km in 7 days."""
    rows = steady_weeks(4, 20.0) + [run(29, 4.0), run(31, 5.0), run(32, 4.0), run(34, 25.0)]
    return rows + [run(38, 4.0), run(39, 4.0)]  # a light week after, no run on Monday (day 35)


def test_acwr_sunday_spike_carried_into_monday_is_flagged_once():
    rows = sunday_spike()
    table = pd.DataFrame(rows)
    weeks = weekly_summary(table, "rolling")
    # the setting: Monday's ratio equals Sunday's (no run on either day that leaves the windows) ...
    assert weeks.loc[MON + dt.timedelta(days=35), "acwr_peak_date"] == MON + dt.timedelta(days=35)
    assert weeks.loc[MON + dt.timedelta(days=35), "acwr_peak"] == pytest.approx(weeks.loc[MON + dt.timedelta(days=28), "acwr_peak"])
    # ... but it is one spike: flagged on the Sunday only.
    (f,) = flags_for(rows, ROLLING, rule="acwr_high")
    assert (f.date, f.week_start, f.value) == (MON + dt.timedelta(days=34), MON + dt.timedelta(days=28), pytest.approx(38 / 24.5))
    assert "on 5 Apr your last 7 days (38.0 km) were 1.55 times your 4-week load (rolling acute:chronic ratio)" in f.message


def test_acwr_new_spike_the_next_week_is_still_flagged():
    rows = sunday_spike()[:-2] + [run(37, 20.0)]  # Wednesday after: another big run, the ratio climbs again
    flags = flags_for(rows, ROLLING, rule="acwr_high")
    assert [f.date for f in flags] == [MON + dt.timedelta(days=37), MON + dt.timedelta(days=34)]
    assert flags[0].value == pytest.approx(54 / 28.5)
    # A run on the Monday is new load too: its (higher) ratio is a new flag.
    rows = sunday_spike()[:-2] + [run(35, 3.0)]
    assert [f.date for f in flags_for(rows, ROLLING, rule="acwr_high")] == [MON + dt.timedelta(days=35), MON + dt.timedelta(days=34)]


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


FLAG_FIELDS = ["rule", "severity", "week_start", "date", "run_id", "value", "threshold", "unit", "message", "doubtful", "doubt"]


def test_every_flag_has_the_contract_fields_and_a_known_rule():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 30.0, first_day=14, cadence_spm=165.0)
    flags = flags_for(rows)
    for f in flags:
        d = f.to_dict()
        assert list(d) == FLAG_FIELDS
        assert d["rule"] in RULES and d["severity"] in {"info", "warning", "alert"}
        assert dt.date.fromisoformat(d["week_start"]).weekday() == 0
        assert d["doubtful"] is False and d["doubt"] is None
    assert list(flags_frame(flags).columns) == FLAG_FIELDS and len(flags_frame(flags)) == len(flags)


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


def test_weekly_flags_rest_on_the_week_and_the_week_before():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 27.0, first_day=14)
    suspect(rows[7])  # Sun 15 Mar: the week compared against
    (f,) = flags_for(rows, rule="weekly_mileage_jump")
    assert f.doubtful and f.doubt == f"rests on Sun 15 Mar 2026 ({GPS})"
    assert f.severity == "alert"  # the flag itself is unchanged
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 27.0, first_day=14)
    suspect(rows[3])  # Sun 8 Mar: two weeks before, not used
    (f,) = flags_for(rows, rule="weekly_mileage_jump")
    assert (f.doubtful, f.doubt) == (False, None)
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 27.0, first_day=14)
    suspect(rows[9], "recording left running for 5 h")
    suspect(rows[10], None)
    (f,) = flags_for(rows, rule="weekly_mileage_jump")
    assert f.doubt == "rests on Thu 19 Mar 2026 (recording left running for 5 h) and Fri 20 Mar 2026 (doubtful data)"
    rows = steady_weeks(1, 30.0)
    rows[1]["fast_m"] = 7000.0
    suspect(rows[3], "an implausible speed")
    (f,) = flags_for(rows, rule="speedwork_share")
    assert f.doubt == "rests on Sun 8 Mar 2026 (an implausible speed)"


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
    assert not flags_for(rows, ROLLING, rule="acwr_high")[0].doubtful
    for i in (4, 5, 6, 7, 8):  # five runs from Tue 10 Mar on
        suspect(rows[i])
    (f,) = flags_for(rows, ROLLING, rule="acwr_high")
    assert f.doubt == (
        f"rests on Tue 10 Mar 2026 ({GPS}), Thu 12 Mar 2026 ({GPS}), Fri 13 Mar 2026 ({GPS}) and 2 more doubtful runs"
    )


def test_tables_without_the_quality_columns_have_no_doubtful_flags():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 27.0, first_day=14, cadence_spm=165.0)
    cols = ["suspect", "suspect_reason", "running_share", "running_speed_mps", "running_s"]
    table = pd.DataFrame(rows).drop(columns=cols)
    flags = find_flags(table, weekly_summary(table))
    assert {f.rule for f in flags} == {"weekly_mileage_jump", "low_cadence"}
    assert not any(f.doubtful for f in flags)
    assert len([f for f in flags if f.rule == "low_cadence"]) == 4  # no running_s column: judged as before


def test_flags_are_newest_first():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 30.0, first_day=14, cadence_spm=165.0)
    dates = [f.date for f in flags_for(rows)]
    assert dates == sorted(dates, reverse=True)


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


# ------------------------------------------------------- single-run spike --


def spike_flags(rows, config=None):
    return flags_for(rows, config, rule="single_run_spike")


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


# ----------------------------------------------------------- injury history --


class Entry:
    """A symptom-log entry (only what the rules read)."""

    def __init__(self, day: int, severity: int):
        self.date, self.severity = MON + dt.timedelta(days=day), severity


def test_recent_symptoms_raise_load_flags_one_step_and_say_why():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 23.0, first_day=14, cadence_spm=165.0)  # +15%: a warning
    table = pd.DataFrame(rows)
    weeks = weekly_summary(table)
    plain = {f.rule: f for f in find_flags(table, weeks)}
    assert plain["weekly_mileage_jump"].severity == "warning"
    day = (plain["weekly_mileage_jump"].date - MON).days  # the Sunday the week crossed +10%
    raised = {f.rule: f for f in find_flags(table, weeks, symptoms=[Entry(day - 56, 5)])}  # 56 days before: still in
    assert raised["weekly_mileage_jump"].severity == "alert"
    raised = {f.rule: f for f in find_flags(table, weeks, symptoms=[Entry(10, 4)])}  # pain 4/10 on Thu 12 Mar
    jump = raised["weekly_mileage_jump"]
    assert jump.severity == "alert" and jump.value == plain["weekly_mileage_jump"].value
    assert jump.message.endswith(
        "Raised from warning to alert: you logged hamstring symptoms (up to 4/10, last on 12 Mar), and a recent "
        "hamstring problem is the strongest known predictor of the next one (Green 2020)."
    )
    assert jump.to_dict()["severity"] == "alert"
    assert raised["low_cadence"].severity == plain["low_cadence"].severity  # form, not load: unchanged
    # too mild (2/10), too long ago (more than 56 days), or on the flag's own day: unchanged
    for entry in (Entry(10, 2), Entry(day - 57, 5), Entry(day, 6)):
        assert {f.rule: f.severity for f in find_flags(table, weeks, symptoms=[entry])}["weekly_mileage_jump"] == "warning"
    cfg = config_from_dict({"injury_history": {"window_days": 0}})
    assert {f.rule: f.severity for f in find_flags(table, weeks, cfg, symptoms=[Entry(10, 4)])}["weekly_mileage_jump"] == "warning"
    # an alert stays an alert
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 27.0, first_day=14)
    table = pd.DataFrame(rows)
    assert {f.rule: f.severity for f in find_flags(table, weekly_summary(table), symptoms=[Entry(10, 4)])}["weekly_mileage_jump"] == "alert"


def test_the_registry_holds_every_rule_with_its_facts():
    from hamstring_analyzer.config import Config as C

    sections = set(C.__dataclass_fields__)
    assert list(RULES) == [
        "weekly_mileage_jump", "single_run_spike", "layoff_return", "acwr_high", "flat_long_run", "hills_before_base",
        "speedwork_share", "speedwork_before_base", "fast_on_flat", "low_cadence", "late_run_fatigue", "overstride",
    ]  # fmt: skip
    for r in RULES.values():
        assert r.title and r.why and r.source and r.section in sections and r.level in {"run", "week"}
        assert r.func.__doc__, r.id
    assert {r.id for r in RULES.values() if r.load} == {"weekly_mileage_jump", "single_run_spike", "layoff_return", "speedwork_share"}
    assert "Frandsen" in RULES["single_run_spike"].source and "Impellizzeri" in RULES["acwr_high"].source


# ----------------------------------------------------------------- overstride --


def test_overstride_against_the_runners_own_step_length_at_that_speed():
    rows = steady_weeks(3, 30.0, has_running_dynamics=True, step_length_m=1.00)
    rows[-1]["step_length_m"] = 1.10  # +10% at the same speed
    (f,) = flags_for(rows, rule="overstride")
    assert (f.run_id, f.severity, f.value, f.threshold, f.unit) == (rows[-1]["id"], "warning", pytest.approx(10.0), 8.0, "%")
    assert f.message.startswith("Sun 22 Mar, 10.5 km at 5:30/km: median step length 110 cm, 10% longer than your own 100 cm at this pace")
    rows[-1]["step_length_m"] = 1.20
    assert flags_for(rows, rule="overstride")[0].severity == "alert"
    rows[-1]["step_length_m"] = 1.05
    assert flags_for(rows, rule="overstride") == []


def test_no_running_dynamics_no_overstride_flag():
    rows = steady_weeks(3, 30.0, has_running_dynamics=False, step_length_m=1.00)
    rows[-1]["step_length_m"] = 1.30  # estimated from speed / cadence: not a sensor's, not judged
    assert flags_for(rows, rule="overstride") == []
    rows = steady_weeks(1, 30.0, has_running_dynamics=True, step_length_m=1.00)
    rows[-1]["step_length_m"] = 1.30  # too few other runs at this speed to know "your own"
    assert flags_for(rows, rule="overstride") == []
    table = pd.DataFrame(steady_weeks(3, 30.0)).drop(columns=["has_running_dynamics"])  # an older table
    assert [f for f in find_flags(table, weekly_summary(table)) if f.rule == "overstride"] == []


# -------------------------------------------------------------- manual runs --


def test_manual_runs_with_rpe_only_count_by_distance_and_are_not_judged_on_samples():
    rows = steady_weeks(6, 30.0)
    manual = run(43, 14.0, has_samples=False, rpe=6.0, cadence_spm=np.nan, speed_mps=np.nan, climb_per_km=np.nan,
                 fast_m=np.nan, step_length_m=np.nan, moving_s=80 * 60, sources="strava:manual")  # fmt: skip
    flags = flags_for(rows + [manual])
    assert {f.rule for f in flags if f.run_id == "run-43"} == {"single_run_spike"}  # distance is known: judged
    assert not [f for f in flags if f.rule in {"low_cadence", "flat_long_run", "fast_on_flat", "overstride"} and f.run_id == "run-43"]


def test_manual_runs_are_left_out_of_the_fast_share_and_said_so():
    from hamstring_analyzer.report_text import unsampled_note

    rows = steady_weeks(1, 30.0)
    rows[1]["fast_m"] = 6500.0  # 21.7% of 30 km
    (f,) = flags_for(rows, rule="speedwork_share")
    assert f.value == pytest.approx(21.67, abs=0.01)
    manual = run(5, 10.0, has_samples=False, fast_m=0.0, cadence_spm=np.nan, rpe=5.0)  # a manual Saturday 10 km
    for r in rows:
        r["has_samples"] = True
    (f,) = flags_for(rows + [manual], rule="speedwork_share")
    assert f.value == pytest.approx(21.67, abs=0.01)  # not 16%: the manual 10 km has no pace to judge
    assert "The week's 10.0 km of manual entries (no samples) are left out" in f.message
    table = pd.DataFrame(rows + [manual])
    assert weekly_summary(table)["unsampled_m"].iloc[0] == 10000
    assert unsampled_note(table).startswith("1 run is a manual entry without samples: counted in distance and load")
    assert unsampled_note(pd.DataFrame(rows)) == ""


def test_a_spike_measured_against_a_doubtful_run_is_doubtful():
    rows = steady_weeks(6, 30.0) + [run(43, 12.0)]
    assert not spike_flags(rows)[0].doubtful
    suspect(rows[-2], "GPS jumps: 6.1 of 16.6 km recorded were removed")  # Sun 12 Apr, the 10.5 km it is measured against
    (f,) = spike_flags(rows)
    assert f.doubtful and f.doubt == "rests on Sun 12 Apr 2026 (GPS jumps: 6.1 of 16.6 km recorded were removed)"
