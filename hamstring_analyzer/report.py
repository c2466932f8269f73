"""Weekly reports: a PNG and a self-contained HTML page (no network, no external assets)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import math
import os
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from html import escape
from pathlib import Path

from . import __version__
from . import units as u
from .analysis import Analysis
from .atomic import atomic_write_bytes, atomic_write_text
from .errors import HamstringAnalyzerError
from .plots import WeeklyPicture
from .report_text import doubt_note
from .glossary import DISCLAIMER
from .rules import RULES

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.sub{color:#666;margin-top:0}.disclaimer{background:#f4f6fb;border-left:4px solid #4c78a8;padding:.5rem .8rem}
img.chart{width:100%;height:auto;border:1px solid #eee}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .7rem;text-align:right;border-bottom:1px solid #eee}
th:first-child,td:first-child{text-align:left}
.flag{border:1px solid #e3e3e3;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.sev{display:inline-block;font-size:.75rem;font-weight:700;padding:.05rem .45rem;border-radius:4px;color:#fff;margin-right:.5rem}
.sev-info{background:#7f8c99}.sev-warning{background:#d98a1c}.sev-alert{background:#c0392b}
.why,.source{color:#555;font-size:.9rem;margin:.3rem 0 0}.muted{color:#777}
.doubt{color:#7a5a1e;background:#fbf5e8;border-left:3px solid #e0b96a;font-size:.9rem;margin:.3rem 0 0;padding:.15rem .5rem}
ul.index li{margin:.2rem 0}
.next{border:1px solid #cfe0cf;background:#f5faf5;border-radius:6px;padding:.2rem .9rem}
"""


class ReportError(HamstringAnalyzerError, ValueError):
    """No week to report: not a week of the data, or no complete week yet.

    Also a ValueError, which is what callers caught before this class existed.
    """


class ReportWriteError(HamstringAnalyzerError):
    """A report file could not be written; the message names the file and the system's reason.

    Parameters
    ----------
    path : str
        The file (or folder) that could not be written.
    reason : str
        What the system said, e.g. "No space left on device".
    """

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: cannot write ({reason})")

    def __reduce__(self):  # raised in worker processes and pickled back to the parent
        return type(self), (self.path, self.reason)


def default_week(result: Analysis, today: dt.date | None = None) -> dt.date:
    """The last complete week (its Sunday before today) that the data reaches."""
    today = today or dt.date.today()
    weeks = [w for w in result.weeks_by_date.index if w + dt.timedelta(days=6) < today]
    if not weeks:
        raise ReportError("no complete week in the data yet")
    return max(weeks)


def week_png(result: Analysis, week: dt.date) -> bytes:
    """The report picture of ``week`` as PNG bytes."""
    return WeeklyPicture(result).png(week)


def _fmt(x, fmt: str, default: str = "–") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return default
    return fmt.format(x)


def _week_numbers(result: Analysis, week: dt.date) -> str:
    units = result.config.units
    w = result.weeks_by_date.loc[week]
    hours, minutes = divmod(int(round(w["moving_s"] / 60)), 60)
    rows = [
        ("Distance", u.distance(w["distance_m"], units)),
        ("Runs", str(int(w["runs"]))),
        ("Moving time", f"{hours} h {minutes:02d} min"),
        ("Change on the week before", u.change(w["change_pct"], missing="–")),
        ("Fast running", f"{u.distance(w['fast_m'], units)} ({_fmt(w['speedwork_share'] * 100 if w['runs'] else float('nan'), '{:.0f}%')})"),
        ("Longest run", u.distance(w["longest_run_m"], units) if w["longest_run_m"] else "–"),
        ("Median cadence", _fmt(w["cadence_spm"], "{:.0f} steps/min")),
        ("Acute:chronic ratio (Sunday)", _fmt(w["acwr"], "{:.2f}")),
    ]
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows) + "</table>"


