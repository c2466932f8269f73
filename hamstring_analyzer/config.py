"""Every threshold the analyzers use, in one object, loadable from a TOML file.

Each default is the value the README's rules table gives, with its source
(the docstrings below and the rules' ``source`` in `rules` name the studies);
each is a default a runner, coach or physio can change. A TOML file sets any
subset::

    units = "mi"
    week_start = "sunday"              # monday (default) | sunday

    [runner]
    threshold_pace_per_km = "4:40"     # or threshold_pace_per_mi; else estimated
    max_heart_rate = 188               # or threshold_heart_rate; else estimated

    [weekly_mileage_jump]
    warn_pct = 10
    alert_pct = 30

    [ingest]                           # read and clean files (re-reads them once when changed)
    heart_rate_max_bpm = 230

Unknown sections or keys, and values of the wrong kind or out of range, are
refused with a `ConfigError` naming the file, the key and what is allowed.

Where the file is found (`find_config`): ``--config`` when given, else the
file named by the environment variable ``HAMSTRING_ANALYZER_CONFIG``, else
``config.toml`` in the platform's user config folder
(``platformdirs.user_config_dir("hamstring-analyzer")``: on Linux
``~/.config/hamstring-analyzer/config.toml``, on macOS
``~/Library/Application Support/hamstring-analyzer/config.toml``, on Windows
``%LOCALAPPDATA%\\hamstring-analyzer\\config.toml``) when it exists; else the defaults.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import ConfigError
from .tomlfile import read_toml
from .units import METRES_PER_MILE, UNITS  # noqa: F401 - defined there: formatting a distance needs no config

ACWR_METHODS = ("rolling", "uncoupled", "ewma")
LOAD_METHODS = ("distance", "trimp", "srpe")
TRIMP_WEIGHTINGS = ("men", "women")
SEVERITIES = ("info", "warning", "alert")
WEEK_STARTS = ("monday", "sunday")
#: The environment variable naming a config file (between ``--config`` and the user config folder).
CONFIG_ENV = "HAMSTRING_ANALYZER_CONFIG"


def _field(default, lo=None, hi=None, kind=float, help=""):
    return field(default=default, metadata={"lo": lo, "hi": hi, "kind": kind, "help": help})


@dataclass(frozen=True)
class RunnerConfig:
    """What the runner knows about themselves; unset values are estimated from the history."""

    threshold_pace_per_km: str | None = _field(None, kind=str, help='pace like "4:40"')
    threshold_pace_per_mi: str | None = _field(None, kind=str, help='pace like "7:30"')
    threshold_heart_rate: float | None = _field(None, 100, 220, help="beats/min")
    max_heart_rate: float | None = _field(None, 120, 230, help="beats/min")
    resting_heart_rate: float | None = _field(None, 25, 120, help="beats/min, for TRIMP; else 60 is assumed")


@dataclass(frozen=True)
class FastConfig:
    """What counts as fast running ("speedwork").

    Friel's zones: zone 4 starts at a pace within 6% of threshold pace, or at
    95% of threshold heart rate. Without a configured threshold, threshold pace
    is estimated from the ``history_days`` before each run: the faster of the
    best sustained 20-minute speed / 1.04 and the median easy speed x 1.2.
    """

    pace_pct_of_threshold: float = _field(106.0, 90, 150, help="% of threshold pace")
    hr_pct_of_threshold: float = _field(95.0, 70, 110, help="% of threshold heart rate")
    threshold_hr_pct_of_max: float = _field(90.0, 70, 100, help="% of max heart rate")
    history_days: int = _field(84, 14, 730, kind=int, help="days")
    min_fast_km: float = _field(1.0, 0, 50, help="km of fast running that makes a run a fast session")
    window_s: float = _field(30.0, 5, 600, help="seconds of distance over time that judge pace")
    min_stretch_s: float = _field(60.0, 0, 3600, help="seconds a stretch must stay fast to count")
    hard_min_fast_min: float = _field(8.0, 0, 300, help="minutes of fast running (in stretches) that make a hard session")
    hard_mostly_share: float = _field(0.5, 0, 1, help="share of a run's distance fast that makes it a hard session (a tempo run)")
    hard_hr_pct_of_threshold: float = _field(
        90.0, 50, 110, help="% of threshold heart rate the fast stretches must reach, where heart rate was recorded"
    )


@dataclass(frozen=True)
class MileageJumpConfig:
    """A week judged against the runner's own 4-week average and 8-week high, not the week before alone.

    Buist 2008 (RCT): a graded 10% plan did not prevent injuries; Frandsen 2025:
    no association for week-to-week ratios. So a week warns only when it is
    above both yardsticks by a real amount (at least about one ordinary run),
    and the week-on-week change is context in the message.
    """

    warn_pct: float = _field(10.0, 0, 500, help="% above your 4-week average (and above your 8-week high)")
    alert_pct: float = _field(30.0, 0, 500, help="% above your 8-week high")
    min_week_km: float = _field(20.0, 0, 500, help="km: smaller weeks are not judged (percentages of tiny weeks mislead)")
    min_extra_runs: float = _field(1.0, 0, 10, help="ordinary runs of yours the week must add over your 8-week high")


@dataclass(frozen=True)
class SingleRunSpikeConfig:
    """A run longer than the longest of the previous ``window_days`` (Frandsen et al. 2025, BJSM)."""

    warn_pct: float = _field(10.0, 0, 1000, help="% longer than the longest run of the window")
    alert_pct: float = _field(100.0, 0, 1000, help="% longer than the longest run of the window")
    window_days: int = _field(30, 7, 365, kind=int, help="days before the run")
    long_window_days: int = _field(90, 7, 730, kind=int, help="days of your recent longest run: a run within it is one step less severe")
    min_extra_km: float = _field(1.0, 0, 50, help="km the run must add to the month's longest (GPS error is 3-5% of a track)")


@dataclass(frozen=True)
class SpeedworkConfig:
    """Hard sessions per week against the runner's own usual (Duhig 2016), not fast kilometres.

    ``share_pct`` is the 80/20 description (Seiler 2010): the week's fast share is
    quoted as context, never judged on a week of fewer than ``min_runs`` runs.
    """

    share_pct: float = _field(20.0, 0, 100, help="% of the week's distance (context)")
    alert_share_pct: float = _field(30.0, 0, 100, help="% of the week's distance (context)")
    ordinary_hard_days: int = _field(2, 0, 7, kind=int, help="hard days in a week that are ordinary for anyone")
    min_runs: int = _field(3, 1, 30, kind=int, help="runs a week needs before its share of fast running is said")


@dataclass(frozen=True)
class CadenceConfig:
    min_spm: float = _field(175.0, 120, 220, help="steps/min")
    alert_spm: float = _field(160.0, 100, 220, help="steps/min")
    own_margin_spm: float = _field(6.0, 0, 30, help="steps/min below your own cadence at that speed")
    own_margin_pct: float = _field(3.0, 0, 30, help="% below your own cadence at that speed (the larger margin counts)")
    slow_pct: float = _field(85.0, 0, 100, help="% of your usual running speed below which a run (a cool-down, a jog) is not judged")
    mostly_walking_share: float = _field(0.5, 0, 1, help="share of moving time running below which a run is mostly walking (info only)")
    min_running_min: float = _field(10.0, 0, 120, help="minutes of running a run needs before its cadence is judged")


@dataclass(frozen=True)
class LongRunConfig:
    min_km: float = _field(16.0, 1, 100, help="km")
    min_moving_min: float = _field(90.0, 10, 600, help="minutes")
    flat_m_per_km: float = _field(10.0, 0, 100, help="m of climb per km")


@dataclass(frozen=True)
class LayoffConfig:
    min_gap_days: int = _field(10, 2, 365, kind=int, help="days")
    long_gap_days: int = _field(28, 2, 365, kind=int, help="days")
    restart_gap_days: int = _field(120, 2, 3650, kind=int, help="days")
    return_pct: float = _field(70.0, 0, 200, help="% of the pre-gap weekly average")
    long_return_pct: float = _field(60.0, 0, 200, help="% of the pre-gap weekly average")
    min_allowance_runs: float = _field(2.0, 0, 10, help="ordinary runs of yours the first week back may always hold")
    min_over_km: float = _field(1.0, 0, 50, help="km over the allowance before a return is flagged (a few hundred metres is GPS error)")
    restart_week_km: float = _field(10.0, 0, 200, help="km in the first week after a very long break")


@dataclass(frozen=True)
class FatigueConfig:
    min_moving_min: float = _field(60.0, 10, 600, help="minutes")
    cadence_drop_spm: float = _field(5.0, 0, 50, help="steps/min, last quarter against the first half at the same pace")
    decoupling_pct: float = _field(5.0, 0, 100, help="% (Friel's aerobic decoupling)")


@dataclass(frozen=True)
class BaseConfig:
    """A base before hills or speedwork ("15 Ways"): judged over the previous 4 weeks.

    Hills once you run about 15 miles (24 km) a week; speedwork once you
    comfortably run 3 miles (4.83 km) regularly.
    """

    hills_week_km: float = _field(24.0, 0, 300, help="km a week (about 15 miles)")
    hilly_m_per_km: float = _field(15.0, 1, 200, help="m of climb per km that makes a hill run")
    speedwork_run_km: float = _field(4.83, 0, 100, help="km (3 miles), run comfortably")
    speedwork_runs: int = _field(6, 0, 100, kind=int, help="runs of that length in the previous 4 weeks")
    beginner_days: int = _field(90, 0, 3650, kind=int, help="days since the first run during which a history counts as a beginner's")
    own_climb_factor: float = _field(1.5, 1, 10, help="times your usual climb per km that makes a run hilly for you")


@dataclass(frozen=True)
class AcwrConfig:
    """The acute:chronic ratio (rule ``acwr_high``): context, not a warning, by default.

    The uncoupled form is the default (Lolli 2019: the coupled one correlates
    spuriously); Impellizzeri 2020/2021: the ratio predicts barely better than chance.
    """

    method: str = _field("uncoupled", kind=str, help=" | ".join(ACWR_METHODS))
    danger: float = _field(1.5, 1.0, 5.0, help="ratio")
    severity: str = _field("info", kind=str, help=" | ".join(SEVERITIES))
    flag: bool = _field(False, kind=bool, help="true: also raise acwr_high flags (the ratio is always a weekly column)")


@dataclass(frozen=True)
class LoadConfig:
    """What a session's load is: distance, Banister TRIMP from heart rate, or session RPE x minutes.

    Runs without what the method needs are counted by their distance at the
    runner's own load per metre (distance alone when no run has it).
    """

    method: str = _field("distance", kind=str, help=" | ".join(LOAD_METHODS))
    trimp_weighting: str = _field("men", kind=str, help=" | ".join(TRIMP_WEIGHTINGS) + " (Banister's two curves)")


@dataclass(frozen=True)
class OverstrideConfig:
    """Step length long for the speed, against the runner's own step length at that speed."""

    margin_pct: float = _field(8.0, 1, 100, help="% longer than your own step length at that speed")
    alert_pct: float = _field(15.0, 1, 100, help="% longer than your own step length at that speed")
    band_mps: float = _field(0.25, 0.05, 2, help="m/s: how close another run's speed must be")
    min_runs: int = _field(5, 2, 100, kind=int, help="comparable runs with running dynamics needed")


