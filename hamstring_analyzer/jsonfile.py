"""The one JSON writer of the package: ingest, analyze, plan (and team, cohort) write through `write_json`.

``-`` means standard output. Any other path is written atomically
(`atomic.atomic_write_text`): a reader never sees half a file, and a write
killed midway leaves the old file as it was. The folder must exist: a typo in
``--json`` (``/nonexistent-dir/out.json``) is refused with one line naming the
missing folder, never silently created (least of all at the filesystem root).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .atomic import atomic_write_text
from .errors import OutputError
from .safetext import json_escapes

#: The path that means standard output.
STDOUT = "-"


def dumps(doc: dict) -> str:
    """``doc`` as the package writes JSON: indented, UTF-8 as is (control characters escaped: `safetext.json_escapes`),
    no NaN (the contract says null)."""
    return json_escapes(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def check_target(path: str | os.PathLike) -> None:
    """Raise `OutputError` when ``path`` cannot be a file to write: its folder is missing, or it is a folder."""
    if str(path) == STDOUT:
        return
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"{target}: cannot write: the folder {folder} does not exist (create it first)")
    if target.is_dir():
        raise OutputError(f"{target}: cannot write: it is a folder")


def write_json(doc: dict, path: str | os.PathLike) -> None:
    """Write ``doc`` to ``path`` (``"-"``: standard output), atomically.

    Raises
    ------
    OutputError
        The folder of ``path`` does not exist, or ``path`` is a folder.
    OSError
        The system refused the write (disk full, no permission); the file is as it was.
    """
    text = dumps(doc)
    if str(path) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    check_target(path)
    atomic_write_text(path, text)