def _week_runs(result: Analysis, week: dt.date, runs: list | None = None) -> str:
    """The week's runs table; ``runs``, the week's rows of ``result.runs.itertuples()``, when known."""
    units = result.config.units
    if runs is None:
        runs = list(result.runs[result.runs["week_start"] == week].itertuples())
    if not runs:
        return "<p class='muted'>No runs this week.</p>"
    head = "<tr><th>Day</th><th>File</th><th>Distance</th><th>Pace</th><th>Cadence</th><th>Climb</th><th>Fast</th></tr>"
    body = []
    for r in runs:
        climb = "treadmill" if r.indoor else (u.climb_rate(r.climb_per_km, units) if math.isfinite(r.climb_per_km) else "–")
        body.append(
            "<tr>"
            + "".join(
                f"<td>{escape(v)}</td>"
                for v in (
                    f"{r.local_date:%a} {r.local_date.day} {r.local_date:%b}", r.source, u.distance(r.distance_m, units),
                    u.pace(r.speed_mps, units), _fmt(r.cadence_spm, "{:.0f}"), climb, u.distance(r.fast_m, units),
                )
            )  # fmt: skip
            + "</tr>"
        )
    notes = [
        f"<p class='doubt'>Doubtful data, {escape(f'{r.local_date:%a} {r.local_date.day} {r.local_date:%b}')}: "
        f"{escape(str(r.suspect_reason or 'this run rests on doubtful data'))}.</p>"
        for r in runs
        if getattr(r, "suspect", False) is True
    ]
    return f"<table>{head}{''.join(body)}</table>" + "".join(notes)


def _flags_html(flags) -> str:
    if not flags:
        return "<p>No flags this week: nothing stands out against the usual advice.</p>"
    out = []
    for f in flags:
        info = RULES[f.rule]
        out.append(
            f"<div class='flag'><span class='sev sev-{f.severity}'>{escape(f.severity.upper())}</span>"
            f"<strong>{escape(info.title)}</strong> <span class='muted'>({escape(f.rule)}, {f.date:%a %d %b})</span>"
            f"<p>{escape(f.message)}</p>"
            + (f"<p class='doubt'>{escape(doubt_note(f))}</p>" if f.doubtful else "")
            + f"<p class='why'>Why it matters: {escape(info.why)}</p>"
            f"<p class='source'>Source: {escape(info.source)}</p></div>"
        )
    return "".join(out)


def _step_length_html(result: Analysis, week: dt.date) -> str:
    """Step length against speed, for a runner whose files carry running dynamics (nothing otherwise)."""
    runs = result.runs
    if "has_running_dynamics" not in runs or not runs["has_running_dynamics"].fillna(False).astype(bool).any():
        return ""
    from .plots import step_length_png

    b64 = base64.b64encode(step_length_png(result, week)).decode("ascii")
    return (
        "<h2>Step length and speed</h2>"
        f"<img class='chart' alt='Step length against speed, run by run, with your usual line' src='data:image/png;base64,{b64}'>"
        "<p class='muted'>Step length grows with speed: a run is long-striding against your own line, not against one number.</p>"
    )


def _next_week_html(result: Analysis, week: dt.date) -> str:
    """The plan for the week after ``week`` (from the runs up to its Sunday): the ceilings and why."""
    from .plan import PlanError, plan_week
    from .report_text import plan_rows

    try:
        p = plan_week(result.runs, result.config, until=week + dt.timedelta(days=6))
    except PlanError:
        return "<p class='muted'>No runs up to this week: nothing to plan from.</p>"
    units = result.config.units
    table = "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in plan_rows(p)) + "</table>"
    why = "<ul>" + "".join(f"<li>{escape(r.text)} <span class='muted'>({escape(r.rule)})</span></li>" for r in p.reasons) + "</ul>"
    ramp = ""
    if p.ramp:
        ramp = "<p>Return ramp: " + escape(", ".join(f"week of {w.day} {w:%b} at most {u.distance(m, units)}" for w, m in p.ramp)) + ".</p>"
    end = p.week_start + dt.timedelta(days=6)
    return (
        f"<div class='next'><p>{p.week_start:%a} {p.week_start.day} {p.week_start:%b} to {end:%a} {end.day} {end:%b %Y}: "
        f"ceilings that raise no flag, not targets.</p>{table}{why}{ramp}</div>"
    )


def _symptoms_html(result: Analysis, week: dt.date) -> str:
    end = week + dt.timedelta(days=7)
    entries = [e for e in result.symptoms or [] if week <= e.date < end]
    if result.symptoms is None:
        return "<p class='muted'>No symptom log given (<code>--symptoms FILE</code>).</p>"
    if not entries:
        return "<p>Nothing logged this week.</p>"
    head = "<tr><th>Day</th><th>Severity</th><th>Side</th><th>Where</th><th>What</th><th>When</th><th>Note</th></tr>"
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in (f"{e.date:%a %d %b}", f"{e.severity}/10", e.side, e.location, e.kind, e.when, e.note)) + "</tr>"
        for e in sorted(entries, key=lambda e: e.date)
    )
    return f"<table>{head}{rows}</table>"


