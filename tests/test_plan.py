"""``plan``: next week's ceilings from the rules' own lines, their reasons, the return ramp, the JSON contract;
that a week kept to the plan raises no load flag (nor load episode), and that running over the plan earns nothing."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hamstring_analyzer.cli import main
from hamstring_analyzer.config import Config, config_from_dict
from hamstring_analyzer.plan import Planner, PlanError, credit_week, plan_week, ramp_ceiling
from hamstring_analyzer.rules import RULES, find_episodes, find_flags
from hamstring_analyzer.rules.episodes import THEMES
from hamstring_analyzer.rules.load import is_mileage_jump, is_run_spike, longest_before, longest_in, mileage_jump_ceiling, ordinary_run_in, ordinary_run_m, run_spike_ceiling
from hamstring_analyzer.metrics.weekly import weekly_summary

from .conftest import SAMPLE_RUNS, examples
from .rules.helpers import MON, run, steady_weeks

#: The JSON contract: the first seven fields as they always were, then the ones added since, in this order.
PLAN_FIELDS = ["week_start", "max_distance_m", "max_long_run_m", "max_fast_m", "hills_ok", "ramp", "reasons", "max_hard_days", "return_window"]
#: The rules a week built to the plan must never raise: every load rule, and the beginner's base rules the plan keeps to.
PLANNED_RULES = {r.id for r in RULES.values() if r.load} | {"speedwork_before_base", "hills_before_base"}


def table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


def day(n: int) -> dt.date:
    return MON + dt.timedelta(days=n)


def text_of(p, field: str, rule: str | None = None) -> str:
    return next(r.text for r in p.reasons if r.field == field and (rule is None or r.rule == rule))


def test_steady_runner_next_week():
    rows = steady_weeks(6, 30.0)  # Tue 6, Thu 7.5, Fri 6, Sun 10.5 km
    p = plan_week(table(rows))
    assert p.week_start == day(42)
    # the jump rule's line: the 8-week high (30 km) + one ordinary run (the median run, 6.75 km); a metre under it
    assert p.max_distance_m == 36749
    assert not is_mileage_jump(p.max_distance_m, [30000.0] * 6, 6750.0, Config().weekly_mileage_jump)
    assert is_mileage_jump(p.max_distance_m + 2, [30000.0] * 6, 6750.0, Config().weekly_mileage_jump)
    assert p.max_long_run_m == 11549  # the longest run of the 30 days before, 10.5 km, + 10% (more than + 1 km)
    assert p.max_hard_days == 2  # two hard days a week are ordinary; this runner's usual is none
    assert p.max_fast_m == 7349  # the 80/20 description: a fifth of the week
    assert p.hills_ok is True and p.ramp == [] and p.return_window is None
    assert [(r.field, r.rule) for r in p.reasons] == [
        ("max_distance_m", "weekly_mileage_jump"), ("max_long_run_m", "single_run_spike"), ("max_fast_m", "speedwork_share"),
        ("max_hard_days", "speedwork_share"), ("hills_ok", "hills_before_base"),
    ]  # fmt: skip
    assert p.reasons[0].text == (
        "A week is a weekly distance jump when it is more than 10% over your 4-week average (30.0 km), above your high "
        "of the last 6 weeks (30.0 km) and at least 1 ordinary run of yours (6.8 km) over that high."
    )
    assert p.reasons[1].text.startswith("Your longest run of the last 30 days was 10.5 km (Sun 12 Apr); one more than 10% and at least 1.0 km")
    assert text_of(p, "max_hard_days").startswith("At most 2 hard days (a session at threshold pace or faster): 2 a week is ordinary")


def test_the_lines_of_small_weeks_and_short_runs():
    """The larger yardstick draws the line: 20 km for small weeks, + 1 km for short runs."""
    c = Config()
    assert mileage_jump_ceiling([8000.0, 9000.0], 3000.0, c.weekly_mileage_jump) == (20000.0, "min_week")
    assert mileage_jump_ceiling([40000.0, 50000.0], 1000.0, c.weekly_mileage_jump) == (pytest.approx(51000.0), "extra")
    assert mileage_jump_ceiling([60000.0, 60000.0], 1000.0, c.weekly_mileage_jump) == (pytest.approx(66000.0), "avg4")
    assert run_spike_ceiling(5000.0, c.single_run_spike) == 6000.0  # + 1 km, more than + 10% of a short run
    assert run_spike_ceiling(15000.0, c.single_run_spike) == pytest.approx(16500.0)
    rows = steady_weeks(6, 10.0)  # runs of 2-3.5 km
    p = plan_week(table(rows))
    assert p.max_distance_m == 19999 and p.max_long_run_m == 4499  # 3.5 km + 1 km
    assert "weeks under 20.0 km are not judged" in p.reasons[0].text


def test_until_plans_the_week_after_its_week_and_ignores_later_runs():
    rows = steady_weeks(6, 30.0) + steady_weeks(1, 60.0, first_day=42)
    p = plan_week(table(rows), until=day(27))  # Sunday 29 Mar: the week after is Mon 30 Mar
    assert p.week_start == day(28) and p.history_until == day(27)
    assert p.max_distance_m == 36749
    assert p.to_dict() == plan_week(table(rows[:16]), until=day(27)).to_dict()  # the later runs change nothing
    # Until a Wednesday: the rest of that week is taken as rest, so a first run late next week would end a break
    p = plan_week(table(rows), until=day(23))
    assert p.week_start == day(28) and p.reasons[0].rule == "layoff_return"
    assert p.reasons[0].text.startswith("Your last run was on Tue 24 Mar: starting late in the week makes a break of 10 days")
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
    # the allowance + 10% a week from the week of the return, to a metre under the pre-break 30 km
    assert [m for _, m in p.ramp] == [20999, 23099, 25409, 27950, 29999]
    assert [m for _, m in p.ramp[1:]] == [math.floor(ramp_ceiling(21000, 30000, j, 10) - 1e-6) for j in range(1, 5)]
    assert [w for w, _ in p.ramp] == [day(42 + 7 * i) for i in range(5)]
    assert p.to_dict()["ramp"][1] == {"week_start": "2026-04-20", "max_distance_m": 23099.0}
    # the long run keeps its usual share of the week (10.5 of 30 km)
    assert p.max_long_run_m == pytest.approx(20999 * 0.35, abs=1)
    # 133 days off: from scratch (10 km, or two ordinary runs of 6.75 km when that is more)
    p = plan_week(table(rows), until=day(160))
    assert p.max_distance_m == 13499 and "start from scratch: about 13.5 km" in p.reasons[0].text


def test_a_week_that_would_become_a_break_if_started_late_is_capped_too():
    rows = steady_weeks(4, 30.0) + [run(28, 10.0), run(29, 10.0), run(30, 10.0)]  # a big Mon-Wed, then nothing
    p = plan_week(table(rows))  # a first run on Sunday 12 Apr would come after 10 days off
    assert p.week_start == day(35)
    assert p.reasons[0].rule == "layoff_return" and "starting late in the week makes a break of 10 days" in p.reasons[0].text
    assert p.max_distance_m == 25199  # 70% of the 36 km a week of the 4 weeks before


def test_return_in_progress_leaves_what_is_left_of_the_first_seven_days():
    rows = steady_weeks(4, 30.0) + [run(45, 8.0), run(46, 8.0)]  # back Thu 16 Apr after 17 days off
    p = plan_week(table(rows))
    assert p.week_start == day(49)
    end, left = p.return_window
    assert end == day(51) and left == 4999  # 21 km allowed up to Wed 22 Apr, 16 km run
    window = next(r for r in p.reasons if "done_m" in r.facts)
    assert window.text.endswith("up to Wed 22 Apr; 16.0 km are run, so at most 5.0 km more until then.")
    assert p.to_dict()["return_window"] == {"until": "2026-04-22", "max_distance_m": 4999.0}
    # and the week: the ramp's second week, from the 21 km allowance (not from what was run)
    assert p.max_distance_m == 23099 and p.reasons[0].facts["week"] == 2


def test_no_speedwork_or_hills_before_a_beginners_base():
    rows = steady_weeks(6, 12.0, climb_per_km=5.0)  # runs of 2.4-4.2 km, 12 km a week, from the first run on
    p = plan_week(table(rows))
    assert p.max_fast_m == 0 and p.max_hard_days == 0 and p.hills_ok is False
    hard = next(r for r in p.reasons if r.field == "max_hard_days")
    assert hard.rule == "speedwork_before_base" and "Only 0 runs of 4.8 km or more" in hard.text
    hills = text_of(p, "hills_ok")
    assert hills.startswith("Your weekly base is 12.0 km; hills once it is about 24.0 km a week")


def test_an_experienced_runner_needs_no_base_and_keeps_their_usual_hard_days():
    # 22 km a week with two runs of 5.5 and 7.7 km (the base is there), three hard days a week
    rows = steady_weeks(8, 22.0)
    for r in rows:
        r["hard"] = r["local_date"].weekday() in (1, 3, 4)
    p = plan_week(table(rows))
    assert p.hills_ok is True  # a weekly base under 24 km is a beginner's concern only
    assert "not a beginner's" in text_of(p, "hills_ok")
    assert p.max_hard_days == 3  # the runner's usual, above the ordinary two
    assert "your most in one of the last 4 weeks with running was 3" in text_of(p, "max_hard_days")


def test_plan_in_miles():
    p = plan_week(table(steady_weeks(6, 30.0)), Config(units="mi"))
    assert p.reasons[0].text.startswith("A week is a weekly distance jump when it is more than 10% over your 4-week average (18.6 mi)")


def test_json_extends_the_contract():
    doc = plan_week(table(steady_weeks(4, 30.0)), until=day(40)).to_dict()
    assert list(doc) == PLAN_FIELDS
    assert all(list(r) == ["week_start", "max_distance_m"] for r in doc["ramp"])
    assert all(list(r) == ["field", "rule", "text"] for r in doc["reasons"])
    assert doc["max_hard_days"] == 2 and doc["return_window"] is None
    json.dumps(doc, allow_nan=False)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize(
    "rows, until",
    [
        pytest.param([run(0, 5.0)], None, id="one run"),
        pytest.param([run(0, 5.0), run(2, 6.0), run(4, 8.0)], None, id="one week"),
        pytest.param([run(d, 6.0, indoor=True, climb_per_km=0.0) for d in range(0, 61, 2)], None, id="only treadmill runs"),
        pytest.param([run(0, 5.0), run(1, 6.0), run(3000, 8.0)], None, id="years between runs"),
        pytest.param([run(0, 5.0), run(1, 6.0), run(3000, 8.0)], 3300, id="years since the last run"),
        pytest.param([run(0, 0.0), run(1, 0.0)], None, id="runs of no distance"),
        pytest.param([run(d, 3.0, hard=True) for d in range(60)], None, id="every day hard"),
    ],
)
def test_edge_histories_give_a_sensible_plan(rows, until):
    p = plan_week(table(rows), until=day(until) if until is not None else None)
    doc = p.to_dict()
    json.dumps(doc, allow_nan=False)
    assert 0 <= p.max_long_run_m <= p.max_distance_m < math.inf
    assert 0 <= p.max_fast_m <= p.max_distance_m and p.max_hard_days >= 0
    assert all(r.text and "nan" not in r.text and "?" not in r.text for r in p.reasons)
    assert [w for w, _ in p.ramp] == [p.week_start + dt.timedelta(days=7 * i) for i in range(len(p.ramp))]
    assert all(a <= b for (_, a), (_, b) in zip(p.ramp, p.ramp[1:]))


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_edge_histories_sensible_numbers():
    one = plan_week(table([run(0, 5.0), run(2, 6.0), run(4, 8.0)]))  # one week, 19 km: not judged yet
    assert one.max_distance_m == 24999 and "Under two weeks of history" in one.reasons[0].text
    years = plan_week(table([run(0, 5.0), run(1, 6.0), run(3000, 8.0)]))  # back after 8 years
    assert years.return_window == (day(3006), 2999)
    window = next(r.text for r in years.reasons if "done_m" in r.facts)
    assert "after 2998 days off: start from scratch: about 11.0 km in the first 7 days back" in window  # or two ordinary runs
    assert "already as much as your pre-break weeks (11.0 km)" in years.reasons[0].text
    treadmill = plan_week(table([run(d, 6.0, indoor=True, climb_per_km=0.0) for d in range(0, 61, 2)]), until=day(62))
    assert treadmill.max_distance_m > 0 and treadmill.max_long_run_m == 6999  # 6 km + 1 km


# ------------------------------------------------------------- the properties --


def _runs_to_the_ceilings(p, total: float, hilly: bool) -> list[dict]:
    """A week kept to the plan, ``total`` metres of it: the long run first, then runs no longer than it (whole metres).

    Nothing before the end of the first 7 days back when they reach into the
    week; hard sessions on the first ``max_hard_days`` days, with the fast
    running the plan allows (its share of what the week holds); hilly for
    this runner when the plan says hills are fine.
    """
    start = p.week_start
    if p.return_window is not None:
        start = p.return_window[0] + dt.timedelta(days=1)
    long_run = min(p.max_long_run_m, total)
    rows, left, d = [], total, start
    while left >= 1 and long_run >= 1 and d <= p.week_start + dt.timedelta(days=6):
        metres = min(long_run, left)
        rows.append(run((d - MON).days, metres / 1000, distance_m=metres, id=f"plan-{d}", hard=len(rows) < p.max_hard_days,
                        fast_m=0.0, climb_per_km=40.0 if hilly else 12.0))  # fmt: skip
        left -= metres
        d += dt.timedelta(days=1)
    hard = [r for r in rows if r["hard"]]
    week = sum(r["distance_m"] for r in rows)
    fast = min(p.max_fast_m, week * Config().speedwork_share.share_pct / 100)
    for r in hard:
        r["fast_m"] = min(r["distance_m"], fast / len(hard))
    return rows


@st.composite
def histories(draw):
    """Up to 40 runs over four months (breaks included), some hard, some on a treadmill; the history ends 0-40 days after."""
    n = draw(st.integers(1, 40))
    days = sorted(set(draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))))
    rows = []
    for d in days:
        indoor = draw(st.sampled_from([False] * 5 + [True]))
        rows.append(run(d, draw(st.floats(1.0, 30.0)), hard=draw(st.sampled_from([False, False, False, True])), indoor=indoor,
                        climb_per_km=0.0 if indoor else draw(st.sampled_from([5.0, 12.0, 12.0, 20.0]))))  # fmt: skip
    until = day(days[-1] + draw(st.integers(0, 40)))
    return rows, until


@settings(max_examples=examples(50), suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_a_week_built_to_the_plan_raises_no_load_flag_nor_episode(history):
    rows, until = history
    p = plan_week(table(rows), until=until)
    week = _runs_to_the_ceilings(p, p.max_distance_m, p.hills_ok)
    assert sum(r["distance_m"] for r in week) <= p.max_distance_m
    both = table(rows + week)
    flags, episodes = find_episodes(both, weekly_summary(both))
    end = p.week_start + dt.timedelta(days=6)
    raised = [(f.rule, f.date, f.message) for f in flags if f.rule in PLANNED_RULES and p.week_start <= f.date <= end]
    assert raised == []
    load = [(e.id, e.message) for e in episodes if THEMES.get(e.rule) == "load" and e.overlaps(p.week_start, end)]
    assert load == []


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.sampled_from([2.0, 4.0]))
def test_running_over_the_plan_never_raises_the_next_ceilings(history, more):
    """Week N run at the plan's ceilings, or with every run ``more`` times longer: the plan for week N+1 is never
    higher after running over it (the same days, so the same breaks; the same hard sessions).

    Scope: over-running that the rules flag. The weekly distance (and the fast running drawn from it) is checked
    when the longer week raises a ``weekly_mileage_jump`` or ``layoff_return``; the long run when every run of it
    over the plan's long run raises a ``single_run_spike`` (the first runs back from a break are judged by
    ``layoff_return`` instead, and a run after a spike may repeat it unflagged). The ceilings never fall below
    what was plainly run (the 4-week average, the ordinary run, the longest run that was no spike), so running
    over in a way the rules do not flag may raise them. Over-run weeks count at the plan's ceilings only for
    `plan.CREDIT_WEEKS` weeks; this checks the week right after."""
    rows, until = history
    p = plan_week(table(rows), until=until)
    kept = _runs_to_the_ceilings(p, p.max_distance_m, p.hills_ok)
    assume(kept and sum(r["distance_m"] for r in kept) == p.max_distance_m)  # the week can reach its ceiling
    over = [dict(r, distance_m=r["distance_m"] * more) for r in kept]
    end = p.week_start + dt.timedelta(days=6)
    assert plan_week(table(rows + kept), until=until).to_dict() == p.to_dict()  # runs after until change nothing
    after_kept, after_over = plan_week(table(rows + kept), until=end), plan_week(table(rows + over), until=end)
    both = table(rows + over)
    flags = [f for f in find_flags(both, weekly_summary(both)) if p.week_start <= f.date <= end]
    if {f.rule for f in flags} & {"weekly_mileage_jump", "layoff_return"}:
        assert after_over.max_distance_m <= after_kept.max_distance_m
        assert after_over.max_fast_m <= after_kept.max_fast_m
    spikes = {f.date for f in flags if f.rule == "single_run_spike"}
    if all(r["local_date"] in spikes for r in over if r["distance_m"] > p.max_long_run_m):  # (one run a day)
        assert after_over.max_long_run_m <= after_kept.max_long_run_m
    assert after_over.max_hard_days <= after_kept.max_hard_days
    assert [m for _, m in after_over.ramp] == [m for _, m in after_kept.ramp]
    if after_kept.return_window is not None:
        assert after_over.return_window[1] <= after_kept.return_window[1]


@settings(max_examples=examples(200))
@given(
    prior=st.lists(st.floats(0, 100_000), min_size=2, max_size=8),
    ordinary=st.one_of(st.just(float("nan")), st.floats(100, 30_000)),
    longest=st.floats(100, 60_000),
)
def test_the_plans_lines_are_the_rules_lines(prior, ordinary, longest):
    """A metre under a line passes the rule's test; a metre over it does not."""
    c = Config()
    line, _ = mileage_jump_ceiling(prior, ordinary, c.weekly_mileage_jump)
    assert not is_mileage_jump(math.floor(line - 1e-6), prior, ordinary, c.weekly_mileage_jump)
    assert is_mileage_jump(line + 1, prior, ordinary, c.weekly_mileage_jump)
    spike = run_spike_ceiling(longest, c.single_run_spike)
    assert not is_run_spike(math.floor(spike - 1e-6), longest, c.single_run_spike)
    assert is_run_spike(spike + 1, longest, c.single_run_spike)


