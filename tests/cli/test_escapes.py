"""Issue 27: names and reasons from files are shown, never obeyed, by the terminal.

A file named ``evil\\x1b]0;PWNED\\x07.gpx`` would retitle the window (and worse
sequences could clear the screen or hide text) if printed raw; ``ingest -v`` and
``analyze -v`` show its control characters as ``\\x1b``, ``\\x07`` and keep
ordinary Unicode (成都马拉松, accents) as it is.
"""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from hamstring_analyzer.cli import main
from hamstring_analyzer.safetext import terminal_lines, terminal_safe
from hamstring_analyzer.synthetic import easy_run, write_gpx

EVIL = "evil\x1b]0;PWNED\x07.gpx"
UNICODE = "成都马拉松 Café.gpx"


@pytest.fixture
def hostile_folder(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / EVIL).write_bytes(write_gpx(easy_run(dt.datetime(2026, 5, 5, 7), 8.0)))
    (folder / UNICODE).write_bytes(write_gpx(easy_run(dt.datetime(2026, 5, 9, 7), 10.0)))
    named = write_gpx(easy_run(dt.datetime(2026, 5, 7, 7), 6.0, name="Morning\x1b]0;PWNED\x07\x1b[2J Run"))
    (folder / "named.gpx").write_bytes(named)
    (folder / "clear\x1b[2J\x9b.gpx").write_bytes(b"garbage\x1b]0;X\x07")  # unreadable: its name is in the reason's line
    (folder / "成都马拉松 broken.gpx").write_bytes(b"garbage")
    return folder


@pytest.mark.parametrize("command", ["ingest", "analyze"])
def test_verbose_listing_prints_no_escape_or_bell(hostile_folder, command):
    result = CliRunner(env={"COLUMNS": "100"}).invoke(main, [command, str(hostile_folder), "--no-cache", "--workers", "1", "-v"],
                                                      catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0
    out = result.stdout + result.stderr
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "clear\\x1b[2J\\x9b.gpx: not a FIT, GPX or TCX file" in out  # shown, so the runner can still find the file
    assert "成都马拉松 broken.gpx: not a FIT, GPX or TCX file" in out  # ordinary Unicode as it is
    if command == "ingest":  # -v lists the runs too
        assert "  8.0 km  evil\\x1b]0;PWNED\\x07.gpx" in out and f" 10.0 km  {UNICODE}" in out


def test_errors_naming_a_hostile_path_print_no_escape(tmp_path):
    folder = tmp_path / "ride\x1b]0;PWNED\x07"
    folder.mkdir()
    (folder / "notes.md").write_text("nothing here\n")
    result = CliRunner().invoke(main, ["ingest", str(folder), "--no-cache", "--workers", "1"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "ride\\x1b]0;PWNED\\x07" in result.output and "no runs found" in result.output


def test_terminal_safe_shows_each_control_and_keeps_unicode():
    assert terminal_safe("a\x1b]0;X\x07b\x7f\x9b\u202ec\n\td") == "a\\x1b]0;X\\x07b\\x7f\\x9b\\u202ec\\x0a\\x09d"
    assert terminal_safe("成都马拉松 Zürich 🏃") == "成都马拉松 Zürich 🏃"
    assert terminal_safe("bad\udcff\udc9b.gpx") == "bad\\xff\\x9b.gpx"  # bytes of a name that is not UTF-8
    assert terminal_lines("one\n\ttwo\x1b[2J") == "one\n\ttwo\\x1b[2J"
    assert terminal_lines("\x1b[31mred\x1b[0m \x1b]0;X\x07", colour=True) == "\x1b[31mred\x1b[0m \\x1b]0;X\\x07"


@given(st.text())
def test_terminal_safe_leaves_nothing_a_terminal_obeys(text):
    shown = terminal_safe(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF for c in shown)
    assert "\x1b" not in terminal_lines(text) and "\x07" not in terminal_lines(text)
    assert all(c in shown for c in text if c.isprintable() and c != "\u202e")  # printable text kept
