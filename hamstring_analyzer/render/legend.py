"""The panels' keys, drawn as plain artists: matplotlib's legend look without its layout cost.

Matplotlib's legend measures every entry again at each draw, which in a report
of hundreds of weeks is a sixth of the time. A key here is made once from the
labelled artists of an axes (`key_entries`), compared by its look
(`key_look`) so that a picture can keep it for the next week, and drawn
inside the panel's upper left or in rows above it (`add_key`).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import IdentityTransform

from .canvas import kept_text

#: The key's geometry, in font sizes (matplotlib's legend defaults): margin from the axes corner,
#: handle length, gap from handle to label, gap between entries.
KEY_FONTSIZE = 8
KEY_MARGIN, KEY_HANDLE, KEY_PAD, KEY_GAP = 0.9, 2.0, 0.8, 2.0
_text_widths: dict = {}


def key(ax, above: bool | None = None, fontsize: float = KEY_FONTSIZE):
    """A key of the labelled artists of ``ax``, as plain artists: one row in its upper left, or rows above it.

    Inside, it looks like ``ax.legend(loc="upper left", frameon=False, ncol=len(entries))``
    at font size 8, but costs no layout: matplotlib's legend measures every
    entry again at each draw, which in a report of hundreds of weeks is a
    sixth of the time. ``above`` puts it in rows over the panel instead,
    wrapped at the panel's width (the narrow picture, where one row does not
    fit), at ``fontsize`` [points]. Calling it again replaces the key. On the axes of a `WeeklyPicture`
    a call without ``above`` does nothing: the picture places the keys for its layout.
    """
    if above is None and getattr(ax, "_keys_by_picture", False):
        return ax
    for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
        if artist.get_gid() == "key":
            artist.remove()
    add_key(ax, key_entries(ax), bool(above), fontsize)
    return ax


def key_entries(ax) -> list[tuple[str, str, dict]]:
    """``(label, kind, style)`` of each labelled artist of ``ax``: all a key entry is drawn from."""
    entries = []
    for handle, label in zip(*ax.get_legend_handles_labels()):
        if isinstance(handle, Line2D):
            entries.append((label, "line", dict(color=handle.get_color(), linestyle=handle.get_linestyle(), linewidth=handle.get_linewidth())))
        elif isinstance(handle, PathCollection):
            face, edge = handle.get_facecolor(), handle.get_edgecolor()
            entries.append((label, "dot", dict(
                paths=handle.get_paths()[:1], sizes=handle.get_sizes()[:1], facecolors=face[:1] if len(face) else "none",
                edgecolors=edge[:1] if len(edge) else "face", linewidths=handle.get_linewidths()[:1],
            )))  # fmt: skip
        elif isinstance(handle, PolyCollection):  # a hatched bar: `plots._partial_bars`
            entries.append((label, "bar", dict(
                facecolor=handle.get_facecolor()[0], edgecolor=handle.get_edgecolor()[0], hatch=handle.get_hatch(),
                alpha=handle.get_alpha(), linewidth=handle.get_linewidth()[0],
            )))  # fmt: skip
        else:
            entries.append((label, "box", dict(facecolor=handle.get_facecolor())))
    return entries


def key_look(entries: list) -> tuple:
    """What the key of ``entries`` looks like, as a comparable value: equal values, the same key."""

    def frozen(v):
        if isinstance(v, np.ndarray):
            return (v.dtype.str, v.shape, v.tobytes())
        if isinstance(v, (list, tuple)):
            return tuple(frozen(x) for x in v)
        if hasattr(v, "vertices"):  # a marker's path
            return ("path", frozen(v.vertices), frozen(v.codes))
        return v

    return tuple((label, kind, tuple((k, frozen(v)) for k, v in sorted(style.items()))) for label, kind, style in entries)


def add_key(ax, entries: list, above: bool, fontsize: float) -> list:
    """Draw the key of ``entries`` (see `key_entries`) on ``ax``; return its artists."""
    if not entries:
        return []
    fig = ax.figure
    em = fontsize * fig.dpi / 72.0  # pixels
    width, height = ax.bbox.width, ax.bbox.height
    if width <= 0 or height <= 0:
        return []
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    prop = FontProperties(size=fontsize)
    start = 0.0 if above else KEY_MARGIN * em
    rows, x = [[]], start  # entries as (label, kind, style, x) per row
    for label, kind, style in entries:
        size = (KEY_HANDLE + KEY_PAD) * em + _text_width(label, prop, renderer, em)
        if above and rows[-1] and x + size > width:
            rows.append([])
            x = start
        rows[-1].append((label, kind, style, x))
        x += size + KEY_GAP * em
    line = 1.25 * em
    made = []
    for r, row in enumerate(rows):
        if above:
            y = 1.0 + (0.35 * em + (len(rows) - 1 - r + 0.5) * line) / height
        else:
            y = 1.0 - (KEY_MARGIN * em + 0.5 * em * 1.2) / height
        for label, kind, style, x in row:
            x0, x1 = x / width, (x + KEY_HANDLE * em) / width
            common = dict(transform=ax.transAxes, gid="key", zorder=5, clip_on=False)
            if kind == "line":
                handle = Line2D([x0, x1], [y, y], **style, **common)
            elif kind == "dot":
                handle = PathCollection(style["paths"], sizes=style["sizes"], offsets=[((x0 + x1) / 2, y)], offset_transform=ax.transAxes,
                                        facecolors=style["facecolors"], edgecolors=style["edgecolors"], linewidths=style["linewidths"],
                                        gid="key", zorder=5, clip_on=False)  # fmt: skip
                handle.set_transform(IdentityTransform())
            elif kind == "bar":
                h = 0.9 * em / height
                handle = Rectangle((x0, y - h / 2), x1 - x0, h, **style, **common)
            else:
                h = 0.7 * em / height
                handle = Rectangle((x0, y - h / 2), x1 - x0, h, facecolor=style["facecolor"], edgecolor="none", **common)
            made.append(ax.add_artist(handle))
            text = kept_text((x + (KEY_HANDLE + KEY_PAD) * em) / width, y, label, fontsize=fontsize, va="center", ha="left", transform=ax.transAxes, gid="key", zorder=5, clip_on=False)
            made.append(ax.add_artist(text))
    return made


def _text_width(text: str, prop, renderer, em: float) -> float:
    """Width of ``text`` at the key's font [pixels], measured once."""
    k = (text, em)
    if k not in _text_widths:
        if renderer is None:
            return 0.55 * em * len(text)
        _text_widths[k] = renderer.get_text_width_height_descent(text, prop, ismath=False)[0]
    return _text_widths[k]
