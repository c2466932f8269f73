"""A large daily log cut into partitions of whole athletes, streamed: never the whole file in one process.

One pass reads the log in blocks (`pyarrow.csv.open_csv`, or a Parquet
file's row groups) and appends each row to one of ``n`` partition files
(Arrow IPC streams) chosen by a hash of the row's athlete id, as
`daily_log.frame_daily_log` will read it (``" 7"``, ``"7"`` and ``"7.0"``
are one athlete). Every row of an athlete lands in the same partition, so
the file need not be sorted by athlete, and a partition holds about
``rows / n`` rows: memory follows the partition size, never the file size.

Each row keeps its line in the file (header = 1) for the reports: a CSV's
physical line (blank lines counted, a quoted value is never split across
lines), a Parquet row's position + 2 (as `daily_log.read_daily_log_table`
numbers them). A row whose cell count differs from the header's is reported
with its line here, as the whole-file reader does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParseError, unexpected_problem
from .daily_log import ATHLETE_NAMES, LINE, _squeeze, athlete_ids, find_columns, unique_names
from .summary_only import MAX_ROW_CHARS, QUOTE_LEFT_OPEN, csv_rows, huge_row_reason, list_lines

#: About this many rows per partition by default (a partition is analysed in one task).
PARTITION_ROWS = 250_000
#: Bytes of CSV read per block.
BLOCK_BYTES = 8 * 2**20


@dataclass
class Partitions:
    """The partition files of a log, the rows read, and the rows left out while cutting (line and reason)."""

    files: list[Path]
    rows: int = 0
    problems: list[dict] = field(default_factory=list)


def partition_count(rows: int, partition_rows: int = PARTITION_ROWS) -> int:
    """How many partitions make about ``partition_rows`` rows each."""
    return max(1, -(-int(rows) // max(int(partition_rows), 1)))


def bucket_of(ids: pd.Series, n: int) -> np.ndarray:
    """The partition (0..n-1) of each athlete id: the same id, the same partition, in every process."""
    hashed = pd.util.hash_array(ids.fillna("").to_numpy(dtype=object), categorize=True)
    return (hashed % np.uint64(n)).astype("int64")


def _header(path: Path, source: str) -> tuple[list[str], str]:
    """The CSV's column names (a name written twice becomes ``name.2``, as `daily_log._csv_frame` does) and its encoding."""
    import csv
    import io

    import pyarrow as pa

    with pa.input_stream(str(path), compression="detect") as stream:
        head = stream.read(1 << 20)
    if not head.strip():
        raise ParseError(source, "file is empty")
    try:
        text, encoding = head.decode("utf-8"), "utf8"
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut by the 1 MiB read
            text, encoding = head.decode("latin-1"), "latin-1"
        else:
            text, encoding = head[: exc.start].decode("utf-8"), "utf8"
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), [])
    return unique_names(first), encoding


def _athlete_column(names: list[str]) -> str | None:
    for name in names:
        if _squeeze(name) in ATHLETE_NAMES:
            return name
    return None


def _csv_batches(path: Path, source: str, problems: list[dict]):
    """The CSV's rows as pandas frames of text cells (trimmed; empty is None) with their lines; bad rows into ``problems``."""
    import csv

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names, encoding = _header(path, source)
    try:
        find_columns(names)
    except ValueError as exc:
        raise ParseError(source, f"not a daily training log: {exc}") from None
    skipped: list[int] = []
    rescued: list[tuple[int, list[str]]] = []

    def bad_row(row) -> str:
        text, first = row.text, int(row.number)
        if "\n" in text:  # a quote left open swallowed the lines after it: refused alone, those lines read again
            lines = list_lines(text)
            skipped.extend(range(first, first + len(lines)))
            problems.append({"line": first, "athlete": None, "reason": QUOTE_LEFT_OPEN})
            for line, cells, reason in csv_rows(lines, 1, len(names)):
                line += first - 1
                if reason is not None:
                    problems.append({"line": line, "athlete": None, "reason": reason})
                elif len(cells) != len(names):
                    if any(c.strip() for c in cells):
                        problems.append({"line": line, "athlete": None, "reason": f"{len(cells)} cells where the header has {len(names)}"})
                else:
                    rescued.append((line, cells))
            return "skip"
        if any(c.strip() for c in next(csv.reader([text]), [])):  # a row of empty cells is no row, as the whole-file reader skips it
            problems.append({"line": first, "athlete": None, "reason": f"{row.actual_columns} cells where the header has {len(names)}"})
        skipped.append(first)
        return "skip"

    reader = pcsv.open_csv(
        pa.input_stream(str(path), compression="detect"),
        read_options=pcsv.ReadOptions(use_threads=False, block_size=BLOCK_BYTES, column_names=names, skip_rows=1, encoding=encoding),
        parse_options=pcsv.ParseOptions(invalid_row_handler=bad_row, ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False),
    )
    line = 2  # the next physical line a row may be on
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            if rescued:  # rows a quote left open had swallowed in the last block
                yield _rescued_table(rescued, names)
            return
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise ParseError(source, f"the daily log is not readable CSV ({unexpected_problem(exc, 'in the CSV reader')})") from None
        n = batch.num_rows
        taken = sorted(s for s in skipped if s >= line)
        lines = np.empty(n, dtype="int64")
        k, j = 0, 0
        while k < n:  # the next n lines not taken by a skipped row (few: a plain run of lines in one step)
            stop = taken[j] if j < len(taken) else line + (n - k)
            run = min(stop - line, n - k)
            lines[k : k + run] = np.arange(line, line + run)
            k += run
            line += run
            if k < n and j < len(taken) and line == taken[j]:
                line += 1
                j += 1
        while j < len(taken) and taken[j] == line:
            line += 1
            j += 1
        skipped[:] = [s for s in skipped if s >= line]
        # A row longer than any activity's is refused on its own, as the whole-file reader refuses it.
        chars = np.full(n, len(names), dtype="int64")
        for col in batch.columns:
            chars += pc.fill_null(pc.utf8_length(col), 0).to_numpy(zero_copy_only=False)
        if (huge := chars > MAX_ROW_CHARS).any():
            for k in np.flatnonzero(huge):
                problems.append({"line": int(lines[k]), "athlete": None, "reason": huge_row_reason(int(chars[k]))})
            batch, lines = batch.filter(pa.array(~huge)), lines[~huge]
        yield _trimmed(batch.columns, lines, names)
        if rescued:
            yield _rescued_table(rescued, names)


