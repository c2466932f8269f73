"""Bad input for the platform exports' readers: only ParseError (or a partial read) comes out, in one line naming the file."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer import ParseError, read_activities
from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.readers import Opener, apple_health, polar, strava_csv, summary_only
from hamstring_analyzer.synthetic import easy_run
from hamstring_analyzer.synthetic_exports import Outing, apple_health_export, garmin_export, polar_session, strava_archive
from hamstring_analyzer.readers.summary_only import refusal

from ..conftest import examples

DAY = dt.datetime(2026, 3, 2, 7, 0)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """One small sample of each format, generated."""
    base = tmp_path_factory.mktemp("seeds")
    runs = [Outing(easy_run(DAY, 1.5, seed=1), rpe=5), Outing(easy_run(DAY + dt.timedelta(days=1), 1.5, seed=2))]
    strava = strava_archive(base / "strava", runs)
    garmin = garmin_export(base / "garmin", runs)
    apple = apple_health_export(base / "apple", runs)
    return {
        "activities.csv": (strava / "activities.csv").read_bytes(),
        "x_summarizedActivities.json": next(garmin.glob("DI_CONNECT/DI-Connect-Fitness/*.json")).read_bytes(),
        "training-session-1.json": polar_session(runs[0], "new"),
        "export.xml": (apple / "export.xml").read_bytes(),
    }


def _read(name: str, data: bytes, tmp_path=None):
    """Read ``data`` as ``name`` (an Apple export from disk, streamed); None on a ParseError naming the file."""
    try:
        if name == "export.xml":
            path = tmp_path / "export.xml"
            path.write_bytes(data)
            name = str(path)
            acts = read_activities(name)
        else:
            acts = read_activities(name, data)
    except ParseError as exc:
        assert exc.source == name and exc.reason and "\n" not in exc.reason
        return None
    for a in acts:
        if refusal(a) is not None:  # an entry of a list that cannot be read: named, with a reason, in its place
            assert refusal(a)[0] and refusal(a)[1] and "\n" not in refusal(a)[1]
            continue
        assert a.start_utc is not None and a.records.index.is_monotonic_increasing
    return acts


@pytest.mark.parametrize("name", ["activities.csv", "x_summarizedActivities.json", "training-session-1.json", "export.xml"])
def test_truncated_anywhere(seeds, name, tmp_path):
    data = seeds[name]
    whole = _read(name, data, tmp_path)
    assert whole and any(a.is_run for a in whole)
    for cut in range(0, len(data), max(1, len(data) // 23)):
        _read(name, data[:cut], tmp_path)


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_bit_flipped_and_spliced(seeds, tmp_path, data):
    name = data.draw(st.sampled_from(sorted(seeds)))
    buf = bytearray(seeds[name])
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(buf) - 1))
        if data.draw(st.booleans()):
            buf[pos] ^= 1 << data.draw(st.integers(0, 7))
        else:
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
    _read(name, bytes(buf), tmp_path)


@settings(max_examples=examples(60))
@given(st.lists(st.lists(st.text(max_size=12), max_size=12), max_size=8))
def test_any_csv_body_under_a_strava_header(rows):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Elapsed Time", "Distance", "Filename", "Distance"])
    w.writerows(rows)
    acts = _read("activities.csv", buf.getvalue().encode())
    for a in acts or ():
        assert a.distance_m is None or 0 <= a.distance_m <= 1_000_000


@settings(max_examples=examples(60))
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
                        ["exercises", "samples", "startTime", "type", "values", "intervalMillis", "distance", "duration", "sport",
                         "summarizedActivitiesExport", "startTimeGmt", "activityType", "timezoneOffsetMinutes", "dateTime", "value"]),
                        inner, max_size=5), max_leaves=30))  # fmt: skip
def test_any_json_shape(doc):
    for name, wrap in (("training-session-1.json", lambda d: {"startTime": "2026-03-02T07:00:00", "exercises": [d]}),
                       ("x_summarizedActivities.json", lambda d: [{"summarizedActivitiesExport": [d]}])):  # fmt: skip
        _read(name, json.dumps(wrap(doc)).encode())


@pytest.mark.parametrize("text,reason", [
    ('{"startTime": "2026-03-02T07:00:00", "exercises": [{"distance": Infinity}]}', "Infinity"),
    ('{"startTime": "2026-03-02T07:00:00", "exercises": [' * 1 + "[" * 200000 + "]" * 200000 + "]}", "nested too deeply"),
    ('{"startTime": "2026-03-02T07:00:00", "exercises": [{"distance": 5', "not readable JSON"),
])  # fmt: skip
def test_polar_json_tricks(text, reason):
    with pytest.raises(ParseError, match=reason):
        read_activities("training-session-1.json", text.encode())


def test_size_budgets(monkeypatch, seeds):
    monkeypatch.setattr(strava_csv, "MAX_INDEX_BYTES", 1000)
    with pytest.raises(ParseError, match="larger than"):
        read_activities("activities.csv", seeds["activities.csv"] + b"\n" * 1000)
    monkeypatch.setattr(summary_only, "MAX_INDEX_BYTES", 1000)
    with pytest.raises(ParseError, match="larger than"):
        read_activities("x_summarizedActivities.json", seeds["x_summarizedActivities.json"] + b" " * 1000)
    monkeypatch.setattr(polar, "MAX_SAMPLES", 100)
    monkeypatch.setattr(summary_only, "MAX_INDEX_BYTES", 64 * 2**20)
    with pytest.raises(ParseError, match="more than 100 samples"):
        read_activities("training-session-1.json", seeds["training-session-1.json"])


def test_apple_health_element_budget(monkeypatch, seeds, tmp_path):
    monkeypatch.setattr(apple_health, "MAX_ELEMENT_BYTES", 4096)
    monkeypatch.setattr(apple_health, "READ_CHUNK", 1024)
    data = seeds["export.xml"].replace(b"<HealthData locale", b"<HealthData note=\"" + b"x" * 10000 + b"\" locale", 1)
    (tmp_path / "export.xml").write_bytes(data)
    with pytest.raises(ParseError, match="larger than"):
        read_activities(tmp_path / "export.xml")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE HealthData [
 <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<HealthData locale="en">&lol3;</HealthData>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE HealthData SYSTEM "file:///etc/passwd">
<HealthData locale="en"></HealthData>
"""


