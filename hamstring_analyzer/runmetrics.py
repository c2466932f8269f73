"""Moved to `hamstring_analyzer.metrics` (`runs.runs_table`, `profile`, `fast`, `form`, `thresholds`); this module
re-exports their names for existing imports."""

from .metrics.fast import (  # noqa: F401
    FAST_COLUMNS,
    HARD_MOSTLY_FAST_MIN_M,
    HARD_MOSTLY_FAST_MIN_S,
    MIN_FAST_STRETCH_S,
    RUNNING_SPEED_MIN,
    SMOOTH_S,
    distance_steps,
    fast_distance_m,
    fast_mask,
    fast_running,
    hard_sessions,
    interval_mask,
    is_indoor,
    median_running_speed,
    speed_is_reliable,
)
from .metrics.form import aerobic_decoupling_pct, late_cadence_drop, step_length_m  # noqa: F401
from .metrics.profile import PROFILE_COLUMNS, record_profile, run_profile  # noqa: F401
from .metrics.runs import runs_table  # noqa: F401
from .metrics.thresholds import (  # noqa: F401
    EASY_HR_SHARE_OF_THRESHOLD,
    MAX_BEST_20MIN_MPS,
    MAX_BEST_OVER_EASY,
    SUSTAINED_OVER_THRESHOLD,
    THRESHOLD_OVER_EASY,
    THRESHOLD_SPEED_BOUNDS,
    estimate_thresholds,
)

__all__ = [
    "FAST_COLUMNS", "HARD_MOSTLY_FAST_MIN_M", "HARD_MOSTLY_FAST_MIN_S", "MIN_FAST_STRETCH_S", "RUNNING_SPEED_MIN", "SMOOTH_S",
    "EASY_HR_SHARE_OF_THRESHOLD", "MAX_BEST_20MIN_MPS", "MAX_BEST_OVER_EASY", "SUSTAINED_OVER_THRESHOLD", "THRESHOLD_OVER_EASY",
    "THRESHOLD_SPEED_BOUNDS", "PROFILE_COLUMNS", "aerobic_decoupling_pct", "distance_steps", "estimate_thresholds",
    "fast_distance_m", "fast_mask", "fast_running", "hard_sessions", "interval_mask", "is_indoor", "late_cadence_drop",
    "median_running_speed", "record_profile", "run_profile", "runs_table", "speed_is_reliable", "step_length_m",
]  # fmt: skip
