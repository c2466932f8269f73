"""Zip bombs: one inflated-bytes budget per archive tree, per-member limits, bounded peak memory."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from hamstring_analyzer.ingest import sources as ex
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.synthetic import easy_run, write_fit

MiB = 1024 * 1024
REPO = Path(__file__).resolve().parents[2]

#: Run in a fresh process: load the export, report what was found and the peak RSS
#: of the ingest (its own and its parser workers', which note theirs), in KiB. argv[2] lowers the
#: per-member cap (archives are listed and inflated in this process, not in workers).
INGEST = """
import json, os, sys
from hamstring_analyzer.ingest import load_runs, sources as ex
from tests.standins import peak_kib, peak_noting
ex.MAX_MEMBER_BYTES = int(sys.argv[2])
os.environ["HAMSTRING_TEST_PEAK_FILE"] = peaks = sys.argv[3]
e = load_runs(sys.argv[1], use_cache=False, workers=2, parse=peak_noting)
workers = [int(line) for line in open(peaks)]
peak = max([peak_kib(), *workers])
print(json.dumps({"runs": sorted(r.source for r in e.runs), "errors": e.errors, "peak_kib": peak, "worker_peaks": len(workers)}))
"""


def _fit(seed: int) -> bytes:
    return write_fit(easy_run(dt.datetime(2026, 3, 2 + seed, 7, 0), 5, seed=seed))


def _write_zeros(zf: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of ``size`` zero bytes, written a MiB at a time (the test stays small in memory)."""
    chunk = bytes(MiB)
    with zf.open(name, "w", force_zip64=True) as fh:  # the archive's compression (deflate)
        left = size
        while left:
            fh.write(chunk[: min(left, MiB)])
            left -= min(left, MiB)


def _ingest(path, member_cap: int = ex.MAX_MEMBER_BYTES) -> dict:
    peaks = Path(path).with_name("worker-peaks.txt")
    proc = subprocess.run([sys.executable, "-c", INGEST, str(path), str(member_cap), str(peaks)], capture_output=True, text=True, timeout=120,
                          cwd=REPO)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_many_members_of_zeros_are_refused_and_memory_stays_bounded(tmp_path):
    """The reported case (24 members of 255 MiB of zeros, ~6 GB inflated, plus two runs), at a twentieth of the size.

    Each member really holds zeros just over the per-member cap, lowered from
    64 to 4 MiB so the archive is written in a fraction of a second: the same
    property, found with the smallest input that trips it. The full-size
    headers are checked with the real cap below.
    """
    path = tmp_path / "bomb.zip"
    cap = 4 * MiB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("good/a.fit", _fit(1))
        for k in range(24):
            _write_zeros(zf, f"zeros/{k:02d}.fit", cap + MiB)  # headers declare more than the cap: refused unread
        zf.writestr("good/b.fit", _fit(2))
    found = _ingest(path, cap)
    assert found["runs"] == ["bomb.zip/good/a.fit", "bomb.zip/good/b.fit"]
    bombs = {e["source"]: e["error"] for e in found["errors"]}
    assert set(bombs) == {f"bomb.zip/zeros/{k:02d}.fit" for k in range(24)}
    assert all("refused" in reason for reason in bombs.values())
    assert found["worker_peaks"] == 2  # both runs' workers counted
    assert found["peak_kib"] < 600 * 1024, f"peak RSS {found['peak_kib'] // 1024} MiB"


def test_members_whose_headers_declare_255_mib_are_refused_unread(tmp_path):
    """The real cap (64 MiB) against the reported headers: 24 members declaring 255 MiB each, refused by their headers.

    The members hold 1 KiB each; only their declared sizes are 255 MiB. A
    reader that inflated them anyway would fail on the size mismatch, not
    refuse them.
    """
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good/a.fit", _fit(1))
        for k in range(24):
            zf.writestr(f"zeros/{k:02d}.fit", bytes(1024))
        zf.writestr("good/b.fit", _fit(2))
        for info in zf.filelist:  # the central directory, written on close, declares the reported size
            if info.filename.startswith("zeros/"):
                info.file_size = 255 * MiB
    export = load_runs(path, use_cache=False, workers=1)
    assert sorted(r.source for r in export.runs) == ["bomb.zip/good/a.fit", "bomb.zip/good/b.fit"]
    bombs = {e["source"]: e["error"] for e in export.errors}
    assert set(bombs) == {f"bomb.zip/zeros/{k:02d}.fit" for k in range(24)}
    assert all("refused" in reason and "255" in reason for reason in bombs.values()), bombs


def _nested(levels: int, fanout: int, leaf: bytes) -> bytes:
    """``levels`` of zips, each holding ``fanout`` copies of the level below; the bottom ones hold ``leaf`` as .fit."""
    data = leaf
    for level in range(levels):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for k in range(fanout):
                zf.writestr(f"{k:02d}.zip" if level else f"{k:02d}.fit", data)
        data = buf.getvalue()
    return data


def test_nested_zips_share_one_budget_and_good_siblings_are_read(tmp_path, monkeypatch):
    # 3 levels of 16 zips whose leaves each hold 1 MiB of zeros: 4096 leaves, 4 GiB in all
    # at full size. The budget is lowered so the test stays quick; the property is the same.
    monkeypatch.setattr(ex, "MAX_ARCHIVE_BYTES", 64 * MiB)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.fit", _fit(1))
        zf.writestr("nest.zip", _nested(3, 16, bytes(MiB)))
    (tmp_path / "nested.zip").write_bytes(outer.getvalue())
    (tmp_path / "other.zip").write_bytes(_nested(1, 1, _fit(2)).replace(b"00.fit", b"b0.fit"))
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert sorted(r.source for r in export.runs) == ["nested.zip/a.fit", "other.zip/b0.fit"]
    spent = [e for e in export.errors if "were not read" in e["error"]]
    assert len(spent) == 1 and "the rest of nested.zip" in spent[0]["error"]
    # Bounded: each leaf inflated only up to the budget (64 of 4096 at most), then the rest skipped.
    assert len(export.errors) <= 64 + 1


def test_compression_ratio_guard_names_the_member(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        _write_zeros(zf, "zeros.fit", 8 * MiB)  # under the member cap, but ~1000x compressed
        zf.writestr("ok.fit", _fit(3))
    (tmp_path / "x.zip").write_bytes(buf.getvalue())
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert [r.source for r in export.runs] == ["x.zip/ok.fit"]
    assert export.errors == [{"source": "x.zip/zeros.fit", "error": f"expands more than {ex.MAX_COMPRESSION_RATIO} times its compressed size; refused as a likely zip bomb"}]


def test_progress_total_counts_members_without_inflating_them(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(3):
            zf.writestr(f"r{k}.fit", _fit(k))
        zf.writestr("inner.zip", _nested(1, 1, _fit(5)))
    (tmp_path / "e.zip").write_bytes(buf.getvalue())
    calls = []
    load_runs(tmp_path, use_cache=False, workers=1, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4) and all(total == 4 for _, total in calls)
