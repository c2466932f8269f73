"""Every command and option explains itself; the README's commands exist, its rules table is the registry,
and the pages under docs/ hold what moved there (every config section, every JSON field the commands write)."""

from __future__ import annotations

import json
import re

import click
import pytest
from click.testing import CliRunner

from hamstring_analyzer.cli import main

from .conftest import REPO, SAMPLE_RUNS

README = REPO / "README.md"
DOCS = REPO / "docs"


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path, cmd", list(_commands(main)), ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_command_and_option_has_help(path, cmd):
    assert cmd.help and len(cmd.help.strip()) > 20, path
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def test_readme_mentions_every_command():
    readme = README.read_text()
    for path, _ in _commands(main):
        assert re.search(r"hamstring-analyzer " + " ".join(path) + r"\b", readme), path


def test_ci_runs_the_readme_test_command():
    """.ci/run runs the README's second command (plus -p no:cacheprovider: nothing written into the checkout)."""
    readme_cmd = README.read_text().split("```")[1].strip().splitlines()[1]
    pytest_args = readme_cmd.split("-m pytest", 1)[1].split()
    ci = (REPO / ".ci" / "run").read_text()
    ci_args = ci.split('"$venv/bin/python" -m pytest', 1)[1].split()
    assert [a for a in ci_args if a not in ("-p", "no:cacheprovider")] == pytest_args
    assert "-e '.[test]'" in readme_cmd and "-e '.[test]'" in ci


def test_readme_opens_with_the_two_commands_and_python_3_11():
    """A runner's fresh machine: the two commands come first, and the Python they need is said before any other."""
    readme = README.read_text()
    first_block = readme.split("```")[1].strip().splitlines()
    assert first_block == [
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/hamstring-analyzer analyze sample_runs",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -q -n auto",
    ]
    assert "Python 3.11 or newer" in readme.split("## Contents")[0]
    assert ". .venv/bin/activate" in readme and ".venv/bin/hamstring-analyzer" in readme
    setup = (REPO / "setup.cfg").read_text()
    assert "python_requires = >=3.11" in setup


def test_readme_rules_table_is_the_registry():
    """The README's rules table is `rules.registry.readme_table` (one row per registered rule, from its declaration)."""
    from hamstring_analyzer.rules import RULES
    from hamstring_analyzer.rules.registry import EVIDENCE, readme_table

    readme = README.read_text()
    section = readme.split("## What the flags mean", 1)[1].split("\n## ", 1)[0]
    tables = [block.strip() for block in section.split("\n\n") if block.startswith("| rule | flags |")]
    assert tables == [readme_table()], "run: python -c 'import hamstring_analyzer.rules as r; print(r.registry.readme_table())'"
    for rule_id, rule in RULES.items():
        if rule_id != "acwr_high":  # off by default: the row says why instead
            assert rule.row.evidence.startswith(EVIDENCE[rule.evidence]), rule_id


def test_config_page_names_every_config_section():
    from hamstring_analyzer.config import Config

    page = (DOCS / "config.md").read_text()
    sections = set(Config.__dataclass_fields__)
    missing = {name for name in sections - {"units", "week_start"} if f"`{name}`" not in page}
    assert not missing, f"docs/config.md does not name {sorted(missing)}"
    assert "units = " in page and "week_start = " in page


def test_readme_is_for_runners():
    """Short, with a table of contents, no issue numbers, and every page it links to there."""
    readme = README.read_text()
    assert len(readme.splitlines()) <= 250
    assert "## Contents" in readme
    assert not re.search(r"\bissue \d+", readme, re.IGNORECASE)
    for page in re.findall(r"\]\(((?:docs|sample_runs)/[^)#]+)", readme):
        assert (REPO / page).exists(), page
    for heading in ("## Install", "## With your own data", "## What the flags mean", "## In a notebook",
                    "## For coaches: a team", "## For researchers: a cohort on Dask"):  # fmt: skip
        assert heading in readme, heading
    for page in DOCS.glob("*.md"):
        text = page.read_text()
        assert not re.search(r"\bissue \d+", text, re.IGNORECASE), page.name
        for target in re.findall(r"\]\((?![a-z]+:)([^)#]+)", text):
            assert (page.parent / target).resolve().exists(), f"{page.name} links to {target}"


@pytest.fixture(scope="module")
def written_json(sample_store, tmp_path_factory):
    """What analyze (with the symptom log) and plan write for the sample runner."""
    out = tmp_path_factory.mktemp("json")
    runner = CliRunner()
    for command, extra in (("analyze", ["--symptoms", str(SAMPLE_RUNS / "symptoms.csv")]), ("plan", [])):
        result = runner.invoke(main, [command, str(SAMPLE_RUNS), "-q", "--cache-dir", str(sample_store),
                                      "--json", str(out / f"{command}.json"), *extra])  # fmt: skip
        assert result.exit_code == 0, result.output
    return {name: json.loads((out / f"{name}.json").read_text()) for name in ("analyze", "plan")}


def test_json_page_documents_every_field_the_commands_write(written_json):
    """docs/json.md names every field analyze (the ingest fields included) and plan write: a contract is documented."""
    page = (DOCS / "json.md").read_text()

    def named(field):
        return f'"{field}"' in page or f"`{field}`" in page

    analysis = written_json["analyze"]
    missing = [f"top {key}" for key in analysis if not named(key)]
    for part in ("runs", "weeks", "flags", "episodes", "skipped", "errors", "ignored"):
        assert analysis[part], part
        missing += [f"{part}.{field}" for field in analysis[part][0] if not named(field)]
    missing += [f"profile.{field}" for field in analysis["profile"] if not named(field)]
    missing += [f"plan.{field}" for field in written_json["plan"] if not named(field)]
    assert not missing, f"docs/json.md does not document {missing}"


def _slugs(markdown: str) -> set[str]:
    """GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#{1,6} (.+)$", re.sub(r"```.*?```", "", markdown, flags=re.S), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_anchor_link_lands_on_a_heading():
    """`[x](#a)` and `[x](page.md#a)` in the README and docs/ name a heading that exists."""
    pages = [README, *sorted(DOCS.glob("*.md"))]
    for page in pages:
        for target, anchor in re.findall(r"\]\((?![a-z]+:)([^)#]*)#([^)]+)\)", page.read_text()):
            linked = (page.parent / target).resolve() if target else page
            assert anchor in _slugs(linked.read_text()), f"{page.name} links to {target}#{anchor}"


def test_tests_needing_shared_are_one_line_when_it_is_absent(tmp_path):
    """What the README promises a fresh clone: without ../shared, one summary line per folder, no line per test,
    under pytest-xdist as CI runs it (the workers deselect, the controller prints the count once)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "HAMSTRING_REAL_RUNS": str(tmp_path / "absent"), "HAMSTRING_REAL_HISTORIES": str(tmp_path / "absent")}
    tests = ["tests/readers/test_real_files.py", "tests/test_holes.py"]
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", *tests],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600).stdout  # fmt: skip
    summary = [line for line in out.splitlines() if "../shared/" in line]
    assert len(summary) == 2, out
    assert re.fullmatch(r"\d+ tests need \.\./shared/real_runs: skipped", summary[1]), out
    assert re.fullmatch(r"1 test needs \.\./shared/real_histories: skipped", summary[0]), out
    assert "SKIPPED" not in out and " passed" in out.splitlines()[-1], out
