"""Races told from names (in our users' languages) and from distance and effort, on hand-built tables and real histories."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.config import Config, config_from_dict
from hamstring_analyzer.metrics.races import detect_races, name_says_race, predicted_race_speed, standard_distance_label
from hamstring_analyzer.metrics.runs import runs_table

from ..conftest import examples, needs_real_histories

THRESHOLD = 4.0  # m/s (4:10/km): this runner could race for an hour at it, 14.4 km


def table(*runs: dict) -> pd.DataFrame:
    """A runs table with what `detect_races` reads: an outdoor run at threshold pace unless a run says otherwise."""
    base = {"name": None, "sub_sport": None, "distance_m": 10000.0, "moving_s": 2500.0,
            "threshold_speed_mps": THRESHOLD, "indoor": False, "suspect": False}  # fmt: skip
    return pd.DataFrame([{**base, **r} for r in runs], index=[f"r{i}" for i in range(len(runs))], columns=list(base))


def at_speed(distance_m: float, speed_mps: float, **kw) -> dict:
    return {"distance_m": distance_m, "moving_s": distance_m / speed_mps, **kw}


# ------------------------------------------------------------------- names ---


@pytest.mark.parametrize(
    "name",
    [
        "成都马拉松", "通州运河半程马拉松", "北京半马", "全马 PB", "校运会比赛", "10公里赛", "崇礼越野赛",  # Chinese
        "台北馬拉松",  # traditional characters
        "London Marathon", "Half Marathon", "half-marathon", "Bushy parkrun", "10K race", "Raced the club 5k",
        "Semi-marathon de Paris", "Compétition régionale",  # French
        "Halbmarathon Berlin", "Wettkampf", "Volkslauf Bonn",  # German
        "Media Maratón de Madrid", "Maratón de Valencia", "Carrera popular San Silvestre",  # Spanish
        "Mezza maratona di Roma", "Gara sociale", "Maratonina",  # Italian
        "Meia Maratona do Porto", "Maratona de Lisboa",  # Portuguese
        "Halve marathon Egmond", "Wedstrijd",  # Dutch
        "東京マラソン",  # Japanese
    ],
)  # fmt: skip
def test_race_names_in_our_users_languages(name):
    assert name_says_race(name)


@pytest.mark.parametrize(
    "name",
    [
        None, "", "海淀区 跑步", "海淀区 其他", "海淀区 操场跑步", "海淀区 25K LSD 跑崩", "海淀区 - Long Run",
        "丹东市 - 短间歇", "恢复训练，3k小节奏", "gpx from joyrun 1478340323", "gpx from keep",  # the real runners' names
        "马拉松配速跑", "半马训练", "备赛 10km", "赛后恢复跑", "赛罕区 跑步",  # race pace, training, before / after, a district
        "Marathon pace 16k", "Half marathon training week 5", "Post-race shakeout", "Race recovery jog",
        "Morning Run", "Grace's long run", "Trace the river",
        "Course à pied", "Allure marathon 3x5 km",  # French: course is running
        "Morgenlauf", "Marathontempo 3x5 km", "Marathontraining",  # German
        "Carrera matutina", "Ritmo maratón",  # Spanish: carrera alone is Strava's "run"
        "Corsa mattutina", "Corrida matinal", "Sexta-Feira Corrida Matutina",  # Italian, Portuguese (real_runs' names)
        "Ochtendloop",  # Dutch
    ],
)  # fmt: skip
def test_names_that_are_not_races(name):
    assert not name_says_race(name)


def test_a_named_race_gets_its_distance_label_within_5_percent_and_needs_3_km():
    runs = table(
        at_speed(42808.7, 3.8, name="成都马拉松"),  # the GPS track of a marathon reads long: 1.5%
        at_speed(22100.0, 3.5, name="Half Marathon"),  # 4.8% long: still the half marathon
        at_speed(17000.0, 3.0, name="Trail race"),  # no standard distance
        at_speed(2500.0, 2.5, name="成都马拉松"),  # the race-day warm-up jog
        at_speed(5020.0, 2.0, name="parkrun", indoor=True, suspect=True, threshold_speed_mps=np.nan),
    )
    got = detect_races(runs, Config())
    assert got.index.equals(runs.index)
    assert got["race"].tolist() == [True, True, True, False, True]
    assert got["race_label"].tolist() == ["marathon", "half marathon", "race", None, "5 km"]
    assert got["race_by"].tolist() == ["name", "name", "name", None, "name"]


# -------------------------------------------------------- distance and effort ---


def test_predicted_race_speed_follows_riegel_from_the_one_hour_race():
    assert predicted_race_speed(THRESHOLD, THRESHOLD * 3600) == pytest.approx(THRESHOLD)
    # Riegel: a marathon takes 3600 s x (42195 / 14400)^1.06.
    assert predicted_race_speed(THRESHOLD, 42195.0) == pytest.approx(42195.0 / (3600 * (42195.0 / 14400) ** 1.06))
    assert predicted_race_speed(THRESHOLD, 5000.0) > THRESHOLD > predicted_race_speed(THRESHOLD, 21097.5)
    assert math.isnan(predicted_race_speed(np.nan, 10000.0)) and math.isnan(predicted_race_speed(THRESHOLD, 0.0))


def test_standard_distances_within_the_tolerance():
    assert standard_distance_label(10100.0, 2.0) == "10 km"
    assert standard_distance_label(21606.0, 2.0) is None and standard_distance_label(21606.0, 3.0) == "half marathon"
    assert standard_distance_label(42195.0 * 1.021, 2.0) is None
    assert standard_distance_label(float("nan"), 2.0) is None and standard_distance_label(-5000.0, 2.0) is None


def test_a_10_km_at_threshold_pace_is_a_race_and_an_easy_10_km_is_not():
    runs = table(
        at_speed(10100.0, THRESHOLD),  # predicted 10.1 km speed is 4.09 m/s: 98% of it
        at_speed(10100.0, THRESHOLD / 1.2),  # easy
        at_speed(10100.0, THRESHOLD, indoor=True, sub_sport="treadmill"),  # a treadmill's distance is a guess
        at_speed(5000.0, 1.1 * THRESHOLD, indoor=True, sub_sport="treadmill"),
        at_speed(10100.0, THRESHOLD, threshold_speed_mps=np.nan),  # no threshold yet: nothing to judge the effort by
        at_speed(10100.0, THRESHOLD, suspect=True),  # a damaged track's distance or time
        at_speed(10300.0, THRESHOLD),  # 3% long: not a 10 km
        at_speed(21100.0, 0.96 * THRESHOLD),  # the predicted half-marathon speed is 3.91 m/s: 98% of it
        at_speed(42195.0, 0.85 * THRESHOLD),  # 91% of the predicted marathon speed (3.75 m/s): a long run
        at_speed(5000.0, 4.2, moving_s=0.0),  # no time
    )
    got = detect_races(runs, Config())
    assert got["race"].tolist() == [True, False, False, False, False, False, False, True, False, False]
    assert got["race_label"].tolist() == ["10 km"] + [None] * 6 + ["half marathon", None, None]
    assert got["race_by"].iloc[0] == got["race_by"].iloc[7] == "distance and effort"


def test_the_race_settings_decide():
    runs = table(at_speed(21606.0, 0.97 * THRESHOLD), at_speed(10000.0, 0.98 * THRESHOLD))
    # 21.6 km is 2.4% off the half marathon (run at 99% of its predicted speed, 3.90 m/s);
    # 0.98 x threshold is 95.9% of the predicted 10 km speed (4.09 m/s).
    assert detect_races(runs, Config())["race"].tolist() == [False, True]
    wider = config_from_dict({"races": {"distance_tolerance_pct": 3.0, "effort_pct": 2.0}})
    assert detect_races(runs, wider)["race"].tolist() == [True, False]


def test_detect_races_leaves_its_input_alone_and_handles_an_empty_table():
    runs = table(at_speed(10000.0, THRESHOLD, name="10K race"))
    before = runs.copy()
    detect_races(runs, Config())
    pd.testing.assert_frame_equal(runs, before)
    empty = detect_races(runs.iloc[:0], Config())
    assert list(empty.columns) == ["race", "race_label", "race_by"] and empty.empty and empty["race"].dtype == bool


values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 5000.0, 10050.0, 21100.0, 42195.0]))


@settings(max_examples=examples(150))
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "name": st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["Marathon", "马拉松配速", "parkrun"])),
                "sub_sport": st.one_of(st.none(), st.sampled_from(["treadmill", "track", "street"])),
                "distance_m": values,
                "moving_s": values,
                "threshold_speed_mps": st.one_of(st.floats(allow_nan=True), st.just(4.0)),
                "indoor": st.one_of(st.booleans(), st.none()),
                "suspect": st.one_of(st.booleans(), st.none()),
            }
        ),
        max_size=8,
    )
)
def test_any_table_gives_consistent_races(rows):
    runs = table(*rows)
    got = detect_races(runs, Config())
    assert got.index.equals(runs.index) and got["race"].dtype == bool
    assert (got["race"] == got["race_by"].notna()).all() and (got["race"] == got["race_label"].notna()).all()
    assert set(got["race_label"].dropna()) <= {"marathon", "half marathon", "10 km", "5 km", "race"}
    named = runs[got["race_by"] == "name"]
    assert (named["distance_m"] >= 3000).all()
    by_effort = runs[got["race_by"] == "distance and effort"]
    assert not by_effort["indoor"].fillna(False).astype(bool).any() and not by_effort["suspect"].fillna(False).astype(bool).any()
    assert np.isfinite(by_effort["threshold_speed_mps"].astype(float)).all()


# ---------------------------------------------------------- real histories ---


@pytest.fixture(scope="module")
def clf3(real_history):
    """clf3's 32 weeks (Garmin GPX, named): the runs table."""
    return runs_table(real_history("clf3").runs)


