"""Monday's triage of a team (`team.Team`), as a terminal table and as the team page.

One row per athlete for the team's week, most in need of a look first (the
order of ``team.rows``), each linking to the athlete's weekly report.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path

from .. import units as u
from ..dates import add_days, day_iso
from ..atomic import atomic_write_text
from ..config import SEVERITIES
from ..ingest import reason_group
from ..safetext import html_text as escape  # html.escape, and control characters from files shown, not kept
from ..safetext import terminal_safe
from .html import TEAM_CSS, disclaimer, made_by, page


def _distance(row) -> str:
    return "–" if row.distance_m is None else u.distance(row.distance_m, row.units)


def _change(row) -> str:
    return u.change(row.change_pct, missing="–")


def _fast(row) -> str:
    return "–" if row.speedwork_share is None else f"{row.speedwork_share * 100:.0f}%"


# ------------------------------------------------------- a broken athlete ---

#: Words in a sport's name (`readers.sports.sport_label`) that make its outings rides.
RIDE_WORDS = ("cycling", "biking", "bike", "BMX")
#: What the other skip reasons (`ingest.wording.reason_group`) count, by group: "1 too short to count as a run".
SKIP_WORDS = {
    "duplicate": ("duplicate", "duplicates"),
    "too short": ("too short to count as a run", "too short to count as runs"),
    "too little track": ("with too little track to count as a run", "with too little track to count as runs"),
    "faster than running": ("faster than running (a ride or a GPS fault?)", "faster than running (rides or GPS faults?)"),
}


def _outings(label: str, n: int) -> str:
    """``"1 cycling ride"``, ``"2 walking activities"``, ``"1 activity of another sport (Other)"``: ``n`` outings of a sport."""
    if label.startswith("another sport") or label == "unknown sport":
        return f"{u.plural(n, 'activity', 'activities')} of {'an ' if label == 'unknown sport' else ''}{label}"
    if label.startswith("a "):  # "a workout"
        return u.plural(n, label[2:])
    noun = ("ride", "rides") if any(w in label for w in RIDE_WORDS) else ("activity", "activities")
    return f"{n} {label} {noun[0] if n == 1 else noun[1]}"


def _skipped_words(group: str, sport: bool, n: int) -> str:
    """``n`` skipped files of one reason group (`ingest.wording.reason_group`): "1 cycling ride", "2 too short to count as runs"."""
    if sport:
        return _outings(group, n)
    if group in SKIP_WORDS:
        one, many = SKIP_WORDS[group]
        return f"{n} {one if n == 1 else many}"
    if group.startswith("re-typed as "):
        return f"{u.plural(n, 'run')} {group}"
    return f"{n} skipped ({group})"


def _unreadable_words(error: str) -> str:
    """Why a file could not be read, in a few words: ``"truncated FIT"``, ``"damaged GPX"``, ``"unrecognised content"``."""
    found = re.match(r"not a readable (\w+) file(?: \((.*))?", error)
    if found:
        return f"{'truncated' if (found.group(2) or '').startswith('ends early') else 'damaged'} {found.group(1)}"
    if error.endswith("(unrecognised content)"):
        return "unrecognised content"
    return reason_group(error)


def _counted(groups: dict[str, int]) -> str:
    """``"truncated FIT"`` alone; ``"2 truncated FIT, 1 damaged GPX"`` when the files differ."""
    if len(groups) == 1:
        return next(iter(groups))
    return ", ".join(f"{n} {g}" for g, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0])))


def no_runs_reason(export) -> str:
    """Why an athlete's export gave no run, for their row: ``"1 cycling ride, 1 file unreadable (truncated FIT)"``.

    The sports of the skipped outings in the runner's words, then how many
    files could not be read and why, then the files that are not activities.
    """
    skipped: dict[tuple[str, bool], int] = {}
    for item in export.skipped:
        reason = str(item["reason"])
        key = (reason_group(reason), reason.startswith("not a run ("))
        skipped[key] = skipped.get(key, 0) + 1
    # the sports first (the most first), then the other reasons
    ranked = sorted(skipped.items(), key=lambda kv: (not kv[0][1], -kv[1], _skipped_words(*kv[0], kv[1])))
    parts = [_skipped_words(group, sport, n) for (group, sport), n in ranked]
    for items, key, what in ((export.errors, "error", "unreadable"), (export.ignored, "reason", "ignored")):
        if not items:
            continue
        groups: dict[str, int] = {}
        for item in items:
            words = _unreadable_words(str(item[key])) if key == "error" else reason_group(str(item[key]))
            groups[words] = groups.get(words, 0) + 1
        parts.append(f"{u.plural(len(items), 'file')} {what} ({_counted(groups)})")
    return ", ".join(parts) if parts else "no files at all"


#: The terminal's width the team's table uses, at least and at most (wider lines are hard to follow).
TABLE_COLUMNS = (60, 200)


def terminal_columns() -> int:
    """The terminal's width in columns (``$COLUMNS`` when set, 80 when piped), kept within `TABLE_COLUMNS`."""
    least, most = TABLE_COLUMNS
    return max(least, min(most, shutil.get_terminal_size((80, 24)).columns))


