"""Size, ratio and sample budgets (issue 27): a bomb or an endless track costs one line, and memory stays bounded.

The budgets are lowered with monkeypatch where a full-size file would be
slow to write; `benchmarks/memory.py` runs the full sizes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import tracemalloc
import zipfile

import numpy as np
import pytest

from hamstring_analyzer import ParseError, read_activities
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.readers import files, track
from hamstring_analyzer.readers.files import gunzip, inflation_problem
from hamstring_analyzer.synthetic import easy_run, write_fit, write_gpx
from hamstring_analyzer.synthetic_budgets import gpx_bytes, gzip_bomb_gpx, write_big_gpx
from hamstring_analyzer.synthetic_tracks import plain_tcx, track_times

MiB = 1024 * 1024
GZIP_BOMB = "expands more than 200 times its compressed size; refused as a likely gzip bomb"


def _good_run(day: int = 2) -> bytes:
    return write_fit(easy_run(dt.datetime(2026, 3, day, 7, 0), 5, seed=day))


def _load(folder, **kw):
    return load_runs(folder, workers=1, use_cache=False, **kw)


# --- ratio: gzip as zip members -------------------------------------------------------------


def test_a_gpx_gz_bomb_is_refused_in_one_line_and_the_run_beside_it_is_counted(tmp_path):
    """The reported case (394 KiB inflating to 113 MiB) at 4 MiB: past the grace MiB, the ratio refuses it."""
    bomb = gzip_bomb_gpx(4 * MiB, points=100)
    assert len(bomb) * 200 < 4 * MiB < files.MAX_DECOMPRESSED_BYTES  # under the size cap: only the ratio can refuse it
    (tmp_path / "bomb.gpx.gz").write_bytes(bomb)
    (tmp_path / "run.fit").write_bytes(_good_run())
    export = _load(tmp_path)
    assert [r.source for r in export.runs] == ["run.fit"]
    assert export.errors == [{"source": "bomb.gpx.gz", "error": GZIP_BOMB}]


def test_gzip_ratio_stops_inflating_early():
    """The bomb is refused after about 200 times its size comes out, not after all of it."""
    bomb = gzip.compress(b" " * (64 * MiB - 1), compresslevel=9)
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as err:
            gunzip(bomb, "zeros.tcx.gz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.reason == GZIP_BOMB
    assert peak < 1.5 * 200 * len(bomb) < 32 * MiB  # stopped past 200 x its ~65 KiB, not after 64 MiB


def test_a_gzip_that_compresses_like_a_real_file_is_read():
    """A real-looking GPX compresses well under the cap: read whole, values intact."""
    data = gpx_bytes(20_000)
    packed = gzip.compress(data)
    assert 10 < len(data) / len(packed) < 200 and len(data) > 2 * MiB
    (act,) = read_activities("run.gpx.gz", packed)
    assert len(act.samples) == 20_000 and act.elapsed_s == 19_999.0


def test_one_ratio_test_for_gzip_and_zip_members(tmp_path):
    """The same limit and words for a zip member and a gzip, and a gzip inside a zip gets both tests."""
    assert inflation_problem(2 * MiB, 10 * 1024, "zip") == "expands more than 200 times its compressed size; refused as a likely zip bomb"
    assert inflation_problem(2 * MiB, 10 * 1024, "gzip") == GZIP_BOMB
    assert inflation_problem(MiB, 1) is None  # the first MiB is never judged
    assert inflation_problem(2_000_000, 10_000) is None and inflation_problem(2_000_001, 10_000)  # 200 times, not more
    archive = tmp_path / "strava.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:  # stored: the zip test sees ratio 1, only the gzip's can refuse
        zf.writestr("activities/1.gpx.gz", gzip_bomb_gpx(4 * MiB, points=100))
        zf.writestr("activities/2.fit", _good_run(3))
    export = _load(archive)
    assert [r.source for r in export.runs] == ["strava.zip/activities/2.fit"]
    assert export.errors == [{"source": "strava.zip/activities/1.gpx.gz", "error": GZIP_BOMB}]


# --- size: one budget for a file read whole ---------------------------------------------------


def test_a_file_larger_than_any_activity_file_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100 * 1024)
    write_big_gpx(tmp_path / "endless.gpx", 150 * 1024)
    (tmp_path / "run.fit").write_bytes(_good_run())
    size = (tmp_path / "endless.gpx").stat().st_size
    export = _load(tmp_path)
    assert [r.source for r in export.runs] == ["run.fit"]
    reason = f"cannot be read ({size // 1024} KiB, larger than any activity file: at most 100 KiB are read)"
    assert export.errors == [{"source": "endless.gpx", "error": reason}]
    with pytest.raises(ParseError) as err:
        read_activities(tmp_path / "endless.gpx")
    assert err.value.reason == reason


# --- samples: points a second, and points a file ----------------------------------------------


def test_a_gpx_with_absurd_point_density_is_refused_with_the_rate():
    """5,000 points in 100 seconds: no device records 50 a second."""
    with pytest.raises(ParseError) as err:
        read_activities("dense.gpx", gpx_bytes(5_000, per_second=50))
    assert err.value.reason == ("holds 5,000 track points in 2 minutes (50 a second); no watch or phone records more than "
                                "10 a second, so it is not a real recording and is refused")  # fmt: skip


def test_the_same_points_all_at_one_time_are_refused():
    data = plain_tcx(["2026-03-02T07:00:00Z"] * 4_000)
    with pytest.raises(ParseError, match=r"holds 4,000 track points all in the same second; .* not a real recording"):
        read_activities("stuck.tcx", data)


@pytest.mark.parametrize("per_second", [1, 4, 10])
def test_real_rates_are_read(per_second):
    """One a second (watches), phone bursts, and 10 Hz (the most a sensor records) are kept whole."""
    (act,) = read_activities("ok.gpx", gpx_bytes(4_000, per_second=per_second))
    assert len(act.samples) == 4_000
    assert act.elapsed_s == pytest.approx(3_999 / per_second, abs=0.01)


def test_a_short_burst_is_not_judged_by_its_rate():
    """A handful of points within one second is a short file, not a generated one."""
    (act,) = read_activities("short.gpx", gpx_bytes(50, per_second=100))
    assert len(act.samples) == 50


def _broken_after(data: bytes, n_points: int, marker: bytes) -> bytes:
    """``data`` cut after its ``n_points``-th point and continued with broken XML: only an early stop avoids the XML error."""
    at = -1
    for _ in range(n_points):
        at = data.index(marker, at + 1)
    return data[: at + len(marker)] + b"<<<not xml"


def test_a_gpx_past_the_points_budget_is_refused_while_it_is_read(monkeypatch):
    monkeypatch.setattr(track, "MAX_TRACK_POINTS", 1_000)
    data = _broken_after(gpx_bytes(1_200), 1_001, b"</trkpt>")
    with pytest.raises(ParseError) as err:
        read_activities("endless.gpx", data)
    assert err.value.reason == ("holds more than 1,000 track points (17 minutes at one a second); "
                                "no watch records that much in one activity, so it is refused")  # fmt: skip
    (act,) = read_activities("fits.gpx", gpx_bytes(1_000))
    assert len(act.samples) == 1_000


def test_the_points_budget_counts_every_track_of_a_file(monkeypatch):
    monkeypatch.setattr(track, "MAX_TRACK_POINTS", 1_000)
    one = gpx_bytes(600).decode()
    trk = one[one.index("<trk>") : one.index("</gpx>")]
    two = one.replace("</gpx>", trk + "</gpx>").encode()
    with pytest.raises(ParseError, match="more than 1,000 track points"):
        read_activities("two.gpx", two)


def test_a_tcx_past_the_points_budget_is_refused_while_it_is_read(monkeypatch):
    monkeypatch.setattr(track, "MAX_TRACK_POINTS", 500)
    data = _broken_after(plain_tcx(track_times("2026-03-02T07:00:00", 700, 1), step_s=1), 501, b"</Trackpoint>")
    with pytest.raises(ParseError) as err:
        read_activities("endless.tcx", data)
    assert err.value.reason.startswith("holds more than 500 track points (8 minutes at one a second)")


def test_streaming_holds_the_points_not_the_document():
    """A 40,000-point GPX (11 MB) peaks at a few times its size; gpxpy's tree took over twenty times it."""
    data = write_gpx(easy_run(dt.datetime(2026, 3, 2, 7, 0), 110, pace_s_per_km=360, sample_every_s=1))  # 11 hours at 1 Hz
    assert len(data) > 8 * MiB
    tracemalloc.start()
    try:
        (act,) = read_activities("long.gpx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(act.samples) > 30_000
    assert peak < 3 * len(data), f"{peak / MiB:.0f} MiB for a {len(data) / MiB:.0f} MiB file"


def test_time_formats_writers_use():
    from hamstring_analyzer.readers.gpx import gpx_seconds

    base = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.timezone.utc).timestamp()
    assert gpx_seconds("2026-03-02T07:00:00Z") == base
    assert gpx_seconds(" 2026-03-02T07:00:00.250Z ") == base + 0.25
    assert gpx_seconds("2026-03-02T08:00:00+01:00") == base
    assert gpx_seconds("2026-03-02T06:30:00\u22120030") == base
    assert gpx_seconds("2026-3-2 7:00:00") == base  # one-digit fields, a space, no zone: UTC
    assert gpx_seconds("2026-03-02T07:00:00.123456789Z") == pytest.approx(base + 0.123456, abs=1e-6)
    assert np.isnan(gpx_seconds("yesterday")) and np.isnan(gpx_seconds("0000-01-01T00:00:00Z")) and np.isnan(gpx_seconds(None))


