"""Activities known only from a summary (a manual entry, an export's activity list): no samples."""

from __future__ import annotations

import codecs
import csv
import json
import math
import re
from typing import Iterator

import pandas as pd

from ..activity import Activity, Samples
from ..errors import ParseError

#: An activity list larger than this is refused [bytes]: ten years of daily activities
#: take a few MiB in Strava's CSV or Garmin's JSON.
MAX_INDEX_BYTES = 64 * 1024 * 1024
#: At most this many activities are read from one list (the run store numbers sessions in 16 bits).
MAX_INDEX_ROWS = 30000
#: A single activity longer than this, or farther, is a typing error (a week-long "run") [s], [m].
MAX_SUMMARY_ELAPSED_S = 7 * 86400.0
MAX_SUMMARY_DISTANCE_M = 1_000_000.0


#: A row of a CSV list longer than this is no activity's [characters]: it is refused (a real row,
#: its description included, takes a few KiB).
MAX_ROW_CHARS = 1024 * 1024


def index_text(data: bytes, source: str, what: str) -> str:
    """An activity list's bytes as text: UTF-8 (a byte-order mark dropped), else Latin-1 as older exports wrote.

    Raises `ParseError` naming ``what`` (e.g. "activities.csv") when the bytes are binary, not text.
    """
    return index_lines(data, source, what)[0]


def index_lines(data: bytes, source: str, what: str) -> tuple[str, list[int]]:
    """An activity list's text, and the lines (1-based) that were not in the file's encoding.

    The encoding is decided once for the file: UTF-8 when it starts with the
    byte-order mark, decodes whole, or holds any UTF-8 sequence beyond ASCII;
    else Latin-1, as older exports wrote. In a UTF-8 file, a line that is not
    UTF-8 (one stray Latin-1 byte) is read as Latin-1 on its own and named
    in the second value: one byte never makes the whole file Latin-1.

    Raises `ParseError` naming ``what`` (e.g. "activities.csv") when the bytes are binary, not text.
    """
    head = data[:65536]
    if b"\x00" in head and (b"\x00" in head.split(b"\n", 1)[0] or sum(b"\x00" in line for line in head.split(b"\n")) > 1):
        raise ParseError(source, f"{what} holds binary data, not text")  # NULs in one row only: that row is judged alone
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")  # lines as `list_lines` numbers them: a line ends at a line feed, nowhere else
    utf8 = data.startswith(b"\xef\xbb\xbf") or any(_utf8_beyond_ascii(line) for line in lines)
    if not utf8:
        return data.decode("latin-1"), []
    text, odd = [], []
    for number, line in enumerate(lines, 1):
        try:
            text.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            text.append(line.decode("latin-1"))
            odd.append(number)
    return "\n".join(text).removeprefix("\ufeff"), odd


def _utf8_beyond_ascii(line: bytes) -> bool:
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def raise_field_limit() -> None:
    """Let the csv module read a cell as large as a whole list may be (its default, 128 KiB, cost every row after one long cell).

    A row with a cell beyond `MAX_ROW_CHARS` is then refused on its own by the reader.
    """
    if csv.field_size_limit() < MAX_INDEX_BYTES:
        csv.field_size_limit(MAX_INDEX_BYTES)


#: A row of a CSV list spans at most this many lines (a description written over several); a quote left
#: open beyond them, or over lines that do not make the header's number of cells, is one broken row.
MAX_ROW_LINES = 200


def list_lines(text: str) -> list[str]:
    """A CSV list's text as lines, each with its line feed: a line ends at a line feed only (never at U+2028 in a name)."""
    return _LINE.findall(text)