@settings(max_examples=examples(100))
@given(
    runs=st.lists(st.tuples(st.integers(0, 150), st.sampled_from([0.0, 800.0, 5000.0, 5000.0, 10_000.0, 21_097.5])), min_size=1, max_size=25),
    ask=st.integers(-5, 160),
    window=st.sampled_from([7, 30, 56]),
)
def test_the_walks_yardsticks_are_the_rules_helpers(runs, ask, window):
    """The arrays the plan walks with say what `ordinary_run_m` and `longest_before` say of the same runs."""
    runs = sorted(runs, key=lambda r: r[0])
    frame = pd.DataFrame({"local_date": [day(d) for d, _ in runs], "distance_m": [m for _, m in runs]})
    days = frame["local_date"].map(lambda d: (d - MON).days).to_numpy()
    metres = frame["distance_m"].to_numpy()
    ours, theirs = ordinary_run_in(days, metres, ask, window), ordinary_run_m(frame, day(ask), window)
    assert ours == theirs or (math.isnan(ours) and math.isnan(theirs))
    (ours, i), (theirs, when) = longest_in(days, metres, ask, window), longest_before(frame, day(ask), window)
    assert (i is None and when is None and math.isnan(ours) and math.isnan(theirs)) or (ours == theirs and day(int(days[i])) == when)


