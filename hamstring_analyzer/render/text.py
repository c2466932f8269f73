"""Plain-text views of an analysis (`analysis.Analysis`, ``result``), an export and a plan, for the terminal."""

from __future__ import annotations

import shutil
import textwrap

import click

from .. import units as u
from ..dates import add_days, within
from ..ingest import counted, grouped
from ..numbers import is_finite
from ..holes import coverage_text
from ..rules.episodes import first_screen
from ..rules.profile import profile_text
from ..rules.registry import EVIDENCE, RULES
from ..safetext import terminal_safe


def headline(export, total_m: float, first, last, n_runs: int | None = None, units: str = "km") -> str:
    """``"79 runs (666.9 km, 5 May 2026 to 4 Oct 2026); 3 skipped; 1 could not be read."``"""
    n = len(export.runs) if n_runs is None else n_runs
    text = f"{u.plural(n, 'run')} ({u.distance(total_m, units)}, {u.date_span(first, last)})"
    return text + f"; {len(export.skipped)} skipped; {len(export.errors)} could not be read."


#: How many files of a group the short listing names before "and N more".
NAMED_FILES = 3
#: Up to this many unreadable files are listed one by one, ``error: <file>: <reason>``; more are grouped.
LISTED_ERRORS = 5


def _names(sources: list[str], verbose: bool) -> str:
    if verbose or len(sources) <= NAMED_FILES:
        return ", ".join(sources)
    return ", ".join(sources[:NAMED_FILES]) + f" and {len(sources) - NAMED_FILES} more"


def export_listing(export, verbose: bool = False, width: int | None = None) -> list[str]:
    """What was skipped, could not be read and was ignored, grouped by reason and counted; every file with ``verbose``.

    ``["Skipped 3: cycling 2, walking 1", "error: corrupt.fit: not a readable FIT file (...)", ...]``:
    skipped and ignored files grouped by reason and counted; unreadable files,
    the ones to act on, each on its own line with the whole reason (grouped
    when there are more than `LISTED_ERRORS`); nothing for an empty list. With
    ``verbose``, each group is followed by its files, one a line. Last, how many
    files were joined into runs (one workout recorded in several files), not as a problem.
    """

    width = width or text_width()
    lines = []
    for head, items, key in (
        ("Skipped", export.skipped, "reason"),
        ("Could not read", export.errors, "error"),
        ("Ignored (not activity files)", export.ignored, "reason"),
    ):
        if not items:
            continue
        items = _safe(items)  # names and reasons come from the files: shown, never obeyed by the terminal
        groups = grouped(items, key)
        if key == "error" and not verbose and len(items) <= LISTED_ERRORS:
            # few, and the ones to act on: each on one line with its whole reason (not wrapped: a line to grep)
            lines += [f"error: {item['source']}: {item['error']}" for item in items]
            continue
        if key == "error" and not verbose:
            text = f"{head} {len(items)}: " + counted(groups, key) + " (-v lists them)"
        elif head.startswith("Ignored") and not verbose:
            text = f"{head} {len(items)}: {_names([s for _, src in groups for s in src], False)}"
        else:
            text = f"{head} {len(items)}: " + counted(groups, key)
        lines.append(_fill(text, width, "", "  "))
        if verbose:
            reasons = {item["source"]: item[key] for item in items}
            for group, sources in groups:
                for source in sources:
                    why = reasons[source]
                    # the group says it all for files ignored by name; the others keep their own reason
                    text = source if head.startswith("Ignored") and group == "not an activity file" else f"{source}: {why}"
                    lines.append(_fill(text, width, "  ", "      "))
    if export.joined:  # not a problem: parts of one workout, read as one run
        runs = len({j["part_of"] for j in export.joined})
        lines.append(f"Joined {len(export.joined) + runs} files into {u.plural(runs, 'run')} (one workout recorded in several files)")
        lines += [_fill(f"{j['source']}: {j['reason']}", width, "  ", "      ") for j in _safe(export.joined)] if verbose else []
    return lines


def _safe(items: list[dict]) -> list[dict]:
    """``items`` with each text value made safe for the terminal (`safetext.terminal_safe`)."""
    return [{k: terminal_safe(v) if isinstance(v, str) else v for k, v in item.items()} for item in items]


