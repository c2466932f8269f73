"""One call from an export to weeks and flags: what ``hamstring-analyzer analyze`` prints and writes."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .dates import calendar_date, day_iso, days_between, within
from .jsonfile import write_json
from .config import Config, find_config, load_config
from .errors import NoRunsError
from .ingest import Export, load_runs, why_no_runs
from .store import StoredSamplesError, drop_damaged_samples
from .rules import Episode, Flag, find_episodes, flags_frame
from .holes import coverage, data_holes
from .rules.profile import runner_profile
from .insights import Insights, symptom_insights
from .metrics.runs import runs_table
from .symptoms import SymptomEntry, read_log
from .metrics.weekly import as_time_series, by_date, runner_zone, week_start, weekly_summary
from .numbers import json_number

#: The weekly fields of the JSON contract, in order.
WEEK_FIELDS = (
    "week_start", "distance_m", "moving_s", "runs", "change_pct", "fast_m", "speedwork_share", "longest_run_m",
    "cadence_spm", "acwr", "load", "monotony", "strain", "complete", "days",
)  # fmt: skip


@dataclass
class Analysis:
    """An export analysed: per-run metrics, weekly frame and flags (newest first).

    Attributes
    ----------
    export : Export
        What was read (runs, skipped files, errors).
    runs : DataFrame
        One row per run in the period (`metrics.runs.runs_table` columns).
    weeks : DataFrame
        One row per local week in the period (`weekly.weekly_summary`), on a
        tz-aware DatetimeIndex: each week starts at local midnight in
        ``timezone``, so ``weeks.loc["2026-06"]`` and ``weeks.resample("MS")``
        work. `weeks_by_date` is the same frame indexed by Python dates.
    flags : list of Flag
        Newest first; each names its ``episode``.
    config : Config
    since, until : date or None
        The period shown; the history before ``since`` still informs the baselines.
    symptoms : list of SymptomEntry or None
        The runner's symptom log, when given.
    insights : Insights or None
        Flags before each symptom episode, flagged-vs-unflagged weeks, chronic hints.
    timezone : str or tzinfo or None
        The runner's home zone (`weekly.runner_zone`: the zone most runs were
        recorded in), the zone of the weeks' index.
    episodes : list of Episode
        The flags grouped as a coach reads them (`rules.episodes`), newest first.
    profile : dict
        The runner's own yardsticks at the end of the period (`rules.profile.runner_profile`).
    holes : list of holes.Hole
        Days an unreadable file may hold a run on (breaks are not judged across them).
    coverage : list of dict
        Months whose files hold less of the running than the platform's list names (`holes.coverage`).
    """

    export: Export
    runs: pd.DataFrame
    weeks: pd.DataFrame
    flags: list[Flag]
    config: Config
    since: dt.date | None = None
    until: dt.date | None = None
    symptoms: list[SymptomEntry] | None = None
    insights: Insights | None = None
    extra: dict = field(default_factory=dict)
    timezone: object = None
    episodes: list[Episode] = field(default_factory=list)
    profile: dict = field(default_factory=dict)
    holes: list = field(default_factory=list)
    coverage: list = field(default_factory=list)

    @property
    def weeks_by_date(self) -> pd.DataFrame:
        """`weeks` indexed by the local date each week starts on (``datetime.date``)."""
        cached = self.__dict__.get("_weeks_by_date")
        if cached is None or cached[0] is not self.weeks:
            cached = (self.weeks, by_date(self.weeks))
            self.__dict__["_weeks_by_date"] = cached
        return cached[1]

    def flags_frame(self) -> pd.DataFrame:
        return flags_frame(self.flags)

    def weeks_records(self) -> list[dict]:
        out = []
        for week, row in self.weeks_by_date.iterrows():
            rec = {"week_start": day_iso(week)}
            for key in WEEK_FIELDS[1:]:
                if key == "complete":
                    rec[key] = bool(row[key])
                else:
                    rec[key] = json_number(row[key], 0 if key in ("runs", "days") else 3)
            out.append(rec)
        return out

    def to_dict(self) -> dict:
        """The ingest JSON (runs in the period, skipped, errors) plus ``weeks`` and ``flags``."""
        doc = self.export.to_dict()
        keep = set(self.runs["id"])
        doc["runs"] = [r for r in doc["runs"] if r["id"] in keep]
        doc["weeks"] = self.weeks_records()
        doc["flags"] = [f.to_dict() for f in self.flags]
        doc["episodes"] = [e.to_dict() for e in self.episodes]
        doc["profile"] = {k: json_number(v, 3) if isinstance(v, float) else v for k, v in self.profile.items()}
        doc["holes"] = [h.to_dict() for h in self.holes]
        doc["coverage"] = [{k: json_number(v, 3) if isinstance(v, float) else v for k, v in m.items()} for m in self.coverage]
        if self.symptoms is not None:
            doc["symptoms"] = {"entries": [e.to_dict() for e in self.symptoms_in_period()], **self.insights.to_dict()}
        doc.update(self.extra)
        return doc

    def symptoms_in_period(self) -> list[SymptomEntry]:
        return _in_period(self.symptoms or [], self.since, self.until)

    def write_json(self, path: str | os.PathLike) -> None:
        """The JSON to ``path`` (``"-"``: standard output), atomically (`jsonfile.write_json`)."""
        write_json(self.to_dict(), path)


def _in_period(entries: list[SymptomEntry], since: dt.date | None, until: dt.date | None) -> list[SymptomEntry]:
    return [e for e in entries if within(e.date, since, until)]


def mark_unfinished(weeks: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """``weeks`` with ``complete`` (bool) and ``days`` (days of the week up to ``as_of``, 1-7).

    The last week is unfinished when ``as_of`` (``until``, else today) falls
    inside it. Its ``change_pct`` and ``acwr`` are then left undefined (NaN,
    null in the JSON): a week three days old is not 78% down on a whole one.
    """
    weeks = weeks.copy()
    weeks["complete"] = True
    weeks["days"] = 7
    if len(weeks):
        last = weeks.index[-1]
        days = days_between(last, as_of) + 1
        if days < 7:
            weeks.loc[last, ["complete", "days"]] = [False, max(days, 1)]
            weeks.loc[last, ["change_pct", "acwr"]] = float("nan")
    weeks["complete"] = weeks["complete"].astype(bool)
    weeks["days"] = weeks["days"].astype(int)
    return weeks


def analyze_athlete(
    path: str | os.PathLike,
    config: Config | str | os.PathLike | None = None,
    symptoms: list[SymptomEntry] | str | os.PathLike | None = None,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    require_runs: bool = True,
    name: str | None = None,
    **load_options,
) -> Analysis:
    """One runner, from their export to an analysis: the one path the CLI, `analyze_path`, team and cohort all take.

    Parameters
    ----------
    path : str or path
        A folder, a zip archive or one activity file.
    config : Config, str or path, optional
        A `Config`, or a TOML file to read; None finds the file as the command
        does (`config.find_config`: ``$HAMSTRING_ANALYZER_CONFIG``, else the
        user config folder's ``config.toml``), else the defaults.
    symptoms : list of SymptomEntry, str or path, optional
        The symptom log, or the path of its CSV (read before the export, so a
        bad log is said before minutes of reading).
    since, until : date, optional
        As `analyze`.
    require_runs : bool
        Raise `NoRunsError` for an export without runs (default); False
        analyses it anyway (an empty analysis).
    name : str, optional
        How the messages name the export (a team's athlete folder); default: ``path``.
    **load_options
        Passed to `export.load_runs` (``workers``, ``cache_dir``, ``use_cache``, ``timezone``, ``progress``).

    Raises
    ------
    NoRunsError
        The export holds no run (``require_runs``); the exception carries the export.
    HamstringAnalyzerError
        The export, config or log cannot be read (the message names the file).
    """
    if not isinstance(config, Config):
        config = load_config(find_config(config))
    if symptoms is not None and not isinstance(symptoms, list):
        symptoms = read_log(symptoms)
    for attempt in range(2):
        export = None
        try:
            export = load_runs(Path(path), **{"ingest": config.ingest, **load_options})
            if require_runs:
                require_some_runs(export, name or path)
            return analyze(export, config, since=since, until=until, symptoms=symptoms)
        except StoredSamplesError:  # damaged since they were stored (found when joining parts, or measuring runs)
            if attempt:
                raise
            # The damaged file is deleted, and so is any other that does not read whole: the second
            # ingest parses their source files again (the store's promise: a damaged entry is read again).
            drop_damaged_samples(export.runs if export is not None else [])
    raise AssertionError("unreachable")  # pragma: no cover


def require_some_runs(export: Export, path) -> None:
    """Raise `NoRunsError` (naming ``path`` and why, from the skipped and unreadable files) when ``export`` has no run."""
    if not export.runs:
        raise NoRunsError(str(path), why_no_runs(export), export)


def analyze_path(
    path: str | os.PathLike,
    config: Config | str | os.PathLike | None = None,
    symptoms: list[SymptomEntry] | str | os.PathLike | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    **load_options,
) -> Analysis:
    """What ``hamstring-analyzer analyze PATH`` does, in one call (`analyze_athlete`; an export without runs gives an empty analysis)."""
    return analyze_athlete(path, config, symptoms, since=since, until=until, require_runs=False, **load_options)


def analyze(
    source: Export | str | os.PathLike,
    config: Config | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    symptoms: list[SymptomEntry] | None = None,
    **load_options,
) -> Analysis:
    """Weeks and flags for an export (or a folder/zip, read with `load_runs`).

    Runs after ``until`` are left out, as if the analysis ran that day. Runs
    before ``since`` are not shown but still set the runner's baselines
    (threshold pace, pre-break averages, the week before the first one shown).
    With ``symptoms`` (from `symptoms.read_log`), ``insights`` sets each
    symptom episode beside the flags of the 14 days before it.
    """
    config = config or Config()
    export = source if isinstance(source, Export) else load_runs(Path(source), **load_options)
    since, until = (None if d is None else calendar_date(d) for d in (since, until))  # a date, a label or "YYYY-MM-DD"
    if since and until and since > until:
        raise ValueError(f"since ({day_iso(since)}) is after until ({day_iso(until)})")
    runs = [a for a in export.runs if within(a.start_local, last=until)]  # the run's own wall-clock date
    table = runs_table(runs, config)
    weeks = weekly_summary(table, config.acwr.method)
    zone = runner_zone(runs)
    holes = [h for h in data_holes(export, zone) if within(h.day, last=until)]
    flags, episodes = find_episodes(table, weeks, config, symptoms=[e for e in symptoms or [] if within(e.date, last=until)], holes=holes)
    profile = runner_profile(table, weeks, config, until)  # the whole history up to `until`: `since` only hides weeks
    if since is not None:
        first_week = week_start(since, config.week_start)
        table = table[table["local_date"] >= since].reset_index(drop=True)
        weeks = weeks[weeks.index >= first_week]
        flags = [f for f in flags if within(f.date, since)]
        kept, ids = {f.episode for f in flags}, {f.id for f in flags}
        # an episode that began before `since` keeps its message (its whole story) and lists the flags shown
        episodes = [replace(e, flags=tuple(i for i in e.flags if i in ids)) for e in episodes if e.id in kept]
    insights = None
    if symptoms is not None:
        insights = symptom_insights(_in_period(symptoms, since, until), flags, list(weeks.index))
    weeks = mark_unfinished(weeks, until or dt.date.today())
    return Analysis(
        export=export, runs=table, weeks=as_time_series(weeks, zone), flags=flags, config=config, since=since, until=until,
        symptoms=symptoms, insights=insights, timezone=zone, episodes=episodes, profile=profile, holes=holes,
        coverage=coverage(table),
    )  # fmt: skip
