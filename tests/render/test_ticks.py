"""Flattened ticks (`render.ticks`) look like the axis' own, and a figure handed out gets its own ticks back."""

from __future__ import annotations

import collections
import io
import re

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.render import ticks
from hamstring_analyzer.render.panels import WeeklyPicture
from hamstring_analyzer.symptoms import read_log

from ..conftest import SAMPLE_RUNS


@pytest.fixture(scope="module")
def result(sample_export):
    return analyze(sample_export, symptoms=read_log(SAMPLE_RUNS / "symptoms.csv"))


def _axis_drawn(result) -> WeeklyPicture:
    """A picture whose axes draw their ticks themselves (matplotlib's way)."""
    picture = WeeklyPicture(result)
    picture._flatten = lambda: None
    return picture


def _texts(svg: str) -> collections.Counter:
    return collections.Counter(re.findall(r"<text [^>]*>[^<]*</text>", svg))


def test_flat_ticks_draw_what_the_axes_draw(result):
    flat, own = WeeklyPicture(result), _axis_drawn(result)
    weeks = list(result.weeks.index)
    for week in weeks[:2] + weeks[9:11] + weeks[-2:]:
        a, b = (mpimg.imread(io.BytesIO(p.png(week)))[..., :3] for p in (flat, own))
        differ = np.any(a != b, axis=-1)
        # every label, grid line and date on the same pixels: only the grid lines' antialiasing may shade differently
        assert differ.mean() < 0.005 and np.abs(a - b).max() <= 32 / 255, (week, differ.mean(), np.abs(a - b).max())
        svg_flat, svg_own = flat.svg(week), own.svg(week)
        assert _texts(svg_flat) == _texts(svg_own) and sum(_texts(svg_own).values()) >= 30  # the same labels at the same places
        assert len(svg_flat) < len(svg_own)


def test_a_figure_handed_out_has_the_axes_own_ticks(result):
    picture = WeeklyPicture(result)
    week = list(result.weeks.index)[5]
    picture.png(week)
    distance = picture.panel("weekly distance")
    assert isinstance(distance.yaxis.get_major_locator(), NullLocator)  # drawn flat
    fig = picture.draw(week)  # handed out: a caller may zoom
    assert not isinstance(distance.yaxis.get_major_locator(), NullLocator) and len(distance.get_yticks()) >= 3
    assert not [a for a in distance.get_children() if a.get_gid() == ticks.GID and a.get_visible()]
    distance.set_ylim(0, 1000)
    fig.canvas.draw()
    assert [t.get_text() for t in distance.get_yticklabels() if t.get_text()][-1] in ("1000", "1,000")


def test_an_offset_or_hidden_axis_stays_the_axes_own():
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_ylim(1e6, 1e6 + 10)  # labels 0..10 with "+1e6" beside them
    ax.xaxis.set_visible(False)
    for axis in (ax.yaxis, ax.xaxis):
        locator = axis.get_major_locator()
        flat = ticks.FlatTicks(axis)
        flat.show()
        assert axis.get_major_locator() is locator and flat.labels == []
    ax.set_ylim(0, 10)
    flat = ticks.FlatTicks(ax.yaxis)
    flat.show()
    assert [t.get_text() for t in flat.labels if t.get_visible()] == ["0", "2", "4", "6", "8", "10"]
    flat.hide()
    assert not isinstance(ax.yaxis.get_major_locator(), NullLocator) and not any(t.get_visible() for t in flat.labels)
