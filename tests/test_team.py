"""``hamstring-analyzer team``: roster, per-athlete config, a broken athlete among good ones, the JSON contract, the page."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main
from hamstring_analyzer.glossary import DISCLAIMER
from hamstring_analyzer.render.triage import render_team_page, triage_text
from hamstring_analyzer.synthetic_cohort import cohort_athletes, write_folder_cohort
from hamstring_analyzer.team import (
    Athlete,
    RosterError,
    Team,
    athlete_folder,
    athlete_row,
    read_roster,
    symptom_trend,
)

from .conftest import SAMPLE_RUNS

WEEK = dt.date(2026, 7, 6)  # the 10th week of the generated history

ROSTER = """
[defaults]
units = "km"

[[athlete]]
name = "Bea Moreno"
folder = "athlete-1"
symptoms = "bea-symptoms.csv"
units = "mi"
[athlete.runner]
max_heart_rate = 191

[[athlete]]
name = "Dan"
folder = "athlete-2"
[athlete.weekly_mileage_jump]
warn_pct = "ten"
"""


@pytest.fixture(scope="module")
def team_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("team")
    athletes = cohort_athletes(3, weeks=10, start=dt.date(2026, 5, 4), seed=1)
    write_folder_cohort(root, athletes, sample_every_s=30)
    for fit in (root / "athlete-0").glob("2026-07-*.fit"):  # athlete-0 stopped before the team's week
        fit.unlink()
    (root / "broken").mkdir()
    (root / "broken" / "run.fit").write_bytes(b"not a fit file at all")
    (root / "roster.toml").write_text(ROSTER, encoding="utf-8")
    (root / "bea-symptoms.csv").write_text(
        "date,severity,side,location,kind,when,note\n2026-06-30,2,left,mid thigh,tightness,after run,\n"
        "2026-07-08,5,left,mid thigh,pain,after run,\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def team_run(team_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("team-out")
    json_path = out / "team.json"
    cache = tmp_path_factory.mktemp("cache")
    result = CliRunner().invoke(
        main, ["team", str(team_root), "--out", str(out), "--json", str(json_path), "--week", WEEK.isoformat(),
               "--cache-dir", str(cache), "--workers", "2"], catch_exceptions=False,
    )  # fmt: skip
    return result, out, json.loads(json_path.read_text(encoding="utf-8"))


def test_roster_names_folders_and_takes_the_others_by_folder_name(team_root):
    athletes = {a.name: a for a in read_roster(team_root)}
    assert set(athletes) == {"Bea Moreno", "Dan", "athlete-0", "broken"}
    assert athletes["Bea Moreno"].settings == {"units": "mi", "runner": {"max_heart_rate": 191}}
    assert athletes["Bea Moreno"].config().units == "mi" and athletes["Bea Moreno"].config().runner.max_heart_rate == 191
    assert athletes["athlete-0"].settings == {"units": "km"}
    assert athletes["Bea Moreno"].symptoms.name == "bea-symptoms.csv"


def test_team_reports_the_good_athletes_and_lists_the_broken_ones_with_their_reason(team_run):
    result, out, doc = team_run
    assert result.exit_code == 0
    rows = {r["athlete"]: r for r in doc["athletes"]}
    assert doc["week_start"] == WEEK.isoformat()
    assert rows["broken"]["error"] == "broken: no runs found: 1 file unreadable (unrecognised content)"
    assert rows["Dan"]["error"].startswith("roster.toml: weekly_mileage_jump.warn_pct: expected a number")
    assert rows["Bea Moreno"]["runs"] > 0 and rows["athlete-0"]["runs"] == 0  # athlete-0 stopped running before it
    for name in ("Bea Moreno", "athlete-0"):
        assert rows[name]["error"] is None
        assert rows[name]["report"] == f"{athlete_folder(name)}/week-{rows[name]['report_week']}.html"  # Bea-Moreno-98be794c
        if rows[name]["runs"]:
            assert rows[name]["distance_m"] > 10000 and rows[name]["report_week"] == WEEK.isoformat()
        else:  # stopped before the team's week: their own last complete week is reported
            assert rows[name]["distance_m"] == 0.0 and rows[name]["report_week"] < WEEK.isoformat() and rows[name]["last_run"] < WEEK.isoformat()
        assert (out / rows[name]["report"]).is_file()
    # errors first, then the most alerts and warnings (episodes, then flags)
    order = [r["athlete"] for r in doc["athletes"]]
    assert order[:2] == ["broken", "Dan"]  # by name, case aside
    good = [r for r in doc["athletes"] if r["error"] is None]
    keys = [(-r["episodes"]["alert"], -r["episodes"]["warning"], -r["episodes"]["info"], -r["flags"]["alert"], -r["flags"]["warning"]) for r in good]
    assert keys == sorted(keys)


def test_team_json_keeps_the_contract(team_run):
    _, _, doc = team_run
    assert set(doc) >= {"week_start", "athletes"}
    for row in doc["athletes"]:
        assert set(row) >= {"athlete", "distance_m", "change_pct", "speedwork_share", "flags", "flag_rules", "error"}
        assert set(row["flags"]) == {"alert", "warning", "info"}
        assert all(isinstance(v, int) for v in row["flags"].values())
        # added with episodes: counts, (severity, rule, kind) worst first, and the one read first
        assert set(row["episodes"]) == {"alert", "warning", "info"} and all(isinstance(v, int) for v in row["episodes"].values())
        assert isinstance(row["episode_rules"], list) and (row["lead_episode"] is None) == (not row["episode_rules"])


def test_athlete_in_miles_gets_miles_and_their_symptom_trend(team_run):
    result, out, doc = team_run
    bea = next(r for r in doc["athletes"] if r["athlete"] == "Bea Moreno")
    assert bea["units"] == "mi" and bea["symptom_trend"] == "worse 2->5/10"
    page = (out / bea["report"]).read_text(encoding="utf-8")
    miles = f"{bea['distance_m'] / 1609.344:,.1f} mi"
    assert miles in page and " km<" not in page
    assert any(line.startswith("Bea Moreno") and miles in line for line in result.output.splitlines())


def test_team_page_is_readable_on_a_phone_and_links_every_report(team_run):
    _, out, doc = team_run
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert ".scroll{overflow-x:auto" in page and "<div class=\"scroll\"><table>" in page
    assert DISCLAIMER in page
    for row in doc["athletes"]:
        if row["report"]:
            assert f"<a href='{row['report']}'>" in page
    assert "Could not be analysed: broken: no runs found" in page
    # rows in the JSON's order
    names = re.findall(r"<tr(?: class='error')?><td class='name'>(?:<a href='[^']*'>)?([^<]+)", page)
    assert names == [r["athlete"] for r in doc["athletes"]]


def test_terminal_triage_fits_80_columns(team_run):
    result, _, doc = team_run
    lines = result.output.splitlines()
    shown = [line for line in lines if not line.startswith("Wrote ")]
    assert all(len(line) <= 80 for line in shown), max(shown, key=len)
    assert "Not medical advice" in result.output
    assert "2 of 4 athletes analysed" in result.output
    assert any(line.startswith("broken") and "ERROR broken: no runs found" in line for line in lines)
    assert "…" not in result.output  # nothing cut


@pytest.mark.parametrize("columns", [160, 80, 60])
def test_terminal_triage_uses_the_terminals_width_and_wraps_reasons_whole(columns, tmp_path):
    """Before, the note was cut at 80 columns whatever the terminal: "ERROR cy: no runs found (1 ski…" at 160."""
    root = tmp_path / "team"
    _ride_and_truncated_fit(root / "cy")
    (root / "Dan").mkdir()
    (root / "roster.toml").write_text("[[athlete]]\nname = 'Dan'\nfolder = 'Dan'\n[athlete.weekly_mileage_jump]\nwarn_pct = 'ten'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["team", str(root), "--out", str(tmp_path / "out"), "--no-cache", "--workers", "1", "--quiet",
                                       "--week", WEEK.isoformat()], env={"COLUMNS": str(columns)})  # fmt: skip
    assert result.exit_code == 1  # no athlete could be analysed; the table says why for each
    table = result.output.split("Note\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert all(len(line) <= columns for line in table) and "…" not in result.output
    assert max(len(line) for line in table) > columns - 20  # the width is used, not 80 whatever the terminal
    joined = " ".join(" ".join(table).split())
    assert "cy ERROR cy: no runs found: 1 cycling ride, 1 file unreadable (truncated FIT)" in joined
    assert "Dan ERROR roster.toml: weekly_mileage_jump.warn_pct: expected a number" in joined
    if columns == 160:
        assert table[0].rstrip() == "cy      ERROR cy: no runs found: 1 cycling ride, 1 file unreadable (truncated FIT)"


def test_bad_roster_is_one_line_naming_the_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "roster.toml").write_text("[[athlete]]\nname = 'x'\nfolder = \n", encoding="utf-8")
    result = CliRunner().invoke(main, ["team", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / 'roster.toml'}: not valid TOML (")
    assert len(result.output.strip().splitlines()) == 1
    (tmp_path / "roster.toml").write_text("[[athlete]]\nname = 'x'\nfolder = '../elsewhere'\n", encoding="utf-8")
    with pytest.raises(RosterError, match="outside the team root"):
        read_roster(tmp_path)


def test_no_athlete_analysed_exits_1(tmp_path):
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "x.gpx").write_text("<gpx></gpx>", encoding="utf-8")
    result = CliRunner().invoke(main, ["team", str(tmp_path), "--out", str(tmp_path / "out"), "--no-cache", "--workers", "1"])
    assert result.exit_code == 1
    assert "no athlete could be analysed" in result.output


def test_symptom_trend_words():
    from hamstring_analyzer.symptoms import check_entry

    def entry(day, sev):
        return check_entry({"date": day, "severity": str(sev), "side": "left", "location": "", "kind": "pain", "when": "after run", "note": ""}, "t")

    week = dt.date(2026, 7, 6)
    assert symptom_trend([], week) == "none logged"
    assert symptom_trend([entry("2026-07-07", 3)], week) == "new 3/10"
    assert symptom_trend([entry("2026-06-30", 4), entry("2026-07-07", 3)], week) == "better 4->3/10"
    assert symptom_trend([entry("2026-06-30", 4)], week) == "none logged (was 4/10)"


def test_team_page_fits_a_phone_in_headless_chromium(team_run, tmp_path):
    """At 375 px the page itself does not scroll sideways (the table scrolls inside its box)."""
    import os
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        if os.environ.get("HAMSTRING_REQUIRE_CHROMIUM") == "1":
            pytest.fail("HAMSTRING_REQUIRE_CHROMIUM=1 but no chromium on PATH")
        pytest.skip("Chromium is not installed (.ci/run installs it)")
    _, out, _ = team_run
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium, *flags, "--window-size=375,800", "--dump-dom", (out / "index.html").resolve().as_uri()],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert 'data-page-fits="yes"' in dom.stdout, dom.stderr[-2000:]


def test_team_json_to_standard_output_and_a_missing_folder_refused_first(team_root, team_run, tmp_path):
    _, _, doc = team_run
    cache = team_run[1].parent / "cache-stdout"
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    result = runner.invoke(
        main, ["team", str(team_root), "--out", str(tmp_path / "site"), "--json", "-", "--week", WEEK.isoformat(),
               "--cache-dir", str(cache), "--workers", "2"], catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(result.stdout) == doc  # standard output holds the JSON alone; the triage went to standard error
    assert not (tmp_path / "-").exists()
    missing = tmp_path / "no-such-folder" / "team.json"
    result = CliRunner().invoke(main, ["team", str(team_root), "--out", str(tmp_path / "site2"), "--json", str(missing)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {missing}: cannot write: the folder {missing.parent} does not exist (create it first)"
    assert not (tmp_path / "site2").exists()  # refused before any athlete was analysed


def _sample_row(week: dt.date, out) -> dict:
    """The sample runner (``sample_runs/``, with its symptom log) as one athlete of a team, for ``week``."""
    sam = Athlete(name="Sam", path=SAMPLE_RUNS, symptoms=SAMPLE_RUNS / "symptoms.csv")
    return athlete_row(sam, week, out, use_cache=False, today=dt.date(2026, 11, 30))


def test_the_row_counts_episodes_and_names_them_worst_first(tmp_path):
    """Sample runner: four low-cadence runs are one warning; a long run of two weeks counts as an alert in both."""
    cadence = _sample_row(dt.date(2026, 7, 6), tmp_path).to_dict()
    assert cadence["error"] is None
    assert cadence["flags"] == {"alert": 0, "warning": 4, "info": 0} and cadence["flag_rules"] == [["warning", "low_cadence"]]
    assert cadence["episodes"] == {"alert": 0, "warning": 1, "info": 0}
    assert cadence["episode_rules"] == [["warning", "low_cadence", "run"]]
    lead = cadence["lead_episode"]
    assert (lead["id"], lead["start"], lead["end"], lead["evidence"], len(lead["flags"])) == ("low_cadence:2026-07-07", "2026-07-07", "2026-07-12", "study", 4)
    assert lead["summary"] == "Low cadence: cadence 166 on 7 Jul, 11 below your own 177"
    # 13 Jul holds the first day of the long run of 19-23 Jul: a warning flag, an alert episode (raised after symptoms)
    spike = _sample_row(dt.date(2026, 7, 13), tmp_path)
    assert spike.flags == {"alert": 0, "warning": 1, "info": 0} and spike.episodes == {"alert": 1, "warning": 0, "info": 0}
    assert spike.lead_episode["summary"] == "One run much longer than before: Thu 23 Jul, 16.5 km, 10% longer than the month's longest (15.0 km)"
    assert spike.data_quality == "1 file unreadable, 1 on doubtful data"  # the 16.5 km on a treadmill
    # 20 Jul: four flags, two episodes (the flat long runs belong to them), worst (then best evidenced, then newest) first
    week = _sample_row(dt.date(2026, 7, 20), tmp_path)
    assert week.flags == {"alert": 1, "warning": 1, "info": 2} and week.episodes == {"alert": 1, "warning": 1, "info": 0}
    assert week.episode_rules == [("alert", "single_run_spike", "long run"), ("warning", "late_run_fatigue", "run")]
    assert week.report == "Sam/week-2026-07-20.html" and "1 alert, 1 warning worth a look this week" in (tmp_path / week.report).read_text()
    # the terminal: episodes in A W I, their rules worst first, 80 columns
    team = Team(root=str(SAMPLE_RUNS), week_start=dt.date(2026, 7, 20), rows=[week])
    text = triage_text(team, width=80)
    assert all(len(line) <= 80 for line in text.splitlines()), text
    # the note wraps under itself, never cut (before: "single_run_spike, late_run_fat…")
    assert text.splitlines()[3:7] == [
        "Athlete  Distance Change Fast  A  W  I  Note",
        "Sam       37.0 km    +9%   0%  1  1  0  single_run_spike, late_run_fatigue;",
        "                                        symptoms new 5/10; 1 file unreadable, 1",
        "                                        on doubtful data",
    ]
    assert "Sam       37.0 km    +9%   0%  1  1  0  single_run_spike, late_run_fatigue; symptoms new 5/10; 1 file unreadable, 1 on doubtful data" in (
        triage_text(team, width=160).splitlines())
    assert "one per episode: a return, a ramp, a long run... however many flags it holds." in " ".join(text.splitlines())
    assert "Change: against the athlete's week before. Fast: the share run at or near their threshold pace." in " ".join(text.splitlines())
    # the page: the badges count episodes; the lead in one line, then the kinds and rules
    page = render_team_page(team)
    assert "<span class='sev sev-alert' title='alert'>1</span>" in page and "<span class='sev sev-none' title='info'>0</span>" in page
    assert ("<span class='lead'>One run much longer than before: Thu 23 Jul, 16.5 km, 10% longer than the month&#x27;s longest "
            "(15.0 km)</span><br><span class='rules'>long run (single_run_spike), late_run_fatigue</span>") in page  # fmt: skip


@pytest.mark.parametrize("a, b", [("Ana Lima", "Ana-Lima"), ("Zoé", "Zoë"), ("张伟", "李娜")])
def test_athletes_whose_names_slug_alike_get_their_own_folders(a, b, tmp_path):
    """Before, each pair shared one report folder, and one athlete's link showed the other's week."""
    assert athlete_folder(a) != athlete_folder(b)
    assert athlete_folder("Sam") == "Sam" and re.fullmatch(r"Ana-Lima-[0-9a-f]{8}", athlete_folder("Ana Lima"))
    rows = [athlete_row(Athlete(name=name, path=SAMPLE_RUNS), dt.date(2026, 7, 6), tmp_path, use_cache=False, today=dt.date(2026, 11, 30))
            for name in (a, b)]  # fmt: skip
    assert rows[0].report != rows[1].report
    assert all((tmp_path / row.report).is_file() for row in rows)


def _ride_and_truncated_fit(folder):
    """An athlete folder holding no run: a bike ride and a run whose FIT file ends 40 bytes in (a dead battery, a cut copy)."""
    from hamstring_analyzer.synthetic import RunPlan, Segment, simulate, write_fit

    folder.mkdir(parents=True)
    ride = RunPlan(dt.datetime(2026, 7, 7, 7, 0), [Segment(3600, 8.0, 85)], sport="cycling")
    (folder / "ride.fit").write_bytes(write_fit(ride, simulate(ride)))
    run = RunPlan(dt.datetime(2026, 7, 8, 7, 0), [Segment(1800, 3.0, 170)])
    (folder / "run.fit").write_bytes(write_fit(run, simulate(run))[:40])
    return folder


def test_a_broken_athletes_reason_names_the_sport_and_why_the_file_is_unreadable(tmp_path):
    """Before: "cy: no runs found (skipped 1: cycling; could not read 1: run.fit: not a readable FIT file)"."""
    folder = _ride_and_truncated_fit(tmp_path / "team" / "cy")
    row = athlete_row(Athlete(name="cy", path=folder), WEEK, tmp_path / "out", use_cache=False)
    assert row.error == "cy: no runs found: 1 cycling ride, 1 file unreadable (truncated FIT)"
    assert row.report is None and row.runs == 0


def test_no_runs_reason_counts_each_sport_and_each_kind_of_unreadable_file():
    from types import SimpleNamespace

    from hamstring_analyzer.render.triage import no_runs_reason

    export = SimpleNamespace(
        skipped=[{"source": "a.fit", "reason": "not a run (road cycling)"}, {"source": "b.fit", "reason": "not a run (road cycling)"},
                 {"source": "c.gpx", "reason": "not a run (walking)"}, {"source": "d.fit", "reason": "not a run (another sport (Other))"},
                 {"source": "e.fit", "reason": "too short to count as a run (under 2 minutes and 400 m)"},
                 {"source": "f.tcx", "reason": "not a run (a workout)"}],
        errors=[{"source": "g.fit", "error": "not a readable FIT file (ends early: Tried to read 2 bytes from .FIT file but got 1)"},
                {"source": "h.gpx", "error": "not a readable GPX file (mismatched tag: line 3, column 2)"},
                {"source": "i.fit", "error": "not a readable FIT file (ends early: Tried to read 4 bytes from .FIT file but got 3)"}],
        ignored=[{"source": "photo.jpg", "reason": "not an activity file (read: .fit, .gpx ...)"}],
    )  # fmt: skip
    assert no_runs_reason(export) == (
        "2 road cycling rides, 1 activity of another sport (Other), 1 walking activity, 1 workout, 1 too short to count as a run, "
        "3 files unreadable (2 truncated FIT, 1 damaged GPX), 1 file ignored (not an activity file)"
    )
    assert no_runs_reason(SimpleNamespace(skipped=[], errors=[], ignored=[])) == "no files at all"
