"""Daily training logs (the public running-log data set's shape): columns, units, bad rows, the registry, hostile input."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hamstring_analyzer as ha
from hamstring_analyzer.errors import ParseError
from hamstring_analyzer.readers import read_activities
from hamstring_analyzer.readers.daily_log import athlete_csv, frame_daily_log, read_daily_log, read_daily_log_table

from ..conftest import examples

# Rows as the public file writes them: an unnamed index column, then datetime, athlete, km, minutes and attributes;
# a row for every day, zeros on rest days.
REAL_SHAPED = """,datetime,athlete,distance,duration,gender,age_group,country,major
0,2019-01-01,0,0.0,0.0,F,18 - 34,United States,CHICAGO 2019
1,2019-01-02,0,10.3,56.4,F,18 - 34,United States,CHICAGO 2019
2,2019-01-03,0,8.1,44.0,F,18 - 34,United States,CHICAGO 2019
365,2019-01-01,1,21.1,105.5,M,35 - 54,Germany,"BERLIN 2016,BERLIN 2019"
366,2019-01-02,1,5.0,1.0,M,35 - 54,Germany,"BERLIN 2016,BERLIN 2019"
367,2019-13-02,1,5.0,30.0,M,35 - 54,Germany,"BERLIN 2016,BERLIN 2019"
368,2019-01-04,1,-3,20.0,M,35 - 54,Germany,"BERLIN 2016,BERLIN 2019"
369,2019-01-05 00:00:00,1,12.0,61.5,M,35 - 54,Germany,"BERLIN 2016,BERLIN 2019"
"""


def test_real_shaped_rows(tmp_path):
    path = tmp_path / "run_ww_2019_d.csv"
    path.write_text(REAL_SHAPED, encoding="utf-8")
    log = read_daily_log_table(path)
    assert log.units == {"distance": "distance [km]", "duration": "duration [min]"}
    assert log.rest_days == 1
    assert log.days[["athlete", "distance_m", "duration_s"]].values.tolist() == [
        ["0", 10300.0, 3384.0], ["0", 8100.0, 2640.0], ["1", 21100.0, 6330.0], ["1", 12000.0, 3690.0],
    ]  # fmt: skip
    assert log.days["date"].tolist() == [dt.date(2019, 1, 2), dt.date(2019, 1, 3), dt.date(2019, 1, 1), dt.date(2019, 1, 5)]
    assert [(p["line"], p["athlete"]) for p in log.problems] == [(6, "1"), (7, "1"), (8, "1")]
    assert log.problems[0]["reason"].startswith("faster than the 5,000 m world record")
    assert log.problems[1]["reason"].startswith("no readable date")
    assert log.problems[2]["reason"] == "negative distance"
    assert log.attributes.loc["1", "major"] == "BERLIN 2016,BERLIN 2019"
    assert log.attributes.loc["0", "country"] == "United States"


def test_parquet_with_datetimes_reads_the_same(tmp_path):
    csv = tmp_path / "log.csv"
    csv.write_text(REAL_SHAPED, encoding="utf-8")
    frame = pd.read_csv(csv, index_col=0)
    frame = frame[frame["datetime"] != "2019-13-02"]
    frame["datetime"] = pd.to_datetime(frame["datetime"], format="ISO8601")
    frame.to_parquet(tmp_path / "log.parquet")
    log = read_daily_log_table(tmp_path / "log.parquet")
    assert log.days["distance_m"].tolist() == [10300.0, 8100.0, 21100.0, 12000.0]
    assert len(log.problems) == 2


@pytest.mark.parametrize(
    "header,row,distance_m,duration_s",
    [
        ("date,distance_mi,duration_s", "2020-05-01,3.1,1500", 3.1 * 1609.344, 1500.0),
        ("Date,Distance (m),Duration (min)", "2020-05-01,5000,25", 5000.0, 1500.0),
        ("day,km,duration", "2020-05-01,5,0:25:00", 5000.0, 1500.0),
        ("athlete_id,timestamp,distance_km,hours", "a7,2020-05-01T06:30:00Z,10,1", 10000.0, 3600.0),
        ("date,distance", "2020-05-01,5", 5000.0, None),
    ],
)
def test_header_variants_and_their_units(header, row, distance_m, duration_s):
    log = frame_daily_log(pd.read_csv(__import__("io").StringIO(f"{header}\n{row}\n"), dtype=str), "log.csv")
    assert log.days["distance_m"].iloc[0] == pytest.approx(distance_m)
    got = log.days["duration_s"].iloc[0]
    assert (pd.isna(got) and duration_s is None) or got == pytest.approx(duration_s)
    assert log.days["date"].iloc[0] == dt.date(2020, 5, 1)


def test_no_distance_column_is_refused_with_the_spellings():
    with pytest.raises(ParseError, match="not a daily training log: no distance column"):
        frame_daily_log(pd.DataFrame({"date": ["2020-01-01"], "miles_run": ["3"]}), "log.csv")


def test_one_athletes_log_reads_through_the_registry_and_runs_on_its_day(tmp_path):
    log = frame_daily_log(pd.read_csv(__import__("io").StringIO(REAL_SHAPED), dtype=str), "x")
    data = athlete_csv(log.days[log.days["athlete"] == "1"])
    assert data.splitlines()[0] == b"date,distance_m,duration_s"
    (tmp_path / "daily_log.csv").write_bytes(data)
    runs = read_activities(tmp_path / "daily_log.csv")
    assert [(r.start_local.date(), r.distance_m, r.elapsed_s, r.has_samples) for r in runs] == [
        (dt.date(2019, 1, 1), 21100.0, 6330.0, False), (dt.date(2019, 1, 5), 12000.0, 3690.0, False),
    ]  # fmt: skip
    export = ha.load_runs(tmp_path, use_cache=False, workers=1)
    assert len(export.runs) == 2 and export.runs[0].format == "daily_log"


def test_a_log_of_many_athletes_is_refused_as_one_runner():
    with pytest.raises(ParseError, match="a daily log of 2 athletes; read it with the cohort command"):
        read_daily_log(REAL_SHAPED.encode(), "daily_log.csv")


def test_summary_only_athlete_gets_only_the_distance_rules(tmp_path):
    from hamstring_analyzer.cohort import SUMMARY_RULES, rules_not_applicable
    from hamstring_analyzer.rules import RULES
    from hamstring_analyzer.synthetic_cohort import athlete_days

    a = athlete_days(4, dt.date(2019, 1, 7), 40, seed=7)  # a synthetic athlete with a ramp, spikes and a break
    rows = "".join(f"{d.isoformat()},{km},{mins}\n" for d, km, mins in a.days)
    (tmp_path / "daily_log.csv").write_text("date,distance,duration\n" + rows, encoding="utf-8")
    result = ha.analyze(ha.load_runs(tmp_path, use_cache=False, workers=1))
    assert {f.rule for f in result.flags} == {"single_run_spike", "weekly_mileage_jump", "layoff_return"}
    assert {f.rule for f in result.flags} <= set(SUMMARY_RULES)
    assert set(rules_not_applicable(result.runs)) == set(RULES) - set(SUMMARY_RULES)


cells = st.one_of(
    st.text(max_size=12), st.sampled_from(["", "nan", "inf", "-1", "0", "1e308", "12:61", "2019-02-30", "2019-01-01", "5.5"]),
)


@settings(max_examples=examples(40))
@given(st.lists(st.tuples(cells, cells, cells, cells), max_size=25))
def test_any_rows_are_read_or_reported_never_crash(rows):
    frame = pd.DataFrame(rows, columns=["athlete", "date", "distance", "duration"], dtype=object)
    log = frame_daily_log(frame, "fuzz.csv")
    assert len(log.days) + len(log.problems) + log.rest_days == len(rows)
    assert (log.days["distance_m"] > 0).all() and (log.days["distance_m"] <= 1e6).all()
    assert all(isinstance(p["line"], int) and p["reason"] for p in log.problems)


@settings(max_examples=examples(40))
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: ("date,distance,duration\n" + t).encode()))
def test_any_bytes_are_read_or_refused_with_a_parse_error(data):
    try:
        runs = read_daily_log(data, "daily_log.csv")
    except ParseError as exc:
        assert str(exc).startswith("daily_log.csv: ")
    else:
        assert runs and all(r.distance_m is not None and r.distance_m > 0 for r in runs)


def test_rows_of_the_wrong_width_are_reported_on_their_own_line(tmp_path):
    text = 'date,distance,duration,note\n2020-05-01,5,25,"two\nlines"\n2020-05-02,5,25\n2020-05-03,6,30,ok\n'
    (tmp_path / "log.csv").write_text(text, encoding="utf-8")
    log = read_daily_log_table(tmp_path / "log.csv")
    assert log.problems == [{"line": 4, "athlete": None, "reason": "3 cells where the header has 4"}]
    assert log.days["line"].tolist() == [2, 5] and log.days["distance_m"].tolist() == [5000.0, 6000.0]
