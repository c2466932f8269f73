"""Plain-text views of an analysis for the terminal."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import textwrap

from . import units as u
from .analysis import Analysis
from .rules import Flag


def _num(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def headline(export, total_m: float, first, last, n_runs: int | None = None, units: str = "km") -> str:
    """``"79 runs (666.9 km, 05 May 2026 to 04 Oct 2026); 7 skipped; 1 could not be read."``"""
    n = len(export.runs) if n_runs is None else n_runs
    return (
        f"{n} runs ({u.distance(total_m, units)}, {first:%d %b %Y} to {last:%d %b %Y}); "
        f"{len(export.skipped)} skipped; {len(export.errors)} could not be read."
    )


def weeks_table(result: Analysis, n_weeks: int = 8) -> str:
    """The last ``n_weeks`` weeks as an aligned table, in the runner's units."""
    units = result.config.units
    weeks = result.weeks_by_date.tail(n_weeks)
    header = ["Week of", f"Dist ({units})", "Runs", "Change", "Fast", "Longest", "Cadence", "ACWR"]
    rows = []
    for week, w in weeks.iterrows():
        per = u.unit_metres(units)
        rows.append(
            [
                f"{week.day} {week:%b %Y}",
                f"{w['distance_m'] / per:.1f}",
                str(int(w["runs"])),
                u.change(w["change_pct"]),
                f"{w['speedwork_share'] * 100:.0f}%" if _num(w["speedwork_share"]) else "-",
                f"{w['longest_run_m'] / per:.1f}" if w["longest_run_m"] > 0 else "-",
                f"{w['cadence_spm']:.0f}" if _num(w["cadence_spm"]) else "-",
                f"{w['acwr']:.2f}" if _num(w["acwr"]) else "-",
            ]
        )
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    runs = result.runs
    total = runs["distance_m"].sum()
    lines = [headline(result.export, total, min(runs["local_date"]), max(runs["local_date"]), len(runs), units), ""]
    lines.append("  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(header)))
    for r in rows:
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
    return "\n".join(lines)


def text_width() -> int:
    """Columns to wrap at: the terminal's width (60 to 100), 100 when not on a terminal."""
    return max(60, min(100, shutil.get_terminal_size((101, 24)).columns - 1))


def doubt_note(flag: Flag) -> str:
    """``"Doubtful data: <why>"`` for a doubtful flag (terminal and HTML say the same)."""
    return f"Doubtful data: {flag.doubt or 'a run behind this flag rests on doubtful data'}"


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


def flags_text(result: Analysis, limit: int = 30) -> str:
    """The flags, newest first, each with its message (and a doubtful-data note where one applies)."""
    flags = result.flags
    note = unsampled_note(result.runs)
    if not flags:
        return "No flags: nothing in these weeks stands out against the usual advice." + (f"\n{note}" if note else "")
    lines = [f"{len(flags)} flag{'s' if len(flags) != 1 else ''}, newest first (worth a look, not a diagnosis):"]
    if note:
        lines.append(textwrap.fill(note, width=text_width(), initial_indent="  ", subsequent_indent="  "))
    for f in flags[:limit]:
        lines.append(f"  {f.severity.upper():7} {f.date:%d %b %Y}  {f.rule}")
        lines.append(textwrap.fill(f.message, width=text_width(), initial_indent=" " * 10, subsequent_indent=" " * 10))
        if f.doubtful:
            lines.append(textwrap.fill(doubt_note(f), width=text_width(), initial_indent=" " * 10, subsequent_indent=" " * 12))
    if len(flags) > limit:
        lines.append(f"  ... and {len(flags) - limit} more (all of them in --json).")
    return "\n".join(lines)


def insights_text(result: Analysis) -> str:
    """Symptom episodes with the flags before them, the weekly comparison, and hints."""
    ins = result.insights
    lines = ["Symptoms and training:"]
    if not ins.episodes:
        lines.append("  No symptoms logged in this period.")
    for ep in ins.episodes:
        span = f"{ep.start:%d %b %Y}" + (f" to {ep.end:%d %b %Y}" if ep.end != ep.start else "")
        where = f", {', '.join(ep.locations)}" if ep.locations else ""
        lines.append(f"  {span}: {', '.join(ep.kinds)} up to {ep.max_severity}/10{where}")
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
        ("Fast running", f"at most {u.distance(plan.max_fast_m, units)}" if plan.max_fast_m > 0 else "none yet"),
        ("Hilly runs", "yes" if plan.hills_ok else "not yet"),
    ]


def plan_text(plan, width: int | None = None) -> str:
    """The plan for the terminal: the ceilings, the rule behind each, and any return ramp (in the runner's units)."""
    width = width or min(80, text_width())
    units = plan.units
    end = plan.week_start + dt.timedelta(days=6)
    lines = [
        f"Next week: {u.long_day(plan.week_start, year=False)} to {u.long_day(end)}",
        f"(from your runs up to {u.long_day(plan.history_until)})",
        "",
    ]
    lines += [f"  {k:<16} {v}" for k, v in plan_rows(plan)]
    lines += ["", "Why:"]
    names = {"max_distance_m": "Distance", "max_long_run_m": "Long run", "max_fast_m": "Fast", "hills_ok": "Hills", "ramp": "Ramp"}
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
