"""A coach's team: every athlete under a root, analysed alike, and Monday's triage.

An athlete is a folder or an export archive (``.zip``) under the team root;
its name is the folder's name unless the optional ``ROOT/roster.toml`` says
otherwise. The roster also gives each athlete their own config (any section
of a config file: units, ``[runner]`` max heart rate and threshold pace,
thresholds) and their symptom log::

    [defaults]                 # every athlete's config, before their own
    units = "km"

    [[athlete]]
    name = "Bea Moreno"
    folder = "bea"             # a folder or an archive, relative to the root
    symptoms = "bea/symptoms.csv"
    units = "mi"
    [athlete.runner]
    max_heart_rate = 191
    threshold_pace_per_mi = "7:05"

    [[athlete]]
    name = "Chris"
    folder = "chris-export.zip"
    config = "chris.toml"      # a config file instead of (or under) inline keys

Folders and archives the roster does not name are athletes too, with their
folder's name and the defaults; a ``symptoms.csv`` in an athlete's folder is
their log unless the roster names another.

`run_team` ingests and analyses every athlete in parallel processes that
share one run store, writes each athlete's weekly report under
``OUT/<athlete>/``, and returns one `TeamRow` per athlete for the team's
week. One athlete's broken export (unreadable, no runs, a bad config in the
roster) never stops the others: its row carries the reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from .dates import add_days, day_iso, within
from .config import config_from_dict
from .errors import ConfigError, HamstringAnalyzerError, NoRunsError, RosterError, failure_text
from .tomlfile import read_toml
from .analysis import analyze_athlete
from .config import SEVERITIES
from .metrics.weekly import week_start
from .jsonfile import write_json
from .render.messages import BRIEFS, Words
from .render.report_files import write_week_report
from .render.weeks import default_week, week_episodes
from .rules import RULES
from .store import RunStore
from .team_folders import is_report_output, mark_report_output, place_reports, roster_file
from .render.triage import no_runs_reason, render_team_page, triage_text, write_team_page  # noqa: F401  (the team's page and table, re-exported)
from .workers import WORKER_DIED, map_in_workers
from .numbers import json_number

ROSTER_NAME = "roster.toml"
SYMPTOMS_NAME = "symptoms.csv"
#: Keys of an ``[[athlete]]`` table that are not config settings.
ATHLETE_KEYS = ("name", "folder", "symptoms", "config")
SEVERITY_ORDER = ("alert", "warning", "info")


@dataclass
class Athlete:
    """One athlete of a team: where their export is, their config settings and their symptom log."""

    name: str
    path: Path
    settings: dict = field(default_factory=dict)  # config keys (TOML shape), defaults included
    config_file: Path | None = None
    symptoms: Path | None = None
    problem: str | None = None  # why this athlete cannot be analysed, known before reading (a missing folder)
    report_folder: str | None = None  # their reports' folder under the output folder (default: `athlete_folder`)

    def config(self):
        """Their `Config`: the config file (when named), then the roster's keys over it.

        Raises
        ------
        ConfigError
            A setting is not allowed; the message names the roster key or the file.
        """
        data = read_toml(self.config_file, ConfigError, "a config is a UTF-8 TOML file") if self.config_file is not None else {}
        return config_from_dict(_merged(data, self.settings))


def _merged(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _is_athlete_entry(path: Path) -> bool:
    if path.name.startswith("."):
        return False
    if path.is_dir():
        return not is_report_output(path)
    return path.is_file() and path.name.lower().endswith(".zip")


def read_roster(root: str | os.PathLike, exclude: tuple = ()) -> list[Athlete]:
    """The team's athletes: the roster's, in its order, then the folders and archives it does not name (by name).

    Report folders `run_team` wrote (`is_report_output`) are not athletes,
    nor an empty folder in ``exclude`` (the team's output folder, made
    before the first run). A roster's ``symptoms`` or ``config`` outside
    the root, or not a regular file, makes that athlete's row say so
    (`roster_file`): analysed without the file, their numbers would look
    complete and rest on the wrong thresholds or a missing symptom log.

    Raises
    ------
    RosterError
        The root is not a folder, or ``roster.toml`` cannot be read, is not
        TOML, or has an unknown table, an athlete without a folder, a folder
        outside the root, or two athletes of one name.
    """
    root = Path(root)
    excluded = {Path(p).resolve() for p in exclude}
    if not root.is_dir():
        raise RosterError(f"{root}: not a folder; a team root is a folder of athlete folders or export archives")
    roster = root / ROSTER_NAME
    athletes: list[Athlete] = []
    named_paths: set[Path] = set()
    defaults: dict = {}
    if roster.exists():
        doc = read_toml(roster, RosterError, "a roster is a UTF-8 TOML file")
        unknown = set(doc) - {"defaults", "athlete"}
        if unknown:
            raise RosterError(f"{roster}: unknown table {sorted(unknown)[0]!r}; a roster has [defaults] and [[athlete]] tables")
        defaults = doc.get("defaults", {})
        if not isinstance(defaults, dict):
            raise RosterError(f"{roster}: [defaults] must be a table of config settings")
        entries = doc.get("athlete", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise RosterError(f"{roster}: athletes are [[athlete]] tables")
        for n, entry in enumerate(entries, 1):
            folder = entry.get("folder")
            if not isinstance(folder, str) or not folder.strip():
                raise RosterError(f"{roster}: athlete {n} has no folder (folder = \"name\", relative to the roster)")
            path = (root / folder).resolve()
            if root.resolve() not in path.parents and path != root.resolve():
                raise RosterError(f"{roster}: athlete {n}: folder {folder!r} is outside the team root")
            name = entry.get("name", Path(folder).name)
            if not isinstance(name, str) or not name.strip():
                raise RosterError(f"{roster}: athlete {n}: name must be text")
            settings = {k: v for k, v in entry.items() if k not in ATHLETE_KEYS}
            athlete = Athlete(name=name.strip(), path=path, settings=_merged(defaults, settings))
            if not path.exists():
                athlete.problem = f"{folder}: no such folder or archive under the team root"
            for key in ("symptoms", "config"):
                if key in entry and not isinstance(entry[key], str):
                    athlete.problem = f"{ROSTER_NAME}: {key} must be a file name"
                elif key in entry:
                    where = f"{ROSTER_NAME}: {key} = {entry[key]!r}"  # the row names the athlete
                    file, refused = roster_file(root.resolve(), entry[key], where)
                    athlete.problem = athlete.problem or refused
                    setattr(athlete, "symptoms" if key == "symptoms" else "config_file", file)
            athletes.append(athlete)
            named_paths.add(path)
    for entry in sorted(root.iterdir(), key=lambda p: p.name.lower()):
        if entry.name == ROSTER_NAME or entry.resolve() in named_paths or not _is_athlete_entry(entry):
            continue
        if entry.resolve() in excluded and not any(entry.iterdir()):
            continue  # the output folder, made empty before the first run
        name = entry.name[:-4] if entry.name.lower().endswith(".zip") else entry.name
        athletes.append(Athlete(name=name, path=entry.resolve(), settings=dict(defaults)))
    seen: dict[str, int] = {}
    for a in athletes:
        seen[a.name.lower()] = seen.get(a.name.lower(), 0) + 1
    doubles = [a.name for a in athletes if seen[a.name.lower()] > 1]
    if doubles:
        raise RosterError(f"{roster}: two athletes are named {doubles[0]!r}; give each a name of their own")
    for a in athletes:
        if a.symptoms is None and a.problem is None and a.path.is_dir() and (a.path / SYMPTOMS_NAME).is_file():
            where = f"{a.path.name}/{SYMPTOMS_NAME}"  # theirs when it is in their folder (which may be a link to elsewhere)
            a.symptoms, a.problem = roster_file(a.path, SYMPTOMS_NAME, where, inside="their folder")
    return athletes


# --------------------------------------------------------------------- rows ---


@dataclass
class TeamRow:
    """One athlete's line of the triage, for the team's week (JSON field names are a public contract)."""

    athlete: str
    distance_m: float | None = None
    change_pct: float | None = None
    speedwork_share: float | None = None
    flags: dict = field(default_factory=lambda: {s: 0 for s in SEVERITY_ORDER})
    error: str | None = None
    units: str = "km"
    runs: int = 0
    report: str | None = None  # the athlete's weekly report page, relative to the output folder
    report_week: str | None = None
    symptom_trend: str | None = None
    data_quality: str = ""
    last_run: str | None = None
    flag_rules: list = field(default_factory=list)  # (severity, rule) of the week's flags, worst first
    # The episodes overlapping the week (`rules.episodes`): one per return, ramp, long run... however many flags it holds.
    episodes: dict = field(default_factory=lambda: {s: 0 for s in SEVERITY_ORDER})
    episode_rules: list = field(default_factory=list)  # (severity, rule, kind) of the week's episodes, as the runner reads them
    lead_episode: dict | None = None  # the first of them: `Episode.to_dict` and ``summary``, one short line

    def sort_key(self) -> tuple:
        """What needs a look first: athletes that could not be analysed, then episodes by severity (then flags)."""
        e, f = self.episodes, self.flags
        return (self.error is None, -e["alert"], -e["warning"], -e["info"], -f["alert"], -f["warning"], -f["info"], self.athlete.lower())

    def to_dict(self) -> dict:
        d = asdict(self)
        d["flag_rules"] = [list(x) for x in self.flag_rules]
        d["episode_rules"] = [list(x) for x in self.episode_rules]
        return d


def slug(name: str) -> str:
    """A folder name for an athlete's reports: letters, digits, dot, dash and underscore only."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "athlete"
    return s[:80]


