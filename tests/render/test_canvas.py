"""The weekly picture's text-keeping Agg canvas draws what matplotlib's own canvas draws; the keys it keeps per panel."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.render import canvas, plots
from hamstring_analyzer.render.legend import key
from hamstring_analyzer.render.panels import DPI, WIDE, WeeklyPicture


@pytest.fixture(scope="module")
def result(sample_export):
    return analyze(sample_export)


def _pixels(picture, week) -> np.ndarray:
    fig = picture.draw(week)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def _blurred(rgb: np.ndarray) -> np.ndarray:
    """Grey levels averaged over 5 x 5 pixels: sub-pixel differences in glyph placement fade, shifted text does not."""
    grey = rgb.mean(axis=2)
    padded = np.pad(grey, 2, mode="edge")
    return sum(padded[i : i + grey.shape[0], j : j + grey.shape[1]] for i in range(5) for j in range(5)) / 25


def test_text_keeping_canvas_matches_plain_agg(result):
    weeks = list(result.weeks.index)
    kept = WeeklyPicture(result)
    plain = WeeklyPicture(result)
    FigureCanvasAgg(plain.figure)  # matplotlib's own canvas, text drawn glyph by glyph
    newer = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 11)
    assert (type(kept.figure.canvas).__name__ == "TextKeepingCanvas") == newer
    for week in (weeks[-1], weeks[-8], weeks[-1]):  # the last week again: drawn from kept texts
        a, b = _pixels(kept, week), _pixels(plain, week)
        assert a.shape == b.shape == (round(WIDE.height() * DPI), 1000, 3)
        # The same picture: glyphs may sit a fraction of a pixel apart, nothing else moves. Measured: 0.65%
        # of the blurred picture differs; text shifted by 2 pixels makes it 1.4%, by 4 pixels 2.1%.
        differ = (np.abs(_blurred(a) - _blurred(b)) > 24).mean()
        assert differ < 0.01, differ
        assert (a != 255).any(axis=2).mean() == pytest.approx((b != 255).any(axis=2).mean(), rel=0.05)
    if newer:
        texts = kept.figure.canvas.get_renderer().__dict__["_texts"]
        assert "km / week" in {key[0] for key in texts}
        assert 30 < len(texts) < 400


def test_key_names_each_labelled_artist_once(result):
    picture = WeeklyPicture(result)
    fig = picture.draw()
    texts = lambda ax: [t.get_text() for t in ax.texts if t.get_gid() == "key"]  # noqa: E731
    assert texts(picture.panel("flags")) == ["warning", "info"]  # no alert in the story since issue 24 (evidence caps)
    assert texts(picture.panel("weekly distance")) == ["your 8-week high"]
    assert texts(picture.panel("cadence")) == ["175 steps/min"]
    assert texts(picture.panel("long-run climb")) == ["long run (16 km or 90 min)", "week's longest, shorter", "treadmill", "flat: under 10"]
    key(picture.panel("weekly distance"), above=False)  # again: replaced, not doubled
    assert texts(picture.panel("weekly distance")) == ["your 8-week high"]
    key(picture.panel("weekly distance"))  # without a placement, a picture's own axes keep the key it placed
    assert texts(picture.panel("weekly distance")) == ["your 8-week high"]
    fig.canvas.draw()
    # left to right, in one row, inside the panel
    climb = picture.panel("long-run climb")
    boxes = [t.get_window_extent() for t in climb.texts if t.get_gid() == "key"]
    xs = [b.x0 for b in boxes]
    assert xs == sorted(xs) and climb.bbox.x0 < xs[0] < xs[-1] < climb.bbox.x1
    assert len({round(b.y0) for b in boxes}) == 1 and boxes[0].y1 < climb.bbox.y1


def test_each_layout_shows_its_own_key_once(result):
    """Keys are kept per layout from week to week: the one shown is the layout's, each entry once, the other hidden."""
    picture = WeeklyPicture(result)
    weeks = list(result.weeks.index)
    climb = picture.panel("long-run climb")
    shown = lambda ax: [t.get_text() for t in ax.texts if t.get_gid() == "key" and t.get_visible()]  # noqa: E731
    rows = lambda ax: len({round(t.get_window_extent().y0) for t in ax.texts if t.get_gid() == "key" and t.get_visible()})  # noqa: E731
    for week in weeks[-3:]:
        picture.png(week)
        assert shown(climb) == ["long run (16 km or 90 min)", "week's longest, shorter", "treadmill", "flat: under 10"]
        assert rows(climb) == 1
        picture.svg(week)
        assert shown(climb) == ["long run (16 km or 90 min)", "week's longest, shorter", "treadmill", "flat: under 10"]
        assert rows(climb) == 3  # the phone's rows above the panel
    kept = [t for t in climb.texts if t.get_gid() == "key"]
    assert len(kept) == 8  # two layouts' keys, not one per week drawn


