"""Session load beyond distance: Banister TRIMP from heart rate, or session RPE x minutes.

`add_session_load` adds to a runs table the columns ``trimp`` (computed only
with ``[load] method = "trimp"``: it reads every run's heart-rate samples), ``srpe``,
``load`` (the one ``[load] method`` chooses), ``load_by`` (what each run's
load rests on) and ``trimp_rest_hr_bpm`` / ``trimp_max_hr_bpm`` (the heart
rates TRIMP used, set or estimated). A run without what the method needs counts by its distance at
the runner's own median load per metre ("scaled distance"); when no run has
it, every run counts by distance, so the units of a history never mix.

References
----------
Banister EW (1991). Modeling elite athletic performance. In: Physiological
testing of elite athletes. TRIMP = minutes x HRr x 0.64 e^(1.92 HRr) (men;
0.86 e^(1.67 HRr) women), HRr = (HR - rest) / (max - rest).
Foster C et al. (2001). A new approach to monitoring exercise training.
J Strength Cond Res 15:109-115 (session RPE = perceived exertion (0-10) x minutes).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import glossary as g
from ..activity import as_samples
from ..config import Config
from ..samples import sample_durations

#: Heart rates are binned by whole beats from 0 to this [beats/min].
HR_BINS = 251
#: Resting heart rate assumed when the runner has not set one [beats/min] (a typical adult's).
ASSUMED_RESTING_HR = 60.0
#: A run's peak heart rate is the highest held for this long in total [min] (one beat of noise is not a peak).
PEAK_HOLD_MIN = 0.5
#: Banister's weighting: (a, b) in a x e^(b x HRr).
WEIGHTINGS = {"men": (0.64, 1.92), "women": (0.86, 1.67)}


def heart_rate_minutes(records) -> np.ndarray | None:
    """Minutes spent at each whole heart rate (index = beats/min), time-weighted; None without heart rate.

    ``records``: a records frame or `Samples`.
    """
    s = as_samples(records)
    if g.HEART_RATE not in s:
        return None
    hr = s[g.HEART_RATE]
    minutes = sample_durations(s) / 60.0
    ok = np.isfinite(hr) & (hr >= 30) & (hr < HR_BINS)
    if not ok.any():
        return None
    return np.bincount(np.rint(hr[ok]).astype(int), weights=minutes[ok], minlength=HR_BINS)[:HR_BINS]


def _heart_rate_minutes(activity) -> np.ndarray | None:
    """`heart_rate_minutes` of a run: from what the ingest summarised (`bands.run_curves`), else from its samples."""
    summary = (activity.stats or {}).get("samples_summary")
    if summary is None:
        return heart_rate_minutes(activity.samples_for([g.HEART_RATE]))
    beats = summary.get("hr_bpm")
    if beats is None:
        return None
    out = np.zeros(HR_BINS)
    out[np.asarray(beats, dtype=int)] = summary["hr_minutes"]
    return out


def peak_heart_rate(hist: np.ndarray) -> float:
    """The highest heart rate held for `PEAK_HOLD_MIN` minutes in total in one run [beats/min]."""
    from_top = np.cumsum(hist[::-1])
    reached = np.nonzero(from_top >= PEAK_HOLD_MIN)[0]
    return float(len(hist) - 1 - reached[0]) if len(reached) else float("nan")


def banister_trimp(hist: np.ndarray, rest: float, peak: float, weighting: str = "men") -> float:
    """Banister TRIMP of a run from its heart-rate minutes, with resting and max heart rate [beats/min]."""
    a, b = WEIGHTINGS[weighting]
    hr = np.arange(len(hist), dtype="float64")
    hrr = np.clip((hr - rest) / (peak - rest), 0.0, 1.0)
    return float(np.sum(hist * hrr * a * np.exp(b * hrr)))


def _trimp_from_average(avg_hr: float, minutes: float, rest: float, peak: float, weighting: str) -> float:
    """Banister's original form: the session's average heart rate for all its minutes."""
    hist = np.zeros(HR_BINS)
    hist[int(np.clip(round(avg_hr), 0, HR_BINS - 1))] = minutes
    return banister_trimp(hist, rest, peak, weighting)


def heart_rate_range(table: pd.DataFrame, hists: list, config: Config) -> tuple[float, bool, float, bool]:
    """(resting, set?, max, set?) heart rate for TRIMP [beats/min].

    Set values win (max, or threshold heart rate / ``fast.threshold_hr_pct_of_max``).
    Max otherwise: the higher of the highest heart rate held for half a minute
    in any run not marked suspect (a floor on the true max: training rarely
    reaches it) and the median estimated threshold heart rate of the runs
    (``threshold_hr_bpm``) / ``fast.threshold_hr_pct_of_max``. Resting
    otherwise: `ASSUMED_RESTING_HR`.
    """
    r = config.runner
    rest = float(r.resting_heart_rate) if r.resting_heart_rate else ASSUMED_RESTING_HR
    if r.max_heart_rate:
        return rest, bool(r.resting_heart_rate), float(r.max_heart_rate), True
    if r.threshold_heart_rate:
        return rest, bool(r.resting_heart_rate), float(r.threshold_heart_rate) / (config.fast.threshold_hr_pct_of_max / 100), True
    suspect = table["suspect"].to_numpy() if "suspect" in table else np.zeros(len(table), dtype=bool)
    peaks = [peak_heart_rate(h) for h, bad in zip(hists, suspect) if h is not None and bad is not True]
    peaks = [p for p in peaks if math.isfinite(p)]
    avg = pd.to_numeric(table.get("avg_heart_rate_bpm", pd.Series(dtype=float)), errors="coerce").dropna()
    candidates = peaks or list(avg)
    # Easy running never nears max: the runner's estimated threshold heart rate says more when it is higher.
    thr = pd.to_numeric(table.get("threshold_hr_bpm", pd.Series(dtype=float)), errors="coerce").dropna()
    if len(thr):
        candidates.append(float(thr.median()) / (config.fast.threshold_hr_pct_of_max / 100))
    peak = float(max(candidates)) if candidates else float("nan")
    return rest, bool(r.resting_heart_rate), peak, False


def add_session_load(table: pd.DataFrame, activities: dict, config: Config) -> pd.DataFrame:
    """``table`` with ``trimp``, ``srpe``, ``load`` and ``load_by`` added (a new frame).

    Parameters
    ----------
    table : DataFrame
        A runs table (`metrics.runs.runs_table`); ``rpe`` [1-10] and
        ``has_samples`` are read when present (NaN and True otherwise).
    activities : dict
        Activity by run id, for the heart-rate samples.
    config : Config
        ``[load]`` and the runner's heart rates.
    """
    table = table.copy()
    if table.empty:
        for col in ("trimp", "srpe", "load", "trimp_rest_hr_bpm", "trimp_max_hr_bpm"):
            table[col] = pd.Series(dtype="float64")
        table["load_by"] = pd.Series(dtype="object")
        return table
    has_samples = table["has_samples"] if "has_samples" in table else pd.Series(True, index=table.index)
    hists = []
    method = config.load.method
    for rid, samples in zip(table["id"], has_samples):
        a = activities.get(rid) if method == "trimp" else None  # heart-rate time is needed only when TRIMP is asked for
        hists.append(_heart_rate_minutes(a) if a is not None and samples is not False else None)
    rest, _, peak, _ = heart_rate_range(table, hists, config) if method == "trimp" else (float("nan"),) * 4
    weighting = config.load.trimp_weighting
    trimp = []
    for h, avg, moving in zip(hists, table["avg_heart_rate_bpm"], table["moving_s"]):
        if not (math.isfinite(peak) and peak > rest + 20):
            trimp.append(float("nan"))  # no usable heart-rate range
        elif h is not None:
            trimp.append(banister_trimp(h, rest, peak, weighting))
        elif isinstance(avg, (int, float)) and math.isfinite(avg) and moving > 0:
            trimp.append(_trimp_from_average(avg, moving / 60.0, rest, peak, weighting))
        else:
            trimp.append(float("nan"))
    table["trimp"] = trimp
    usable = bool(np.isfinite(trimp).any())
    table["trimp_rest_hr_bpm"] = rest if usable else float("nan")  # what TRIMP was computed with
    table["trimp_max_hr_bpm"] = peak if usable else float("nan")
    rpe = pd.to_numeric(table["rpe"], errors="coerce") if "rpe" in table else pd.Series(np.nan, index=table.index)
    table["srpe"] = (rpe.where(rpe.between(0, 10)) * table["moving_s"] / 60.0).astype("float64")
    distance = table["distance_m"].astype("float64")
    if method == "distance":
        table["load"], table["load_by"] = distance, "distance"
        return table
    own = table[method].astype("float64")
    known = own.notna() & (distance > 0)
    if not known.any():
        table["load"], table["load_by"] = distance, "distance"
        return table
    per_metre = float((own[known] / distance[known]).median())
    table["load"] = own.where(own.notna(), distance * per_metre)
    table["load_by"] = np.where(own.notna(), method, "scaled distance")
    return table
