"""Judging what a file holds: its sport, the same run twice, activity lists' rows, local time.

`judge_sport` runs in the parser (its result is stored); the rest runs in
the ingest's own process on what the parser concluded: `drop_duplicates`
keeps one of a run that arrived twice (the richer file), `listed_runs` merges
what an activity list (Strava's CSV, Garmin's summaries) says with the files
it names, `home_zone` finds the zone the runner's files were recorded in and
`settle_local_time` gives what has no local time of its own a zone.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import Activity
from ..config import IngestConfig
from ..metrics.weekly import runner_zone
from ..samples import RUNNING_STEP_RATE_MIN
from ..timezones import offset_seconds
from .sources import safe_member_name
from .wording import TOO_SHORT_REASON, duplicate_reason, retyped_reason

#: Two runs starting this close, with durations this close, are the same run.
DUPLICATE_START_S = 120.0
DUPLICATE_DURATION_SHARE = 0.10
#: Shorter than both, a "run" is a stray recording (a button pressed by mistake).
MIN_RUN_S = 120.0
MIN_RUN_M = 400.0


def judge_sport(activity: Activity, ingest: IngestConfig = IngestConfig()) -> tuple[str | None, str | None]:
    """Guess the sport of a file that does not say, from gears, speed and cadence.

    Returns (sport, note). Gear changes mean a bicycle. A median moving speed
    above ``ingest.ride_speed_mps`` (6 m/s, 2:47/km: faster than any amateur's
    whole run) is a ride; so is a "step" longer than ``ingest.ride_step_m``
    (1.9 m) at the median speed, because doubling a pedal cadence of 80-95 rpm
    gives a plausible step rate, so cadence alone cannot tell a ride from a
    run. Runs: ``ingest.running_speed_min_mps`` (1.9 m/s) to 6 m/s and, when
    cadence exists, mostly running steps (>= 130/min).
    """
    if activity.gear_changes:
        return "cycling", f"no sport in the file; judged a ride ({activity.gear_changes} gear changes)"
    rec = activity.samples
    speed = rec.get(g.SPEED)
    moving = speed[speed > 0.5] if speed is not None else np.empty(0)  # NaN is not above 0.5
    if not len(moving):
        return None, "no speed to judge the sport by"
    v = float(np.median(moving))
    if v > ingest.ride_speed_mps:
        return "cycling", f"no sport in the file; judged a ride (median {v:.1f} m/s)"
    if g.CADENCE in rec and (~np.isnan(rec[g.CADENCE])).sum() > 10:
        cad = rec[g.CADENCE][~np.isnan(rec[g.CADENCE])]
        running_share = float((cad >= RUNNING_STEP_RATE_MIN).mean())
        step = v / (float(np.median(cad[cad >= RUNNING_STEP_RATE_MIN])) / 60.0) if running_share > 0 else float("nan")
        if step > ingest.ride_step_m:
            return "cycling", f"no sport in the file; judged a ride ({step:.1f} m per \"step\" at {v:.1f} m/s)"
        if running_share >= 0.5:
            return "running", f"no sport in the file; judged a run (median {v:.1f} m/s, {running_share:.0%} running steps)"
        return "walking", f"no sport in the file; judged a walk (only {running_share:.0%} running steps)"
    if ingest.running_speed_min_mps <= v <= ingest.ride_speed_mps:
        return "running", f"no sport in the file; judged a run from its speed (median {v:.1f} m/s)"
    return "walking", f"no sport in the file; judged a walk from its speed (median {v:.1f} m/s)"


def _richness(a: Activity) -> tuple:
    channels = sum(a.has_channel(c) for c in g.RECORD_COLUMNS + g.RUNNING_DYNAMICS)
    return (a.has_samples, not a.partial, channels, a.format == "fit", a.n_samples)


def _same_run(a: Activity, b: Activity) -> bool:
    if a.start_utc is None or b.start_utc is None:
        return False
    if abs((a.start_utc - b.start_utc).total_seconds()) > DUPLICATE_START_S:
        return False
    da, db = a.elapsed_s or 0.0, b.elapsed_s or 0.0
    return abs(da - db) <= max(DUPLICATE_DURATION_SHARE * max(da, db), DUPLICATE_START_S)


def drop_duplicates(runs: list[Activity]) -> tuple[list[Activity], list[dict]]:
    """Keep one of each run that arrived twice (the richer file); list the others."""
    runs = sorted(runs, key=lambda a: (a.start_utc, a.id))
    kept: list[Activity] = []
    skipped = []
    for run in runs:
        twin = next((k for k in reversed(kept[-5:]) if _same_run(k, run)), None)
        if twin is None:
            kept.append(run)
            continue
        better, worse = (run, twin) if _richness(run) > _richness(twin) else (twin, run)
        absorb(better, worse)
        if better is run:
            kept[kept.index(twin)] = run
        skipped.append({"source": worse.id, "reason": duplicate_reason(better.id)})
    return kept, skipped




def ref_label(list_label: str, file_ref: str) -> str:
    """The label the file named by an activity list's row has, in the same folder or archive as the list."""
    folder = list_label.rsplit("/", 1)[0] + "/" if "/" in list_label else ""
    return (folder + safe_member_name(file_ref)).lower()


