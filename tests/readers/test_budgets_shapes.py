"""The streamed GPX and TCX readers read every shape the tree readers did (issue 27).

Hypothesis writes documents with the shapes writers produce and some they
should not (repeated children, several tracks per lap, comments, unknown
elements, children in any order); the streamed reading must give what the
tree reading gave: gpxpy for GPX (still installed, an independent decoder),
the first-child-of-each-name reading the TCX reader used before.
"""

from __future__ import annotations

import time
from xml.etree.ElementTree import fromstring

import gpxpy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer import ParseError, read_activities
from hamstring_analyzer.readers import gpx, tcx
from hamstring_analyzer.readers.xmlsafe import clean_xml
from hamstring_analyzer.synthetic_budgets import gpx_bytes

from ..conftest import examples

NAMES = st.sampled_from(["Morning Run", "Zoé's run", "long &amp; slow", "", "  "])
NUM = st.floats(-89, 89, allow_nan=False).map(lambda x: f"{x:.6f}")
UTC_MACHINE = time.timezone == 0 and not time.daylight
TIMES = st.builds(
    lambda s, frac, zone, sep: f"2026-03-02{sep}07:{s // 60:02d}:{s % 60:02d}{frac}{zone}",
    st.integers(0, 3599), st.sampled_from(["", ".5", ".123456789"]),
    st.sampled_from(["Z", "+02:00", "-0130", "+01"] + ([""] if UTC_MACHINE else [])), st.sampled_from(["T", " "]),
)  # fmt: skip
JUNK = st.sampled_from(["", "<!-- a comment -->", "<desc>x</desc>", "<sat>7</sat>"])


@st.composite
def gpx_point(draw, v11: bool) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(f"<ele>{draw(NUM)}</ele>")
    if draw(st.booleans()):
        parts.append(f"<time>{draw(TIMES)}</time>")
    if draw(st.booleans()):  # a second one: the first counts
        parts.append(f"<ele>{draw(NUM)}</ele>")
    if v11 and draw(st.booleans()):
        hr, cad = draw(st.integers(60, 200)), draw(st.integers(50, 100))
        parts.append(f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>"
                     f"<gpxtpx:cad>{cad}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>")  # fmt: skip
    parts.append(draw(JUNK))
    return f'<trkpt lat="{draw(NUM)}" lon="{draw(NUM)}">{"".join(parts)}</trkpt>'


@st.composite
def gpx_doc(draw) -> bytes:
    v11 = draw(st.booleans())
    ns = "http://www.topografix.com/GPX/1/1" if v11 else "http://www.topografix.com/GPX/1/0"
    head = ""
    name = draw(NAMES)
    if draw(st.booleans()):
        head = f"<metadata><name>{name}</name></metadata>" if v11 else f"<name>{name}</name>"
    tracks = []
    for _ in range(draw(st.integers(0, 3))):
        t = "".join(draw(st.sampled_from(["", f"<name>{draw(NAMES)}</name>"])) for _ in range(1))
        if draw(st.booleans()):
            t += f"<type>{draw(st.sampled_from(['running', 'cycling', '9', 'Walk']))}</type>"
        for _ in range(draw(st.integers(0, 3))):
            t += "<trkseg>" + "".join(draw(gpx_point(v11)) for _ in range(draw(st.integers(0, 4)))) + "</trkseg>"
        tracks.append(f"<trk>{t}{draw(JUNK)}</trk>")
    extra = draw(st.sampled_from(["", '<wpt lat="1" lon="2"/>', '<rte><rtept lat="1" lon="2"/></rte>']))
    creator = draw(st.sampled_from(["", ' creator="Strava"', ' creator=" "']))
    return (f'<?xml version="1.0" encoding="UTF-8"?><gpx version="{"1.1" if v11 else "1.0"}"{creator} xmlns="{ns}" '
            f'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">{head}{extra}{"".join(tracks)}</gpx>').encode()  # fmt: skip


def _gpxpy_reading(data: bytes) -> dict:
    """What the reader took from gpxpy before it streamed (the same loops, on gpxpy's objects)."""
    doc = gpxpy.parse(data.decode("utf-8"))
    tracks = []
    for track in (t for t in doc.tracks if any(s.points for s in t.segments)):
        points = [p for s in track.segments for p in s.points]
        ext = [gpx_extensions(p) for p in points]
        tracks.append({
            "name": track.name, "type": track.type,
            "t": [p.time.timestamp() if p.time else np.nan for p in points],
            "lat": [p.latitude for p in points], "lon": [p.longitude for p in points],
            "ele": [np.nan if p.elevation is None else p.elevation for p in points],
            "hr": [e[0] for e in ext], "cad": [e[1] for e in ext],
        })  # fmt: skip
    return {"creator": doc.creator, "name": doc.name, "tracks": tracks, "plans": bool(doc.routes or doc.waypoints)}