@dataclass(frozen=True)
class InjuryHistoryConfig:
    """Logged symptom episodes raise every load rule's severity one step for ``window_days`` after them."""

    window_days: int = _field(56, 0, 730, kind=int, help="days after an episode (0: never raise)")
    min_severity: int = _field(3, 1, 10, kind=int, help="symptom severity (0-10) that counts as an episode")


@dataclass(frozen=True)
class RaceConfig:
    """How races are told from training runs, and how their build-up and recovery are judged.

    Rasmussen 2013 (662 marathon finishers, retrospective): under 30 km a week
    before a marathon went with about twice the injury risk. Recovery of about
    a day per mile raced before the next hard effort is coaching practice.
    """

    distance_tolerance_pct: float = _field(2.0, 0, 20, help="% a run may differ from 5/10/21.1/42.2 km and count as that race")
    effort_pct: float = _field(5.0, 0, 50, help="% below the speed your threshold predicts for that distance that still counts as a race effort")
    recovery_days_per_km: float = _field(0.6, 0, 5, help="days of recovery per km raced (about a day per mile)")
    build_long_run_share: float = _field(0.7, 0, 2, help="share of the race distance your longest run of the 8 weeks before should reach")
    marathon_week_km: float = _field(30.0, 0, 300, help="km a week on average in the 8 weeks before a marathon")