def sport_hints(labels: list[str], results: dict) -> dict[str, tuple[str | None, str | None]]:
    """(sport, sub_sport) by file label (lower case), as the activity lists read so far say."""
    hints = {}
    for i, label in enumerate(labels):
        kind, payload = results.get(i, (None, None))
        if kind != "ok":
            continue
        for a in payload:
            if a.file_ref and a.sport:
                hints[ref_label(label, a.file_ref)] = (a.sport, a.sub_sport)
    return hints


def listed_runs(listed: list[tuple[str, Activity]], labels: list[str], results: dict, runs: list[Activity],
                skipped: list[dict]) -> list[Activity]:
    """The runs only an activity list knows; what the lists say about the other runs goes onto them.

    A list row naming a file that was read as a run gives that run its
    perceived exertion, commute mark and name, and adds the list to the run's
    sources. A run row whose file is missing or unreadable, or a row without a
    file (a manual entry), counts as a run without samples. Rows of other
    sports are dropped: their files, when there are any, say so themselves,
    except a run from a file that a row of another sport matches by start
    (`drop_retyped`): the runner re-typed it, and it leaves ``runs``.
    """
    drop_retyped([row for _, row in listed], runs, skipped)
    by_label = {label.lower(): i for i, label in enumerate(labels)}
    runs_by_label: dict[str, list[Activity]] = {}
    for run in runs:
        runs_by_label.setdefault(run.source.lower(), []).append(run)
    out = []
    for list_label, row in listed:
        if not row.is_run:
            continue
        if row.file_ref:
            target = ref_label(list_label, row.file_ref)
            matched = runs_by_label.get(target)
            if matched:
                for run in matched:
                    absorb(run, row)
                continue
            i = by_label.get(target)
            if i is None:
                row.warnings.append(f"its file {row.file_ref} is not in the export: counted from the list's totals, without samples")
            elif results[i][0] == "ok":
                continue  # read, and not a run after all (too short): the file decides
            else:
                row.warnings.append(f"its file {row.file_ref} could not be read: counted from the list's totals, without samples")
        if too_short(row):
            skipped.append({"source": row.id, "reason": TOO_SHORT_REASON})
            continue
        out.append(row)
    return out


def drop_retyped(rows: list[Activity], runs: list[Activity], skipped: list[dict]) -> None:
    """Take out of ``runs`` (in place) the runs an activity list's row of another sport matches (`_same_run`).

    The list's type is the runner's word: a watch "run" re-typed as a walk in
    Garmin Connect has a summary row saying ``walking`` and a FIT saying
    running, matched by their start times wherever the FIT lies (in the
    export's zip or loose). Rows of no known sport (``other``) say nothing.
    """
    others = sorted((r for r in rows if not r.is_run and r.sport not in (None, "other", "generic") and r.start_utc is not None),
                    key=lambda r: r.start_utc)  # fmt: skip
    if not others:
        return
    starts = np.array([r.start_utc.timestamp() for r in others])
    kept = []
    for run in runs:
        row = None
        if run.start_utc is not None:
            t = run.start_utc.timestamp()
            lo, hi = np.searchsorted(starts, [t - DUPLICATE_START_S, t + DUPLICATE_START_S], side="left")
            row = next((r for r in others[lo : hi + 1] if _same_run(r, run)), None)
        if row is None:
            kept.append(run)
        else:
            skipped.append({"source": run.id, "reason": retyped_reason(row.sport, row.format)})
    runs[:] = kept


def absorb(run: Activity, other: Activity) -> None:
    """``run`` (kept) takes what ``other`` (the same run from another export) adds: its sources, exertion, commute."""
    kinds = other.source_kinds + [k for k in run.source_kinds if k not in other.source_kinds]
    run.sources = list(dict.fromkeys(kinds))
    if run.rpe is None and other.rpe is not None:
        run.rpe = other.rpe
    if run.commute is None and other.commute is not None:
        run.commute = other.commute
    if other.format == "strava_csv" and other.name:
        run.name = other.name  # the runner's own title


def too_short(activity: Activity) -> bool:
    """Shorter than `MIN_RUN_S` and `MIN_RUN_M`: a stray recording, not a run."""
    return (activity.elapsed_s or 0) < MIN_RUN_S and (activity.distance_m or 0) < MIN_RUN_M


