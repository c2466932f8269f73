"""Position jumps: the points a phone or watch put where the runner never was.

Phones write bursts of points under a second apart, tens to hundreds of
metres off the track, and sometimes flick between the track and a fixed
stale position. Two filters find them:

* a forward pass that accepts a point only if it can be reached from the
  last accepted point at a plausible speed (plus the receiver's usual error);
  a run of rejected points that agree with each other for long enough is a
  true relocation (the receiver found itself again), and the pass moves there
  without counting the jump;
* a spike pass that drops single out-and-back points: far from both
  neighbours, while the neighbours are close to each other.
"""

from __future__ import annotations

import numpy as np

from ..parsers.track import haversine_m

#: A receiver's usual position error allowed on top of the speed bound [m].
POSITION_SLACK_M = 20.0
#: Rejected points that agree with each other this long mean the receiver relocated [s].
RELOCATE_AFTER_S = 20.0
RELOCATE_AFTER_POINTS = 5
#: A single point this far off both neighbours, whose neighbours are close, is a spike [m].
SPIKE_MIN_M = 25.0


def accepted_fixes(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, max_speed_mps: float) -> np.ndarray:
    """Which fixes are real positions (bool per sample; samples without a fix are False).

    Parameters
    ----------
    t : ndarray
        Sample times [s], increasing.
    lat, lon : ndarray
        Positions [degrees]; NaN where the sample has no fix.
    max_speed_mps : float
        The fastest plausible movement between two fixes [m/s].
    """
    n = len(t)
    ok = np.isfinite(lat) & np.isfinite(lon)
    idx = np.nonzero(ok)[0]
    keep = np.zeros(n, dtype=bool)
    if len(idx) == 0:
        return keep
    keep[idx] = _forward_pass(t[idx], lat[idx], lon[idx], max_speed_mps)
    for _ in range(3):  # a removed spike can reveal the next one
        k = np.nonzero(keep)[0]
        if len(k) < 3:
            break
        spikes = _spikes(t[k], lat[k], lon[k], max_speed_mps)
        if not spikes.any():
            break
        keep[k[spikes]] = False
    return keep


def _reachable(dist_m: float, dt_s: float, max_speed_mps: float) -> bool:
    return dist_m <= max_speed_mps * max(dt_s, 1.0) + POSITION_SLACK_M


