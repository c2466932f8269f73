"""One file, parsed: read, the sport judged, cleaned, summarised, and stored (what a worker runs).

`parse_bytes` is the whole per-file computation whose result the run store
keeps; `parse_into_store` is what a worker process (or a cohort's task) runs
for each file: parse, then write the runs' samples to the store. The result
kinds: ``("ok", activities)``, ``("skipped", reason)``, ``("error", reason)``,
and `FAILED` for a parse that did not finish (never stored).

A list (an export's workouts, a CSV's rows, a session's exercises) is judged
entry by entry: an entry whose date cleaning refuses, or whose values cannot
be held, is kept in its place as a refused entry (`summary_only.refused_entry`:
where it is and why), which the ingest lists as skipped, and the others are
read. A file of one activity is refused whole, as before.
"""

from __future__ import annotations

import dataclasses
import json

from ..activity import Activity
from ..clean import clean_activity
from ..config import IngestConfig
from ..errors import NotAnActivityError, ParseError, unexpected_problem
from ..readers import read_activities
from ..readers.sports import needs_judging
from ..readers.summary_only import refusal, refused_entry
from ..metrics.profile import NO_PROFILE, record_profile
from ..store import RunStore
from ..store.schema import as_stored
from ..metrics.bands import SUMMARISED_CHANNELS, run_curves
from ..metrics.summary import expensive_stats
from .classify import judge_sport
from .wording import failure_reason
from ..numbers import json_number

#: The result kind of a parse that did not finish (a crash, a kill, an exception the
#: parser let through): reported as an error, never stored.
FAILED = "failed"


def settings_tag(ingest: IngestConfig) -> str:
    """The ingest settings as text for the store key (`sources.source_key`); empty for the defaults.

    Empty for the defaults so that a store written with them keeps its keys.
    ``join_gap_min`` is left out: parts are joined after the store is read (`join`).
    """
    ingest = dataclasses.replace(ingest, join_gap_min=IngestConfig().join_gap_min)
    values = dataclasses.asdict(ingest)
    return "" if ingest == IngestConfig() else json.dumps(values, sort_keys=True)


def parse_bytes(label: str, data, hint: tuple[str | None, str | None] | None = None, ingest: IngestConfig = IngestConfig()):
    """Parse one file; the cacheable result: ("ok", activities) / ("skipped", reason) / ("error", reason).

    ``data`` is the file's bytes, or an `Opener` for a streamed format. ``hint``
    is the (sport, sub_sport) an activity list gave the file (Strava's type, as
    the runner set it): it decides the sport of a one-activity file, before any
    guessing. ``ingest`` holds the thresholds (`config.IngestConfig`); the
    store key must name the same ones (`settings_tag`).
    """
    try:
        activities = read_activities(label, data)
    except NotAnActivityError as exc:
        return ("skipped", exc.reason)
    except ParseError as exc:
        return ("error", exc.reason)
    if hint is not None and len(activities) == 1:
        _apply_hint(activities[0], hint)
    listed = len(activities) > 1 or any(a.entry for a in activities)
    out = []
    for a in activities:
        if refusal(a) is not None:
            out.append(a)
            continue
        try:
            out.append(_finished(a, ingest))
        except ParseError as exc:
            if not listed:
                return ("error", exc.reason)
            out.append(_refused(a, exc.reason))
        except (ArithmeticError, ValueError) as exc:  # one entry's values beyond reason: that entry, not the list
            if not listed:
                raise
            out.append(_refused(a, f"could not be read: {unexpected_problem(exc, 'while reading it')}"))
    if listed and all(refusal(a) is not None for a in out):
        where, reason = refusal(out[0])
        return ("error", f"{where}: {reason}" if len(out) == 1 else f"none of its {len(out)} entries can be read ({where}: {reason})")
    return ("ok", out)


#: What an entry of each format is called when the reader did not name it (`Activity.entry`).
ENTRY_WORDS = {"apple_health": "running workout", "fit": "session", "tcx": "activity", "gpx": "track", "polar_json": "exercise"}


def _refused(activity: Activity, reason: str) -> Activity:
    """One entry of a list, refused in its place: named by where it is in its file (`Activity.entry`)."""
    where = activity.entry or f"{ENTRY_WORDS.get(activity.format, 'entry')} {activity.session_index + 1}"
    return refused_entry(activity.source, activity.format, activity.session_index, where, reason)