@pytest.mark.parametrize("size", [7, 8, 9, 10.5, 12])
def test_font_heights_equal_matplotlibs_own_layout(size):
    """Texts laid out with the renderers' cached line metrics land exactly where matplotlib's own lookup puts them."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure

    if not canvas._font_heights_usable():
        pytest.skip("this matplotlib does not ask renderers for line metrics")
    fig = Figure(dpi=100)
    text = fig.text(0.2, 0.3, "Week of 10 Aug\nand 13 weeks", fontsize=size)
    plain = RendererAgg(400, 300, 100)
    kept = canvas._text_keeping_canvas() and canvas._text_keeping_canvas()(fig).get_renderer()
    assert hasattr(kept, "_get_font_height_metrics") and not hasattr(plain, "_get_font_height_metrics")
    assert np.array_equal(text.get_window_extent(kept).get_points(), text.get_window_extent(plain).get_points())
    heights = canvas._font_heights(text.get_fontproperties(), 100.0)
    assert heights[0] > heights[1] > 0  # an ascent above a descent, in pixels


@pytest.mark.parametrize(
    "scatter, dots",
    [
        (dict(s=18, c=["#d6492f", "#4c78a8", "#4c78a8"]), dict(size=18, color=["#d6492f", "#4c78a8", "#4c78a8"])),
        (dict(s=30, marker="o", facecolors="none", edgecolors=["#f2a541", "#4c78a8", "#f2a541"]), dict(size=30, color=["#f2a541", "#4c78a8", "#f2a541"], hollow=True)),
        (dict(s=40, marker="x", color="#f2a541"), dict(size=40, color="#f2a541", marker="x")),
        (dict(s=46, marker="v", color="#c0392b", clip_on=False), dict(size=46, color="#c0392b", marker="v", clip_on=False)),
    ],
)
def test_dots_draw_what_scatter_draws(scatter, dots):
    """The picture's lean scatter: the same SVG, and the same data limits, as ``ax.scatter`` with those arguments."""
    import datetime as dt
    import io

    from matplotlib.figure import Figure

    x = [dt.datetime(2026, 8, d, 12) for d in (3, 5, 12)]
    y = [172.0, 181.5, 168.0]
    svgs, limits = [], []
    for draw in (lambda ax: ax.scatter(x, y, zorder=3, label="dots", **scatter), lambda ax: plots._dots(ax, x, y, zorder=3, label="dots", **dots)):
        fig = Figure(figsize=(4, 2))
        ax = fig.add_subplot()
        draw(ax)
        limits.append(ax.get_xlim() + ax.get_ylim())
        out = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": "t", "svg.id": "t"}):
            fig.savefig(out, format="svg", metadata={"Date": None})
        svgs.append(out.getvalue())
    assert limits[0] == limits[1]
    assert svgs[0] == svgs[1]