def test_a_week_counts_for_no_more_than_the_plan_allowed():
    counted, longest = credit_week([10_000.0, 20_000.0, 10_000.0], 30_000.0, 12_000.0)
    assert counted.tolist() == [7500.0, 15000.0, 7500.0] and longest.tolist() == [7500.0, 12000.0, 7500.0]
    counted, longest = credit_week([5_000.0, 6_000.0], 30_000.0, 12_000.0)  # kept to the plan: as run
    assert counted.tolist() == longest.tolist() == [5000.0, 6000.0]


# ---------------------------------------------------- the sample runner's return --


@pytest.fixture(scope="module")
def sample_table(sample_export):
    from hamstring_analyzer.metrics.runs import runs_table

    return runs_table(sample_export.runs, Config())


def test_a_too_hard_return_is_not_rewarded(sample_table):
    """Back on Wed 12 Aug after 16 days off, 34 km in 12-16 Aug (40 km by Tue 18 Aug) against a 23.6 km allowance."""
    before = plan_week(sample_table, until=dt.date(2026, 8, 9))
    assert before.max_distance_m == 23601
    planned = dict(before.ramp)
    assert planned[dt.date(2026, 8, 17)] == 25961
    flags = find_flags(sample_table, weekly_summary(sample_table))
    back = next(f for f in flags if f.rule == "layoff_return" and f.date == dt.date(2026, 8, 12))
    pre_avg = back.facts["pre_avg_m"]
    assert back.facts["allowed_m"] == pytest.approx(23601, abs=1) and pre_avg == pytest.approx(33716, abs=1)  # the plan's numbers are the rule's

    after = plan_week(sample_table, until=dt.date(2026, 8, 16))
    assert after.week_start == dt.date(2026, 8, 17)
    assert after.max_distance_m <= planned[dt.date(2026, 8, 17)] and after.max_distance_m <= pre_avg
    assert after.max_distance_m == 25961  # the ramp's second week, as planned a week before (it was 37.4 km)
    assert after.return_window == (dt.date(2026, 8, 18), 0.0)
    texts = [r.text for r in after.reasons]
    assert not any("0.0 km more" in t for t in texts)
    window = next(t for t in texts if "up to Tue 18 Aug" in t)
    assert window.endswith("34.0 km are already run, more than they hold: rest up to Tue 18 Aug, and run again from Wed 19 Aug.")
    assert "Running more than the ramp does not raise it" in after.reasons[0].text
    # the weeks after keep to the ramp planned before the return, to the pre-break average, whatever was run
    later = [plan_week(sample_table, until=dt.date(2026, 8, 16) + dt.timedelta(days=7 * i)).max_distance_m for i in range(4)]
    assert later == [m for w, m in before.ramp[1:]] == [25961, 28557, 31413, 33715]