def _wrapped(start: str, note: str, width: int) -> list[str]:
    """``start`` then ``note``, the note wrapped under itself (never cut); under the row, indented, when its column is too narrow."""
    room = width - len(start)
    indent = len(start) if room >= 24 else 4
    lines = textwrap.wrap(note, width=width - indent, break_on_hyphens=False) or [""]
    if room < 24:
        return [start.rstrip()] + [" " * indent + line for line in lines]
    return [(start + lines[0]).rstrip()] + [" " * indent + line for line in lines[1:]]


def triage_text(team, width: int | None = None) -> str:
    """The triage as a terminal table ``width`` columns wide (default: the terminal's, `terminal_columns`).

    Nothing is cut: a note longer than its column (an error's reason, the
    week's rules) wraps under itself, and a name longer than the name column
    gets a line of its own above its row.
    """
    width = width or terminal_columns()
    end = add_days(team.week_start, 6)
    lines = textwrap.wrap(f"Week of {team.week_start:%a} {team.week_start.day} {team.week_start:%b} to {end:%a} {end.day} {end:%b %Y}: "
                          f"{team.analysed} of {len(team.rows)} athletes analysed, most in need of a look first.", width)  # fmt: skip
    names = [terminal_safe(r.athlete) for r in team.rows]  # a roster name: shown, never obeyed by the terminal
    nw = max(7, min(max((len(n) for n in names), default=7), max(16, width // 5)))
    head = f"{'Athlete':<{nw}} {'Distance':>9} {'Change':>6} {'Fast':>4} {'A':>2} {'W':>2} {'I':>2}  Note"
    lines += ["", head]
    for name, r in zip(names, team.rows):
        if len(name) > nw:  # whole, on a line of its own
            lines += textwrap.wrap(name, width=width, break_on_hyphens=False)
            name = ""
        if r.error:
            start = f"{name:<{nw}} "
            note = "ERROR " + r.error
        else:
            e = r.episodes
            start = f"{name:<{nw}} {_distance(r).replace('–', '-'):>9} {_change(r).replace('–', '-'):>6} {_fast(r).replace('–', '-'):>4} {e['alert']:>2} {e['warning']:>2} {e['info']:>2}  "
            parts = ["no runs this week" if not r.runs else ", ".join(dict.fromkeys(rule for _, rule, _ in r.episode_rules))]
            parts += [f"symptoms {r.symptom_trend}" if r.symptom_trend else "", r.data_quality if r.data_quality != "ok" else ""]
            note = "; ".join(x for x in parts if x)
        lines += _wrapped(start, terminal_safe(note), width)
    lines += ["", *textwrap.wrap("Change: against the athlete's week before. Fast: the share run at or near their threshold pace. "
                                 "A W I: alerts, warnings and info worth a look this week (not a diagnosis), one per "
                                 "episode: a return, a ramp, a long run... however many flags it holds.", width)]  # fmt: skip
    return "\n".join(lines)


#: The episode counts' labels on a phone's card, worst first (the table's header says them on a wide screen).
COUNT_LABELS = ("Alerts", "Warnings", "Info")


def _status(row) -> str:
    """The athlete's week in words, as their report's first line says it ("1 alert, 2 info worth a look this week"); on a phone's
    card only (the badges say it in the table)."""
    counts = [u.plural(row.episodes[s], s) if s != "info" else f"{row.episodes[s]} info" for s in reversed(SEVERITIES) if row.episodes[s]]
    worst = next((s for s in reversed(SEVERITIES) if row.episodes[s]), "none")
    words = ", ".join(counts) + " worth a look this week" if counts else ("Nothing worth a look this week" if row.runs else "No runs this week")
    return f"<td class='status status-{worst}'>{escape(words)}</td>"


def render_team_page(team) -> str:
    """The team page: one row per athlete for the week, most in need of a look first, each linking to the athlete's report."""
    end = add_days(team.week_start, 6)
    rows = []
    for r in team.rows:
        name = escape(r.athlete)
        cell = f"<a href='{escape(r.report)}'>{name}</a>" if r.report else name
        if r.error:
            rows.append(f"<tr class='error'><td class='name'>{cell}</td><td colspan='7' class='note err'>Could not be analysed: {escape(r.error)}</td></tr>")
            continue
        badges = "".join(
            f"<td class='count' data-label='{label}'><span class='sev sev-{s if r.episodes[s] else 'none'}' title='{s}'>{r.episodes[s]}</span></td>"
            for s, label in zip(reversed(SEVERITIES), COUNT_LABELS)
        )
        notes = []
        if r.lead_episode:
            notes.append(f"<span class='lead'>{escape(r.lead_episode['summary'])}</span>")
        if r.episode_rules:
            kinds = dict.fromkeys(rule if kind == "run" else f"{kind} ({rule})" for _, rule, kind in r.episode_rules)
            notes.append("<span class='rules'>" + escape(", ".join(kinds)) + "</span>")
        if r.symptom_trend:
            notes.append(f"Symptoms: {escape(r.symptom_trend)}")
        notes.append(f"Data: {escape(r.data_quality)}")
        if not r.runs:
            before = f"; last run {r.last_run}" if r.last_run and r.last_run < day_iso(team.week_start) else ""
            notes.append(f"<span class='muted'>No runs this week{escape(before)}</span>")
        if r.report_week and r.report_week != day_iso(team.week_start):
            notes.append(f"<span class='muted'>Report: week of {escape(r.report_week)}</span>")
        numbers = "".join(f"<td class='number' data-label='{label}'>{escape(value)}</td>"
                          for label, value in (("Distance", _distance(r)), ("Change", _change(r)), ("Fast", _fast(r))))  # fmt: skip
        rows.append(
            f"<tr><td class='name'>{cell}</td>{_status(r)}{badges}{numbers}"
            f"<td class='note'>{'<br>'.join(notes)}</td></tr>"
        )
    head = ("<tr class='head'><th>Athlete</th><th title='alerts'>Alerts</th><th title='warnings'>Warn.</th><th title='info'>Info</th>"
            "<th>Distance</th><th>Change</th><th>Fast</th><th class='note'>Rules, symptoms, data</th></tr>")  # fmt: skip
    title = f"Team, week of {team.week_start.day} {team.week_start:%b %Y}"
    body = f"""<h1>Team: week of {team.week_start:%a} {team.week_start.day} {team.week_start:%b %Y}</h1>
<p class="sub">{team.week_start:%a %d %b} to {end:%a %d %b %Y}, each athlete's local time. {team.analysed} of {len(team.rows)} athletes analysed; most in need of a look first.</p>
{disclaimer()}
<div class="scroll"><table>
{head}
{''.join(rows)}
</table></div>
<p class="muted">Distance in each athlete's own units. Change: against their week before. Fast: the share of the week run at or near threshold pace.
Alerts, warnings, info: what is worth a look this week, counted once per episode (a return, a ramp, a long run...) however many flags it holds,
the worst first in the notes. Click a name for the athlete's weekly report.</p>
{made_by()}
<script>document.body.setAttribute('data-page-fits', document.documentElement.scrollWidth <= window.innerWidth ? 'yes' : 'no')</script>"""
    return page(title, body, TEAM_CSS)


def write_team_page(team, out_dir: str | os.PathLike) -> Path:
    """Write ``index.html`` (the team page) into ``out_dir``; return its path."""
    path = Path(out_dir) / "index.html"
    atomic_write_text(path, render_team_page(team))
    return path
