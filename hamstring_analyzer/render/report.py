"""A week's report page and the index of weeks, as HTML text (self-contained: no network, no external assets).

The page reads on a phone: at 720 px and wider it shows the PNG; narrower,
the same week drawn 4 inches wide as inline SVG (`panels.NARROW`), whose text
stays text at a readable size. Tables scroll inside their own box. Each
function takes an `analysis.Analysis` (``result``); writing the files is
`report_files`'.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections import defaultdict

from .. import units as u
from ..glossary import DISCLAIMER
from ..safetext import html_text as escape  # html.escape, and control characters from files shown, not kept
from ..plan import Planner, PlanError
from ..rules import RULES
from ..rules.episodes import Episode
from ..rules.profile import Profiles, profile_text
from ..rules.registry import EVIDENCE
from ..dates import add_days, calendar_date, day_iso, within
from .html import disclaimer, made_by, page
from .plots import StepLengthPicture
from .text import plan_rows
from .weeks import episodes_by_week, in_progress, week_days, week_episodes


def _week_row(result, week: dt.date):
    return result.weeks.iloc[week_days(result.weeks).index(week)]


def _fmt(x, fmt: str, default: str = "–") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return default
    return fmt.format(x)


def _week_numbers(result, week: dt.date, until: dt.date | None = None, row=None) -> str:
    """The week's numbers; ``until``, the last day known of a week in progress, marks them "so far".

    ``row``: the week's row of ``result.weeks``, when the caller knows where it is.
    """
    units = result.config.units
    w = _week_row(result, week) if row is None else row
    hours, minutes = divmod(int(round(w["moving_s"] / 60)), 60)
    so_far = " so far" if until else ""
    rows = [
        ("Distance", u.distance(w["distance_m"], units) + so_far),
        ("Runs", str(int(w["runs"])) + so_far),
        ("Moving time", f"{hours} h {minutes:02d} min"),
        ("Change on the week before", u.change(w["change_pct"], missing="–") + (" so far (week in progress)" if until and math.isfinite(w["change_pct"]) else "")),
        ("Fast running", f"{u.distance(w['fast_m'], units)} ({_fmt(w['speedwork_share'] * 100 if w['runs'] else float('nan'), '{:.0f}%')})"),
        ("Longest run", u.distance(w["longest_run_m"], units) if w["longest_run_m"] else "–"),
        ("Median cadence", _fmt(w["cadence_spm"], "{:.0f} steps/min")),
        ("Acute:chronic ratio (last day)", "not yet: the week is not over" if until else _fmt(w["acwr"], "{:.2f}")),
    ]
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows) + "</table>"


def _week_runs(result, week: dt.date, runs: list | None = None) -> str:
    """The week's runs table; ``runs``, the week's rows of ``result.runs.itertuples()``, when known.

    The numbers come first and the file last: on a phone the table scrolls in its box.
    """
    units = result.config.units
    if runs is None:
        runs = [r for r in result.runs.itertuples() if calendar_date(r.week_start) == week]
    if not runs:
        return "<p class='muted'>No runs this week.</p>"
    head = "<tr><th>Day</th><th>Distance</th><th>Pace</th><th>Cadence</th><th>Climb</th><th>Fast</th><th class='file'>File</th></tr>"
    body = []
    for r in runs:
        climb = "treadmill" if r.indoor else (u.climb_rate(r.climb_per_km, units) if math.isfinite(r.climb_per_km) else "–")
        body.append(
            "<tr>"
            + "".join(
                f"<td>{escape(v)}</td>"
                for v in (
                    f"{r.local_date:%a} {r.local_date.day} {r.local_date:%b}", u.distance(r.distance_m, units),
                    u.pace(r.speed_mps, units), _fmt(r.cadence_spm, "{:.0f}"), climb, u.distance(r.fast_m, units),
                )
            )  # fmt: skip
            + f"<td class='file'>{escape(r.source)}</td></tr>"
        )
    notes = [
        f"<p class='doubt'>Doubtful data, {escape(f'{r.local_date:%a} {r.local_date.day} {r.local_date:%b}')}: "
        f"{escape(str(r.suspect_reason or 'this run rests on doubtful data'))}.</p>"
        for r in runs
        if getattr(r, "suspect", False) is True
    ]
    hint = "<p class='hint'>Swipe the table sideways for the climb, the fast running and the file.</p>"
    return f"<div class='scroll'><table>{head}{''.join(body)}</table></div>{hint}" + "".join(notes)


def _span(e: Episode, week: dt.date) -> str:
    """The episode's days as ``week``'s page says them: "since ..." when it began in an earlier week."""
    start, end = (u.long_day(d, year=d.year != week.year) for d in (e.start, e.end))
    if e.start < week:
        text = f"since {start}, up to {end}"
    else:
        text = start if e.start == e.end else f"{start} to {end}"
    return text + (" (into the week after)" if e.end > add_days(week, 6) else "")


def _kind(e: Episode) -> str:
    """"Return", "Long run", "Hard block"...; an episode of single runs says how many runs it holds."""
    if e.kind == "run":
        return u.plural(len({f.run_id or f.date for f in e.members}) or 1, "run")
    return e.kind[:1].upper() + e.kind[1:]


def _episode_doubt(e: Episode) -> str | None:
    """The doubtful-data note of a card: the episode's own, or the part of it that rests on doubtful data."""
    if e.doubtful:
        return f"Doubtful data: {e.doubt or 'a run behind this rests on doubtful data'}"
    shaky = [f for f in e.members if f.doubtful]
    if shaky:
        return f"Doubtful data behind part of this: {shaky[0].doubt or 'a run behind it rests on doubtful data'}"
    return None


