"""What the ingest summarises for the analysis (metrics/bands.py) gives the numbers the samples give.

The fast running at a threshold, read from a run's curves, equals
`fast.fast_running` over the run's stored samples; a threshold the curves
cannot answer (inside a band's span) is said, never guessed; and an analysis
of a stored export reads a sample file only for such a threshold.
"""

from __future__ import annotations

import datetime as dt
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.activity import Activity
from hamstring_analyzer.clean.speed import sustained
from hamstring_analyzer.config import Config, FastConfig
from hamstring_analyzer.ingest import parse_bytes
from hamstring_analyzer.metrics.bands import CURVES, KEPT_COLUMNS, SUMMARISED_CHANNELS, curves_usable, fast_from_curves, stretch_levels
from hamstring_analyzer.metrics.fast import fast_running
from hamstring_analyzer.metrics.session_load import heart_rate_minutes
from hamstring_analyzer.store.schema import SUMMARY_SCHEMA, activity_fields, as_stored, summary_row
from hamstring_analyzer.synthetic import RunPlan, Segment, write_fit

from ..conftest import MANIFEST, examples, needs_real_runs, real_parsed


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(st.one_of(st.floats(0.0, 6.0), st.just(float("nan"))), min_size=1, max_size=80),
    st.lists(st.sampled_from([1.0, 1.0, 2.0, 5.0, 45.0]), min_size=80, max_size=80),
    st.floats(0.0, 120.0),
)
def test_a_samples_level_is_the_highest_threshold_sustained_keeps_it(values, steps, min_s):
    """``stretch_levels(v) >= x`` is ``sustained(v >= x)`` at every x (gaps of 45 s break a stretch)."""
    v = np.array(values)
    t = 1.7e9 + np.concatenate([[0.0], np.cumsum(steps[: len(v) - 1])])
    levels = stretch_levels(v, t, min_s)
    for x in np.unique(np.concatenate([v[np.isfinite(v)], v[np.isfinite(v)] + 1e-9, [0.0, 3.0, 7.0]])):
        assert (levels >= x).tolist() == sustained(v >= x, t, min_s).tolist(), x


def _session(seed: int) -> Activity:
    """A generated interval session: warm-up, 5 x (3 min hard in interval laps, 2 min easy), a tempo, a cool-down."""
    reps = []
    for i in range(5):
        reps += [Segment(180, 4.4 + 0.05 * i, 184, intensity="interval"), Segment(120, 2.6, 168, intensity="recovery")]
    plan = RunPlan(dt.datetime(2026, 3, 3, 7, 0), [Segment(600, 2.9, 172), *reps, Segment(900, 3.8, 178), Segment(480, 2.8, 170)],
                   seed=seed, sample_every_s=1, laps_by_segment=True)  # fmt: skip
    kind, (run,) = parse_bytes("session.fit", write_fit(plan))
    assert kind == "ok"
    return run


def _as_analysed(run: Activity) -> Activity:
    """The run as the analysis reads it back from the store: its fast channels at the store's precision."""
    return run.replace(records=as_stored(run.samples, SUMMARISED_CHANNELS).frame())


def _same(curves: dict, samples: dict) -> bool:
    if curves["fast_by"] != samples["fast_by"]:
        return False
    return all(math.isclose(curves[k], samples[k], rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(curves[k]) and math.isnan(samples[k]))
               for k in ("fast_m", "fast_s", "fast_hr_bpm"))  # fmt: skip


def _check(run: Activity, speeds, hrs) -> tuple[int, int]:
    """Every threshold the curves answer gives the samples' numbers; returns (answered, asked)."""
    analysed = _as_analysed(run)
    summary = run.stats["samples_summary"]
    got, unknown = fast_from_curves([summary] * len(speeds), np.asarray(speeds, float), np.asarray(hrs, float))
    answered = 0
    for i, (vs, vh) in enumerate(zip(speeds, hrs)):
        if unknown[i]:
            continue
        answered += 1
        ref = fast_running(analysed, vs if math.isfinite(vs) else None, vh if math.isfinite(vh) else None)
        mine = {k: got[k][i] for k in ("fast_m", "fast_s", "fast_hr_bpm", "fast_by")}
        assert _same(mine, ref), (vs, vh, mine, ref)
    return answered, len(speeds)