def _finished(a: Activity, ingest: IngestConfig) -> Activity:
    """One activity judged, cleaned and summarised, as stored; raises `ParseError` when its date is impossible."""
    _drop_impossible_heart_rate(a, ingest)
    if needs_judging(a.sport):
        a = _judged(a, ingest)
    if a.is_run and a.quality is None:
        a = clean_activity(a, ingest=ingest)
    if a.has_samples:
        a.stats = expensive_stats(a)  # computed once, cached with the records
        for name, value in (a.totals or {}).items():  # the summary's own where the samples cannot say
            if a.stats.get(name) is None:
                a.stats[name] = json_number(value)
        if a.is_run:
            a.stats["profile"] = record_profile(a)
            a.stats["samples_summary"] = run_curves(a, as_stored(a.samples, SUMMARISED_CHANNELS))  # what the analysis needs
    else:
        a.stats = {name: json_number((a.totals or {}).get(name)) for name in ("elevation_gain_m", "cadence_spm", "avg_heart_rate_bpm")}
        if a.is_run:
            a.stats["profile"] = dict(NO_PROFILE)
    return a


def _apply_hint(activity: Activity, hint: tuple[str | None, str | None]) -> None:
    sport, sub_sport = hint
    if sport is None or sport == activity.sport:
        if sport is not None and sub_sport and activity.sub_sport in (None, "generic"):
            activity.sub_sport = sub_sport
        return
    if activity.sport not in (None, "generic"):
        activity.warnings.append(f"the file says {activity.sport}; the activity list says {sport}, which was kept")
    activity.sport = sport
    activity.sub_sport = sub_sport if sub_sport else (activity.sub_sport if sport == "running" else None)


def _drop_impossible_heart_rate(activity: Activity, ingest: IngestConfig) -> None:
    """A summary's average heart rate outside what a body produces is unknown, not a number."""
    totals = activity.totals or {}
    hr = totals.get("avg_heart_rate_bpm")
    if hr is not None and not ingest.heart_rate_min_bpm <= hr <= ingest.heart_rate_max_bpm:
        totals["avg_heart_rate_bpm"] = None


def _judged(activity: Activity, ingest: IngestConfig = IngestConfig()) -> Activity:
    """An activity without a sport, with the sport judged; a run comes back cleaned.

    The raw samples judge first. A file that reads as a ride only because the
    phone kept recording the drive home is judged again once cleaned: if what
    is left is a run, and all the time at vehicle speed came before or after
    the time on foot (on a ride it comes in between), it is a run.

    A file that names its sport in a word we do not know (`readers.sports`)
    is judged the same way; when it is not a run, it keeps its word, so that
    the reason for skipping it names the sport the file names.
    """
    said = activity.sport if activity.sport not in (None, "generic") else None
    sport, note = judge_sport(activity, ingest)
    if said and note:
        note = note.replace("no sport in the file", f'the file names its sport "{said}"')
    if sport != "running" and sport is not None and not activity.gear_changes:
        cleaned = clean_activity(activity.replace(sport=None, warnings=list(activity.warnings)), ingest=ingest)
        again, again_note = judge_sport(cleaned, ingest)
        q = cleaned.quality
        if again == "running" and q.vehicle_at_ends:
            cleaned.sport = "running"
            cleaned.warnings.append(f"{again_note}, once {q.gps_jumps_removed_m / 1000:.1f} km at vehicle speed was removed")
            return cleaned
    activity.sport = sport if sport == "running" or said is None else said
    if note:
        activity.warnings.append(note)
    return activity


def parse_into_store(label: str, data, key: str, store: RunStore, hint=None, parse=None):
    """Parse one file and store what the parser concluded; the runs come back without their samples.

    ``parse`` replaces `parse_bytes` (called as ``parse(label, data)`` or with
    ``hint`` too). An exception it lets through is raised: the caller decides
    whether it costs the file (`failure`) or the task.
    """
    parse = parse or parse_bytes
    result = parse(label, data) if hint is None else parse(label, data, hint)  # two arguments, as stand-ins in tests take
    return store.write_samples(key, result)


def failure(exc: BaseException) -> tuple[str, str]:
    """An exception the parser let through, as this file's `FAILED` result."""
    return (FAILED, failure_reason(exc))