def _card_html(e: Episode, n: int, week: dt.date, anchors: list[int]) -> str:
    """One episode's card, ``id='episode-<n>'``; ``anchors``: the numbers of this week's flags in it.

    The picture's markers link to ``#flag-N`` (`panels.WeeklyPicture`): each flag's
    anchor sits in the card of its episode.
    """
    info = RULES[e.rule]
    note = _episode_doubt(e)
    return (
        f"<div class='flag' id='episode-{n}' data-episode='{escape(e.id)}'>"
        + "".join(f"<span id='flag-{i}'></span>" for i in anchors)
        + f"<span class='sev sev-{e.severity}'>{escape(e.severity.upper())}</span><strong>{escape(info.title)}</strong>"
        f"<p class='span'>{escape(_kind(e))}: {escape(_span(e, week))}</p>"
        f"<p>{escape(e.message)}</p>"
        + (f"<p class='doubt'>{escape(note)}</p>" if note else "")
        + f"<p class='why'>Why it matters: {escape(info.why)}</p>"
        # how strong the evidence is, always in view; the source behind it one tap away (it is long on a phone)
        f"<details class='evidence'><summary>Evidence: {escape(EVIDENCE.get(e.evidence, e.evidence))}</summary>"
        f"<p class='source'>Source: {escape(info.source)} <span class='muted'>({escape(e.rule)})</span></p></details></div>"
    )


def _episodes_html(episodes: list[Episode], week: dt.date, first: int, flags: list) -> str:
    """The week's episode cards in the order of `episodes.first_screen`: ``first`` shown, the rest folded away.

    ``flags``: the week's flags in the order the picture numbers them (``#flag-N``).
    """
    if not episodes:
        return "<p>Nothing worth a look this week: nothing stands out against the usual advice.</p>"
    numbers: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(flags, 1):
        numbers[f.episode].append(i)
    cards = [_card_html(e, n, week, numbers.pop(e.id, [])) for n, e in enumerate(episodes, 1)]
    # a flag of the week whose episode is not on the page (none should be): its marker still lands here
    stray = "".join(f"<span id='flag-{i}'></span>" for ids in numbers.values() for i in ids)
    more = ""
    if len(cards) > first:
        more = f"<details class='more' id='more'><summary>{len(cards) - first} more this week</summary>{''.join(cards[first:])}</details>"
    return stray + "".join(cards[:first]) + more


