"""The runner's own symptom log: a CSV they can also edit by hand.

Columns: ``date`` (YYYY-MM-DD, local), ``severity`` (0-10), ``side``
(left / right / both), ``location`` (free text, e.g. "upper near the sit bone",
"mid thigh", "behind the knee", "glute"), ``kind`` (tightness / fatigue /
burning / pain / cramp), ``when`` (during run / after run / next day /
sitting) and ``note``. Side, kind and when may be blank: not given, never
guessed (`symptoms add` leaves out what the runner did not say).

Reading is strict: a malformed line is refused with its line number, never
guessed at. Adding a row rewrites the whole file through a temporary file and
an atomic rename, after checking the existing rows, so a crash leaves either
the old log or the new one, never a torn one, and the user's own lines are
kept byte for byte. Adds hold an exclusive lock on the log itself (no lock
file) from the read to the rename, so concurrent adds all land; a symlinked
log has its target updated in place; the new row takes the file's own line
ending. A log in a folder that does not exist is refused, never created.

A free-text cell we write that a spreadsheet would run as a formula (OWASP,
CSV injection) gets a ``'`` in front; reading takes exactly that quote off.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import day_iso
from .atomic import STALE_AFTER_S, atomic_write_bytes, exclusive_lock, remove_stale_temporaries
from .errors import SymptomLogError
from .safetext import escape_formula as _escape_formula, unescape_formula as _unescape_formula

if TYPE_CHECKING:  # pandas loads only in `symptoms_frame`: the log itself is read and written with csv
    import pandas as pd

COLUMNS = ("date", "severity", "side", "location", "kind", "when", "note")
SIDES = ("left", "right", "both")
KINDS = ("tightness", "fatigue", "burning", "pain", "cramp")
WHENS = ("during run", "after run", "next day", "sitting")
LOCATIONS = ("upper near the sit bone", "mid thigh", "behind the knee", "glute")
#: What a blank cell, or a column missing from a hand-made log, reads as: not given (never a guess).
DEFAULTS = {"side": "", "location": "", "kind": "", "when": "", "note": ""}
#: Bigger files are not a hand-kept log; refuse rather than read gigabytes.
MAX_LOG_BYTES = 20 * 1024 * 1024
#: Columns the runner writes freely, where a spreadsheet formula could hide.
FREE_TEXT = ("location", "note")


@dataclass(frozen=True)
class SymptomEntry:
    date: dt.date
    severity: int
    side: str = ""  # "" when not given, like kind and when
    location: str = ""
    kind: str = ""
    when: str = ""
    note: str = ""

    def row(self) -> list[str]:
        return [day_iso(self.date), str(self.severity), self.side, self.location, self.kind, self.when, self.note]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["date"] = day_iso(self.date)
        return d


def check_entry(values: dict, where: str) -> SymptomEntry:
    """A `SymptomEntry` from text values; `SymptomLogError` naming ``where`` and the reason."""

    def bad(msg):
        raise SymptomLogError(f"{where}: {msg}")

    raw_date = (values.get("date") or "").strip()
    try:
        date = dt.date.fromisoformat(raw_date)
    except ValueError:
        bad(f"date {raw_date!r} is not a date like 2026-03-30")
    raw_sev = str(values.get("severity") or "").strip()
    if not raw_sev.isdigit() or not 0 <= int(raw_sev) <= 10:
        bad(f"severity {raw_sev!r} is not a whole number from 0 to 10")
    side = (values.get("side") or "").strip().lower() or DEFAULTS["side"]
    if side and side not in SIDES:
        bad(f"side {side!r} is not one of {', '.join(SIDES)}")
    kind = (values.get("kind") or "").strip().lower() or DEFAULTS["kind"]
    if kind and kind not in KINDS:
        bad(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    when = (values.get("when") or "").strip().lower() or DEFAULTS["when"]
    if when and when not in WHENS:
        bad(f"when {when!r} is not one of {', '.join(WHENS)}")
    location = (values.get("location") or "").strip()
    note = (values.get("note") or "").strip()
    for text, name in ((location, "location"), (note, "note")):
        if any(ch in text for ch in "\r\n\x00"):
            bad(f"{name} must be one line")
    return SymptomEntry(date, int(raw_sev), side, location, kind, when, note)


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SymptomLogError(f"{path}, line {line}: not UTF-8 text") from None


def parse_log(text: str, path: str | os.PathLike = "symptoms.csv") -> list[SymptomEntry]:
    """Entries of a log's text, oldest first as written; `SymptomLogError` with the line number."""
    return _parse(text, path)[1]


