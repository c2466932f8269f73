"""The library's charts (`render.plots`) drawn alone: date labels that never overlap, whatever the span."""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import pytest
from matplotlib.figure import Figure

from hamstring_analyzer.render.canvas import agg_canvas
from hamstring_analyzer.render.plots import plot_flags, plot_symptoms
from hamstring_analyzer.rules.registry import Flag
from hamstring_analyzer.symptoms import SymptomEntry

START = dt.date(2026, 3, 2)
#: A week, a season and five years of dates: the spans a notebook draws.
SPANS = {"1 week": 7, "3 weeks": 21, "3 months": 91, "5 years": 5 * 365}


def _days(span: int) -> list[dt.date]:
    step = max(1, span // 40)
    return [START + dt.timedelta(days=d) for d in range(0, span, step)]


def _flags(span: int) -> list[Flag]:
    return [Flag("low_cadence", ("info", "warning", "alert")[i % 3], d - dt.timedelta(days=d.weekday()), d, None, 160.0, 170.0, "spm")
            for i, d in enumerate(_days(span))]  # fmt: skip


def _symptoms(span: int) -> list[SymptomEntry]:
    return [SymptomEntry(d, 1 + i % 9, kind=("tightness", "pain")[i % 2]) for i, d in enumerate(_days(span))]


def _date_labels(ax) -> list:
    """The drawn x tick labels (and the concise formatter's offset) with text, as window boxes."""
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.canvas.draw()
    labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
    offset = ax.xaxis.get_offset_text()
    labels += [offset] if offset.get_visible() and offset.get_text() else []
    return [(t.get_text(), t.get_window_extent(renderer)) for t in labels]


@pytest.mark.parametrize("span", list(SPANS.values()), ids=list(SPANS))
@pytest.mark.parametrize("draw, data", [(plot_flags, _flags), (plot_symptoms, _symptoms)], ids=["flags", "symptoms"])
@pytest.mark.parametrize("width", [8, 4])
def test_date_labels_never_overlap(draw, data, span, width):
    ax = draw(data(span), ax=Figure(figsize=(width, 3)).add_subplot())
    agg_canvas(ax.figure)
    labels = _date_labels(ax)
    assert len(labels) >= 3, [t for t, _ in labels]  # dates are shown, not left out to avoid the question
    for i, (a, box_a) in enumerate(labels):
        for b, box_b in labels[i + 1:]:
            assert not box_a.overlaps(box_b), (a, b, [t for t, _ in labels])
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)


def test_a_chart_alone_draws_its_own_figure_with_readable_dates():
    ax = plot_flags(_flags(91))  # no ax: a new Figure of its own
    agg_canvas(ax.figure)
    assert [t for t, _ in _date_labels(ax)] == ["Mar", "Apr", "May", "Jun", "2026"]  # before: "2026-03-01" at every tick
    week = plot_symptoms(_symptoms(7))
    agg_canvas(week.figure)
    assert [t for t, _ in _date_labels(week)] == ["03", "04", "05", "06", "07", "08", "Mar 2026"]


def test_a_formatter_the_caller_chose_is_kept():
    """The weekly picture sets its own "12 Jul" dates on the shared axis: a chart drawn on it leaves them."""
    ax = Figure(figsize=(8, 3)).add_subplot()
    ax.xaxis.update_units([dt.datetime(2026, 3, 2)])
    mine = mdates.DateFormatter("%d %b")
    ax.xaxis.set_major_formatter(mine)
    plot_symptoms(_symptoms(91), ax=ax)
    assert ax.xaxis.get_major_formatter() is mine
