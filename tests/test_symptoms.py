"""The symptom log: round trip, strict reading with line numbers, safe appends, CLI."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.cli import main
from hamstring_analyzer.errors import SymptomLogError
from hamstring_analyzer.symptoms import SymptomEntry, add_entry, parse_log, read_log

from .conftest import REPO, examples

HEADER = "date,severity,side,location,kind,when,note\n"


def test_round_trip(tmp_path):
    log = tmp_path / "log.csv"
    a = SymptomEntry(dt.date(2026, 3, 2), 3, "right", "upper near the sit bone", "tightness", "after run", "after 6 x 800")
    b = SymptomEntry(dt.date(2026, 3, 4), 5, "left", "mid thigh", "burning", "during run", 'note, with a comma and "quotes"')
    add_entry(log, a)
    add_entry(log, b)
    assert read_log(log) == [a, b]
    assert log.read_text().splitlines()[0] == HEADER.strip()
    assert read_log(tmp_path / "missing.csv") == []


def test_hand_edited_log_is_kept_byte_for_byte(tmp_path):
    log = tmp_path / "log.csv"
    original = "severity,date,kind\r\n4,2026-03-01,pain\r\n\r\n2,2026-03-02,cramp"  # own column order, CRLF, no final newline
    log.write_bytes(original.encode())
    add_entry(log, SymptomEntry(dt.date(2026, 3, 3), 1, kind="fatigue"))
    data = log.read_bytes()
    assert data.startswith(original.encode() + b"\r\n")
    entries = read_log(log)
    assert [(e.date.day, e.severity, e.kind) for e in entries] == [(1, 4, "pain"), (2, 2, "cramp"), (3, 1, "fatigue")]
    with pytest.raises(SymptomLogError, match="has no column note"):
        add_entry(log, SymptomEntry(dt.date(2026, 3, 4), 1, note="hello"))


@pytest.mark.parametrize(
    "line, reason",
    [
        ("2026-03-02,eleven,left,,pain,after run,", "line 3: severity 'eleven' is not a whole number from 0 to 10"),
        ("2026-03-02,11,left,,pain,after run,", "line 3: severity '11' is not a whole number from 0 to 10"),
        ("2026-02-30,3,left,,pain,after run,", "line 3: date '2026-02-30' is not a date like 2026-03-30"),
        ("2026-03-02,3,front,,pain,after run,", "line 3: side 'front' is not one of left, right, both"),
        ("2026-03-02,3,left,,ache,after run,", "line 3: kind 'ache' is not one of tightness, fatigue, burning, pain, cramp"),
        ("2026-03-02,3,left,,pain,morning,", "line 3: when 'morning' is not one of during run, after run, next day, sitting"),
        ("2026-03-02,3,left,,pain,after run,a,b", "line 3: 8 fields, the header has 7 (a comma in a note needs quotes)"),
    ],
)
def test_malformed_line_is_refused_with_its_number_and_the_file_left_alone(tmp_path, line, reason):
    log = tmp_path / "log.csv"
    text = HEADER + "2026-03-01,2,right,mid thigh,tightness,after run,ok\n" + line + "\n"
    log.write_text(text)
    with pytest.raises(SymptomLogError) as err:
        read_log(log)
    assert str(err.value) == f"{log}, {reason}"
    with pytest.raises(SymptomLogError):
        add_entry(log, SymptomEntry(dt.date(2026, 3, 5), 1))
    assert log.read_text() == text


def test_bad_header_and_encoding(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("day,pain\n2026-03-01,3\n")
    with pytest.raises(SymptomLogError, match=r"line 1: the header must name the columns date, severity"):
        read_log(log)
    log.write_bytes(HEADER.encode() + b"2026-03-01,3,left,\xff\xfe,pain,after run,\n")
    with pytest.raises(SymptomLogError, match="line 2: not UTF-8 text"):
        read_log(log)


def test_a_crash_mid_append_leaves_the_log_intact(tmp_path):
    log = tmp_path / "log.csv"
    for day in range(1, 4):
        add_entry(log, SymptomEntry(dt.date(2026, 3, day), day))
    before = log.read_bytes()
    # The process dies (SIGKILL) after writing the new file and before the rename.
    script = textwrap.dedent(
        f"""
        import datetime as dt, os, signal
        import hamstring_analyzer.atomic as atomic
        from hamstring_analyzer.symptoms import SymptomEntry, add_entry
        def die(src, dst):
            os.kill(os.getpid(), signal.SIGKILL)
        atomic.os.replace = die
        add_entry({str(log)!r}, SymptomEntry(dt.date(2026, 3, 9), 7))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True)
    assert proc.returncode == -9
    assert log.read_bytes() == before
    assert len(read_log(log)) == 3
    add_entry(log, SymptomEntry(dt.date(2026, 3, 9), 7))  # the next add works, leftovers or not
    assert [e.severity for e in read_log(log)] == [1, 2, 3, 7]


