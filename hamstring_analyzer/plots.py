"""Charts of an analysis. Each helper takes ``ax=None``, draws on it and returns it.

Each takes what the library returns: an `analysis.Analysis` (or an
`export.Export`, analysed with the default config), its ``weeks`` or ``runs``
frame, its flags, and for symptoms the list `symptoms.read_log` returns.

No pyplot state: `weekly_figure` builds a `matplotlib.figure.Figure` directly,
so the library is safe in servers, tests and notebooks alike.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
import zlib
from dataclasses import dataclass

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator

from . import units as u
from .config import Config
from .metrics.weekly import day_of

COLORS = {
    "bar": "#4c78a8",
    "warning": "#f2a541",
    "alert": "#d6492f",
    "ok": "#59a14f",
    "line": "#555555",
    "layoff": "#bbbbbb",
    "highlight": "#fff3b0",
    "symptom": "#9c4f96",
    "info": "#7f8c99",
}
#: Flag markers by severity: the colours of the HTML report's badges.
SEVERITY_STYLE = {"alert": ("v", "#c0392b"), "warning": ("v", "#d98a1c"), "info": ("o", "#7f8c99")}
KIND_COLORS = {"tightness": "#9c4f96", "fatigue": "#7a7fb8", "burning": "#e0712f", "pain": "#c1272d", "cramp": "#3b8d99"}


def _ax(ax):
    if ax is None:
        ax = Figure(figsize=(8, 3)).add_subplot()
    return ax


def _analysed(data, config: Config | None, part: str):
    """``(part, config)`` of what the library returns: an Analysis, an Export (analysed here) or the part itself."""
    from .analysis import Analysis, analyze
    from .ingest import Export

    if isinstance(data, Export):
        data = analyze(data, config)
    if isinstance(data, Analysis):
        return getattr(data, part), config or data.config
    return data, config or Config()


def _week_days(weeks) -> list[dt.date]:
    from .report import week_days  # the one place that reads week dates from a weekly frame

    return week_days(weeks)


def _mid(week: dt.date) -> dt.datetime:
    return dt.datetime.combine(week, dt.time()) + dt.timedelta(days=3.5)


def _day(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(12))


def _bars(ax, x: list, heights, colors: list, width_days: float = 5.5, zorder: float = 2):
    """Bars centred on the datetimes ``x``, as one collection: ``ax.bar``'s look at a fraction of its cost."""
    if not len(x):
        return None
    ax.xaxis.update_units(x)  # a date axis, as ax.bar makes it
    mid = mdates.date2num(x)
    heights = np.asarray(heights, float)
    left, right = mid - width_days / 2, mid + width_days / 2
    verts = np.stack([np.c_[left, np.zeros_like(heights)], np.c_[left, heights], np.c_[right, heights], np.c_[right, np.zeros_like(heights)]], axis=1)
    bars = PolyCollection(verts, facecolors=colors, edgecolors="none", linewidths=0, zorder=zorder)
    bars.sticky_edges.y.append(0)
    ax.add_collection(bars, autolim=True)
    ax._request_autoscale_view()  # matplotlib 3.11 does it in add_collection; 3.8-3.10 leave the view as it was
    return bars


def _dots(ax, x, y, size: float, color=None, marker: str = "o", hollow: bool = False, **props):
    """``ax.scatter(x, y, s=size, c=color, marker=marker)`` as scatter draws it, at a third of its cost.

    ``color`` is one colour or one per dot; ``hollow`` rings filled markers
    in it instead (scatter's ``facecolors="none", edgecolors=color``).
    ``props`` (label, zorder, clip_on) go to the collection. The dots count in
    the data limits by their centres, as scatter's do.
    """
    from matplotlib.collections import PathCollection
    from matplotlib.markers import MarkerStyle
    from matplotlib.transforms import IdentityTransform

    ax.xaxis.update_units(x)
    xs = np.asarray(ax.xaxis.convert_units(x), float).reshape(-1)
    ys = np.asarray(y, float).reshape(-1)
    style = MarkerStyle(marker)
    colors = [color] if isinstance(color, str) else list(color)
    look = dict(facecolors=colors, edgecolors="face")
    if hollow:
        look = dict(facecolors="none", edgecolors=colors)
    elif not style.is_filled():  # a cross: drawn in its colour at the line width, as scatter does
        look["linewidths"] = matplotlib.rcParams["lines.linewidth"]
    dots = PathCollection((style.get_path().transformed(style.get_transform()),), [size], offsets=np.column_stack([xs, ys]), offset_transform=ax.transData, **look)
    dots.set_transform(IdentityTransform())
    dots.set(**props)
    ax.add_collection(dots, autolim=False)
    if len(xs):
        ax.update_datalim(np.column_stack([xs, ys]))
        ax._request_autoscale_view()
    return dots