def _rescued_table(rescued: list, names: list[str]):
    """The rows a quote left open had swallowed, read again (`_csv_batches`), as a table; ``rescued`` emptied."""
    import pyarrow as pa

    cells = list(zip(*(c for _, c in rescued)))
    table = _trimmed([pa.array(list(col), pa.string()) for col in cells], np.array([ln for ln, _ in rescued]), names)
    rescued.clear()
    return table


def _trimmed(columns, lines, names):
    """The rows as a table of trimmed text cells (empty is None) with their lines; rows of empty cells left out."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out, blank = [], None
    for col in columns:
        cells = pc.utf8_trim_whitespace(col)
        empty = pc.equal(pc.utf8_length(cells), 0)
        blank = empty if blank is None else pc.and_(blank, empty)
        out.append(pc.if_else(empty, pa.scalar(None, pa.string()), cells))
    table = pa.Table.from_arrays(out + [pa.array(lines, pa.int64())], names=names + [LINE])
    return table.filter(pc.invert(blank)) if blank is not None and pc.any(blank).as_py() else table


def _parquet_batches(path: Path, source: str):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(str(path))
        names = file.schema_arrow.names
        find_columns([str(n) for n in names])
    except ValueError as exc:
        raise ParseError(source, f"not a daily training log: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a damaged file
        raise ParseError(source, f"not a readable Parquet file ({unexpected_problem(exc, 'in the Parquet reader')})") from None
    line = 2
    for batch in file.iter_batches(batch_size=65_536):
        yield pa.Table.from_batches([batch]).append_column(LINE, pa.array(np.arange(line, line + batch.num_rows)))
        line += batch.num_rows


def cut_daily_log(path: str | os.PathLike, folder: str | os.PathLike, n_parts: int, *, source: str | None = None) -> Partitions:
    """Cut the daily log at ``path`` into ``folder/part-NNNNN.arrow`` files of whole athletes (see the module docstring).

    ``n_parts`` partitions (`partition_count`: about `PARTITION_ROWS` rows
    each); an athlete's rows go to the same partition number in every log
    cut with the same ``n_parts``. Empty partitions are not written.

    Raises
    ------
    ParseError
        Unreadable, not a daily log (no date or distance column), or not CSV/Parquet.
    """
    import pyarrow as pa

    path, folder = Path(path), Path(folder)
    source = source or str(path)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.arrow"):
        old.unlink()
    problems: list[dict] = []
    parquet = path.name.lower().endswith((".parquet", ".pq"))
    batches = _parquet_batches(path, source) if parquet else _csv_batches(path, source, problems)
    writers: dict[int, object] = {}
    sinks: dict[int, object] = {}
    schema = None
    rows = 0
    try:
        for table in batches:
            if not table.num_rows:
                continue
            rows += table.num_rows
            name = _athlete_column([str(c) for c in table.column_names])
            ids = athlete_ids(table.column(name).to_pandas()) if name is not None else None
            parts = bucket_of(ids, n_parts) if ids is not None else np.zeros(table.num_rows, dtype="int64")
            order = np.argsort(parts, kind="stable")
            bounds = np.flatnonzero(np.r_[True, parts[order][1:] != parts[order][:-1], True])
            for a, b in zip(bounds[:-1], bounds[1:]):
                part = int(parts[order[a]])
                piece = table.take(pa.array(order[a:b]))
                if schema is None:
                    schema = piece.schema
                if part not in writers:
                    sinks[part] = pa.OSFile(str(folder / f"part-{part:05d}.arrow"), "wb")
                    writers[part] = pa.ipc.new_stream(sinks[part], schema)
                writers[part].write_table(piece.cast(schema))
    finally:
        for part, writer in writers.items():
            writer.close()
            sinks[part].close()
    return Partitions(files=sorted(folder.glob("part-*.arrow")), rows=rows, problems=problems)


def estimate_rows(path: str | os.PathLike) -> int:
    """About how many rows a daily log holds: a Parquet file's own count, a CSV's bytes over the width of its first rows."""
    path = Path(path)
    if path.name.lower().endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(str(path)).metadata.num_rows)
        except Exception:  # noqa: BLE001 - a damaged file is said by the reader
            return 1
    import pyarrow as pa

    size = path.stat().st_size
    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            head = stream.read(1 << 20)
    except (OSError, pa.ArrowException):
        return max(1, size // 40)
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    if compressed:
        size *= 5  # compressed: a daily log shrinks about five times
    lines = max(head.count(b"\n"), 1)
    return max(1, int(size / max(len(head) / lines, 8.0)))


def read_partition(path: str | os.PathLike) -> pd.DataFrame:
    """One partition file as the frame `daily_log.frame_daily_log` reads (the log's own columns and the line column)."""
    import pyarrow as pa

    with pa.OSFile(str(path), "rb") as f:
        table = pa.ipc.open_stream(f).read_all()
    return table.to_pandas()