@settings(max_examples=examples(200))
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_reads_or_is_refused_with_a_line(text):
    try:
        entries = parse_log(HEADER + text, "log.csv")
    except SymptomLogError as exc:
        assert str(exc).startswith("log.csv, line ")
    else:
        assert all(0 <= e.severity <= 10 for e in entries)


def test_cli_add_and_list(tmp_path):
    log = tmp_path / "log.csv"
    runner = CliRunner()
    r = runner.invoke(main, ["symptoms", "add", str(log), "--date", "2026-03-02", "--severity", "4", "--side", "right",
                             "--location", "upper near the sit bone", "--kind", "pain", "--when", "sitting", "--note", "desk day"])  # fmt: skip
    assert r.exit_code == 0 and r.output == f"Added Mon 2 Mar 2026: pain, severity 4, right, sitting, upper near the sit bone to {log}\n"
    r = runner.invoke(main, ["symptoms", "add", str(log), "--severity", "2"])
    today = dt.date.today()
    assert r.exit_code == 0 and r.output == f"Added {today:%a} {today.day} {today:%b %Y}: severity 2 to {log}\n"
    # what the runner did not say stays blank: no side, kind or when made up
    assert log.read_text().splitlines()[-1] == f"{today.isoformat()},2,,,,,"
    r = runner.invoke(main, ["symptoms", "list", str(log)])
    assert r.exit_code == 0
    assert "Mon 2 Mar 2026" in r.output and "desk day" in r.output and "sitting" in r.output
    r = runner.invoke(main, ["symptoms", "add", str(log), "--severity", "12"])
    assert r.exit_code == 2 and "0<=x<=10" in r.output
    log.write_text(log.read_text() + "not,a,valid,row\n")
    before = log.read_bytes()
    r = runner.invoke(main, ["symptoms", "add", str(log), "--severity", "3"])
    assert r.exit_code == 1 and r.output.strip() == f"Error: {log}, line 4: date 'not' is not a date like 2026-03-30"
    assert log.read_bytes() == before
    r = runner.invoke(main, ["symptoms", "list", str(log)])
    assert r.exit_code == 1 and "line 4" in r.output


def test_new_log_gets_ordinary_permissions(tmp_path):
    log = tmp_path / "log.csv"
    add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 1))
    mask = os.umask(0)
    os.umask(mask)
    assert log.stat().st_mode & 0o777 == 0o666 & ~mask


def test_cli_side_kind_and_when_are_case_insensitive_like_the_csv(tmp_path):
    log = tmp_path / "log.csv"
    r = CliRunner().invoke(main, ["symptoms", "add", str(log), "--date", "2026-03-02", "--severity", "3", "--side", "Right", "--kind", "PAIN",
                                  "--when", "After Run"])  # fmt: skip
    assert r.exit_code == 0 and r.output == f"Added Mon 2 Mar 2026: pain, severity 3, right, after run to {log}\n"
    assert log.read_text().splitlines()[-1] == "2026-03-02,3,right,,pain,after run,"
    assert read_log(log) == [SymptomEntry(dt.date(2026, 3, 2), 3, "right", "", "pain", "after run")]


