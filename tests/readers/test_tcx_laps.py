"""TCX laps that hold time and distance without trackpoints: totals come from the laps."""

from __future__ import annotations

import pandas as pd
import pytest

from hamstring_analyzer import read_activities
from hamstring_analyzer import glossary as g

from ..conftest import REAL_RUNS, needs_real_runs

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
    '<Activities><Activity Sport="Running"><Id>2024-03-04T07:00:00Z</Id>'
)
T0 = pd.Timestamp("2024-03-04T07:00:00Z")


def _lap(start_s: int, timer_s: float, distance_m: float, points: int = 0, every_s: int = 2, first_point_s: int | None = None) -> str:
    """A lap starting ``start_s`` after T0, with ``points`` trackpoints (positions along a meridian)."""
    first = start_s if first_point_s is None else first_point_s
    pts = []
    for i in range(points):
        t = first + i * every_s
        when = (T0 + pd.Timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%SZ")
        # 3 m/s northwards: 1 degree of latitude is about 111.2 km.
        pts.append(
            f"<Trackpoint><Time>{when}</Time><Position><LatitudeDegrees>{51.5 + 3 * t / 111_195:.7f}</LatitudeDegrees>"
            "<LongitudeDegrees>-0.1</LongitudeDegrees></Position></Trackpoint>"
        )
    start = (T0 + pd.Timedelta(seconds=start_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'<Lap StartTime="{start}"><TotalTimeSeconds>{timer_s}</TotalTimeSeconds><DistanceMeters>{distance_m}</DistanceMeters>'
        f"<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>{''.join(pts)}</Track></Lap>"
    )


def _tcx(*laps: str) -> bytes:
    return (HEAD + "".join(laps) + "</Activity></Activities></TrainingCenterDatabase>").encode()


def test_time_of_a_lap_without_trackpoints_counts_like_its_distance():
    # 10 min at 3 m/s, then a lap of 2 min whose trackpoints were dropped.
    data = _tcx(_lap(0, 300.0, 900.0, points=151), _lap(300, 300.0, 900.0, points=151), _lap(600, 120.0, 360.0))
    (act,) = read_activities("dropped.tcx", data)
    assert act.distance_m == 2160.0
    assert act.moving_s == 720.0  # the sum of TotalTimeSeconds
    assert act.elapsed_s == 720.0  # first StartTime to the last lap's end
    assert act.start_utc == T0
    assert act.moving_s / act.distance_m * 1000 == pytest.approx(1000 / 3)  # the pace the laps say: 5:33/km
    assert len(act.laps) == 3 and act.laps[g.LAP_TIMER].sum() == 720.0


def test_a_lap_without_trackpoints_between_others_was_already_counted():
    # Its time lies between the points, inside their span: nothing changes.
    data = _tcx(_lap(0, 300.0, 900.0, points=151), _lap(300, 120.0, 360.0), _lap(420, 300.0, 900.0, points=151))
    (act,) = read_activities("gap.tcx", data)
    assert (act.elapsed_s, act.moving_s, act.distance_m) == (720.0, 720.0, 2160.0)
    assert act.start_utc == T0


def test_laps_without_points_at_the_start_move_the_start_back():
    data = _tcx(_lap(0, 200.0, 600.0), _lap(200, 400.0, 1200.0, points=201))
    (act,) = read_activities("late-points.tcx", data)
    assert act.start_utc == T0 and act.records.index[0] == T0 + pd.Timedelta(seconds=200)
    assert (act.elapsed_s, act.moving_s, act.distance_m) == (600.0, 600.0, 1800.0)


def test_elapsed_is_at_least_the_laps_summed_time():
    # Overlapping StartTimes (as in the real Suunto file): elapsed never falls below the timer sum.
    data = _tcx(_lap(0, 100.0, 300.0), _lap(60, 300.0, 900.0, points=151))
    (act,) = read_activities("overlap.tcx", data)
    assert act.moving_s == 400.0 and act.elapsed_s == 400.0


def test_laps_starting_a_few_seconds_before_their_points_change_nothing():
    # Garmin laps start a few seconds before the first trackpoint: the points' span stays.
    data = _tcx(_lap(0, 600.0, 1800.0, points=298, first_point_s=5))
    (act,) = read_activities("garmin-like.tcx", data)
    assert act.start_utc == T0 + pd.Timedelta(seconds=5)
    assert act.elapsed_s == 594.0 and act.moving_s == 594.0  # timer clamped to the points, as before
    assert act.distance_m == 1800.0


@needs_real_runs
def test_real_suunto_tcx_takes_time_from_the_laps():
    """18 of 32 laps hold time and distance but no trackpoints (268 s, 328 m of them).

    Before: distance 5729 m from the laps but 1730 s from the points, a 5:02/km
    pace about 10% too fast; the laps say 5:34/km.
    """
    (act,) = read_activities(REAL_RUNS / "sports-lib/samples/tcx/unknown_example.tcx")
    assert act.distance_m == pytest.approx(5729.0, abs=0.05)
    assert act.moving_s == pytest.approx(1916.167)  # sum of the 32 laps' TotalTimeSeconds
    assert act.elapsed_s == pytest.approx(1916.694)  # 18:11:26 to the end of the 18:39:53 lap (209.694 s)
    assert act.start_utc == pd.Timestamp("2017-05-09T18:11:26Z")
    assert act.records.index[0] == pd.Timestamp("2017-05-09T18:14:32Z")  # the first trackpoint
    assert act.moving_s / act.distance_m * 1000 == pytest.approx(334.47, abs=0.01)
    assert len(act.laps) == 32


@needs_real_runs
def test_real_pool_swim_tcx_keeps_its_closing_rest_lap():
    # The last lap is 45 s of rest at the wall with no trackpoints: elapsed runs to its end.
    (act,) = read_activities(REAL_RUNS / "GoldenCheetah/test/swims/argmac_Garmin_FR910XT_2015_01_31_10_17_02.tcx")
    assert act.elapsed_s == pytest.approx(2299.022)
    assert act.moving_s == pytest.approx(2299.011)
    assert act.distance_m == 2000.0


def test_lap_start_times_shifted_from_their_points_change_nothing():
    # A writer putting local time (UTC-5) in StartTime and UTC in the points: no lap timed the gap.
    lap = _lap(0, 600.0, 1800.0, points=301).replace('StartTime="2024-03-04T07:00:00Z"', 'StartTime="2024-03-04T02:00:00Z"')
    (act,) = read_activities("shifted.tcx", _tcx(lap))
    assert act.start_utc == T0 and act.elapsed_s == 600.0 and act.moving_s == 600.0
