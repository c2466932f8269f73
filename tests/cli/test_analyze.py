"""``hamstring-analyzer analyze``: terminal summary, JSON contract, options and failures."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main
from hamstring_analyzer.synthetic import easy_run, write_fit

from ..conftest import REAL_RUNS, SAMPLE_RUNS, needs_real_runs
from ..ingest.test_load import RUN_FIELDS

WEEK_FIELDS = {
    "week_start", "distance_m", "moving_s", "runs", "change_pct", "fast_m", "speedwork_share", "longest_run_m", "cadence_spm",
    "acwr", "load", "monotony", "strain",  # issue 15 added the session load, Foster's monotony and strain
    "complete", "days",  # issue 17: an unfinished week says so
}  # fmt: skip
FLAG_FIELDS = {"rule", "severity", "week_start", "date", "run_id", "value", "threshold", "unit", "message", "doubtful", "doubt"}


@pytest.fixture(scope="module")
def cache_dir(sample_store):
    return str(sample_store)


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_analyze_sample_runs_prints_weeks_flags_and_writes_json(tmp_path, cache_dir):
    out = tmp_path / "analysis.json"
    result = invoke("analyze", str(SAMPLE_RUNS), "--json", str(out), "--cache-dir", cache_dir)
    assert result.exit_code == 0
    text = result.output
    assert "79 runs (666.9 km, 5 May 2026 to 4 Oct 2026); 3 skipped; 1 could not be read." in text
    assert "Week of      Dist (km)  Runs  Change  Fast  Longest  Cadence  ACWR" in text
    assert "28 Sep 2026       36.0     4     +0%    0%     12.0      177  1.04" in text  # the uncoupled ratio (issue 15)
    # the first screen: the last week is quiet; the return 8 weeks ago is named; the runner's own usual, once
    assert "Nothing worth a look in the week of 28 Sep 2026." in text
    assert "In the 8 weeks before: 1 warning or alert, the latest 18 Aug 2026 (coming back" in text
    assert "Your usual (last 8 weeks): 33.6 km a week, an ordinary run 7.8 km" in text
    assert text.index("Your usual") < text.index("Week of      Dist")  # what matters first, then the table
    assert "7 episodes (14 flags) in this period; -v lists them, --json holds every flag." in text
    assert "Not medical advice" in text
    doc = json.loads(out.read_text())
    assert set(doc) == {"runs", "skipped", "errors", "ignored", "joined", "weeks", "flags", "episodes", "profile", "holes", "coverage"}
    assert doc["holes"] == [] and doc["coverage"] == []  # the corrupt FIT file has no day to place it on
    assert len(doc["runs"]) == 79 and all(set(r) == RUN_FIELDS for r in doc["runs"])
    assert len(doc["weeks"]) == 22 and all(set(w) == WEEK_FIELDS for w in doc["weeks"])
    assert len(doc["flags"]) == 14 and all(set(f) == FLAG_FIELDS | {"id", "episode"} for f in doc["flags"])
    jump = next(f for f in doc["flags"] if f["rule"] == "weekly_mileage_jump")
    assert jump == {
        "rule": "weekly_mileage_jump", "severity": "warning", "week_start": "2026-06-08", "date": "2026-06-14",
        "run_id": None, "value": pytest.approx(41.49, abs=0.01), "threshold": 10.0, "unit": "%",
        "message": "Week of 8 Jun: 45.9 km (up 41% on the week before, 32.5 km), above your high of the last 5 weeks "
        "(32.5 km, week of 1 Jun) and 50% over your 4-week average (30.6 km). Adding more than about one ordinary run "
        "of yours (6.5 km) above what you have been doing is worth a look; the week-on-week change alone predicts little.",
        "doubtful": False, "doubt": None, "id": "weekly_mileage_jump:2026-06-14", "episode": "single_run_spike:2026-06-08",
    }  # fmt: skip
    week6 = next(e for e in doc["episodes"] if e["id"] == jump["episode"])
    assert week6["kind"] == "long run" and week6["evidence"] == "study" and jump["id"] in week6["flags"]
    assert doc["profile"]["cadence_spm"] == 177.0 and doc["profile"]["hard_days"] == 0
    empty = next(w for w in doc["weeks"] if w["week_start"] == "2026-08-03")
    assert empty["distance_m"] == 0 and empty["runs"] == 0 and empty["change_pct"] is None


def test_units_miles(cache_dir):
    result = invoke("analyze", str(SAMPLE_RUNS), "--units", "mi", "--cache-dir", cache_dir, "--max-flags", "100")
    assert result.exit_code == 0
    text = " ".join(result.output.split())  # messages are wrapped for the terminal
    assert "Dist (mi)" in result.output
    result = invoke("analyze", str(SAMPLE_RUNS), "--units", "mi", "--cache-dir", cache_dir, "-v")
    text = " ".join(result.output.split())
    assert "the week of 8 Jun reached 28.6 mi, above your high of 20.2 mi in the weeks before" in text
    assert "Thu 9 Jul, 4.3 mi at 9:07/mi: median cadence 165 steps/min, 12 below your own 177" in text  # pace in min/mi; the lowest leads
    assert "(0 ft/mi of climb)" in text
    assert " km" not in text.split("flags), newest first")[1].split("Not medical")[0]


def test_since_until_and_weeks(cache_dir):
    result = invoke("analyze", str(SAMPLE_RUNS), "--since", "2026-07-01", "--until", "2026-07-31", "--weeks", "3", "--cache-dir", cache_dir)
    assert result.exit_code == 0
    assert "3 episodes (9 flags) in this period" in result.output  # low cadence x4, flat long runs x2, fatigue, spikes x2
    table = result.output.split("Week of      ")[1].split("episodes")[0]
    assert "6 Jul 2026" in table and "20 Jul 2026" in table and "29 Jun 2026" not in table
    bad = invoke("analyze", str(SAMPLE_RUNS), "--since", "2026-08-01", "--until", "2026-07-01")
    assert bad.exit_code == 2 and "after --until" in bad.output
    none = invoke("analyze", str(SAMPLE_RUNS), "--until", "2020-01-01", "--cache-dir", cache_dir)
    assert none.exit_code == 1 and "no runs between the start and 2020-01-01" in none.output


def test_bad_config_is_one_line(tmp_path, cache_dir):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[low_cadence]\nmin_spn = 170\n")
    result = invoke("analyze", str(SAMPLE_RUNS), "--config", str(cfg), "--cache-dir", cache_dir)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {cfg}: low_cadence.min_spn: unknown setting; allowed here: min_spm, alert_spm, own_margin_spm, own_margin_pct, slow_pct, mostly_walking_share, min_running_min"]


def test_config_changes_the_flags(tmp_path, cache_dir):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[low_cadence]\nmin_spm = 160\n[weekly_mileage_jump]\nwarn_pct = 55\nalert_pct = 60\n")
    out = tmp_path / "a.json"
    assert invoke("analyze", str(SAMPLE_RUNS), "--config", str(cfg), "--json", str(out), "--cache-dir", cache_dir).exit_code == 0
    rules = {f["rule"] for f in json.loads(out.read_text())["flags"]}
    assert "low_cadence" not in rules and "weekly_mileage_jump" not in rules and "layoff_return" in rules


def test_folder_without_runs(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = invoke("analyze", str(tmp_path), "--no-cache")
    assert result.exit_code == 1 and "no runs found" in result.output


def test_single_run_folder(tmp_path):
    import datetime as dt

    (tmp_path / "one.fit").write_bytes(write_fit(easy_run(dt.datetime(2026, 3, 4, 7), 5)))
    result = invoke("analyze", str(tmp_path), "--no-cache")
    assert result.exit_code == 0 and "1 run (5.0 km, 4 Mar 2026); 0 skipped; 0 could not be read." in result.output
    assert "Nothing worth a look in the week of 2 Mar 2026." in result.output
    assert "0 episodes (0 flags) in this period" in result.output


@needs_real_runs
def test_real_runner_year(tmp_path, real_export):
    out = tmp_path / "year.json"
    cache_dir = str(real_export[1])  # the session's store of the real files: a warm ingest
    result = invoke("analyze", str(REAL_RUNS / "runpandas/examples/session"), "--json", str(out), "--cache-dir", cache_dir, "-q")
    assert result.exit_code == 0
    doc = json.loads(out.read_text())
    assert len(doc["runs"]) == 65 and len(doc["joined"]) == 3  # 68 files; 3 runs restarted 1-3 minutes in at their pace are one workout each
    total = sum(r["distance_m"] for r in doc["runs"])
    assert sum(w["distance_m"] for w in doc["weeks"]) == pytest.approx(total, abs=1)
    rules = {f["rule"] for f in doc["flags"]}
    # Weekly volume up and down, breaks of 10-20 days. The phone wrote altitude as zeros: the terrain is
    # unknown, so nothing is called flat (tests/clean/test_clean.py checks the runner flag by flag).
    assert {"single_run_spike", "layoff_return"} <= rules
    assert len(doc["episodes"]) < len(doc["flags"]) and {f["episode"] for f in doc["flags"]} == {e["id"] for e in doc["episodes"]}
    assert not {"flat_long_run", "fast_on_flat"} & rules
    assert "low_cadence" not in rules  # the GPX files carry no cadence
    assert "hills_before_base" not in rules  # sea level: no hills at all


def test_output_piped_into_head_is_quiet_and_the_json_is_still_written(tmp_path, cache_dir):
    import subprocess
    import sys

    out = tmp_path / "a.json"
    # `head -c 0` closes the pipe at once, long before the analysis prints: the first write fails.
    cmd = f"{sys.executable} -m hamstring_analyzer analyze {SAMPLE_RUNS} -q --cache-dir {cache_dir} --json {out} | head -c 0"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1  # the analyzer's status: stopped early, quietly
    assert proc.stderr == ""
    assert len(json.loads(out.read_text())["flags"]) == 14


def test_flags_wrap_to_an_80_column_terminal(monkeypatch):
    from hamstring_analyzer.render.text import text_width

    monkeypatch.setenv("COLUMNS", "80")
    assert text_width() == 79
    monkeypatch.setenv("COLUMNS", "300")
    assert text_width() == 100
    monkeypatch.setenv("COLUMNS", "20")
    assert text_width() == 60
    monkeypatch.delenv("COLUMNS")
    assert text_width() == 79  # piped, no COLUMNS: 80 columns


def test_the_weeks_table_says_what_its_numbers_mean_and_the_acwr_is_what_it_says(tmp_path, cache_dir):
    """Before, the table showed an acute:chronic ratio (1.04, 2.76...) with no word of what it is."""
    import datetime as dt

    out = tmp_path / "analysis.json"
    result = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["analyze", str(SAMPLE_RUNS), "--json", str(out), "--cache-dir", cache_dir, "-q"])
    lines = result.output.splitlines()
    top = lines.index("Week of      Dist (km)  Runs  Change  Fast  Longest  Cadence  ACWR")
    end = top + 1 + lines[top + 1:].index("")
    legend = " ".join(lines[top + 9:end])
    assert lines[top + 8] == "28 Sep 2026       36.0     4     +0%    0%     12.0      177  1.04"
    assert legend == (
        "Change: distance against the week before. Fast: the share run at or near your threshold pace. Longest: the longest "
        "run (km). Cadence: the runs' median, steps/min. ACWR (acute:chronic): the distance of the 7 days to the week's "
        "Sunday / the weekly average of the 3 weeks before them; 1.5 and above is a sharp jump."
    )
    assert all(len(line) <= 80 for line in lines[top:end])
    # the words are the computation: 28 Sep - 4 Oct against the 21 days before, from the runs themselves
    runs = json.loads(out.read_text())["runs"]
    day = {r["id"]: dt.date.fromisoformat(r["start_local"][:10]) for r in runs}
    sunday = dt.date(2026, 10, 4)

    def km(first, last):
        return sum(r["distance_m"] for r in runs if first <= day[r["id"]] <= last) / 1000

    acute = km(sunday - dt.timedelta(days=6), sunday)
    chronic = km(sunday - dt.timedelta(days=27), sunday - dt.timedelta(days=7)) / 3
    assert (acute, round(chronic, 1)) == (pytest.approx(36.0, abs=0.05), 34.6) and f"{acute / chronic:.2f}" == "1.04"
    assert f"{acute / ((acute + 3 * chronic) / 4):.2f}" == "1.03"  # the "4 weeks to that Sunday" ratio would not be it


def test_the_acwr_words_follow_the_configured_ratio():
    from hamstring_analyzer.config import config_from_dict
    from hamstring_analyzer.render.text import acwr_words

    assert acwr_words(config_from_dict({"acwr": {"method": "rolling", "danger": 1.6}, "load": {"method": "trimp"}})) == (
        "ACWR (acute:chronic): the heart-rate load (TRIMP) of the 7 days to the week's Sunday / the weekly average of the 4 weeks "
        "to that Sunday; 1.6 and above is a sharp jump.")