def _parse(text: str, path) -> tuple[list[str], list[SymptomEntry]]:
    """(header, entries) of a log's text; an empty text has the standard header and no entries."""
    if not text.strip():
        return list(COLUMNS), []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise SymptomLogError(f"{path}, line 1: {exc}") from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in ("date", "severity") if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        what = f"missing {', '.join(missing)}" if missing else f"unknown column {', '.join(unknown) or 'repeated'}"
        raise SymptomLogError(f"{path}, line 1: the header must name the columns {', '.join(COLUMNS)} ({what})")
    entries = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) > len(header):
                raise SymptomLogError(f"{path}, line {line}: {len(row)} fields, the header has {len(header)} (a comma in a note needs quotes)")
            values = dict(zip(header, row))
            values.update({c: _unescape_formula(values[c]) for c in FREE_TEXT if c in values})
            entries.append(check_entry(values, f"{path}, line {line}"))
    except csv.Error as exc:
        raise SymptomLogError(f"{path}, line {reader.line_num}: {exc}") from None
    return header, entries


def read_log(path: str | os.PathLike) -> list[SymptomEntry]:
    """Read a symptom log; a missing file is an empty log."""
    path = Path(path)
    try:
        if not path.exists():
            return []
        data = _read_bytes(path)
    except OSError as exc:
        raise SymptomLogError(f"{path}: cannot read the log: {_reason(exc, path)}") from None
    return parse_log(_decode(path, data), path)


def _read_bytes(path: Path, shown=None) -> bytes:
    if path.stat().st_size > MAX_LOG_BYTES:
        raise SymptomLogError(f"{shown or path}: larger than {MAX_LOG_BYTES // 2**20} MB; is it really a symptom log?")
    return path.read_bytes()


def symptoms_frame(entries: list[SymptomEntry]) -> pd.DataFrame:
    """Entries as a frame sorted by date (one row each)."""
    import pandas as pd

    frame = pd.DataFrame([asdict(e) for e in entries], columns=list(COLUMNS))
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def entries_table(entries: list[SymptomEntry]) -> str:
    """Entries as a plain-text table sorted by date, one row each, dates like "Mon 2 Mar 2026" (as everywhere in the terminal).

    The layout is pandas' ``to_string(index=False)`` of `symptoms_frame`, made
    without pandas so that ``symptoms list`` starts at once: every column right
    aligned to its widest cell, one space between columns, the numeric severity
    column one wider, and tabs shown as ``\\t`` (see `_shown`).
    """
    ordered = sorted(entries, key=lambda e: e.date)  # stable, as in `symptoms_frame`
    rows = [[f"{e.date:%a} {e.date.day} {e.date:%b %Y}", *e.row()[1:]] for e in ordered]
    header = [(" " + c if c == "severity" else c) for c in COLUMNS]
    cells = [[_shown(text) for text in row] for row in rows]
    widths = [max(len(text) for text in column) for column in zip(header, *cells)]
    return "\n".join(" ".join(text.rjust(w) for text, w in zip(line, widths)) for line in [header, *cells])


def _shown(text: str) -> str:
    """``text`` with tabs and line breaks written as ``\\t``, ``\\r``, ``\\n``, as pandas prints them."""
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _row_text(entry: SymptomEntry, header: list[str], newline: str) -> str:
    values = dict(zip(COLUMNS, entry.row()))
    values.update({c: _escape_formula(values[c]) for c in FREE_TEXT})
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerow([values[c] for c in header])
    return buf.getvalue()


