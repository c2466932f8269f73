"""Holes in the data (holes.py): unreadable files placed on their day, breaks not judged across them, thin months said."""

from __future__ import annotations

import datetime as dt
import gzip
from types import SimpleNamespace

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from hamstring_analyzer.holes import Hole, coverage, coverage_text, data_holes, sniff_start
from hamstring_analyzer.rules import find_episodes, find_flags
from hamstring_analyzer.metrics.weekly import weekly_summary

from .conftest import needs_real_histories
from .rules.helpers import MON, run, steady_weeks

EMPTY_GPX = (
    b'<?xml version="1.0"?><gpx version="1.1" creator="Garmin Connect"><metadata><time>2024-06-25T14:25:36.000Z</time>'
    b"</metadata><trk><name>treadmill</name><trkseg/></trk></gpx>"
)


def test_sniff_start_reads_the_first_timestamp_of_gpx_and_tcx(tmp_path):
    (tmp_path / "a.gpx.gz").write_bytes(gzip.compress(EMPTY_GPX))
    assert sniff_start(tmp_path / "a.gpx.gz") == pd.Timestamp("2024-06-25T14:25:36Z")
    (tmp_path / "b.tcx").write_bytes(b"<TrainingCenterDatabase><Activities><Activity><Id>2023-08-02T19:01:07+08:00</Id>")
    assert sniff_start(tmp_path / "b.tcx") == pd.Timestamp("2023-08-02T11:01:07Z")
    (tmp_path / "c.gpx").write_bytes(b"<gpx><trk><trkseg/></trk></gpx>")  # no time at all
    assert sniff_start(tmp_path / "c.gpx") is None
    (tmp_path / "d.gpx").write_bytes(b"<gpx><metadata><time>7526-01-01T00:00:00Z</time></metadata></gpx>")
    assert sniff_start(tmp_path / "d.gpx") is None  # year 7526: no day to place it on
    (tmp_path / "e.fit").write_bytes(b"\x0e\x10garbage")
    assert sniff_start(tmp_path / "e.fit") is None
    (tmp_path / "f.gpx.gz").write_bytes(b"not gzip")
    assert sniff_start(tmp_path / "f.gpx.gz") is None


@given(st.binary(max_size=300))
def test_sniff_start_never_raises(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("sniff") / "x.gpx"
    path.write_bytes(b"<gpx><metadata><time>" + data)
    stamp = sniff_start(path)
    assert stamp is None or (stamp.tzinfo is not None and 1990 <= stamp.year)


def test_data_holes_place_unreadable_files_on_their_local_day(tmp_path):
    (tmp_path / "t.gpx.gz").write_bytes(gzip.compress(EMPTY_GPX.replace(b"14:25", b"22:25")))  # 22:25 UTC: next day in UTC+8
    export = SimpleNamespace(root=str(tmp_path), errors=[
        {"source": "t.gpx.gz", "error": "GPX file holds no track points"},
        {"source": "missing.gpx", "error": "gone"},
        {"source": "archive.zip/inner.gpx", "error": "bad"},
    ])  # fmt: skip
    (hole,) = data_holes(export, "Asia/Shanghai")
    assert hole == Hole(dt.date(2024, 6, 26), "t.gpx.gz", "GPX file holds no track points")
    assert hole.to_dict() == {"date": "2024-06-26", "source": "t.gpx.gz", "reason": "GPX file holds no track points"}


def _flags(rows, holes=()):
    table = pd.DataFrame(rows)
    return find_flags(table, weekly_summary(table), holes=holes)


def test_a_break_with_an_unreadable_file_inside_is_not_judged():
    rows = steady_weeks(4, 30.0) + [run(44 + i, 12.0) for i in range(3)]  # 16 days off, back with 36 km
    assert [f.rule for f in _flags(rows) if f.rule == "layoff_return"] == ["layoff_return"]
    hole = Hole(MON + dt.timedelta(days=35), "x.gpx", "could not be read")
    assert [f for f in _flags(rows, [hole]) if f.rule == "layoff_return"] == []


def test_a_weeks_load_flag_on_a_hole_is_doubtful():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 27.0, first_day=28)
    (jump,) = [f for f in _flags(rows) if f.rule == "weekly_mileage_jump"]
    assert not jump.doubtful
    hole = Hole(MON + dt.timedelta(days=30), "y.gpx", "GPX file holds no track points")
    (jump,) = [f for f in _flags(rows, [hole]) if f.rule == "weekly_mileage_jump"]
    assert jump.doubtful and jump.doubt == "a file that could not be read may hold a run on Wed 1 Apr 2026 (y.gpx: GPX file holds no track points)"
    table = pd.DataFrame(rows)
    _, episodes = find_episodes(table, weekly_summary(table), holes=[hole])
    assert any(e.doubt and "could not be read" in e.doubt for e in episodes)  # part of the episode rests on the hole


def test_coverage_says_when_files_miss_the_running_a_list_names():
    rows = steady_weeks(8, 30.0)
    for r in rows[16:]:  # the last four weeks (April) known only from the platform's list
        r["has_samples"] = False
    months = coverage(pd.DataFrame(rows))
    assert [m["month"] for m in months] == ["2026-04"] and months[0]["share"] < 0.2
    text = coverage_text(months)
    assert text.startswith("Your files hold about") and "Apr 2026" in text and "not judged there" in text
    for r in rows:
        r["has_samples"] = True
    assert coverage(pd.DataFrame(rows)) == [] and coverage_text([]) == ""


@needs_real_histories
def test_clf3_treadmill_runs_without_points_are_holes_on_their_days(real_history):
    import hamstring_analyzer as ha

    result = ha.analyze(real_history("clf3"))
    days = [h.day.isoformat() for h in result.holes]
    # the four treadmill runs (no trackpoints: distance only in the file's extensions) and a 62 m stub
    assert days == ["2024-06-25", "2024-07-14", "2024-07-23", "2024-08-16", "2024-09-28"]
    assert result.to_dict()["holes"][0] == {"date": "2024-06-25", "source": "382621663.gpx.gz", "reason": "GPX file holds no track points"}
    # a marathon and a half marathon, named as races: judged by their build-up, never as spikes or speedwork
    races = {f.date.isoformat(): f for f in result.flags if f.rule == "race_build" and not f.facts.get("recovery")}
    assert set(races) == {"2024-10-27", "2024-11-10"} and races["2024-10-27"].facts["label"] == "marathon"
    on_race_days = {f.rule for f in result.flags if f.date.isoformat() in races and f.rule != "race_build"}
    assert not on_race_days & {"single_run_spike", "speedwork_share", "fast_on_flat"}
    # the half marathon 14 days after the marathon is the race episode's recovery finding (another race says the most)
    (race,) = [e for e in result.episodes if e.kind == "race"]
    assert race.start <= dt.date(2024, 10, 27) <= race.end and "a half marathon (21.3 km) on 10 Nov, 14 days after the marathon of 27 Oct" in race.message
    assert race.severity == "warning" and race.message.count("on 10 Nov (21.3 km)") + race.message.count("(21.3 km) on 10 Nov") == 1