def _has_running_dynamics(result) -> bool:
    runs = result.runs
    return "has_running_dynamics" in runs and bool(runs["has_running_dynamics"].fillna(False).astype(bool).any())


def _step_length_html(result, week: dt.date, picture=None) -> str:
    """Step length against speed, for a runner whose files carry running dynamics (nothing otherwise).

    ``picture``: the `plots.StepLengthPicture` of ``result`` when the caller keeps one for many weeks; False when
    the caller found no running dynamics (the test reads every run).
    """
    if picture is False or (picture is None and not _has_running_dynamics(result)):
        return ""
    b64 = base64.b64encode((picture or StepLengthPicture(result)).png(week)).decode("ascii")
    return (
        "<h2>Step length and speed</h2>"
        f"<img class='chart' alt='Step length against speed, run by run, with your usual line' src='data:image/png;base64,{b64}'>"
        "<p class='muted'>Step length grows with speed: a run is long-striding against your own line, not against one number.</p>"
    )


def _next_week_html(result, week: dt.date, planner: Planner | None = None) -> str:
    """The plan for the week after ``week`` (from the runs up to its Sunday): the ceilings and why.

    ``planner``: one `plan.Planner` of the analysis for many weeks (each plan reuses the weeks before).
    """
    try:
        p = (planner or Planner(result.runs, result.config)).plan(add_days(week, 6))
    except PlanError:
        return "<p class='muted'>No runs up to this week: nothing to plan from.</p>"
    units = result.config.units
    table = "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in plan_rows(p)) + "</table>"
    why = "<ul>" + "".join(f"<li>{escape(r.text)} <span class='muted'>({escape(r.rule)})</span></li>" for r in p.reasons) + "</ul>"
    ramp = ""
    if p.ramp:
        ramp = "<p>Return ramp: " + escape(", ".join(f"week of {w.day} {w:%b} at most {u.distance(m, units)}" for w, m in p.ramp)) + ".</p>"
    end = add_days(p.week_start, 6)
    return (
        f"<div class='next'><p>{p.week_start:%a} {p.week_start.day} {p.week_start:%b} to {end:%a} {end.day} {end:%b %Y}: "
        f"ceilings that raise no flag, not targets.</p>{table}{why}{ramp}</div>"
    )


def _symptoms_html(result, week: dt.date) -> str:
    entries = [e for e in result.symptoms or [] if within(e.date, week, add_days(week, 6))]
    if result.symptoms is None:
        return "<p class='muted'>No symptom log given (<code>--symptoms FILE</code>).</p>"
    if not entries:
        return "<p>Nothing logged this week.</p>"
    head = "<tr><th>Day</th><th>Severity</th><th>What</th><th>Where</th><th>Side</th><th>When</th><th class='file'>Note</th></tr>"
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in (f"{e.date:%a %d %b}", f"{e.severity}/10", e.kind, e.location, e.side, e.when))
        + f"<td class='note'>{escape(e.note)}</td></tr>"
        for e in sorted(entries, key=lambda e: e.date)
    )
    hint = "<p class='hint'>Swipe the table sideways for when it showed and your note.</p>"
    return f"<div class='scroll'><table>{head}{rows}</table></div>{hint}"


def _insights_html(result) -> str:
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


def _severity_counts(items) -> tuple[str, str | None]:
    """("1 alert, 1 warning", worst severity) of ``items`` (episodes or flags); ("", None) when there are none."""
    counts = {s: sum(x.severity == s for x in items) for s in ("alert", "warning", "info")}
    text = ", ".join(u.plural(n, s) if s != "info" else f"{n} info" for s, n in counts.items() if n)
    worst = next((s for s in ("alert", "warning", "info") if counts[s]), None)
    return text, worst


def _status_html(episodes, until: dt.date | None) -> str:
    """The line at the top: how many episodes of each severity the week holds, linking to their cards."""
    text, worst = _severity_counts(episodes)
    so_far = " so far" if until else ""
    line = f"{text} worth a look this week{so_far}" if episodes else f"Nothing worth a look this week{so_far}"
    return f"<p class='status status-{worst or 'none'}' id='status'><a href='#worth-a-look'>{escape(line)}</a></p>"


