"""``plan``: next week's ceilings, their reasons, the return ramp, the JSON contract, and that following it raises no flag."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer.cli import main
from hamstring_analyzer.config import Config
from hamstring_analyzer.plan import PlanError, plan_week
from hamstring_analyzer.rules import find_flags
from hamstring_analyzer.weekly import weekly_summary

from .conftest import SAMPLE_RUNS, examples
from .rules.helpers import MON, run, steady_weeks

PLAN_FIELDS = ["week_start", "max_distance_m", "max_long_run_m", "max_fast_m", "hills_ok", "ramp", "reasons"]
#: The rules a week built to the plan must never raise.
PLANNED_RULES = {"weekly_mileage_jump", "single_run_spike", "speedwork_share", "layoff_return"}


def table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


def day(n: int) -> dt.date:
    return MON + dt.timedelta(days=n)


def test_steady_runner_next_week():
    rows = steady_weeks(6, 30.0)  # Tue 6, Thu 7.5, Fri 6, Sun 10.5 km
    p = plan_week(table(rows))
    assert p.week_start == day(42)
    assert p.max_distance_m == 32999  # 30 km + 10%, a metre under so that it can never round across
    assert p.max_long_run_m == 11549  # the longest run of the 30 days before, 10.5 km, + 10%
    assert p.max_fast_m == 6599  # 20% of the week
    assert p.hills_ok is True and p.ramp == [] and p.return_window is None
    assert [(r.field, r.rule) for r in p.reasons] == [
        ("max_distance_m", "weekly_mileage_jump"), ("max_long_run_m", "single_run_spike"),
        ("max_fast_m", "speedwork_share"), ("hills_ok", "hills_before_base"),
    ]  # fmt: skip
    assert p.reasons[0].text == "Last week you ran 30.0 km; more than 10% on top of it is a weekly distance jump."
    assert p.reasons[1].text.startswith("Your longest run of the last 30 days was 10.5 km (Sun 12 Apr)")


def test_until_plans_the_week_after_its_week_and_ignores_later_runs():
    rows = steady_weeks(6, 30.0) + steady_weeks(1, 60.0, first_day=42)
    p = plan_week(table(rows), until=day(27))  # Sunday 29 Mar: the week after is Mon 30 Mar
    assert p.week_start == day(28) and p.history_until == day(27)
    assert p.max_distance_m == 32999
    # Until a Wednesday: the rest of that week is taken as rest, so "last week" is its Tuesday's 6 km.
    p = plan_week(table(rows), until=day(23))
    assert p.week_start == day(28) and p.max_distance_m == 6599
    assert p.reasons[0].text.startswith("Last week you ran 6.0 km")
    with pytest.raises(PlanError, match="no runs up to 2026-03-01"):
        plan_week(table(rows), until=day(-1))


def test_after_a_break_the_ramp_goes_back_to_the_pre_break_volume():
    rows = steady_weeks(4, 30.0)  # last run Sun 29 Mar (day 27)
    p = plan_week(table(rows), until=day(40))  # 14 days off by Monday 13 Apr (day 42)
    assert p.week_start == day(42)
    assert p.max_distance_m == 20999  # 70% of 30 km
    first = p.reasons[0]
    assert (first.field, first.rule) == ("max_distance_m", "layoff_return")
    assert first.text.startswith("No run since Sun 29 Mar: after a break of 14 days, the first 7 days back hold at most 70%")
    assert [m for _, m in p.ramp] == [20999, 23098, 25407, 27947, 30000]
    assert [w for w, _ in p.ramp] == [day(42 + 7 * i) for i in range(5)]
    assert p.to_dict()["ramp"][1] == {"week_start": "2026-04-20", "max_distance_m": 23098.0}
    # the long run keeps its usual share of the week (10.5 of 30 km)
    assert p.max_long_run_m == pytest.approx(20999 * 0.35, abs=1)
    # 130 days off: from scratch (10 km)
    p = plan_week(table(rows), until=day(160))
    assert p.max_distance_m == 9999 and "start from scratch" in p.reasons[0].text


def test_a_week_that_would_become_a_break_if_started_late_is_capped_too():
    rows = steady_weeks(4, 30.0) + [run(28, 10.0), run(29, 10.0), run(30, 10.0)]  # a big Mon-Wed, then nothing
    p = plan_week(table(rows))  # a first run on Sunday 12 Apr would come after 10 days off
    assert p.week_start == day(35)
    assert p.reasons[0].rule == "layoff_return" and "starting late in the week makes a break of 10 days" in p.reasons[0].text
    assert p.max_distance_m == 25199  # 70% of the 36 km a week of the 4 weeks before, not last week + 10% (33 km)


def test_return_in_progress_leaves_what_is_left_of_the_first_seven_days():
    rows = steady_weeks(4, 30.0) + [run(45, 8.0), run(46, 8.0)]  # back Thu 16 Apr after 17 days off
    p = plan_week(table(rows))
    assert p.week_start == day(49)
    end, left = p.return_window
    assert end == day(51) and left == 4999  # 21 km allowed up to Wed 22 Apr, 16 km run
    reason = next(r for r in p.reasons if r.rule == "layoff_return" and r.field == "max_distance_m")
    assert "16.0 km are run, so at most 5.0 km more until then" in reason.text
    assert p.max_distance_m == 17599  # and the week: 16 km + 10%


def test_no_speedwork_or_hills_before_a_base():
    rows = steady_weeks(6, 12.0, climb_per_km=5.0)  # runs of 2.4-4.2 km, 12 km a week
    p = plan_week(table(rows))
    assert p.max_fast_m == 0 and p.hills_ok is False
    fast = next(r for r in p.reasons if r.field == "max_fast_m")
    assert fast.rule == "speedwork_before_base" and "Only 0 runs of 4.8 km or more" in fast.text
    hills = next(r for r in p.reasons if r.field == "hills_ok")
    assert "Your weekly base is 12.0 km; hills once it is about 24.0 km a week" in hills.text


def test_plan_in_miles():
    p = plan_week(table(steady_weeks(6, 30.0)), Config(units="mi"))
    assert p.reasons[0].text == "Last week you ran 18.6 mi; more than 10% on top of it is a weekly distance jump."


def test_json_has_exactly_the_contract_fields():
    doc = plan_week(table(steady_weeks(4, 30.0)), until=day(40)).to_dict()
    assert list(doc) == PLAN_FIELDS
    assert all(list(r) == ["week_start", "max_distance_m"] for r in doc["ramp"])
    assert all(list(r) == ["field", "rule", "text"] for r in doc["reasons"])
    json.dumps(doc, allow_nan=False)


# ------------------------------------------------------------- the property --


def _week_to_the_ceilings(p) -> list[dict]:
    """The runs of a week kept to the plan: the long run first, then runs no longer than it, fast at the allowed share."""
    start = p.week_start
    if p.return_window is not None:
        start = p.return_window[0] + dt.timedelta(days=1)  # nothing more in what is left of the first 7 days back
    total, long_run = p.max_distance_m, min(p.max_long_run_m, p.max_distance_m)
    share = p.max_fast_m / total if total > 0 else 0.0
    rows, left, d = [], total, start
    while left >= 100 and long_run >= 100 and d <= p.week_start + dt.timedelta(days=6):
        km = min(long_run, left) / 1000
        rows.append(run((d - MON).days, km, id=f"plan-{d}", fast_m=km * 1000 * share, climb_per_km=12.0))
        left -= km * 1000
        d += dt.timedelta(days=1)
    return rows


@st.composite
def histories(draw):
    n = draw(st.integers(1, 40))
    days = sorted(set(draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))))
    rows = [run(d, draw(st.floats(1.0, 30.0)), fast_m=0.0) for d in days]
    for r in rows:
        r["fast_m"] = r["distance_m"] * draw(st.sampled_from([0.0, 0.0, 0.1, 0.3, 0.6]))
    until = day(days[-1] + draw(st.integers(0, 40)))
    return rows, until


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_a_week_built_to_the_plan_raises_none_of_its_flags(history):
    rows, until = history
    p = plan_week(table(rows), until=until)
    week = _week_to_the_ceilings(p)
    assert sum(r["distance_m"] for r in week) <= p.max_distance_m + 1e-6
    both = table(rows + week)
    flags = find_flags(both, weekly_summary(both))
    end = p.week_start + dt.timedelta(days=6)
    raised = [(f.rule, f.date, f.message) for f in flags if f.rule in PLANNED_RULES and p.week_start <= f.date <= end]
    assert raised == []


# ------------------------------------------------------------------ the CLI --


def test_plan_command_on_the_sample_runner(tmp_path):
    out, cache = tmp_path / "plan.json", str(tmp_path / "cache")
    result = CliRunner().invoke(main, ["plan", str(SAMPLE_RUNS), "--until", "2026-08-09", "--json", str(out), "--cache-dir", cache, "-q"])
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.output.splitlines() if line != f"Wrote {out}")  # a path is not wrapped
    assert f"Wrote {out}" in result.output
    assert "Next week: Mon 10 Aug to Sun 16 Aug 2026" in result.output
    assert "Weekly distance  at most 23.6 km" in result.output
    assert "  Week of 10 Aug 2026  at most   23.6 km  (layoff_return)" in result.output
    assert "  Week of 7 Sep 2026   at most   33.7 km  (weekly_mileage_jump)" in result.output
    doc = json.loads(out.read_text())
    assert list(doc) == PLAN_FIELDS and doc["week_start"] == "2026-08-10"
    assert doc["max_distance_m"] == pytest.approx(0.7 * 33716, abs=5)  # 70% of the pre-break 33.7 km a week
    assert doc["reasons"][0]["rule"] == "layoff_return"
    assert [r["week_start"] for r in doc["ramp"]] == ["2026-08-10", "2026-08-17", "2026-08-24", "2026-08-31", "2026-09-07"]
    mi = CliRunner().invoke(main, ["plan", str(SAMPLE_RUNS), "--units", "mi", "--cache-dir", cache, "-q"])
    assert mi.exit_code == 0 and "Weekly distance  at most 24.6 mi" in mi.output and "Next week: Mon 5 Oct" in mi.output
    none = CliRunner().invoke(main, ["plan", str(SAMPLE_RUNS), "--until", "2020-01-01", "--cache-dir", cache, "-q"])
    assert none.exit_code == 1 and "no runs between" in none.output and "Traceback" not in none.output


@settings(max_examples=examples(200))
@given(spans=st.lists(st.tuples(st.integers(-3, 6000), st.integers(-5, 40)), min_size=1, max_size=6))
def test_day_lists_are_date_ranges(spans):
    """The plan's cached day lists: each call is exactly the dates first..last, however earlier calls extended it."""
    from hamstring_analyzer.plan import _days

    first = dt.date(2011, 11, 28)
    for n, shift in spans:
        start = first + dt.timedelta(days=shift % 3)  # a few first days sharing the cache
        last = start + dt.timedelta(days=n)
        assert list(_days(start, last)) == list(pd.date_range(start, last, freq="D").date)
