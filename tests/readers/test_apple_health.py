"""Apple Health exports as phones really write them (DOMAIN.md, "Real exports as they really are").

One generated export (`synthetic_quirks.apple_health_real_export`) of Paris runs in
September, exported in winter: every date reads +0100 while the runs were at +0200,
and each workout carries one quirk seen in public exports.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer import glossary as g
from hamstring_analyzer.clean import clean_activity
from hamstring_analyzer.errors import ParseError
from hamstring_analyzer.readers import read_activities
from hamstring_analyzer.readers.apple_health import _unescape
from hamstring_analyzer.readers.apple_samples import pick_source, plain_name
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run
from hamstring_analyzer.synthetic_exports import Outing
from hamstring_analyzer.synthetic_quirks import AppleQuirks, apple_health_real_export

from ..conftest import examples

PARIS = dict(zone="Europe/Paris", origin=(48.8566, 2.3522))
QUIRKS = {
    0: AppleQuirks(segments=5),  # intervals: five WorkoutActivity segments, the first written twice
    1: AppleQuirks(old_style_unit="mi"),  # totals on <Workout totalDistance> in miles
    2: AppleQuirks(route_stretch=1.45, distance_records=False),  # the route reads 45% more than the workout
    3: AppleQuirks(source_name="Runner’s Apple\u00a0Watch "),  # no-break space, trailing space
    4: AppleQuirks(route=False),  # no route: only HKTimeZone says the wall clock
    5: AppleQuirks(shared_route=0),  # names the route file of workout 0 (another day)
    6: AppleQuirks(segments=1, totals_in_segments=True),  # totals only inside its one segment
}


def _day(d: int, hour: int = 7) -> dt.datetime:
    return dt.datetime(2026, 9, d, hour, 0)


def quirky_runs() -> list[Outing]:
    intervals = [s for _ in range(4) for s in (Segment(180, 4.6, 186, "interval"), Segment(120, 2.4, 160, "recovery"))]
    return [
        Outing(RunPlan(start_local=_day(7), segments=[Segment(600, 2.9, 170), *intervals, Segment(600, 2.9, 170)], seed=3, **PARIS)),
        Outing(easy_run(_day(8), 6, seed=4, **PARIS)),
        # 7 minutes standing before the run: cleaning cuts it, which made the route's distance win before
        Outing(RunPlan(start_local=_day(9), segments=[Segment(420, 0.05, 0), Segment(5.6 * 330, 1000 / 330, 176)], seed=5, **PARIS)),
        Outing(easy_run(_day(10), 4, seed=6, **PARIS)),
        Outing(easy_run(_day(11), 5, seed=7, **PARIS)),
        Outing(easy_run(_day(12, 18), 3, seed=8, **PARIS)),
        Outing(easy_run(_day(13), 4.5, seed=9, **PARIS)),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    runs = quirky_runs()
    root = apple_health_real_export(tmp_path_factory.mktemp("apple"), runs, QUIRKS, export_offset_s=3600)
    acts = read_activities(root / "export.xml")
    return root, runs, acts, [clean_activity(a) for a in acts]


def test_the_export_is_written_as_phones_write_it(export):
    root, *_ = export
    xml = (root / "export.xml").read_text(encoding="utf-8")
    assert 'startDate="2026-09-07 06:00:00 +0100"' in xml  # 07:00 in Paris, written with the winter offset
    assert xml.count('<MetadataEntry key="HKTimeZone" value="Europe/Paris"/>') == 7
    assert xml.count("<WorkoutActivity ") == 7 and 'totalDistanceUnit="mi"' in xml
    assert "Runner&#8217;s Apple&#160;Watch " in xml and 'sourceName="Runner&#8217;s Apple Watch"' in xml
    assert xml.count("route_2026-09-01_7.00am.gpx") == 2


def test_every_run_found_at_the_workouts_own_totals(export):
    _, runs, acts, cleaned = export
    assert len(acts) == len(runs) == 7
    for a, c, o in zip(acts, cleaned, runs):
        assert a.start_utc == pd.Timestamp(o.start_utc)
        assert a.distance_m == pytest.approx(o.distance_m, rel=0.01), a.session_index
        assert c.distance_m == pytest.approx(o.distance_m, rel=0.01), a.session_index  # still so once cleaned


def test_interval_segments_are_not_the_workouts_totals(export):
    _, runs, acts, _ = export
    a, o = acts[0], runs[0]
    # the segments hold a fifth each (the first twice): neither the last one nor their sum is the total
    assert a.distance_m == pytest.approx(o.distance_m, rel=0.001)
    assert a.totals["avg_heart_rate_bpm"] == pytest.approx(float(np.mean(o.samples.hr)), abs=0.1)
    assert a.totals["elevation_gain_m"] == pytest.approx(0.01 * (700 + 701 + 702 + 703 + 704))  # once per segment uuid


def test_totals_only_inside_the_one_segment(export):
    _, runs, acts, _ = export
    assert acts[6].distance_m == pytest.approx(runs[6].distance_m, rel=0.001)
    assert acts[6].totals["avg_heart_rate_bpm"] == pytest.approx(float(np.mean(runs[6].samples.hr)), abs=0.1)


def test_old_style_totals_in_miles(export):
    _, runs, acts, _ = export
    assert acts[1].distance_m == pytest.approx(runs[1].distance_m, abs=0.2)  # 3.7250 mi written to 4 decimals


def test_a_route_that_disagrees_yields_to_the_workouts_total(export):
    _, runs, acts, cleaned = export
    a, c, o = acts[2], cleaned[2], runs[2]
    assert a.warnings == [f"its route said 8.14 km; the workout's own total, {o.distance_m / 1000:.2f} km, was kept"]
    assert c.quality.distance_source == "workout total" and c.quality.cut_s > 300  # the standing start was cut
    assert c.distance_m == pytest.approx(o.distance_m, rel=0.01)  # before: 8.1 km, the cleaned route
    # the route's shape at the watch's scale: running pace is the run's, not 45% faster
    assert np.nanmedian(c.samples[g.SPEED]) == pytest.approx(1000 / 330, rel=0.03)
    assert {x.quality.distance_source for i, x in enumerate(cleaned) if i != 2} == {"records"}


def test_the_wall_clock_comes_from_HKTimeZone(export):
    _, runs, acts, _ = export
    for a, o in zip(acts, runs):
        assert (a.timezone, a.utc_offset_s) == ("Europe/Paris", 7200)
        assert a.start_local.isoformat() == f"{o.plan.start_local.isoformat()}+02:00"
    assert not acts[4].has_gps  # no route: the zone can only come from the metadata


def test_source_names_with_odd_spaces_still_pick_the_watchs_samples(export):
    _, runs, acts, _ = export
    a = acts[3]
    assert a.device == "Runner’s Apple Watch"
    # the phone counted 3% fewer steps over the same minutes: its samples are not the workout's
    assert np.nanmedian(a.samples[g.CADENCE]) == pytest.approx(float(np.mean(runs[3].samples.cad)), abs=1.0)


def test_pick_source_prefers_the_workouts_device_then_a_watch():
    rows = [(0.0, 60.0, 170.0, "Runner’s Apple Watch"), (0.0, 60.0, 165.0, "Runner’s iPhone"), (60.0, 120.0, 160.0, "Runner’s iPhone")]
    assert pick_source(rows, 0, 200, "Runner’s Apple\u00a0Watch ")[:, 2].tolist() == [170.0]
    assert pick_source(rows, 0, 200, "Apple Watch de Camille")[:, 2].tolist() == [170.0]  # renamed: a watch before the phone
    assert pick_source(rows, 0, 200, "Strava")[:, 2].tolist() == [165.0, 160.0]  # otherwise the source with most samples
    assert plain_name(" Runner's\u00a0 Apple Watch\u00a0") == plain_name("Runner’s Apple Watch") == "runner's apple watch"
    assert _unescape("Runner&#8217;s Apple&#160;Watch &amp; &#x41;&#9999999;") == "Runner’s Apple\u00a0Watch & A"


def test_a_route_named_twice_is_read_for_each_workouts_own_time(export):
    _, runs, acts, _ = export
    first, other = acts[0], acts[5]
    assert first.has_gps and not other.has_gps
    assert other.start_utc == pd.Timestamp(runs[5].start_utc) and other.elapsed_s == pytest.approx(runs[5].elapsed_s, abs=1)
    assert "holds no positions inside the workout's time" in other.warnings[0]


def test_two_workouts_of_one_run_sharing_its_route_count_once(tmp_path):
    from hamstring_analyzer.ingest import load_runs

    run = Outing(easy_run(_day(7), 3, seed=11, **PARIS))
    root = apple_health_real_export(tmp_path, [run, run], {1: AppleQuirks(shared_route=0, source_name="Nike Run Club")})
    export = load_runs(root, use_cache=False, workers=1)
    (only,) = export.runs
    assert only.distance_m == pytest.approx(run.distance_m, rel=0.01) and only.has_gps
    assert [s["reason"].split(" of ")[0] for s in export.skipped if "export.xml" in s["source"]] == ["duplicate"]


def test_the_ingest_json_says_where_the_distance_came_from(export):
    from hamstring_analyzer.ingest import load_runs

    root, runs, _, _ = export
    rows = load_runs(root, use_cache=False, workers=1).summaries()
    assert [r["start_local"][:16] for r in rows] == [f"{o.plan.start_local:%Y-%m-%dT%H:%M}" for o in runs[:2]] + [
        "2026-09-09T07:06"] + [f"{o.plan.start_local:%Y-%m-%dT%H:%M}" for o in runs[3:]]  # the standing start was cut
    assert {r["start_local"][-6:] for r in rows} == {"+02:00"}
    assert rows[2]["distance_source"] == "workout total" and rows[2]["distance_m"] == pytest.approx(runs[2].distance_m, rel=0.01)


# ------------------------------------------------------------------ bad input --

_WORKOUT = ('<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="20" durationUnit="min" sourceName="W" '
            'startDate="2026-09-07 06:00:00 +0100" endDate="2026-09-07 06:20:00 +0100"{extra}>{children}</Workout>')  # fmt: skip
_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_attr = _text.map(lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"))


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=_attr, units=st.lists(st.tuples(_attr, _attr), max_size=3), total=st.tuples(_attr, _attr), nested_zone=_attr)
def test_odd_zones_units_and_segments_never_break_the_reader(tmp_path, zone, units, total, nested_zone):
    segments = "".join(f'<WorkoutActivity uuid="{i % 2}"><WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
                       f'sum="{v}" unit="{u}"/><MetadataEntry key="HKTimeZone" value="{nested_zone}"/></WorkoutActivity>'
                       for i, (v, u) in enumerate(units))  # fmt: skip
    body = f'<MetadataEntry key="HKTimeZone" value="{zone}"/>{segments}'
    extra = f' totalDistance="{total[0]}" totalDistanceUnit="{total[1]}"'
    path = tmp_path / "export.xml"
    path.write_text(f'<?xml version="1.0"?>\n<HealthData locale="en_US">\n {_WORKOUT.format(extra=extra, children=body)}\n</HealthData>\n', "utf-8")
    try:
        (a,) = read_activities(path)
    except ParseError as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    assert a.start_utc == pd.Timestamp("2026-09-07 05:00", tz="UTC")
    assert a.distance_m is None or (np.isfinite(a.distance_m) and a.distance_m >= 0)
    if a.timezone is None:
        assert a.utc_offset_s == 3600  # the dates' own offset, the best left
    else:
        assert a.utc_offset_s == int(a.start_local.utcoffset().total_seconds())
