"""Weekly reports: a PNG and a self-contained HTML page (no network, no external assets)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
import os
from html import escape
from pathlib import Path

from . import __version__
from . import units as u
from .analysis import Analysis
from .atomic import atomic_write_bytes, atomic_write_text
from .plots import weekly_figure
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
"""


def default_week(result: Analysis, today: dt.date | None = None) -> dt.date:
    """The last complete week (its Sunday before today) that the data reaches."""
    today = today or dt.date.today()
    weeks = [w for w in result.weeks.index if w + dt.timedelta(days=6) < today]
    if not weeks:
        raise ValueError("no complete week in the data yet")
    return max(weeks)


def week_png(result: Analysis, week: dt.date) -> bytes:
    fig = weekly_figure(result, week)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def _fmt(x, fmt: str, default: str = "–") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return default
    return fmt.format(x)


def _week_numbers(result: Analysis, week: dt.date) -> str:
    units = result.config.units
    w = result.weeks.loc[week]
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


def _week_runs(result: Analysis, week: dt.date) -> str:
    units = result.config.units
    runs = result.runs[result.runs["week_start"] == week]
    if runs.empty:
        return "<p class='muted'>No runs this week.</p>"
    head = "<tr><th>Day</th><th>File</th><th>Distance</th><th>Pace</th><th>Cadence</th><th>Climb</th><th>Fast</th></tr>"
    body = []
    for r in runs.itertuples():
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
        for r in runs.itertuples()
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
    flags = [f for f in result.flags if f.week_start == week]
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
{_week_runs(result, week)}
<h2>Worth a look</h2>
{_flags_html(flags)}
<h2>Symptoms logged</h2>
{_symptoms_html(result, week)}
{_insights_html(result)}
<p class="muted">Made by hamstring-analyzer {escape(__version__)}. {escape(DISCLAIMER)}</p>
</body></html>
"""


def write_week_report(result: Analysis, week: dt.date, out_dir: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``week-YYYY-MM-DD.png`` and ``.html`` into ``out_dir``; return their paths."""
    if week not in result.weeks.index:
        first, last = min(result.weeks.index), max(result.weeks.index)
        raise ValueError(f"no week starting {week} in the data (weeks run from {first} to {last})")
    out = Path(out_dir)
    png = week_png(result, week)
    png_path, html_path = out / f"week-{week.isoformat()}.png", out / f"week-{week.isoformat()}.html"
    atomic_write_bytes(png_path, png)
    atomic_write_text(html_path, render_week_html(result, week, png))
    return png_path, html_path


def write_all_reports(result: Analysis, out_dir: str | os.PathLike, progress=None) -> Path:
    """One report per week of the history, plus ``index.html`` linking them; returns the index path."""
    out = Path(out_dir)
    items = []
    weeks = list(result.weeks.index)
    for i, week in enumerate(weeks):
        _, html_path = write_week_report(result, week, out)
        w = result.weeks.loc[week]
        n = sum(1 for f in result.flags if f.week_start == week)
        worst = max((f.severity for f in result.flags if f.week_start == week), key=("info", "warning", "alert").index, default=None)
        badge = f" <span class='sev sev-{worst}'>{n} flag{'s' if n != 1 else ''}</span>" if n else ""
        items.append(
            f"<li><a href='{escape(html_path.name)}'>Week of {week.day} {week:%b %Y}</a>: "
            f"{escape(u.distance(w['distance_m'], result.config.units))}, {int(w['runs'])} runs{badge}</li>"
        )
        if progress:
            progress(i + 1, len(weeks))
    index = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Weekly reports: hamstring-analyzer</title><style>{CSS}</style></head>
<body><h1>Weekly reports</h1><p class="disclaimer">{escape(DISCLAIMER)}</p>
<ul class="index">{''.join(reversed(items))}</ul></body></html>
"""
    path = out / "index.html"
    atomic_write_text(path, index)
    return path
