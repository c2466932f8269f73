"""Where a team's files are: the roster files we may read, and the folders that are our own output, not athletes.

A roster names files to read (a symptom log, a config): they must be
regular files inside the team root. The team's output (``--out``) may sit
inside the root, even be the root: the folders it writes carry a mark, so
that the next run never takes them for athletes, and no athlete's report
folder is ever their own export folder.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Callable

from .atomic import atomic_write_text
from .errors import OutputError

#: The file `run_team` leaves in its output folder and in each athlete's report folder: "ours, not an athlete".
REPORT_MARK = ".hamstring-analyzer-report"
_WEEK_PAGE = re.compile(r"week-\d{4}-\d{2}-\d{2}\.(?:html|png)")


def is_report_output(folder: Path) -> bool:
    """True for a folder we wrote: it holds our mark, or (written before the mark existed) our page ``index.html``
    (a team page, or ``report --all``'s list of weeks), or only weekly report pages.

    With ``--out`` inside the team root, a second run would otherwise list
    the first run's report folders, or the output folder itself, as athletes.
    """
    if (folder / REPORT_MARK).exists() or _is_our_page(folder / "index.html"):
        return True
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries]
    except OSError:
        return False
    return bool(names) and all(_WEEK_PAGE.fullmatch(n) for n in names)


def _is_our_page(path: Path) -> bool:
    """True when ``path`` is a regular file that starts like the pages `render.html.page` writes (a pipe is never waited on)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.read(fd, 4096)
    except OSError:
        return False
    finally:
        os.close(fd)
    return head.startswith(b"<!DOCTYPE html>") and b": hamstring-analyzer</title>" in head


def mark_report_output(folder: Path) -> None:
    """Leave `REPORT_MARK` in a folder of ours, so that a team root holding it never takes it for an athlete."""
    mark = folder / REPORT_MARK
    if not mark.exists():
        atomic_write_text(mark, "Written by hamstring-analyzer team: reports, not an athlete's export.\n")


def roster_file(root: Path, value: str, where: str, inside: str = "the team root") -> tuple[Path | None, str | None]:
    """A roster's ``symptoms`` or ``config`` entry as a file to read, or why it is refused (one line, after ``where``).

    It must resolve (links and ``..`` followed) inside ``root`` (the team
    root, called ``inside`` in the reason) and be a regular file: a roster never makes us read /etc/passwd or another
    team's files, and a named pipe is refused before anything opens it
    (opening one waits for a writer forever).
    """
    path = (root / value).resolve()
    if root not in path.parents:
        return None, f"{where} is outside {inside}; refused"
    try:
        st = os.stat(path)
    except OSError:
        return None, f"{where}: no such file under {inside}"
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe or device)"
        return None, f"{where} is {kind}; refused"
    return path, None


def place_reports(athletes: list, out: Path, folder_name: Callable[[str], str]) -> None:
    """Give each `team.Athlete` a report folder under ``out`` (``folder_name`` of their name) that is no athlete's
    export, nor holds or sits inside one.

    With ``--out ROOT`` an athlete of folder ``ana`` would get ``ROOT/ana``,
    their own export, as their report folder: theirs is then ``ana-report``.

    Raises
    ------
    OutputError
        ``out`` is an athlete's folder or inside one (the reports would be read as part of their export).
    """
    sources = [a.path for a in athletes]
    out = out.resolve()

    def overlaps(path: Path) -> Path | None:
        return next((s for s in sources if s == path or s in path.parents or path in s.parents), None)

    held = next((a for a in athletes if a.path == out or a.path in out.parents), None)
    if held is not None:
        raise OutputError(f"{out}: inside the export of athlete {held.name!r}; their reports would be read as their runs "
                          f"(choose another --out folder)")  # fmt: skip
    taken: set[str] = set()
    for a in athletes:
        base = name = folder_name(a.name)
        n = 1
        while overlaps(out / name) is not None or name.lower() in taken:
            name, n = f"{base}-report" + (str(n) if n > 1 else ""), n + 1
        a.report_folder = name
        taken.add(name.lower())
