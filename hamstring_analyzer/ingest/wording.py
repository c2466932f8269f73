"""The ingest's words: why a file was ignored, skipped or not read, and how reasons are grouped.

Display only: nothing here decides what a file holds, so this module is not
part of the run store's code version (`store.version`), and rewording a
reason never throws a stored export away. The reasons a *parser* gives (a
reader's `NotAnActivityError`) are stored with its result and live with the
reader.
"""

from __future__ import annotations

import signal

from ..errors import unexpected_problem
from ..readers.sports import sport_label

#: Files that are plainly not activities, by their base name (lower case), and what they are.
KNOWN_NON_ACTIVITY = {
    "export_cda.xml": "Apple Health's clinical records (no workouts)",
}
APPLE_ROUTE_REASON = "a route of an Apple Health workout; read with export.xml"
NOT_ACTIVITY_REASON = ("not an activity file (read: .fit, .gpx and .tcx, gzipped or not; Apple Health export.xml; Strava activities.csv; "
                       "Garmin *summarizedActivities*.json; Polar training-session-*.json)")  # fmt: skip
TOO_SHORT_REASON = "too short to count as a run (under 2 minutes and 400 m)"


def not_activity_reason(name: str) -> str:
    """Why a file named ``name`` is ignored (never opened)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return KNOWN_NON_ACTIVITY.get(base.lower(), NOT_ACTIVITY_REASON)


def not_a_run_reason(sport: str | None, sub_sport: str | None) -> str:
    """``"not a run (road cycling)"``: an activity of another sport, named as the runner says it (`sports.sport_label`).

    A file that says only "Other" gives ``"not a run (another sport (Other))"``;
    a sport the ingest judged from the samples is named by the judgement.
    """
    return f"not a run ({sport_label(sport, sub_sport)})"


#: The platforms whose activity lists speak for the runner, by reader kind.
LIST_PLATFORMS = {"garmin_summary": "Garmin Connect", "strava_csv": "Strava"}


def retyped_reason(sport: str, list_format: str) -> str:
    """``"re-typed as walking in Garmin Connect (the watch recorded it as a run)"``: a run the runner's list calls another sport."""
    return f"re-typed as {sport} in {LIST_PLATFORMS.get(list_format, 'the activity list')} (the watch recorded it as a run)"


def duplicate_reason(kept_id: str) -> str:
    return f"duplicate of {kept_id}"


def joined_reason(first_id: str, part: int, parts: int) -> str:
    """``"part 2 of 3 of the run <first_id> (one workout recorded in 3 files, joined)"``: a later part of a joined run."""
    return f"part {part} of {parts} of the run {first_id} (one workout recorded in {parts} files, joined)"


def crash_reason(exitcode: int | None) -> str:
    """Why a single-use parser process ended without a result, for the errors list."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.strsignal(number) or f"signal {number}"
        except ValueError:
            name = f"signal {number}"
        name = name[0].lower() + name[1:]
        if number == signal.SIGKILL:
            return f"the parser was killed on this file (signal {number}: {name}; out of memory?); skipped"
        return f"the parser crashed on this file (signal {number}: {name}); skipped"
    return f"the parser process ended on this file without a result (exit code {exitcode}); skipped"


def failure_reason(exc: BaseException) -> str:
    """A worker failure (an exception the parser let through) as this file's error; never stored.

    In a runner's words, never the exception's class name
    (`errors.unexpected_problem`): ``"could not be read: an unexpected problem
    while reading it (please report: ...)"``.
    """
    return f"could not be read: {unexpected_problem(exc, 'while reading it')}"


def reason_group(reason: str) -> str:
    """A skip or error reason shortened to the group it is counted in: ``"not a run (cycling)"`` -> ``"cycling"``."""
    if reason.startswith("not a run (") and reason.endswith(")"):
        return reason[len("not a run ("):-1]
    if reason.startswith("duplicate of "):
        return "duplicate"
    if reason.startswith("too short to count as a run"):
        return "too short"
    if reason.startswith(TOO_LITTLE_TRACK_PREFIX):
        return "too little track"
    if reason.startswith(FASTER_THAN_RUNNING_PREFIX):
        return FASTER_THAN_RUNNING_PREFIX
    if reason == APPLE_ROUTE_REASON:
        return "Apple Health route (read with export.xml)"
    if reason.startswith("not an activity file"):
        return "not an activity file"
    for stop in (" (", "; ", ": "):
        head = reason.split(stop, 1)[0]
        if head and len(head) < len(reason):
            reason = head
    return reason.strip()


def grouped(items: list[dict], key: str) -> list[tuple[str, list[str]]]:
    """``items`` (``{"source", key}``) as (group, sources) pairs, largest group first, then by name."""
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(reason_group(str(item[key])), []).append(item["source"])
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def counted(groups: list[tuple[str, list[str]]], key: str) -> str:
    """``"cycling 2, walking 1"``; error reasons, long and full of commas, as ``"reason (2); other (1)"``.

    One group needs no count: the list's own count says it (``"Skipped 2: cycling"``).
    """
    if len(groups) == 1:
        return groups[0][0]
    if key == "error":
        return "; ".join(f"{g} ({len(src)})" for g, src in groups)
    return ", ".join(f"{g} {len(src)}" for g, src in groups)


def why_no_runs(export) -> str:
    """Why an export gave no runs, in one line: its groups of skipped, unreadable and ignored files.

    A single unreadable file is named, so the line says which file to look at
    even where the file list is not shown (a team's row, a cohort's table).
    """
    parts = []
    for head, items, key in (("skipped", export.skipped, "reason"), ("could not read", export.errors, "error"),
                             ("ignored", export.ignored, "reason")):  # fmt: skip
        if key == "error" and len(items) == 1:
            parts.append(f"{head} 1: {items[0]['source']}: {reason_group(str(items[0]['error']))}")
        elif items:
            parts.append(f"{head} {len(items)}: " + counted(grouped(items, key), key))
    return "; ".join(parts) if parts else "no files at all"


# -- files that hold too little to be a run, and runs no runner could run (appended) --------------

TOO_LITTLE_TRACK_PREFIX = "too little track to count as a run"
FASTER_THAN_RUNNING_PREFIX = "faster than running"


def too_little_track_reason(points: int) -> str:
    """``"too little track to count as a run (2 points)"``: a stub file (start and end only)."""
    return f"{TOO_LITTLE_TRACK_PREFIX} ({points} point{'' if points == 1 else 's'})"


def faster_than_running_reason(distance_m: float, seconds: float) -> str:
    """``"faster than running: 30.0 km in 45 min (11.1 m/s); a ride or a GPS fault?"``."""
    h, m = divmod(int(round(seconds / 60)), 60)
    took = f"{h} h {m:02d} min" if h else f"{m} min"
    return f"{FASTER_THAN_RUNNING_PREFIX}: {distance_m / 1000:.1f} km in {took} ({distance_m / seconds:.1f} m/s); a ride or a GPS fault?"


# -- an entry of a list that could not be read (appended) ------------------------------------------


def refused_skip(label: str, where: str, reason: str) -> dict:
    """The skipped entry of a list's row or workout that could not be read: ``{"source": "activities.csv, line 9", "reason", "entry"}``."""
    return {"source": f"{label}, {where}" if where else label, "reason": reason, "entry": where}