def _hline(ax, y: float, **style):
    """``ax.axhline(y, **style)``'s line, without its check of the view (the panels set their y limits)."""
    from matplotlib.lines import Line2D

    line = Line2D([0, 1], [y, y], transform=ax.get_yaxis_transform(which="grid"), **style)
    ax.add_line(line)
    return line


def plot_weekly_distance(weeks, config: Config | None = None, ax=None, in_progress: dt.date | None = None, flagged=None):
    """Weekly distance (bars) against your own 8-week high (the line a week is judged against).

    The weeks the rule flagged (``flagged``: their first days; from the
    Analysis' flags when one is given) are coloured as a warning (the rule's
    loudest: its evidence is coaching practice) and labelled with how far
    above the line they went; with only a weekly frame, a bar above the line
    by more than ``warn_pct`` and at least ``min_week_km`` is; the change on the week before is not drawn:
    it predicts little (Frandsen 2025). ``weeks`` is the weekly frame
    (`Analysis.weeks`) or an Analysis. The week starting ``in_progress``, not
    over yet, is hatched and labelled "in progress": its distance is so far.
    """
    from .analysis import Analysis
    from .rules.load import eight_week_high

    if flagged is None and isinstance(weeks, Analysis):
        flagged = {f.week_start for f in weeks.flags if f.rule == "weekly_mileage_jump"}
    weeks, config = _analysed(weeks, config, "weeks")
    ax = _ax(ax)
    per = u.unit_metres(config.units)
    c = config.weekly_mileage_jump
    days = _week_days(weeks)
    x = [_mid(w) for w in days]
    dist = weeks["distance_m"].to_numpy(float) / per
    limit = eight_week_high(dist)
    with np.errstate(divide="ignore", invalid="ignore"):
        above = np.where(limit > 0, (dist / limit - 1.0) * 100.0, np.nan)
    if flagged is not None:
        big = np.array([d in flagged for d in days], bool)
    else:
        big = (dist * per >= c.min_week_km * 1000) & (np.nan_to_num(above, nan=-1) > c.warn_pct)
    colors = [COLORS["warning"] if b else COLORS["bar"] for b in big]  # a warning at most: coaching-practice evidence
    partial = np.array([d == in_progress for d in days], bool)
    _bars(ax, [xi for xi, p in zip(x, partial) if not p], dist[~partial], [co for co, p in zip(colors, partial) if not p])
    _partial_bars(ax, x, dist, colors, partial)
    limit = np.where(limit > 0, limit, np.nan)
    ax.step(x, limit, where="mid", color=COLORS["line"], linestyle="--", linewidth=1, label="your 8-week high", zorder=3)
    for xi, d, a, b, p in zip(x, dist, above, big, partial):
        if b and not p and math.isfinite(a) and a > 0:
            ax.annotate(f"+{a:.0f}%", (xi, d), textcoords="offset points", xytext=(0, 2), ha="center", fontsize=8, color=COLORS["warning"])
    ax.set_ylabel(f"{config.units} / week")
    ax.set_ylim(0, max(1.0, np.nanmax(np.r_[dist, np.nan_to_num(limit)]) * 1.2))
    key(ax)
    return ax


def _partial_bars(ax, x: list, heights, colors: list, partial) -> None:
    """The bar of a week not over yet: faded and hatched in its colour, named "in progress" in the key."""
    for xi, h, co, p in zip(x, heights, colors, partial):
        if p:
            bars = _bars(ax, [xi], [h], [co])
            bars.set_alpha(0.45)
            bars.set_hatch("////")
            bars.set_edgecolor(co)
            bars.set_linewidth(1.0)
            bars.set_label("in progress, so far")


def plot_fast_share(weeks, config: Config | None = None, ax=None, in_progress: dt.date | None = None):
    """Share of each week's distance run fast, with the 20% line (a week ``in_progress`` faded and hatched)."""
    weeks, config = _analysed(weeks, config, "weeks")
    ax = _ax(ax)
    limit = config.speedwork_share.share_pct
    share = weeks["speedwork_share"].to_numpy(float) * 100
    days = _week_days(weeks)
    x = [_mid(w) for w in days]
    colors = [COLORS["warning"] if s > limit else COLORS["bar"] for s in np.nan_to_num(share)]
    partial = np.array([d == in_progress for d in days], bool)
    heights = np.nan_to_num(share)
    _bars(ax, [xi for xi, p in zip(x, partial) if not p], heights[~partial], [co for co, p in zip(colors, partial) if not p])
    _partial_bars(ax, x, heights, colors, partial)
    _hline(ax, limit, color=COLORS["line"], linestyle="--", linewidth=1, label=f"{limit:g}% (80/20)")
    ax.set_ylabel("fast share %")
    ax.set_ylim(0, max(limit * 1.6, np.nanmax(np.r_[share, 0]) * 1.2))
    key(ax)
    return ax


