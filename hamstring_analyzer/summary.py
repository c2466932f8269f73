"""Moved to `hamstring_analyzer.metrics.summary`; this module re-exports its names for existing imports."""

from .metrics.summary import (  # noqa: F401
    INDOOR_SUB_SPORTS,
    elevation_gain_m,
    expensive_stats,
    json_number,
    quality_summary,
    run_summary,
)

__all__ = ["INDOOR_SUB_SPORTS", "elevation_gain_m", "expensive_stats", "json_number", "quality_summary", "run_summary"]