def athlete_folder(name: str) -> str:
    """A folder name for an athlete's reports: readable, and distinct for distinct names.

    A name the slug changes ("Ana Lima", "Zoé", "张伟") gets a short hash of
    the name, so "Ana Lima" and "Ana-Lima", or "张伟" and "李娜", never share
    a folder (one athlete's link would show the other's week).
    """
    s = slug(name)
    return s if s == name else f"{s}-{hashlib.blake2b(name.encode(), digest_size=4).hexdigest()}"


def symptom_trend(entries, week: dt.date) -> str:
    """The week's worst symptom against the week before's: "worse 2->5", "better", "same 3", "none logged"."""
    def worst(start):
        values = [e.severity for e in entries if within(e.date, start, add_days(start, 6))]
        return max(values) if values else None

    now, before = worst(week), worst(add_days(week, -7))
    if now is None and before is None:
        return "none logged"
    if now is None:
        return f"none logged (was {before}/10)"
    if before is None:
        return f"new {now}/10"
    if now > before:
        return f"worse {before}->{now}/10"
    if now < before:
        return f"better {before}->{now}/10"
    return f"same {now}/10"


def athlete_row(athlete: Athlete, week: dt.date, out_dir: Path, *, cache_dir=None, use_cache: bool = True,
                timezone: str | None = None, today: dt.date | None = None) -> TeamRow:  # fmt: skip
    """Analyse one athlete and write their weekly report; never raises for their own data (the row says why)."""
    row = TeamRow(athlete=athlete.name)
    try:
        _fill_row(row, athlete, week, out_dir, cache_dir, use_cache, timezone, today)
    except NoRunsError as exc:  # what the export held instead, in a coach's words: "1 cycling ride, 1 file unreadable (truncated FIT)"
        row.error = f"{exc.source}: no runs found: {no_runs_reason(exc.export)}" if exc.export is not None else str(exc)
    except Exception as exc:  # noqa: BLE001 - one athlete's data, or a bug of ours, must not stop the team
        row.error = failure_text(exc, athlete.path)
    return row


