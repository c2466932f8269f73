"""Symptom insights on a constructed history with known answers, and on the sample export."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from hamstring_analyzer.cli import main
from hamstring_analyzer.insights import episodes, symptom_insights
from hamstring_analyzer.rules import Flag
from hamstring_analyzer.symptoms import SymptomEntry

from .conftest import SAMPLE_RUNS

D = dt.date
WEEKS = [D(2026, 3, 2) + dt.timedelta(weeks=i) for i in range(12)]  # Mondays 2 Mar .. 18 May


def flag(rule, day, severity="warning"):
    return Flag(rule, severity, day - dt.timedelta(days=day.weekday()), day, None, 1.0, 1.0, "%", "m")


FLAGS = [
    flag("weekly_mileage_jump", D(2026, 3, 15)),  # week of 9 Mar
    flag("speedwork_share", D(2026, 3, 27)),  # week of 23 Mar
    flag("flat_long_run", D(2026, 4, 12), "info"),  # info: not a flagged week in the comparison
    flag("layoff_return", D(2026, 5, 6)),  # week of 4 May
]
ENTRIES = [
    SymptomEntry(D(2026, 3, 2), 0),  # logging starts: nothing to report
    SymptomEntry(D(2026, 3, 18), 3, "right", "mid thigh", "tightness", "after run"),
    SymptomEntry(D(2026, 3, 21), 4, "right", "mid thigh", "pain", "during run"),  # same episode (3 days later)
    SymptomEntry(D(2026, 4, 14), 2, "left", "glute", "tightness", "after run"),  # new episode
    SymptomEntry(D(2026, 5, 17), 0),  # logging ends
]


def test_episodes_group_entries_within_a_week():
    eps = episodes(ENTRIES)
    assert [(e.start, e.end, e.max_severity) for e in eps] == [(D(2026, 3, 18), D(2026, 3, 21), 4), (D(2026, 4, 14), D(2026, 4, 14), 2)]
    assert eps[0].locations == ["mid thigh"] and eps[0].kinds == ["pain", "tightness"]


def test_flags_in_the_14_days_before_each_episode_and_week_counts():
    ins = symptom_insights(ENTRIES, FLAGS, WEEKS)
    first, second = ins.episodes
    assert [f.rule for f in first.flags_before] == ["weekly_mileage_jump"]  # 15 Mar is 3 days before; 27 Mar is after
    assert [f.rule for f in second.flags_before] == ["flat_long_run"]  # 12 Apr, 2 days before
    # Judged weeks: analysed weeks from the week before the first entry up to, not including, the week
    # of the last entry (its next week is not logged): 2 Mar .. 4 May = 10 weeks.
    # Flagged (warning or alert): 9 Mar, 23 Mar, 4 May = 3; unflagged: 7.
    # Symptom weeks: 16 Mar, 13 Apr. Followed (same or next week): 9 Mar yes, 23 Mar no, 4 May no;
    # unflagged: 16 Mar (same week), 6 Apr and 13 Apr -> 3 of 7.
    assert (ins.flagged_weeks, ins.flagged_weeks_followed) == (3, 1)
    assert (ins.unflagged_weeks, ins.unflagged_weeks_followed) == (7, 3)
    text = ins.comparison_text()
    assert "1 of 3 flagged weeks (33%)" in text and "3 of 7 unflagged weeks (43%)" in text and "small numbers" in text
    assert any("Green 2020" in n for n in ins.notes)
    assert any("more than one spot (glute, mid thigh)" in h for h in ins.hints)


def test_chronic_hints():
    long_pain = [SymptomEntry(D(2026, 1, 5) + dt.timedelta(days=6 * i), 4, "both", "mid thigh", "tightness", "during run") for i in range(11)]
    ins = symptom_insights(long_pain, [], WEEKS)
    hints = " ".join(ins.hints)
    assert "lingered for 8 weeks" in hints and "Both hamstrings" in hints and "low back and nerves" in hints
    sitting = [SymptomEntry(D(2026, 3, 3), 3, "right", "upper near the sit bone", "pain", "sitting")]
    assert any("sitting" in h for h in symptom_insights(sitting, [], WEEKS).hints)
    after = [SymptomEntry(D(2026, 3, 3), 5, "right", "", "pain", "next day"), SymptomEntry(D(2026, 3, 4), 2, "right", "", "tightness", "during run")]
    assert any("worse after running" in h for h in symptom_insights(after, [], WEEKS).hints)
    mild = [SymptomEntry(D(2026, 3, 3), 2, "right", "mid thigh", "tightness", "after run")]
    assert symptom_insights(mild, [], WEEKS).hints == []  # ordinary post-run tightness is not a chronic sign


def test_no_symptoms():
    ins = symptom_insights([], FLAGS, WEEKS)
    assert ins.episodes == [] and ins.hints == [] and ins.flagged_weeks == 0
    assert ins.comparison_text().startswith("Not enough logged weeks")


def test_analyze_with_the_sample_log(tmp_path):
    out = tmp_path / "a.json"
    r = CliRunner().invoke(main, ["analyze", str(SAMPLE_RUNS), "--symptoms", str(SAMPLE_RUNS / "symptoms.csv"), "--json", str(out), "--no-cache", "-q"])
    assert r.exit_code == 0, r.output
    assert "Symptoms and training:" in r.output
    doc = json.loads(out.read_text())["symptoms"]
    assert set(doc) == {"entries", "episodes", "weeks", "hints", "notes"}
    assert len(doc["entries"]) == 9 and len(doc["episodes"]) == 4
    by_start = {e["start"]: e for e in doc["episodes"]}
    # single_run_spike (issue 15): the 15 km of 14 Jun, then the 15 km of 19 Jul and the 16.5 km of 23 Jul
    assert {f["rule"] for f in by_start["2026-06-24"]["flags_before"]} == {"weekly_mileage_jump", "fast_on_flat", "single_run_spike"}
    assert {f["rule"] for f in by_start["2026-07-26"]["flags_before"]} == {"flat_long_run", "late_run_fatigue", "low_cadence", "single_run_spike"}
    assert [f["rule"] for f in by_start["2026-08-15"]["flags_before"]] == ["layoff_return"]
    assert doc["weeks"]["flagged"] == {"weeks": 6, "followed_by_symptoms": 5}  # week 11 (19 Jul) is flagged now
    assert doc["weeks"]["unflagged"]["weeks"] == 11
    assert any("sitting" in h for h in doc["hints"])