_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def csv_rows(lines: list[str], start: int, width: int) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(line number, cells, None) for each row of ``lines[start:]``, or (line number, None, reason) for a broken row.

    A row is broken when a quote left open runs it over several lines that do
    not make ``width`` cells (the header's), or over `MAX_ROW_LINES` lines, or
    when it is longer than `MAX_ROW_CHARS` (a 50 MB cell: never handed to the
    csv module, which would hold it four times over). It is refused on its
    first line and reading starts again on the next, so one stray quote or
    one huge cell costs its own row only. Each restart reads at most
    `MAX_ROW_LINES` lines again: the time stays linear in the file.
    """
    raise_field_limit()
    pos = start
    while pos < len(lines):
        row_start = 0  # lines of this pass before the current row
        cut: list[str] = []  # why the feed stopped inside a row

        def feed(first: int = pos):
            current, chars = -1, 0
            for i in range(first, len(lines)):
                if row_start != current:  # a new row begins with this line
                    current, chars = row_start, 0
                chars += len(lines[i])
                if chars > MAX_ROW_CHARS:
                    cut.append(f"it holds {chars / 2**20:.1f} MiB on one line, more than any activity's row"
                               if i - first == row_start else "it runs over more than any activity's row (a quote left open?)")
                    return
                if i - first - row_start >= MAX_ROW_LINES:
                    cut.append("its quotes are not closed (the row runs into the lines after it)")
                    return
                yield lines[i]

        reader = csv.reader(feed())
        restart = None
        try:
            for cells in reader:
                first, span = pos + row_start, reader.line_num - row_start
                if cut:  # the row the feed stopped inside: refused, whatever the csv module made of its start
                    break
                row_start = reader.line_num
                if span > 1 and len(cells) != width:
                    restart = first + 1
                    yield first + 1, None, "its quotes are not closed (the row runs into the lines after it)"
                    break
                yield first + 1, cells, None
        except csv.Error as exc:
            restart = pos + row_start + 1
            yield restart, None, f"not readable CSV ({exc})"
        if cut:
            restart = pos + row_start + 1
            yield restart, None, cut[0]
        if restart is None:
            return
        pos = restart


def refused_entry(source: str, fmt: str, index: int, where: str, reason: str) -> Activity:
    """An entry of a list that cannot be read, held in its place: ``where`` it is (``"line 9"``) and why.

    It travels with the list's other activities (and is stored with them) and
    the ingest lists it as skipped (`refusal`); it is no activity of any sport.
    """
    return Activity(records=Samples.empty(), laps=[], source=source, format=fmt, session_index=index, name=where,
                    warnings=[REFUSED + reason], entry=where)  # fmt: skip


#: The first words of a refused entry's only warning (`refused_entry`).
REFUSED = "refused: "


def refusal(activity: Activity) -> tuple[str, str] | None:
    """(where, reason) of a refused entry (`refused_entry`); None for an activity."""
    if activity.sport is None and activity.start_utc is None and len(activity.warnings) == 1 and activity.warnings[0].startswith(REFUSED):
        return activity.name or "", activity.warnings[0][len(REFUSED):]
    return None


def impossible_totals(elapsed_s: float | None, distance_m: float | None, run: bool = True) -> str | None:
    """Why a list's totals cannot be an activity's, or None; a blank total is no reason.

    Negative is impossible for any sport; beyond `MAX_SUMMARY_ELAPSED_S` or
    `MAX_SUMMARY_DISTANCE_M` for a run (a brevet ride is longer than any run).
    """
    for value, limit, said in ((elapsed_s, MAX_SUMMARY_ELAPSED_S, f"its time ({elapsed_s:g} s)" if elapsed_s is not None else ""),
                               (distance_m, MAX_SUMMARY_DISTANCE_M, f"its distance ({distance_m:g} m)" if distance_m is not None else "")):  # fmt: skip
        if value is not None and (value < 0 or (run and value > limit)):
            return f"{said} is impossible for a {'run' if run else 'activity'}"
    return None


def _latin1_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


#: The decoding error handler that reads the bytes that are not UTF-8 as Latin-1, one by one.
LATIN1_FALLBACK = "hamstring-latin1-fallback"
codecs.register_error(LATIN1_FALLBACK, _latin1_fallback)


def finite(x) -> float | None:
    """``x`` as a float when it is a finite number (or numeric text), else None."""
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def bounded(x, lo: float, hi: float) -> float | None:
    v = finite(x)
    return v if v is not None and lo <= v <= hi else None


def summary_activity(
    *,
    source: str,
    fmt: str,
    start_utc: pd.Timestamp,
    elapsed_s: float | None,
    distance_m: float | None,
    moving_s: float | None = None,
    sport: str | None = None,
    sub_sport: str | None = None,
    name: str | None = None,
    device: str | None = None,
    utc_offset_s: int | None = None,
    session_index: int = 0,
    rpe: float | None = None,
    commute: bool | None = None,
    file_ref: str | None = None,
    totals: dict | None = None,
    warnings: list[str] | None = None,
) -> Activity:
    """An `Activity` without samples, its totals as the summary gives them (implausible ones left out)."""
    elapsed = bounded(elapsed_s, 0.0, MAX_SUMMARY_ELAPSED_S)
    moving = bounded(moving_s, 0.0, MAX_SUMMARY_ELAPSED_S)
    if moving is None or (elapsed is not None and moving > elapsed):
        moving = elapsed
    return Activity(
        records=Samples.empty(),
        laps=[],
        source=source,
        format=fmt,
        sport=sport,
        sub_sport=sub_sport,
        device=device,
        name=name,
        start_utc=start_utc,
        utc_offset_s=utc_offset_s,
        elapsed_s=elapsed,
        moving_s=moving,
        distance_m=bounded(distance_m, 0.0, MAX_SUMMARY_DISTANCE_M),
        session_index=session_index,
        rpe=bounded(rpe, 1.0, 10.0),
        commute=commute,
        file_ref=file_ref,
        totals={k: v for k, v in (totals or {}).items() if v is not None} or None,
        warnings=list(warnings or []),
    )


def load_json(data: bytes, source: str, what: str):
    """JSON as Polar and Garmin write it: bare NaN allowed (read as missing), Infinity refused, size bounded.

    Raises
    ------
    ParseError
        Too large, broken or cut short, nested beyond reason, or holding Infinity. A
        byte that is not UTF-8 is read as Latin-1 (one stray byte never costs the file).
    """
    if len(data) > MAX_INDEX_BYTES:
        raise ParseError(source, f"{what} is larger than {MAX_INDEX_BYTES // 2**20} MiB; refused")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # a stray Latin-1 byte (a name typed elsewhere): that character as Latin-1, never the whole file
        text = data.decode("utf-8", LATIN1_FALLBACK).removeprefix("\ufeff")

    def constant(name: str):
        if name == "NaN":
            return None
        raise ValueError(f"{name} is not a number a watch records")

    try:
        return json.loads(text, parse_constant=constant)
    except RecursionError:
        raise ParseError(source, f"{what} is nested too deeply; refused") from None
    except ValueError as exc:  # JSONDecodeError included
        raise ParseError(source, f"{what} is not readable JSON ({str(exc)[:120]})") from None
