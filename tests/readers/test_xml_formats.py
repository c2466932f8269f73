"""GPX and TCX: extensions, per-file cadence decision, repairs, refusals, local time."""

from __future__ import annotations

import pytest

from hamstring_analyzer import NotAnActivityError, ParseError, read_activities
from hamstring_analyzer import glossary as g

from ..conftest import REAL_RUNS, needs_real_runs

GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="{creator}" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
    "<trk><type>{type}</type><trkseg>"
)


def _gpx(cadence: int, n: int = 60, creator="StravaGPX", sport="running", with_time=True) -> bytes:
    pts = []
    for i in range(n):
        time = f"<time>2024-03-04T07:{i // 60:02d}:{i % 60:02d}Z</time>" if with_time else ""
        pts.append(
            f'<trkpt lat="{51.5 + i * 0.00003:.6f}" lon="-0.1"><ele>{10 + i * 0.1:.1f}</ele>{time}'
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr><gpxtpx:cad>{cadence}</gpxtpx:cad>"
            "</gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    return (GPX_HEAD.format(creator=creator, type=sport) + "".join(pts) + "</trkseg></trk></gpx>").encode()


def test_strava_style_gpx_cadence_of_170_stays_170():
    (act,) = read_activities("strava.gpx", _gpx(170))
    assert act.records[g.CADENCE].median() == 170
    assert act.records[g.HEART_RATE].median() == 150


def test_garmin_style_gpx_cadence_per_foot_is_doubled_once():
    (act,) = read_activities("garmin.gpx", _gpx(86))
    assert act.records[g.CADENCE].median() == 172


def test_gpx_local_time_comes_from_the_coordinates():
    (act,) = read_activities("london.gpx", _gpx(170))
    assert act.timezone == "Europe/London"
    assert act.start_local.utcoffset().total_seconds() == 0  # March: GMT
    assert act.sport == "running"
    assert act.distance_m == pytest.approx(59 * 3.336, rel=0.01)


def test_gpx_without_times_is_refused_with_a_reason():
    with pytest.raises(ParseError, match="no timestamps"):
        read_activities("route.gpx", _gpx(170, with_time=False))


def test_xml_entities_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>'
    with pytest.raises(ParseError, match="entities"):
        read_activities("bomb.gpx", bomb)


def test_unbound_prefix_is_recovered():
    text = _gpx(170).replace(b' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"', b"")
    (act,) = read_activities("unbound.gpx", text)
    assert act.records[g.HEART_RATE].median() == 150
    assert any("namespace" in w for w in act.warnings)


@needs_real_runs
def test_real_unbound_prefix_strava_gpx_reads():
    (act,) = read_activities(REAL_RUNS / "sports-lib/src/specs/fixtures/runs/gpx/6048438275.gpx")
    assert act.sport == "running" and len(act.records) > 4000


@needs_real_runs
def test_real_tcx_with_leading_blank_and_malformed_prefix_read():
    (a,) = read_activities(REAL_RUNS / "sports-lib/src/specs/fixtures/runs/tcx/6281425038.tcx")
    assert a.sport == "running" and len(a.records) > 100
    (b,) = read_activities(REAL_RUNS / "runpandas/runpandas/tests/io/data/tcx/malformed.tcx")
    assert b.distance_m == pytest.approx(4689, abs=5)


@needs_real_runs
def test_tcx_garmin_run_cadence_is_doubled_and_laps_read():
    (act,) = read_activities(REAL_RUNS / "sports-lib/src/specs/fixtures/runs/tcx/6782987395.tcx")
    fit = read_activities(REAL_RUNS / "sports-lib/src/specs/fixtures/runs/fit/6782987395.fit")[0]
    # The same run exported twice: the TCX agrees with the FIT file.
    assert act.distance_m == pytest.approx(fit.distance_m, abs=2)
    assert act.records[g.CADENCE].median() == pytest.approx(fit.records[g.CADENCE].median(), abs=2)
    assert act.moving_s == pytest.approx(fit.moving_s, abs=2)
    assert len(act.laps) == 2


@needs_real_runs
def test_paused_tcx_has_moving_time_below_elapsed():
    (act,) = read_activities(REAL_RUNS / "runpandas/runpandas/tests/io/data/tcx/stopped_example.tcx")
    assert act.moving_s < act.elapsed_s - 60


@needs_real_runs
def test_gpx_route_only_file_is_not_an_activity():
    with pytest.raises(NotAnActivityError):
        read_activities(REAL_RUNS / "gpxpy/test_files/route.gpx")


@needs_real_runs
def test_nike_gpx_local_time_is_recife():
    (act,) = read_activities(REAL_RUNS / "runpandas/examples/session/00978fad-85f8-4f1c-be44-2b7146ccbf76.gpx")
    assert act.timezone == "America/Recife"
    assert act.start_local.utcoffset().total_seconds() == -3 * 3600
