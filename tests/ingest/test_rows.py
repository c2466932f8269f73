"""A list file is judged row by row (issue 27): one bad row, workout or exercise never costs the others.

Each list format (Strava's ``activities.csv``, Garmin's summaries, Apple
Health's ``export.xml``, a Polar session) is written from its documented
layout with good entries and one hostile entry (`synthetic_rows`): a date
cleaning refuses (1985, 2031), a date no calendar code holds (years 1 and
9999), a stray Latin-1 byte, a 50 MB cell, an impossible distance. Through
the real command's JSON: the good entries are runs (their dates and
distances), the bad one is skipped with its line or element and the reason,
and a watch file beside the list still counts.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer.cli import main
from hamstring_analyzer.ingest.parse import parse_bytes
from hamstring_analyzer.readers.summary_only import refusal
from hamstring_analyzer.synthetic import easy_run, write_fit
from hamstring_analyzer.synthetic_exports import Outing, strava_archive
from hamstring_analyzer.synthetic_rows import (apple_with_hostile_workout, garmin_with_hostile_entry, manual_runs,
                                               polar_with_hostile_exercise, strava_with_hostile_row)  # fmt: skip

from ..conftest import examples

#: Four runs known only from the list, 2 to 5 March 2026 (5, 6, 7, 8 km); the second is the one damaged.
RUNS = manual_runs(dt.date(2026, 3, 2), [5.0, 6.0, 7.0, 8.0])
GOOD = [("2026-03-02", 5000.0), ("2026-03-04", 7000.0), ("2026-03-05", 8000.0)]
#: The watch file beside the list: 10 March 2026, 5 km.
BESIDE = ("2026-03-10", 5000.0)
GARMIN_LIST = "DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json"


def _beside(folder) -> None:
    (folder / "beside.fit").write_bytes(write_fit(easy_run(dt.datetime(2026, 3, 10, 7), 5, seed=10)))


def _ingest(folder) -> dict:
    out = folder.parent / f"{folder.name}.json"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--json", str(out), "--no-cache", "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def _runs(doc: dict) -> list[tuple[str, float]]:
    return [(r["start_utc"][:10], r["distance_m"]) for r in doc["runs"]]


def _counted(doc: dict, good: list[tuple[str, float]]) -> None:
    """The good entries and the watch file beside the list are the runs, each with its date and distance."""
    runs = _runs(doc)
    assert [day for day, _ in runs] == [day for day, _ in good] + [BESIDE[0]]
    assert [m for _, m in runs[:-1]] == [m for _, m in good]
    assert runs[-1][1] == pytest.approx(BESIDE[1], rel=0.03)
    assert doc["errors"] == []


def _entries(doc: dict, file: str) -> list[dict]:
    return [s for s in doc["skipped"] if s["source"].startswith(file + ", ")]


# ------------------------------------------------------------ Strava activities.csv --

STRAVA_REASONS = {
    "1985": "dated 1985-03-03, before GPS watches existed (the watch's clock was not set?)",
    "2031": "dated 2031-03-03, in the future (the watch's clock was wrong?)",
    "0001": "dated 0001-03-03, a date no watch writes (its clock was not set?)",
    "9999": "dated 9999-03-03, a date no watch writes (its clock was not set?)",
    "negative": "its distance (-6000 m) is impossible for a run",
    "absurd": "its distance (5e+09 m) is impossible for a run",
}


@pytest.mark.parametrize("kind", sorted(STRAVA_REASONS))
def test_one_bad_strava_row_is_named_and_every_other_row_counts(tmp_path, kind):
    folder, line = strava_with_hostile_row(tmp_path / "export", RUNS, 1, kind)
    _beside(folder)
    doc = _ingest(folder)
    _counted(doc, GOOD)
    where = f"line {line} (activity 10000000001)"
    assert line == 3 and _entries(doc, "activities.csv") == [
        {"source": f"activities.csv, {where}", "reason": STRAVA_REASONS[kind], "entry": where}]


def test_a_50_mb_cell_costs_its_row_only(tmp_path):
    folder, line = strava_with_hostile_row(tmp_path / "export", RUNS, 1, "bigcell")
    _beside(folder)
    doc = _ingest(folder)
    _counted(doc, GOOD)
    assert _entries(doc, "activities.csv") == [{"source": "activities.csv, line 3", "entry": "line 3",
                                                "reason": "it holds 50.0 MiB on one line, more than any activity's row"}]  # fmt: skip


def test_a_stray_latin1_byte_costs_neither_its_row_nor_the_files_utf8(tmp_path):
    folder, line = strava_with_hostile_row(tmp_path / "export", RUNS, 1, "latin1")
    csv_path = folder / "activities.csv"
    csv_path.write_bytes(csv_path.read_bytes().replace(b"Run 10000000000", "Morgenlauf über die Brücke".encode()))
    _beside(folder)
    doc = _ingest(folder)
    _counted(doc, [GOOD[0], ("2026-03-03", 6000.0), *GOOD[1:]])
    names = [r["name"] for r in doc["runs"]]
    assert names[:2] == ["Morgenlauf über die Brücke", "Café Run 10000000001"]  # UTF-8 kept; the one odd row as Latin-1
    assert _entries(doc, "activities.csv") == []


def test_a_quote_left_open_costs_its_own_row_only(tmp_path):
    folder, _ = strava_with_hostile_row(tmp_path / "export", RUNS, 1, "negative")
    csv_path = folder / "activities.csv"
    lines = csv_path.read_bytes().split(b"\n")
    lines[2] = b'10000000001,"Mar 3, 2026, 7:00:00 AM,Run with a stray quote,Run,,1980'  # its date's quote never closes
    csv_path.write_bytes(b"\n".join(lines))
    doc = _ingest(folder)
    assert _runs(doc) == GOOD
    assert _entries(doc, "activities.csv") == [{"source": "activities.csv, line 3", "entry": "line 3",
                                                "reason": "its quotes are not closed (the row runs into the lines after it)"}]  # fmt: skip


# ------------------------------------------------------------------ Garmin summaries --

GARMIN_REASONS = {
    "1985": "dated 1985-03-03, before GPS watches existed (the watch's clock was not set?)",
    "2031": "dated 2031-03-03, in the future (the watch's clock was wrong?)",
    "0001": "its start time (-62130301200000) is no date a watch writes",
    "9999": "its start time (253376060400000) is no date a watch writes",
    "negative": "its distance (-6000 m) is impossible for a run",
    "absurd": "its distance (5e+12 m) is impossible for a run",
}


@pytest.mark.parametrize("kind", sorted(GARMIN_REASONS))
def test_one_bad_garmin_summary_is_named_and_every_other_counts(tmp_path, kind):
    folder = garmin_with_hostile_entry(tmp_path / "export", RUNS, 1, kind)
    _beside(folder)
    doc = _ingest(folder)
    _counted(doc, GOOD)
    assert _entries(doc, GARMIN_LIST) == [{"source": f"{GARMIN_LIST}, activity 2", "reason": GARMIN_REASONS[kind], "entry": "activity 2"}]


def test_a_stray_latin1_byte_in_a_garmin_name_costs_nothing(tmp_path):
    folder = garmin_with_hostile_entry(tmp_path / "export", RUNS, 1, "latin1")
    _beside(folder)
    doc = _ingest(folder)
    _counted(doc, [GOOD[0], ("2026-03-03", 6000.0), *GOOD[1:]])
    assert doc["runs"][1]["name"] == "Café run" and _entries(doc, GARMIN_LIST) == []


# ------------------------------------------------------------- Apple Health export --

APPLE_REASONS = {
    "1985": "dated 1985-03-03, before GPS watches existed (the watch's clock was not set?)",
    "2031": "dated 2031-03-03, in the future (the watch's clock was wrong?)",
    "0001-01-01": "its dates cannot be read ('0001-01-01 07:00:00 +0000' to '0001-01-01 07:27:30 +0000')",
    "9999-12-31": "its dates cannot be read ('9999-12-31 07:00:00 +0000' to '9999-12-31 07:27:30 +0000')",
}


@pytest.fixture(scope="module")
def workouts() -> list[Outing]:
    return [Outing(plan=easy_run(dt.datetime(2026, 3, day, 7), 5, seed=day)) for day in (2, 3, 4)]


@pytest.mark.parametrize("date", sorted(APPLE_REASONS))
def test_one_bad_apple_workout_is_named_and_every_other_counts(tmp_path, workouts, date):
    root = apple_with_hostile_workout(tmp_path / "export", workouts, 1, date)
    _beside(root)
    doc = _ingest(root)
    runs = _runs(doc)
    assert [day for day, _ in runs] == ["2026-03-02", "2026-03-04", BESIDE[0]]
    assert [m for _, m in runs] == pytest.approx([workouts[0].distance_m, workouts[2].distance_m, BESIDE[1]], rel=0.03)
    assert doc["errors"] == []
    assert _entries(doc, "export.xml") == [{"source": "export.xml, running workout 2", "reason": APPLE_REASONS[date],
                                            "entry": "running workout 2"}]  # fmt: skip


# ------------------------------------------------------------------- Polar sessions --


@pytest.mark.parametrize("year, reason", [("1985", "dated 1985-03-02, before GPS watches existed (the watch's clock was not set?)"),
                                          ("2031", "dated 2031-03-02, in the future (the watch's clock was wrong?)")])  # fmt: skip
def test_one_bad_polar_exercise_is_named_and_the_session_counts(tmp_path, year, reason):
    folder = polar_with_hostile_exercise(tmp_path / "export", RUNS, year)
    _beside(folder)
    doc = _ingest(folder)
    _counted(doc, [GOOD[0], ("2026-03-03", 6000.0), *GOOD[1:]])
    session = "training-session-2026-01-01-1-aaaa.json"
    assert _entries(doc, session) == [{"source": f"{session}, exercise 2", "reason": reason, "entry": "exercise 2"}]


# ---------------------------------------------------- any garbage row: a property --


@pytest.fixture(scope="module")
def strava_csv(tmp_path_factory) -> list[bytes]:
    folder = strava_archive(tmp_path_factory.mktemp("strava"), manual_runs(dt.date(2026, 3, 2), [5.0, 6.0, 7.0]))
    return (folder / "activities.csv").read_bytes().split(b"\n")


_GARBAGE = st.one_of(
    st.binary(max_size=300),
    st.text(alphabet='",;\r\x00\'é\ufeff 0123456789-:/APMarRun', max_size=120).map(lambda t: t.encode("utf-8")),
    st.sampled_from(['"', '",,,"', 'x,"Mar 3, 2026', "\r", "\x00" * 40]).map(str.encode),
)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_GARBAGE.map(lambda b: b.replace(b"\n", b"")), st.integers(min_value=1, max_value=4), st.booleans())
def test_any_single_garbage_row_never_costs_the_other_rows(strava_csv, garbage, at, bom):
    lines = [*strava_csv]
    lines.insert(at, garbage)
    data = (b"\xef\xbb\xbf" if bom else b"") + b"\n".join(lines)
    kind, acts = parse_bytes("activities.csv", data)
    assert kind == "ok"
    read = {(str(a.start_utc.date()), a.distance_m) for a in acts if refusal(a) is None}
    assert {("2026-03-02", 5000.0), ("2026-03-03", 6000.0), ("2026-03-04", 7000.0)} <= read
    for a in acts:
        if refusal(a) is not None:  # the garbage, named by its line
            assert refusal(a)[0].startswith(f"line {at + 1}") and refusal(a)[1]


# ------------------------------------- a row whose reading or cleaning raises --


def _three_rows(tmp_path) -> bytes:
    return (strava_archive(tmp_path, manual_runs(dt.date(2026, 3, 2), [5.0, 6.0, 7.0])) / "activities.csv").read_bytes()


def test_a_row_the_reader_cannot_hold_costs_that_row(tmp_path, monkeypatch):
    from hamstring_analyzer.readers import strava_csv

    real = strava_csv._row_activity

    def overflowing(row, *args):
        if row[0] == "10000000001":
            raise OverflowError("date value out of range")
        return real(row, *args)

    monkeypatch.setattr(strava_csv, "_row_activity", overflowing)
    kind, acts = parse_bytes("activities.csv", _three_rows(tmp_path))
    assert kind == "ok" and [a.distance_m for a in acts if refusal(a) is None] == [5000.0, 7000.0]
    assert refusal(acts[1]) == ("line 3 (activity 10000000001)", "could not be read: it holds dates or numbers out of range")


def test_an_entry_cleaning_cannot_hold_costs_that_entry(tmp_path, monkeypatch):
    from hamstring_analyzer.ingest import parse

    real = parse.clean_activity

    def failing(activity, **kw):
        if activity.distance_m == 6000.0:
            raise ValueError("year 0 is out of range")
        return real(activity, **kw)

    monkeypatch.setattr(parse, "clean_activity", failing)
    kind, acts = parse_bytes("activities.csv", _three_rows(tmp_path))
    assert kind == "ok" and [a.distance_m for a in acts if refusal(a) is None] == [5000.0, 7000.0]
    where, reason = refusal(acts[1])
    assert where == "line 3 (activity 10000000001)" and reason.startswith("could not be read: an unexpected problem while reading it")
    assert "Error" not in reason


def test_a_single_activity_file_is_still_refused_whole(tmp_path):
    data = write_fit(easy_run(dt.datetime(2031, 3, 2, 7), 5, seed=1))
    assert parse_bytes("future.fit", data) == ("error", "dated 2031-03-02, in the future (the watch's clock was wrong?)")


def test_refused_entries_come_back_from_the_store_as_they_went_in(tmp_path, workouts):
    from hamstring_analyzer.ingest import load_runs

    folder, _ = strava_with_hostile_row(tmp_path / "export", RUNS, 1, "2031")
    apple_with_hostile_workout(folder, workouts, 1, "9999-12-31")
    first = load_runs(folder, cache_dir=tmp_path / "cache", workers=1)
    second = load_runs(folder, cache_dir=tmp_path / "cache", workers=1)
    assert second.cache_hits == 2 and second.parsed == 0
    assert second.skipped == first.skipped and second.summaries() == first.summaries()
    assert [s["entry"] for s in second.skipped if "entry" in s] == ["line 3 (activity 10000000001)", "running workout 2"]


def test_open_quotes_cost_linear_time():
    """Each row whose quote is left open is read again from its next line, at most `MAX_ROW_LINES` lines: linear, not quadratic."""
    import gc
    import time

    from hamstring_analyzer.readers.strava_csv import read_strava_csv

    head = b'Activity ID,Activity Date,Activity Name,Activity Type,Distance\n1,"Mar 2, 2026, 7:00:00 AM",Run,Run,5.0\n'

    def seconds(n: int) -> float:
        data = head + b'2,"an open quote\n' * n
        best = float("inf")
        for _ in range(3):
            gc.collect()
            gc.disable()  # the collector's passes over a long test session's heap are not the reader's time
            try:
                t = time.perf_counter()
                acts = read_strava_csv(data, "activities.csv")
                best = min(best, time.perf_counter() - t)
            finally:
                gc.enable()
        assert len(acts) == n + 1 and refusal(acts[1])[1].startswith("its quotes are not closed")
        return best

    small, large = seconds(1000), seconds(10000)
    assert large < 40 * small, (small, large)  # 10x the rows: about 10x the time (quadratic would be 100x)


def test_a_list_whose_only_row_is_refused_is_one_error_naming_the_row(tmp_path):
    folder, line = strava_with_hostile_row(tmp_path / "export", RUNS[:1], 0, "2031")
    data = (folder / "activities.csv").read_bytes()
    assert parse_bytes("activities.csv", data) == ("error", "line 2 (activity 10000000000): dated 2031-03-02, in the future (the watch's clock was wrong?)")
