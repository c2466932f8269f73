"""Total climb from noisy altitude: smoothing plus a hysteresis.

Summing every positive altitude difference turns barometric noise into
hundreds of metres of phantom climbing. As GoldenCheetah does, altitude is
first smoothed, then a rise counts only once it exceeds a hysteresis (3 m by
default): +2.9 m, a drop, +2.9 m again counts 0; one +3.5 m rise counts 3.5 m.

References
----------
GoldenCheetah, "Elevation hysteresis" setting (default 3 m).
"""

from __future__ import annotations

import numpy as np

DEFAULT_HYSTERESIS_M = 3.0


def climb_m(altitude, hysteresis_m: float = DEFAULT_HYSTERESIS_M, smooth_samples: int = 5) -> float:
    """Total ascent [m] of an altitude trace [m].

    Parameters
    ----------
    altitude : Series or array
        Altitude samples in time order [m]; NaN are ignored.
    hysteresis_m : float
        A rise (or fall) must exceed this to count [m].
    smooth_samples : int
        Width of the centred rolling median applied first (removes spikes).

    Returns
    -------
    float
        Ascent [m]; NaN when there is no altitude at all.
    """
    values = np.asarray(altitude, dtype="float64")
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan")
    if smooth_samples > 1 and len(values) >= smooth_samples:
        values = centred_median(values, smooth_samples)
    # Consecutive equal samples change nothing, and neither do the samples inside a rise or a
    # fall: the hysteresis walk reaches the same state at the turning points alone.
    values = values[np.concatenate([[True], np.diff(values) != 0])]
    if len(values) > 2:
        d = np.diff(values)
        values = values[np.concatenate([[True], d[:-1] * d[1:] < 0, [True]])]
    return _zigzag_gain(values.tolist(), hysteresis_m)


def centred_median(values: np.ndarray, width: int) -> np.ndarray:
    """Median over a centred window of ``width`` samples; near the ends, over the part of it there is."""
    n = len(values)
    half = width // 2
    out = np.empty(n)
    if n >= width:
        windows = np.lib.stride_tricks.sliding_window_view(values, width)
        if width % 2:  # no NaN here: the middle of each sorted window is its median
            out[half : n - (width - 1 - half)] = np.partition(windows, half, axis=1)[:, half]
        else:
            out[half : n - (width - 1 - half)] = np.median(windows, axis=1)
    for i in list(range(min(half, n))) + list(range(max(n - (width - 1 - half), half), n)):
        out[i] = np.median(values[max(0, i - half) : i + (width - half)])
    return out


def _zigzag_gain(values: list[float], h: float) -> float:
    if len(values) < 2:
        return 0.0
    gain = 0.0
    lo = hi = values[0]
    trend = 0  # 0 unknown, 1 rising, -1 falling
    last = cand = values[0]
    for a in values[1:]:
        if trend == 0:
            lo, hi = min(lo, a), max(hi, a)
            if a - lo >= h:
                trend, last, cand = 1, lo, a
            elif hi - a >= h:
                trend, last, cand = -1, hi, a
        elif trend == 1:
            if a > cand:
                cand = a
            elif cand - a >= h:
                gain += cand - last
                trend, last, cand = -1, cand, a
        else:
            if a < cand:
                cand = a
            elif a - cand >= h:
                trend, last, cand = 1, cand, a
    if trend == 1:
        gain += cand - last
    return float(gain)
