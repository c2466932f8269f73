"""Canvases that draw the report's pictures fast and the same every time: PNG bytes and SVG text.

A weekly report draws the same labels, ticks and keys week after week.
Matplotlib measures and renders each of them again at every draw; the
canvas and the SVG renderer here keep what they measured and rendered, with
matplotlib's own arithmetic, so the pictures are the ones matplotlib draws,
pixel for pixel, in less time. `rgb_png` writes the PNG.
"""

from __future__ import annotations

import functools
import io
import math
import re
import struct
import zlib

import matplotlib
import numpy as np
from matplotlib.figure import Figure

#: The SVG's ids are salted with this: the same picture gives the same bytes.
SVG_SALT = "hamstring-analyzer"


def svg_element(figure: Figure) -> str:
    """``figure`` as one ``<svg>`` element on one line, for inlining in HTML.

    Text stays text (the browser's sans-serif font, sharp at any zoom); the
    same figure gives the same characters.
    """
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": SVG_SALT, "svg.id": None}):
        text = svg_text(figure)
    text = text[text.index("<svg") :]
    a, b = text.find("<metadata>"), text.find("</metadata>")
    if a >= 0 and b > a:  # a licence stanza with namespace URLs: nothing a page needs
        text = text[:a] + text[b + len("</metadata>") :]
    return re.sub(r"\s*\n\s*", " ", text).strip()  # indentation and one point per line: a fifth of the bytes


def svg_text(figure: Figure) -> str:
    """``figure`` as SVG, as ``savefig(format="svg")`` writes it, measuring each distinct text once per process.

    Matplotlib's SVG output makes a new renderer per file, and so measures
    every label again in every picture: a tenth of the phone picture's time.
    """
    from matplotlib.backends.backend_mixed import MixedModeRenderer

    out = io.StringIO()
    dpi = figure.dpi
    figure.dpi = 72  # SVG's user unit is the point
    try:
        width, height = figure.get_size_inches()
        svg = _measuring_svg_renderer()(width * 72, height * 72, out, image_dpi=dpi, metadata={"Date": None, "Creator": None})
        renderer = MixedModeRenderer(figure, width, height, dpi, svg)
        figure.draw(renderer)
        renderer.finalize()
    finally:
        figure.dpi = dpi
    return out.getvalue()


def _cdata(text: str) -> str:
    """``text`` escaped as XML character data, as matplotlib's SVG writer escapes it."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _quoted(value: str) -> str:
    """An attribute value quoted and escaped as matplotlib's SVG writer does: double quotes, else single, else entities."""
    if '"' not in value:
        return f'"{_cdata(value)}"'
    if "'" not in value:
        return f"'{_cdata(value)}'"
    return '"' + _cdata(value).replace("'", "&apos;").replace('"', "&quot;") + '"'


class _SvgWriter:
    """Writes the same characters as matplotlib's SVG XML writer (indentation, escaping, ``/>``), with less work.

    Matplotlib's writer escapes every tag, name and value with a chain of
    replacements, even when there is nothing to escape: a sixth of the phone
    picture's time. It takes over from matplotlib's writer once the
    renderer has written the document's head (`taking_over`).
    """

    INDENT = " " * 64  # matplotlib's: deeper elements are indented as far as this

    def __init__(self, write, tags: list):
        self._write = write
        self._tags = tags
        self._open = False  # a start tag's ">" is still to write
        self._data: list = []

    @classmethod
    def taking_over(cls, writer, file):
        """A writer going on from matplotlib's ``writer`` on ``file``; ``writer`` itself when its state cannot be read."""
        state = [getattr(writer, f"_{type(writer).__mro__[-2].__name__.lstrip('_')}__{name}", None) for name in ("tags", "open", "data")]
        tags, opened, data = state
        if not isinstance(tags, list) or opened != 0 or data != []:
            return writer
        return cls(file.write, list(tags))

    def _flush(self, indent: bool = True) -> None:
        if self._open:
            self._write(">\n" if indent else ">")
            self._open = False
        if self._data:
            self._write(_cdata("".join(self._data)))
            self._data = []

    def start(self, tag, attrib=None, **extra) -> int:
        self._flush()
        tag = _cdata(tag)
        self._tags.append(tag)
        parts = [self.INDENT[: len(self._tags) - 1], "<", tag]
        for key, value in ({**attrib, **extra} if attrib else extra).items():
            if value:
                parts += (" ", _cdata(key), "=", _quoted(value))
        self._write("".join(parts))
        self._open = True
        return len(self._tags) - 1

    def comment(self, comment) -> None:
        self._flush()
        self._write(self.INDENT[: len(self._tags)])
        self._write(f"<!-- {re.sub(r'-(?=-)', '- ', _cdata(comment))} -->\n")

    def data(self, text) -> None:
        self._data.append(text)

    def end(self, tag=None, indent: bool = True) -> None:
        if tag is not None and _cdata(tag) != self._tags[-1]:
            raise ValueError(f"expected end({self._tags[-1]}), got {tag}")
        tag = self._tags.pop()
        if self._data:
            self._flush(indent)
        elif self._open:
            self._open = False
            self._write("/>\n")
            return
        if indent:
            self._write(self.INDENT[: len(self._tags)])
        self._write(f"</{tag}>\n")

    def close(self, id) -> None:
        while len(self._tags) > id:
            self.end()

    def element(self, tag, text=None, attrib=None, **extra) -> None:
        self.start(tag, attrib, **extra)
        if text:
            self.data(text)
        self.end(indent=False)

    def flush(self) -> None:
        pass  # a StringIO: nothing held