def _insights_html(result: Analysis) -> str:
    ins = result.insights
    if ins is None:
        return ""
    parts = ["<h2>Symptoms and training</h2>"]
    if ins.episodes:
        items = []
        for ep in ins.episodes:
            span = f"{ep.start:%d %b %Y}" + (f" to {ep.end:%d %b %Y}" if ep.end != ep.start else "")
            where = f", {', '.join(ep.locations)}" if ep.locations else ""
            before = ", ".join(sorted({RULES[f.rule].title.lower() for f in ep.flags_before})) or "no flags"
            items.append(f"<li>{escape(span)}: {escape(', '.join(ep.kinds))} up to {ep.max_severity}/10{escape(where)}. In the 14 days before: {escape(before)}.</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    else:
        parts.append("<p>No symptom episodes logged.</p>")
    parts.append(f"<p>{escape(ins.comparison_text())}</p>")
    for text in ins.notes:
        parts.append(f"<p>{escape(text)}</p>")
    if ins.hints:
        parts.append("<ul>" + "".join(f"<li>{escape(h)}</li>" for h in ins.hints) + "</ul>")
    return "".join(parts)


def render_week_html(result: Analysis, week: dt.date, png: bytes) -> str:
    """The week's page, with the picture embedded as a data URI and every text from files escaped."""
    return _page(result, week, png, [f for f in result.flags if f.week_start == week], None, _insights_html(result))


def _page(result: Analysis, week: dt.date, png: bytes, flags: list, runs: list | None, insights: str) -> str:
    """`render_week_html` with the week's flags, its runs (see `_week_runs`) and the insights given."""
    end = week + dt.timedelta(days=6)
    b64 = base64.b64encode(png).decode("ascii")
    title = f"Week of {week.day} {week:%b %Y}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}: hamstring-analyzer</title>
<style>{CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<p class="sub">{week:%a %d %b} to {end:%a %d %b %Y}, your local time. {len(flags)} flag{'s' if len(flags) != 1 else ''} this week.</p>
<p class="disclaimer">{escape(DISCLAIMER)}</p>
<img class="chart" id="chart" alt="Weekly distance, fast share, cadence, long-run climb and symptoms over the last weeks" src="data:image/png;base64,{b64}" onload="document.body.setAttribute('data-chart-loaded', this.naturalWidth > 0 ? 'yes' : 'no')">
<h2>The week in numbers</h2>
{_week_numbers(result, week)}
<h2>Runs</h2>
{_week_runs(result, week, runs)}
{_step_length_html(result, week)}
<h2>Worth a look</h2>
{_flags_html(flags)}
<h2>Next week</h2>
{_next_week_html(result, week)}
<h2>Symptoms logged</h2>
{_symptoms_html(result, week)}
{insights}
<p class="muted">Made by hamstring-analyzer {escape(__version__)}. {escape(DISCLAIMER)}</p>
</body></html>
"""


def _check_week(result: Analysis, week: dt.date) -> None:
    if week not in result.weeks_by_date.index:
        first, last = min(result.weeks_by_date.index), max(result.weeks_by_date.index)
        raise ReportError(f"no week starting {week} in the data (weeks run from {first} to {last})")


def write_week_report(result: Analysis, week: dt.date, out_dir: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``week-YYYY-MM-DD.png`` and ``.html`` into ``out_dir``; return their paths.

    Raises
    ------
    ReportError
        ``week`` is not a week of the data (a ValueError too).
    OSError
        A file could not be written (the command names ``out_dir``).
    """
    _check_week(result, week)
    out = Path(out_dir)
    png = week_png(result, week)
    png_path, html_path = out / f"week-{week.isoformat()}.png", out / f"week-{week.isoformat()}.html"
    atomic_write_bytes(png_path, png)
    atomic_write_text(html_path, render_week_html(result, week, png))
    return png_path, html_path


class _Weeks:
    """What every week of ``--all`` shares, made once per process: the picture and the common HTML parts."""

    def __init__(self, result: Analysis, out: Path):
        self.result = result
        self.out = out
        self.picture = WeeklyPicture(result)
        self.flags = defaultdict(list)
        for f in result.flags:
            self.flags[f.week_start].append(f)
        self.runs = defaultdict(list)  # one pass over the table, not a scan of it per week
        for r in result.runs.itertuples():
            self.runs[r.week_start].append(r)
        self.insights = _insights_html(result)

    def write(self, week: dt.date) -> None:
        png = self.picture.png(week)
        page = _page(self.result, week, png, self.flags.get(week, []), self.runs.get(week, []), self.insights)
        for path, data in ((self.out / f"week-{week.isoformat()}.png", png), (self.out / f"week-{week.isoformat()}.html", page.encode("utf-8"))):
            try:
                atomic_write_bytes(path, data)
            except OSError as exc:
                raise ReportWriteError(path, exc.strerror or str(exc)) from None


_worker_weeks: _Weeks | None = None


def _worker_start(result: Analysis, out: Path) -> None:
    """Initializer of a report worker process: Agg for matplotlib, and the shared parts made once.

    Ctrl-C is the parent's to handle: it cancels the weeks not started and waits for the
    few being drawn, whose files are written whole or not at all.
    """
    global _worker_weeks
    import signal

    import matplotlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    matplotlib.use("Agg", force=True)
    _worker_weeks = _Weeks(result, out)


def _worker_write(week: dt.date) -> dt.date:
    _worker_weeks.write(week)
    return week


def _write_weeks(result: Analysis, out: Path, weeks: list, workers: int, progress) -> None:
    """Every week's PNG and page, in this process (``workers`` 1) or in a pool of worker processes."""
    total = len(weeks)
    if workers <= 1 or total <= 1:
        shared = _Weeks(result, out)
        for i, week in enumerate(weeks):
            shared.write(week)
            if progress:
                progress(i + 1, total)
        return
    # The reports never read the export: its records would only be copied into every worker.
    slim = dataclasses.replace(result, export=None)
    pool = ProcessPoolExecutor(max_workers=min(workers, total), initializer=_worker_start, initargs=(slim, out))
    try:
        running = {pool.submit(_worker_write, week) for week in weeks}
        done = 0
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                fut.result()  # a week's ReportWriteError, raised here as it was in the worker
                done += 1
                if progress:
                    progress(done, total)
    except BrokenProcessPool:  # killed from outside (e.g. out of memory): no week of ours does that
        raise ReportWriteError(out, "a report worker process died unexpectedly") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def write_all_reports(result: Analysis, out_dir: str | os.PathLike, progress=None, workers: int | None = None) -> Path:
    """One report per week of the history, plus ``index.html`` linking them; returns the index path.

    Parameters
    ----------
    result : Analysis
    out_dir : str or path
        Created when missing.
    progress : callable, optional
        Called as ``progress(done, total)`` after each week.
    workers : int, optional
        Processes drawing weeks in parallel (default: all cores); 1 draws them all in this process.

    Raises
    ------
    ReportWriteError
        A file could not be written; the message names it. The weeks not yet
        written are not started, and ``index.html`` is not written.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportWriteError(out, exc.strerror or str(exc)) from None
    weeks = list(result.weeks_by_date.index)
    _write_weeks(result, out, weeks, workers or os.cpu_count() or 1, progress)
    flags = defaultdict(list)
    for f in result.flags:
        flags[f.week_start].append(f)
    items = []
    for week in weeks:
        w = result.weeks_by_date.loc[week]
        n = len(flags[week])
        worst = max((f.severity for f in flags[week]), key=("info", "warning", "alert").index, default=None)
        badge = f" <span class='sev sev-{worst}'>{n} flag{'s' if n != 1 else ''}</span>" if n else ""
        items.append(
            f"<li><a href='week-{week.isoformat()}.html'>Week of {week.day} {week:%b %Y}</a>: "
            f"{escape(u.distance(w['distance_m'], result.config.units))}, {int(w['runs'])} runs{badge}</li>"
        )
    index = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Weekly reports: hamstring-analyzer</title><style>{CSS}</style></head>
<body><h1>Weekly reports</h1><p class="disclaimer">{escape(DISCLAIMER)}</p>
<ul class="index">{''.join(reversed(items))}</ul></body></html>
"""
    path = out / "index.html"
    try:
        atomic_write_text(path, index)
    except OSError as exc:
        raise ReportWriteError(path, exc.strerror or str(exc)) from None
    return path
