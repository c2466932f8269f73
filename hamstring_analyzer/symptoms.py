"""The runner's own symptom log: a CSV they can also edit by hand.

Columns: ``date`` (YYYY-MM-DD, local), ``severity`` (0-10), ``side``
(left / right / both), ``location`` (free text, e.g. "upper near the sit bone",
"mid thigh", "behind the knee", "glute"), ``kind`` (tightness / fatigue /
burning / pain / cramp), ``when`` (during run / after run / next day /
sitting) and ``note``.

Reading is strict: a malformed line is refused with its line number, never
guessed at. Adding a row rewrites the whole file through a temporary file and
an atomic rename, after checking the existing rows, so a crash leaves either
the old log or the new one, never a torn one, and the user's own lines are
kept byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .atomic import atomic_write_bytes
from .errors import SymptomLogError

COLUMNS = ("date", "severity", "side", "location", "kind", "when", "note")
SIDES = ("left", "right", "both")
KINDS = ("tightness", "fatigue", "burning", "pain", "cramp")
WHENS = ("during run", "after run", "next day", "sitting")
LOCATIONS = ("upper near the sit bone", "mid thigh", "behind the knee", "glute")
#: What a column missing from a hand-made log reads as.
DEFAULTS = {"side": "both", "location": "", "kind": "tightness", "when": "after run", "note": ""}
#: Bigger files are not a hand-kept log; refuse rather than read gigabytes.
MAX_LOG_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SymptomEntry:
    date: dt.date
    severity: int
    side: str = "both"
    location: str = ""
    kind: str = "tightness"
    when: str = "after run"
    note: str = ""

    def row(self) -> list[str]:
        return [self.date.isoformat(), str(self.severity), self.side, self.location, self.kind, self.when, self.note]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["date"] = self.date.isoformat()
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
    if side not in SIDES:
        bad(f"side {side!r} is not one of {', '.join(SIDES)}")
    kind = (values.get("kind") or "").strip().lower() or DEFAULTS["kind"]
    if kind not in KINDS:
        bad(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    when = (values.get("when") or "").strip().lower() or DEFAULTS["when"]
    if when not in WHENS:
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
            entries.append(check_entry(dict(zip(header, row)), f"{path}, line {line}"))
    except csv.Error as exc:
        raise SymptomLogError(f"{path}, line {reader.line_num}: {exc}") from None
    return header, entries


def read_log(path: str | os.PathLike) -> list[SymptomEntry]:
    """Read a symptom log; a missing file is an empty log."""
    path = Path(path)
    if not path.exists():
        return []
    return parse_log(_decode(path, _read_bytes(path)), path)


def _read_bytes(path: Path) -> bytes:
    if path.stat().st_size > MAX_LOG_BYTES:
        raise SymptomLogError(f"{path}: larger than {MAX_LOG_BYTES // 2**20} MB; is it really a symptom log?")
    return path.read_bytes()


def symptoms_frame(entries: list[SymptomEntry]) -> pd.DataFrame:
    """Entries as a frame sorted by date (one row each)."""
    frame = pd.DataFrame([asdict(e) for e in entries], columns=list(COLUMNS))
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def _row_text(entry: SymptomEntry, header: list[str]) -> str:
    values = dict(zip(COLUMNS, entry.row()))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([values[c] for c in header])
    return buf.getvalue()


def add_entry(path: str | os.PathLike, entry: SymptomEntry) -> None:
    """Append ``entry`` to the log at ``path`` (created with a header when missing).

    The existing log is checked first: a malformed log is refused and left as
    it was. The new file is the old bytes plus one line, written atomically.
    """
    path = Path(path)
    old, header = b"", list(COLUMNS)
    if path.exists():
        old = _read_bytes(path)
        header, _ = _parse(_decode(path, old), path)  # refuse to add to a log we cannot read back
        # A column the log lacks reads back as its default: refuse only what would be lost.
        lost = [c for c, v in zip(COLUMNS, entry.row()) if c not in header and v != DEFAULTS.get(c)]
        if lost:
            raise SymptomLogError(f"{path}: the log has no column {', '.join(lost)}; add it to the header first")
        if not old.strip():
            old = b""
    if not old:
        old = (",".join(COLUMNS) + "\n").encode()
    elif not old.endswith(b"\n"):
        old += b"\r\n" if b"\r\n" in old else b"\n"
    atomic_write_bytes(path, old + _row_text(entry, header).encode("utf-8"))