# ------------------------------------------------------------------ the CLI --


def test_plan_command_on_the_sample_runner(tmp_path, sample_store):
    out, cache = tmp_path / "plan.json", str(sample_store)
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
    assert doc["reasons"][0]["rule"] == "layoff_return" and doc["max_hard_days"] == 2
    assert [r["week_start"] for r in doc["ramp"]] == ["2026-08-10", "2026-08-17", "2026-08-24", "2026-08-31", "2026-09-07"]
    mi = CliRunner().invoke(main, ["plan", str(SAMPLE_RUNS), "--units", "mi", "--cache-dir", cache, "-q"])
    assert mi.exit_code == 0 and "Next week: Mon 5 Oct" in mi.output
    none = CliRunner().invoke(main, ["plan", str(SAMPLE_RUNS), "--until", "2020-01-01", "--cache-dir", cache, "-q"])
    assert none.exit_code == 1 and "no runs between" in none.output and "Traceback" not in none.output


def test_sunday_weeks():
    p = plan_week(table(steady_weeks(6, 30.0)), config_from_dict({"week_start": "sunday"}), until=day(33))  # Sat 4 Apr
    assert p.week_start == day(34) and p.week_start.weekday() == 6
    assert p.max_distance_m > 30000


def test_one_planner_walking_every_week_gives_each_week_plan_week_s_plan():
    """`report --all` asks one `Planner` for every week in turn: the same plans as a plan_week call per week."""
    rows = steady_weeks(4, 30.0) + [run(48, 8.0), run(50, 12.0)] + [
        run(70 + 7 * w + d, km) for w in range(5) for d, km in ((1, 6.0), (3, 7.5 + w), (6, 11.0 + w))
    ]  # a break, a return, then a build
    planner = Planner(table(rows))
    for until in [day(n) for n in range(-3, 120, 4)]:
        try:
            want = plan_week(table(rows), until=until).to_dict()
        except PlanError as exc:
            with pytest.raises(PlanError, match=str(exc)):
                planner.plan(until)
            continue
        assert planner.plan(until).to_dict() == want, until
