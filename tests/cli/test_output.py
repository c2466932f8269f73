"""What a runner sees on screen (issue 17): listings with reasons, JSON whatever the outcome, ``-`` for standard
output, unfinished weeks, the config file used, Sunday weeks, help examples, colour and plurals.

Exact lines are asserted: they are what the user reads.
"""

from __future__ import annotations

import json
import shutil

import click
import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main

from ..conftest import SAMPLE_RUNS

GARMIN = SAMPLE_RUNS / "export" / "garmin"
CORRUPT_REASON = "not a FIT, GPX or TCX file, nor an export list we read"


@pytest.fixture(scope="module")
def cache_dir(sample_store):
    return str(sample_store)


@pytest.fixture
def ride_and_corrupt(tmp_path):
    """A folder with one ride and one corrupt file: nothing to analyse, for two different reasons."""
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(GARMIN / "2026-07-04-10-00-ride.fit", folder / "ride.fit")
    shutil.copy(GARMIN / "2026-09-12-corrupt.fit", folder / "corrupt.fit")
    (folder / "notes.md").write_text("my runs\n")
    return folder


def invoke(*args, env=None):
    return CliRunner(env={"COLUMNS": "80", **(env or {})}).invoke(main, [str(a) for a in args], catch_exceptions=False)


# -- 1. why nothing was found, and the JSON whatever the outcome -------------------------------------------------------


def test_no_runs_says_why_and_still_writes_the_json(ride_and_corrupt, tmp_path):
    out = tmp_path / "runs.json"
    result = invoke("ingest", ride_and_corrupt, "--no-cache", "--workers", "1", "--json", out)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Skipped 1: cycling",
        f"error: corrupt.fit: {CORRUPT_REASON} (unrecognised content)",
        "Ignored (not activity files) 1: notes.md",
        f"Error: {ride_and_corrupt}: no runs found (skipped 1: cycling; could not read 1: corrupt.fit: {CORRUPT_REASON}; "
        "ignored 1: not an activity file); nothing to analyse",
    ]
    doc = json.loads(out.read_text())
    assert doc["runs"] == [] and doc["skipped"] == [{"source": "ride.fit", "reason": "not a run (cycling)"}]
    assert doc["errors"] == [{"source": "corrupt.fit", "error": f"{CORRUPT_REASON} (unrecognised content)"}]
    assert [i["source"] for i in doc["ignored"]] == ["notes.md"]
    analysed = tmp_path / "analysis.json"
    result = invoke("analyze", ride_and_corrupt, "--no-cache", "--workers", "1", "--json", analysed)
    assert result.exit_code == 1 and "no runs found (skipped 1: cycling;" in result.output
    doc = json.loads(analysed.read_text())
    assert doc["runs"] == [] and doc["weeks"] == [] and doc["flags"] == [] and len(doc["errors"]) == 1
    verbose = invoke("ingest", ride_and_corrupt, "--no-cache", "--workers", "1", "-v")
    assert verbose.exit_code == 1 and verbose.output.splitlines()[:8] == [
        "Skipped 1: cycling",
        "  ride.fit: not a run (cycling)",
        f"Could not read 1: {CORRUPT_REASON}",
        f"  corrupt.fit: {CORRUPT_REASON}",
        "      (unrecognised content)",
        "Ignored (not activity files) 1: not an activity file",
        "  notes.md",
        f"Error: {ride_and_corrupt}: no runs found (skipped 1: cycling; could not read 1: corrupt.fit: {CORRUPT_REASON}; "
        "ignored 1: not an activity file); nothing to analyse",
    ]


def test_ingest_lists_skipped_unreadable_and_ignored_grouped_and_every_file_with_v(cache_dir):
    result = invoke("ingest", SAMPLE_RUNS, "--cache-dir", cache_dir)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "79 runs (666.9 km, 5 May 2026 to 4 Oct 2026); 3 skipped; 1 could not be read.",
        "Skipped 3: cycling 1, duplicate 1, walking 1",
        f"error: export/garmin/2026-09-12-corrupt.fit: {CORRUPT_REASON} (unrecognised content)",
        "Ignored (not activity files) 4: README.md,",
        "  export/garmin-connect-export.zip/DI_CONNECT/DI-Connect-User/user_profile.json,",
        "  generate.py and 1 more",
    ]
    lines = invoke("ingest", SAMPLE_RUNS, "--cache-dir", cache_dir, "-v").output.splitlines()
    assert lines[1:3] == ["Runs 79:", "  Tue 5 May 2026      6.0 km  export/phone/2026-05-05-07-00.gpx"]
    listing = lines[lines.index("Skipped 3: cycling 1, duplicate 1, walking 1"):]
    assert listing == [
        "Skipped 3: cycling 1, duplicate 1, walking 1",
        "  export/garmin/2026-07-04-10-00-ride.fit: not a run (cycling)",
        "  export/phone/2026-06-28-08-00-phone.gpx: duplicate of",
        "      export/garmin/2026-06-28-08-00.fit",
        "  export/garmin/2026-08-08-15-00-walk.fit: not a run (walking)",
        f"Could not read 1: {CORRUPT_REASON}",
        "  export/garmin/2026-09-12-corrupt.fit: not a FIT, GPX or TCX file, nor an",
        "      export list we read (unrecognised content)",
        "Ignored (not activity files) 4: not an activity file",
        "  README.md",
        "  export/garmin-connect-export.zip/DI_CONNECT/DI-Connect-User/user_profile.json",
        "  generate.py",
        "  symptoms.csv",
    ]