def _forward_pass(t, lat, lon, max_speed_mps) -> np.ndarray:
    n = len(t)
    keep = np.zeros(n, dtype=bool)
    keep[0] = True
    anchor = 0
    pending: list[int] = []  # rejected points that agree with each other
    # The great majority of points are accepted: check all consecutive steps at once first.
    step = np.zeros(n)
    step[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    bound = max_speed_mps * np.maximum(np.diff(t, prepend=t[0]), 1.0) + POSITION_SLACK_M
    if (step <= bound).all():  # a clean track (most watch files): nothing to walk through
        keep[:] = True
        return keep
    for i in range(1, n):
        if anchor == i - 1:
            d = step[i]
        else:
            d = float(haversine_m(lat[anchor], lon[anchor], lat[i], lon[i]))
        if _reachable(d, t[i] - t[anchor], max_speed_mps):
            keep[i] = True
            anchor = i
            pending.clear()
            continue
        if pending:
            p = pending[-1]
            dp = float(haversine_m(lat[p], lon[p], lat[i], lon[i]))
            if not _reachable(dp, t[i] - t[p], max_speed_mps):
                pending.clear()
        pending.append(i)
        if len(pending) >= RELOCATE_AFTER_POINTS and t[pending[-1]] - t[pending[0]] >= RELOCATE_AFTER_S:
            keep[pending] = True  # the receiver found itself again: go there, without the jump
            anchor = pending[-1]
            pending.clear()
    return keep


def _spikes(t, lat, lon, max_speed_mps) -> np.ndarray:
    """Single out-and-back points among kept fixes."""
    a = haversine_m(lat[:-2], lon[:-2], lat[1:-1], lon[1:-1])
    b = haversine_m(lat[1:-1], lon[1:-1], lat[2:], lon[2:])
    c = haversine_m(lat[:-2], lon[:-2], lat[2:], lon[2:])
    dt = np.maximum(t[2:] - t[:-2], 1.0)
    detour = a + b - c
    # Out and back: far from both neighbours, which sit close together, at a speed no runner holds.
    spike = (a > SPIKE_MIN_M) & (b > SPIKE_MIN_M) & (c < 0.5 * (a + b)) & ((a + b) / dt > 0.6 * max_speed_mps) & (detour > SPIKE_MIN_M)
    out = np.zeros(len(t), dtype=bool)
    out[1:-1] = spike
    return out


def track_distance(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, keep: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Cumulative distance along the accepted fixes [m], per sample.

    Samples without an accepted fix carry the distance reached so far. A step
    across a gap longer than ``max_gap_s`` adds nothing (the runner stopped
    recording; where they went in between is not known).
    """
    n = len(t)
    out = np.zeros(n)
    k = np.nonzero(keep)[0]
    if len(k) < 2:
        return out
    step = haversine_m(lat[k[:-1]], lon[k[:-1]], lat[k[1:]], lon[k[1:]])
    step[(t[k[1:]] - t[k[:-1]]) > max_gap_s] = 0.0
    cum = np.concatenate([[0.0], np.cumsum(step)])
    at = np.zeros(n)
    at[k] = cum
    # carry forward to samples without a fix
    last = np.maximum.accumulate(np.where(keep, np.arange(n), -1))
    out = np.where(last >= 0, at[np.clip(last, 0, None)], 0.0)
    return out


def jitter_mask(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, keep: np.ndarray, window_s: float = 30.0) -> np.ndarray:
    """Samples inside a stationary cloud: a long path that goes nowhere.

    A receiver standing still scatters its fixes over a few metres; summed
    point to point that reads as running. Over ``window_s`` (centred), a path
    of at least `JITTER_MIN_PATH_M` whose end points lie less than
    `JITTER_MAX_RATIO` of it apart is a cloud (even a 200 m track bend keeps
    half its path as displacement over 30 s).
    """
    n = len(t)
    out = np.zeros(n, dtype=bool)
    k = np.nonzero(keep)[0]
    if len(k) < 3:
        return out
    tk, la, lo_ = t[k], lat[k], lon[k]
    step = np.concatenate([[0.0], haversine_m(la[:-1], lo_[:-1], la[1:], lo_[1:])])
    cum = np.cumsum(step)
    a = np.searchsorted(tk, tk - window_s / 2, side="left")
    b = np.searchsorted(tk, tk + window_s / 2, side="right") - 1
    path = cum[b] - cum[a]
    disp = haversine_m(la[a], lo_[a], la[b], lo_[b])
    cloud = (path >= JITTER_MIN_PATH_M) & (disp < JITTER_MAX_RATIO * path)
    # a sample without an accepted fix between two cloud samples is in the cloud too
    pos = np.searchsorted(k, np.arange(n))  # the next kept sample at or after each one
    before = cloud[np.clip(pos - 1, 0, len(k) - 1)] & (pos > 0)
    after = cloud[np.clip(pos, 0, len(k) - 1)] & (pos < len(k))
    out = before & after
    out[k] = cloud
    return out


#: A stationary cloud: at least this much path over the window [m] ...
JITTER_MIN_PATH_M = 40.0
#: ... with its ends closer than this share of the path.
JITTER_MAX_RATIO = 0.3


#: Positions are averaged over this centred window before distance is summed [s].
SMOOTH_POSITIONS_S = 6.0


def smoothed_positions(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, keep: np.ndarray, window_s: float = SMOOTH_POSITIONS_S):
    """Accepted fixes averaged over a centred time window (others NaN).

    Summed point to point, a position noise of 2 m at one fix a second adds
    half again to a runner's distance and reads an easy run as fast; a few
    seconds of averaging removes most of it, and cuts a corner by a metre or two.
    """
    k = np.nonzero(keep)[0]
    out_lat = np.full(len(t), np.nan)
    out_lon = np.full(len(t), np.nan)
    if len(k) == 0:
        return out_lat, out_lon
    tk = t[k]
    a = np.searchsorted(tk, tk - window_s / 2, side="left")
    b = np.searchsorted(tk, tk + window_s / 2, side="right")
    # means over [a, b) by cumulative sums, relative to the first fix for precision
    for src, dst in ((lat, out_lat), (lon, out_lon)):
        x = src[k] - src[k[0]]
        c = np.concatenate([[0.0], np.cumsum(x)])
        dst[k] = (c[b] - c[a]) / (b - a) + src[k[0]]
    return out_lat, out_lon
