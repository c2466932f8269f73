"""The reasons an ingest gives, in a runner's words: the sport a file names, dates out of range, never a Python class name."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer import synthetic
from hamstring_analyzer.errors import CLASS_NAME_PATTERN, ParseError, unexpected_problem
from hamstring_analyzer.ingest import load_runs, parse_bytes, reason_group
from hamstring_analyzer.ingest.wording import failure_reason, not_a_run_reason
from hamstring_analyzer.readers.sports import file_sport, needs_judging, sport_from_text, sport_label
from hamstring_analyzer.readers.track import dated, iso_seconds
from hamstring_analyzer.synthetic import easy_run, write_fit
from hamstring_analyzer.synthetic_tracks import phone_gpx, plain_tcx, track_times

from ..conftest import MANIFEST, REAL_RUNS, examples, needs_real_runs

CLASS_NAME = re.compile(CLASS_NAME_PATTERN)
#: A paddle or a ski at walking pace: the speed the sport judge calls a walk [m/s].
WALKING_PACE_MPS = 1.2
RUN_TIMES = track_times("2024-05-01T06:00:00", 240)  # 20 minutes, one point every 5 s


def _skip_reason(label: str, data: bytes) -> str:
    """The reason an ingest gives for a file that is not a run (one activity)."""
    kind, payload = parse_bytes(label, data)
    assert kind == "ok", payload
    (activity,) = payload
    assert not activity.is_run
    return not_a_run_reason(activity.sport, activity.sub_sport)


# -- 1. the sport a file names ---------------------------------------------------


@pytest.mark.parametrize(
    "sport, sub_sport, words",
    [
        ("cycling", "road", "road cycling"),
        ("cycling", "indoor_cycling", "indoor cycling"),
        ("cycling", "mountain", "mountain biking"),
        ("swimming", "lap_swimming", "pool swimming"),
        ("swimming", "open_water", "open-water swimming"),
        ("training", "yoga", "yoga"),
        ("training", "strength_training", "strength training"),
        ("fitness_equipment", "indoor_rowing", "indoor rowing"),
        ("cross_country_skiing", None, "cross-country skiing"),
        ("stand_up_paddleboarding", "generic", "stand-up paddling"),
        ("e_biking", None, "e-biking"),
        ("hiking", None, "hiking"),
        ("walking", "generic", "walking"),
        ("transition", "generic", "multisport transition"),
        ("82", None, "snorkeling"),  # a FIT number newer than fitparse's profile
        ("53", "multi_gas_diving", "scuba diving (multi-gas)"),
        ("250", None, "another sport (FIT sport 250)"),
        ("other", None, "another sport (Other)"),
        ("Laufen", None, "another sport (Laufen)"),
        ("SUP", None, "stand-up paddling"),
        (None, None, "unknown sport"),
    ],
)
def test_every_sport_reads_as_a_runner_says_it(sport, sub_sport, words):
    assert sport_label(sport, sub_sport) == words
    assert not_a_run_reason(sport, sub_sport) == f"not a run ({words})"
    assert reason_group(not_a_run_reason(sport, sub_sport)) == words


@pytest.mark.parametrize(
    "text, name, expected",
    [
        ("StandUpPaddling", None, ("stand_up_paddleboarding", None)),  # Strava's type
        ("NordicSki", None, ("cross_country_skiing", None)),
        ("cross_country_skiing_ws", None, ("cross_country_skiing", None)),  # Garmin Connect's key
        ("kayaking_v2", None, ("kayaking", None)),
        ("E-Bike Ride", None, ("e_biking", None)),
        ("Other", None, ("other", None)),  # TCX's schema word for "not Running, not Biking"
        ("Other", "Lake SUP session", ("SUP", None)),  # the name names it
        ("Other", "Evening Run", (None, None)),  # a run by its name: the samples decide
        (None, "Morning cross-country ski", ("cross-country ski", None)),
        ("Laufen", None, ("Laufen", None)),  # a word we do not know: judged, kept if not a run
        ("23", None, (None, None)),  # a Strava code we do not know is no word
        (None, "Mojstrovka", (None, None)),
    ],
)
def test_file_sport_reads_the_sport_field_then_the_name(text, name, expected):
    assert file_sport(text, name) == expected


def test_only_unnamed_sports_and_unknown_words_are_judged():
    assert needs_judging(None) and needs_judging("generic") and needs_judging("Laufen") and needs_judging("SUP")
    assert not any(needs_judging(s) for s in ("running", "walking", "other", "cross_country_skiing", "82"))
    assert sport_from_text("Other") == ("other", None)


@pytest.mark.parametrize(
    "sport, notes, reason",
    [
        ("Other", None, "not a run (another sport (Other))"),  # was "not a run (walking)": judged from the speed
        ("Other", "Morning SUP", "not a run (stand-up paddling)"),
        ("Other", "Cross-country ski, classic", "not a run (cross-country skiing)"),
        ("CrossCountrySkiing", None, "not a run (cross-country skiing)"),
        ("StandUpPaddling", None, "not a run (stand-up paddling)"),
    ],
)
def test_a_paddle_or_ski_tcx_is_never_a_walk(sport, notes, reason):
    data = plain_tcx(RUN_TIMES, sport=sport, notes=notes, speed_mps=WALKING_PACE_MPS)
    assert _skip_reason("paddle.tcx", data) == reason


@pytest.mark.parametrize(
    "kind, reason",
    [
        ("StandUpPaddling", "not a run (stand-up paddling)"),
        ("NordicSki", "not a run (cross-country skiing)"),
        ("kayaking_v2", "not a run (kayaking)"),
        ("Laufen", "not a run (another sport (Laufen))"),  # not a run's samples: the file's word, not "walking"
    ],
)
def test_a_gpx_type_names_the_sport(kind, reason):
    assert _skip_reason("paddle.gpx", phone_gpx(RUN_TIMES, sport=kind, speed_mps=WALKING_PACE_MPS)) == reason


def test_a_word_we_do_not_know_is_judged_and_a_run_stays_a_run():
    kind, (run,) = parse_bytes("lauf.gpx", phone_gpx(RUN_TIMES, sport="Laufen", speed_mps=3.0))
    assert run.is_run and any('the file names its sport "Laufen"' in w for w in run.warnings)


@pytest.mark.parametrize(
    "sport, number, reason",
    [("cross_country_skiing", 12, "not a run (cross-country skiing)"), ("stand_up_paddleboarding", 37, "not a run (stand-up paddling)"),
     ("snorkeling", 82, "not a run (snorkeling)")],  # fmt: skip
)
def test_fit_sports_are_named_from_the_profile(monkeypatch, sport, number, reason):
    monkeypatch.setitem(synthetic.SPORTS, sport, number)
    data = write_fit(easy_run(dt.datetime(2024, 5, 1, 7, 0), 2.0, pace_s_per_km=800, sport=sport))
    assert _skip_reason("paddle.fit", data) == reason


def test_an_ingest_names_each_sport(tmp_path):
    """The same words in the ingest's skipped list, and a walk that is a walk still says so."""
    walk = tmp_path / "walk.gpx"
    walk.write_bytes(phone_gpx(RUN_TIMES, sport="walking", speed_mps=WALKING_PACE_MPS))
    (tmp_path / "sup.tcx").write_bytes(plain_tcx(RUN_TIMES, sport="Other", speed_mps=WALKING_PACE_MPS))
    (tmp_path / "ski.gpx").write_bytes(phone_gpx(RUN_TIMES, sport="NordicSki", speed_mps=WALKING_PACE_MPS))
    export = load_runs(tmp_path, workers=1, use_cache=False)
    assert {s["source"]: s["reason"] for s in export.skipped} == {
        "ski.gpx": "not a run (cross-country skiing)",
        "sup.tcx": "not a run (another sport (Other))",
        "walk.gpx": "not a run (walking)",
    }