def relabel(activity: Activity, label: str) -> None:
    """Name the activity by where its file is now."""
    activity.source = label  # the same content may sit at another path than when cached


def home_zone(activities: list[Activity], timezone: str | None = None) -> str | dt.tzinfo | None:
    """The runner's home zone, for what has no local time of its own (a Strava CSV row without its file).

    The zone most of ``activities`` that carry their own local time (a zone
    from their position, or the UTC offset a watch wrote) were recorded in
    (`weekly.runner_zone`). Watches write offsets, not zones: a runner whose
    files switch between +10:00 and +11:00 with the seasons lives in a zone
    with summer time, so when a named zone explains more of the files'
    offsets than the most frequent offset alone, that zone is the answer
    (``timezone`` first among equals). Without such files: ``timezone`` (the
    user's), else None (this machine's zone).
    """
    own = [a for a in activities if a.start_utc is not None and (a.timezone or a.utc_offset_s is not None)]
    if not own:
        return timezone
    zone = runner_zone(own)
    if isinstance(zone, str):
        return zone
    return _zone_explaining(own, zone, timezone) or zone


#: At most this many of the runner's files are compared with each candidate zone (evenly spread over the history).
ZONE_SAMPLE = 64


def _zone_explaining(own: list[Activity], fixed: dt.tzinfo, preferred: str | None) -> ZoneInfo | None:
    """A named zone whose offsets match more of the files than the fixed offset ``fixed`` does, or None."""
    dated = sorted(own, key=lambda a: a.start_utc)
    picks = dated[:: max(1, len(dated) // ZONE_SAMPLE)][:ZONE_SAMPLE]
    seen = [(a.start_utc.to_pydatetime(), dt.timedelta(seconds=int(a.start_local.utcoffset().total_seconds()))) for a in picks]

    def score(tz: dt.tzinfo) -> int:
        return sum(when.astimezone(tz).utcoffset() == offset for when, offset in seen)

    to_beat = score(fixed)
    # The user's zone first, then the zones people live in before Antarctic stations (equal offsets, odd names).
    names = ([preferred] if preferred else []) + sorted(_zone_names(), key=lambda n: (n.startswith(("Antarctica/", "Arctic/")), n))
    best, best_score = None, to_beat
    for name in names:
        tz = _zone(name)
        got = score(tz) if tz is not None else -1
        if got > best_score:
            best, best_score = tz, got
    return best


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "posix/", "right/", "SystemV/")))


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ValueError, OSError):
        return None


#: A file without local time of its own takes the zone of the runner's nearest file within this many seconds.
NEIGHBOUR_S = 2 * 86400.0


class LocalTimes:
    """What the runner's own files say of their local time, for a file that says nothing (a watch whose battery died).

    ``own``: the activities carrying a zone or a UTC offset. A file without
    one takes the zone of the runner's nearest such file within
    `NEIGHBOUR_S` (a trip abroad keeps its zone; a named zone gives its
    offset at the file's own date), else the home zone (`home_zone`).
    """

    def __init__(self, own: list[Activity], home: str | dt.tzinfo | None):
        dated = sorted((a for a in own if a.start_utc is not None), key=lambda a: a.start_utc)
        self._starts = np.array([a.start_utc.value for a in dated], dtype="int64")
        self._zones = [a.timezone or dt.timezone(dt.timedelta(seconds=int(a.utc_offset_s or 0))) for a in dated]
        self.home = home

    def zone_at(self, when: "pd.Timestamp") -> str | dt.tzinfo | None:
        if len(self._starts):
            i = int(np.searchsorted(self._starts, when.value))
            near = [j for j in (i - 1, i) if 0 <= j < len(self._starts)]
            j = min(near, key=lambda j: abs(int(self._starts[j]) - when.value))
            if abs(int(self._starts[j]) - when.value) <= NEIGHBOUR_S * 1e9:
                return self._zones[j]
        return self.home


def settle_local_time(activity: Activity, timezone: str | None, home: str | dt.tzinfo | None = None) -> None:
    """Give what has no local time of its own a zone: ``home`` when given (`home_zone`), else the user's zone (or this machine's).

    A named zone is kept on the activity; a zone inferred from offsets gives
    only the offset at the activity's start (its summer time included).
    """
    if activity.utc_offset_s is not None or activity.start_utc is None:
        return
    if home is not None:
        if isinstance(home, str):
            activity.timezone = activity.timezone or home
        activity.utc_offset_s = int(activity.start_utc.tz_convert(activity.timezone or home).utcoffset().total_seconds())
        return
    if activity.timezone is None and timezone:
        activity.timezone = timezone
    activity.utc_offset_s = offset_seconds(activity.start_utc, activity.timezone)
