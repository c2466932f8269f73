"""The config's [ingest] thresholds reach the parser, and a changed value re-reads the files it changes."""

from __future__ import annotations

import numpy as np
import pytest

from hamstring_analyzer import glossary as g
from hamstring_analyzer.config import Config, IngestConfig, config_from_dict
from hamstring_analyzer.errors import ConfigError
from hamstring_analyzer.ingest import load_runs, settings_tag, source_key

from ..conftest import SAMPLE_RUNS

GARMIN = SAMPLE_RUNS / "export" / "garmin" / "2026-05-10-08-00.fit"


def test_defaults_are_the_former_literals_and_keep_the_keys():
    c = Config().ingest
    assert (c.running_speed_min_mps, c.ride_speed_mps, c.ride_step_m, c.heart_rate_min_bpm, c.heart_rate_max_bpm) == (1.9, 6.0, 1.9, 25, 250)
    assert settings_tag(c) == "" and source_key(b"x", None, "") == source_key(b"x")
    assert source_key(b"x", None, settings_tag(IngestConfig(heart_rate_max_bpm=200))) != source_key(b"x")


def test_a_changed_threshold_reparses_and_both_results_stay_stored(tmp_path):
    folder = tmp_path / "store"
    first = load_runs(GARMIN, cache_dir=folder, workers=1)
    top = float(np.nanmax(first.runs[0].samples[g.HEART_RATE]))
    low = IngestConfig(heart_rate_max_bpm=top - 10)
    clipped = load_runs(GARMIN, cache_dir=folder, workers=1, ingest=low)
    assert (clipped.parsed, clipped.cache_hits) == (1, 0)
    assert float(np.nanmax(clipped.runs[0].samples[g.HEART_RATE])) <= top - 10
    assert load_runs(GARMIN, cache_dir=folder, workers=1, ingest=low).cache_hits == 1
    assert load_runs(GARMIN, cache_dir=folder, workers=1).cache_hits == 1  # the defaults' entry is still there


def test_ingest_section_is_read_and_checked():
    assert config_from_dict({"ingest": {"running_speed_min_mps": 2.2}}).ingest.running_speed_min_mps == 2.2
    with pytest.raises(ConfigError, match="ingest.heart_rate_max_bpm: 500 is outside the allowed range"):
        config_from_dict({"ingest": {"heart_rate_max_bpm": 500}})