def plot_cadence(runs, config: Config | None = None, ax=None):
    """Median running cadence of each run, with the 175 steps/min line (``runs``: `Analysis.runs` or an Analysis)."""
    runs, config = _analysed(runs, config, "runs")
    ax = _ax(ax)
    limit = config.low_cadence.min_spm
    have = runs[runs["cadence_spm"].notna()]
    x = [_day(d) for d in have["local_date"]]
    cad = have["cadence_spm"].to_numpy(float)
    _dots(ax, x, cad, 18, [COLORS["warning"] if v < limit else COLORS["bar"] for v in cad], zorder=3)
    _hline(ax, limit, color=COLORS["line"], linestyle="--", linewidth=1, label=f"{limit:g} steps/min")
    if len(cad):
        ax.set_ylim(min(cad.min(), limit) - 5, max(cad.max(), limit) + 5)
    else:
        ax.text(0.5, 0.5, "no cadence recorded", transform=ax.transAxes, ha="center", va="center", color=COLORS["line"])
    ax.set_ylabel("steps/min")
    key(ax)
    return ax


def plot_step_length_vs_speed(runs, config: Config | None = None, ax=None, week: dt.date | None = None):
    """Each run's median step length against its median running speed, in the runner's units.

    Runs whose step length a running-dynamics sensor recorded are filled dots;
    the others (step length = speed / step rate) are hollow. The line is the
    runner's own median step length by speed (what `overstride` compares
    against); ``week``'s runs are ringed. Step length rises with speed, so a
    run is only long-striding against this line, never against one number.
    ``runs`` is `Analysis.runs` or an Analysis.
    """
    runs, config = _analysed(runs, config, "runs")
    ax = _ax(ax)
    have = _with_step_length(runs)
    if not len(have):
        ax.text(0.5, 0.5, "no step length recorded", transform=ax.transAxes, ha="center", va="center", color=COLORS["line"])
        return ax
    sensed = have["has_running_dynamics"].fillna(False).astype(bool).to_numpy() if "has_running_dynamics" in have else np.zeros(len(have), bool)
    speed, step = _step_points(have, config)
    ax.scatter(speed[sensed], step[sensed], s=20, color=COLORS["bar"], label="sensor", zorder=3)
    ax.scatter(speed[~sensed], step[~sensed], s=20, facecolors="none", edgecolors=COLORS["bar"], label="speed / cadence", zorder=3)
    order = np.argsort(speed)
    if len(order) >= 5:
        line = pd.Series(step[order]).rolling(5, center=True, min_periods=3).median().to_numpy()
        ax.plot(speed[order], line, color=COLORS["line"], linewidth=1.2, label="your usual")
    if week is not None:
        mine = np.array([day_of(w) == week for w in have["week_start"]], bool)
        ax.scatter(speed[mine], step[mine], s=90, facecolors="none", edgecolors=COLORS["alert"], linewidths=1.5, label="this week", zorder=4)
    ax.set_xlabel("speed, km/h" if config.units == "km" else "speed, mph")
    ax.set_ylabel("step length, cm")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def _with_step_length(runs):
    """The runs with a step length and a speed: those `plot_step_length_vs_speed` draws, in table order."""
    return runs[runs["step_length_m"].notna() & runs["speed_mps"].notna()] if len(runs) else runs