def _fill_row(row: TeamRow, athlete: Athlete, week: dt.date, out_dir: Path, cache_dir, use_cache, timezone, today) -> None:
    if athlete.problem:
        raise HamstringAnalyzerError(athlete.problem)
    try:
        config = athlete.config()
    except ConfigError as exc:
        raise ConfigError(f"{ROSTER_NAME}: {exc}" if athlete.config_file is None else str(exc)) from None
    row.units = config.units
    week = week_start(week, config.week_start)  # an athlete with Sunday weeks: the one holding the team's Monday
    # All the runs, also those after the week: a flag dated in the week can rest on the days after it
    # (layoff_return's first 7 days back), and the triage is of the week, not of what was known on its Sunday.
    result = analyze_athlete(athlete.path, config, athlete.symptoms, workers=1, cache_dir=cache_dir, use_cache=use_cache, timezone=timezone,
                             name=athlete.path.name)  # fmt: skip
    symptoms = result.symptoms
    runs = result.runs
    row.last_run = day_iso(max(runs["local_date"]))
    weeks = result.weeks_by_date
    if week in weeks.index:
        w = weeks.loc[week]
        row.distance_m, row.runs = json_number(w["distance_m"], 1), int(w["runs"])
        row.change_pct, row.speedwork_share = json_number(w["change_pct"], 1), json_number(w["speedwork_share"], 3)
    else:
        row.distance_m, row.runs = 0.0, 0
    week_flags = [f for f in result.flags if f.week_start == week]
    for f in week_flags:
        row.flags[f.severity] += 1
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    row.flag_rules = sorted({(f.severity, f.rule) for f in week_flags}, key=lambda x: (rank[x[0]], x[1]))
    episodes = week_episodes(result, week)  # most severe, best evidenced, newest first
    for e in episodes:
        row.episodes[e.severity] += 1
    row.episode_rules = [(e.severity, e.rule, e.kind) for e in episodes]
    row.lead_episode = _lead_episode(episodes[0], config.units) if episodes else None
    row.symptom_trend = symptom_trend(symptoms, week) if symptoms is not None else None
    row.data_quality = _quality(result, week, episodes)
    try:
        report_week = default_week(result, today)
    except ValueError:
        report_week = None
    if report_week is not None and week in weeks.index and report_week > week:
        report_week = week  # the team's week, when the athlete has one
    if report_week is not None:
        folder = out_dir / (athlete.report_folder or athlete_folder(athlete.name))
        folder.mkdir(parents=True, exist_ok=True)
        mark_report_output(folder)
        _, html = write_week_report(result, report_week, folder, today=today)
        row.report = html.relative_to(out_dir).as_posix()
        row.report_week = day_iso(report_week)


