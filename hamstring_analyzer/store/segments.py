"""The summary segments: each a Parquet file of summary rows, tagged with the layout and code version that wrote it.

Reading keeps only segments this build wrote (another release's are left
for it) and deletes any that cannot be read; writing names each segment so
that names sort in the order they were made, and a later segment wins.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from .files import open_entry, private_dir, write_table
from .schema import LAYOUT_VERSION, SUMMARY_SCHEMA, summary_table
from .version import code_version

META_KEY = b"hamstring_analyzer"


@dataclass
class SegmentsRead:
    """What `read_segments` found in a summary folder."""

    #: Every stored file's rows, by key.
    index: dict[str, list[dict]] = field(default_factory=dict)
    #: The segments read, in name order.
    segments: list[Path] = field(default_factory=list)
    #: Segments of another layout or code version, left as they are.
    other_versions: list[Path] = field(default_factory=list)
    #: Segments that could not be read or were not ours, deleted.
    discarded: int = 0


def read_segments(folder: Path) -> SegmentsRead:
    """Every stored file's rows, by key, from the summary segments in ``folder`` (bad segments deleted)."""
    found = SegmentsRead()
    for path in sorted(folder.glob("*.parquet")):
        try:
            with open_entry(path) as fh:
                pf = pq.ParquetFile(fh, pre_buffer=False)  # see files.open_entry
                meta = json.loads((pf.schema_arrow.metadata or {})[META_KEY])
                if meta.get("layout") != LAYOUT_VERSION or meta.get("code") != code_version():
                    found.other_versions.append(path)  # another release's: left for it, pruned when old
                    continue
                table = pf.read()
            if not table.schema.remove_metadata().equals(SUMMARY_SCHEMA):
                raise ValueError("not the summary schema")
            rows = table.to_pylist()
        except FileNotFoundError:  # merged away by another process meanwhile
            continue
        except Exception:  # noqa: BLE001 - unreadable or foreign: its files are parsed again
            found.discarded += 1
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        found.segments.append(path)
        by_key: dict[str, list[dict]] = {}
        for row in rows:
            by_key.setdefault(row["key"], []).append(row)
        found.index.update(by_key)  # a later segment wins (same file, same content)
    return found


def write_segment(folder: Path, rows: list[dict]) -> Path:
    """Write ``rows`` as a new segment in ``folder`` (made private as needed); its path."""
    table = summary_table(rows).replace_schema_metadata(
        {META_KEY: json.dumps({"layout": LAYOUT_VERSION, "code": code_version()}).encode()}
    )
    private_dir(folder)
    path = folder / segment_name()
    write_table(path, table, None)
    return path


_last_segment_ns = 0
_clock_ns = time.time_ns  # what segment_name reads the time from (a test stops it)


def segment_name() -> str:
    """A new summary segment's name; names sort in the order they were made.

    The write time in nanoseconds (20 digits), never less than one more than the
    last name this process made (a clock that steps back cannot reorder them),
    then random characters so that two processes never pick the same name.
    (Older builds named them by the second, with a random tail: two segments of
    one second were then ordered by chance. Their segments carry another code
    version, so this build never reads them.)
    """
    global _last_segment_ns
    _last_segment_ns = max(_clock_ns(), _last_segment_ns + 1)
    return f"{_last_segment_ns:020d}-{secrets.token_hex(6)}.parquet"