def _reason(exc: OSError, log: Path) -> str:
    """The system's reason, naming the file when it is not the log itself (its lock, a temporary)."""
    reason = exc.strerror or str(exc)
    other = exc.filename and Path(os.fsdecode(exc.filename)) != log
    return f"{reason} ({exc.filename})" if other and exc.strerror else reason


def add_entry(path: str | os.PathLike, entry: SymptomEntry, *, today: dt.date | None = None) -> None:
    """Append ``entry`` to the log at ``path`` (created with a header when missing, in a folder that exists).

    The existing log is checked first: a malformed log is refused and left as
    it was. The new file is the old bytes plus one line, in the file's own
    line ending, written atomically while holding the log's lock, so
    concurrent adds all land. A symbolic link is followed: its target is
    updated in place and the link stays a link.

    Parameters
    ----------
    path : str or os.PathLike
        The symptom log (CSV).
    entry : SymptomEntry
        The new row.
    today : datetime.date, optional
        The runner's today (this machine's local date when not given): an
        entry dated after it is refused.

    Raises
    ------
    SymptomLogError
        The entry is invalid (see `check_entry`, which also trims its free
        text) or dated after ``today``, the log's folder does not exist (it is never created), the
        log is malformed, lacks a column the entry needs, or cannot be read
        or written (permission, disk full); the message names ``path`` and
        the reason, and the log is left exactly as it was.
    """
    entry = check_entry(dict(zip(COLUMNS, entry.row())), "the new entry")  # never write a row we would refuse to read
    today = today or dt.date.today()
    if entry.date > today:  # a typo in the year would count as an episode still to come
        raise SymptomLogError(f"{path}: cannot add the entry: {day_iso(entry.date)} is after today ({day_iso(today)}); "
                              "log a symptom once you have felt it")  # fmt: skip
    target = Path(os.path.realpath(path))
    folder = target.parent if os.path.islink(path) else Path(path).parent
    if not target.parent.is_dir():  # a typo in the folder is refused, never created
        raise SymptomLogError(f"{path}: cannot add the entry: the folder {folder} does not exist (create it first)")
    try:
        with exclusive_lock(target) as locked:
            # Under the lock no other add is writing, so every temporary is a leftover.
            remove_stale_temporaries(target, 0 if locked else STALE_AFTER_S)
            if locked:
                _remove_old_lock_file(target)
            atomic_write_bytes(target, _appended(target, entry, shown=path))
    except OSError as exc:
        raise SymptomLogError(f"{path}: cannot add the entry: {_reason(exc, target)}") from None


def _remove_old_lock_file(path: Path) -> None:
    """Remove the empty ``.<name>.lock`` that versions before the lock on the log itself left beside it."""
    old = path.with_name(f".{path.name}.lock")
    with contextlib.suppress(OSError):  # best effort: it never stops an add
        if old.is_file() and not old.is_symlink() and old.stat().st_size == 0:
            old.unlink()


def _appended(path: Path, entry: SymptomEntry, shown) -> bytes:
    """The log's bytes with ``entry`` appended; errors name the log as ``shown``."""
    old, header = b"", list(COLUMNS)
    if path.exists():
        old = _read_bytes(path, shown)
        header, _ = _parse(_decode(shown, old), shown)  # refuse to add to a log we cannot read back
        # A column the log lacks reads back as its default: refuse only what would be lost.
        lost = [c for c, v in zip(COLUMNS, entry.row()) if c not in header and v != DEFAULTS.get(c)]
        if lost:
            raise SymptomLogError(f"{shown}: the log has no column {', '.join(lost)}; add it to the header first")
    first_break = re.search(rb"\r\n|\n|\r", old)
    newline = first_break.group() if first_break else b"\n"
    if not old.strip():
        old = ",".join(COLUMNS).encode() + newline
    elif not old.endswith((b"\n", b"\r")):
        old += newline
    return old + _row_text(entry, header, newline.decode()).encode("utf-8")
