"""Moved to `hamstring_analyzer.metrics.elevation`; this module re-exports its names for existing imports."""

from .metrics.elevation import (  # noqa: F401
    DEFAULT_HYSTERESIS_M,
    centred_median,
    climb_m,
)

__all__ = ["DEFAULT_HYSTERESIS_M", "centred_median", "climb_m"]