def _step_points(have, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """(speed in km/h or mph, step length in cm) of the runs ``have``: where the chart puts them."""
    per = u.unit_metres(config.units) / 1000.0
    return have["speed_mps"].to_numpy(float) * 3.6 / per, have["step_length_m"].to_numpy(float) * 100


def plot_long_run_climb(runs, config: Config | None = None, ax=None):
    """Climb per km (ft/mi for miles) of every long run and each week's longest run, with the flat line.

    Runs that count as long (16 km or 90 min by default) are filled, a week's
    longest when shorter is hollow; treadmill runs are crosses at zero.
    ``runs`` is `Analysis.runs` or an Analysis.
    """
    runs, config = _analysed(runs, config, "runs")
    ax = _ax(ax)
    c = config.flat_long_run
    scale = 1.0 if config.units == "km" else 3.28084 * u.unit_metres("mi") / 1000
    flat = c.flat_m_per_km * scale
    vals = np.array([0.0])
    if not runs.empty:
        dist = runs["distance_m"].to_numpy(float)
        long_mask = (dist >= c.min_km * 1000) | (runs["moving_s"].to_numpy(float) >= c.min_moving_min * 60)
        keep = np.union1d(_longest_of_each_week(runs["week_start"], dist), np.flatnonzero(long_mask))
        is_long = long_mask[keep]
        indoor = runs["indoor"].to_numpy()[keep].astype(bool)
        climb = runs["climb_per_km"].to_numpy(float)[keep] * scale
        days = [_day(d) for d in runs["local_date"].to_numpy()[keep]]
        vals = np.r_[climb[np.isfinite(climb)], 0.0]
        for sel, hollow, label in (
            (is_long & ~indoor, False, f"long run ({c.min_km:g} km or {c.min_moving_min:g} min)"),
            (~is_long & ~indoor, True, "week's longest, shorter"),
        ):
            if sel.any():
                colors = [COLORS["warning"] if v < flat else COLORS["bar"] for v in climb[sel]]
                _dots(ax, [d for d, s in zip(days, sel) if s], climb[sel], 30, colors, hollow=hollow, zorder=3, label=label)
        if indoor.any():
            _dots(ax, [d for d, s in zip(days, indoor) if s], np.zeros(int(indoor.sum())), 40, COLORS["warning"], marker="x", zorder=3, label="treadmill")
    _hline(ax, flat, color=COLORS["line"], linestyle="--", linewidth=1, label=f"flat: under {flat:.0f}")
    unit = "m/km" if config.units == "km" else "ft/mi"
    ax.set_ylabel(f"longest run\nclimb {unit}")
    ax.set_ylim(-2 * scale, max(flat * 2.5, np.nanmax(vals) * 1.25))
    key(ax)
    return ax


def _longest_of_each_week(weeks, distance: np.ndarray) -> np.ndarray:
    """Positions of each week's longest run (the first of equals, as ``idxmax``); weeks without a distance have none."""
    codes = pd.factorize(weeks)[0] if len(weeks) else np.zeros(0, int)
    order = np.lexsort((-np.nan_to_num(distance, nan=-np.inf), codes))  # by week, longest first; stable
    first = order[np.r_[True, codes[order][1:] != codes[order][:-1]]] if len(order) else order
    return first[np.isfinite(distance[first])]


def plot_symptoms(symptoms, ax=None):
    """Logged symptom severity (0-10) on its dates, coloured by kind.

    ``symptoms``: the entries `symptoms.read_log` returns, their frame
    (`symptoms.symptoms_frame`), an Analysis (its log), or None.
    """
    from .analysis import Analysis
    from .symptoms import symptoms_frame

    ax = _ax(ax)
    if isinstance(symptoms, Analysis):
        symptoms = symptoms.symptoms
    if symptoms is not None and not isinstance(symptoms, pd.DataFrame):
        symptoms = symptoms_frame(list(symptoms))
    if symptoms is None or symptoms.empty:
        ax.text(0.5, 0.5, "no symptoms logged", transform=ax.transAxes, ha="center", va="center", color=COLORS["line"])
    else:
        for kind, rows in symptoms.groupby("kind"):
            x = [_day(day_of(d)) for d in rows["date"]]
            ax.vlines(x, 0, rows["severity"], color=KIND_COLORS.get(kind, COLORS["symptom"]), linewidth=2)
            _dots(ax, x, rows["severity"].to_numpy(float), 24, KIND_COLORS.get(kind, COLORS["symptom"]), label=kind, zorder=3)
        key(ax)
    ax.set_ylim(0, 10.5)
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))  # whole severities, no 2.5
    ax.set_ylabel("symptoms\n0-10")
    return ax


