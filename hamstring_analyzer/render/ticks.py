"""An axis' major ticks drawn as three artists (grid lines, tick marks, labels) instead of five per tick.

Matplotlib draws each tick as its own group of a grid line, two tick marks
and two labels, and lays the whole axis out again at every draw: in the
weekly picture that is about 40% of a picture's drawing time. Once a
picture's view is fixed, `flatten` asks the axis for the very ticks it
would draw (its own locator, formatter and tick look) and draws them as one
collection of grid lines, one line of tick markers and one text per label,
with the tick artists' own colours, widths, fonts and transforms: the
picture looks the same. The axis then draws only its label; `restore`
gives it its ticks back (for a figure handed to a caller, who may zoom).
"""

from __future__ import annotations

import numpy as np
from matplotlib.axis import Axis, XTick
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.text import Text

from .canvas import kept_text
from matplotlib.ticker import NullLocator

#: The gid of the artists `flatten` adds.
GID = "flat-ticks"


def _within(locs: np.ndarray, view: tuple[float, float]) -> np.ndarray:
    """The ticks an axis draws of ``locs``: those inside its view, give or take rounding (as `Axis._update_ticks`)."""
    lo, hi = sorted(view)
    slack = (hi - lo) * 1e-10
    return locs[(locs >= lo - slack) & (locs <= hi + slack)]


class FlatTicks:
    """One axis' major ticks drawn as a few artists of its axes, made once and reused for every view.

    `show` asks the axis for the ticks it would draw now and shows them with
    the tick artists' own look (colours, widths, fonts, transforms), then
    stops the axis drawing its own: it draws only its label. `hide` gives
    the axis its ticks back (for a figure handed to a caller, who may zoom).
    Nothing is flattened when the axis is hidden, has no ticks, or its
    formatter shows an offset (``1e3`` beside the labels), which stays the
    axis' own to draw. The artists carry the gid `GID`.
    """

    def __init__(self, axis: Axis):
        self.axis = axis
        self.locator = None  # the axis' own while its ticks are shown here
        self.grid: Line2D | None = None
        self.marks: Line2D | None = None
        self.labels: list[Text] = []

    def _add(self, artist):
        artist.set(gid=GID, zorder=self.axis.get_zorder(), clip_on=False)
        return self.axis.axes.add_artist(artist)

    def _line(self, model: Line2D, **style) -> Line2D:
        return self._add(Line2D([], [], transform=model.get_transform(), **style))

    def show(self) -> None:
        """Show the ticks the axis would draw for its current view, and keep the axis from drawing them."""
        axis = self.axis
        locator = axis.get_major_locator()
        if not axis.get_visible() or isinstance(locator, NullLocator):
            return
        locs = _within(np.asarray(locator(), float), axis.get_view_interval())
        texts = axis.major.formatter.format_ticks(locs)
        if axis.major.formatter.get_offset():
            return
        tick = axis.get_major_ticks(1)[0]  # how a tick of this axis looks: its params, fonts and transforms
        is_x = isinstance(tick, XTick)

        def points(along: np.ndarray, across: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return (along, across) if is_x else (across, along)

        if tick.gridline.get_visible():
            g = tick.gridline
            if self.grid is None:  # one path for every grid line: NaN breaks it between them
                self.grid = self._line(g, color=g.get_color(), linewidth=g.get_linewidth(), linestyle=g.get_linestyle(), alpha=g.get_alpha(),
                                       antialiased=g.get_antialiased())  # fmt: skip
            along = np.repeat(locs, 3)
            across = np.tile([0.0, 1.0, np.nan], len(locs))
            self.grid.set_data(*points(along, across))
            self.grid.set_visible(True)
        if tick.tick1line.get_visible():
            m = tick.tick1line
            if self.marks is None:
                self.marks = self._line(m, linestyle="None", marker=m.get_marker(), markersize=m.get_markersize(),
                                        markeredgewidth=m.get_markeredgewidth(), markeredgecolor=m.get_markeredgecolor())  # fmt: skip
            self.marks.set_data(*points(locs, np.zeros(len(locs))))
            self.marks.set_visible(True)
        if tick.label1.get_visible():
            model = tick.label1
            while len(self.labels) < len(locs):
                self.labels.append(self._add(kept_text(0, 0, "", fontproperties=model.get_fontproperties(), color=model.get_color(),
                                                  ha=model.get_horizontalalignment(), va=model.get_verticalalignment(), rotation=model.get_rotation(),
                                                  rotation_mode=model.get_rotation_mode(), transform=model.get_transform())))  # fmt: skip
            for label, x, y, text in zip(self.labels, *points(locs, np.zeros(len(locs))), texts):
                label.set_position((x, y))
                label.set_text(text)
                label.set_visible(bool(text))
            for label in self.labels[len(locs) :]:
                label.set_visible(False)
        self.locator = locator
        axis.set_major_locator(NullLocator())

    def hide(self) -> None:
        """Hide the artists and give the axis back its own ticks."""
        if self.locator is None:
            return
        for artist in (self.grid, self.marks, *self.labels):
            if artist is not None:
                artist.set_visible(False)
        self.axis.set_major_locator(self.locator)
        self.locator = None