@dataclass(frozen=True)
class EpisodeConfig:
    """How flags group into episodes: one message per return, ramp, hard block, long run or race."""

    join_days: int = _field(10, 0, 90, kind=int, help="days between two findings of one theme that keep them one episode")
    return_days: int = _field(21, 0, 90, kind=int, help="days after a return from a break whose load findings join the return")
    first_screen: int = _field(3, 1, 20, kind=int, help="episodes the terminal and report show first")


@dataclass(frozen=True)
class IngestConfig:
    """Thresholds applied while files are read and cleaned, before anything is analysed.

    What they produce is kept in the run store, so each file's store key holds
    these values: changing one re-reads every file once (`ingest.sources.source_key`).
    """

    running_speed_min_mps: float = _field(
        1.9, 1.0, 4.0, help="m/s (8:46/km): without cadence, faster than this is running, and a file without a sport "
        "whose median speed is at least this is a run"
    )  # fmt: skip
    ride_speed_mps: float = _field(6.0, 3.0, 15.0, help="m/s: a file without a sport whose median moving speed is above this is a ride")
    ride_step_m: float = _field(1.9, 1.0, 5.0, help="m: longer \"steps\" than this at the median speed are pedal strokes (a ride)")
    heart_rate_min_bpm: float = _field(25.0, 0, 100, help="beats/min: lower heart rates (samples and averages) are dropped as impossible")
    heart_rate_max_bpm: float = _field(250.0, 150, 400, help="beats/min: higher heart rates (samples and averages) are dropped as impossible")
    join_gap_min: float = _field(
        10.0, 0, 60, help="minutes: runs of one device, at about one pace, starting within this of the previous one's end are one workout recorded in "
        "several files, and are joined (0: never join; changing it re-reads no file)"
    )  # fmt: skip
    max_run_speed_mps: float = _field(
        6.5, 5.0, 12.0, help="m/s (2:34/km): a run averaging faster than this over more than 10 minutes is not running "
        "(a ride or a GPS fault): skipped with the reason"
    )  # fmt: skip
    min_track_points: int = _field(
        10, 2, 100, kind=int, help="a file with fewer samples than this (a stub: start and end only) is skipped as too "
        "little track; its distance stays in the skipped list"
    )  # fmt: skip


