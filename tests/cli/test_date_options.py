"""Date options name a day a runner could mean: a year like 9999 is refused in one line, not an internal error."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main

from ..conftest import SAMPLE_RUNS


@pytest.mark.parametrize("command, option, day", [
    (command, "--until", day) for command in ("analyze", "plan", "report") for day in ("9999-12-31", "1969-12-31")
] + [("analyze", "--since", "0001-01-01")])  # fmt: skip
def test_a_day_out_of_range_is_one_line(command, option, day, tmp_path):
    result = CliRunner().invoke(main, [command, str(SAMPLE_RUNS), option, day, "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 2
    assert f"Error: Invalid value for '{option}': {day} is out of range; give a day between 1970 and 2200" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "cache").exists()  # refused before anything was read


def test_the_last_day_in_range_plans(tmp_path):
    result = CliRunner().invoke(main, ["plan", str(SAMPLE_RUNS), "--until", "2200-12-31", "--cache-dir", str(tmp_path / "cache"), "-q"])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
