"""The runs table: one row per run, its own numbers (`profile`) and those judged against the runner's history.

Fast running is judged against the runner's own threshold estimated from the
runs before each one (`thresholds`), hard sessions told (`fast.hard_sessions`),
the session load added (`session_load`) and races told (`races.detect_races`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..activity import Activity
from ..config import Config
from .bands import curves_usable, fast_from_curves
from .fast import fast_running, hard_sessions
from .profile import EMPTY_PROFILE_DTYPES, PROFILE_COLUMNS, run_profile
from .races import detect_races
from .session_load import add_session_load
from .thresholds import estimate_thresholds
from ..dates import week_start
from .weekly import runner_zone


def runs_table(runs: list[Activity], config: Config | None = None) -> pd.DataFrame:
    """One row per run: its date, week, distance, climb, cadence, fast running, races and fatigue measures.

    Columns (units in the names): ``id``, ``source``, ``name`` (the activity's
    own name, None when it has none), ``start_local`` (the wall-clock time
    where the run was, a datetime without zone: runs abroad keep their own
    clock), ``start`` (the run's start instant, tz-aware in the runner's zone,
    `weekly.runner_zone`: the table is in its order),
    ``local_date``, ``week_start``, ``distance_m``, ``moving_s``, ``climb_m``,
    ``climb_per_km`` [m/km], ``indoor``, ``sub_sport``, ``cadence_spm``,
    ``speed_mps`` (median running speed), ``speed_reliable``,
    ``best_20min_mps``, ``avg_heart_rate_bpm``, ``step_length_m``,
    ``late_cadence_drop_spm``, ``late_drop_pace_corrected``, ``decoupling_pct``,
    ``has_intervals`` (the measured numbers: `profile.RUN_NUMBERS`), ``threshold_speed_mps``, ``threshold_hr_bpm``;
    the fast running (`fast_running`): ``fast_m``, ``fast_s``, ``fast_hr_bpm``
    (90th percentile of heart rate over the fast time, NaN without heart rate),
    ``fast_by``, and ``hard`` (a hard session, `hard_sessions`);
    ``has_samples`` (False for a run known only from
    a summary: a manual entry, a list row without its file; its ``fast_m``,
    ``fast_s``, ``fast_hr_bpm`` and sample measures are NaN, and it is never
    ``hard``), ``rpe`` (perceived exertion 1-10, NaN when
    not given), ``sources`` (list of the exports it came from, e.g. ``["strava_csv", "fit"]``),
    the session load (`session_load.add_session_load`): ``trimp``, ``srpe``, ``load``, ``load_by``,
    and the races (`races.detect_races`): ``race``, ``race_label``, ``race_by``.
    """
    config = config or Config()
    profiles = pd.DataFrame([run_profile(a) for a in runs], columns=PROFILE_COLUMNS)
    profiles["name"] = pd.Series([n if isinstance(n, str) else None for n in profiles["name"]], dtype=object)  # str or None
    profiles["start_local"] = pd.to_datetime(profiles["start_local"])
    profiles["start"] = pd.to_datetime(profiles["start"], utc=True).dt.tz_convert(runner_zone(runs))
    if profiles.empty:
        profiles = profiles.astype(EMPTY_PROFILE_DTYPES)
        for col in ("threshold_speed_mps", "threshold_hr_bpm", "fast_m", "fast_s", "fast_hr_bpm"):
            profiles[col] = pd.Series(dtype="float64")
        profiles["fast_by"] = pd.Series(dtype="object")
        profiles["hard"] = pd.Series(dtype="bool")
        return _with_races(add_session_load(profiles, {}, config), config)
    profiles = profiles.sort_values("start", kind="stable").reset_index(drop=True)  # the instant: runs abroad keep their order
    profiles["week_start"] = [week_start(d, config.week_start) for d in profiles["local_date"]]
    by_id = {a.id: a for a in runs}
    thresholds = estimate_thresholds(profiles, config)
    profiles = pd.concat([profiles, thresholds], axis=1)
    efforts = pd.DataFrame(_fast_running(profiles, by_id, config), index=profiles.index)
    for col in ("fast_m", "fast_s", "fast_hr_bpm"):
        profiles[col] = efforts[col].astype("float64")
    profiles["fast_by"] = efforts["fast_by"]
    no_samples = ~profiles["has_samples"].astype(bool)
    profiles.loc[no_samples, ["fast_m", "fast_s", "fast_hr_bpm"]] = np.nan  # unknown, not zero, without samples
    profiles["hard"] = hard_sessions(profiles, config)
    return _with_races(add_session_load(profiles, by_id, config), config)


def _fast_running(profiles: pd.DataFrame, by_id: dict, config: Config) -> dict:
    """Each run's fast running at its thresholds: from the curves the ingest kept (`bands`), else from its samples."""
    fast_speed = profiles["threshold_speed_mps"].to_numpy(float) / (config.fast.pace_pct_of_threshold / 100.0)
    fast_hr = profiles["threshold_hr_bpm"].to_numpy(float) * (config.fast.hr_pct_of_threshold / 100.0)
    runs = [by_id[i] for i in profiles["id"]]
    summaries = [(a.stats or {}).get("samples_summary") for a in runs] if curves_usable(config) else [None] * len(runs)
    out, unknown = fast_from_curves(summaries, fast_speed, fast_hr)
    for i in np.nonzero(unknown)[0]:  # not summarised (joined parts, another window), or a threshold inside a band
        vs, vh = fast_speed[i], fast_hr[i]
        effort = fast_running(runs[i], vs if math.isfinite(vs) else None, vh if math.isfinite(vh) else None,
                              config.fast.window_s, config.fast.min_stretch_s)  # fmt: skip
        for k, v in effort.items():
            out[k][i] = v
    return out


def _with_races(table: pd.DataFrame, config: Config) -> pd.DataFrame:
    races = detect_races(table, config)
    for col in races.columns:
        table[col] = races[col]
    return table