def test_blank_side_kind_and_when_read_as_not_given(tmp_path):
    entries = parse_log(HEADER + "2026-03-02,4,,mid thigh,,,\n2026-03-03,5,Left,,Pain,,\n", "log.csv")
    assert entries == [SymptomEntry(dt.date(2026, 3, 2), 4, "", "mid thigh", "", "", ""), SymptomEntry(dt.date(2026, 3, 3), 5, "left", "", "pain", "", "")]
    from hamstring_analyzer.insights import episodes

    assert [ep.kinds for ep in episodes(entries)] == [["pain"]]  # a blank kind is not listed as one


# ------------------------------------------- entry without surprises (issue 28) --


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("text", ["2026/13/01", "2026-13-01", "2026-02-30", "07-12-2026", "yesterday", ""])
def test_cli_a_bad_date_is_one_line_with_the_format_and_an_example(tmp_path, text):
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "2026-03-01,2,left,,pain,after run,first\n")
    before = log.read_bytes()
    r = CliRunner().invoke(main, ["symptoms", "add", str(log), "--date", text, "--severity", "3"])
    today = dt.date.today()
    assert r.exit_code == 1
    assert r.output == f"Error: --date {text}: not a date; give it as YYYY-MM-DD, e.g. {today.isoformat()}\n"
    assert log.read_bytes() == before and _listing(tmp_path) == ["log.csv"]


@pytest.mark.parametrize("days_ahead", [1, 400])
def test_cli_a_date_after_today_is_refused_and_the_log_is_untouched(tmp_path, days_ahead):
    log = tmp_path / "log.csv"
    log.write_bytes(b"date,severity,note\r\n2026-03-01,2,hand typed\r\n")
    before = log.read_bytes()
    today = dt.date.today()
    later = (today + dt.timedelta(days=days_ahead)).isoformat()
    runner = CliRunner()
    r = runner.invoke(main, ["symptoms", "add", str(log), "--date", later, "--severity", "3"])
    assert r.exit_code == 1
    assert r.output == f"Error: --date {later}: after today ({today.isoformat()}); log a symptom once you have felt it\n"
    assert log.read_bytes() == before and _listing(tmp_path) == ["log.csv"]
    # a new log is not created by a refused add either
    r = runner.invoke(main, ["symptoms", "add", str(tmp_path / "new.csv"), "--date", later, "--severity", "3"])
    assert r.exit_code == 1 and _listing(tmp_path) == ["log.csv"]
    # today itself is fine
    r = runner.invoke(main, ["symptoms", "add", str(log), "--date", today.isoformat(), "--severity", "3"])
    assert r.exit_code == 0, r.output
    assert log.read_bytes() == before + f"{today.isoformat()},3,\r\n".encode()


@pytest.mark.parametrize("folder", ["nope", "nope/deeper"])
def test_cli_add_into_a_missing_folder_is_refused_and_never_creates_it(tmp_path, folder):
    log = tmp_path / folder / "log.csv"
    r = CliRunner().invoke(main, ["symptoms", "add", str(log), "--date", "2026-03-02", "--severity", "3"])
    assert r.exit_code == 1
    assert r.output == f"Error: {log}: cannot add the entry: the folder {log.parent} does not exist (create it first)\n"
    assert _listing(tmp_path) == []
    with pytest.raises(SymptomLogError, match="does not exist"):
        add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 3))  # the library refuses it too
    assert _listing(tmp_path) == []


def test_cli_add_with_a_relative_path_names_the_folder_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = os.path.join("missing", "log.csv")
    r = CliRunner().invoke(main, ["symptoms", "add", shown, "--date", "2026-03-02", "--severity", "3"])
    assert _listing(tmp_path) == []
    assert r.exit_code == 1
    assert r.output == f"Error: {shown}: cannot add the entry: the folder missing does not exist (create it first)\n"