_svg_class: list = []
_heights: dict = {}


def _font_heights_usable() -> bool:
    """Whether this matplotlib asks renderers for a font's line metrics and finds fonts as `_font_heights` does."""
    import inspect

    from matplotlib import font_manager, text

    try:
        layout = inspect.getsource(text.Text._get_layout)
    except (OSError, TypeError):
        return False
    return "_get_font_height_metrics" in layout and "sTypoLineGap" in layout and hasattr(font_manager.fontManager, "_find_fonts_by_props")


def _font_heights(prop, dpi: float) -> tuple:
    """A font's ascent, descent and line gap [pixels at ``dpi``], as matplotlib's text layout reads them, read once.

    Matplotlib 3.11 looks the font up and reads its OS/2 or hhea table for
    every text at every draw (a twelfth of a weekly picture's time); a
    renderer may answer instead, and ours answer from here. The arithmetic
    is matplotlib's own, so every text lands on the same pixel.
    """
    key = (hash(prop), dpi)
    held = _heights.get(key)
    if held is None:
        from matplotlib.font_manager import fontManager, get_font

        font = get_font(fontManager._find_fonts_by_props(prop))
        held = (None, None, None)  # no table: matplotlib measures "lp" instead
        for table_name, linegap_key, ascent_key, descent_key in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent"),
        ):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
            held = (table[ascent_key] * scale, -table[descent_key] * scale, table[linegap_key] * scale)
            break
        if len(_heights) >= 256:
            _heights.clear()
        _heights[key] = held
    return held


