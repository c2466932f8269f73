"""Read a whole watch export: `load_runs` and what it returns, an `Export`.

`load_runs` accepts a folder or an archive as the runner downloaded it
(Garmin Connect's nested zips, Strava's ``activities/*.fit.gz``) and returns
the runs, plus what was skipped and what could not be read, each with its
reason. It reads in two passes (`read_files`): first the activity lists
(Strava's ``activities.csv``, Garmin's summaries), whose word on each file's
sport is part of that file's store key, then every other file. Each file is
looked up in the run store by its content and parsed only when absent: in
worker processes (`pool.parse_all`) for an ingest, or by any other
``parse_files`` a caller gives (a cohort's task parses in its own process).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from ..activity import Activity
from ..clean.values import impossible_speed, recorded_distance_m, stub_points
from ..config import IngestConfig
from ..errors import HamstringAnalyzerError
from ..readers.registry import BY_KIND, is_index_name
from ..readers.summary_only import refusal
from ..store import RunStore
from ..jsonfile import write_json
from ..metrics.summary import run_summary
from ..timezones import check_zone
from ..metrics.weekly import runner_zone
from .classify import LocalTimes, drop_duplicates, home_zone, listed_runs, relabel, settle_local_time, sport_hints, too_short
from .join import join_parts
from .parse import FAILED, failure, parse_bytes, parse_into_store, settings_tag
from .pool import BATCH_FILES, WINDOW_PER_WORKER, parse_all
from .sources import Outcome, Source, find_sources, read_source, source_key
from .wording import TOO_SHORT_REASON, faster_than_running_reason, not_a_run_reason, refused_skip, too_little_track_reason

#: Reader kinds whose files list activities (read first; see `readers.registry.Reader.index`).
INDEX_KINDS = frozenset(r.kind for r in BY_KIND.values() if r.index)


@dataclass
class Export:
    """What `load_runs` found.

    Attributes
    ----------
    runs : list of Activity
        Running sessions (trail and treadmill included), oldest first, one per real run.
    skipped : list of dict
        ``{"source", "reason"}``: other sports, duplicates, files that are not activities,
        runs faster than running; a stub file (too little track to be a run) adds
        ``"distance_m"``, the distance it recorded [m]. An entry of a list that
        could not be read (a row, a workout) is ``"FILE, line 9"`` (or
        ``"FILE, running workout 3"``) with ``"entry"``, where it is in the file.
    errors : list of dict
        ``{"source", "error"}``: files that could not be read.
    ignored : list of dict
        ``{"source", "reason"}``: files that are plainly not activities by their
        name (documentation, scripts, a symptom log, photos); never opened.
    joined : list of dict
        ``{"source", "part_of", "reason"}``: the later parts of a workout recorded
        in several files, each read into the run ``part_of`` (`join.join_parts`).
    """

    root: str
    runs: list[Activity] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    cache_hits: int = 0
    parsed: int = 0
    ignored: list[dict] = field(default_factory=list)
    joined: list[dict] = field(default_factory=list)

    def summaries(self) -> list[dict]:
        return [run_summary(a) for a in self.runs]

    def runs_frame(self) -> pd.DataFrame:
        """One row per run (the JSON's run fields), on a tz-aware DatetimeIndex ``start``, oldest first.

        ``start`` is each run's start in the runner's home zone
        (`weekly.runner_zone`), so ``frame.loc["2026-06"]`` and
        ``frame.resample("W-SUN")`` work. ``start_utc`` is a UTC datetime;
        ``start_local`` the wall-clock time where the run was (a datetime
        without zone: runs abroad keep their own clock), ``id`` a column.
        """
        rows = self.summaries()
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame.set_axis(pd.DatetimeIndex([], tz="UTC", name="start"))
        frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True, format="ISO8601")
        frame["start_local"] = pd.to_datetime(frame["start_local"].str.slice(0, 19), format="ISO8601")
        index = pd.DatetimeIndex(frame["start_utc"]).tz_convert(runner_zone(self.runs)).rename("start")
        return frame.set_axis(index).sort_index(kind="stable")

    def to_dict(self) -> dict:
        return {"runs": self.summaries(), "skipped": list(self.skipped), "errors": list(self.errors), "ignored": list(self.ignored),
                "joined": list(self.joined)}

    def write_json(self, path: str | os.PathLike, extra: dict | None = None) -> None:
        """The ingest JSON to ``path`` (``"-"``: standard output), atomically (`jsonfile.write_json`)."""
        doc = self.to_dict()
        if extra:
            doc.update(extra)
        write_json(doc, path)

    def __repr__(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        return f"<Export {self.root}: {n(len(self.runs), 'run')}, {len(self.skipped)} skipped, {n(len(self.errors), 'error')}>"



@dataclass
class FilesRead:
    """What `read_files` found: each file's label and result, in the order the files were found."""

    labels: list[str] = field(default_factory=list)
    results: dict[int, tuple] = field(default_factory=dict)
    #: Files sent to the parser (not found in the store).
    parsed: int = 0
    #: Files of the second pass (the lists read in the first are not counted).
    files: int = 0


def read_files(root: Path, store: RunStore, outcomes: list, parse_files: Callable[[Iterator[tuple]], Iterable[tuple]], *,
               ingest: IngestConfig = IngestConfig(), only: list[str] | None = None,
               tick: Callable[[], None] = lambda: None) -> FilesRead:
    """Every file under ``root``, from the store or parsed: the activity lists first, then the rest.

    ``parse_files`` takes an iterator of ``(index, key, label, data, hint)``
    and yields ``(index, key, result)`` for each, as `pool.parse_all` does;
    each result goes through ``store.add``. ``only`` restricts the second pass
    to these paths relative to ``root`` (files or archives; ``""`` for a root
    that is itself an archive). ``tick`` is called once per file. What is not
    parsed (ignored, skipped, refused) goes to ``outcomes``.
    """
    read = FilesRead()
    settings = settings_tag(ingest)

    def pending(sources: Iterable[Source], hints: dict, skip: set, count: bool) -> Iterator[tuple]:
        for src in sources:
            if src.label in skip:  # an activity list already read in the first pass
                continue
            i = len(read.labels)
            read.labels.append(src.label)
            read.files += count
            hint = hints.get(src.label.lower())
            try:
                data = read_source(src)
                key = source_key(data, hint, settings)
            except (OSError, zipfile.BadZipFile, KeyError) as exc:
                read.results[i] = ("error", f"cannot be read ({getattr(exc, 'strerror', None) or exc})")
                tick()
                continue
            src.data = None  # archives' bytes are not kept twice
            cached = store.get(key)
            if cached is not None:
                read.results[i] = cached
                tick()
                continue
            read.parsed += 1
            item = (i, key, src.label, data, hint)
            del data, src
            yield item
            del item

    for i, key, result in parse_files(pending(find_sources(root, [], select=is_index_name), {}, set(), False)):
        read.results[i] = store.add(key, result)
        tick()
    first_pass = set(read.labels)
    hints = sport_hints(read.labels, read.results)
    sources = find_sources(root, outcomes) if only is None else _sources_of(root, only, outcomes)
    for i, key, result in parse_files(pending(sources, hints, first_pass, True)):
        read.results[i] = store.add(key, result)
        tick()
    return read


def _sources_of(root: Path, only: list[str], outcomes: list) -> Iterator[Source]:
    """The sources of some files or archives under ``root``, labelled as when the whole of ``root`` is read."""
    for rel in only:
        prefix = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        for src in find_sources(root / rel if rel else root, outcomes):
            src.label = prefix + src.label
            yield src


def parse_here(items: Iterable[tuple], store: RunStore, parse=None) -> Iterator[tuple]:
    """``parse_files`` for `read_files` in this process (no crash isolation: for a task that has its own)."""
    for i, key, label, data, hint in items:
        try:
            result = parse_into_store(label, data, key, store, hint, parse)
        except Exception as exc:  # noqa: BLE001 - this file's failure, never stored
            result = failure(exc)
        yield i, key, result


def load_runs(
    path: str | os.PathLike,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    use_cache: bool = True,
    timezone: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    parse: Callable | None = None,
    ingest: IngestConfig | None = None,
) -> Export:
    """Read every run in a folder or archive.

    Parameters
    ----------
    path : str or path
        A folder, a zip archive, or one activity file.
    workers : int, optional
        Processes that parse in parallel (default: all cores).
    cache_dir : path, optional
        The run store's folder (default: the platform's user cache folder); see
        `hamstring_analyzer.store` for its layout.
    use_cache : bool
        False parses everything and reuses nothing: the runs' samples go to a
        private temporary store, deleted with the last run that uses it.
    timezone : str, optional
        IANA zone for files that carry no local time and no position
        (default: this machine's zone).
    progress : callable, optional
        Called as ``progress(done, total)`` after each file.
    parse : callable, optional
        What reads one file in a worker process, called as ``parse(label, data)``
        or ``parse(label, data, hint)`` and returning what `parse.parse_bytes` returns
        (the default). Workers start fresh (see `hamstring_analyzer.workers`), so
        it must be a module-level function they can import; for tests and experiments.
    ingest : IngestConfig, optional
        The thresholds files are read and cleaned with (the config's ``[ingest]``; default: its defaults).

    Raises
    ------
    HamstringAnalyzerError
        ``path`` does not exist, ``timezone`` is not a zone name, or the store
        folder can be written by other users.
    """
    root = Path(path)
    ingest = ingest or IngestConfig()
    if not root.exists():
        raise HamstringAnalyzerError(f"{path}: no such file or folder")
    if timezone is not None:
        try:
            check_zone(timezone)
        except ValueError as exc:
            raise HamstringAnalyzerError(str(exc)) from None
    store = RunStore(cache_dir) if use_cache else RunStore.temporary()
    store.check()
    outcomes: list[tuple[str, Outcome]] = []
    # Members are streamed, never all held at once: a listing pass (activity members
    # are not inflated) gives the progress total, then each file is read when it is
    # reached and at most a bounded window of them is in flight (see `pool.parse_all`).
    total = sum(1 for _ in find_sources(root, [], read=False))
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(min(done, total), max(total, done))

    n_workers = max(1, min(workers or os.cpu_count() or 1, total))  # no idle workers for a few files
    # A few files per task, fewer when there are few files: every worker keeps work.
    batch_files = max(1, min(BATCH_FILES, total // (n_workers * WINDOW_PER_WORKER * 2)))
    parse = parse or partial(parse_bytes, ingest=ingest)  # a module-level function and its settings: workers import it by name
    # Workers store what the parser concluded (parser errors too: a broken file is not
    # re-read until it changes); a crash or a dead worker is never stored.
    try:
        read = read_files(root, store, outcomes, lambda items: parse_all(items, n_workers, store, batch_files, parse),
                          ingest=ingest, tick=tick)  # fmt: skip
    finally:
        store.close()  # the summary rows of what was parsed, even when interrupted
    if progress and total and done < total:  # members listed but refused while read (bombs)
        progress(total, total)
    export = Export(root=str(path), cache_hits=store.hits, parsed=read.parsed)
    _sort_results(export, read, outcomes, timezone, ingest)
    return export


def _sort_results(export: Export, read: FilesRead, outcomes: list[tuple[str, Outcome]], timezone: str | None,
                  ingest: IngestConfig = IngestConfig()) -> None:  # fmt: skip
    """Each file's result into the export's runs, skipped, errors and ignored, duplicates dropped, parts of one workout joined.

    Skipped too: a stub file (fewer samples than ``ingest.min_track_points``,
    its recorded distance kept for the holes it leaves) and a run, from a file
    or a list, averaging faster than anyone runs (``ingest.max_run_speed_mps``).
    """
    runs = []
    listed: list[tuple[str, Activity]] = []
    # An activity list's row without local time (Strava's CSV is UTC only) takes the zone
    # the runner's files were recorded in, known before any fallback zone is handed out.
    read_ok = [a for kind, payload in read.results.values() if kind == "ok" for a in payload if refusal(a) is None]
    unzoned = [a for a in read_ok if a.utc_offset_s is None and not a.timezone]
    home = home_zone(read_ok, timezone) if unzoned else None
    # A file without its own local time (a watch that died before writing it) takes its neighbours'
    # zone, or the home zone: never UTC, unless the runner named a zone for such files (--timezone).
    own = [a for a in read_ok if a.utc_offset_s is not None or a.timezone]
    nearby = LocalTimes(own, home) if unzoned and timezone is None else None
    for i, label in enumerate(read.labels):
        kind, payload = read.results[i]
        if kind in ("error", FAILED):
            export.errors.append({"source": label, "error": payload})
        elif kind == "skipped":
            export.skipped.append({"source": label, "reason": payload})
        else:
            for activity in payload:
                if (refused := refusal(activity)) is not None:  # an entry of a list that could not be read
                    export.skipped.append(refused_skip(label, *refused))
                    continue
                relabel(activity, label)
                if activity.format in INDEX_KINDS:
                    settle_local_time(activity, timezone, home)
                else:
                    own = nearby.zone_at(activity.start_utc) if nearby is not None and activity.start_utc is not None else None
                    settle_local_time(activity, timezone, own)
                if activity.format in INDEX_KINDS:
                    listed.append((label, activity))
                elif activity.is_run and too_short(activity):
                    export.skipped.append({"source": activity.id, "reason": TOO_SHORT_REASON})
                elif activity.is_run and (points := stub_points(activity, ingest.min_track_points)) is not None:
                    export.skipped.append({"source": activity.id, "reason": too_little_track_reason(points),
                                           "distance_m": recorded_distance_m(activity)})  # fmt: skip
                elif activity.is_run:
                    runs.append(activity)
                else:
                    export.skipped.append({"source": activity.id, "reason": not_a_run_reason(activity.sport, activity.sub_sport)})
    for kind, outcome in outcomes:
        if kind == "error":
            export.errors.append({"source": outcome.label, "error": outcome.reason})
        elif kind == "ignored":
            export.ignored.append({"source": outcome.label, "reason": outcome.reason})
        else:
            export.skipped.append({"source": outcome.label, "reason": outcome.reason})
    runs.extend(listed_runs(listed, read.labels, read.results, runs, export.skipped))
    runs = [r for r in runs if r.start_utc is not None]
    plausible = []
    for run in runs:
        impossible = impossible_speed(run, ingest.max_run_speed_mps)
        if impossible is None:
            plausible.append(run)
        else:
            export.skipped.append({"source": run.id, "reason": faster_than_running_reason(*impossible)})
    export.runs, duplicates = drop_duplicates(plausible)
    export.skipped.extend(duplicates)
    export.runs, export.joined = join_parts(export.runs, ingest.join_gap_min * 60.0)
    export.skipped.sort(key=lambda d: d["source"])
    export.errors.sort(key=lambda d: d["source"])
    export.ignored.sort(key=lambda d: d["source"])
