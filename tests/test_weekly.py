"""Weekly frame and acute:chronic ratio on constructed and real histories."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from hamstring_analyzer.export import load_runs
from hamstring_analyzer.runmetrics import runs_table
from hamstring_analyzer.weekly import acwr, weekly_summary

from .conftest import REAL_RUNS, SAMPLE_RUNS, needs_real_runs


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


def test_sample_runs_weeks_add_up():
    export = load_runs(SAMPLE_RUNS, use_cache=False, workers=1)
    table = runs_table(export.runs)
    weeks = weekly_summary(table)
    assert len(weeks) == 22
    assert weeks["distance_m"].sum() == pytest.approx(sum(r.distance_m for r in export.runs))
    assert weeks.loc[dt.date(2026, 7, 27), "runs"] == 0 and weeks.loc[dt.date(2026, 8, 3), "runs"] == 0
    assert weeks.loc[dt.date(2026, 6, 8), "change_pct"] > 30  # the week-6 jump of the story


@needs_real_runs
def test_real_runner_year_weekly_distances_equal_the_sum_of_runs():
    export = load_runs(REAL_RUNS / "runpandas/examples/session", use_cache=False, workers=1)
    table = runs_table(export.runs)
    weeks = weekly_summary(table)
    assert len(export.runs) >= 60
    for week, row in weeks.iterrows():
        mine = table.loc[table["week_start"] == week, "distance_m"].sum()
        assert row["distance_m"] == pytest.approx(mine)
    assert weeks["distance_m"].sum() == pytest.approx(sum(r.distance_m for r in export.runs))
