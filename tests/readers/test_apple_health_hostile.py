"""Hostile and damaged Apple Health exports (issue 27): linear time, bounded memory, damage costs only its element.

Each case keeps the export's good workouts beside the hostile bytes and
checks them against the clean read: same count, same distances, one reason
line for what was lost.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer import ParseError, read_activities
from hamstring_analyzer.readers import apple_health
from hamstring_analyzer.synthetic import easy_run
from hamstring_analyzer.synthetic_exports import Outing, apple_health_export

from ..conftest import examples

DAY = dt.datetime(2026, 3, 2, 7, 0)
RUNNING_TAG = (b'<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="20" durationUnit="min" sourceName="W" '
               b'startDate="2026-03-01 07:00:00 +0100" endDate="2026-03-01 07:20:00 +0100">\n')  # fmt: skip
#: The hostile shapes, each repeated to the file's size where it is put: tags that never close, openings cut by the next.
#: Unclosed workouts after the good ones were what made the workout regex quadratic (no ``</Workout>`` further on).
SHAPES = {
    "unclosed running workouts after the good ones": (RUNNING_TAG, "end", "running workouts of the export are broken XML"),
    "unclosed running workouts before the good ones": (RUNNING_TAG, "before", "running workouts of the export are broken XML"),
    "running workout tags cut before their > (the issue's file)": (RUNNING_TAG[:-2] + b"\n", "end", "workouts of the export open with a broken tag"),
    "bare workout openings": (b"<Workout ", "before", "workouts of the export open with a broken tag"),
    "samples without their >": (b'<Record type="HKQuantityTypeIdentifierHeartRate" startDate="2026-03-02 07:01:00 +0100" value="1" ',
                                "samples", "damaged XML in"),
    "bare sample openings": (b"<Record ", "samples", "damaged XML in"),
}  # fmt: skip


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A small export of two runs, its bytes and its clean read."""
    runs = [Outing(easy_run(DAY, 1.5, seed=1)), Outing(easy_run(DAY + dt.timedelta(days=1), 2.0, seed=2))]
    root = apple_health_export(tmp_path_factory.mktemp("apple"), runs)
    data = (root / "export.xml").read_bytes()
    return data, read_activities(root / "export.xml"), root / "workout-routes"


@pytest.fixture
def tmp_path(tmp_path, clean):
    """Each test's folder, with the clean export's routes (the hostile export.xml is written beside them)."""
    shutil.copytree(clean[2], tmp_path / "workout-routes")
    return tmp_path


def _read(tmp_path, data: bytes):
    """Read ``data`` as an ``export.xml`` beside the clean export's routes."""
    path = tmp_path / "export.xml"
    path.write_bytes(data)
    return read_activities(path)


def _insert(data: bytes, junk: bytes, where: str = "before") -> bytes:
    """``junk`` before the first workout, between the two, among the samples or at the end of the root."""
    first = data.index(b"<Workout ")
    at = {"before": first, "between": data.index(b"<Workout ", first + 1), "samples": data.index(b"<Record ", data.index(b"<Record ") + 1),
          "end": data.index(b"</HealthData>")}[where]  # fmt: skip
    return data[:at] + junk + data[at:]