# -- 5. `-` is standard output; a missing folder is refused, never created -----------------------------------------------


def test_json_dash_is_pure_json_on_stdout(cache_dir):
    result = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["analyze", str(SAMPLE_RUNS), "--cache-dir", cache_dir, "--json", "-"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)  # nothing but the JSON
    assert len(doc["runs"]) == 79 and len(doc["flags"]) == 14
    assert "7 episodes (14 flags) in this period" in result.stderr and "Wrote" not in result.stderr
    plan = CliRunner().invoke(main, ["plan", str(SAMPLE_RUNS), "--cache-dir", cache_dir, "--json", "-", "-q"])
    assert plan.exit_code == 0 and json.loads(plan.stdout)["week_start"] == "2026-10-05"


def test_json_into_a_missing_folder_is_one_line_and_creates_nothing(tmp_path):
    missing = tmp_path / "no-such-dir"
    target = missing / "out.json"
    for command in ("ingest", "analyze", "plan"):
        result = invoke(command, SAMPLE_RUNS, "--json", target, "--no-cache")
        assert result.exit_code == 1
        assert result.output.splitlines() == [f"Error: {target}: cannot write: the folder {missing} does not exist (create it first)"]
    assert not missing.exists()


# -- 4. an unfinished week ------------------------------------------------------------------------------------------------


def test_until_mid_week_shows_the_week_in_progress(cache_dir, tmp_path):
    out = tmp_path / "a.json"
    result = invoke("analyze", SAMPLE_RUNS, "--cache-dir", cache_dir, "--until", "2026-07-08", "--weeks", "2", "-q", "--json", out)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    # the first screen speaks of the week in progress: its low-cadence runs (heavy new shoes), one episode
    assert lines[2] == "Worth a look in the week of 6 Jul 2026 (not a diagnosis):"
    assert lines[3].startswith("  WARNING 7 Jul 2026: low cadence (a published study)")
    top = lines.index("Week of      Dist (km)  Runs  Change  Fast  Longest  Cadence  ACWR")
    assert lines[top : top + 3] == [
        "Week of      Dist (km)  Runs  Change  Fast  Longest  Cadence  ACWR",
        "29 Jun 2026       32.0     4     -6%    0%     13.0      177  0.86",
        "6 Jul 2026         6.0     1       -    0%      6.0      166     -  in progress (3 of 7 days)",
    ]
    weeks = json.loads(out.read_text())["weeks"]
    assert weeks[-1]["week_start"] == "2026-07-06" and weeks[-1]["complete"] is False and weeks[-1]["days"] == 3
    assert weeks[-1]["change_pct"] is None and weeks[-1]["acwr"] is None  # not a -81% week
    assert all(w["complete"] and w["days"] == 7 for w in weeks[:-1])


# -- 7. the config file: found, named, overridden; Sunday weeks ------------------------------------------------------------