def _chart_html(png: bytes, svg: str | None) -> str:
    """The picture: the PNG on wide screens, the narrow SVG (when given) below 720 px."""
    b64 = base64.b64encode(png).decode("ascii")
    alt = "Flags, weekly distance, fast share, cadence, long-run climb and symptoms over the last weeks"
    img = (
        f"<img class='{'wide' if svg else 'only'}' alt='{alt}' src='data:image/png;base64,{b64}' "
        """onload="document.body.setAttribute('data-chart-loaded', this.naturalWidth > 0 ? 'yes' : 'no')">"""
    )
    narrow = f"<div class='narrow' role='img' aria-label='{alt}'>{svg}</div>" if svg else ""
    caption = (
        "<figcaption>Flags sit on their day: <span class='key-alert'>&#9660; alert</span>, "
        "<span class='key-warning'>&#9660; warning</span>, <span class='key-info'>&#9679; info</span>. "
        "The yellow band is this week; grey bands are breaks in running.</figcaption>"
    )
    return f"<figure class='chart' id='chart'>{img}{narrow}{caption}</figure>"


def _nav_html(week: dt.date, nav: tuple | None) -> str:
    """Links to the week before, the index and the week after (``nav``: the two weeks, None at either end)."""
    if nav is None:
        return ""
    before, after = nav
    link = lambda w, rel, text: f"<a rel='{rel}' href='week-{day_iso(w)}.html'>{text}</a>" if w else "<span></span>"  # noqa: E731
    return (
        "<nav class='weeks'>"
        + link(before, "prev", f"&larr; Week of {before.day} {before:%b}" if before else "")
        + "<a href='index.html'>All weeks</a>"
        + link(after, "next", f"Week of {after.day} {after:%b} &rarr;" if after else "")
        + "</nav>"
    )


def render_week_html(result, week: dt.date, png: bytes, svg: str | None = None, nav: tuple | None = None, today: dt.date | None = None) -> str:
    """The week's page, with the pictures embedded and every text from files escaped.

    ``png`` is the wide picture (data URI); ``svg``, the narrow one (`panels.WeeklyPicture.svg`)
    shown on phones instead. ``nav`` = (week before, week after), each None at an end, adds
    links to them and to ``index.html`` (what ``--all`` writes). ``today`` decides whether
    the week is still in progress (see `weeks.in_progress`).
    """
    flags = [f for f in result.flags if f.week_start == week]
    return _page(result, week, png, svg, week_episodes(result, week), flags, None, _insights_html(result), nav, in_progress(result, week, today))


class WeekPages:
    """The pages of many weeks of one analysis, with what they share made once.

    The insights, the step-length chart (each week only rings its runs) and
    the flags, episodes and runs grouped by week in one pass each, instead of
    a scan of the whole analysis per week. ``pages.html(week, ...)`` equals
    `render_week_html` of the same week.
    """

    def __init__(self, result, today: dt.date | None = None):
        self.result = result
        self.today = today
        self.flags = defaultdict(list)
        for f in result.flags:
            self.flags[f.week_start].append(f)
        self.episodes = episodes_by_week(result)  # grouped once; each week orders its few
        self.runs = defaultdict(list)  # one pass over the table, not a scan of it per week
        for r in result.runs.itertuples():
            self.runs[calendar_date(r.week_start)].append(r)
        self.insights = _insights_html(result)
        self.step_picture = StepLengthPicture(result) if _has_running_dynamics(result) else False
        self.days = week_days(result.weeks)  # each week's row, and the last week: the only one that may be in progress
        self.rows = {w: i for i, w in enumerate(self.days)}
        self.planner = Planner(result.runs, result.config)  # week N's plan reuses weeks 1..N-1's walk
        self.profiles = Profiles(result.runs, result.weeks_by_date, result.config)  # every week's "your usual", from arrays made once

    def html(self, week: dt.date, png: bytes, svg: str | None = None, nav: tuple | None = None) -> str:
        """The page of ``week`` (see `render_week_html` for ``png``, ``svg`` and ``nav``)."""
        result = self.result
        until = in_progress(result, week, self.today) if week == self.days[-1] else None
        episodes = week_episodes(result, week, self.episodes.get(week, []))
        row = result.weeks.iloc[self.rows[week]]
        return _page(result, week, png, svg, episodes, self.flags.get(week, []), self.runs.get(week, []), self.insights, nav, until,
                     self.step_picture, self.planner, self.profiles, row)  # fmt: skip


