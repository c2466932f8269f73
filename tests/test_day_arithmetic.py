"""Days are moved, counted and written only by `hamstring_analyzer.dates` (issue 25).

Read from the source with `ast`: outside ``dates.py`` no ``timedelta(days=...)``
or ``timedelta(weeks=...)``, no ``(b - a).days``, no ``toordinal()`` and no
``date_range(...).date``. A 24-hour step or a subtraction of labels goes wrong
across a clock change; `dates.add_days`, `days_between`, `day_number` and
`day_range` count on the calendar. Plot coordinates (naive datetimes a
fraction of a day apart) are not days: `ALLOWED` counts them per module.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hamstring_analyzer"
#: Where raw arithmetic stays: dates itself; the readers, cleaning and the store work on instants; synthetic data writes files.
OUTSIDE = ("dates.py", "readers/", "clean/", "store/", "synthetic")
#: Plot coordinates on naive datetimes (half a week to a bar's middle, a day of margin, a week's band): not days.
ALLOWED = {"render/plots.py": 2, "render/panels.py": 2}


def _raw_day_operations(tree: ast.AST):
    """(line, what) for each raw day operation in a module's tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "timedelta":
            if any(k.arg in ("days", "weeks") for k in node.keywords) or node.args:
                yield node.lineno, "timedelta in days"
        elif isinstance(node, ast.Attribute) and node.attr == "days" and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.Sub):
            yield node.lineno, "(b - a).days"
        elif isinstance(node, ast.Attribute) and node.attr == "toordinal":
            yield node.lineno, "toordinal"
        elif isinstance(node, ast.Attribute) and node.attr == "date" and isinstance(node.value, ast.Call):
            if getattr(node.value.func, "attr", None) == "date_range":
                yield node.lineno, "date_range().date"


def test_days_move_only_through_dates():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if any(part in name for part in OUTSIDE):
            continue
        raw = [f"{name}:{line}: {what}" for line, what in _raw_day_operations(ast.parse(path.read_text()))]
        if len(raw) > ALLOWED.get(name, 0):
            found += raw
    assert not found, "raw day arithmetic (use hamstring_analyzer.dates):\n" + "\n".join(found)


def test_week_start_number_is_week_start_in_day_numbers():
    import datetime as dt

    import numpy as np

    from hamstring_analyzer.dates import week_start, week_start_number

    days = [dt.date(1990, 1, 1) + dt.timedelta(days=k) for k in range(0, 40000, 3)]
    numbers = np.array([d.toordinal() for d in days])
    for first in ("monday", "sunday"):
        expected = [week_start(d, first).toordinal() for d in days]
        assert week_start_number(numbers, first).tolist() == expected  # the cohort's arrays
        assert [week_start_number(int(n), first) for n in numbers[:50]] == expected[:50]
