"""``report --all``'s shortcuts give every week exactly what its page computed alone gives.

The pages of many weeks share their work (`render.report.WeekPages`): the
runner's usual from arrays made once (`rules.profile.Profiles`), one walk of
the plan's weeks (`plan.Planner`), the base's counts on arrays
(`rules.registry.regular_runs_in`). Each is checked here against the plain
computation it replaces, on ``sample_runs`` and on a real history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from importlib import import_module

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.config import Config
from hamstring_analyzer.dates import add_days, day_iso
from hamstring_analyzer.metrics.weekly import daily_load
from hamstring_analyzer.plan import Planner, PlanError, plan_week
from hamstring_analyzer.plan.ceilings import ceilings, walk_of, with_hard_days
from hamstring_analyzer.render.report import WeekPages, render_week_html
from hamstring_analyzer.render.weeks import week_days
from hamstring_analyzer.rules.load import ordinary_run_m
from hamstring_analyzer.rules.profile import PROFILE_WEEKS, Profiles, runner_profile
from hamstring_analyzer.rules.registry import Context, beginner, best_in_prior_weeks, history_ok, regular_runs
from hamstring_analyzer.rules.speed import hard_mask
from hamstring_analyzer.symptoms import read_log

from .conftest import SAMPLE_RUNS, examples, needs_real_histories


@pytest.fixture(scope="module")
def sample(sample_export):
    return analyze(sample_export, symptoms=read_log(SAMPLE_RUNS / "symptoms.csv"))


# -- the runner's usual ------------------------------------------------------------------------------------------


def plain_profile(runs: pd.DataFrame, weeks: pd.DataFrame, config: Config, until: dt.date) -> dict:
    """The profile as one frame filtered per day computed it (what `Profiles` replaced)."""
    past = runs[runs["local_date"] <= until]
    if past.empty:
        return {}
    recent = past[past["local_date"] > add_days(until, -7 * PROFILE_WEEKS)]
    running_s = pd.to_numeric(recent.get("running_s", pd.Series(dtype=float)), errors="coerce")
    sampled = recent["has_samples"].map(lambda x: x is not False) if "has_samples" in recent else pd.Series(True, index=recent.index)
    long_enough = recent[sampled & ~(running_s < config.low_cadence.min_running_min * 60)]
    cadence = pd.to_numeric(long_enough["cadence_spm"], errors="coerce").dropna()
    speed = pd.to_numeric(long_enough["speed_mps"], errors="coerce").dropna()
    done = [(add_days(w, 6) <= until) and (w > add_days(until, -7 * PROFILE_WEEKS)) for w in weeks.index]
    last_weeks = weeks[done]
    ran = last_weeks[last_weeks["runs"] > 0]
    hard_days = recent[hard_mask(recent, config)].groupby("week_start")["local_date"].nunique()
    quarter = past[past["local_date"] > add_days(until, -90)]
    return {
        "as_of": day_iso(until),
        "cadence_spm": float(cadence.median()) if len(cadence) >= 3 else float("nan"),
        "speed_mps": float(speed.median()) if len(speed) >= 3 else float("nan"),
        "ordinary_run_m": ordinary_run_m(past, add_days(until, 1)),
        "weekly_m": float(ran["distance_m"].mean()) if len(ran) else float("nan"),
        "weeks": int(len(ran)),
        "longest_m": float(quarter["distance_m"].max()) if len(quarter) else float("nan"),
        "hard_days": int(hard_days.max()) if len(hard_days) else 0,
    }


def every_day_asked(result) -> list[dt.date]:
    """Each week's Sunday (the pages' day), its Wednesday, and a day before the first run."""
    weeks = week_days(result.weeks)
    return [add_days(weeks[0], -1)] + [add_days(w, d) for w in weeks for d in (2, 6)]


def check_profiles(result):
    runs, weeks, config = result.runs, result.weeks_by_date, result.config
    profiles = Profiles(runs, weeks, config)
    for day in every_day_asked(result):
        want = plain_profile(runs, weeks, config, day)
        # repr: NaN equals NaN, and every float to its last digit
        assert repr(profiles.at(day)) == repr(want), day
        if want:
            assert repr(runner_profile(runs[runs["local_date"] <= day], weeks, config, day)) == repr(want), day


def test_profiles_are_the_profile_of_the_runs_up_to_each_day(sample):
    check_profiles(sample)
    assert sample.profile["weeks"] > 0 and math.isfinite(sample.profile["cadence_spm"])  # the sample says something


@needs_real_histories
def test_profiles_of_a_real_history(real_history):
    check_profiles(analyze(real_history("clf3")))


# -- the base's counts -------------------------------------------------------------------------------------------


def plain_regular(ctx: Context) -> pd.Series:
    c = ctx.config.base
    runs = ctx.runs
    long_enough = runs[runs["distance_m"] >= c.speedwork_run_km * 1000].groupby("local_date").size()
    return best_in_prior_weeks(long_enough.reindex(ctx.load.index, fill_value=0))


def plain_beginner(ctx: Context) -> pd.Series:
    c = ctx.config.base
    had = plain_regular(ctx) >= c.speedwork_runs
    first = min(ctx.runs["local_date"])
    young = pd.Series([(d - first).days < c.beginner_days for d in had.index], index=had.index)
    return ~had.cummax() & (young | (not bool(had.any())))


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.floats(0, 25_000)), min_size=1, max_size=120), st.integers(0, 60))
def test_regular_runs_and_beginner_on_arrays_are_the_rolling_counts(rows, after):
    """Runs on random days (several on a day, long breaks, a history ending ``after`` days past its last run)."""
    start = dt.date(2025, 3, 3)
    runs = pd.DataFrame({"local_date": [start + dt.timedelta(days=d) for d, _ in rows], "distance_m": [m for _, m in rows]})
    runs = runs.sort_values("local_date", kind="stable").reset_index(drop=True)
    load = daily_load(runs, until=max(runs["local_date"]) + dt.timedelta(days=after))
    ctx = Context(runs, pd.DataFrame(), Config(), load, pd.Series(dtype="float64"), [])
    pd.testing.assert_series_equal(regular_runs(ctx), plain_regular(ctx), check_names=False)
    pd.testing.assert_series_equal(beginner(ctx), plain_beginner(ctx), check_names=False)


# -- the plan ----------------------------------------------------------------------------------------------------


def check_plans(result, monkeypatch):
    """Every week's plan from the one walk a report keeps equals the plan computed alone: from the runs up to its
    day only, with a walk of its own."""
    planner = Planner(result.runs, result.config)
    runs = result.runs
    for day in every_day_asked(result):
        try:
            shared = planner.plan(day).to_dict()
        except PlanError:
            with pytest.raises(PlanError):
                plan_week(runs, result.config, day)
            continue
        with monkeypatch.context() as m:
            m.setattr(import_module("hamstring_analyzer.plan.ceilings"), "_walks", {})  # no walk kept from another plan
            assert plan_week(runs[runs["local_date"] <= day], result.config, day).to_dict() == shared, day
    # a whole week's ceilings are the walk's own: the same as ceilings worked out for that plan alone
    h = planner._history
    walk = walk_of(h, result.config)
    beginners = 0
    for k in range(1, walk.weeks + 1):
        n = int(np.searchsorted(h.week, k))
        counted, longest = walk.counted_for(k)
        alone = ceilings(h, n, k, counted, longest, result.config, memo=walk.memo)
        kept = with_hard_days(walk.week(k), h, n, k, counted, result.config)
        assert repr(dataclasses.replace(kept, prefix=None)) == repr(dataclasses.replace(alone, prefix=None)), k
        # the base's counts on arrays are the rules' on the plan's history as it counts it
        ctx, week = kept.prefix.ctx, slice(kept.monday, add_days(kept.monday, 6))
        assert kept.known == history_ok(ctx.runs, kept.monday)
        assert kept.regular == regular_runs(ctx).loc[week].min() and kept.new_runner == beginner(ctx).loc[week].any(), k
        beginners += kept.new_runner
    assert 0 < beginners < walk.weeks  # a beginner's weeks first, then a base


def test_every_weeks_plan_is_the_plan_computed_alone(sample, monkeypatch):
    check_plans(sample, monkeypatch)


@needs_real_histories
def test_every_weeks_plan_of_a_real_history(real_history, monkeypatch):
    check_plans(analyze(real_history("clf3")), monkeypatch)


# -- the page ----------------------------------------------------------------------------------------------------


def test_week_pages_are_each_week_rendered_alone(sample):
    """`WeekPages.html` is `render_week_html`, for every week, and for a week in progress."""
    wednesday = analyze(sample.export, symptoms=sample.symptoms, until=dt.date(2026, 8, 12))
    for result in (sample, wednesday):
        pages, weeks = WeekPages(result), week_days(result.weeks)
        for i, week in enumerate(weeks):
            nav = (weeks[i - 1] if i else None, weeks[i + 1] if i + 1 < len(weeks) else None)
            assert pages.html(week, b"png", "<svg/>", nav) == render_week_html(result, week, b"png", "<svg/>", nav), week
    assert "(in progress)" in WeekPages(wednesday).html(week_days(wednesday.weeks)[-1], b"png")