def _on(table: pd.DataFrame, day: str) -> pd.DataFrame:
    return table[table["local_date"] == dt.date.fromisoformat(day)]


@needs_real_histories
def test_clf3_races_are_the_named_marathon_and_half_and_the_5k_on_the_track(clf3):
    races = clf3[clf3["race"]]
    got = [(str(r.local_date), round(r.distance_m / 1000, 1), r.race_label, r.race_by) for r in races.itertuples()]
    assert got == [
        # not 2024-06-11's 9.9 km (an imported run, no heart rate, a fix every 14 s): its sparse fixes read as pauses,
        # 35:13 of moving time; covered at running pace they are not, and it took 44:13 (the platform's moving time too)
        ("2024-09-30", 5.0, "5 km", "distance and effort"),  # 17:56 on the track at heart rate 188
        ("2024-10-27", 42.8, "marathon", "name"),  # 成都马拉松
        ("2024-11-10", 21.3, "half marathon", "name"),  # 通州运河半程马拉松
    ]
    # 30 Sep: the 5 km came 5 minutes after a 1.3 km warm-up by the same watch; at another pace, it is not a part
    # of the warm-up's workout (ingest.join.PACE_RATIO), so the race stays a race.
    sept = _on(clf3, "2024-09-30")
    assert [round(d / 1000, 1) for d in sept["distance_m"]] == [2.0, 1.3, 5.0] and list(sept["race"]) == [False, False, True]
    # 14 Oct: the 10 km in 37:30 at heart rate 184 is no longer told: the estimated threshold is 4.61 m/s (4.53
    # before the idle and sparse-fix cleaning and the joins), and 4.44 m/s is 93% of what it predicts for 10 km.
    october = _on(clf3, "2024-10-14")
    assert [round(d / 1000, 1) for d in october["distance_m"]] == [1.1, 10.0] and not october["race"].any()
    assert october["threshold_speed_mps"].iloc[1] == pytest.approx(4.61, abs=0.01)
    # The long runs before the races are not races: "25K LSD 跑崩" (blew up) and the 30 km.
    assert not _on(clf3, "2024-09-14")["race"].any() and not _on(clf3, "2024-10-12")["race"].any()
    assert _on(clf3, "2024-09-14")["distance_m"].iloc[0] == pytest.approx(25374, abs=5)
    assert _on(clf3, "2024-10-27")["name"].iloc[0] == "成都马拉松"


@needs_real_histories
def test_stonericky_unnamed_races_by_distance_and_effort(real_history):
    table = runs_table(real_history("stonericky").runs)
    assert table["name"].isna().all()  # the platform names nothing
    races = table[table["race"]]
    assert set(races["race_by"]) == {"distance and effort"} and set(races["race_label"]) == {"5 km", "10 km"}
    # Saturday 24 May 2025, 10.0 km at heart rate 174: 105% of the speed the runner's threshold predicts.
    may = _on(table, "2025-05-24")
    assert may["race"].tolist() == [True] and may["race_label"].iloc[0] == "10 km"
    # The two half marathons (average heart rate 177) are missed by default: 21.2 km at 94.8% of the predicted
    # speed, just short of 95%, and 21.6 km, 2.4% long. A 3% tolerance finds the second.
    halves = table[table["local_date"].isin([dt.date(2024, 10, 20), dt.date(2025, 4, 20)])]
    assert not halves["race"].any()
    wider = detect_races(halves, config_from_dict({"races": {"distance_tolerance_pct": 3.0}}))
    assert wider["race"].tolist() == [False, True] and wider["race_label"].iloc[1] == "half marathon"