def runs_listing(export, units: str = "km", width: int | None = None) -> list[str]:
    """Every run found, oldest first: ``"  Tue 5 May 2026  8.0 km  export/phone/2026-05-05-07-00.gpx"``."""
    lines = [f"Runs {len(export.runs)}:"]
    for a in sorted(export.runs, key=lambda a: a.start_utc):
        more = f" and {u.plural(len(a.files) - 1, 'more file')}" if len(a.files) > 1 else ""  # one workout in several files
        lines.append(f"  {u.long_day(a.start_local.date()):<16} {u.distance(a.distance_m, units):>9}  {terminal_safe(a.id)}{more}")
    return lines


def _fill(text: str, width: int, first: str, then: str) -> str:
    """``text`` wrapped at ``width``; paths are not broken at their hyphens or inside a name."""
    return textwrap.fill(text, width=width, initial_indent=first, subsequent_indent=then, break_on_hyphens=False, break_long_words=False)


def weeks_table(result, n_weeks: int = 8, with_headline: bool = True) -> str:
    """The last ``n_weeks`` weeks as an aligned table, in the runner's units.

    An unfinished week (``complete`` False: ``--until`` mid-week, or the
    current week) shows no change or ratio, and says ``in progress (3 of 7 days)``.
    """
    units = result.config.units
    weeks = result.weeks_by_date.tail(n_weeks)
    header = ["Week of", f"Dist ({units})", "Runs", "Change", "Fast", "Longest", "Cadence", "ACWR"]
    rows, notes = [], []
    for week, w in weeks.iterrows():
        per = u.unit_metres(units)
        rows.append(
            [
                u.day(week, year=True),
                f"{w['distance_m'] / per:.1f}",
                str(int(w["runs"])),
                u.change(w["change_pct"]),
                f"{w['speedwork_share'] * 100:.0f}%" if is_finite(w["speedwork_share"]) else "-",
                f"{w['longest_run_m'] / per:.1f}" if w["longest_run_m"] > 0 else "-",
                f"{w['cadence_spm']:.0f}" if is_finite(w["cadence_spm"]) else "-",
                f"{w['acwr']:.2f}" if is_finite(w["acwr"]) else "-",
            ]
        )
        complete = bool(w.get("complete", True))
        notes.append("" if complete else f"  in progress ({int(w['days'])} of 7 days)")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    lines = []
    if with_headline:
        runs = result.runs
        total = runs["distance_m"].sum()
        lines += [headline(result.export, total, min(runs["local_date"]), max(runs["local_date"]), len(runs), units), ""]
    lines.append("  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(header)))
    for r, note in zip(rows, notes):
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) + note)
    return "\n".join(lines)


#: The session load the ratio is over (`config.LoadConfig.method`), as the legend names it.
LOAD_WORDS = {"distance": "distance", "trimp": "heart-rate load (TRIMP)", "srpe": "effort load (RPE x minutes)"}


def acwr_words(config) -> str:
    """What the weeks table's ACWR is, exactly as `metrics.weekly.acwr` computes it with ``config``.

    ``"ACWR (acute:chronic): the distance of the 7 days to the week's Sunday / the weekly
    average of the 3 weeks before them; 1.5 and above is a sharp jump."``
    """
    load = LOAD_WORDS.get(config.load.method, "load")
    method = config.acwr.method
    if method == "uncoupled":
        ratio = f"the {load} of the 7 days to the week's Sunday / the weekly average of the 3 weeks before them"
    elif method == "rolling":
        ratio = f"the {load} of the 7 days to the week's Sunday / the weekly average of the 4 weeks to that Sunday"
    else:  # ewma
        ratio = f"the daily {load} averaged over about 7 days / over about 28 days (weighted to recent days), on the week's Sunday"
    return f"ACWR (acute:chronic): {ratio}; {config.acwr.danger:g} and above is a sharp jump."


def weeks_legend(config, width: int | None = None) -> str:
    """What each number of `weeks_table` means, under it: Change, Fast, Longest, Cadence and the ACWR."""
    width = min(80, width or text_width())
    return textwrap.fill(
        "Change: distance against the week before. Fast: the share run at or near your threshold pace. "
        f"Longest: the longest run ({config.units}). Cadence: the runs' median, steps/min. " + acwr_words(config),
        width=width,
    )


def text_width() -> int:
    """Columns to wrap at: the terminal's width less one (60 to 100); when piped, $COLUMNS or 80 columns."""
    return max(60, min(100, shutil.get_terminal_size((80, 24)).columns - 1))