def gpx_extensions(point) -> tuple[float, float]:
    hr = cad = np.nan
    for ext in point.extensions or ():
        for el in ext.iter():
            tag = el.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
            if tag in gpx.HR_TAGS and np.isnan(hr):
                hr = float(el.text)
            elif tag in gpx.CAD_TAGS and np.isnan(cad):
                cad = float(el.text)
    return hr, cad


def _streamed_gpx(data: bytes) -> dict:
    doc = gpx._stream(data, "x.gpx")
    tracks = [{"name": t.name, "type": t.type, **{c: list(getattr(t, c)) for c in gpx._Track.COLUMNS}} for t in doc.tracks if len(t)]
    return {"creator": doc.creator, "name": doc.name, "tracks": tracks, "plans": bool(doc.routes or doc.waypoints)}


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and a and isinstance(a[0], dict):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, list):
        return np.array_equal(np.array(a, dtype="float64"), np.array(b, dtype="float64"), equal_nan=True)
    return a == b


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gpx_doc())
def test_streamed_gpx_reads_what_gpxpy_read(data):
    data, _ = clean_xml(data, "x.gpx", "GPX")
    expected, got = _gpxpy_reading(data), _streamed_gpx(data)
    assert _same(expected, got), (expected, got)


# --- TCX ---------------------------------------------------------------------------------------


@st.composite
def tcx_point(draw) -> str:
    children = []
    if draw(st.booleans()):
        children.append(f"<Time>{draw(TIMES).replace(' ', 'T')}</Time>")
    if draw(st.booleans()):
        inner = [f"<LatitudeDegrees>{draw(NUM)}</LatitudeDegrees>"] + ([f"<LongitudeDegrees>{draw(NUM)}</LongitudeDegrees>"]
                                                                       if draw(st.booleans()) else [])  # fmt: skip
        children.append("<Position>" + "".join(draw(st.permutations(inner))) + "</Position>")
    for tag in ("AltitudeMeters", "DistanceMeters", "Cadence"):
        for _ in range(draw(st.integers(0, 2))):  # absent, once, or twice (the first counts)
            children.append(f"<{tag}>{draw(st.sampled_from([draw(NUM), ' 12.5 ', 'x', '']))}</{tag}>")
    if draw(st.booleans()):
        children.append(f"<HeartRateBpm><Value>{draw(st.integers(60, 200))}</Value></HeartRateBpm>")
    if draw(st.booleans()):
        ext = "".join(draw(st.lists(st.sampled_from(["<RunCadence>x</RunCadence>", "<RunCadence>88</RunCadence>",
                                                     "<RunCadence>91</RunCadence>", "<Speed>3.1</Speed>", "<Speed>2.9</Speed>"]),
                                    max_size=4)))  # fmt: skip
        children.append(f'<Extensions><TPX xmlns="http://www.garmin.com/xmlschemas/ActivityExtension/v2">{ext}</TPX></Extensions>')
    children.append(draw(JUNK))
    return "<Trackpoint>" + "".join(draw(st.permutations(children))) + "</Trackpoint>"


@st.composite
def tcx_doc(draw) -> bytes:
    acts = []
    for _ in range(draw(st.integers(0, 2))):
        body = []
        for _ in range(draw(st.integers(0, 3))):
            lap = [f"<{tag}>{draw(st.sampled_from([draw(NUM), ' Active ', 'Resting', '']))}</{tag}>"
                   for tag in draw(st.lists(st.sampled_from(["TotalTimeSeconds", "DistanceMeters", "Intensity"]), max_size=4))]  # fmt: skip
            for _ in range(draw(st.integers(0, 2))):
                lap.append("<Track>" + "".join(draw(tcx_point()) for _ in range(draw(st.integers(0, 3)))) + "</Track>")
            start = draw(st.sampled_from(["", f' StartTime="{draw(TIMES).replace(" ", "T")}"']))
            body.append(f"<Lap{start}>" + "".join(draw(st.permutations(lap))) + "</Lap>")
        if draw(st.booleans()):
            body.append(f"<Notes>{draw(NAMES)}</Notes>")
        if draw(st.booleans()):
            body.append(f"<Creator><Name>{draw(NAMES)}</Name></Creator>")
        sport = draw(st.sampled_from(["Running", "Biking", "Other"]))
        acts.append(f'<Activity Sport="{sport}"><Id>x</Id>' + "".join(draw(st.permutations(body))) + "</Activity>")
    plan = draw(st.sampled_from(["", "<Courses><Course><Name>c</Name></Course></Courses>"]))
    return ('<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
            f"<Activities>{''.join(acts)}</Activities>{plan}</TrainingCenterDatabase>").encode()  # fmt: skip


