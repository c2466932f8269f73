"""FIT gear-change events (event 42 front, 43 rear): counted per session, the same by both engines."""

from __future__ import annotations

import numpy as np
import pytest

from hamstring_analyzer import read_activities
from hamstring_analyzer.readers.fit import RawFit, activities_from_raw, read_fit

from ..conftest import REAL_RUNS, needs_real_runs

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


def _raw(sessions, events, seconds=600) -> RawFit:
    times = np.arange(T0, T0 + seconds, 1.0)
    return RawFit(
        records={"timestamp": times, "speed": np.full(len(times), 7.0)},
        sessions=sessions,
        laps=[],
        activity=None,
        file_id={"type": "activity"},
        engine="test",
        events=events,
    )


def test_gear_changes_count_within_each_session():
    sessions = [
        {"start_time": T0, "total_elapsed_time": 299.0, "sport": "cycling"},
        {"start_time": T0 + 300, "total_elapsed_time": 299.0, "sport": "running"},
    ]
    events = [
        {"timestamp": T0 + 10.0, "event": 43.0},
        {"timestamp": T0 + 20.0, "event": 42.0},
        {"timestamp": T0 + 30.0, "event": 0.0},  # timer: not a gear
        {"timestamp": T0 + 299.0, "event": 43.0},  # the ride's last second
        {"timestamp": T0 + 450.0, "event": 44.0},  # rider position: not a gear
        {"event": 43.0},  # no time: in no session of several
    ]
    ride, run = activities_from_raw(_raw(sessions, events), "duathlon.fit")
    assert (ride.sport, ride.gear_changes) == ("cycling", 3)
    assert (run.sport, run.gear_changes) == ("running", 0)


def test_a_file_with_one_or_no_session_counts_every_gear_change():
    events = [{"timestamp": T0 + 10.0, "event": 43.0}, {"event": 42.0}, {"timestamp": T0 + 9999.0, "event": 43.0}]
    (no_session,) = activities_from_raw(_raw([], events), "ride.fit")
    assert no_session.sport is None and no_session.gear_changes == 3
    (one,) = activities_from_raw(_raw([{"start_time": T0, "total_elapsed_time": 100.0}], events), "ride.fit")
    assert one.gear_changes == 3


def test_no_events_means_no_gear_changes():
    (act,) = activities_from_raw(_raw([{"start_time": T0, "sport": "running"}], []), "run.fit")
    assert act.gear_changes == 0


@pytest.mark.parametrize("engine", ["fitfast", "fitparse"])
def test_both_engines_read_gear_changes_from_a_fit_file(engine):
    from .fitbuild import Session, fit_file

    data = fit_file(
        Session(T0, seconds=120, sport="cycling", speed_mps=8.0, gear_changes=[(5, "rear"), (9, "front"), (60, "rear")]),
        Session(T0 + 300, seconds=120, sport="running"),
    )
    ride, run = read_fit(data, "brick.fit", engine=engine)
    assert (ride.sport, ride.gear_changes) == ("cycling", 3)
    assert (run.sport, run.gear_changes) == ("running", 0)
    (no_session,) = read_fit(
        fit_file(Session(T0, sport="cycling", gear_changes=[(1, "rear"), (2, "rear")], write_session=False)), "ride.fit", engine=engine
    )
    assert no_session.sport is None and no_session.gear_changes == 2


def _fitparse_gear_changes(path) -> int:
    """The reference count: fitparse's own event messages, read directly."""
    import fitparse

    fit = fitparse.FitFile(str(path), check_crc=False)
    return sum(1 for m in fit.get_messages("event") if m.get("event") and m.get("event").raw_value in (42, 43))


@needs_real_runs
@pytest.mark.parametrize(
    "path", ["fit-python-sdk/tests/fits/WithGearChangeData.fit", "muktihari-fit/testdata/from_official_sdk/WithGearChangeData.fit"]
)
def test_real_ride_without_a_session_has_37_rear_gear_changes(path):
    # An Edge 1040 ride with no session message: 37 rear shifts (and 34 rider-position events, not counted).
    assert _fitparse_gear_changes(REAL_RUNS / path) == 37
    for engine in ("auto", "fitfast", "fitparse"):
        (act,) = read_activities(REAL_RUNS / path, engine=engine)
        assert act.sport is None and act.gear_changes == 37, engine


@needs_real_runs
def test_real_run_has_no_gear_changes():
    path = REAL_RUNS / "sports-lib/src/specs/fixtures/runs/fit/6782987395.fit"
    assert _fitparse_gear_changes(path) == 0
    (act,) = read_activities(path)
    assert act.is_run and act.gear_changes == 0
