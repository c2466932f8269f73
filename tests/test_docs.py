"""Every command and option explains itself, and the README's commands exist."""

from __future__ import annotations

import re

import click
import pytest

from hamstring_analyzer.cli import main

from .conftest import REPO


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
    readme = (REPO / "README.md").read_text()
    for path, _ in _commands(main):
        assert re.search(r"hamstring-analyzer " + " ".join(path) + r"\b", readme), path


def test_ci_runs_the_readme_test_command():
    """.ci/run runs the README's second command (plus -p no:cacheprovider: nothing written into the checkout)."""
    readme_cmd = (REPO / "README.md").read_text().split("```")[1].strip().splitlines()[1]
    pytest_args = readme_cmd.split("-m pytest", 1)[1].split()
    ci = (REPO / ".ci" / "run").read_text()
    ci_args = ci.split('"$venv/bin/python" -m pytest', 1)[1].split()
    assert [a for a in ci_args if a not in ("-p", "no:cacheprovider")] == pytest_args
    assert "-e '.[test]'" in readme_cmd and "-e '.[test]'" in ci


def test_readme_rules_table_is_the_registry():
    """The README's rules table is `rules.registry.readme_table` (one row per registered rule, from its declaration)."""
    from hamstring_analyzer.config import Config
    from hamstring_analyzer.rules import RULES
    from hamstring_analyzer.rules.registry import EVIDENCE, readme_table

    readme = (REPO / "README.md").read_text()
    table = readme.split("### The rules (ids are part of the JSON contract)", 1)[1].split("\n\n")[2]
    assert table == readme_table(), "run: python -c 'import hamstring_analyzer.rules as r; print(r.registry.readme_table())'"
    for rule_id, rule in RULES.items():
        if rule_id != "acwr_high":  # off by default: the row says why instead
            assert rule.row.evidence.startswith(EVIDENCE[rule.evidence]), rule_id
    sections = set(Config.__dataclass_fields__)
    assert all(f"`{name}`" in readme for name in sections - {"units", "week_start"}), "every config section named"
