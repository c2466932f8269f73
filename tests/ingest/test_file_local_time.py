"""A file that carries no local time of its own (a watch whose battery died before it wrote one).

It takes the zone of the runner's nearest file within two days, else the home
zone's offset at its own date, and ``--timezone`` when the runner named one:
never UTC because this machine happens to run on UTC. And the runner's zone
for weekly frames is a named zone when their GPS files give one, so summer and
winter weeks both start at local midnight.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hamstring_analyzer.ingest import load_runs
from hamstring_analyzer.metrics.weekly import runner_zone
from hamstring_analyzer.readers import read_activities
from hamstring_analyzer.synthetic import easy_run, write_fit, write_gpx


def _london_fit(day: dt.datetime, km: float, seed: int) -> bytes:
    return write_fit(easy_run(day, km, zone="Europe/London", seed=seed))


def _dead_battery(day: dt.datetime) -> bytes:
    """A London run's FIT file cut at 70%: records, but no session and no activity message (so no offset)."""
    whole = _london_fit(day, 8, seed=99)
    return whole[: int(len(whole) * 0.7)]


def _local(export, name: str) -> pd.Timestamp:
    (run,) = [r for r in export.runs if r.source.endswith(name)]
    return run.start_local


def test_dead_battery_file_really_has_no_offset(tmp_path: Path):
    (tmp_path / "dead.fit").write_bytes(_dead_battery(dt.datetime(2026, 6, 8, 9, 0)))
    (activity,) = read_activities(tmp_path / "dead.fit")
    assert activity.partial and activity.utc_offset_s is None and activity.timezone is None
    assert activity.start_utc == pd.Timestamp("2026-06-08 08:00", tz="UTC")


def test_takes_the_offset_of_the_runners_files_around_it(tmp_path: Path):
    for day in (2, 4, 6):
        (tmp_path / f"r{day}.fit").write_bytes(_london_fit(dt.datetime(2026, 6, day, 9, 0), 6, seed=day))
    (tmp_path / "dead.fit").write_bytes(_dead_battery(dt.datetime(2026, 6, 8, 9, 0)))
    local = _local(load_runs(tmp_path), "dead.fit")
    assert local == pd.Timestamp("2026-06-08 09:00", tz="UTC+01:00")
    assert local.utcoffset() == dt.timedelta(hours=1)


def test_far_from_any_file_takes_the_home_zones_offset_at_its_own_date(tmp_path: Path):
    # Winter files say +00:00, summer files +01:00: the home zone has summer time. The dead
    # file on 10 October (British Summer Time until the 25th) is weeks from any other file.
    for month in (1, 2, 6, 7, 8):
        (tmp_path / f"m{month}.fit").write_bytes(_london_fit(dt.datetime(2026, month, 10, 9, 0), 6, seed=month))
    (tmp_path / "dead.fit").write_bytes(_dead_battery(dt.datetime(2026, 10, 10, 9, 0)))
    local = _local(load_runs(tmp_path), "dead.fit")
    assert (local.hour, local.utcoffset()) == (9, dt.timedelta(hours=1))


def test_the_runners_own_zone_option_wins(tmp_path: Path):
    for day in (2, 4, 6):
        (tmp_path / f"r{day}.fit").write_bytes(_london_fit(dt.datetime(2026, 6, day, 9, 0), 6, seed=day))
    (tmp_path / "dead.fit").write_bytes(_dead_battery(dt.datetime(2026, 6, 8, 9, 0)))
    local = _local(load_runs(tmp_path, timezone="Asia/Tokyo"), "dead.fit")
    assert (local.hour, local.utcoffset()) == (17, dt.timedelta(hours=9))
    # the files that carry their own offset keep it
    assert _local(load_runs(tmp_path, timezone="Asia/Tokyo"), "r2.fit").hour == 9


def test_watch_offsets_count_for_the_zone_the_gps_files_name(tmp_path: Path):
    # Three summer FIT files (+01:00), two winter ones (+00:00), one GPX whose position names Europe/London:
    # the runner's zone is Europe/London, not a fixed +01:00, so January weeks start at midnight GMT.
    for month in (1, 2, 6, 7, 8):
        (tmp_path / f"m{month}.fit").write_bytes(_london_fit(dt.datetime(2026, month, 10, 9, 0), 6, seed=month))
    (tmp_path / "g.gpx").write_bytes(write_gpx(easy_run(dt.datetime(2026, 3, 10, 9, 0), 6, zone="Europe/London", seed=3)))
    export = load_runs(tmp_path)
    assert sum(r.timezone == "Europe/London" for r in export.runs) == 1
    assert str(runner_zone(export.runs)) == "Europe/London"


def test_a_trip_abroad_keeps_its_zone(tmp_path: Path):
    # Four London runs in May; in June a GPX recorded in Tokyo (no offset, only positions naming Asia/Tokyo),
    # and the next day a dead watch file: it was Tokyo too, not home.
    for day in (1, 2, 3, 4):
        (tmp_path / f"may{day}.fit").write_bytes(_london_fit(dt.datetime(2026, 5, day, 9, 0), 6, seed=day))
    tokyo = dict(zone="Asia/Tokyo", origin=(35.68, 139.69))
    (tmp_path / "tokyo.gpx").write_bytes(write_gpx(easy_run(dt.datetime(2026, 6, 5, 7, 0), 6, seed=5, **tokyo)))
    whole = write_fit(easy_run(dt.datetime(2026, 6, 6, 7, 0), 8, seed=6, **tokyo))
    (tmp_path / "dead.fit").write_bytes(whole[: int(len(whole) * 0.7)])
    local = _local(load_runs(tmp_path), "dead.fit")
    assert (local.hour, local.utcoffset()) == (7, dt.timedelta(hours=9))
