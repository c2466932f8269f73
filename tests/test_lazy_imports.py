"""Quick starts (issue 12): importing the package, every --help and the symptom log commands load no heavy library.

Each check runs in a fresh interpreter, since this test process has pandas
loaded already, and looks at ``sys.modules`` once the command has finished.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hamstring_analyzer as ha
from hamstring_analyzer.cli import main
from hamstring_analyzer.symptoms import KINDS, SIDES, WHENS, SymptomEntry, entries_table, symptoms_frame

from .conftest import REPO, examples

#: Libraries that take longer to import than a whole bare interpreter takes to start.
HEAVY = ("pandas", "numpy", "matplotlib", "pyarrow", "fitfast", "fitparse", "gpxpy", "timezonefinder")

#: ``report(code)`` prints, as the last line of output, the heavy libraries loaded by then and the exit code.
REPORT = textwrap.dedent(
    f"""
    import json, sys

    def heavy():
        return sorted({{m.partition(".")[0] for m in sys.modules}} & set({HEAVY!r}))

    def report(code, **extra):
        print("\\n" + json.dumps({{"loaded": heavy(), "code": code, **extra}}))
    """
)

#: Runs the command line of sys.argv[1:] as the installed `hamstring-analyzer` script does.
CLI = REPORT + textwrap.dedent(
    """
    sys.argv = ["hamstring-analyzer"] + sys.argv[1:]
    from hamstring_analyzer.cli import main
    try:
        main()
    except SystemExit as exc:
        report(exc.code)
    else:
        report(0)
    """
)


def run_python(script: str, *args: str, cwd) -> tuple[str, dict]:
    """(output before the report, the report) of ``script`` in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    output, _, last = proc.stdout.rstrip("\n").rpartition("\n")
    return output, json.loads(last)


def _command_paths(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from _command_paths(cmd, prefix + (name,))


def test_import_loads_no_heavy_library(tmp_path):
    _, report = run_python(REPORT + "import hamstring_analyzer\nreport(0)", cwd=tmp_path)
    assert report["loaded"] == []


def test_public_names_load_on_first_use(tmp_path):
    script = REPORT + textwrap.dedent(
        """
        import hamstring_analyzer as ha
        before = heavy()
        listed = all(name in dir(ha) for name in ha.__all__)
        report(0, before=before, listed=listed, load_runs=callable(ha.load_runs))
        """
    )
    _, report = run_python(script, cwd=tmp_path)
    assert report["before"] == [] and report["listed"] and report["load_runs"]
    assert "pandas" in report["loaded"]  # the library proper still loads, when it is used


def test_public_api_is_complete():
    from hamstring_analyzer import activity, analysis, config, export, readers

    expected = {
        "Activity": activity.Activity, "read_activities": readers.read_activities, "Export": export.Export,
        "load_runs": export.load_runs, "Analysis": analysis.Analysis, "analyze": analysis.analyze,
        "Config": config.Config, "load_config": config.load_config, "ParseError": ha.errors.ParseError,
    }  # fmt: skip
    for name, value in expected.items():
        assert getattr(ha, name) is value and name in dir(ha) and name in ha.__all__, name
    assert set(ha.__all__) <= set(dir(ha))
    assert ha.__version__
    assert not hasattr(ha, "no_such_name")
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        ha.no_such_name  # noqa: B018
    namespace: dict = {}
    exec("from hamstring_analyzer import *", namespace)
    assert namespace["analyze"] is analysis.analyze and namespace["read_activities"] is readers.read_activities


@pytest.mark.parametrize("path", [(), *_command_paths(main)], ids=lambda p: " ".join(p) or "main")
def test_help_loads_no_heavy_library(tmp_path, path):
    output, report = run_python(CLI, *path, "--help", cwd=tmp_path)
    assert report == {"loaded": [], "code": 0}
    assert output.startswith("Usage: hamstring-analyzer" + "".join(" " + p for p in path))


def test_symptom_log_commands_load_no_heavy_library(tmp_path):
    log = tmp_path / "log.csv"
    add = ["symptoms", "add", str(log), "--date", "2026-03-02", "--severity", "4", "--side", "right", "--location", "mid thigh", "--note", "hills"]
    output, report = run_python(CLI, *add, cwd=tmp_path)
    assert report == {"loaded": [], "code": 0} and output.startswith("Added Mon 2 Mar 2026: severity 4, right, mid thigh")  # no kind made up (issue 17)
    output, report = run_python(CLI, "symptoms", "add", str(log), "--date", "2026-03-01", "--severity", "2", cwd=tmp_path)
    assert report == {"loaded": [], "code": 0}
    output, report = run_python(CLI, "symptoms", "list", str(log), cwd=tmp_path)
    assert report == {"loaded": [], "code": 0}
    lines = output.splitlines()
    assert lines[0].split() == ["date", "severity", "side", "location", "kind", "when", "note"]
    assert lines[1].startswith("Sun 1 Mar 2026") and lines[2].startswith("Mon 2 Mar 2026") and lines[2].endswith("hills")
    log.write_text(log.read_text() + "not,a,valid,row\n")
    output, report = run_python(CLI, "symptoms", "list", str(log), cwd=tmp_path)
    assert report == {"loaded": [], "code": 1}  # the error message goes to stderr


def test_symptoms_add_builds_no_config(tmp_path):
    """Adding a symptom formats a date: no config classes built, no TOML parser (half its start-up time once)."""
    script = CLI.replace("report(exc.code)", "report(exc.code, ours=sorted(set(sys.modules) & {'hamstring_analyzer.config', 'tomllib'}))")
    add = ["symptoms", "add", str(tmp_path / "log.csv"), "--date", "2026-03-02", "--severity", "4"]
    output, report = run_python(script, *add, cwd=tmp_path)
    assert report == {"loaded": [], "code": 0, "ours": []} and output.startswith("Added Mon 2 Mar 2026: severity 4")


def test_python_dash_m_help(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "hamstring_analyzer", "--help"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "symptoms" in proc.stdout


# ``symptoms list`` prints pandas' layout of the entries, without pandas.
_text = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs", "Cc"]), max_size=25)
_entries = st.builds(
    SymptomEntry,
    st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
    st.integers(0, 10),
    st.sampled_from(SIDES),
    _text,
    st.sampled_from(KINDS),
    st.sampled_from(WHENS),
    _text,
)


@settings(max_examples=examples(300))
@given(st.lists(_entries, min_size=1, max_size=6))
def test_entries_table_is_the_pandas_layout(entries):
    frame = symptoms_frame(entries)
    frame["date"] = [f"{d:%a} {d.day} {d:%b %Y}" for d in frame["date"]]
    assert entries_table(entries) == frame.to_string(index=False)
