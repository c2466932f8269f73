"""Bad input of every kind: only ParseError or a (partial) read ever comes out."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer import ParseError, read_activities

from ..conftest import REAL_RUNS, examples
from .test_xml_formats import _gpx

SEEDS = {
    "run.fit": "sports-lib/src/specs/fixtures/runs/fit/6909950168.fit",
    "run.tcx": "runpandas/runpandas/tests/io/data/tcx/run_garmin.tcx",
}


def _seed(name: str) -> bytes:
    path = REAL_RUNS / SEEDS[name]
    if path.exists():
        return path.read_bytes()
    if name.endswith(".tcx"):
        pytest.skip("seed file needs ../shared/real_runs")
    return b""


def _read_or_parse_error(name: str, data: bytes):
    try:
        acts = read_activities(name, data)
    except ParseError as exc:
        assert exc.source == name and exc.reason
        return None
    for a in acts:
        assert a.records.index.is_monotonic_increasing
    return acts


@pytest.mark.parametrize("data,reason", [(b"", "empty"), (b"hello", "not a FIT, GPX or TCX"), (b"<gpx><trk>", "GPX"), (b"\x1f\x8bxx", "gzip")])
def test_simple_bad_files_give_parse_error(data, reason):
    with pytest.raises(ParseError, match=reason):
        read_activities("bad", data)


def test_gzip_bomb_is_refused(monkeypatch):
    from hamstring_analyzer.readers import files

    monkeypatch.setattr(files, "MAX_DECOMPRESSED_BYTES", 1_000_000)
    bomb = gzip.compress(b"\0" * 5_000_000)
    with pytest.raises(ParseError, match="gzip bomb"):
        read_activities("bomb.fit.gz", bomb)


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    _read_or_parse_error("random.bin", data)


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_truncated_and_bit_flipped_fit(data):
    seed = _seed("run.fit") or _gpx(170)
    cut = data.draw(st.integers(0, len(seed)))
    flips = data.draw(st.lists(st.integers(0, max(len(seed) - 1, 0)), max_size=8))
    buf = bytearray(seed[:cut] if data.draw(st.booleans()) else seed)
    for pos in flips:
        if pos < len(buf):
            buf[pos] ^= 1 << data.draw(st.integers(0, 7))
    _read_or_parse_error("mutated.fit", bytes(buf))


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_truncated_and_bit_flipped_xml(data):
    seed = _gpx(86) if data.draw(st.booleans()) else _seed("run.tcx")
    cut = data.draw(st.integers(0, len(seed)))
    buf = bytearray(seed[:cut])
    for pos in data.draw(st.lists(st.integers(0, max(len(buf) - 1, 0)), max_size=6)):
        if pos < len(buf):
            buf[pos] = data.draw(st.integers(0, 255))
    _read_or_parse_error("mutated.xml", bytes(buf))


def test_truncated_fit_at_every_tenth_of_the_file():
    seed = _seed("run.fit")
    if not seed:
        pytest.skip("needs ../shared/real_runs")
    partial_reads = 0
    for k in range(1, 10):
        acts = _read_or_parse_error("cut.fit", seed[: len(seed) * k // 10])
        if acts:
            assert all(a.partial for a in acts)
            partial_reads += 1
    assert partial_reads >= 8