def episode_summary(episode, units: str = "km") -> str:
    """One short line for a coach: the rule's title and the lead finding in brief ("Coming back too hard after a break:
    a return on 12 Aug after 16 days off, 40.0 km in 7 days (advice: 23.6 km)")."""
    title = RULES[episode.rule].title
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    leads = sorted((f for f in episode.members if f.rule == episode.rule), key=lambda f: (-rank[f.severity], f.date))
    if not leads:
        return title
    lead = leads[0]
    words = Words(units, many_years=episode.start.year != episode.end.year)
    if lead.rule in BRIEFS:
        line = BRIEFS[lead.rule](lead, words)
    else:  # a rule without a brief wording: its message's first sentence
        line = lead.message.split(". ", 1)[0].rstrip(".") or lead.rule
    return f"{title}: {line}"


def _lead_episode(episode, units: str) -> dict:
    return {**episode.to_dict(), "summary": episode_summary(episode, units)}


def _quality(result, week: dt.date, episodes) -> str:
    """What the week's numbers rest on, in a few words ("ok" when nothing is doubtful)."""
    notes = []
    n_err = len(result.export.errors) if result.export is not None else 0
    if n_err:
        notes.append(f"{n_err} file{'s' if n_err != 1 else ''} unreadable")
    runs = result.runs[result.runs["week_start"] == week]
    suspect = int((runs["suspect"] == True).sum()) if "suspect" in runs else 0  # noqa: E712
    if suspect:
        notes.append(f"{suspect} doubtful run{'s' if suspect != 1 else ''}")
    if "has_samples" in runs:
        manual = int((runs["has_samples"] == False).sum())  # noqa: E712
        if manual and manual == len(runs):
            notes.append("summaries only")
        elif manual:
            notes.append(f"{manual} without samples")
    doubtful = sum(1 for e in episodes if e.doubtful or any(f.doubtful for f in e.members))
    if doubtful:
        notes.append(f"{doubtful} on doubtful data")
    return ", ".join(notes) or "ok"


