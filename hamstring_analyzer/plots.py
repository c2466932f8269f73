"""Moved to `hamstring_analyzer.render`: the charts (`render.plots`) and the weekly picture (`render.panels`).

Kept so that ``from hamstring_analyzer import plots`` goes on working.
"""

from .render.canvas import agg_canvas, rgb_png
from .render.legend import key
from .render.panels import NARROW, PANELS, WIDE, Layout, Panel, WeeklyPicture, panel_axes, weekly_figure
from .render.plots import (
    COLORS,
    KIND_COLORS,
    SEVERITY_STYLE,
    StepLengthPicture,
    highlight_week,
    plot_cadence,
    plot_fast_share,
    plot_flags,
    plot_long_run_climb,
    plot_step_length_vs_speed,
    plot_symptoms,
    plot_weekly_distance,
    shade_layoffs,
    step_length_png,
)

__all__ = [
    "COLORS", "KIND_COLORS", "NARROW", "PANELS", "SEVERITY_STYLE", "WIDE", "Layout", "Panel", "StepLengthPicture", "WeeklyPicture",
    "agg_canvas", "highlight_week", "key", "panel_axes", "plot_cadence", "plot_fast_share", "plot_flags", "plot_long_run_climb",
    "plot_step_length_vs_speed", "plot_symptoms", "plot_weekly_distance", "rgb_png", "shade_layoffs", "step_length_png", "weekly_figure",
]  # fmt: skip