@dataclass(frozen=True)
class Config:
    """All thresholds. ``Config()`` is the defaults; `load_config` reads a TOML file."""

    units: str = _field("km", kind=str, help=" | ".join(UNITS))
    week_start: str = _field("monday", kind=str, help=" | ".join(WEEK_STARTS) + " (the first day of a training week)")
    runner: RunnerConfig = field(default_factory=RunnerConfig)
    fast: FastConfig = field(default_factory=FastConfig)
    weekly_mileage_jump: MileageJumpConfig = field(default_factory=MileageJumpConfig)
    single_run_spike: SingleRunSpikeConfig = field(default_factory=SingleRunSpikeConfig)
    speedwork_share: SpeedworkConfig = field(default_factory=SpeedworkConfig)
    low_cadence: CadenceConfig = field(default_factory=CadenceConfig)
    flat_long_run: LongRunConfig = field(default_factory=LongRunConfig)
    layoff_return: LayoffConfig = field(default_factory=LayoffConfig)
    late_run_fatigue: FatigueConfig = field(default_factory=FatigueConfig)
    base: BaseConfig = field(default_factory=BaseConfig)
    acwr: AcwrConfig = field(default_factory=AcwrConfig)
    load: LoadConfig = field(default_factory=LoadConfig)
    overstride: OverstrideConfig = field(default_factory=OverstrideConfig)
    injury_history: InjuryHistoryConfig = field(default_factory=InjuryHistoryConfig)
    races: RaceConfig = field(default_factory=RaceConfig)
    episodes: EpisodeConfig = field(default_factory=EpisodeConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)

    def __post_init__(self):
        if self.units not in UNITS:
            raise ConfigError(f"units: {self.units!r} is not allowed; use one of {', '.join(UNITS)}")
        if self.acwr.method not in ACWR_METHODS:
            raise ConfigError(f"acwr.method: {self.acwr.method!r} is not allowed; use one of {', '.join(ACWR_METHODS)}")
        for key, value, allowed in (
            ("week_start", self.week_start, WEEK_STARTS),
            ("acwr.severity", self.acwr.severity, SEVERITIES),
            ("load.method", self.load.method, LOAD_METHODS),
            ("load.trimp_weighting", self.load.trimp_weighting, TRIMP_WEIGHTINGS),
        ):
            if value not in allowed:
                raise ConfigError(f"{key}: {value!r} is not allowed; use one of {', '.join(allowed)}")
        r = self.runner
        if r.threshold_pace_per_km and r.threshold_pace_per_mi:
            raise ConfigError("runner: set threshold_pace_per_km or threshold_pace_per_mi, not both")
        for key in ("threshold_pace_per_km", "threshold_pace_per_mi"):
            if getattr(r, key) is not None:
                parse_pace(getattr(r, key), f"runner.{key}")
        for name in ("weekly_mileage_jump", "single_run_spike"):
            section = getattr(self, name)
            if section.alert_pct < section.warn_pct:
                raise ConfigError(f"{name}.alert_pct must be at least warn_pct")
        if self.overstride.alert_pct < self.overstride.margin_pct:
            raise ConfigError("overstride.alert_pct must be at least margin_pct")
        if r.resting_heart_rate and r.max_heart_rate and r.resting_heart_rate >= r.max_heart_rate:
            raise ConfigError("runner: resting_heart_rate must be below max_heart_rate")
        gaps = self.layoff_return
        if not gaps.min_gap_days <= gaps.long_gap_days <= gaps.restart_gap_days:
            raise ConfigError("layoff_return: need min_gap_days <= long_gap_days <= restart_gap_days")

    # -- derived ------------------------------------------------------------
    @property
    def threshold_speed_mps(self) -> float | None:
        """The configured threshold pace as a speed [m/s], or None to estimate it."""
        r = self.runner
        if r.threshold_pace_per_km:
            return 1000.0 / parse_pace(r.threshold_pace_per_km, "runner.threshold_pace_per_km")
        if r.threshold_pace_per_mi:
            return METRES_PER_MILE / parse_pace(r.threshold_pace_per_mi, "runner.threshold_pace_per_mi")
        return None

    @property
    def threshold_hr_bpm(self) -> float | None:
        """The configured threshold heart rate, or one derived from max heart rate; None to estimate."""
        r = self.runner
        if r.threshold_heart_rate:
            return float(r.threshold_heart_rate)
        if r.max_heart_rate:
            return r.max_heart_rate * self.fast.threshold_hr_pct_of_max / 100.0
        return None

    def with_units(self, units: str | None) -> "Config":
        return self if units is None else dataclasses.replace(self, units=units)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


