"""Every real file beside the repository either reads sanely or fails with ParseError."""

from __future__ import annotations

import numpy as np
import pytest

from hamstring_analyzer import NotAnActivityError, ParseError
from hamstring_analyzer import glossary as g
from hamstring_analyzer.samples import running_cadence

from ..conftest import MANIFEST, needs_real_runs, real_files, real_read


@pytest.mark.parametrize("real", real_files())
def test_real_file_reads_sanely_or_raises_parse_error(real):
    activities = real_read(real)
    if isinstance(activities, ParseError):  # a NotAnActivityError too
        assert str(real.full) in str(activities) and activities.reason
        return
    assert activities
    for act in activities:
        rec = act.records
        assert rec.index.tz is not None and str(rec.index.tz) == "UTC"
        assert rec.index.is_monotonic_increasing and not rec.index.has_duplicates
        for col in rec.columns:
            assert col in g.ALL_RECORD_COLUMNS
            assert rec[col].notna().any(), f"{col} is present but empty"
        if act.sport in (None, "running", "walking", "hiking") and g.SPEED in rec:
            assert rec[g.SPEED].max() < 12.0
        if act.is_run and act.channel(g.CADENCE) is not None:
            moving_speed = rec[g.SPEED].median() if g.SPEED in rec else np.nan
            cad = running_cadence(rec)
            long_enough = act.elapsed_s is not None and act.elapsed_s > 600
            if long_enough and moving_speed >= 2.0:  # a true run, not a hike or a 77-second SDK sample
                assert 120 <= cad <= 230, f"running cadence {cad} spm"
        if act.moving_s is not None and act.elapsed_s is not None:
            assert act.moving_s <= act.elapsed_s + 1
        if g.LATITUDE in rec:
            assert rec[g.LATITUDE].abs().max() <= 90 and rec[g.LONGITUDE].abs().max() <= 180


@needs_real_runs
def test_known_broken_files_are_errors_or_partial_reads():
    broken = [f for f in MANIFEST if f.error]
    assert len(broken) >= 8
    for real in broken:
        activities = real_read(real)
        if isinstance(activities, ParseError):
            continue
        recovered = any(a.partial for a in activities) or any("XML namespace" in w for a in activities for w in a.warnings)
        recovered = recovered or real.error.startswith("ParseError: XML or text declaration")
        assert recovered, f"{real.path} ({real.error}) read as if whole"


@needs_real_runs
def test_real_file_outcome_counts():
    outcomes = {"activity": 0, "not_activity": 0, "error": 0}
    for real in MANIFEST:
        read = real_read(real)
        if isinstance(read, NotAnActivityError):
            outcomes["not_activity"] += 1
        elif isinstance(read, ParseError):
            outcomes["error"] += 1
        else:
            outcomes["activity"] += 1
    # 278 files: counted when this test was written; a parser change that moves
    # many files from "activity" to "error" is a regression worth seeing.
    assert outcomes["activity"] >= 240
    assert outcomes["error"] <= 15
    assert sum(outcomes.values()) == len(MANIFEST)