def _page(result, week: dt.date, png: bytes, svg: str | None, episodes: list[Episode], flags: list, runs: list | None, insights: str,
          nav: tuple | None, until: dt.date | None, step_picture=None, planner: Planner | None = None, profiles: Profiles | None = None, row=None) -> str:  # fmt: skip
    """`render_week_html` with the week's episodes (ordered, `week_episodes`), its flags (the picture's order), its runs
    (see `_week_runs`), the insights, its in-progress day and its row of ``result.weeks`` given."""
    end = add_days(week, 6)
    title = f"Week of {week.day} {week:%b %Y}"
    progress = ""
    if until:
        progress = (
            f"<p class='progress'>In progress: runs up to {until:%a} {until.day} {until:%b}. The distance, the change on "
            "the week before and the bar in the picture are so far, not the whole week's.</p>"
        )
    body = f"""{_nav_html(week, nav)}
<h1>{escape(title)}{' (in progress)' if until else ''}</h1>
<p class="sub">{week:%a %d %b} to {end:%a %d %b %Y}, your local time.</p>
{_status_html(episodes, until)}
{progress}
{disclaimer()}
<h2 id="worth-a-look">Worth a look</h2>
{_episodes_html(episodes, week, result.config.episodes.first_screen, flags)}
{_usual_html(result, end, profiles)}
{_chart_html(png, svg)}
<h2>The week in numbers</h2>
{_week_numbers(result, week, until, row)}
<h2>Runs</h2>
{_week_runs(result, week, runs)}
{_step_length_html(result, week, step_picture)}
<h2>Next week</h2>
{_next_week_html(result, week, planner)}
<h2>Symptoms logged</h2>
{_symptoms_html(result, week)}
{insights}
{_nav_html(week, nav)}
{made_by(DISCLAIMER)}"""
    return page(title, body)


def _usual_html(result, end: dt.date, profiles: Profiles | None = None) -> str:
    """The runner's own yardsticks as of the week's last day, said once (not on every flag).

    ``profiles``: the analysis' `rules.profile.Profiles`, when made once for many weeks.
    """
    profiles = profiles or Profiles(result.runs, result.weeks_by_date, result.config)
    text = profile_text(profiles.at(end), result.config.units)
    return f"<p class='usual'>{escape(text)}</p>" if text else ""


def index_html(result, today: dt.date | None = None) -> str:
    """The page listing every week's report, newest first, with its distance, runs and episodes worth a look."""
    episodes = episodes_by_week(result)
    units = result.config.units
    items = []
    days = week_days(result.weeks)
    for i in reversed(range(len(days))):
        week, w = days[i], result.weeks.iloc[i]
        text, worst = _severity_counts(episodes.get(week, []))
        status = f"<span class='sev sev-{worst}'>{escape(text)}</span>" if worst else "<span class='muted'>nothing worth a look</span>"
        until = in_progress(result, week, today)
        items.append(
            f"<li><a href='week-{day_iso(week)}.html'>Week of {week.day} {week:%b %Y}</a>{' (in progress)' if until else ''}: "
            f"{escape(u.distance(w['distance_m'], units))}, {u.plural(int(w['runs']), 'run')} {status}</li>"
        )
    body = (
        '<h1>Weekly reports</h1><p class="sub">Newest first. Each week\'s page says why a flag is worth a look.</p>\n'
        f"{disclaimer()}\n<ul class=\"index\">{''.join(items)}</ul>"
    )
    return page("Weekly reports", body)