_PACE = re.compile(r"^\s*(\d{1,2}):([0-5]\d)\s*$")


def parse_pace(text: str, key: str = "pace") -> float:
    """``"4:40"`` -> 280 seconds (per km or per mile, as the key says)."""
    m = _PACE.match(str(text))
    if not m:
        raise ConfigError(f"{key}: {text!r} is not a pace; write minutes:seconds, like \"4:40\"")
    seconds = int(m.group(1)) * 60 + int(m.group(2))
    if not 120 <= seconds <= 1200:
        raise ConfigError(f"{key}: {text} is outside 2:00-20:00")
    return float(seconds)


def _check_value(key: str, value: Any, f: dataclasses.Field) -> Any:
    meta = f.metadata
    kind, lo, hi = meta.get("kind", float), meta.get("lo"), meta.get("hi")
    if value is None and f.default is None:
        return None
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected text ({meta.get('help', '')}), got {value!r}")
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false [{meta.get('help', '')}], got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not float(value).is_integer()):
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{key}: expected {what} [{meta.get('help', '')}], got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key}: expected a finite number, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{key}: {value} is outside the allowed range {lo}-{hi} [{meta.get('help', '')}]")
    return kind(value)


def _build(cls, data: dict, prefix: str):
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in data.items():
        where = f"{prefix}{key}"
        if key not in known:
            raise ConfigError(f"{where}: unknown setting; allowed here: {', '.join(known)}")
        f = known[key]
        if dataclasses.is_dataclass(f.default_factory):  # a [section]
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a [{key}] section")
            values[key] = _build(f.default_factory, value, f"{where}.")
        else:
            values[key] = _check_value(where, value, f)
    return cls(**values)


def config_from_dict(data: dict) -> Config:
    """A `Config` from nested dicts (as TOML gives them), checked key by key."""
    return _build(Config, data, "")


def user_config_path():
    """``config.toml`` in the platform's user config folder (it may not exist)."""
    from pathlib import Path

    from platformdirs import user_config_dir

    return Path(user_config_dir("hamstring-analyzer")) / "config.toml"


def find_config(explicit: str | os.PathLike | None = None):
    """The config file to use: ``explicit``, else ``$HAMSTRING_ANALYZER_CONFIG``, else the user's when it exists; else None.

    An explicit or environment path is returned even when missing, so that
    `load_config` names it; only the user config folder's file is optional.
    """
    from pathlib import Path

    if explicit is not None:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    user = user_config_path()
    return user if user.is_file() else None


def load_config(path: str | os.PathLike | None) -> Config:
    """Read a TOML config file; None gives the defaults.

    Raises
    ------
    ConfigError
        The file cannot be read, is not UTF-8 text, is not TOML, or sets a key
        or value that is not allowed. The message names the file.
    """
    if path is None:
        return Config()
    data = read_toml(path, ConfigError, "a config is a UTF-8 TOML file")
    try:
        return config_from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
