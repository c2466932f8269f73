"""The weekly picture: panels on one time axis, listed in `PANELS`, laid out wide (PNG) or narrow (SVG).

A panel is a `Panel`: its name, its height in each layout and a function that
draws it from `Shown`, what the picture shows of the analysis around one
week. Adding a panel is one drawing function (in `plots`) and one entry in
`PANELS`; `WeeklyPicture` makes an axes per entry, top to bottom, and the
layouts stack them.

No pyplot state: the figure is a `matplotlib.figure.Figure` on an Agg canvas
(`canvas.agg_canvas`), safe in servers, tests and notebooks alike.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Callable

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator

from ..config import Config
from ..rules import layoff_gaps
from ..symptoms import symptoms_frame
from ..dates import add_days, calendar_date, day_number, day_numbers, days_between
from . import ticks
from .canvas import agg_canvas, rgb_png, svg_element
from .legend import KEY_FONTSIZE, add_key, key_entries, key_look
from .plots import (
    highlight_week,
    noon,
    plot_cadence,
    plot_fast_share,
    plot_flags,
    plot_long_run_climb,
    plot_symptoms,
    plot_weekly_distance,
    shade_layoffs,
)
from .weeks import in_progress, week_days


@dataclass(frozen=True)
class Shown:
    """What the picture shows of an analysis around one week: all a panel draws from.

    ``weeks``, ``runs``, ``flags`` and ``symptoms`` are those of the weeks in
    view; ``flag_links`` maps a flag's position in ``flags`` to the page's
    ``#flag-N`` (the week's own flags); ``in_progress`` is the week shown when
    it is not over yet; ``jump_weeks`` are the first days of the weeks the
    weekly-mileage rule flagged, over the whole history.
    """

    config: Config
    weeks: pd.DataFrame
    runs: pd.DataFrame
    flags: list
    flag_links: dict
    symptoms: pd.DataFrame | None
    in_progress: dt.date | None
    jump_weeks: set


@dataclass(frozen=True)
class Panel:
    """One panel of the weekly picture.

    ``sizes`` maps each layout's name to the panel's (height, space above it)
    [inches] in that layout (the space above the first panel is not used).
    A ``strip`` shows markers on their days and no values: no y axis line or
    ticks, its label beside it and its key always above it. ``whole_numbers``
    keeps its y ticks at whole values; the panel ``names_breaks`` carries the
    key entry of the grey bands (breaks in running), which every panel shows.
    """

    name: str
    draw: Callable[[Axes, Shown], object]
    sizes: dict
    strip: bool = False
    whole_numbers: bool = False
    names_breaks: bool = False


#: The panels, top to bottom. The narrow layout leaves more room above the panels whose keys wrap into rows.
PANELS = [
    Panel("flags", lambda ax, s: plot_flags(s.flags, ax, urls=s.flag_links), {"wide": (0.5, 0.0), "narrow": (0.42, 0.0)}, strip=True),
    Panel("weekly distance", lambda ax, s: plot_weekly_distance(s.weeks, s.config, ax, in_progress=s.in_progress, flagged=s.jump_weeks),
          {"wide": (2.36, 0.17), "narrow": (1.9, 0.32)}),  # fmt: skip
    Panel("fast share", lambda ax, s: plot_fast_share(s.weeks, s.config, ax, in_progress=s.in_progress), {"wide": (1.68, 0.17), "narrow": (1.35, 0.32)}),
    Panel("cadence", lambda ax, s: plot_cadence(s.runs, s.config, ax), {"wide": (1.68, 0.17), "narrow": (1.35, 0.32)}),
    Panel("long-run climb", lambda ax, s: plot_long_run_climb(s.runs, s.config, ax), {"wide": (1.68, 0.17), "narrow": (1.45, 0.6)}),
    Panel("symptoms", lambda ax, s: plot_symptoms(s.symptoms, ax), {"wide": (1.68, 0.17), "narrow": (1.45, 0.48)}, whole_numbers=True, names_breaks=True),
]

#: Where a strip's label ends, left of the panel [inches]: beside it, level with it.
STRIP_LABEL_X = 0.15
DPI = 100


@dataclass(frozen=True)
class Layout:
    """Where the picture's panels sit, in inches: no layout is solved per picture.

    The panels' own heights are theirs (`Panel.sizes`, under this layout's
    ``name``). Fonts keep their size in points, so a narrower figure shows the
    same text larger once fitted to a screen.
    """

    name: str
    width: float
    left: float  # room for the y labels beside tick labels up to four digits wide
    right: float
    top: float  # the title, and the flags' key above the first panel
    bottom: float  # the dates
    ylabel_x: float  # where each y label's right edge sits, inches left of the panel
    keys_above: bool  # the panels' keys in rows above them (wrapped), not inside
    tick_weeks: int  # weeks between two dates on the time axis
    title_size: float
    title_lines: int
    key_size: float  # the keys' font [points]
    y_ticks: int | str  # at most this many values on a panel's y axis ("auto": as many as fit)

    def height(self, panels: list[Panel] = PANELS) -> float:
        """Inches, rounded to whole pixels at `DPI` (every canvas then makes the same number of rows)."""
        sizes = [p.sizes[self.name] for p in panels]
        return round((self.top + sum(h for h, _ in sizes) + sum(gap for _, gap in sizes[1:]) + self.bottom) * DPI) / DPI

    def rects(self, panels: list[Panel] = PANELS) -> list[tuple[float, float, float, float]]:
        """The panels' rectangles as figure fractions (left, bottom, width, height), top to bottom."""
        height = self.height(panels)
        out, y = [], height - self.top
        for i, panel in enumerate(panels):
            h, gap = panel.sizes[self.name]
            y -= (gap if i else 0.0) + h
            out.append((self.left / self.width, y / height, (self.width - self.left - self.right) / self.width, h / height))
        return out