def _named_sports(real) -> tuple[set[str], bool]:
    """The runner's words for each sport INDEX.md lists for a real file, and whether a session names none (it is judged)."""
    names, unnamed = set(), not real.sports
    for pair in real.sports.split(","):
        sport, _, sub = pair.partition("/")
        if sport.strip() in ("", "None", "generic"):
            unnamed = True
            continue
        if real.fmt == "FIT":
            names.add(sport_label(sport, None if sub in ("", "None") else sub))
        else:
            names.add(sport_label(*file_sport(sport)))
    return names, unnamed


@needs_real_runs
def test_every_real_skip_names_the_sport_its_file_names(real_export):
    """Over every real file: a skipped activity of a named sport is skipped under that sport's name, never "walking".

    Only a session that names no sport (FIT ``generic``, a GPX without
    ``<type>``) is named by the judge (walking, cycling, unknown sport).
    """
    export, _ = real_export
    by_path = {r.path: r for r in MANIFEST}
    checked = 0
    for item in export.skipped:
        reason = item["reason"]
        if not reason.startswith("not a run ("):
            continue
        real = by_path[item["source"].split("#", 1)[0]]
        named, unnamed = _named_sports(real)
        said = reason_group(reason)
        if said in named:
            checked += 1
        else:
            assert unnamed and said in ("walking", "cycling", "unknown sport"), (item, named)
    assert checked >= 80
    reasons = {s["source"]: s["reason"] for s in export.skipped}
    assert reasons["fit-parser/test/test2.fit"] == "not a run (cross-country skiing)"
    assert reasons["fit-python-sdk/tests/fits/ActivityDevFields.fit"] == "not a run (stand-up paddling)"
    assert reasons["fit-parser/test/snorkeling-unknown-sport.fit"] == "not a run (snorkeling)"
    assert reasons["GoldenCheetah/test/swims/argmac_Garmin_FR910XT_2015_01_31_10_17_02.tcx"] == "not a run (another sport (Other))"
    assert reasons["GoldenCheetah/test/rides/Garmin1000_withFirstbeat.fit"] == "not a run (road cycling)"