def _local(el) -> str:
    return el.tag.rsplit("}", 1)[-1]


def _child(el, name):
    return next((c for c in el if _local(c) == name), None)


def _text(el, *path):
    for name in path:
        el = None if el is None else _child(el, name)
    return el.text.strip() if el is not None and el.text else None


def _tree_reading(data: bytes) -> dict:
    """The TCX reader's tree reading before it streamed (the same first-child lookups, on an ElementTree)."""
    root = fromstring(data)
    acts = []
    for act in (el for el in root.iter() if _local(el) == "Activity"):
        laps, run_steps = [], False
        for lap in (c for c in act if _local(c) == "Lap"):
            cols = {c: [] for c in tcx.POINT_COLUMNS}
            for tp in (e for e in lap.iter() if _local(e) == "Trackpoint"):
                pos = _child(tp, "Position")
                c = tcx._float(_text(tp, "Cadence"))
                s = np.nan
                ext = _child(tp, "Extensions")
                for el in ext.iter() if ext is not None else ():
                    if _local(el) == "RunCadence" and np.isnan(c):
                        c = tcx._float(el.text)
                        run_steps = run_steps or np.isfinite(c)
                    elif _local(el) == "Speed":
                        s = tcx._float(el.text)
                values = [tcx._time(_text(tp, "Time")), tcx._float(_text(pos, "LatitudeDegrees")) if pos is not None else np.nan,
                          tcx._float(_text(pos, "LongitudeDegrees")) if pos is not None else np.nan, tcx._float(_text(tp, "AltitudeMeters")),
                          tcx._float(_text(tp, "DistanceMeters")), tcx._float(_text(tp, "HeartRateBpm", "Value")), c, s]  # fmt: skip
                for column, v in zip(tcx.POINT_COLUMNS, values):
                    cols[column].append(v)
            fields = {(k,): _text(lap, k) for k in ("TotalTimeSeconds", "DistanceMeters", "Intensity")}
            laps.append({"start": lap.get("StartTime"), "fields": fields, **cols})
        acts.append({"sport": act.get("Sport"), "notes": _text(act, "Notes"), "device": _text(act, "Creator", "Name"),
                     "laps": laps, "run_steps": run_steps})  # fmt: skip
    return {"acts": acts, "plans": any(_local(el) in ("Course", "Workout") for el in root.iter())}


def _streamed_tcx(data: bytes) -> dict:
    found = tcx._stream(data, "x.tcx")
    acts = []
    for act in found.activities:
        laps = [{"start": lap.start, "fields": {k: lap.fields.get(k) for k in (("TotalTimeSeconds",), ("DistanceMeters",), ("Intensity",))},
                 **{c: list(lap.columns[c]) for c in tcx.POINT_COLUMNS}} for lap in act.laps]  # fmt: skip
        acts.append({"sport": act.sport, "notes": act.fields.get(("Notes",)), "device": act.fields.get(("Creator", "Name")),
                     "laps": laps, "run_steps": act.run_steps})  # fmt: skip
    return {"acts": acts, "plans": found.plans}


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tcx_doc())
def test_streamed_tcx_reads_what_the_tree_read(data):
    expected, got = _tree_reading(data), _streamed_tcx(data)
    assert _same(expected, got), (expected, got)


# --- what the fast parser must never meet, and text as phone apps write it ---------------------


@pytest.mark.parametrize("name", ["late-dtd.gpx", "late-dtd.tcx"])
def test_a_dtd_past_the_head_is_refused_too(name):
    """`clean_xml` looks for a DTD in the first 4 KiB; the streamed readers refuse one anywhere."""
    kind = name.rsplit(".", 1)[1].upper()
    root = "gpx" if kind == "GPX" else "TrainingCenterDatabase"
    data = (f'<?xml version="1.0"?><!-- {"x" * 5000} --><!DOCTYPE {root} SYSTEM "http://example.invalid/x.dtd">'
            f"<{root}></{root}>").encode()  # fmt: skip
    with pytest.raises(ParseError) as err:
        read_activities(name, data)
    assert err.value.reason == f"{kind} file declares XML entities or a DTD, which a watch never writes; refused for safety"


def test_text_is_utf8_whatever_the_declaration_and_latin1_when_it_is_not():
    utf8 = gpx_bytes(3, name="Zoé").replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    assert read_activities("a.gpx", utf8)[0].name == "Zoé"
    latin1 = gpx_bytes(3, name="Zoé").decode().encode("latin-1")
    assert read_activities("b.gpx", latin1)[0].name == "Zoé"