def unsampled_note(runs) -> str:
    """What the rules could not judge on manual entries (runs with no samples); "" when there are none."""
    if "has_samples" not in runs:
        return ""
    n = int((runs["has_samples"] == False).sum())  # noqa: E712  (NaN is not False: unknown counts as sampled)
    if not n:
        return ""
    return (
        f"{n} run{'s are' if n != 1 else ' is a'} manual entr{'ies' if n != 1 else 'y'} without samples: counted in "
        "distance and load, but cadence, fast running, terrain and form are not judged for "
        f"{'them' if n != 1 else 'it'}."
    )


#: Terminal colours of the severities (`episodes_text` with ``colour``): alerts red, warnings yellow.
SEVERITY_COLOURS = {"alert": "red", "warning": "yellow"}


def paint(text: str, severity: str, colour: bool) -> str:
    """``text`` in its severity's colour (ANSI) when ``colour``; as it is otherwise."""
    if not colour or severity not in SEVERITY_COLOURS:
        return text
    if severity == "alert":
        return click.style(text, fg=SEVERITY_COLOURS[severity], bold=True)
    return click.style(text, fg=SEVERITY_COLOURS[severity])


def _episode_lines(e, colour: bool, width: int) -> list[str]:

    span = u.day(e.start, year=True) if e.start == e.end else f"{u.day(e.start, year=e.start.year != e.end.year)} to {u.day(e.end, year=True)}"
    sev = f"{e.severity.upper():7}"
    head = textwrap.fill(f"{sev} {span}: {RULES[e.rule].title.lower()} ({EVIDENCE[e.evidence]})", width=width,
                         initial_indent="  ", subsequent_indent=" " * 10)  # fmt: skip
    lines = [head.replace(sev, paint(sev, e.severity, colour), 1)]
    lines.append(textwrap.fill(e.message, width=width, initial_indent=" " * 10, subsequent_indent=" " * 10))
    if e.doubtful:
        lines.append(textwrap.fill(f"Doubtful data: {e.doubt or 'it rests on doubtful data'}", width=width, initial_indent=" " * 10, subsequent_indent=" " * 12))
    return lines


def focus_week(result):
    """The week a runner reads first: the last week of the period (``--until``'s, else the last run's)."""
    weeks = result.weeks_by_date
    return weeks.index[-1] if len(weeks) else None


def first_screen_text(result, colour: bool = False) -> str:
    """What the runner reads first: this week's episodes, most severe and best evidenced first (at most
    ``episodes.first_screen``), then the runner's own yardsticks in one line."""
    width = text_width()
    week = focus_week(result)
    lines = []
    if week is not None:
        end = add_days(week, 6)
        shown = first_screen(result.episodes, week, end, result.config.episodes.first_screen)
        near = [e for e in result.episodes if e.overlaps(week, end)]
        if shown:
            lines.append(f"Worth a look in the week of {u.day(week, year=True)} (not a diagnosis):")
            for e in shown:
                lines += _episode_lines(e, colour, width)
            if len(near) > len(shown):
                lines.append(f"  ... and {len(near) - len(shown)} more this week (-v lists every episode).")
        else:
            lines.append(f"Nothing worth a look in the week of {u.day(week, year=True)}.")
        earlier = [e for e in result.episodes if e.end < week and e.severity != "info" and e.end >= add_days(week, -7 * 8)]
        if earlier:
            latest = earlier[0]
            lines.append(textwrap.fill(
                f"In the 8 weeks before: {u.plural(len(earlier), 'warning or alert', 'warnings or alerts')}, the latest "
                f"{u.day(latest.end, year=True)} ({RULES[latest.rule].title.lower()}); -v lists every episode.",
                width=width, subsequent_indent="  "))  # fmt: skip
    profile = profile_text(result.profile, result.config.units)
    if profile:
        lines.append(textwrap.fill(profile, width=width, subsequent_indent="  "))
    note = unsampled_note(result.runs)
    if note:
        lines.append(textwrap.fill(note, width=width, subsequent_indent="  "))
    thin = coverage_text(result.coverage)
    if thin:
        lines.append(textwrap.fill(thin, width=width, subsequent_indent="  "))
    near = [h for h in result.holes if week is not None and within(h.day, add_days(week, -7 * 8), add_days(week, 6))]
    if near:
        days = ", ".join(u.day(h.day, year=True) for h in near[:4]) + (f" and {len(near) - 4} more" if len(near) > 4 else "")
        lines.append(textwrap.fill(
            f"{u.plural(len(near), 'file')} of the last 8 weeks could not be read and may hold runs ({days}): no "
            "break is judged across them, and a week's load flag on them says it rests on doubtful data.",
            width=width, subsequent_indent="  "))  # fmt: skip
    return "\n".join(lines)


