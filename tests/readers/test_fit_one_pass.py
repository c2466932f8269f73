"""fitfast decodes a whole FIT file once: the summaries come from a copy cut down to them."""

from __future__ import annotations

import datetime as dt
import functools
import struct

import fitfast
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer.readers import fit
from hamstring_analyzer.readers.fit import fast
from hamstring_analyzer.synthetic import RunPlan, Segment, write_fit

from ..conftest import MANIFEST, REAL_RUNS, examples, needs_real_runs, real_files

#: Every kind `_summary_only` keeps, developer-field descriptions included.
KEPT_KINDS = ("session", "lap", "event", "activity", "file_id", "field_description", "developer_data_id")


def _run(seed: int = 0, minutes: int = 20, segments: int = 1) -> bytes:
    start = dt.datetime(2021, 3, 1, 7, 0) + dt.timedelta(days=seed)
    plan = RunPlan(start, [Segment(minutes * 60 // segments, 3.0 + 0.1 * i, 172) for i in range(segments)], seed=seed, sample_every_s=1)
    return write_fit(plan)


def _columns(data: bytes, kind: str) -> dict:
    return fitfast.records(data, kind, degrees=False)


def _assert_same_columns(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for name in a:
        assert a[name].dtype == b[name].dtype == np.float64
        assert a[name].view("u8").tolist() == b[name].view("u8").tolist(), name  # bit for bit, NaNs included


def _assert_summaries_kept(data: bytes) -> None:
    small = fast._summary_only(data)
    assert small is not None and len(small) < len(data)
    for kind in KEPT_KINDS:
        _assert_same_columns(_columns(data, kind), _columns(small, kind))
    assert _columns(small, "record") == {}


@pytest.mark.parametrize("segments", [1, 3])
def test_summary_only_keeps_every_summary_column(segments):
    _assert_summaries_kept(_run(seed=segments, segments=segments))


def test_chained_files_stay_chained():
    data = _run(seed=1) + _run(seed=2, segments=2)
    assert len(_columns(data, "session")["start_time"]) == 2
    _assert_summaries_kept(data)


def test_decode_fitfast_decodes_the_whole_file_once(monkeypatch):
    data = _run(seed=3, segments=2)
    expected = fast.decode_fitfast(data)
    sizes = []
    real = fitfast.records

    def counting(source, message="record", **kw):
        sizes.append(len(source))
        return real(source, message, **kw)

    monkeypatch.setattr(fitfast, "records", counting)
    raw = fast.decode_fitfast(data)
    assert sizes.count(len(data)) == 1  # the records; five calls on a few hundred bytes for the rest
    assert len(sizes) == 6 and max(sizes[1:]) < len(data) / 20
    assert raw.records.keys() == expected.records.keys()
    for name, values in raw.records.items():
        assert values.view("u8").tolist() == expected.records[name].view("u8").tolist()
    assert (raw.sessions, raw.laps, raw.activity, raw.file_id, raw.events) == (
        expected.sessions,
        expected.laps,
        expected.activity,
        expected.file_id,
        expected.events,
    )


def _message(header: int, payload: bytes) -> bytes:
    return bytes([header]) + payload


def _definition(local: int, number: int, fields: list[tuple[int, int, int]]) -> bytes:
    body = struct.pack("<BBHB", 0, 0, number, len(fields)) + b"".join(struct.pack("BBB", *f) for f in fields)
    return _message(0x40 | local, body)


def _fit(messages: bytes) -> bytes:
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(messages), b".FIT")
    header += struct.pack("<H", fit.fit_crc(header))
    return header + messages + struct.pack("<H", fit.fit_crc(messages))


def _event_after_a_record(compressed: bool) -> bytes:
    """file_id, one record at t0, then an event 5 s later: its time in a compressed header, or a field."""
    t0 = 1_000_000_000  # FIT seconds (2021)
    msgs = _definition(0, 0, [(0, 1, 0)]) + _message(0, bytes([4]))  # file_id: type = activity
    msgs += _definition(1, 20, [(253, 4, 0x86), (5, 4, 0x86)])  # record: timestamp, distance
    msgs += _message(1, struct.pack("<II", t0, 1000))
    if compressed:
        msgs += _definition(2, 21, [(0, 1, 0)])  # event: event only, the time is in the header
        msgs += _message(0x80 | 2 << 5 | (t0 + 5) & 0x1F, bytes([0]))
    else:
        msgs += _definition(2, 21, [(253, 4, 0x86), (0, 1, 0)])
        msgs += _message(2, struct.pack("<IB", t0 + 5, 0))
    return _fit(msgs)


@pytest.mark.parametrize("compressed", [False, True])
def test_a_summary_timed_by_a_compressed_header_is_read_from_the_whole_file(compressed):
    data = _event_after_a_record(compressed)
    t0_unix = 1_000_000_000 + fit.FIT_EPOCH_S
    assert _columns(data, "event")["timestamp"].tolist() == [t0_unix + 5]
    # A compressed time counts from the record's, which the cut-down copy leaves out.
    assert (fast._summary_only(data) is None) == compressed
    raw = fast.decode_fitfast(data)
    assert raw.events == [{"timestamp": t0_unix + 5, "event": 0.0}]
    assert raw.records["timestamp"].tolist() == [t0_unix]


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[:-3],  # cut
        lambda d: d + b"\0" * 5,  # trailing bytes that are no FIT sequence
        lambda d: d[:14] + bytes([0x0F]) + d[15:],  # a message of a local type never defined
        lambda d: bytes([13]) + d[1:],  # a header size FIT does not have
    ],
    ids=["cut", "trailing", "framing", "header"],
)
def test_framing_it_does_not_follow_gives_none(damage):
    assert fast._summary_only(damage(_run(seed=4))) is None


@functools.lru_cache(maxsize=None)
def _fitfast_reads_file(path: str) -> bool:
    """Whether fitfast decodes a real file's records (once per session per file)."""
    try:
        fitfast.records((REAL_RUNS / path).read_bytes(), "record", degrees=False)
    except BaseException as exc:  # noqa: B036 - a Rust panic is a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return False
    return True


@pytest.mark.parametrize("real", real_files("FIT"))
def test_every_real_file_fitfast_reads_keeps_its_summaries(real):
    data = real.full.read_bytes()
    if not data or not _fitfast_reads_file(real.path):
        return
    small = fast._summary_only(data)
    assert small is not None
    for kind, _, _ in fast.SUMMARY_MESSAGES:  # what decode_fitfast reads (each a decode of the whole file)
        _assert_same_columns(_columns(data, kind), _columns(small, kind))


@needs_real_runs
def test_fitfast_reads_most_real_fit_files():
    """The check above is not empty: fitfast reads at least 100 of the real FIT files."""
    assert sum(f.fmt == "FIT" and f.full.stat().st_size > 0 and _fitfast_reads_file(f.path) for f in MANIFEST) >= 100


def _walk_one_by_one(data: bytes, pos: int, end: int) -> bytes | None:
    """`fast._summary_messages` as it was written first: every message looked at, one at a time (the reference)."""
    keep = fast._SUMMARY_NUMBERS
    defined: list = [None] * 16
    written = [False] * 16
    out = []
    while pos < end:
        h = data[pos]
        if h & 0x80:
            d = defined[(h >> 5) & 3]
            if d is None or d[1] in keep:
                return None
            pos += d[2]
        elif h & 0x40:
            local = h & 0x0F
            stop = pos + 6 + 3 * data[pos + 5] if pos + 6 <= end else end + 1
            if stop > end:
                return None
            size = 1 + sum(data[pos + 7 : stop : 3])
            if h & 0x20:
                if stop >= end:
                    return None
                dev_stop = stop + 1 + 3 * data[stop]
                if dev_stop > end:
                    return None
                size += sum(data[stop + 2 : dev_stop : 3])
                stop = dev_stop
            number = int.from_bytes(data[pos + 3 : pos + 5], "big" if data[pos + 2] else "little")
            defined[local] = (data[pos:stop], number, size)
            written[local] = False
            pos = stop
        else:
            d = defined[h & 0x0F]
            if d is None:
                return None
            if d[1] in keep:
                if not written[h & 0x0F]:
                    out.append(d[0])
                    written[h & 0x0F] = True
                out.append(data[pos : pos + d[2]])
            pos += d[2]
    return b"".join(out) if pos == end else None


def _same_walk(data: bytes) -> None:
    start = data[0]
    end = min(len(data), start + int.from_bytes(data[4:8], "little"))
    assert fast._summary_messages(data, start, end) == _walk_one_by_one(data, start, end)


_SEVERAL_KINDS = _run(seed=5, segments=3)


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(14, len(_SEVERAL_KINDS) - 3), st.integers(0, 255)), max_size=6),
       st.integers(0, len(_SEVERAL_KINDS)))
