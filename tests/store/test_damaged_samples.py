"""A stored samples file damaged after the ingest is deleted and its source read again in the same run (issue 27).

The README promises that "a damaged or foreign entry is ignored and the file
read again". A file cut short or emptied is seen when the store is read; one
damaged inside (a footer claiming 2^62 rows, garbage ending like Parquet, a
bad page) only when its samples are read: `analysis.analyze_athlete` then
deletes every damaged samples file and ingests once more.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hamstring_analyzer.analysis import analyze_path
from hamstring_analyzer.cli import main
from hamstring_analyzer.config import Config, FastConfig
from hamstring_analyzer.errors import HamstringAnalyzerError
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.store import LAYOUT_FOLDER, StoredSamplesError, drop_damaged_samples
from hamstring_analyzer.synthetic_quirks import split_workouts_folder

from ..conftest import SAMPLE_RUNS

GARMIN = SAMPLE_RUNS / "export" / "garmin"
#: Six runs over three weeks: enough for weeks and flags, small enough to analyse three times a case.
FILES = ("2026-05-08-07-00.fit", "2026-05-10-08-00.fit", "2026-05-14-07-00.fit", "2026-05-17-08-00.fit",
         "2026-05-21-07-00.fit", "2026-05-24-08-00.fit")  # fmt: skip


def _varint_i64(n: int) -> bytes:
    """Thrift's compact protocol: an i64 as a zigzag varint."""
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        low, z = z & 0x7F, z >> 7
        out.append(low | (0x80 if z else 0))
        if not z:
            return bytes(out)


def claim_rows(data: bytes, rows: int, everywhere: bool) -> bytes:
    """``data`` (a Parquet file of one row group) with its footer claiming ``rows`` rows: the file's count, and with
    ``everywhere`` the row group's too (both are field 3, an i64 after an i64 or list field: header byte 0x16)."""
    footer_len = int.from_bytes(data[-8:-4], "little")
    footer = data[-8 - footer_len : -8]
    count = pq.ParquetFile(pa.BufferReader(data)).metadata.num_rows
    old, new = b"\x16" + _varint_i64(count), b"\x16" + _varint_i64(rows)
    assert footer.count(old) >= 2  # the file's and the row group's count
    footer = footer.replace(old, new) if everywhere else footer.replace(old, new, 1)
    return data[: -8 - footer_len] + footer + len(footer).to_bytes(4, "little") + b"PAR1"


def _flip_page(data: bytes) -> bytes:
    damaged = bytearray(data)
    for i in range(200, 400):  # inside the first column chunk's data page: its checksum no longer matches
        damaged[i] ^= 0x55
    return bytes(damaged)