@pytest.mark.parametrize("seed", range(8))
def test_longest_of_each_week_is_idxmax(seed):
    """Each week's longest run, first of equals, as pandas' groupby idxmax finds it (distances with ties and gaps)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    weeks = pd.Series(rng.choice(pd.date_range("2026-01-05", periods=8, freq="7D").date, n))
    distance = rng.choice([3000.0, 5000.0, 8000.0, 16000.0, np.nan], n)
    got = plots._longest_of_each_week(weeks, distance)
    frame = pd.DataFrame({"week": weeks, "d": distance}).dropna()
    want = sorted(frame.groupby("week")["d"].idxmax()) if len(frame) else []
    assert sorted(got.tolist()) == want


def test_svg_renderer_writes_the_bytes_matplotlibs_own_writes(result):
    """The kept measures and styles and the one-look scatter change how fast the phone picture is written, not one byte."""
    import io

    from hamstring_analyzer.render.panels import NARROW

    picture = WeeklyPicture(result)
    weeks = list(result.weeks.index)
    uses = 0
    for week in weeks[:2] + weeks[10:12] + weeks[-1:]:
        picture.svg(week)  # the picture as the report draws it: flat ticks, keys above
        fig = picture.figure
        assert picture.layout is NARROW
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": canvas.SVG_SALT, "svg.id": None}):
            ours = canvas.svg_text(fig)
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        assert ours == out.getvalue(), week
        uses += ours.count("<use ")
    assert uses >= 50  # the scatters were drawn point by point, with their shared path


def test_svg_writer_writes_what_matplotlibs_writer_writes_for_any_text():
    import io

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from matplotlib.backends import backend_svg

    mpl_writer = getattr(backend_svg, "_XMLWriter", None) or backend_svg.XMLWriter
    names = st.sampled_from(["g", "path", "text", "a", "use"])
    texts = st.text(alphabet=st.sampled_from("ab &<>\"'-\n\u00e9"), max_size=8)
    steps = st.lists(st.one_of(st.tuples(st.just("start"), names, st.dictionaries(st.sampled_from(["id", "d", "style", "xlink:href"]), texts, max_size=3)),
                               st.tuples(st.just("data"), texts), st.tuples(st.just("end"), st.booleans()), st.tuples(st.just("element"), names, texts, texts),
                               st.tuples(st.just("comment"), texts)), max_size=25)  # fmt: skip

    @settings(max_examples=150, deadline=None)
    @given(steps)
    def check(ops):
        outs = []
        for make in (lambda f: mpl_writer(f), lambda f: canvas._SvgWriter(f.write, [])):
            f = io.StringIO()
            w = make(f)
            depth = 0
            for op in ops:
                if op[0] == "start":
                    w.start(op[1], op[2])
                    depth += 1
                elif op[0] == "data" and depth:
                    w.data(op[1])
                elif op[0] == "end" and depth:
                    w.end(indent=op[1])
                    depth -= 1
                elif op[0] == "element":
                    w.element(op[1], op[2], {"id": op[3]})
                elif op[0] == "comment":
                    w.comment(op[1])
            w.close(0)
            outs.append(f.getvalue())
        assert outs[0] == outs[1]

    check()


def test_png_is_the_same_picture_with_isal_zlib_or_any_level(result, monkeypatch):
    import io
    import sys

    from PIL import Image

    picture = WeeklyPicture(result)
    rgba = np.asarray(picture.draw(list(result.weeks.index)[12]).canvas.draw() or picture.figure.canvas.buffer_rgba()).copy()
    fast = canvas.rgb_png(rgba)
    monkeypatch.setitem(sys.modules, "isal", None)  # not installed: zlib's level 3
    plain = canvas.rgb_png(rgba)
    for png in (fast, plain, canvas.rgb_png(rgba, 9), canvas.rgb_png(rgba, 0)):
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")), rgba)
    assert len(canvas.rgb_png(rgba, 9)) < len(plain) < len(canvas.rgb_png(rgba, 0)) / 10
    assert len(fast) < 1.25 * len(plain)  # ISA-L's level 1 packs a chart nearly as tight as zlib's 3


def test_kept_text_is_laid_out_as_matplotlib_lays_out_text():
    import itertools

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    assert canvas._layout_keepable()  # this matplotlib: kept layouts are in use (a newer one may turn them off)
    fig = Figure(figsize=(4, 3), dpi=DPI)
    canvas.agg_canvas(fig)
    renderer = fig.canvas.get_renderer()

    @settings(max_examples=60, deadline=None)
    @given(st.text(alphabet=st.sampled_from("ab1 %\n-\u00e9"), min_size=1, max_size=12), st.sampled_from([8, 10, 12.5]), st.floats(0, 1), st.floats(0, 1))
    def check(s, size, x, y):
        for rotation, ha, va in itertools.product([0, 90, 33.5], ["left", "center", "right"], ["top", "center", "baseline", "center_baseline"]):
            look = dict(rotation=rotation, ha=ha, va=va, fontsize=size, transform=fig.transFigure)
            kept, plain = canvas.kept_text(y, x, s, **look), Text(x, y, s, **look)
            assert type(kept) is not Text
            for t in (kept, plain):
                t.set_figure(fig)
            kept.get_window_extent(renderer)  # laid out where it first sat, then moved: the layout is held
            kept.set_position((x, y))
            assert kept.get_window_extent(renderer).bounds == plain.get_window_extent(renderer).bounds, (rotation, ha, va)

    check()