def test_striding_over_records_reads_what_a_message_by_message_walk_reads(changes, cut):
    """Runs of records are jumped over in strides; damaged or cut files give what the one-at-a-time walk gives."""
    data = bytearray(_SEVERAL_KINDS)
    for at, value in changes:
        data[at] = value
    _same_walk(bytes(data[: max(cut, 15)]))


@settings(max_examples=examples(150))
@given(st.lists(st.tuples(st.sampled_from(["record", "hrv", "hrv-compressed", "event"]), st.integers(1, 70)), max_size=12))
def test_striding_over_runs_of_any_length_reads_what_the_walk_reads(runs):
    """Runs of skipped messages of every length (window edges at 16, 48, 112...), mixed with kept ones."""
    msgs = _definition(0, 20, [(253, 4, 0x86), (5, 4, 0x86)])  # record: 9 bytes
    msgs += _definition(2, 78, [(0, 2, 0x84)])  # hrv: 3 bytes, also sent with compressed time headers
    msgs += _definition(3, 21, [(0, 1, 0)])  # event: kept
    for kind, n in runs:
        for i in range(n):
            if kind == "record":
                msgs += _message(0, struct.pack("<II", 1_000_000_000 + i, i))
            elif kind == "hrv":
                msgs += _message(2, struct.pack("<H", 700 + i))
            elif kind == "hrv-compressed":
                msgs += _message(0x80 | 2 << 5 | i & 0x1F, struct.pack("<H", 700 + i))
            else:
                msgs += _message(3, bytes([i & 0xFF]))
    data = _fit(msgs)
    _same_walk(data)
    if any(kind == "event" for kind, _ in runs):
        assert fast._summary_messages(data, 14, len(data) - 2).count(bytes([3])) >= 1


@pytest.mark.parametrize("real", real_files("FIT"))
def test_striding_reads_every_real_fit_file_as_the_message_by_message_walk(real):
    data = real.full.read_bytes()
    if len(data) >= 14:
        _same_walk(data)


@needs_real_runs
def test_most_real_fit_files_have_a_header_to_walk():
    assert sum(f.fmt == "FIT" and f.full.stat().st_size >= 14 for f in MANIFEST) >= 100