# -- 2. timestamps out of range ----------------------------------------------------

KEEP_7526 = track_times("7526-03-01T06:00:00", 5)  # a phone export's first points
THEN_1970 = track_times("1970-01-01T00:00:25", 240)
THEN_2024 = track_times("2024-05-01T06:00:25", 240)


@pytest.mark.parametrize("fmt, write", [("gpx", phone_gpx), ("tcx", plain_tcx)])
@pytest.mark.parametrize(
    "times, reason",
    [
        (track_times("7526-03-01T06:00:00", 240), "timestamps out of range (year 7526)"),
        (KEEP_7526 + THEN_1970, "timestamps out of range (years 7526 and 1970)"),
        (THEN_1970, "timestamps out of range (year 1970)"),
    ],
)
def test_a_file_dated_out_of_range_says_so_in_one_line(fmt, write, times, reason):
    assert parse_bytes(f"keep.{fmt}", write(times)) == ("error", reason)


@pytest.mark.parametrize("fmt, write", [("gpx", phone_gpx), ("tcx", plain_tcx)])
def test_the_points_dated_in_range_are_read(fmt, write):
    kind, (run,) = parse_bytes(f"keep.{fmt}", write(KEEP_7526 + THEN_2024))
    assert kind == "ok" and run.is_run
    assert run.start_utc.isoformat() == "2024-05-01T06:00:25+00:00" and run.elapsed_s == 239 * 5
    what = "track points" if fmt == "gpx" else "trackpoints"
    assert f"5 {what} with timestamps out of range (year 7526) were left out" in run.warnings


def test_a_fit_file_dated_after_2100_says_timestamps_out_of_range():
    kind, reason = parse_bytes("clock.fit", write_fit(easy_run(dt.datetime(2110, 3, 4, 7, 0), 2.0)))
    assert (kind, reason) == ("error", "timestamps out of range (dated 2110-03-04 07:00 UTC, after 2100): the watch's clock was not set?")


@settings(max_examples=examples(100))
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e12, 1e12)), max_size=30))
def test_dated_keeps_what_is_in_range_or_refuses_in_one_line(times):
    times = np.array(times, dtype="float64")
    try:
        kept, notes = dated(times, "x.gpx")
    except ParseError as exc:
        assert exc.reason.startswith("timestamps out of range (year") and not CLASS_NAME.search(exc.reason)
        return
    ok = np.isfinite(kept)
    assert ((kept[ok] >= 631065600.0) & (kept[ok] <= 4102444800.0)).all()
    assert len(notes) == (1 if (np.isfinite(times) & ~ok).any() else 0)


@settings(max_examples=examples(100))
@given(st.text(max_size=40))
def test_iso_seconds_never_raises(text):
    value = iso_seconds(text)
    assert isinstance(value, float)


# -- 3. never an exception's class name --------------------------------------------


@pytest.mark.parametrize(
    "exc, words",
    [
        (MemoryError("test"), "could not be read: the computer ran out of memory"),
        (RecursionError("deep"), "could not be read: it is nested too deeply to read"),
        (KeyError("lap"), "could not be read: an unexpected problem while reading it (please report: 'lap')"),
        (ValueError("TypeError: bad shape"), "could not be read: an unexpected problem while reading it (please report: bad shape)"),
        (RuntimeError(), "could not be read: an unexpected problem while reading it (please report it)"),
    ],
)
def test_worker_failures_in_a_runners_words(exc, words):
    assert failure_reason(exc) == words


def test_a_date_pandas_cannot_hold_is_named_not_its_class():
    import pandas as pd

    with pytest.raises(ValueError) as caught:  # pandas' OutOfBoundsDatetime
        pd.Timestamp(1.753e11, unit="s").as_unit("ns")  # year 7525 in nanoseconds
    text = unexpected_problem(caught.value, "in the reader")
    assert text == "it holds dates or numbers out of range" and not CLASS_NAME.search(text)