def _measuring_svg_renderer():
    if not _svg_class:
        from matplotlib.backends.backend_svg import RendererSVG
        from matplotlib.transforms import IdentityTransform

        class MeasuringRendererSVG(RendererSVG):
            measures: dict = {}

            def __init__(self, width, height, svgwriter, *args, **kwargs):
                super().__init__(width, height, svgwriter, *args, **kwargs)
                self.writer = _SvgWriter.taking_over(self.writer, svgwriter)

            if _font_heights_usable():

                def _get_font_height_metrics(self, prop):
                    return _font_heights(prop, 72.0)  # the figure is drawn at 72 dpi (see `svg_text`)

            def get_text_width_height_descent(self, s, prop, ismath):
                if ismath:
                    return super().get_text_width_height_descent(s, prop, ismath)
                key = (s, hash(prop))
                if key not in self.measures:
                    if len(self.measures) >= 4096:
                        self.measures.clear()
                    self.measures[key] = super().get_text_width_height_descent(s, prop, ismath)
                return self.measures[key]

            styles: dict = {}

            def _get_style(self, gc, rgbFace):
                # A picture has a few dozen distinct styles and draws hundreds of elements: each style's
                # CSS is made once per process, from what matplotlib's own `_get_style_dict` reads.
                if gc.get_hatch() is not None:  # a hatch's pattern id is the renderer's own
                    return super()._get_style(gc, rgbFace)
                offset, dashes = gc.get_dashes()
                key = (None if rgbFace is None else tuple(rgbFace), gc.get_forced_alpha(), gc.get_alpha(), offset,
                       None if dashes is None else tuple(dashes), gc.get_linewidth(), tuple(gc.get_rgb()), gc.get_joinstyle(),
                       gc.get_capstyle())  # fmt: skip
                style = self.styles.get(key)
                if style is None:
                    if len(self.styles) >= 4096:
                        self.styles.clear()
                    style = self.styles[key] = super()._get_style(gc, rgbFace)
                return style

            def _iter_collection(self, gc, path_ids, offsets, offset_trans, *rest, **hatches):
                # A scatter of one path (the cadence dots): matplotlib sets up a graphics context again for
                # every point. Here matplotlib sets one up per distinct look (face, edge and hatch colour),
                # for one point at the origin, and every finite point in that look is drawn with it.
                # ``rest``: face and edge colours, widths, styles, antialiasing, urls and the offset
                # position; ``hatches``: the hatch colours (matplotlib 3.11).
                n = len(offsets)
                per_point = [rest[0], rest[1], *hatches.values()]
                if len(path_ids) != 1 or n < 2 or any(len(x) > 1 for x in rest[2:6]) or {len(x) for x in per_point} - {0, 1, n}:
                    yield from super()._iter_collection(gc, path_ids, offsets, offset_trans, *rest, **hatches)
                    return
                points = np.asarray(offset_trans.transform(offsets), float)
                finite = np.isfinite(points).all(axis=1)
                looks: dict = {}  # the look's colours -> (matplotlib's generator, held at its one point; what it gave)
                try:
                    for i, (xo, yo) in enumerate(points.tolist()):
                        if not finite[i]:
                            continue
                        look = [[x[i % len(x)]] if len(x) else [] for x in per_point]
                        key = tuple(tuple(map(tuple, c)) for c in look)
                        if key not in looks:
                            kw = dict(zip(hatches, look[2:]))
                            one = super()._iter_collection(gc, path_ids, np.zeros((1, 2)), IdentityTransform(), *look[:2], *rest[2:], **kw)
                            looks[key] = (one, next(one, None))
                        given = looks[key][1]
                        if given is not None:  # None: matplotlib draws nothing in this look
                            yield xo, yo, given[2], given[3], given[4]
                finally:
                    for one, _ in looks.values():
                        for _ in one:  # to its end: matplotlib restores its graphics context there
                            pass

        _svg_class.append(MeasuringRendererSVG)
    return _svg_class[0]


def _layout_keepable() -> bool:
    """Whether this matplotlib lays text out in ``Text._get_layout(renderer)`` from what `KeptText` keys it by."""
    import inspect

    from matplotlib.text import Text

    try:
        source = inspect.getsource(Text._get_layout)
    except (OSError, TypeError, AttributeError):
        return False
    read = set(re.findall(r"self\.(\w+)", source))
    known = {"_get_wrapped_text", "get_figure", "get_usetex", "_fontproperties", "_preprocess_math", "_linespacing", "_get_multialignment",
             "get_rotation", "_horizontalalignment", "_verticalalignment", "get_rotation_mode", "_ha_for_angle", "_va_for_angle", "figure"}  # fmt: skip
    return list(inspect.signature(Text._get_layout).parameters) == ["self", "renderer"] and read <= known


def kept_text(*args, **kwargs):
    """A `matplotlib.text.Text` that lays itself out once per look (`KeptText`) where this matplotlib allows, else a Text."""
    from matplotlib.text import Text

    return (_kept_text_class() or Text)(*args, **kwargs)


_layouts: dict = {}


@functools.cache
def _kept_text_class():
    """The `KeptText` class, or None when this matplotlib lays text out from more than it is keyed by."""
    if not _layout_keepable():
        return None
    from matplotlib.text import Text

    class KeptText(Text):
        """A text whose layout is computed once per look and kept: a text's layout does not depend on where it sits.

        A weekly picture draws the same tick labels and key texts week
        after week; matplotlib lays each out again at every draw (the
        lines, their metrics, the rotated box). The layout is keyed by
        everything matplotlib's own reads, so it is the same layout.
        """

        def _get_layout(self, renderer):
            if self.get_wrap():  # where a wrapped text breaks depends on where it sits
                return super()._get_layout(renderer)
            key = (type(renderer), self.get_figure(root=True).dpi, self.get_text(), hash(self._fontproperties), self.get_usetex(),
                   self.get_parse_math(), self._linespacing, self._get_multialignment(), self.get_rotation(), self._horizontalalignment,
                   self._verticalalignment, self.get_rotation_mode())  # fmt: skip
            held = _layouts.get(key)
            if held is None:
                if len(_layouts) >= 4096:
                    _layouts.clear()
                held = _layouts[key] = super()._get_layout(renderer)
            return held

    return KeptText