def test_zip_member_stream_uses_the_same_ratio_test(tmp_path):
    """The streamed member (Apple's export.xml in a zip) stops with the shared words."""
    from hamstring_analyzer.readers import Opener

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export.xml", b" " * (4 * MiB))
    with Opener("apple_health", archive, "apple_health_export/export.xml").open() as fh:
        with pytest.raises(ValueError) as err:
            while fh.read(64 * 1024):
                pass
    assert str(err.value) == "apple_health_export/export.xml expands more than 200 times its compressed size; refused as a likely zip bomb"


def test_a_fit_past_the_points_budget_is_refused_before_it_is_decoded(monkeypatch):
    """Counted over the framing alone: the decoder (about 500 bytes a record) never sees it."""
    from hamstring_analyzer.readers.fit import fast

    monkeypatch.setattr(track, "MAX_TRACK_POINTS", 1_000)
    long_run = write_fit(easy_run(dt.datetime(2026, 3, 2, 7, 0), 5, pace_s_per_km=360, sample_every_s=1))  # 1,800 records
    assert fast.record_count(long_run, 10**9) == 1_800
    decoded = []
    monkeypatch.setattr(fast, "_fitfast_columns", lambda *a: decoded.append(a) or {})
    with pytest.raises(ParseError) as err:
        read_activities("long.fit", long_run)
    assert err.value.reason == ("holds more than 1,000 track points (17 minutes at one a second); "
                                "no watch records that much in one activity, so it is refused")  # fmt: skip
    assert decoded == []
    monkeypatch.undo()
    monkeypatch.setattr(track, "MAX_TRACK_POINTS", 1_800)
    (act,) = read_activities("fits.fit", long_run)
    assert len(act.samples) == 1_800