DAMAGE = {
    "footer claims 2^62 rows": lambda d: claim_rows(d, 2**62, everywhere=False),
    "footer and row group claim 2^62 rows": lambda d: claim_rows(d, 2**62, everywhere=True),
    "cut in half": lambda d: d[: len(d) // 2],
    "zero bytes": lambda d: b"",
    "random garbage": lambda d: os.urandom(len(d)),
    "garbage ending like Parquet": lambda d: os.urandom(len(d) - 8) + (100).to_bytes(4, "little") + b"PAR1",
    "a damaged page": _flip_page,
}


@pytest.fixture(scope="module")
def export_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    for name in FILES:
        shutil.copy(GARMIN / name, folder / name)
    return folder


#: A ``[fast]`` window the ingest's summaries were not made for (`metrics.bands`): the analysis reads every run's samples,
#: as a command that needs them does (with the default window it reads none, and the damage waits for one that does).
READS_SAMPLES = Config(fast=FastConfig(window_s=31.0))


def _analyze_json(folder: Path, store: Path) -> dict:
    config = store.parent / "reads-samples.toml"
    config.write_text("[fast]\nwindow_s = 31.0\n")
    out = CliRunner().invoke(main, ["analyze", str(folder), "--cache-dir", str(store), "--json", "-", "-q", "--workers", "1",
                                    "--config", str(config)])  # fmt: skip
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_stored_samples_are_read_again_in_the_same_run(export_folder, tmp_path, damage):
    store = tmp_path / "store"
    before = _analyze_json(export_folder, store)
    samples = sorted((store / LAYOUT_FOLDER / "samples").rglob("*.parquet"))
    assert len(samples) == len(FILES)
    target = samples[2]
    rows = pq.ParquetFile(target).metadata.num_rows
    target.write_bytes(DAMAGE[damage](target.read_bytes()))

    after = _analyze_json(export_folder, store)

    assert after == before  # the same weeks, flags and runs: nothing lost, nothing doubled
    assert sum(w["runs"] for w in after["weeks"]) == len(FILES)
    assert pq.ParquetFile(target).metadata.num_rows == rows  # the store is repaired: the run stored again, whole
    again = load_runs(export_folder, cache_dir=store, workers=1)
    assert (again.parsed, again.cache_hits) == (0, len(FILES))


def test_several_damaged_samples_files_cost_one_more_ingest(export_folder, tmp_path, monkeypatch):
    store = tmp_path / "store"
    before = analyze_path(export_folder, READS_SAMPLES, cache_dir=store, workers=1)
    samples = sorted((store / LAYOUT_FOLDER / "samples").rglob("*.parquet"))
    for path in samples[1:4]:
        path.write_bytes(claim_rows(path.read_bytes(), 2**62, everywhere=True))
    loads = []
    real = load_runs

    def counting(*args, **kwargs):
        loads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("hamstring_analyzer.analysis.load_runs", counting)
    after = analyze_path(export_folder, READS_SAMPLES, cache_dir=store, workers=1)
    assert len(loads) == 2 and after.export.parsed == 3  # the three damaged files parsed again, in one more ingest
    assert after.to_dict() == before.to_dict()


def test_damage_found_when_samples_are_read_is_one_plain_line(tmp_path):
    store = tmp_path / "store"
    export = load_runs(GARMIN / FILES[0], cache_dir=store, workers=1)
    [samples] = (store / LAYOUT_FOLDER / "samples").rglob("*.parquet")
    samples.write_bytes(claim_rows(samples.read_bytes(), 2**62, everywhere=False))
    with pytest.raises(StoredSamplesError) as caught:
        export.runs[0].records  # noqa: B018 - read outside an analysis: the caller is told, the file deleted
    assert isinstance(caught.value, HamstringAnalyzerError)
    assert str(caught.value) == (f"{FILES[0]}: its stored samples cannot be read (damaged since they were stored); "
                                 "run again to re-read the file")  # fmt: skip
    assert "Error" not in str(caught.value) and not samples.exists()


def test_drop_damaged_samples_keeps_the_whole_ones(export_folder, tmp_path):
    store = tmp_path / "store"
    export = load_runs(export_folder, cache_dir=store, workers=1)
    samples = sorted((store / LAYOUT_FOLDER / "samples").rglob("*.parquet"))
    samples[0].write_bytes(_flip_page(samples[0].read_bytes()))
    samples[5].write_bytes(claim_rows(samples[5].read_bytes(), 2**62, everywhere=True))
    assert drop_damaged_samples(export.runs) == 2
    assert [p.exists() for p in samples] == [False, True, True, True, True, False]


def test_a_damaged_part_of_a_joined_run_is_read_again(tmp_path):
    """The parts of one workout recorded in several files are read while the export is loaded (to join them)."""
    folder = tmp_path / "coros"
    split_workouts_folder(folder)
    store = tmp_path / "store"
    before = analyze_path(folder, cache_dir=store, workers=1)
    joined = [r for r in before.export.runs if getattr(r, "parts", ())]
    assert joined
    part = joined[0].parts[1]._samples_path
    part.write_bytes(claim_rows(part.read_bytes(), 2**62, everywhere=True))
    after = analyze_path(folder, cache_dir=store, workers=1)
    assert after.export.parsed == 1 and after.to_dict() == before.to_dict()


def test_ingest_reads_a_damaged_part_again_too(tmp_path):
    folder = tmp_path / "coros"
    split_workouts_folder(folder)
    store = tmp_path / "store"
    ingest = ["ingest", str(folder), "--cache-dir", str(store), "--json", "-", "-q", "--workers", "1"]
    before = CliRunner().invoke(main, ingest)
    assert before.exit_code == 0, before.output
    joined = [r for r in load_runs(folder, cache_dir=store, workers=1).runs if getattr(r, "parts", ())]
    part = joined[0].parts[1]._samples_path
    part.write_bytes(claim_rows(part.read_bytes(), 2**62, everywhere=True))
    after = CliRunner().invoke(main, ingest)
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["runs"] == json.loads(before.stdout)["runs"] and part.is_file()