def _damaged(seed: bytes, rng: np.random.Generator, n: int) -> list[bytes]:
    """``n`` versions of ``seed``: cut short, some bytes flipped, or both."""
    out = []
    for k in range(n):
        buf = bytearray(seed[: max(1, len(seed) * (k + 1) // (n + 1))] if k % 2 == 0 else seed)
        for pos in rng.integers(0, len(buf), size=k % 5 + 1):
            buf[pos] ^= 1 << int(rng.integers(0, 8))
        out.append(bytes(buf))
    return out


def _every_reason(result) -> list[str]:
    kind, payload = result
    if kind == "ok":
        return [w for a in payload for w in a.warnings] + [not_a_run_reason(a.sport, a.sub_sport) for a in payload if not a.is_run]
    return [payload]


def test_no_reason_names_a_python_class_on_damaged_files():
    from tests.readers.test_xml_formats import _gpx
    from tests.test_hostile_input import corrupt_fit

    rng = np.random.default_rng(7)
    seeds = {"run.gpx": _gpx(170), "run.fit": write_fit(easy_run(dt.datetime(2024, 5, 1, 7, 0), 2.0)),
             "run.tcx": plain_tcx(RUN_TIMES), "keep.gpx": phone_gpx(KEEP_7526 + THEN_1970)}  # fmt: skip
    checked = 0
    for name, seed in seeds.items():
        for data in [seed] + _damaged(seed, rng, 12):
            for reason in _every_reason(parse_bytes(name, data)):
                assert not CLASS_NAME.search(reason), (name, reason)
                checked += 1
    fit_panic = parse_bytes("panic.fit", corrupt_fit())  # fitfast panics on it: the reader's net catches it
    assert not CLASS_NAME.search(" ".join(_every_reason(fit_panic)))
    assert checked > 40


@needs_real_runs
def test_no_reason_or_error_names_a_python_class_on_real_files(real_export):
    """The ingest JSON of every real file: no skip reason or error holds a class name or a traceback."""
    export, _ = real_export
    doc = export.to_dict()
    texts = [s["reason"] for s in doc["skipped"]] + [e["error"] for e in doc["errors"]] + [i["reason"] for i in doc["ignored"]]
    assert len(texts) > 200
    assert [t for t in texts if CLASS_NAME.search(t)] == []


@needs_real_runs
def test_no_reason_names_a_python_class_on_damaged_real_files():
    rng = np.random.default_rng(11)
    reals = [r for r in MANIFEST if r.fmt in ("FIT", "TCX", "GPX") and r.full.stat().st_size < 400_000]
    picked = [reals[i] for i in rng.choice(len(reals), size=min(12, len(reals)), replace=False)]
    for real in picked:
        seed = (REAL_RUNS / real.path).read_bytes()
        for data in _damaged(seed, rng, 4):
            for reason in _every_reason(parse_bytes(real.path, data)):
                assert not CLASS_NAME.search(reason), (real.path, reason)


# -- 4. negative distances ------------------------------------------------------------


def _distances(*, negative=slice(50, 60), back_at=120) -> list[float]:
    d = [i * 15.0 for i in range(len(RUN_TIMES))]  # 3 m/s, 5 s apart
    d[negative] = [-5.0] * (negative.stop - negative.start)
    d[back_at] = 10.0  # a jump back: decreasing
    return d


def test_negative_distances_are_missing_samples_and_positions_give_the_distance():
    kind, (run,) = parse_bytes("neg.tcx", plain_tcx(RUN_TIMES, distances=_distances(), lap_distance_m=-1.0))
    assert run.is_run and run.distance_m == pytest.approx(239 * 15.0, rel=0.002)
    assert run.warnings[-2:] == [
        "1 lap(s) with a negative distance: the lap totals were not used",
        "11 trackpoints had negative or decreasing distances and were left out; the distance comes from the positions",
    ]


def test_valid_lap_totals_give_the_distance():
    kind, (run,) = parse_bytes("neg.tcx", plain_tcx(RUN_TIMES, distances=_distances(), lap_distance_m=3600.0))
    assert run.distance_m == pytest.approx(3600.0)
    assert "11 trackpoints had negative or decreasing distances and were left out; the distance comes from the lap totals" in run.warnings


def test_without_positions_the_trackpoints_left_give_the_distance():
    scattered = [-2.0 if i % 20 == 5 else i * 15.0 for i in range(len(RUN_TIMES))]
    kind, (run,) = parse_bytes("neg.tcx", plain_tcx(RUN_TIMES, distances=scattered, lap_distance_m=-1.0, positions=False))
    assert run.distance_m == pytest.approx(239 * 15.0)
    assert run.warnings[-1] == "12 trackpoints had negative or decreasing distances and were left out; the distance comes from the trackpoints left"
    kind, (run,) = parse_bytes("neg.tcx", plain_tcx(RUN_TIMES, distances=[-3.0] * 240, lap_distance_m=-1.0, positions=False))
    assert run.distance_m is None and run.warnings[-1].endswith("the distance is unknown")


def test_an_ingest_of_a_negative_distance_tcx_has_a_distance(tmp_path):
    (tmp_path / "neg.tcx").write_bytes(plain_tcx(RUN_TIMES, distances=[-1.0] * 240, lap_distance_m=-1.0))
    (run,) = load_runs(tmp_path, workers=1, use_cache=False).summaries()
    assert run["distance_m"] == pytest.approx(239 * 15.0, rel=0.002)


def test_a_few_metres_back_is_gps_jitter_not_damage():
    jitter = [i * 15.0 for i in range(len(RUN_TIMES))]
    jitter[100] = jitter[99] - 4.2  # standing still, the GPS drifts back (seen on a Forerunner 305)
    kind, (run,) = parse_bytes("jitter.tcx", plain_tcx(RUN_TIMES, distances=jitter))
    assert not any("distances" in w for w in run.warnings) and run.distance_m == pytest.approx(239 * 15.0)


@needs_real_runs
def test_real_tcx_files_keep_their_recorded_distances():
    """No real TCX steps back or below zero beyond GPS jitter: none is told its distances were left out."""
    for real in (r for r in MANIFEST if r.fmt == "TCX" and not r.error):
        kind, payload = parse_bytes(real.path, real.full.read_bytes())
        if kind == "ok":
            assert not [w for a in payload for w in a.warnings if "negative or decreasing" in w], real.path


def test_a_failed_athlete_row_names_no_class():
    from hamstring_analyzer.errors import failure_text

    assert failure_text(KeyError("lap"), "team/ana") == "internal error: an unexpected problem in the analysis (please report: 'lap')"


def test_a_tcx_activity_dated_out_of_range_leaves_the_others():
    good = plain_tcx(RUN_TIMES)
    bad = plain_tcx(track_times("7526-03-01T06:00:00", 240))
    both = good.replace(b"</Activities>", bad[bad.index(b"<Activity "):bad.index(b"</Activities>")] + b"</Activities>")
    kind, (run,) = parse_bytes("two.tcx", both)
    assert run.start_utc.isoformat() == "2024-05-01T06:00:00+00:00"
    assert run.warnings[-1] == "1 activity(ies) in this file were left out: timestamps out of range (year 7526)"


@settings(max_examples=examples(30), deadline=None)
@given(st.lists(st.floats(-1e6, 1e6) | st.just(float("nan")), min_size=240, max_size=240), st.booleans(),
       st.floats(-1e4, 1e5))  # fmt: skip
def test_any_tcx_distances_give_a_distance_that_can_be_real(distances, positions, lap_m):
    result = parse_bytes("any.tcx", plain_tcx(RUN_TIMES, distances=distances, lap_distance_m=lap_m, positions=positions))
    assert result[0] in ("ok", "error"), result
    if result[0] == "ok":
        for a in result[1]:
            assert a.distance_m is None or 0 <= a.distance_m < 1e7
            assert not CLASS_NAME.search(" ".join(a.warnings))


@settings(max_examples=examples(200))
@given(st.text(max_size=30), st.text(max_size=40) | st.none())
def test_any_sport_words_read_as_words(text, name):
    sport, sub_sport = file_sport(text, name)
    label = sport_label(sport, sub_sport)
    assert label and not CLASS_NAME.search(not_a_run_reason(sport, sub_sport).replace(text, "").replace(name or "", ""))


def test_a_tcx_called_other_with_running_steps_is_a_run():
    """TCX names only Running, Biking and Other: an app that calls a run Other still wrote its steps."""
    kind, (run,) = parse_bytes("other.tcx", plain_tcx(RUN_TIMES, sport="Other", speed_mps=3.0, run_cadence=84))
    assert kind == "ok" and run.is_run
    assert run.distance_m == pytest.approx(3.0 * 5 * 239, rel=0.02)
    assert any("judged a run" in w for w in run.warnings)
    # The same file at a paddle's pace and without steps stays what the file says.
    assert _skip_reason("sup.tcx", plain_tcx(RUN_TIMES, sport="Other", speed_mps=WALKING_PACE_MPS)) == "not a run (another sport (Other))"