def test_an_interval_session_gives_the_samples_numbers_at_every_threshold_it_answers():
    run = _session(3)
    summary = run.stats["samples_summary"]
    assert set(summary["curves"]) == {c.name for c in CURVES}
    assert summary["curves"]["laps"]["lo"] == [math.inf]  # the interval laps count at any threshold
    pace = summary["curves"]["pace"]
    edges = [x for x in pace["lo"] if math.isfinite(x)]
    speeds = [*np.linspace(2.0, 5.5, 71), *edges, *[x + 1e-6 for x in pace["hi"] if math.isfinite(x)], math.nan, math.nan]
    hrs = [*[150.0] * (len(speeds) - 2), 160.0, math.nan]
    answered, asked = _check(run, speeds, hrs)
    assert answered >= len(edges) + 10
    # at each band's lowest level, exactly: the 5 reps (4.4-4.6 m/s) and the tempo (3.8 m/s) count at 3.6 m/s
    got, unknown = fast_from_curves([summary], np.array([3.6]), np.array([150.0]))
    if not unknown[0]:
        assert got["fast_by"][0] == "pace"
        assert 15 * 60 + 900 - 60 <= got["fast_s"][0] <= 15 * 60 + 900 + 120
        assert 5 * 180 * 4.4 + 900 * 3.6 <= got["fast_m"][0] <= 5 * 180 * 4.7 + 900 * 3.9


def test_a_threshold_inside_a_band_is_not_answered_and_the_runs_table_reads_the_samples_for_it(monkeypatch):
    run = _session(5)
    pace = run.stats["samples_summary"]["curves"]["pace"]
    inside = next((lo + hi) / 2 for lo, hi in zip(pace["lo"], pace["hi"]) if math.isfinite(lo) and hi > lo)
    _, unknown = fast_from_curves([run.stats["samples_summary"]], np.array([inside]), np.array([math.nan]))
    assert unknown.tolist() == [True]


def test_the_store_row_keeps_the_summary_as_it_was_made():
    run = _session(7)
    row = summary_row("k" * 40, run)
    assert set(f"c_{c.name}_{k}" for c in CURVES for k in KEPT_COLUMNS) <= set(SUMMARY_SCHEMA.names)
    back = activity_fields(row)["stats"]["samples_summary"]
    assert back == run.stats["samples_summary"]
    dense = np.zeros(251)
    dense[back["hr_bpm"]] = back["hr_minutes"]
    assert np.array_equal(dense, heart_rate_minutes(as_stored(run.samples, SUMMARISED_CHANNELS)))


def test_another_window_or_stretch_measures_from_the_samples():
    assert curves_usable(Config())
    assert not curves_usable(Config(fast=FastConfig(window_s=20.0)))
    assert not curves_usable(Config(fast=FastConfig(min_stretch_s=90.0)))


def test_a_run_not_summarised_is_left_to_its_samples():
    got, unknown = fast_from_curves([None, {"curves": None}], np.array([3.0, 3.0]), np.array([150.0, 150.0]))
    assert unknown.tolist() == [True, True]


@needs_real_runs
def test_fast_running_from_the_curves_equals_the_samples_on_every_real_run():
    """Every real run: at band edges (always answered) and at thresholds across the running range, the samples' numbers."""
    rng = np.random.default_rng(29)
    runs = 0
    for real in MANIFEST:
        parsed = real_parsed(real)
        if parsed[0] != "ok":
            continue
        for run in parsed[1]:
            if not run.is_run or not run.has_samples:
                continue
            runs += 1
            curves = run.stats["samples_summary"]["curves"]
            edges = [x for x in (curves["pace"] or {"lo": []})["lo"] if math.isfinite(x)][:20]  # always answered
            speeds = [*rng.uniform(1.5, 6.0, 12), *edges, math.nan, math.nan]
            hrs = [*rng.uniform(110, 190, 12), *[150.0] * len(edges), *rng.uniform(110, 190, 1), math.nan]
            answered, _ = _check(run, speeds, hrs)
            assert answered >= len(edges) + 2, real.path
    assert runs >= 50


