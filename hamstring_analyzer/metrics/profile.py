"""A run's own numbers: those measured from its records once at ingest, and its row of the runs table.

Each measured number is declared once in `RUN_NUMBERS` (its name, dtype,
unit, the function measuring it, its value for a run without samples); the
ingest (`record_profile`, `NO_PROFILE`), the run store's columns
(``store.schema``, ``p_<name>``) and the runs table (`run_profile`,
`PROFILE_COLUMNS`) are drawn from that list. A new per-run number is one
metric function and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .. import glossary as g
from ..activity import Activity
from ..clean.speed import best_sustained_speed
from .fast import interval_mask, is_indoor, median_running_speed, speed_is_reliable
from .form import aerobic_decoupling_pct, late_cadence_drop, step_length_m
from ..dates import week_start
from .summary import run_summary

NAN = float("nan")


@dataclass(frozen=True)
class RunNumber:
    """One number of one run measured from its records (no history needed), kept in the run store as ``p_<name>``.

    ``measure`` takes the run; where one measurement gives several numbers it
    returns them all, and ``part`` says which is this one (the measurement is
    made once per run).
    """

    name: str
    dtype: str  # "float64" or "bool": the runs table's column and the store's
    about: str  # what it is, with its unit in brackets
    measure: Callable[[Activity], Any]
    missing: Any = NAN  # the value of a run without samples: nothing can be measured
    part: int | None = None


def _best_20min(a: Activity) -> float:
    return best_sustained_speed(a.samples) if speed_is_reliable(a) else NAN  # a treadmill's speed is a guess


def _late_drop(a: Activity) -> tuple[float, bool]:
    return late_cadence_drop(a.samples)


#: Every measured per-run number, in the store's and the runs table's order.
RUN_NUMBERS = (
    RunNumber("speed_mps", "float64", "median running speed [m/s]", lambda a: median_running_speed(a.samples)),
    RunNumber("best_20min_mps", "float64", "best 20 minutes' speed, outdoors [m/s]", _best_20min),
    RunNumber("step_length_m", "float64", "median step length while running [m]", lambda a: step_length_m(a.samples)),
    RunNumber("late_cadence_drop_spm", "float64", "cadence lost in the last quarter at the same pace [steps/min]", _late_drop, part=0),
    RunNumber("late_drop_pace_corrected", "bool", "the drop compares like paces [-]", _late_drop, missing=False, part=1),
    RunNumber("decoupling_pct", "float64", "aerobic decoupling of a steady outdoor run [%]", aerobic_decoupling_pct),
    RunNumber("has_intervals", "bool", "laps marked as intervals [-]", lambda a: bool(interval_mask(a).any()), missing=False),
)


def record_profile(activity: Activity) -> dict:
    """The measured numbers of one run (`RUN_NUMBERS`; computed at ingest and cached)."""
    made: dict = {}  # measurement -> its result, so a measurement giving two numbers runs once
    out = {}
    for n in RUN_NUMBERS:
        if n.measure not in made:
            made[n.measure] = n.measure(activity)
        out[n.name] = made[n.measure] if n.part is None else made[n.measure][n.part]
    return out


#: The record profile of a run without samples: nothing can be measured.
NO_PROFILE = {n.name: n.missing for n in RUN_NUMBERS}


def run_profile(activity: Activity) -> dict:
    """The numbers of one run that do not depend on the runner's thresholds (a row of the runs table).

    ``start_local`` is the wall clock where the run was, without zone;
    ``start`` the instant, in UTC (`runs.runs_table` sets it in the runner's zone).
    """
    s = run_summary(activity)
    local = activity.start_local
    distance = s["distance_m"] or 0.0
    climb = s["elevation_gain_m"]
    reliable = speed_is_reliable(activity)
    cached = (activity.stats or {}).get("profile")
    measured = cached if cached is not None else record_profile(activity)
    return {
        "id": activity.id,
        "source": activity.source,
        "name": activity.name,
        "start_local": local.tz_localize(None),
        "start": activity.start_utc,
        "local_date": local.date(),
        "week_start": week_start(local.date()),
        "distance_m": distance,
        "moving_s": s["moving_s"] or 0.0,
        "climb_m": climb,
        "climb_per_km": (climb / (distance / 1000.0)) if climb is not None and distance > 0 else NAN,
        "indoor": is_indoor(activity),
        "sub_sport": activity.sub_sport,
        "cadence_spm": s["cadence_spm"] if s["cadence_spm"] is not None else NAN,
        "speed_reliable": reliable,
        "avg_heart_rate_bpm": s["avg_heart_rate_bpm"] if s["avg_heart_rate_bpm"] is not None else NAN,
        "has_running_dynamics": activity.has_channel(g.STEP_LENGTH),  # step length from a sensor, not speed / cadence
        **{n.name: measured[n.name] for n in RUN_NUMBERS},
        "running_share": _q(activity, "running_share"),
        "running_speed_mps": _q(activity, "running_speed_mps") if reliable else NAN,
        "running_s": _q(activity, "running_s"),
        "suspect": bool(activity.quality is not None and activity.quality.suspect),
        "suspect_reason": activity.quality.suspect_reason if activity.quality is not None else None,
        "has_samples": activity.has_samples,
        "rpe": float(activity.rpe) if activity.rpe is not None else NAN,
        "sources": activity.source_kinds,
    }


def _q(activity: Activity, name: str) -> float:
    q = activity.quality
    value = getattr(q, name, None) if q is not None else None
    return float(value) if value is not None else NAN


#: The runs table's own columns besides the measured numbers, with their dtypes where no row says them (None: object).
_OWN_COLUMNS = {
    "id": None, "source": None, "name": None, "start_local": None, "start": None, "local_date": None, "week_start": None,
    "distance_m": "float64", "moving_s": "float64", "climb_m": "float64", "climb_per_km": "float64", "indoor": "bool",
    "sub_sport": None, "cadence_spm": "float64", "speed_reliable": "bool", "avg_heart_rate_bpm": "float64",
    "has_running_dynamics": "bool",
}  # fmt: skip
_LAST_COLUMNS = {
    "running_share": "float64", "running_speed_mps": "float64", "running_s": "float64", "suspect": "bool",
    "suspect_reason": None, "has_samples": "bool", "rpe": "float64", "sources": None,
}  # fmt: skip
_DTYPES = {**_OWN_COLUMNS, **{n.name: n.dtype for n in RUN_NUMBERS}, **_LAST_COLUMNS}
#: The columns `run_profile` gives, in order.
PROFILE_COLUMNS = list(_DTYPES)
#: The dtypes of a runs table's profile columns where no row says them (an empty history).
EMPTY_PROFILE_DTYPES = {name: dtype for name, dtype in _DTYPES.items() if dtype is not None}