#: The desktop picture (and the weekly PNG file): 1000 x 1139 pixels at `DPI`.
WIDE = Layout("wide", 10.0, 0.85, 0.25, 0.62, 0.34, 0.49, False, 2, 12, 1, KEY_FONTSIZE, "auto")
#: The phone picture: 4 inches wide with the same fonts, so its text reads at 360-400 px; keys above
#: the panels, where one row inside would not fit (the long-run panel's needs three).
NARROW = Layout("narrow", 4.0, 0.76, 0.1, 0.8, 0.3, 0.38, True, 4, 10.5, 2, 9, 4)


def panel_axes(figure: Figure, name: str) -> Axes:
    """The axes of the panel ``name`` in a weekly picture's ``figure`` (each axes is labelled with its panel's name)."""
    found = [ax for ax in figure.axes if ax.get_label() == name]
    if not found:
        raise KeyError(f"no panel {name!r} in the picture (panels: {', '.join(ax.get_label() for ax in figure.axes)})")
    return found[0]


class WeeklyPicture:
    """The report picture, laid out once and redrawn for any week.

    The figure, an axes per panel and their fixed positions are made once;
    `draw` removes the previous week's artists and plots the next week on the
    same axes, so that a run of weeks pays neither for new axes nor for a
    layout solve. What depends on the whole history (the breaks, the symptom
    frame) is computed once too. Each picture equals the one a new
    `WeeklyPicture` would draw. The canvas is Agg's, whatever the pyplot backend.

    The same drawn week is laid out as `WIDE` (`png`) or `NARROW` (`svg`, for
    phones) by moving the panels, without plotting it again. ``today`` decides
    whether the last week of the data is still in progress (default: the
    analysis's ``until``, else today). ``result`` is an `analysis.Analysis`.
    """

    def __init__(self, result, n_weeks: int = 14, today: dt.date | None = None, panels: list[Panel] = PANELS):
        self.result = result
        self.n_weeks = n_weeks
        self.today = today
        self.panels = list(panels)
        self.days = week_days(result.weeks)
        # the runs in day order (as they are, unless a trip's time zones shuffled them), to cut any weeks' out by position
        run_days = day_numbers(result.runs["local_date"])
        order = np.argsort(run_days, kind="stable")
        self._run_days = run_days[order]
        self._runs = result.runs if (np.diff(order) == 1).all() else result.runs.take(order)
        self.gaps = layoff_gaps(result.runs, result.config.layoff_return.min_gap_days, result.holes) if not result.runs.empty else []
        self.jump_weeks = {f.week_start for f in result.flags if f.rule == "weekly_mileage_jump"}
        self.symptoms = symptoms_frame(result.symptoms) if result.symptoms else None
        self.figure = Figure(figsize=(WIDE.width, WIDE.height(self.panels)), dpi=DPI)
        agg_canvas(self.figure)
        rects = WIDE.rects(self.panels)
        self.axes = [self.figure.add_axes(rects[0], label=self.panels[0].name)]
        self.axes += [self.figure.add_axes(r, sharex=self.axes[0], label=p.name) for r, p in zip(rects[1:], self.panels[1:])]
        for panel, ax in zip(self.panels, self.axes):
            ax._keys_by_picture = True
            if panel.strip:
                ax.spines[["left"]].set_visible(False)
            else:
                ax.grid(axis="y", color="#e5e5e5", zorder=0)
                # the grid lines mark the values: no tick marks beside them (a fifth of a picture's artists)
                ax.yaxis.set_tick_params(which="both", left=False)
            ax.spines[["top", "right"]].set_visible(False)
            ax.xaxis.set_label_coords(0.5, 0.0)  # no x label: only spares the measuring
            # `_plot` sets the weeks' time span itself: autoscaling x would only be undone, at a cost per
            # plotting call (the panels share their x axis, so each autoscale visits all of them).
            ax.set_autoscalex_on(False)
        for ax in self.axes[:-1]:
            # the dates are on the bottom panel: the others draw no x ticks at all (a sixth of a picture's time)
            ax.xaxis.set_visible(False)
        self.axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        self.layout = WIDE
        self._keys: dict = {}  # (panel name, layout name) -> (what the key looks like, its artists)
        self._used = False
        self._drawn: tuple | None = None  # the week drawn and its time span
        self._title: tuple = ("", "")
        # the other panels' x axes are hidden: the bottom one's dates are the x ticks
        self._flat = [ticks.FlatTicks(axis) for axis in [ax.yaxis for ax in self.axes] + [self.axes[-1].xaxis]]

    def panel(self, name: str) -> Axes:
        """The axes of the panel ``name``."""
        return panel_axes(self.figure, name)

    def _flatten(self) -> None:
        """The ticks as a few artists for a picture drawn to bytes (`ticks.FlatTicks`): about 40% of its drawing time."""
        for flat in self._flat:
            flat.show()

    def _unflatten(self) -> None:
        """The axes draw their own ticks again: a figure handed out may be zoomed or drawn anew."""
        for flat in self._flat:
            flat.hide()

    def _clear(self) -> None:
        for held in self._keys.values():  # kept for the next week with the same key, hidden until placed
            for artist in held[1]:
                artist.set_visible(False)
        for ax in self.axes:
            for artist in (*ax.patches, *ax.lines, *ax.collections, *ax.texts):
                if artist.get_gid() not in ("key", ticks.GID):  # the keys and ticks are kept (hidden) for the next week
                    artist.remove()
            if ax.legend_ is not None:
                ax.legend_.remove()
            ax.containers.clear()
            # Limits as on new axes: no data, a unit view (axhline autoscales only when its line
            # falls outside the view), y autoscaling on. Weeks drawn before leave nothing behind.
            ax.relim(visible_only=True)
            ax.set_ylim(0, 1)
        self.axes[-1].set_xlim(0, 1)  # shared by all; x autoscaling stays off (see __init__)
        for ax in self.axes:
            ax.set_autoscaley_on(True)

    def in_progress(self, week: dt.date) -> dt.date | None:
        """The last day covered of ``week`` when it is not over (see `weeks.in_progress`), else None."""
        return in_progress(self.result, week, self.today)

    def draw(self, week: dt.date | None = None, layout: Layout | None = None) -> Figure:
        """Plot ``week`` and the ``n_weeks - 1`` before it in ``layout`` (default `WIDE`); return the figure.

        ``week``: its first day, as a date or as a Timestamp of ``Analysis.weeks``'
        index. Drawing the week drawn last again only lays it out.
        """
        week = calendar_date(week) if week is not None else max(self.days)
        self._unflatten()
        if self._drawn is None or self._drawn[0] != week:
            self._plot(week)
        self._lay_out(layout or WIDE)
        return self.figure

    def _shown(self, week: dt.date, first: dt.date, until: dt.date | None) -> Shown:
        """What the panels show of the weeks ``first`` to ``week``."""
        result = self.result
        end = add_days(week, 7)
        weeks = result.weeks.iloc[bisect.bisect_left(self.days, first) : bisect.bisect_right(self.days, week)]  # the days are in order
        runs = self._runs.iloc[slice(*np.searchsorted(self._run_days, [day_number(first), day_number(end)]))]
        symptoms = None
        if self.symptoms is not None:
            symptoms = self.symptoms[(self.symptoms["date"] >= first) & (self.symptoms["date"] < end)]
        flags = [f for f in result.flags if first <= f.date < end]
        mine = [f for f in result.flags if f.week_start == week]  # the page's cards, in its order
        links = {flags.index(f): f"#flag-{i + 1}" for i, f in enumerate(mine) if f in flags}
        partial = week if until is not None else None
        return Shown(result.config, weeks, runs, flags, links, symptoms, partial, self.jump_weeks)

    def _plot(self, week: dt.date) -> None:
        first = max(add_days(week, -7 * (self.n_weeks - 1)), min(self.days))
        end = add_days(week, 7)
        left = dt.datetime.combine(first, dt.time()) - dt.timedelta(days=1)
        right = dt.datetime.combine(end, dt.time()) + dt.timedelta(days=1)
        # only the breaks in view: the others would be clipped away, at a cost per panel
        gaps = [g for g in self.gaps if noon(g[1]) - dt.timedelta(hours=12) > left and noon(g[0]) + dt.timedelta(hours=12) < right]
        until = self.in_progress(week)
        shown = self._shown(week, first, until)

        if self._used:
            self._clear()
        self._used = True
        for panel, ax in zip(self.panels, self.axes):
            panel.draw(ax, shown)
        for panel, ax in zip(self.panels, self.axes):
            highlight_week(ax, week)
            shade_layoffs(ax, gaps, label=panel.names_breaks)
        self.axes[-1].set_xlim(left, right)
        before = days_between(first, week) // 7
        what = f"Week of {week.day} {week:%b %Y}" + (f" (in progress, to {until:%a} {until.day} {until:%b})" if until else " (highlighted)")
        self._title = (what, f"and the {before} week{'s' if before != 1 else ''} before")
        self._drawn = (week, first, left, right)
        self.layout = None  # keys and ticks are placed by `_lay_out`

    def _lay_out(self, layout: Layout) -> None:
        if self.layout is layout:
            return
        self.layout = layout
        week, first, left, right = self._drawn
        self.figure.set_size_inches(layout.width, layout.height(self.panels), forward=False)
        for panel, ax, rect in zip(self.panels, self.axes, layout.rects(self.panels)):
            ax.set_position(rect)
            # Fixed label places: the y labels line up, and no draw measures the tick labels to place them.
            ax.yaxis.set_label_coords(-(STRIP_LABEL_X if panel.strip else layout.ylabel_x) / (rect[2] * layout.width), 0.5)
        for panel, ax in zip(self.panels, self.axes):
            self._place_key(panel, ax, layout)
            if not panel.strip:  # fewer values on a phone's short panels: readable, and fewer ticks to draw
                ax.yaxis.set_major_locator(MaxNLocator(nbins=layout.y_ticks, steps=[1, 2, 2.5, 5, 10], integer=panel.whole_numbers))
        # dates at every other week start (every fourth on a phone), found once for all the panels
        starts = [d for d in self.days if first <= d <= week]
        ticks = [noon(d) - dt.timedelta(hours=12) for d in starts[:: -layout.tick_weeks][::-1]]
        self.axes[-1].xaxis.set_major_locator(FixedLocator(mdates.date2num(ticks)))
        title = " ".join(self._title) if layout.title_lines == 1 else "\n".join(self._title)
        self.figure.suptitle(title, fontsize=layout.title_size, y=1 - 0.08 / layout.height(self.panels), va="top")

    def _place_key(self, panel: Panel, ax, layout: Layout) -> None:
        """Show ``panel``'s key for ``layout``: the one drawn before when it looks the same, else a new one.

        Each layout keeps its own key per panel; the other's is hidden. Most
        weeks' keys equal the week before's, and making a key's artists costs
        more than drawing them.
        """
        entries = key_entries(ax)
        look = key_look(entries)
        for (name, layout_name), held in self._keys.items():
            if name == panel.name and layout_name != layout.name:
                for artist in held[1]:
                    artist.set_visible(False)
        held = self._keys.get((panel.name, layout.name))
        if held is not None and held[0] == look and all(a.axes is ax for a in held[1]):
            for artist in held[1]:
                artist.set_visible(True)
            return
        if held is not None:
            for artist in held[1]:
                if artist.axes is ax:
                    artist.remove()
        self._keys[(panel.name, layout.name)] = (look, add_key(ax, entries, layout.keys_above or panel.strip, layout.key_size))

    def png(self, week: dt.date | None = None, compress_level: int | None = None) -> bytes:
        """The `WIDE` picture of ``week`` as PNG bytes (see `canvas.rgb_png`)."""
        fig = self.draw(week, WIDE)
        self._flatten()
        fig.canvas.draw()
        return rgb_png(np.asarray(fig.canvas.buffer_rgba()), compress_level)

    def svg(self, week: dt.date | None = None) -> str:
        """The `NARROW` picture of ``week`` as an SVG element, for inlining in HTML (`canvas.svg_element`).

        This week's flag markers link to ``#flag-N``, the report's cards.
        """
        self.draw(week, NARROW)
        self._flatten()
        return svg_element(self.figure)


def weekly_figure(result, week: dt.date | None = None, n_weeks: int = 14, layout: Layout | None = None) -> Figure:
    """The panels on one time axis over ``n_weeks`` ending with ``week``: the report picture (`WIDE` or `NARROW`).

    A new figure each call; `WeeklyPicture` redraws one figure for many weeks.
    Its axes are labelled with their panels' names (`panel_axes`).
    """
    return WeeklyPicture(result, n_weeks).draw(week, layout)