def test_config_from_the_user_folder_the_env_and_the_option(cache_dir, tmp_path, monkeypatch):
    from hamstring_analyzer import config

    user = tmp_path / "user" / "config.toml"
    user.parent.mkdir()
    user.write_text('units = "mi"\n')
    monkeypatch.setattr(config, "user_config_path", lambda: user)
    result = invoke("analyze", SAMPLE_RUNS, "--cache-dir", cache_dir, "--weeks", "1", "--max-flags", "0")
    assert result.output.splitlines()[:2] == [f"Config: {user}", "79 runs (414.4 mi, 5 May 2026 to 4 Oct 2026); 3 skipped; 1 could not be read."]
    env = tmp_path / "env.toml"
    env.write_text('units = "km"\n')
    result = invoke("plan", SAMPLE_RUNS, "--cache-dir", cache_dir, env={"HAMSTRING_ANALYZER_CONFIG": str(env)})
    assert result.output.splitlines()[0] == f"Config: {env}" and "at most 23.6 km" not in result.output and " km" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('week_start = "saturday"\n')
    result = invoke("analyze", SAMPLE_RUNS, "--config", bad, "--cache-dir", cache_dir, env={"HAMSTRING_ANALYZER_CONFIG": str(env)})
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: {bad}: week_start: 'saturday' is not allowed; use one of monday, sunday"]
    quiet = invoke("analyze", SAMPLE_RUNS, "--cache-dir", cache_dir, "-q", "--weeks", "1", "--max-flags", "0")
    assert not quiet.output.startswith("Config")


def test_sunday_weeks_for_us_runners(cache_dir, tmp_path):
    cfg = tmp_path / "sunday.toml"
    cfg.write_text('week_start = "sunday"\nunits = "mi"\n')
    out = tmp_path / "a.json"
    result = invoke("analyze", SAMPLE_RUNS, "--config", cfg, "--cache-dir", cache_dir, "--weeks", "2", "-q", "--json", out)
    lines = result.output.splitlines()
    assert lines[2] == "Nothing worth a look in the week of 4 Oct 2026."  # a Sunday week
    top = lines.index("Week of      Dist (mi)  Runs  Change  Fast  Longest  Cadence  ACWR")
    assert lines[top : top + 3] == [
        "Week of      Dist (mi)  Runs  Change  Fast  Longest  Cadence  ACWR",
        "27 Sep 2026       22.3     4     +0%    0%      7.4      177  1.04",
        "4 Oct 2026         7.4     1    -67%    0%      7.4      176  0.34",
    ]
    doc = json.loads(out.read_text())
    assert doc["weeks"][0]["week_start"] == "2026-05-03" and {w["week_start"][-2:] for w in doc["weeks"][:2]} == {"03", "10"}
    assert all(f["week_start"] in {w["week_start"] for w in doc["weeks"]} for f in doc["flags"])  # flags sit in Sunday weeks
    assert sum(w["distance_m"] for w in doc["weeks"]) == pytest.approx(sum(r["distance_m"] for r in doc["runs"]), abs=1)
    plan = invoke("plan", SAMPLE_RUNS, "--config", cfg, "--cache-dir", cache_dir, "-q")
    assert plan.output.splitlines()[:2] == ["Next week: Sun 11 Oct to Sat 17 Oct 2026", "(from your runs up to Sun 4 Oct 2026)"]


# -- 7. help: examples and dates as YYYY-MM-DD -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["ingest"], ["analyze"], ["plan"], ["report"], ["symptoms"], ["symptoms", "add"], ["symptoms", "list"]])
def test_every_help_has_examples_and_readable_dates(command):
    text = invoke(*command, "--help").output
    assert "Example" in text and "hamstring-analyzer " + command[0] in text.split("Example")[1]
    if command != ["report"]:  # the report command's options belong to the report half of issue 17
        assert "%Y" not in text
    if command[-1] in ("analyze", "plan", "add"):
        assert "YYYY-MM-DD" in text


# -- 8. colour, plurals, dates ---------------------------------------------------------------------------------------------


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    from hamstring_analyzer.cli import common
    from hamstring_analyzer.render.text import paint

    assert paint("ALERT  ", "alert", True) == click.style("ALERT  ", fg="red", bold=True)
    assert paint("WARNING", "warning", True) == click.style("WARNING", fg="yellow")
    assert paint("INFO   ", "info", True) == "INFO   " and paint("ALERT", "alert", False) == "ALERT"
    monkeypatch.setattr(common, "_isatty", lambda stream: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert common.Terminal().colour
    monkeypatch.setenv("NO_COLOR", "1")
    assert not common.Terminal().colour
    monkeypatch.setattr(common, "_isatty", lambda stream: False)
    monkeypatch.delenv("NO_COLOR")
    assert not common.Terminal().colour


def test_plurals_and_one_date_format():
    from hamstring_analyzer import units as u

    assert [u.plural(n, "run") for n in (0, 1, 2)] == ["0 runs", "1 run", "2 runs"]
    assert u.plural(1, "entry", "entries") == "1 entry"
    import datetime as dt

    assert u.date_span(dt.date(2026, 5, 5), dt.date(2026, 10, 4)) == "5 May 2026 to 4 Oct 2026"
    assert u.date_span(dt.date(2026, 5, 5), dt.date(2026, 5, 5)) == "5 May 2026"
