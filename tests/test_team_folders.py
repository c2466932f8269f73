"""A team's files (issue 27): roster files only from inside the root and only regular, and ``--out`` inside the root
never read back as athletes. Each hostile case has a good athlete beside it, still analysed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main
from hamstring_analyzer.errors import OutputError
from hamstring_analyzer.render.html import page
from hamstring_analyzer.team import Athlete, read_roster
from hamstring_analyzer.team_folders import REPORT_MARK, is_report_output, place_reports, roster_file

from .conftest import SAMPLE_RUNS

GARMIN = SAMPLE_RUNS / "export" / "garmin"
FILES = ("2026-05-08-07-00.fit", "2026-05-10-08-00.fit", "2026-05-14-07-00.fit", "2026-05-17-08-00.fit",
         "2026-05-21-07-00.fit", "2026-05-24-08-00.fit")  # fmt: skip
WEEK = "2026-05-18"
SECRET = "a note that lives outside the team"
LOG = f"date,severity,side,location,kind,when,note\n2026-05-19,4,left,mid thigh,pain,after run,{SECRET}\n"


def _athlete_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in FILES:
        shutil.copy(GARMIN / name, folder / name)
    return folder


def _hostile_root(tmp_path: Path) -> Path:
    """A team of one good athlete ("Good") and one athlete per hostile roster entry."""
    root = tmp_path / "team"
    _athlete_folder(root / "good")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "log.csv").write_text(LOG, encoding="utf-8")
    (outside / "coach.toml").write_text('units = "mi"\n', encoding="utf-8")
    os.mkfifo(root / "fifo.csv")
    os.mkfifo(root / "fifo.toml")
    (root / "good" / "notes").mkdir()
    (root / "link.csv").symlink_to(outside / "log.csv")  # inside by name, outside once the link is followed
    entries = {
        "Pipe Log": ("symptoms", "fifo.csv"),
        "Pipe Config": ("config", "fifo.toml"),
        "Folder Log": ("symptoms", "good/notes"),
        "Passwd": ("symptoms", "/etc/passwd"),
        "Dot Dot": ("symptoms", "../outside/log.csv"),
        "Outside Config": ("config", str(outside / "coach.toml")),
        "Link": ("symptoms", "link.csv"),
        "Missing": ("config", "nowhere.toml"),
    }
    roster = ['[[athlete]]\nname = "Good"\nfolder = "good"\n']
    for i, (name, (key, value)) in enumerate(entries.items()):
        (root / f"a{i}").mkdir()
        roster.append(f'[[athlete]]\nname = "{name}"\nfolder = "a{i}"\n{key} = {json.dumps(value)}\n')
    (root / "roster.toml").write_text("\n".join(roster), encoding="utf-8")
    return root


REASONS = {
    "Pipe Log": "roster.toml: symptoms = 'fifo.csv' is not a regular file (a pipe or device); refused",
    "Pipe Config": "roster.toml: config = 'fifo.toml' is not a regular file (a pipe or device); refused",
    "Folder Log": "roster.toml: symptoms = 'good/notes' is a folder; refused",
    "Passwd": "roster.toml: symptoms = '/etc/passwd' is outside the team root; refused",
    "Dot Dot": "roster.toml: symptoms = '../outside/log.csv' is outside the team root; refused",
    "Link": "roster.toml: symptoms = 'link.csv' is outside the team root; refused",
    "Missing": "roster.toml: config = 'nowhere.toml': no such file under the team root",
}


def test_roster_files_outside_the_root_or_not_regular_are_refused_in_one_line(tmp_path):
    root = _hostile_root(tmp_path)
    athletes = {a.name: a for a in read_roster(root)}  # returns at once: no pipe is opened
    assert athletes["Good"].problem is None
    for name, reason in REASONS.items():
        assert athletes[name].problem == reason
        assert athletes[name].symptoms is None and athletes[name].config_file is None
    outside = athletes["Outside Config"].problem
    assert outside.startswith("roster.toml: config = '") and outside.endswith("' is outside the team root; refused")


def test_a_team_with_hostile_roster_files_finishes_and_reads_nothing_outside(tmp_path):
    """Before, a pipe blocked the whole run; /etc/passwd was parsed and quoted on the team page; ../outside/log.csv's note
    was in the report; a config outside the root was applied."""
    root = _hostile_root(tmp_path)
    out = tmp_path / "out"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-m", "hamstring_analyzer", "team", str(root), "--out", str(out), "--json", str(tmp_path / "team.json"),
           "--week", WEEK, "--no-cache", "--workers", "1", "-q"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = {r["athlete"]: r for r in json.loads((tmp_path / "team.json").read_text(encoding="utf-8"))["athletes"]}
    assert rows["Good"]["error"] is None and rows["Good"]["runs"] == 2 and rows["Good"]["distance_m"] > 15000
    for name, reason in REASONS.items():
        assert rows[name]["error"] == reason and rows[name]["report"] is None
    written = "".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*.html")) + done.stdout
    assert SECRET not in written and "root:x:0:0" not in written
    assert "1 of 9 athletes analysed" in done.stdout and "Pipe Config" in done.stdout


def test_a_default_symptom_log_linked_outside_the_athletes_folder_is_refused(tmp_path):
    root = tmp_path / "team"
    (root / "ana").mkdir(parents=True)
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    (root / "ana" / "symptoms.csv").symlink_to(tmp_path / "log.csv")
    (root / "bo").mkdir()
    (root / "bo" / "symptoms.csv").write_text(LOG, encoding="utf-8")
    athletes = {a.name: a for a in read_roster(root)}
    assert athletes["ana"].symptoms is None
    assert athletes["ana"].problem == "ana/symptoms.csv is outside their folder; refused"
    assert athletes["bo"].problem is None and athletes["bo"].symptoms == (root / "bo" / "symptoms.csv").resolve()
    elsewhere = _athlete_folder(tmp_path / "synced" / "cy")  # an athlete's folder linked into the root: their log is theirs
    (elsewhere / "symptoms.csv").write_text(LOG, encoding="utf-8")
    (root / "cy").symlink_to(elsewhere)
    cy = next(a for a in read_roster(root) if a.name == "cy")
    assert cy.problem is None and cy.symptoms == elsewhere.resolve() / "symptoms.csv"


def test_roster_file_checks_before_opening(tmp_path):
    os.mkfifo(tmp_path / "p")
    (tmp_path / "f.csv").write_text("x", encoding="utf-8")
    assert roster_file(tmp_path.resolve(), "f.csv", "w") == ((tmp_path / "f.csv").resolve(), None)
    assert roster_file(tmp_path.resolve(), "p", "w") == (None, "w is not a regular file (a pipe or device); refused")
    assert roster_file(tmp_path.resolve(), "sub/../../x", "w")[1] == "w is outside the team root; refused"
    assert roster_file(tmp_path.resolve(), ".", "w")[1] == "w is outside the team root; refused"


# -- --out inside the team root -------------------------------------------------


def _team(root: Path, out: Path, tmp_path: Path) -> tuple[int, dict, str]:
    json_path = tmp_path / "team.json"
    result = CliRunner().invoke(main, ["team", str(root), "--out", str(out), "--json", str(json_path), "--week", WEEK,
                                       "--cache-dir", str(tmp_path / "cache"), "--workers", "1", "-q"])  # fmt: skip
    doc = json.loads(json_path.read_text(encoding="utf-8")) if result.exit_code == 0 else {}
    return result.exit_code, doc, result.output


def _two_athletes(tmp_path: Path) -> Path:
    root = tmp_path / "team"
    _athlete_folder(root / "ana")
    _athlete_folder(root / "lima")
    (root / "roster.toml").write_text('[[athlete]]\nname = "Ana Lima"\nfolder = "lima"\n', encoding="utf-8")
    return root


@pytest.mark.parametrize("where", ["the root", "a folder of the root", "an empty folder made before"])
def test_out_inside_the_root_run_twice_lists_no_phantom_athlete(tmp_path, where):
    root = _two_athletes(tmp_path)
    out = {"the root": root, "a folder of the root": root / "reports", "an empty folder made before": root / "pages"}[where]
    if where == "an empty folder made before":
        out.mkdir()
    for _ in range(3):  # the first run writes the reports, the next ones must not take them for athletes
        code, doc, output = _team(root, out, tmp_path)
        assert code == 0, output
        rows = {r["athlete"]: r for r in doc["athletes"]}
        assert set(rows) == {"ana", "Ana Lima"}
        assert all(r["error"] is None and r["runs"] == 2 for r in rows.values())
    assert rows["Ana Lima"]["report"].startswith("Ana-Lima-") and (out / rows["Ana Lima"]["report"]).is_file()
    if out == root:  # ana's own folder is her export: her reports go beside it, never into it
        assert rows["ana"]["report"] == "ana-report/week-2026-05-18.html"
        assert sorted(p.name for p in (root / "ana").iterdir()) == sorted(FILES)
    else:
        assert rows["ana"]["report"] == "ana/week-2026-05-18.html" and (out / REPORT_MARK).is_file()


def test_report_folders_of_an_older_run_are_not_athletes(tmp_path):
    """Report folders written before the mark existed hold only weekly pages; an output folder, our page index.html."""
    root = _two_athletes(tmp_path)
    old = root / "Ana-Lima-1a2b3c4d"
    old.mkdir()
    (old / "week-2026-05-11.html").write_text("<html></html>", encoding="utf-8")
    (old / "week-2026-05-11.png").write_bytes(b"\x89PNG")
    site = root / "site"  # an older `team --out ROOT/site`: the team page, a report folder, the JSON
    (site / "Ana-Lima-1a2b3c4d").mkdir(parents=True)
    (site / "index.html").write_text(page("Team, week of 11 May 2026", "<p>rows</p>"), encoding="utf-8")
    (site / "team.json").write_text("{}", encoding="utf-8")
    os.mkfifo(root / "ana" / "index.html")  # never waited on
    assert is_report_output(old) and is_report_output(site) and not is_report_output(root / "ana")
    assert {a.name for a in read_roster(root)} == {"ana", "Ana Lima"}


def test_out_inside_an_athletes_export_is_refused_in_one_line(tmp_path):
    root = _two_athletes(tmp_path)
    code, _, output = _team(root, root / "ana" / "reports", tmp_path)
    assert code == 1
    assert output.strip() == (f"Error: {(root / 'ana' / 'reports').resolve()}: inside the export of athlete 'ana'; their "
                               "reports would be read as their runs (choose another --out folder)")  # fmt: skip
    assert not (root / "ana" / "reports").exists()


def test_report_folders_never_overlap_an_export(tmp_path):
    out = tmp_path.resolve()
    athletes = [Athlete(name="ana", path=out / "ana"), Athlete(name="ana-report", path=out / "ana-report"),
                Athlete(name="Bo", path=out / "group" / "Bo")]  # fmt: skip
    place_reports(athletes, out, lambda name: name)
    assert [a.report_folder for a in athletes] == ["ana-report2", "ana-report-report", "Bo"]
    with pytest.raises(OutputError, match="inside the export of athlete 'Bo'"):
        place_reports(athletes, out / "group" / "Bo", lambda name: name)