def plot_flags(flags, ax=None, urls: dict | None = None):
    """Each flag as a marker on its day, coloured by severity (alert, warning, info), with a key.

    ``flags``: `Analysis.flags`, their frame (`Analysis.flags_frame`) or an
    Analysis. Flags on the same day stack upwards. ``urls`` maps a flag's
    position in ``flags`` to a link, kept on its marker in SVG output (the
    report links each marker of its week to the flag's card).
    """
    from .analysis import Analysis

    ax = _ax(ax)
    if isinstance(flags, Analysis):
        flags = flags.flags
    if isinstance(flags, pd.DataFrame):
        rows = [(day_of(d), str(sev)) for d, sev in zip(flags["date"], flags["severity"])]
    else:
        rows = [(day_of(f.date), f.severity) for f in flags]
    urls = urls or {}
    stacked: dict = {}
    by_severity: dict = {}
    for i, (day, severity) in enumerate(rows):
        level = stacked[day] = stacked.get(day, -1) + 1
        by_severity.setdefault(severity, []).append((_day(day), 0.3 + 0.4 * (level % 2) + 0.1 * (level // 2), urls.get(i)))
    for severity, (marker, color) in SEVERITY_STYLE.items():
        points = by_severity.get(severity)
        if not points:
            continue
        dots = _dots(ax, [p[0] for p in points], [p[1] for p in points], 46, color, marker=marker, label=severity, zorder=3, clip_on=False)
        if any(p[2] for p in points):
            dots.set_urls([p[2] for p in points])
    if not rows:
        ax.text(0.5, 0.5, "no flags", transform=ax.transAxes, ha="center", va="center", color=COLORS["line"], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_ylabel("flags", rotation=0, ha="right", va="center")
    key(ax)
    return ax


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
    _add_key(ax, _key_entries(ax), bool(above), fontsize)
    return ax


def _key_entries(ax) -> list[tuple[str, str, dict]]:
    """``(label, kind, style)`` of each labelled artist of ``ax``: all a key entry is drawn from."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D

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
        elif isinstance(handle, PolyCollection):  # a hatched bar: `_partial_bars`
            entries.append((label, "bar", dict(
                facecolor=handle.get_facecolor()[0], edgecolor=handle.get_edgecolor()[0], hatch=handle.get_hatch(),
                alpha=handle.get_alpha(), linewidth=handle.get_linewidth()[0],
            )))  # fmt: skip
        else:
            entries.append((label, "box", dict(facecolor=handle.get_facecolor())))
    return entries


def _key_look(entries: list) -> tuple:
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


def _add_key(ax, entries: list, above: bool, fontsize: float) -> list:
    """Draw the key of ``entries`` (see `_key_entries`) on ``ax``; return its artists."""
    from matplotlib.collections import PathCollection
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import IdentityTransform

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
            made.append(ax.text((x + (KEY_HANDLE + KEY_PAD) * em) / width, y, label, fontsize=fontsize, va="center", ha="left", transform=ax.transAxes, gid="key", zorder=5, clip_on=False))
    return made


def _text_width(text: str, prop, renderer, em: float) -> float:
    """Width of ``text`` at the key's font [pixels], measured once."""
    k = (text, em)
    if k not in _text_widths:
        if renderer is None:
            return 0.55 * em * len(text)
        _text_widths[k] = renderer.get_text_width_height_descent(text, prop, ismath=False)[0]
    return _text_widths[k]


def _band(ax, start: dt.datetime, end: dt.datetime, **style):
    """A full-height band from ``start`` to ``end``: ``ax.axvspan``'s look, without its autoscaling (limits are set by the caller)."""
    from matplotlib.patches import Rectangle

    ax.xaxis.update_units([start])  # a date axis, as axvspan makes it
    x0, x1 = mdates.date2num([start, end])
    ax.add_artist(Rectangle((x0, 0.0), x1 - x0, 1.0, transform=ax.get_xaxis_transform(), linewidth=0, **style))


def shade_layoffs(ax, gaps, label: bool = False):
    """Grey bands over breaks in running: (last run before, first run after, days off)."""
    for i, (a, b, _) in enumerate(gaps):
        _band(ax, _day(a) + dt.timedelta(hours=12), _day(b) - dt.timedelta(hours=12), color=COLORS["layoff"], alpha=0.35, zorder=0, label="break" if label and i == 0 else None)
    return ax


def highlight_week(ax, week: dt.date):
    start = dt.datetime.combine(week, dt.time())
    _band(ax, start, start + dt.timedelta(days=7), color=COLORS["highlight"], zorder=0)
    return ax


@dataclass(frozen=True)
class Layout:
    """Where the report picture's panels sit, in inches: no layout is solved per picture.

    The panels, top to bottom: flags, weekly distance, fast share, cadence,
    long-run climb, symptoms; ``heights`` and ``gaps`` (the space above each
    panel after the first) are theirs. Fonts keep their size in points, so a
    narrower figure shows the same text larger once fitted to a screen.
    """

    name: str
    width: float
    left: float  # room for the y labels beside tick labels up to four digits wide
    right: float
    top: float  # the title, and the flags' key above the first panel
    bottom: float  # the dates
    heights: tuple
    gaps: tuple
    ylabel_x: float  # where each y label's right edge sits, inches left of the panel
    keys_above: bool  # the panels' keys in rows above them (wrapped), not inside
    tick_weeks: int  # weeks between two dates on the time axis
    title_size: float
    title_lines: int
    key_size: float  # the keys' font [points]
    y_ticks: int | str  # at most this many values on a panel's y axis ("auto": as many as fit)

    @property
    def height(self) -> float:
        """Inches, rounded to whole pixels at `DPI` (every canvas then makes the same number of rows)."""
        return round((self.top + sum(self.heights) + sum(self.gaps) + self.bottom) * DPI) / DPI

    def rects(self) -> list[tuple[float, float, float, float]]:
        """The panels' rectangles as figure fractions (left, bottom, width, height), top to bottom."""
        out, y = [], self.height - self.top
        for i, h in enumerate(self.heights):
            y -= (self.gaps[i - 1] if i else 0.0) + h
            out.append((self.left / self.width, y / self.height, (self.width - self.left - self.right) / self.width, h / self.height))
        return out


#: The desktop picture (and the weekly PNG file): 1000 x 1139 pixels at `DPI`.
WIDE = Layout("wide", 10.0, 0.85, 0.25, 0.62, 0.34, (0.5, 2.36, 1.68, 1.68, 1.68, 1.68), (0.17,) * 5, 0.49, False, 2, 12, 1, KEY_FONTSIZE, "auto")
#: The phone picture: 4 inches wide with the same fonts, so its text reads at 360-400 px; keys above
#: the panels, where one row inside would not fit (the long-run panel's needs three).
NARROW = Layout("narrow", 4.0, 0.76, 0.1, 0.8, 0.3, (0.42, 1.9, 1.35, 1.35, 1.45, 1.45), (0.32, 0.32, 0.32, 0.6, 0.48), 0.38, True, 4, 10.5, 2, 9, 4)
DPI = 100
#: The SVG's ids are salted with this: the same picture gives the same bytes.
SVG_SALT = "hamstring-analyzer"


class WeeklyPicture:
    """The report picture, laid out once and redrawn for any week.

    The figure, its six axes and their fixed positions are made once; `draw`
    removes the previous week's artists and plots the next week on the same
    axes, so that a run of weeks pays neither for new axes nor for a layout
    solve. What depends on the whole history (the breaks, the symptom frame)
    is computed once too. Each picture equals the one a new `WeeklyPicture`
    would draw. The canvas is Agg's, whatever the pyplot backend.

    The same drawn week is laid out as `WIDE` (`png`) or `NARROW` (`svg`, for
    phones) by moving the panels, without plotting it again. ``today`` decides
    whether the last week of the data is still in progress (default: the
    analysis's ``until``, else today).
    """

    def __init__(self, result, n_weeks: int = 14, today: dt.date | None = None):
        from .rules import layoff_gaps
        from .symptoms import symptoms_frame

        self.result = result
        self.n_weeks = n_weeks
        self.today = today
        self.days = _week_days(result.weeks)
        self.gaps = layoff_gaps(result.runs, result.config.layoff_return.min_gap_days, result.holes) if not result.runs.empty else []
        self.jump_weeks = {f.week_start for f in result.flags if f.rule == "weekly_mileage_jump"}
        self.symptoms = symptoms_frame(result.symptoms) if result.symptoms else None
        self.figure = Figure(figsize=(WIDE.width, WIDE.height), dpi=DPI)
        agg_canvas(self.figure)
        rects = WIDE.rects()
        self.axes = [self.figure.add_axes(rects[0])]
        self.axes += [self.figure.add_axes(r, sharex=self.axes[0]) for r in rects[1:]]
        for i, ax in enumerate(self.axes):
            ax._keys_by_picture = True
            if i:
                ax.grid(axis="y", color="#e5e5e5", zorder=0)
                # the grid lines mark the values: no tick marks beside them (a fifth of a picture's artists)
                ax.yaxis.set_tick_params(which="both", left=False)
            ax.spines[["top", "right"]].set_visible(False)
            ax.xaxis.set_label_coords(0.5, 0.0)  # no x label: only spares the measuring
            if i < len(self.axes) - 1:
                # the dates are on the bottom panel: the others draw no x ticks at all (a sixth of a picture's time)
                ax.xaxis.set_visible(False)
        self.axes[0].spines[["left"]].set_visible(False)
        # `_plot` sets the weeks' time span itself: autoscaling x would only be undone, at a cost per
        # plotting call (the six panels share their x axis, so each autoscale visits all of them).
        for ax in self.axes:
            ax.set_autoscalex_on(False)
        self.axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        self.layout = WIDE
        self._keys: dict = {}  # (panel, layout name) -> (what the key looks like, its artists)
        self._used = False
        self._drawn: tuple | None = None  # the week drawn and its time span
        self._title: tuple = ("", "")

    def _clear(self) -> None:
        for held in self._keys.values():  # kept for the next week with the same key, hidden until placed
            for artist in held[1]:
                artist.set_visible(False)
        for ax in self.axes:
            for artist in (*ax.patches, *ax.lines, *ax.collections, *ax.texts):
                if artist.get_gid() != "key":
                    artist.remove()
            if ax.legend_ is not None:
                ax.legend_.remove()
            ax.containers.clear()
            # Limits as on new axes: no data, a unit view (axhline autoscales only when its line
            # falls outside the view), y autoscaling on. Weeks drawn before leave nothing behind.
            ax.relim(visible_only=True)
            ax.set_ylim(0, 1)
        self.axes[-1].set_xlim(0, 1)  # shared by the six; x autoscaling stays off (see __init__)
        for ax in self.axes:
            ax.set_autoscaley_on(True)

    def in_progress(self, week: dt.date) -> dt.date | None:
        """The last day covered of ``week`` when it is not over (see `report.in_progress`), else None."""
        from .report import in_progress

        return in_progress(self.result, week, self.today)

    def draw(self, week: dt.date | None = None, layout: Layout | None = None) -> Figure:
        """Plot ``week`` and the ``n_weeks - 1`` before it in ``layout`` (default `WIDE`); return the figure.

        ``week``: its first day, as a date or as a Timestamp of ``Analysis.weeks``'
        index. Drawing the week drawn last again only lays it out.
        """
        week = day_of(week) if week is not None else max(self.days)
        if self._drawn is None or self._drawn[0] != week:
            self._plot(week)
        self._lay_out(layout or WIDE)
        return self.figure

    def _plot(self, week: dt.date) -> None:
        result, config = self.result, self.result.config
        first = max(week - dt.timedelta(weeks=self.n_weeks - 1), min(self.days))
        shown = np.array([first <= d <= week for d in self.days], bool)
        weeks = result.weeks[shown]
        end = week + dt.timedelta(days=7)
        runs = result.runs[(result.runs["local_date"] >= first) & (result.runs["local_date"] < end)]
        symptoms = None
        if self.symptoms is not None:
            symptoms = self.symptoms[(self.symptoms["date"] >= first) & (self.symptoms["date"] < end)]
        flags = [f for f in result.flags if first <= f.date < end]
        mine = [f for f in result.flags if f.week_start == week]  # the page's cards, in its order
        urls = {flags.index(f): f"#flag-{i + 1}" for i, f in enumerate(mine) if f in flags}
        left = dt.datetime.combine(first, dt.time()) - dt.timedelta(days=1)
        right = dt.datetime.combine(end, dt.time()) + dt.timedelta(days=1)
        # only the breaks in view: the others would be clipped away, at a cost per panel
        gaps = [g for g in self.gaps if _day(g[1]) - dt.timedelta(hours=12) > left and _day(g[0]) + dt.timedelta(hours=12) < right]
        until = self.in_progress(week)
        partial = week if until is not None else None

        if self._used:
            self._clear()
        self._used = True
        axes = self.axes
        plot_flags(flags, axes[0], urls=urls)
        plot_weekly_distance(weeks, config, axes[1], in_progress=partial, flagged=self.jump_weeks)
        plot_fast_share(weeks, config, axes[2], in_progress=partial)
        plot_cadence(runs, config, axes[3])
        plot_long_run_climb(runs, config, axes[4])
        plot_symptoms(symptoms, axes[5])
        for i, ax in enumerate(axes):
            highlight_week(ax, week)
            shade_layoffs(ax, gaps, label=(i == 5))
        axes[-1].set_xlim(left, right)
        before = (week - first).days // 7
        what = f"Week of {week.day} {week:%b %Y}" + (f" (in progress, to {until:%a} {until.day} {until:%b})" if until else " (highlighted)")
        self._title = (what, f"and the {before} week{'s' if before != 1 else ''} before")
        self._drawn = (week, first, left, right)
        self.layout = None  # keys and ticks are placed by `_lay_out`

    def _lay_out(self, layout: Layout) -> None:
        if self.layout is layout:
            return
        self.layout = layout
        week, first, left, right = self._drawn
        self.figure.set_size_inches(layout.width, layout.height, forward=False)
        for ax, rect in zip(self.axes, layout.rects()):
            ax.set_position(rect)
            # Fixed label places: the y labels line up, and no draw measures the tick labels to place them.
            ax.yaxis.set_label_coords(-layout.ylabel_x / (rect[2] * layout.width), 0.5)
        self.axes[0].yaxis.set_label_coords(-0.15 / (layout.rects()[0][2] * layout.width), 0.5)
        for i, ax in enumerate(self.axes):
            self._place_key(i, layout)
            if i:  # fewer values on a phone's short panels: readable, and fewer ticks to draw
                ax.yaxis.set_major_locator(MaxNLocator(nbins=layout.y_ticks, steps=[1, 2, 2.5, 5, 10], integer=(i == 5)))
        # dates at every other week start (every fourth on a phone), found once for the six panels
        starts = [d for d in self.days if first <= d <= week]
        ticks = [_day(d) - dt.timedelta(hours=12) for d in starts[:: -layout.tick_weeks][::-1]]
        self.axes[-1].xaxis.set_major_locator(FixedLocator(mdates.date2num(ticks)))
        title = " ".join(self._title) if layout.title_lines == 1 else "\n".join(self._title)
        self.figure.suptitle(title, fontsize=layout.title_size, y=1 - 0.08 / layout.height, va="top")

    def _place_key(self, i: int, layout: Layout) -> None:
        """Show panel ``i``'s key for ``layout``: the one drawn before when it looks the same, else a new one.

        Each layout keeps its own key per panel; the other's is hidden. Most
        weeks' keys equal the week before's, and making a key's artists costs
        more than drawing them.
        """
        ax = self.axes[i]
        entries = _key_entries(ax)
        look = _key_look(entries)
        for (j, name), held in self._keys.items():
            if j == i and name != layout.name:
                for artist in held[1]:
                    artist.set_visible(False)
        held = self._keys.get((i, layout.name))
        if held is not None and held[0] == look and all(a.axes is ax for a in held[1]):
            for artist in held[1]:
                artist.set_visible(True)
            return
        if held is not None:
            for artist in held[1]:
                if artist.axes is ax:
                    artist.remove()
        self._keys[(i, layout.name)] = (look, _add_key(ax, entries, layout.keys_above or i == 0, layout.key_size))

    def png(self, week: dt.date | None = None, compress_level: int = 3) -> bytes:
        """The `WIDE` picture of ``week`` as PNG bytes (see `rgb_png`)."""
        fig = self.draw(week, WIDE)
        fig.canvas.draw()
        return rgb_png(np.asarray(fig.canvas.buffer_rgba()), compress_level)

    def svg(self, week: dt.date | None = None) -> str:
        """The `NARROW` picture of ``week`` as an SVG element, for inlining in HTML.

        Text stays text (the browser's sans-serif font, sharp at any zoom); the
        same week gives the same characters. This week's flag markers link to
        ``#flag-N``, the report's cards.
        """
        import matplotlib

        fig = self.draw(week, NARROW)
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": SVG_SALT, "svg.id": None}):
            text = _svg_text(fig)
        text = text[text.index("<svg") :]
        a, b = text.find("<metadata>"), text.find("</metadata>")
        if a >= 0 and b > a:  # a licence stanza with namespace URLs: nothing a page needs
            text = text[:a] + text[b + len("</metadata>") :]
        return re.sub(r"\s*\n\s*", " ", text).strip()  # indentation and one point per line: a fifth of the bytes


def _svg_text(figure: Figure) -> str:
    """``figure`` as SVG, as ``savefig(format="svg")`` writes it, measuring each distinct text once per process.

    Matplotlib's SVG output makes a new renderer per file, and so measures
    every label again in every picture: a tenth of the phone picture's time.
    """
    import io

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

        class MeasuringRendererSVG(RendererSVG):
            measures: dict = {}

            if _font_heights_usable():

                def _get_font_height_metrics(self, prop):
                    return _font_heights(prop, 72.0)  # the figure is drawn at 72 dpi (see `_svg_text`)

            def get_text_width_height_descent(self, s, prop, ismath):
                if ismath:
                    return super().get_text_width_height_descent(s, prop, ismath)
                key = (s, hash(prop))
                if key not in self.measures:
                    if len(self.measures) >= 4096:
                        self.measures.clear()
                    self.measures[key] = super().get_text_width_height_descent(s, prop, ismath)
                return self.measures[key]

        _svg_class.append(MeasuringRendererSVG)
    return _svg_class[0]


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
    import matplotlib
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


def rgb_png(rgba: np.ndarray, compress_level: int = 3) -> bytes:
    """A PNG of an opaque ``(height, width, 4)`` uint8 picture: 8-bit RGB, rows unfiltered.

    Charts are mostly runs of one colour, which zlib packs well as they are:
    unfiltered rows at level 3 come out smaller than Pillow's adaptively
    filtered ones at its default level 6, in a fifth of the time.
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
        + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), compress_level))
        + _png_chunk(b"IEND", b"")
    )


class StepLengthPicture:
    """`plot_step_length_vs_speed` of an analysis for any week: drawn and laid out once, the week's rings moved.

    Every week's chart shows the whole history, and only the ringed runs (the
    week's) change from one week to the next, so ``--all`` pays for the chart
    once, not once per week. The legend names "this week" whether or not the
    week has rings. Each picture equals the one a new `StepLengthPicture` draws.
    """

    def __init__(self, result):
        self.figure = Figure(figsize=(8, 3.2), dpi=100)
        agg_canvas(self.figure)
        ax = self.figure.add_subplot()
        runs, config = result.runs, result.config
        plot_step_length_vs_speed(runs, config, ax, week=dt.date.min)  # rings for no run yet
        self.rings = next((c for c in ax.collections if c.get_label() == "this week"), None)
        have = _with_step_length(runs)
        self.weeks = np.array([day_of(w) for w in have["week_start"]], dtype=object)
        self.points = np.column_stack(_step_points(have, config)) if len(have) else np.zeros((0, 2))
        self.figure.tight_layout()  # once: moving the rings changes no tick label, so no margin either

    def png(self, week: dt.date | None = None) -> bytes:
        """The chart with ``week``'s runs ringed, as PNG bytes (8 x 3.2 inches at 100 dpi)."""
        if self.rings is not None:
            self.rings.set_offsets(self.points[self.weeks == week])
        self.figure.canvas.draw()
        return rgb_png(np.asarray(self.figure.canvas.buffer_rgba()))


def step_length_png(result, week: dt.date | None = None) -> bytes:
    """`plot_step_length_vs_speed` of an analysis with ``week``'s runs ringed, as PNG bytes (8 x 3.2 inches, 100 dpi)."""
    return StepLengthPicture(result).png(week)


def weekly_figure(result, week: dt.date | None = None, n_weeks: int = 14, layout: Layout | None = None) -> Figure:
    """Six panels on one time axis over ``n_weeks`` ending with ``week``: the report picture (`WIDE` or `NARROW`).

    A new figure each call; `WeeklyPicture` redraws one figure for many weeks.
    """
    return WeeklyPicture(result, n_weeks).draw(week, layout)