# --------------------------------------------------------------------- team ---


@dataclass
class Team:
    """A team analysed: the week and one row per athlete, most in need of a look first."""

    root: str
    week_start: dt.date
    rows: list[TeamRow]

    @property
    def analysed(self) -> int:
        return sum(1 for r in self.rows if r.error is None)

    def to_dict(self) -> dict:
        return {"week_start": day_iso(self.week_start), "athletes": [r.to_dict() for r in self.rows]}

    def write_json(self, path) -> None:
        """The JSON to ``path`` (``"-"``: standard output), atomically (`jsonfile.write_json`)."""
        write_json(self.to_dict(), path)


def last_complete_week(today: dt.date | None = None) -> dt.date:
    """The Monday of the last Monday-to-Sunday week that has ended (before ``today``)."""
    today = today or dt.date.today()
    return add_days(today, -(today.weekday() + 7))


def _worker_start() -> None:
    import signal

    import matplotlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    matplotlib.use("Agg", force=True)


def run_team(
    root: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    week: dt.date | None = None,
    workers: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    use_cache: bool = True,
    timezone: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Team:
    """Analyse every athlete of the team root and write their reports; the team page is `write_team_page`.

    Parameters
    ----------
    root : path
        A folder of athlete folders or export archives, with an optional ``roster.toml``.
    out_dir : path
        Each athlete's report goes to ``out_dir/<athlete>/``.
    week : date, optional
        Any day of the team's week (default: the last complete week before ``today``).
    workers : int, optional
        Athletes analysed at once, each in its own process (default: all cores).
    cache_dir, use_cache, timezone
        As for `export.load_runs`; every athlete shares the one run store.

    Raises
    ------
    RosterError
        The roster cannot be used (one line naming the file and the reason).
    """
    out = Path(out_dir)
    athletes = read_roster(root, exclude=(out,))
    place_reports(athletes, out, athlete_folder)
    week = week_start(week) if week is not None else last_complete_week(today)
    out.mkdir(parents=True, exist_ok=True)
    mark_report_output(out)
    if use_cache:
        RunStore(cache_dir).check()  # a store folder others can write to stops the team once, not each athlete
    rows: list[TeamRow | None] = [None] * len(athletes)
    kwargs = dict(cache_dir=cache_dir, use_cache=use_cache, timezone=timezone, today=today)
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(athletes)))
    done = 0
    if n_workers == 1 or len(athletes) <= 1:
        for i, a in enumerate(athletes):
            rows[i] = athlete_row(a, week, out, **kwargs)
            done += 1
            if progress:
                progress(done, len(athletes))
    else:
        # a worker that died (out of memory?) is tried again once, alone with the others it took down
        row_of = functools.partial(athlete_row, week=week, out_dir=out, **kwargs)
        for i, row in map_in_workers(row_of, athletes, n_workers, initializer=_worker_start, retries=1, progress=progress):
            died = TeamRow(athlete=athletes[i].name, error="the analysis process died on this athlete (out of memory?)")
            rows[i] = died if row is WORKER_DIED else row
    team_rows = sorted((r for r in rows if r is not None), key=TeamRow.sort_key)
    return Team(root=str(root), week_start=week, rows=team_rows)