def _history(folder, weeks: int = 10):
    """Ten weeks of generated runs: easy runs, a weekly interval session, a tempo now and then (FIT, 1 s samples)."""
    folder.mkdir()
    for i in range(weeks * 3):
        day = dt.datetime(2026, 1, 5, 7, 0) + dt.timedelta(days=i * 7 // 3)
        if i % 3 == 2:
            reps = [s for r in range(5) for s in (Segment(180, 4.3 + 0.02 * r, 184, intensity="interval"), Segment(120, 2.6, 168))]
            segments = [Segment(600, 2.9, 172), *reps, Segment(480, 2.8, 170)]
        elif i % 6 == 1:
            segments = [Segment(600, 2.9, 172), Segment(1200, 3.7, 178), Segment(480, 2.8, 170)]
        else:
            segments = [Segment(2400 + 60 * (i % 5), 3.0 + 0.05 * (i % 4), 172)]
        plan = RunPlan(day, segments, seed=i, sample_every_s=1, laps_by_segment=True)
        (folder / f"run-{i:02d}.fit").write_bytes(write_fit(plan))
    return folder


def test_a_stored_export_is_analysed_from_its_summaries_reading_samples_only_for_a_threshold_inside_a_band(tmp_path, monkeypatch):
    from hamstring_analyzer.analysis import analyze
    from hamstring_analyzer.config import LoadConfig
    from hamstring_analyzer.ingest import load_runs
    import hamstring_analyzer.metrics.runs  # noqa: F401 (its module, below)
    import hamstring_analyzer.metrics.session_load  # noqa: F401

    runs_module = sys.modules["hamstring_analyzer.metrics.runs"]
    session_load = sys.modules["hamstring_analyzer.metrics.session_load"]
    from hamstring_analyzer.store import stored

    folder = _history(tmp_path / "export")
    export = load_runs(folder, cache_dir=tmp_path / "store", workers=1)
    trimp = Config(load=LoadConfig(method="trimp"))
    assert not curves_usable(Config(fast=FastConfig(window_s=20.0)))
    with monkeypatch.context() as m:  # the samples' answers: the curves set aside (as for another window)
        m.setattr(runs_module, "curves_usable", lambda config: False)
        m.setattr(session_load, "_heart_rate_minutes", lambda a: heart_rate_minutes(a.samples_for(["heart_rate_bpm"])))
        want = {name: analyze(export, config) for name, config in (("default", Config()), ("trimp", trimp))}

    opened = []
    real_load = stored._load_samples

    def counted(path, *args, **kwargs):
        opened.append(path)
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(stored, "_load_samples", counted)
    for name, config in (("default", Config()), ("trimp", trimp)):
        opened.clear()
        got = analyze(export, config)
        ref = want[name]
        assert got.runs["hard"].sum() >= 8  # the interval sessions and tempos are hard sessions
        for col in ("fast_m", "fast_s", "fast_hr_bpm", "load", "trimp"):
            assert np.allclose(got.runs[col].to_numpy(float), ref.runs[col].to_numpy(float), rtol=1e-12, equal_nan=True), col
        assert got.runs["hard"].tolist() == ref.runs["hard"].tolist()
        assert got.runs["fast_by"].tolist() == ref.runs["fast_by"].tolist()
        assert [(f.rule, f.date, f.severity) for f in got.flags] == [(f.rule, f.date, f.severity) for f in ref.flags]
        # only a run whose threshold falls inside one of its bands is read, and once: not TRIMP, not an easy run
        summaries = [a.stats["samples_summary"] for a in sorted(export.runs, key=lambda a: a.start_utc)]
        fast_speed = got.runs["threshold_speed_mps"].to_numpy(float) / (config.fast.pace_pct_of_threshold / 100.0)
        fast_hr = got.runs["threshold_hr_bpm"].to_numpy(float) * (config.fast.hr_pct_of_threshold / 100.0)
        _, unknown = fast_from_curves(summaries, fast_speed, fast_hr)
        assert len(opened) == unknown.sum() <= len(got.runs) // 4
        easy = got.runs["id"][got.runs["distance_m"] > 0][~got.runs["hard"].to_numpy()]
        assert not {str(p) for p in opened} & {str(a._samples_path) for a in export.runs if a.id in set(easy)}
