"""Moved to `hamstring_analyzer.metrics.session_load`; this module re-exports its names for existing imports."""

from .metrics.session_load import (  # noqa: F401
    ASSUMED_RESTING_HR,
    HR_BINS,
    PEAK_HOLD_MIN,
    WEIGHTINGS,
    add_session_load,
    banister_trimp,
    heart_rate_minutes,
    heart_rate_range,
    peak_heart_rate,
)

__all__ = ["ASSUMED_RESTING_HR", "HR_BINS", "PEAK_HOLD_MIN", "WEIGHTINGS", "add_session_load", "banister_trimp", "heart_rate_minutes", "heart_rate_range", "peak_heart_rate"]
