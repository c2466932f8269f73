"""``sample_runs/README.md`` says what the tool prints on the sample runner: its numbers are checked against a run."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main

from .conftest import SAMPLE_RUNS

README = (SAMPLE_RUNS / "README.md").read_text(encoding="utf-8")


def _run(*args: str) -> str:
    result = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"}).invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def ingested(sample_store, tmp_path_factory):
    """What ``ingest sample_runs`` prints, and its JSON."""
    out = tmp_path_factory.mktemp("sample-readme") / "runs.json"
    text = _run("ingest", str(SAMPLE_RUNS), "--cache-dir", str(sample_store), "--json", str(out))
    return text, json.loads(out.read_text())


def _quoted_output() -> list[str]:
    """The lines of the README's block that follows "What `hamstring-analyzer ingest sample_runs` prints"."""
    after = README.split("What `hamstring-analyzer ingest sample_runs` prints", 1)[1]
    block = after.split("```", 2)[1]
    return [line for line in block.splitlines() if line.strip()]


def test_the_quoted_ingest_lines_are_what_the_tool_prints(ingested):
    text, _ = ingested
    quoted = _quoted_output()
    assert len(quoted) >= 4
    printed = text.splitlines()
    for line in quoted:
        assert line in printed, f"sample_runs/README.md quotes {line!r}; the tool printed:\n{text}"


def test_the_counts_in_words_are_the_tool_s(ingested):
    """Runs, total km, skipped, unreadable and ignored, as the prose says them, against the tool's JSON."""
    text, data = ingested
    said = re.search(
        r"That is (\d+) runs, ([\d.]+) km in all; (\d+) skipped .*?; (\d+) could not be read .*?; and (\d+) ignored",
        " ".join(README.split()),
    )
    assert said, "the sentence 'That is N runs, X km in all; N skipped ...; N could not be read ...; and N ignored' is gone"
    runs, km, skipped, errors, ignored = said.groups()
    assert int(runs) == len(data["runs"]) == 79
    assert float(km) == round(sum(run["distance_m"] for run in data["runs"]) / 1000, 1) == 666.9
    assert int(skipped) == len(data["skipped"]) == 3
    assert int(errors) == len(data["errors"]) == 1
    assert int(ignored) == len(data["ignored"]) == 4
    first = text.splitlines()[0]
    assert first.startswith(f"{runs} runs ({km} km,") and f"; {skipped} skipped; {errors} could not be read." in first
    assert f"Ignored (not activity files) {ignored}:" in text
    for name in ("README.md", "generate.py", "symptoms.csv", "user_profile.json"):
        assert any(entry["source"].endswith(name) for entry in data["ignored"]), name
        assert f"`{name}`" in README


def test_the_episode_count_is_the_tool_s(sample_store):
    text = _run("analyze", str(SAMPLE_RUNS), "--cache-dir", str(sample_store))
    said = re.search(r"lists all (\d+) episodes \((\d+) flags\)", " ".join(README.split()))
    assert said, "the README no longer says how many episodes -v lists"
    episodes, flags = said.groups()
    assert f"{episodes} episodes ({flags} flags) in this period" in text
    assert (int(episodes), int(flags)) == (7, 14)
