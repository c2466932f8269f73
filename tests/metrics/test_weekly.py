"""Weekly frame and acute:chronic ratio on constructed and real histories."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.metrics.runs import runs_table
from hamstring_analyzer.metrics.weekly import acwr, weekly_summary

from ..conftest import SAMPLE_RUNS, needs_real_runs


def _runs(rows):
    frame = pd.DataFrame(rows, columns=["local_date", "distance_m"])
    frame["week_start"] = [d - dt.timedelta(days=d.weekday()) for d in frame["local_date"]]
    frame["moving_s"] = frame["distance_m"] / 3.0
    frame["climb_m"] = np.nan
    frame["cadence_spm"] = np.nan
    frame["id"] = range(len(frame))
    return frame


def test_empty_weeks_are_zero_rows_and_change_is_against_the_week_before():
    runs = _runs([(dt.date(2026, 3, 2), 10000), (dt.date(2026, 3, 9), 12000), (dt.date(2026, 3, 25), 5000)])
    weeks = weekly_summary(runs)
    assert list(weeks.index) == [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16), dt.date(2026, 3, 23)]
    assert weeks["distance_m"].tolist() == [10000, 12000, 0, 5000]
    assert weeks["runs"].tolist() == [1, 1, 0, 1]
    assert weeks["change_pct"].iloc[1] == pytest.approx(20.0)
    assert np.isnan(weeks["change_pct"].iloc[3])  # after an empty week: a return, not a jump


def test_one_run_only():
    weeks = weekly_summary(_runs([(dt.date(2026, 3, 4), 8000)]))
    assert len(weeks) == 1 and np.isnan(weeks["acwr"].iloc[0]) and np.isnan(weeks["change_pct"].iloc[0])


def test_acwr_forms_on_a_steady_then_doubled_load():
    days = pd.date_range("2026-01-01", periods=35, freq="D").date
    load = pd.Series([1000.0] * 28 + [2000.0] * 7, index=days)
    rolling, uncoupled, ewma = (acwr(load, m) for m in ("rolling", "uncoupled", "ewma"))
    assert rolling.iloc[27] == pytest.approx(1.0)
    assert rolling.iloc[-1] == pytest.approx(14000 / (35000 / 4))  # 1.6: the danger zone
    assert uncoupled.iloc[-1] == pytest.approx(14000 / 7000)  # 2.0: the last week is not in the chronic part
    assert 1.3 < ewma.iloc[-1] < 1.8
    assert np.isnan(rolling.iloc[26])
    with pytest.raises(ValueError, match="rolling, uncoupled, ewma"):
        acwr(load, "weekly")


def test_sunday_evening_run_in_new_york_belongs_to_that_week():
    from hamstring_analyzer.synthetic import easy_run, write_fit
    from hamstring_analyzer.readers import read_activities

    plan = easy_run(dt.datetime(2026, 3, 8, 21, 30), 5, zone="America/New_York")  # Sunday 21:30 = Monday 01:30 UTC
    (act,) = read_activities("sun.fit", write_fit(plan))
    assert act.start_utc.weekday() == 0
    table = runs_table([act])
    assert table["week_start"].iloc[0] == dt.date(2026, 3, 2)


def test_sample_runs_weeks_add_up(sample_export):
    export = sample_export
    table = runs_table(export.runs)
    weeks = weekly_summary(table)
    assert len(weeks) == 22
    assert weeks["distance_m"].sum() == pytest.approx(sum(r.distance_m for r in export.runs))
    assert weeks.loc[dt.date(2026, 7, 27), "runs"] == 0 and weeks.loc[dt.date(2026, 8, 3), "runs"] == 0
    assert weeks.loc[dt.date(2026, 6, 8), "change_pct"] > 30  # the week-6 jump of the story


@needs_real_runs
def test_real_runner_year_weekly_distances_equal_the_sum_of_runs(phone_runner):
    export = phone_runner
    table = runs_table(export.runs)
    weeks = weekly_summary(table)
    assert len(export.runs) >= 60
    for week, row in weeks.iterrows():
        mine = table.loc[table["week_start"] == week, "distance_m"].sum()
        assert row["distance_m"] == pytest.approx(mine)
    assert weeks["distance_m"].sum() == pytest.approx(sum(r.distance_m for r in export.runs))


def test_week_start_monday_or_sunday():
    from hamstring_analyzer.metrics.weekly import week_start

    wed, sun, sat = dt.date(2026, 3, 4), dt.date(2026, 3, 8), dt.date(2026, 3, 7)
    assert week_start(wed) == dt.date(2026, 3, 2) and week_start(sun) == dt.date(2026, 3, 2)
    assert week_start(wed, "sunday") == dt.date(2026, 3, 1) and week_start(sun, "sunday") == sun and week_start(sat, "sunday") == dt.date(2026, 3, 1)


def test_weeks_start_at_local_midnight_across_a_clock_change():
    from hamstring_analyzer.metrics.weekly import as_time_series, by_date

    weeks = pd.DataFrame({"distance_m": [1.0, 2.0, 3.0]}, index=pd.Index([dt.date(2026, 3, 23), dt.date(2026, 3, 30), dt.date(2026, 4, 6)]))
    ts = as_time_series(weeks, "Europe/London")  # clocks go forward on Sun 29 Mar 2026
    assert [str(t) for t in ts.index] == ["2026-03-23 00:00:00+00:00", "2026-03-30 00:00:00+01:00", "2026-04-06 00:00:00+01:00"]
    assert list(by_date(ts).index) == list(weeks.index)
    assert as_time_series(weeks.iloc[:0], "UTC").index.tz is not None


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    import hamstring_analyzer as ha

    return ha.analyze_path(SAMPLE_RUNS, symptoms=SAMPLE_RUNS / "symptoms.csv", cache_dir=tmp_path_factory.mktemp("cache"), workers=2)


def test_library_frames_are_time_series(sample):
    weeks = sample.weeks
    assert isinstance(weeks.index, pd.DatetimeIndex) and str(weeks.index.tz) == "Europe/London"  # Bristol: the zone its GPS files name, the watch offsets counted for it
    assert str(weeks.index[0]) == "2026-05-04 00:00:00+01:00" and len(weeks) == 22
    june = weeks.loc["2026-06"]
    assert [t.day for t in june.index] == [1, 8, 15, 22, 29]
    assert june.loc["2026-06-08", "distance_m"] == pytest.approx(45900, abs=50)  # the +41% week
    monthly = weeks["distance_m"].resample("MS").sum()
    assert monthly.loc["2026-06"].iloc[0] == pytest.approx(june["distance_m"].sum())
    assert weeks["complete"].all() and (weeks["days"] == 7).all()
    assert sample.weeks_by_date.index[0] == dt.date(2026, 5, 4)

    runs = sample.export.runs_frame()
    assert isinstance(runs.index, pd.DatetimeIndex) and runs.index.tz is not None and runs.index.is_monotonic_increasing
    assert str(runs.index[0]) == "2026-05-05 07:00:00+01:00" and runs["id"].iloc[0] == "export/phone/2026-05-05-07-00.gpx"
    assert pd.api.types.is_datetime64_any_dtype(runs["start_local"]) and runs["start_local"].iloc[0] == pd.Timestamp("2026-05-05 07:00")
    assert len(runs.loc["2026-07"]) == sum(d.month == 7 for d in sample.runs["local_date"]) == 14  # two weeks off in late July


def test_flags_frame_sorts_by_severity(sample):
    flags = sample.flags_frame()
    assert list(flags["severity"].cat.categories) == ["info", "warning", "alert"] and flags["severity"].cat.ordered
    ordered = flags.sort_values("severity", kind="stable")["severity"].tolist()
    assert ordered[0] == "info" and ordered[-1] == "alert" and ordered == sorted(ordered, key=["info", "warning", "alert"].index)
    assert set(flags[flags["severity"] >= "warning"]["severity"]) == {"warning", "alert"}


def test_public_api_and_analyze_path_do_what_the_cli_does(sample):
    import hamstring_analyzer as ha

    assert {"load_runs", "analyze", "analyze_path", "load_config", "read_log", "flags_frame"} <= set(ha.__all__) <= set(dir(ha))
    assert all(getattr(ha, name) is not None for name in ha.__all__)
    assert len(sample.flags) == 14 and sample.insights is not None  # as `analyze sample_runs --symptoms sample_runs/symptoms.csv`
    assert {f.rule for f in sample.flags if f.severity == "alert"} == {"single_run_spike", "speedwork_share", "layoff_return"}  # raised by the symptoms


@pytest.mark.parametrize("method", ["rolling", "uncoupled", "ewma"])
def test_the_weekly_frame_and_the_rules_read_one_ratio(method):
    """`weekly_summary`'s ratio columns and the rules' daily ratio (`rules.make_context`) are the same numbers."""
    from hamstring_analyzer.config import config_from_dict
    from hamstring_analyzer.rules import make_context

    from ..rules.helpers import run, steady_weeks

    runs = pd.DataFrame(steady_weeks(6, 30.0) + [run(45, 25.0), run(46, 20.0)] + steady_weeks(2, 40.0, first_day=49))
    weeks = weekly_summary(runs, method)
    ratio = make_context(runs, weeks, config_from_dict({"acwr": {"method": method}})).ratio
    sundays = [w + dt.timedelta(days=6) for w in weeks.index]
    assert np.allclose(weeks["acwr"], [ratio.get(d, np.nan) for d in sundays], equal_nan=True)
    assert weeks["acwr"].notna().sum() >= 4
    for week, peak, day in zip(weeks.index, weeks["acwr_peak"], weeks["acwr_peak_date"]):
        days = ratio.loc[week : week + dt.timedelta(days=6)].dropna()
        assert (day is None and days.empty) or (peak == days.max() and day == days.idxmax())
