"""``team --help`` and ``cohort --help`` show examples, as written (not rewrapped), and each example is a valid command line."""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main


def _examples(help_text: str) -> list[list[str]]:
    """The example command lines of a help text, continuation lines (ending in a backslash) joined."""
    lines, joined = [line.strip() for line in help_text.splitlines()], []
    for line in lines:
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + " " + line
        elif line.startswith("hamstring-analyzer "):
            joined.append(line)
    return [shlex.split(line) for line in joined]


@pytest.mark.parametrize("command, first", [
    ("team", "    hamstring-analyzer team athletes --out monday\n        every athlete under athletes/; open monday/index.html\n"),
    ("cohort", "    hamstring-analyzer cohort daily-log.csv --out tables --workers 4\n"
               "        a daily training log (athlete, date, distance, duration)\n"),
])  # fmt: skip
def test_help_has_examples_that_parse(command, first, tmp_path, monkeypatch):
    result = CliRunner().invoke(main, [command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "  Examples:\n" in result.output and first in result.output  # the \b block: one example a line, not run together
    assert all(len(line) <= 80 for line in result.output.splitlines())
    examples = _examples(result.output)
    assert len(examples) == 3
    monkeypatch.chdir(tmp_path)
    (tmp_path / "athletes").mkdir()
    (tmp_path / "daily-log.csv").write_text("athlete,date,distance,duration\n", encoding="utf-8")
    for argv in examples:
        assert argv[:2] == ["hamstring-analyzer", command]
        cmd = main.commands[command]
        ctx = cmd.make_context(command, argv[2:])  # a usage error (an unknown option, a bad value) raises here
        assert ctx.params["root"] in ("athletes", "daily-log.csv") and ctx.params["out_dir"]


def test_team_help_shows_a_roster():
    result = CliRunner().invoke(main, ["team", "--help"])
    assert '    [[athlete]]\n    name = "Bea Moreno"\n    folder = "bea"' in result.output
