"""Form late in one run: cadence lost at the same pace, aerobic decoupling, and step length.

Pure functions over one Activity's records.

References
----------
Friel J. The Triathlete's Training Bible: aerobic decoupling (first half
against second half of speed / heart rate, under 5% on a steady run means the
runner is aerobically ready for it).
Heiderscheit BC et al. (2011). Effects of step rate manipulation on joint
mechanics during running. MSSE 43:296-302 (step length = speed / step rate).
"""

from __future__ import annotations

import numpy as np

from .. import glossary as g
from ..activity import Activity, as_samples
from ..clean.speed import judged_speed
from .fast import RUNNING_SPEED_MIN, interval_mask, speed_is_reliable
from ..samples import running_mask, sample_durations, weighted_median


def _halves(records, mask: np.ndarray, skip_s: float = 0.0):
    """Running time shares: (weights, first-half mask, last-quarter mask) over the masked samples."""
    w = sample_durations(as_samples(records)) * mask
    clock = np.cumsum(w) - w
    keep = clock >= skip_s
    total = w[keep].sum()
    if total <= 0:
        return w, np.zeros_like(mask), np.zeros_like(mask), np.zeros_like(mask)
    rel = (clock - skip_s) / total
    first = keep & mask & (rel < 0.5)
    second = keep & mask & (rel >= 0.5)
    last_q = keep & mask & (rel >= 0.75)
    return w, first, second, last_q


def late_cadence_drop(records, bin_mps: float = 0.1, min_overlap: float = 0.3) -> tuple[float, bool]:
    """Cadence lost in the last quarter against the first half, at similar pace [steps/min].

    Samples are put into speed bins of ``bin_mps``; each last-quarter sample is
    compared with the first half's median cadence in the same bin, so a runner
    who simply slowed down is not counted as fading. Positive = cadence fell.
    Returns (drop, pace_corrected); NaN when there is too little to compare.
    """
    s = as_samples(records)
    if g.CADENCE not in s or np.isnan(s[g.CADENCE]).all():
        return float("nan"), False
    run = running_mask(s)
    w, first, _, last_q = _halves(s, run)
    cad = s[g.CADENCE]
    if w[first].sum() < 300 or w[last_q].sum() < 300:
        return float("nan"), False
    if g.SPEED not in s or np.isnan(s[g.SPEED]).all():
        return weighted_median(cad[first], w[first]) - weighted_median(cad[last_q], w[last_q]), False
    bins = np.floor(judged_speed(s, 10.0) / bin_mps)
    ref = np.full(len(s), np.nan)
    for b in np.unique(bins[last_q & np.isfinite(bins)]):
        in_first = first & (bins == b) & np.isfinite(cad)
        if w[in_first].sum() >= 30:  # at least half a minute at this pace in the first half
            ref[last_q & (bins == b)] = np.median(cad[in_first])
    diffs = (cad - ref)[last_q]
    weights = w[last_q]
    matched = np.isfinite(diffs)
    if weights[matched].sum() < min_overlap * weights.sum():
        return float("nan"), True
    return -weighted_median(diffs[matched], weights[matched]), True


def aerobic_decoupling_pct(activity: Activity, warmup_s: float = 300.0, max_speed_cv: float = 0.15) -> float:
    """(EF first half - EF second half) / EF first half x 100, EF = speed / heart rate [%].

    Only for steady outdoor runs: no interval laps, speed varying less than
    ``max_speed_cv``. The first ``warmup_s`` are skipped while heart rate rises.
    NaN where it does not apply.
    """
    records = activity.samples
    if not speed_is_reliable(activity) or not activity.has_channel(g.HEART_RATE) or interval_mask(activity).any():
        return float("nan")
    speed = judged_speed(records)
    hr = records[g.HEART_RATE]
    run = (speed >= RUNNING_SPEED_MIN) & np.isfinite(hr) & (hr > 0)
    w, first, second, _ = _halves(records, run, skip_s=warmup_s)
    if w[first].sum() < 600 or w[second].sum() < 600:
        return float("nan")
    sp = speed[first | second]
    if np.std(sp) / np.mean(sp) > max_speed_cv:
        return float("nan")
    ef1 = np.average(speed[first], weights=w[first]) / np.average(hr[first], weights=w[first])
    ef2 = np.average(speed[second], weights=w[second]) / np.average(hr[second], weights=w[second])
    return float((ef1 - ef2) / ef1 * 100.0)


def step_length_m(records) -> float:
    """Median step length while running [m]: running dynamics when recorded, else speed / step rate."""
    s = as_samples(records)
    w = sample_durations(s)
    run = running_mask(s)
    if g.STEP_LENGTH in s and not np.isnan(s[g.STEP_LENGTH]).all():
        sl = s[g.STEP_LENGTH] / 1000.0
        sel = run if run.any() else np.ones(len(s), dtype=bool)
        return weighted_median(sl[sel], w[sel])
    if g.SPEED not in s or g.CADENCE not in s or not run.any():
        return float("nan")
    speed = judged_speed(s, 10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sl = speed / (s[g.CADENCE] / 60.0)
    ok = run & (speed >= RUNNING_SPEED_MIN)
    return weighted_median(sl[ok], w[ok])
