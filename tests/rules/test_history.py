"""Injury history (rules/history.py): recent symptoms raise the load flags one step and say why."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from hamstring_analyzer.config import config_from_dict
from hamstring_analyzer.rules import find_flags
from hamstring_analyzer.metrics.weekly import weekly_summary

from .helpers import MON, run, steady_weeks

# ----------------------------------------------------------- injury history --


class Entry:
    """A symptom-log entry (only what the rules read)."""

    def __init__(self, day: int, severity: int):
        self.date, self.severity = MON + dt.timedelta(days=day), severity


def test_recent_symptoms_raise_load_flags_one_step_and_say_why():
    rows = steady_weeks(4, 20.0) + steady_weeks(1, 27.0, first_day=28, cadence_spm=165.0)  # above the 8-week high: a warning
    table = pd.DataFrame(rows)
    weeks = weekly_summary(table)
    plain = {f.rule: f for f in find_flags(table, weeks)}
    assert plain["weekly_mileage_jump"].severity == "warning"
    day = (plain["weekly_mileage_jump"].date - MON).days  # the Sunday the week crossed +10%
    raised = {f.rule: f for f in find_flags(table, weeks, symptoms=[Entry(day - 56, 5)])}  # 56 days before: still in
    assert raised["weekly_mileage_jump"].severity == "alert"
    raised = {f.rule: f for f in find_flags(table, weeks, symptoms=[Entry(24, 4)])}  # pain 4/10 on Thu 26 Mar
    jump = raised["weekly_mileage_jump"]
    assert jump.severity == "alert" and jump.value == plain["weekly_mileage_jump"].value
    assert jump.message.endswith(
        "Raised from warning to alert: you logged hamstring symptoms (up to 4/10, last on 26 Mar), and a recent "
        "hamstring problem is the strongest known predictor of the next one (Green 2020)."
    )
    assert jump.to_dict()["severity"] == "alert"
    assert raised["low_cadence"].severity == plain["low_cadence"].severity  # form, not load: unchanged
    # too mild (2/10), too long ago (more than 56 days), or on the flag's own day: unchanged
    for entry in (Entry(24, 2), Entry(day - 57, 5), Entry(day, 6)):
        assert {f.rule: f.severity for f in find_flags(table, weeks, symptoms=[entry])}["weekly_mileage_jump"] == "warning"
    cfg = config_from_dict({"injury_history": {"window_days": 0}})
    assert {f.rule: f.severity for f in find_flags(table, weeks, cfg, symptoms=[Entry(24, 4)])}["weekly_mileage_jump"] == "warning"
    # an alert stays an alert: a 30 km run after 10 km ones (+200%, a published study's alert)
    rows = steady_weeks(5, 20.0) + [run(36, 30.0)]
    table = pd.DataFrame(rows)
    assert {f.rule: f.severity for f in find_flags(table, weekly_summary(table), symptoms=[Entry(24, 4)])}["single_run_spike"] == "alert"