def agg_canvas(figure: Figure):
    """Attach an Agg canvas to ``figure``; one that keeps each rendered text when this matplotlib allows it.

    Matplotlib 3.11 renders text glyph by glyph from Python, and the weekly
    picture redraws the same labels, ticks and legends week after week. The
    canvas made here renders each distinct text once, as matplotlib 3.10
    did (a whole string drawn to one bitmap by FreeType), and pastes that
    bitmap at every draw: the pictures look the same and draw about a third
    faster. Other matplotlib versions get the plain Agg canvas.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    cls = _text_keeping_canvas()
    return (cls or FigureCanvasAgg)(figure)


_canvas_class: list = []


def _text_keeping_canvas():
    if _canvas_class:
        return _canvas_class[0]
    from matplotlib.backends import backend_agg
    from matplotlib.ft2font import FT2Font

    version = tuple(int(p) for p in matplotlib.__version__.split(".")[:2] if p.isdigit())
    usable = version >= (3, 11) and all(hasattr(FT2Font, m) for m in ("set_text", "draw_glyphs_to_bitmap", "get_image", "get_bitmap_offset"))
    cls = None
    if usable:

        class TextKeepingRenderer(backend_agg.RendererAgg):
            MAX_TEXTS = 4096

            if _font_heights_usable():

                def _get_font_height_metrics(self, prop):
                    return _font_heights(prop, self.dpi)

            def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
                if ismath or (mtext is not None and (mtext.get_fontfeatures() or mtext.get_language())):
                    return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
                held = self.__dict__.setdefault("_texts", {})
                key = (s, hash(prop), gc.get_antialiased(), self.dpi)
                text = held.get(key)
                if text is None:
                    font = self._prepare_font(prop)
                    font.set_text(s, 0, flags=backend_agg.get_hinting_flag())
                    font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
                    xo, yo = font.get_bitmap_offset()
                    text = (np.array(font.get_image()), font.get_descent() / 64.0, xo / 64.0, yo / 64.0)
                    if len(held) >= self.MAX_TEXTS:
                        held.clear()
                    held[key] = text
                image, descent, xo, yo = text
                xd = descent * math.sin(math.radians(angle))
                yd = descent * math.cos(math.radians(angle))
                self._renderer.draw_text_image(image, round(x + xo + xd), round(y + yo + yd), angle, gc)

        class TextKeepingCanvas(backend_agg.FigureCanvasAgg):
            def get_renderer(self):
                # One renderer per size, kept: a picture laid out wide and narrow in turn keeps the texts of both.
                w, h = self.figure.bbox.size
                key = w, h, self.figure.dpi
                if self._lastKey != key:
                    held = self.__dict__.setdefault("_renderers", {})
                    if key not in held:
                        if len(held) >= 4:
                            held.clear()
                        held[key] = TextKeepingRenderer(w, h, self.figure.dpi)
                    self.renderer = held[key]
                    self._lastKey = key
                return self.renderer

        cls = TextKeepingCanvas
    _canvas_class.append(cls)
    return cls


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _deflate(data: bytes, level: int | None) -> bytes:
    """``data`` as a zlib stream. ``level`` None: ISA-L's level 1 when `isal` is installed, else zlib's level 3.

    On the weekly picture (3.4 MB of pixels) ISA-L's level 1 takes 0.5 ms for
    a PNG of 77 KB where zlib's level 3 takes 4.5 ms for 72 KB: a tenth of
    ``report --all``'s time per week went to zlib.
    """
    if level is None:
        try:
            from isal import isal_zlib
        except ImportError:
            return zlib.compress(data, 3)
        return isal_zlib.compress(data, 1)
    return zlib.compress(data, level)


def rgb_png(rgba: np.ndarray, compress_level: int | None = None) -> bytes:
    """A PNG of an opaque ``(height, width, 4)`` uint8 picture: 8-bit RGB, rows unfiltered.

    Charts are mostly runs of one colour, which deflate packs well as they
    are: unfiltered rows come out smaller than Pillow's adaptively filtered
    ones at its default level, in a fraction of the time. ``compress_level``:
    zlib's level (0-9); None: the fastest good one at hand (`_deflate`).
    """
    from PIL import Image

    height, width = rgba.shape[:2]
    rgb = Image.fromarray(np.ascontiguousarray(rgba), "RGBA").convert("RGB").tobytes()  # Pillow drops alpha fastest
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter type 0, then R G B ...
    rows[:, 1:] = np.frombuffer(rgb, np.uint8).reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", _deflate(rows.tobytes(), compress_level))
        + _png_chunk(b"IEND", b"")
    )
