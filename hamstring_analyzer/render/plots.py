"""Charts of an analysis, one per function: each takes ``ax=None``, draws on it and returns it.

Each takes what the library returns: an `analysis.Analysis`, its ``weeks`` or
``runs`` frame, its flags, and for symptoms the list `symptoms.read_log`
returns. None analyses anything: a caller with only a folder of files
analyses it first (`analysis.analyze_path`) and passes the result.

No pyplot state: a helper called without ``ax`` draws on a new
`matplotlib.figure.Figure`, so the library is safe in servers, tests and
notebooks alike. The weekly picture stacks these charts (`panels`).
"""

from __future__ import annotations

import datetime as dt
import math

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import IdentityTransform

from .. import units as u
from ..config import Config
from ..rules.load import eight_week_high
from ..symptoms import symptoms_frame
from ..dates import calendar_date
from .canvas import agg_canvas, rgb_png
from .html import SEVERITY_COLOURS
from .legend import key
from .weeks import week_days

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
#: Flag markers by severity, in the colours of the HTML report's badges.
SEVERITY_STYLE = {"alert": ("v", SEVERITY_COLOURS["alert"]), "warning": ("v", SEVERITY_COLOURS["warning"]), "info": ("o", SEVERITY_COLOURS["info"])}
KIND_COLORS = {"tightness": "#9c4f96", "fatigue": "#7a7fb8", "burning": "#e0712f", "pain": "#c1272d", "cramp": "#3b8d99"}


def _ax(ax):
    if ax is None:
        ax = Figure(figsize=(8, 3)).add_subplot()
    return ax


def _is_analysis(data) -> bool:
    """Whether ``data`` is an analysis (`analysis.Analysis`) rather than one of its parts (a frame, a list)."""
    return not isinstance(data, (pd.DataFrame, list, tuple)) and hasattr(data, "config") and hasattr(data, "weeks")


def _analysed(data, config: Config | None, part: str):
    """``(part, config)`` of an analysis (its ``part``, its config unless ``config`` is given) or of the part itself."""
    if _is_analysis(data):
        return getattr(data, part), config or data.config
    return data, config or Config()


def _mid(week: dt.date) -> dt.datetime:
    return dt.datetime.combine(week, dt.time()) + dt.timedelta(days=3.5)


def noon(d: dt.date) -> dt.datetime:
    """Midday of the day ``d``: where a run, a flag or a symptom of that day sits on the time axis."""
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
    if flagged is None and _is_analysis(weeks):
        flagged = {f.week_start for f in weeks.flags if f.rule == "weekly_mileage_jump"}
    weeks, config = _analysed(weeks, config, "weeks")
    ax = _ax(ax)
    per = u.unit_metres(config.units)
    c = config.weekly_mileage_jump
    days = week_days(weeks)
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
    days = week_days(weeks)
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
    x = [noon(d) for d in have["local_date"]]
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
        mine = np.array([calendar_date(w) == week for w in have["week_start"]], bool)
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
        days = [noon(d) for d in runs["local_date"].to_numpy()[keep]]
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


def readable_dates(ax):
    """Concise date labels on ``ax``'s x axis ("Mar", "08", "15"... with the year once), unless the caller chose a formatter.

    matplotlib's default date labels ("2026-03-08" at every tick) run into
    each other on a chart a few inches wide; the concise formatter names only
    what changes from one tick to the next. A formatter set before (the
    weekly picture's "12 Jul" dates on its shared axis) is left as it is.
    """
    if type(ax.xaxis.get_major_formatter()) is mdates.AutoDateFormatter:  # matplotlib's default for a date axis
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        # short labels ("08", "Apr", "2027"), the month and year said once at the end ("Mar 2026")
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, offset_formats=["", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"]))
    return ax


def plot_symptoms(symptoms, ax=None):
    """Logged symptom severity (0-10) on its dates, coloured by kind.

    ``symptoms``: the entries `symptoms.read_log` returns, their frame
    (`symptoms.symptoms_frame`), an Analysis (its log), or None.
    """
    ax = _ax(ax)
    if _is_analysis(symptoms):
        symptoms = symptoms.symptoms
    if symptoms is not None and not isinstance(symptoms, pd.DataFrame):
        symptoms = symptoms_frame(list(symptoms))
    if symptoms is None or symptoms.empty:
        ax.text(0.5, 0.5, "no symptoms logged", transform=ax.transAxes, ha="center", va="center", color=COLORS["line"])
    else:
        for kind, rows in symptoms.groupby("kind"):
            x = [noon(calendar_date(d)) for d in rows["date"]]
            ax.vlines(x, 0, rows["severity"], color=KIND_COLORS.get(kind, COLORS["symptom"]), linewidth=2)
            _dots(ax, x, rows["severity"].to_numpy(float), 24, KIND_COLORS.get(kind, COLORS["symptom"]), label=kind, zorder=3)
        key(ax)
    ax.set_ylim(0, 10.5)
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))  # whole severities, no 2.5
    ax.set_ylabel("symptoms\n0-10")
    return readable_dates(ax)


def plot_flags(flags, ax=None, urls: dict | None = None):
    """Each flag as a marker on its day, coloured by severity (alert, warning, info), with a key.

    ``flags``: `Analysis.flags`, their frame (`Analysis.flags_frame`) or an
    Analysis. Flags on the same day stack upwards. ``urls`` maps a flag's
    position in ``flags`` to a link, kept on its marker in SVG output (the
    report links each marker of its week to the flag's card).
    """
    ax = _ax(ax)
    if _is_analysis(flags):
        flags = flags.flags
    if isinstance(flags, pd.DataFrame):
        rows = [(calendar_date(d), str(sev)) for d, sev in zip(flags["date"], flags["severity"])]
    else:
        rows = [(calendar_date(f.date), f.severity) for f in flags]
    urls = urls or {}
    stacked: dict = {}
    by_severity: dict = {}
    for i, (day, severity) in enumerate(rows):
        level = stacked[day] = stacked.get(day, -1) + 1
        by_severity.setdefault(severity, []).append((noon(day), 0.3 + 0.4 * (level % 2) + 0.1 * (level // 2), urls.get(i)))
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
    return readable_dates(ax)


def _band(ax, start: dt.datetime, end: dt.datetime, **style):
    """A full-height band from ``start`` to ``end``: ``ax.axvspan``'s look, without its autoscaling (limits are set by the caller)."""
    ax.xaxis.update_units([start])  # a date axis, as axvspan makes it
    x0, x1 = mdates.date2num([start, end])
    ax.add_artist(Rectangle((x0, 0.0), x1 - x0, 1.0, transform=ax.get_xaxis_transform(), linewidth=0, **style))


def shade_layoffs(ax, gaps, label: bool = False):
    """Grey bands over breaks in running: (last run before, first run after, days off)."""
    for i, (a, b, _) in enumerate(gaps):
        _band(ax, noon(a) + dt.timedelta(hours=12), noon(b) - dt.timedelta(hours=12), color=COLORS["layoff"], alpha=0.35, zorder=0, label="break" if label and i == 0 else None)
    return ax


def highlight_week(ax, week: dt.date):
    start = dt.datetime.combine(week, dt.time())
    _band(ax, start, start + dt.timedelta(days=7), color=COLORS["highlight"], zorder=0)
    return ax


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
        self.weeks = np.array([calendar_date(w) for w in have["week_start"]], dtype=object)
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
