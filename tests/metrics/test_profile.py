"""The per-run numbers declared once (metrics/profile.py): the ingest, the store and the runs table agree with it."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa

from hamstring_analyzer.metrics.profile import EMPTY_PROFILE_DTYPES, NO_PROFILE, PROFILE_COLUMNS, RUN_NUMBERS, record_profile, run_profile
from hamstring_analyzer.readers import read_activities
from hamstring_analyzer.store.schema import SUMMARY_SCHEMA
from hamstring_analyzer.synthetic import easy_run, write_fit


def test_the_store_keeps_the_declared_numbers_in_its_first_layout():
    """Existing stores stay readable: the ``p_*`` columns keep their names, order and types."""
    stored = [(f.name, f.type) for f in SUMMARY_SCHEMA if f.name.startswith("p_")]
    assert stored == [
        ("p_speed_mps", pa.float64()), ("p_best_20min_mps", pa.float64()), ("p_step_length_m", pa.float64()),
        ("p_late_cadence_drop_spm", pa.float64()), ("p_late_drop_pace_corrected", pa.bool_()),
        ("p_decoupling_pct", pa.float64()), ("p_has_intervals", pa.bool_()),
    ]  # fmt: skip


def test_every_declared_number_reaches_the_ingest_and_the_runs_table():
    names = [n.name for n in RUN_NUMBERS]
    assert list(NO_PROFILE) == names
    assert all(NO_PROFILE[n.name] is False if n.dtype == "bool" else math.isnan(NO_PROFILE[n.name]) for n in RUN_NUMBERS)
    assert all(n.about.endswith("]") for n in RUN_NUMBERS), "every number says its unit"
    (run,) = read_activities("easy.fit", write_fit(easy_run(dt.datetime(2026, 3, 3, 7, 0), 8.0)))
    measured = record_profile(run)
    assert list(measured) == names
    for n in RUN_NUMBERS:
        assert isinstance(measured[n.name], bool if n.dtype == "bool" else float), n.name
        assert EMPTY_PROFILE_DTYPES[n.name] == n.dtype
    row = run_profile(run)
    assert list(row) == PROFILE_COLUMNS and set(names) <= set(row)
    assert all(row[k] == measured[k] or (math.isnan(row[k]) and math.isnan(measured[k])) for k in names)
