"""Decode benchmark: our FIT reader against plain fitparse on the same real running files.

Run: python benchmarks/decode.py [REAL_RUNS_DIR]

Both sides run in this one process, one after the other, so the ratio is
meaningful even on a busy machine; absolute seconds are not.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import fitparse

from hamstring_analyzer import ParseError, read_activities

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "real_runs"


def running_fit_files(root: Path) -> list[Path]:
    files = []
    for line in (root / "INDEX.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 13 and cells[1] == "FIT" and "running" in cells[2]:
            files.append(root / cells[0])
    return files


def fitparse_records(data: bytes) -> int:
    import io

    n = 0
    try:
        for message in fitparse.FitFile(io.BytesIO(data), check_crc=False).get_messages("record"):
            message.get_values()
            n += 1
    except Exception:  # damaged files: count what came before, as our reader does
        pass
    return n


def main(root: Path = DEFAULT) -> None:
    files = running_fit_files(root)
    blobs = [(p, p.read_bytes()) for p in files]
    t0 = time.perf_counter()
    slow_records = sum(fitparse_records(data) for _, data in blobs)
    slow = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = 0
    for p, data in blobs:
        try:
            ours += sum(len(a.records) for a in read_activities(str(p), data))
        except ParseError:
            pass
    fast = time.perf_counter() - t0
    print(f"{len(blobs)} real running FIT files from {root}")
    print(f"{'decoder':<32}{'seconds':>10}{'records':>10}{'records/s':>12}{'ratio':>8}")
    print(f"{'fitparse, record by record':<32}{slow:>10.2f}{slow_records:>10}{slow_records / slow:>12,.0f}{1:>8.1f}")
    print(f"{'hamstring_analyzer (auto)':<32}{fast:>10.2f}{ours:>10}{ours / fast:>12,.0f}{slow / fast:>8.1f}")
    print("(our count merges samples that share a timestamp; fitparse counts messages)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