def _same_runs(acts, clean_acts) -> None:
    assert [(a.start_utc, round(a.distance_m, 3)) for a in acts] == [(a.start_utc, round(a.distance_m, 3)) for a in clean_acts]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_hostile_exports_take_time_linear_in_their_size(clean, tmp_path, shape):
    """Ten times the hostile bytes take about ten times the CPU time (the workout regex took 100x: 150 KB 1.1 s, 600 KB 18.6 s)."""
    data, clean_acts, _ = clean
    unit, where, reason = SHAPES[shape]
    seconds = []
    for size in (100_000, 1_000_000):
        hostile = _insert(data, unit * (size // len(unit)), where)
        start = time.process_time()
        acts = _read(tmp_path, hostile)
        seconds.append(time.process_time() - start)
        _same_runs(acts, clean_acts)
        assert any(reason in w for w in acts[0].warnings), acts[0].warnings
    assert seconds[1] / max(seconds[0], 1e-3) < 30, seconds


def test_unclosed_workout_tags_count_as_one_reason(clean, tmp_path):
    data, clean_acts, _ = clean
    acts = _read(tmp_path, _insert(data, RUNNING_TAG * 12409))
    _same_runs(acts, clean_acts)
    assert "12409 running workouts of the export are broken XML and were left out" in acts[0].warnings
    with pytest.raises(ParseError, match="without a readable running workout: 12409 running workouts"):
        _read(tmp_path, data[: data.index(b"<Workout ")] + RUNNING_TAG * 12409 + b"</HealthData>\n")


@pytest.mark.parametrize("where, junk, reason", [
    ("samples", b'<Record type="HKQuantityTypeIdentifierHeartRate" value="' + b"7" * 50_000 + b'"/>', "1 elements larger than 4 KiB"),
    ("samples", b'<Me HKCharacteristicTypeIdentifierDateOfBirth="' + b"x" * 50_000 + b'"/>', "1 elements larger than 4 KiB"),
    ("samples", b"<!-- " + b"c" * 50_000 + b" -->", "1 elements larger than 4 KiB"),
], ids=["sample attribute", "root child attribute", "comment"])  # fmt: skip
def test_an_element_over_the_budget_costs_only_itself(clean, tmp_path, monkeypatch, where, junk, reason):
    """The 288 MB export with one huge attribute kept its good workouts (at a budget shrunk to 4 KiB here).

    Among the runs' own samples, so the sample pass parses it (elsewhere it is skipped unread).
    """
    data, clean_acts, _ = clean
    monkeypatch.setattr(apple_health, "MAX_ELEMENT_BYTES", 4096)
    monkeypatch.setattr(apple_health, "READ_CHUNK", 1024)
    acts = _read(tmp_path, _insert(data, junk, where))
    _same_runs(acts, clean_acts)
    assert any(reason in w for w in acts[0].warnings), acts[0].warnings


def test_a_workout_over_the_budget_is_left_out_with_its_reason(clean, tmp_path, monkeypatch):
    data, clean_acts, _ = clean
    monkeypatch.setattr(apple_health, "MAX_ELEMENT_BYTES", 4096)
    monkeypatch.setattr(apple_health, "READ_CHUNK", 1024)
    second = data.index(b"<Workout ", data.index(b"<Workout ") + 1)
    child = data.index(b"<MetadataEntry", second)
    hostile = data[:child] + b'<MetadataEntry key="x" value="' + b"y" * 50_000 + b'"/>' + data[child:]
    (only,) = _read(tmp_path, hostile)
    _same_runs([only], clean_acts[:1])
    assert "1 workouts of the export are larger than 4 KiB and were left out" in only.warnings
    many = data[:child] + b'<MetadataEntry key="x" value="y"/>' * 200 + data[child:]  # small children, too many bytes
    (only,) = _read(tmp_path, many)
    assert "1 workouts of the export are larger than 4 KiB and were left out" in only.warnings


def test_a_huge_attribute_is_refused_before_it_is_whole(clean, tmp_path, monkeypatch):
    """Each pass's memory stays near the budget plus a chunk: expat never holds the whole 8 MiB attribute."""
    data, clean_acts, _ = clean
    monkeypatch.setattr(apple_health, "MAX_ELEMENT_BYTES", 256 * 1024)
    monkeypatch.setattr(apple_health, "READ_CHUNK", 64 * 1024)
    stream, growth = apple_health._stream, []

    def measured(*args):
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        try:
            return stream(*args)
        finally:
            growth.append(tracemalloc.get_traced_memory()[1] - before)

    monkeypatch.setattr(apple_health, "_stream", measured)
    (tmp_path / "export.xml").write_bytes(_insert(data, b'<Record type="HKQuantityTypeIdentifierHeartRate" value="' + b"7" * (8 * 2**20) + b'"/>', "samples"))
    tracemalloc.start()
    try:
        acts = read_activities(tmp_path / "export.xml")
    finally:
        tracemalloc.stop()
    _same_runs(acts, clean_acts)
    assert len(growth) == 2 and max(growth) < 2 * 2**20, growth  # 43 MB when the budget does not stop it


def test_damage_costs_only_the_element_it_is_in(clean, tmp_path):
    data, clean_acts, _ = clean
    broken_workout = RUNNING_TAG + b'<MetadataEntry key="a" value="1" value="2"/></Workout>\n'  # an attribute written twice
    hostile = _insert(_insert(data, broken_workout, "between"), b'<Record type="HKQuantityTypeIdentifierStepCount" a b/>\n', "samples")
    acts = _read(tmp_path, hostile)
    _same_runs(acts, clean_acts)
    assert "1 running workouts of the export are broken XML and were left out" in acts[0].warnings
    assert any("damaged XML in" in w for w in acts[0].warnings)


#: iOS 16 (HealthKit Export Version 12) writes an internal DTD that is not XML: one ATTLIST never
#: closes, with other declarations inside it, and a stray ">" before "]>"; and vertical tabs in values.
IOS16_DTD = b"""<!ATTLIST VisionPrescription
  type             CDATA #REQUIRED
  dateIssued       CDATA #REQUIRED
<!ELEMENT RightEye EMPTY>
<!ATTLIST RightEye
  sphere           CDATA #IMPLIED
>
>
"""


def test_ios16_exports_broken_dtd_and_vertical_tabs_read_as_the_clean_one(clean, tmp_path):
    data, clean_acts, _ = clean
    hostile = data.replace(b"]>\n<HealthData", IOS16_DTD + b"]>\n<HealthData", 1).replace(b"model:Watch", b"model:\x0bWatch")
    assert hostile.count(b"\x0b") > 10
    acts = _read(tmp_path, hostile)
    _same_runs(acts, clean_acts)
    for a, b in zip(acts, clean_acts):
        assert a.records.equals(b.records) and a.warnings == b.warnings


_FRAGMENTS = st.sampled_from([b"<Workout ", RUNNING_TAG, b"<Record ", b"<!--", b"-->", b'"', b"'", b">", b"/>", b"&", b"&lol;", b"<", b"]]>",
                              b"<![CDATA[", b"\x00", b"\xff\xfe", b"<Workout x=\"", b"</Record>", b"</HealthData>", b"<?pi "])  # fmt: skip


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.lists(_FRAGMENTS, min_size=1, max_size=8).map(b"".join), where=st.sampled_from(["before", "between"]))
def test_junk_before_or_between_the_workouts_never_costs_them(clean, tmp_path, junk, where):
    data, clean_acts, _ = clean
    acts = _read(tmp_path, _insert(data, junk, where))
    kept = {(a.start_utc, round(a.distance_m, 3)) for a in acts}
    assert {(a.start_utc, round(a.distance_m, 3)) for a in clean_acts} <= kept


# ------------------------------------------------- the other XML readers --
_GPX = b'<?xml version="1.0"?><gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
_TCX = (b'<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        b'<Activities><Activity Sport="Running"><Id>2026-03-02T07:00:00Z</Id><Lap StartTime="2026-03-02T07:00:00Z"><Track>')  # fmt: skip


@pytest.mark.parametrize("name, head, unit", [
    ("x.gpx", _GPX, b'<trkpt lat="51.5" lon="-0.1">'), ("x.gpx", _GPX, b"<trkpt "),
    ("x.tcx", _TCX, b"<Trackpoint><Time>2026-03-02T07:00:00Z</Time>"), ("x.tcx", _TCX, b"<Trackpoint "),
], ids=["gpx unclosed points", "gpx bare points", "tcx unclosed points", "tcx bare points"])  # fmt: skip
def test_gpx_and_tcx_readers_take_time_linear_in_a_hostile_files_size(name, head, unit):
    seconds = []
    for size in (200_000, 2_000_000):
        data = head + unit * (size // len(unit))
        best = float("inf")
        for _ in range(3):  # the best of three: other load on a shared machine only ever adds time
            start = time.process_time()
            with pytest.raises(ParseError, match="not a readable"):
                read_activities(name, data)
            best = min(best, time.process_time() - start)
        seconds.append(best)
    # linear: about 10 (up to 40 seen with a busy machine and a cold cache for the bigger file); quadratic: about 100
    assert seconds[1] / max(seconds[0], 1e-3) < 55, seconds


def test_skipping_the_windows_without_wanted_samples_changes_nothing(tmp_path, monkeypatch):
    """Years of everyday samples are skipped unread by the sample pass; the runs read as when every byte is parsed.

    A ``<Correlation>`` (blood pressure) spanning several windows is never cut:
    no false "damaged" reason.
    """
    runs = [Outing(easy_run(DAY, 1.5, seed=1)), Outing(easy_run(DAY + dt.timedelta(days=3), 2.0, seed=2))]
    root = apple_health_export(tmp_path, runs, target_bytes=3_000_000)
    data = (root / "export.xml").read_bytes()
    start = data.index(b"<Record ", 1_000_000)
    end = data.index(b"<Record ", 1_900_000)
    (root / "export.xml").write_bytes(data[:start] + b'<Correlation type="HKCorrelationTypeIdentifierBloodPressure" startDate="2026-01-01 07:00:00 +0000">\n'
                                      + data[start:end] + b"</Correlation>\n" + data[end:])  # fmt: skip
    skippable, skipped = apple_health._Collector.skippable, []

    def counted(self, window):
        skipped.append(skippable(self, window))
        return skipped[-1]

    monkeypatch.setattr(apple_health._Collector, "skippable", counted)
    fast = read_activities(root / "export.xml")
    monkeypatch.setattr(apple_health._Collector, "skippable", lambda self, window: False)
    slow = read_activities(root / "export.xml")
    assert sum(skipped) >= 5 and not all(skipped)
    assert [a.warnings for a in fast] == [a.warnings for a in slow] == [[], []]
    for a, b in zip(fast, slow):
        assert a.records.equals(b.records) and a.distance_m == b.distance_m