@pytest.mark.parametrize("data,reason", [(BILLION_LAUGHS, "declares XML entities"), (EXTERNAL, "external DTD"),
                                         (b"<?xml version='1.0'?><HealthData>" + b"<Record/>" * 10, "cut short"),
                                         (b"   ", "unrecognised content")])  # fmt: skip
def test_hostile_apple_health_xml(tmp_path, data, reason):
    (tmp_path / "export.xml").write_bytes(data)
    with pytest.raises(ParseError, match=reason):
        read_activities(tmp_path / "export.xml")


def test_a_hostile_route_file_is_a_warning_not_a_crash(tmp_path):
    runs = [Outing(easy_run(DAY, 1.5, seed=1))]
    root = apple_health_export(tmp_path, runs)
    (route,) = (root / "workout-routes").iterdir()
    route.write_bytes(b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>')
    (a,) = read_activities(root / "export.xml")
    assert not a.has_gps and "cannot be read" in a.warnings[0] and "entities" in a.warnings[0]
    assert a.distance_m == pytest.approx(runs[0].distance_m, abs=1.0)  # the distance samples still tell it


def test_a_route_path_cannot_leave_the_export(tmp_path):
    runs = [Outing(easy_run(DAY, 1.5, seed=1))]
    root = apple_health_export(tmp_path / "inner", runs)
    (tmp_path / "secret.gpx").write_bytes(b"<gpx/>")
    xml = (root / "export.xml").read_bytes()
    start = xml.index(b'<FileReference path="') + len(b'<FileReference path="')
    xml = xml[:start] + b"/../../secret.gpx" + xml[xml.index(b'"', start):]
    (root / "export.xml").write_bytes(xml)
    opener = Opener("apple_health", root / "export.xml")
    assert opener.sibling("../../secret.gpx", 1000) is None
    (a,) = read_activities(root / "export.xml")
    assert not a.has_gps and "is not in the export" in a.warnings[0]


def test_a_broken_list_is_one_error_and_the_rest_goes_on(tmp_path):
    runs = [Outing(easy_run(DAY, 1.5, seed=1))]
    folder = strava_archive(tmp_path, runs)
    (folder / "activities.csv").write_bytes(b"Activity ID,Activity Date,Activity Type\n\x00\x01\x02")
    (tmp_path / "training-session-2.json").write_bytes(b'{"exercises": [], "startTime": ')
    export = load_runs(tmp_path, use_cache=False, workers=1)
    assert len(export.runs) == 1 and export.runs[0].source_kinds == ["fit"]
    errors = {e["source"]: e["error"] for e in export.errors}
    assert errors == {"activities.csv": "none of the 1 rows of activities.csv can be read (it has no date)",  # NULs in one row: judged alone
                      "training-session-2.json": errors["training-session-2.json"]}  # fmt: skip
    assert errors["training-session-2.json"].startswith("Polar training session is not readable JSON")


def test_a_streamed_export_xml_zip_bomb_is_refused_while_inflating(tmp_path):
    import zipfile

    archive = tmp_path / "export.zip"
    head = b'<?xml version="1.0"?>\n<HealthData locale="en">\n'
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export.xml", head + b" " * (8 * 2**20) + b"</HealthData>\n")
    with pytest.raises(ParseError, match="zip bomb"):
        read_activities("export.zip/apple_health_export/export.xml", Opener("apple_health", archive, "apple_health_export/export.xml"))
