"""Strava's activities.csv as real archives write it: the pre-2019 layout, seven languages, Strava's untranslated HTML.

Generated archives (`synthetic_exports.strava_archive`, one per era and language) and
rows written the way real archives in public repositories show them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.errors import NotAnActivityError, ParseError
from hamstring_analyzer.readers import read_activities, registry
from hamstring_analyzer.readers.strava_csv import parse_date, parse_number, read_strava_csv, strava_type
from hamstring_analyzer.readers.summary_only import refusal
from hamstring_analyzer.synthetic import RunPlan, Segment, easy_run
from hamstring_analyzer.synthetic_exports import Outing, strava_archive
from hamstring_analyzer.synthetic_strava import STRAVA_LAYOUTS, strava_date_writer

from ..conftest import examples

MONDAY = dt.datetime(2026, 3, 2, 7, 0)
ERAS = ["2024", *STRAVA_LAYOUTS]
KINDS = {"Run": ("running", None), "Trail Run": ("running", "trail"), "Virtual Run": ("running", "virtual_activity"),
         "Ride": ("cycling", None), "Walk": ("walking", None), "Hike": ("hiking", None), "Swim": ("other", None)}  # fmt: skip


def week() -> list[Outing]:
    """A week of every kind of outing, in activity-id order (not date order), one run known only from the list."""
    return [
        Outing(easy_run(MONDAY + dt.timedelta(days=3), 5, seed=1), rpe=4),
        Outing(easy_run(MONDAY, 6, seed=2), strava_type="Trail Run", file_kind="gpx.gz"),
        Outing(easy_run(MONDAY + dt.timedelta(days=1), 4, seed=3), file_kind="tcx.gz", commute=True),
        Outing(easy_run(MONDAY + dt.timedelta(days=5), 3, seed=4), file_kind="gpx"),
        Outing(manual_distance_m=10_000.0, manual_elapsed_s=3000.0, manual_start_utc=dt.datetime(2026, 3, 6, 18, 0, tzinfo=dt.timezone.utc),
               strava_type="Virtual Run", rpe=6),
        Outing(RunPlan(start_local=MONDAY + dt.timedelta(days=2), segments=[Segment(900, 7.5, 85)], sport="cycling", seed=5), strava_type="Ride"),
        Outing(manual_distance_m=4000.0, manual_elapsed_s=3000.0, manual_start_utc=dt.datetime(2026, 3, 7, 9, 0, tzinfo=dt.timezone.utc),
               strava_type="Walk"),
        Outing(manual_distance_m=9000.0, manual_elapsed_s=9000.0, manual_start_utc=dt.datetime(2026, 3, 8, 9, 0, tzinfo=dt.timezone.utc),
               strava_type="Hike"),
        Outing(manual_distance_m=1500.0, manual_elapsed_s=2400.0, manual_start_utc=dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.timezone.utc),
               strava_type="Swim"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def outings():
    return week()


@pytest.fixture(scope="module", params=ERAS)
def archive(request, tmp_path_factory, outings):
    era = request.param
    return era, strava_archive(tmp_path_factory.mktemp(f"strava-{era}"), outings, era=era, upload_ids=True)


# ------------------------------------------------------------- every era and language --


def test_each_era_and_language_reads_every_row_with_its_sport_date_and_distance(archive, outings):
    era, folder = archive
    data = (folder / "activities.csv").read_bytes()
    assert registry.reader_for_content(data[:65536], "activities.csv").kind == "strava_csv"  # recognised by content, too
    rows = read_activities(folder / "activities.csv")
    assert [(a.sport, a.sub_sport) for a in rows] == [KINDS[o.strava_type] for o in outings]
    assert [a.start_utc for a in rows] == [pd.Timestamp(o.start_utc).floor("s") for o in outings]
    runs = [a for a in rows if a.is_run]
    truth = sum(o.distance_m for o in outings if KINDS[o.strava_type][0] == "running")
    assert len(runs) == 5 and sum(a.distance_m for a in runs) == pytest.approx(truth, rel=0.01)
    assert [a.distance_m for a in rows] == pytest.approx([o.distance_m for o in outings], abs=0.06)  # the metres, not the rounded km
    assert [a.elapsed_s for a in rows] == pytest.approx([o.elapsed_s for o in outings], abs=0.6)
    assert [a.rpe for a in rows][:5] == ([None] * 5 if era == "2018" else [4.0, None, None, None, 6.0])
    assert [a.commute for a in rows][:3] == [False, False, True]


def test_files_are_named_by_upload_id_with_mixed_extensions(archive):
    _, folder = archive
    rows = read_strava_csv((folder / "activities.csv").read_bytes(), "activities.csv")
    assert [a.file_ref for a in rows[:4]] == ["activities/10137422793.fit.gz", "activities/10137422794.gpx.gz",
                                               "activities/10137422795.tcx.gz", "activities/10137422796.gpx"]  # fmt: skip
    assert all((folder / a.file_ref).is_file() for a in rows[:4]) and rows[4].file_ref is None


def test_a_runs_average_cadence_is_one_legs(archive, outings):
    era, folder = archive
    rows = read_strava_csv((folder / "activities.csv").read_bytes(), "activities.csv")
    if era == "2018":
        assert rows[0].totals is None  # the old layout has no cadence
        return
    written = next(csv.reader(io.StringIO((folder / "activities.csv").read_text(encoding="utf-8").splitlines()[1])))
    assert 80 <= float(written[13 if era != "2024" else 23]) <= 95  # the archive's value: one leg's strides
    assert rows[0].totals["cadence_spm"] == pytest.approx(2 * float(written[13 if era != "2024" else 23]))
    assert 165 <= rows[0].totals["cadence_spm"] <= 185


# ------------------------------------------------------------------ real layouts, row by row --


def _csv(header: list[str], *rows: list[str], quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=quoting)  # minimal quoting leaves a lone "\r" bare: it would split a row
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode()


def test_the_pre_2019_layout_has_ten_lower_case_columns_in_metres():
    data = (b"id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
            b'1988225001,2018-11-27 19:11:32,Evening Run,Run,"",1468,6075.0,false,Shoes,activities/2125648001.fit.gz\n'
            b'1988225002,2018-11-29 10:02:58,Morning Ride,Ride,"",1449,5869.0,true,Bike,activities/2130096002.gpx\n'
            b'1988225003,2018-11-30 08:51:29,Treadmill,Run,"",1800,5000.0,false,,\n')  # fmt: skip
    assert registry.reader_for_content(data, "activities.csv").kind == "strava_csv"
    run, ride, manual = read_activities("activities.csv", data)
    assert (run.sport, run.distance_m, run.elapsed_s, run.start_utc) == ("running", 6075.0, 1468.0, pd.Timestamp("2018-11-27 19:11:32", tz="UTC"))
    assert run.file_ref == "activities/2125648001.fit.gz" and run.warnings == []  # the upload's id, not the activity's
    assert (ride.sport, ride.commute, manual.file_ref, manual.distance_m) == ("cycling", True, None, 5000.0)


def test_italian_row_as_the_archive_writes_it():
    header = ["ID attività", "Data dell’attività", "Nome attività", "Tipo attività", "Tempo trascorso", "Distanza", "Nome del file"]
    (a,) = read_activities("activities.csv", _csv(header, ["11880", "11 ago 2014, 16:27:28", "Corsa serale", "Corsa", "2940", "9,62", ""]))
    assert (a.sport, a.name, a.elapsed_s) == ("running", "Corsa serale", 2940.0)
    assert a.start_utc == pd.Timestamp("2014-08-11 16:27:28", tz="UTC")
    assert a.distance_m == pytest.approx(9620.0) and "kilometres" in a.warnings[0]  # one Distance column: the km one


def test_german_row_with_both_distance_columns():
    header = ["Aktivitäts-ID", "Aktivitätsdatum", "Name der Aktivität", "Aktivitätsart", "Verstrichene Zeit", "Distanz",
              "Dateiname", "Verstrichene Zeit", "Bewegungszeit", "Distanz", "Durchschnittliche Trittfrequenz"]  # fmt: skip
    row = ["8310", "09.12.2022, 15:24:49", "Lauf am Nachmittag", "Lauf", "3010", "9,44", "activities/9001.fit.gz", "3010.0", "2950.0",
           "9441.3", "81.0"]  # fmt: skip
    (a,) = read_strava_csv(_csv(header, row), "activities.csv")
    assert (a.sport, a.distance_m, a.moving_s, a.start_utc) == ("running", 9441.3, 2950.0, pd.Timestamp("2022-12-09 15:24:49", tz="UTC"))
    assert a.totals["cadence_spm"] == 162.0  # 81 strides of one leg a minute


def test_an_untranslated_header_cell_is_read_by_its_key():
    missing = '<span class="translation_missing" title="translation missing: de-DE.activities.export.csv.{k}">{t}</span>'
    header = ["Aktivitäts-ID", missing.format(k="activity_date", t="Activity Date"), "Aktivitätsart",
              missing.format(k="elapsed_time", t="Elapsed Time"), "Distanz", "Distanz", missing.format(k="moving_time", t="Moving Time")]  # fmt: skip
    data = _csv(header, ["1", "09.12.2022, 15:24:49", "Lauf", "3010", "9,44", "9441.3", "2950.0"])
    assert registry.reader_for_content(data, "activities.csv").kind == "strava_csv"
    (a,) = read_strava_csv(data, "activities.csv")
    assert (a.elapsed_s, a.moving_s, a.distance_m) == (3010.0, 2950.0, 9441.3)


def test_french_header_with_a_curly_apostrophe_and_an_older_date():
    header = ["ID de l’activité", "Date de l’activité", "Type d’activité", "Distance", "Distance"]
    (a,) = read_strava_csv(_csv(header, ["1", "13 mai 2019 à 14:45:37", "Course à pied", "10,02", "10020.4"]), "activities.csv")
    assert (a.sport, a.distance_m, a.start_utc) == ("running", 10020.4, pd.Timestamp("2019-05-13 14:45:37", tz="UTC"))


@pytest.mark.parametrize("text,expected", [
    ("Mar 2, 2026, 7:01:00 AM", "2026-03-02 07:01:00"), ("Dec 31, 2019, 12:30:00 AM", "2019-12-31 00:30:00"),
    ("Dec 31, 2019, 12:30:00 PM", "2019-12-31 12:30:00"), ("2018-11-27 19:11:32", "2018-11-27 19:11:32"),
    ("2018-11-27T19:11:32Z", "2018-11-27 19:11:32"),
    ("09.12.2022, 15:24:49", "2022-12-09 15:24:49"), ("2. März 2026, 07:01:00", "2026-03-02 07:01:00"),
    ("2 Mai 2026, 07:01:00", "2026-05-02 07:01:00"), ("5 déc. 2022, 18:12:05", "2022-12-05 18:12:05"),
    ("5 dec 2022, 18:12:05", "2022-12-05 18:12:05"), ("13 mai 2019 à 14:45:37", "2019-05-13 14:45:37"),
    ("1 févr. 2024, 06:00:00", "2024-02-01 06:00:00"), ("23 jun 2026, 6:14:26", "2026-06-23 06:14:26"),
    ("1 ene 2024, 9:00:00", "2024-01-01 09:00:00"), ("15 dic 2023, 18:05:30", "2023-12-15 18:05:30"),
    ("11 ago 2014, 16:27:28", "2014-08-11 16:27:28"), ("3 mag 2021, 05:10:00", "2021-05-03 05:10:00"),
    ("9 mei 2026, 00:03:01", "2026-05-09 00:03:01"), ("4 mrt 2026, 19:00:00", "2026-03-04 19:00:00"),
    ("23 de ago. de 2026, 07:18:50", "2026-08-23 07:18:50"), ("2 de mar. de 2026, 07:00:00", "2026-03-02 07:00:00"),
    ("2 de mar de 2026, 07:00:00", "2026-03-02 07:00:00"), ("7 out. 2025, 18:00:00", "2025-10-07 18:00:00"),
])  # fmt: skip
def test_dates_in_every_language(text, expected):
    assert parse_date(text) == pd.Timestamp(expected, tz="UTC")


@pytest.mark.parametrize("text", ["", "yesterday", "Feb 30, 2020, 1:00:00 AM", "Mar 2, 2026, 13:01:00 PM", "32.12.2022, 15:24:49",
                                  "09.12.2022", "2 xyz 2026, 07:00:00", "2 mar 2026 2027, 07:00:00", "2 mar 2026, 25:00:00"])  # fmt: skip
def test_unreadable_dates_are_none(text):
    assert parse_date(text) is None


@pytest.mark.parametrize("text,comma,expected", [
    ("9.62", False, 9.62), ("9,62", True, 9.62), ("9,62", False, 9.62), ("1,234", False, 1234.0), ("1,234", True, 1.234),
    ("1,234.5", False, 1234.5), ("1.234,5", True, 1234.5), ("1 234,5", True, 1234.5), ("1\u202f234,5", True, 1234.5),
    ("9441.3", True, 9441.3), ("", True, None), ("abc", False, None), ("nan", False, None), ("inf", False, None), ("1,2,3", True, None),
])  # fmt: skip
def test_numbers_as_each_language_writes_them(text, comma, expected):
    assert parse_number(text, comma) == expected


@pytest.mark.parametrize("kind,expected", [
    ("Corsa", ("running", None)), ("Lauf", ("running", None)), ("Course à pied", ("running", None)), ("Carrera", ("running", None)),
    ("Hardloopsessie", ("running", None)), ("Corrida", ("running", None)), ("Trail", ("running", "trail")),
    ("Traillauf", ("running", "trail")), ("Corrida em trilha", ("running", "trail")), ("Virtueller Lauf", ("running", "virtual_activity")),
    ("Corsa virtuale", ("running", "virtual_activity")), ("Carrera virtual", ("running", "virtual_activity")),
    ("Spaziergang", ("walking", None)), ("Marche", ("walking", None)), ("Camminata", ("walking", None)), ("Wandeling", ("walking", None)),
    ("Caminhada", ("walking", None)), ("Randonnée", ("hiking", None)), ("Senderismo", ("hiking", None)), ("Wanderung", ("hiking", None)),
    ("Radfahrt", ("cycling", None)), ("Vélo", ("cycling", None)), ("Pedalada", ("cycling", None)), ("Fietsrit", ("cycling", None)),
    ("Natation", ("other", None)), ("Entrenamiento con pesas", ("other", None)), ("Allenamento generico", ("other", None)),
    ("Entraînement", ("other", None)), ("COURSE À PIED", ("running", None)),
])  # fmt: skip
def test_localized_activity_types(kind, expected):
    assert strava_type(kind) == expected


# ------------------------------------------------------------------------- bad rows --


def test_a_bad_row_is_named_and_the_others_are_read():
    header = STRAVA_LAYOUTS["it"].header
    good = STRAVA_LAYOUTS["it"].row(Outing(manual_distance_m=5000.0, manual_elapsed_s=1500.0,
                                           manual_start_utc=dt.datetime(2026, 3, 2, 7, tzinfo=dt.timezone.utc)), 1, "")  # fmt: skip
    bad = list(good)
    bad[0], bad[1] = "2", "31 febbraio 2026, 07:00:00"
    rows = read_strava_csv(_csv(header, good, bad, good), "activities.csv")
    assert [a.distance_m for a in rows if refusal(a) is None] == [5000.0, 5000.0]
    assert [refusal(a) for a in rows] == [None, ("line 3 (activity 2)", "its date cannot be read ('31 febbraio 2026, 07:00:00')"), None]
    assert [a.entry for a in rows] == ["line 2 (activity 1)", "line 3 (activity 2)", "line 4 (activity 1)"] and rows[0].warnings == []


def _writes(lang: str):
    return strava_date_writer(lang)


@settings(max_examples=examples(60), deadline=None)
@given(st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2060, 12, 31)),
       st.sampled_from(["2018", "de", "fr", "es", "it", "nl", "pt"]))  # fmt: skip
def test_every_languages_date_reads_back(when, lang):
    when = when.replace(microsecond=0, tzinfo=dt.timezone.utc)
    assert parse_date(_writes(lang)(when)) == pd.Timestamp(when)


_DATE_CELLS = st.one_of(
    st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2060, 1, 1)).map(
        lambda t: _writes("it")(t.replace(tzinfo=dt.timezone.utc))),
    st.text(max_size=30),
    st.text(alphabet="0123456789 ,.:/-abcdegimnoprstuàéû", max_size=30),
)
_NUMBER_CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(lambda x: f"{x:.2f}".replace(".", ",")),
    st.floats(min_value=0, max_value=1e6).map(lambda x: f"{x:,.1f}"),
    st.text(alphabet="0123456789,. -+eE\u00a0'", max_size=14),
    st.text(max_size=10),
)


@settings(max_examples=examples(80), deadline=None)
@given(st.lists(st.tuples(_DATE_CELLS, _NUMBER_CELLS, _NUMBER_CELLS, _NUMBER_CELLS, st.sampled_from(["Corsa", "Nuoto", "", "??"])),
                min_size=1, max_size=6))  # fmt: skip
def test_garbage_in_localized_date_and_number_cells(rows):
    """Whatever the cells hold: our own errors only; each row with a readable date is read, the others named."""
    header = ["ID attività", "Data dell’attività", "Tipo attività", "Tempo trascorso", "Distanza", "Distanza", "Cadenza media"]
    data = _csv(header, *[[str(i), d, kind, a, b, c, c] for i, (d, a, b, c, kind) in enumerate(rows)], quoting=csv.QUOTE_ALL)
    readable = [i for i, r in enumerate(rows) if parse_date(r[0]) is not None]
    try:
        acts = read_strava_csv(data, "activities.csv")
    except (ParseError, NotAnActivityError) as exc:
        assert "activities.csv" in str(exc)
        return
    assert len(acts) == len(rows)  # each row, read or refused in its place
    written = [[str(i), d, kind, a, b, c, c] for i, (d, a, b, c, kind) in enumerate(rows)]
    lines = [2 + sum(1 + "".join(r).count("\n") for r in written[:i]) for i in range(len(rows))]  # a cell may hold line feeds
    for i, a in enumerate(acts):
        if refusal(a) is not None:  # named by its line, with a reason: an unreadable date or an impossible total
            where, reason = refusal(a)
            assert where == f"line {lines[i]} (activity {i})" and ("date" in reason or "impossible" in reason)
            assert i not in readable or "impossible" in reason
            continue
        assert i in readable and a.start_utc == parse_date(rows[i][0]) and a.entry == f"line {lines[i]} (activity {i})"
        assert a.distance_m is None or 0 <= a.distance_m <= 1_000_000
        assert a.elapsed_s is None or 0 <= a.elapsed_s <= 7 * 86400


@settings(max_examples=examples(100), deadline=None)
@given(st.text(max_size=60))
def test_any_text_as_a_date_or_a_number_is_read_or_none(text):
    when = parse_date(text)
    assert when is None or (when.tz is not None and 1900 <= when.year <= 2199)
    for comma in (False, True):
        x = parse_number(text, comma)
        assert x is None or math.isfinite(x)


def test_an_english_archive_with_untranslated_cells_of_its_own():
    """The layout of a real 2020 English archive: Strava's HTML for some later columns (one keyed ``type``),
    rows in activity-id order, not date order, files named by upload id, ``.gpx.gz`` and ``.tcx.gz``."""
    missing = '<span class="translation_missing" title="translation missing: en-US.lib.export.portability_exporter.activities.horton_values.{k}">{t}</span>'
    header = ("Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,"
              "Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,"
              "Distance,Max Speed,Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,Average Grade,"
              "Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,Max Heart Rate,Average Heart Rate,Max Watts,"
              "Average Watts,Calories,Max Temperature,Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,"
              "Downhill Time,Other Time,Perceived Exertion").split(",") + [missing.format(k="type", t="Type"),
                                                                          missing.format(k="start_time", t="Start Time"), "Commute"]  # fmt: skip
    width = len(header)

    def row(aid, date, kind, elapsed, km, file, moving, metres, cadence):
        cells = [""] * width
        cells[:7] = [aid, date, "Corrida", kind, "", elapsed, km]
        cells[9], cells[12], cells[15], cells[16], cells[17], cells[29] = "false", file, f"{elapsed}.0", moving, metres, cadence
        cells[44], cells[46] = "Mystery", "0.0"
        return cells

    data = _csv(header, row("3763864001", "Jul 14, 2020, 10:36:55 PM", "Run", "3378", "6.32", "activities/4021635001.gpx.gz", "3261.0",
                            "6325.60009765625", "86.5"),
                row("3787367001", "Jul 11, 2020, 10:10:58 PM", "Run", "3767", "7.00", "activities/4047875001.tcx.gz", "3707.0", "7000.0", ""),
                row("3787254001", "Jul 19, 2020, 4:08:30 PM", "Walk", "3178", "5.64", "activities/4047748001.gpx.gz", "3046.0", "5642.6",
                    "56.6"))  # fmt: skip
    first, second, walk = read_strava_csv(data, "activities.csv")
    assert (first.sport, second.sport, walk.sport) == ("running", "running", "walking")  # Activity Type, not the untranslated "Type"
    assert first.start_utc > second.start_utc  # the archive's order is the ids', not the dates'
    assert (first.distance_m, first.moving_s, first.elapsed_s) == (6325.60009765625, 3261.0, 3378.0)
    assert first.totals["cadence_spm"] == 173.0 and second.totals is None  # a run's cadence is one leg's (86.5 -> 173)
    assert [a.file_ref for a in (first, second)] == ["activities/4021635001.gpx.gz", "activities/4047875001.tcx.gz"]