def episodes_text(result, limit: int = 30, colour: bool = False) -> str:
    """Every episode of the period, newest first, each with its message (``-v``); the flags themselves are in the JSON."""
    episodes = result.episodes
    if not episodes:
        return "No episodes: nothing in these weeks stands out against your own usual or the evidence."
    width = text_width()
    n_flags = sum(len(e.flags) for e in episodes)
    lines = [f"{u.plural(len(episodes), 'episode')} ({u.plural(n_flags, 'flag')}), newest first (worth a look, not a diagnosis):"]
    for e in episodes[:limit]:
        lines += _episode_lines(e, colour, width)
    if len(episodes) > limit:
        lines.append(f"  ... and {len(episodes) - limit} more (all of them, and every flag, in --json).")
    return "\n".join(lines)


def insights_text(result) -> str:
    """Symptom episodes with the flags before them, the weekly comparison, and hints."""
    ins = result.insights
    lines = ["Symptoms and training:"]
    if not ins.episodes:
        lines.append("  No symptoms logged in this period.")
    for ep in ins.episodes:
        span = u.date_span(ep.start, ep.end)
        where = f", {', '.join(ep.locations)}" if ep.locations else ""
        lines.append(f"  {span}: {', '.join(ep.kinds) or 'symptoms'} up to {ep.max_severity}/10{where}")  # kind may be blank
        if ep.flags_before:
            rules = sorted({f.rule for f in ep.flags_before})
            lines.append(f"    in the 14 days before: {', '.join(rules)}")
        else:
            lines.append("    no flags in the 14 days before")
    lines.append(textwrap.fill(ins.comparison_text(), width=text_width(), initial_indent="  ", subsequent_indent="  "))
    for text in ins.notes + ins.hints:
        lines.append(textwrap.fill(text, width=text_width(), initial_indent="  ", subsequent_indent="    "))
    return "\n".join(lines)


def plan_rows(plan) -> list[tuple[str, str]]:
    """The plan's ceilings as (what, limit) in the plan's units: the terminal and the HTML show the same."""
    units = plan.units
    return [
        ("Weekly distance", f"at most {u.distance(plan.max_distance_m, units)}"),
        ("Longest run", f"at most {u.distance(plan.max_long_run_m, units)}"),
        ("Hard days", f"at most {plan.max_hard_days}" if getattr(plan, "max_hard_days", 0) > 0 else "none yet"),
        ("Fast running", f"at most {u.distance(plan.max_fast_m, units)}" if plan.max_fast_m > 0 else "none yet"),
        ("Hilly runs", "yes" if plan.hills_ok else "not yet"),
    ]


def plan_text(plan, width: int | None = None) -> str:
    """The plan for the terminal: the ceilings, the rule behind each, and any return ramp (in the runner's units)."""
    width = width or min(80, text_width())
    units = plan.units
    end = add_days(plan.week_start, 6)
    lines = [
        f"Next week: {u.long_day(plan.week_start, year=False)} to {u.long_day(end)}",
        f"(from your runs up to {u.long_day(plan.history_until)})",
        "",
    ]
    lines += [f"  {k:<16} {v}" for k, v in plan_rows(plan)]
    lines += ["", "Why:"]
    names = {"max_distance_m": "Distance", "max_long_run_m": "Long run", "max_hard_days": "Hard days", "max_fast_m": "Fast", "hills_ok": "Hills", "ramp": "Ramp"}
    for r in plan.reasons:
        head = f"  {names.get(r.field, r.field)} ({r.rule}): "
        lines.append(textwrap.fill(head + r.text, width=width, subsequent_indent="      "))
    if plan.ramp:
        lines += ["", "Return ramp, week by week:"]
        first_rule = plan.reasons[0].rule  # the week's own ceiling; the weeks after grow by the jump rule
        lines += [
            f"  Week of {u.day(w, year=True):<12} at most {u.distance(m, units):>9}  ({first_rule if i == 0 else 'weekly_mileage_jump'})"
            for i, (w, m) in enumerate(plan.ramp)
        ]
    lines += [
        "",
        textwrap.fill(
            "Keeping under these raises no weekly_mileage_jump, single_run_spike, speedwork_share or layoff_return flag. "
            "Ceilings, not targets.",
            width=width,
        ),
    ]
    return "\n".join(lines)
