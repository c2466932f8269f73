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

import math

import numpy as np
import pandas as pd

from ..readers.track import haversine_m, steps_m

#: A receiver's usual position error allowed on top of the speed bound [m].
POSITION_SLACK_M = 20.0
#: Rejected points that agree with each other this long mean the receiver relocated [s].
RELOCATE_AFTER_S = 10.0
RELOCATE_AFTER_POINTS = 5
#: A single point this far off both neighbours, whose neighbours are close, is a spike [m].
SPIKE_MIN_M = 25.0


def accepted_fixes(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, max_speed_mps: float) -> tuple[np.ndarray, np.ndarray]:
    """Which fixes are real positions, and where the track relocated (two bool arrays per sample).

    A relocation is a fix the track jumped to after the receiver found itself
    again: the step into it is a jump, not distance. When the stretch before
    a relocation is shorter than the run of fixes that agree after it (a first
    fix far off while the receiver locks on), the stretch before is dropped.

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
    relocated = np.zeros(n, dtype=bool)
    if len(idx) == 0:
        return keep, relocated
    keep[idx], relocated[idx], steps = _forward_pass(t[idx], lat[idx], lon[idx], max_speed_mps)
    for _ in range(3):  # a removed spike can reveal the next one
        k = np.nonzero(keep)[0]
        if len(k) < 3:
            break
        known = steps[1:] if steps is not None and len(k) == len(idx) else None  # every fix kept: the same steps
        spikes = _spikes(t[k], lat[k], lon[k], max_speed_mps, known)
        steps = None
        if not spikes.any():
            break
        keep[k[spikes]] = False
    return keep, relocated & keep


def _reachable(dist_m: float, dt_s: float, max_speed_mps: float) -> bool:
    return dist_m <= max_speed_mps * max(dt_s, 1.0) + POSITION_SLACK_M


def _forward_pass(t, lat, lon, max_speed_mps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kept, relocated, the step to each fix from the one before [m])."""
    n = len(t)
    keep = np.zeros(n, dtype=bool)
    relocated = np.zeros(n, dtype=bool)
    step = np.zeros(n)
    step[1:] = steps_m(lat, lon)
    bound = max_speed_mps * np.maximum(np.diff(t, prepend=t[0]), 1.0) + POSITION_SLACK_M
    if (step <= bound).all():  # a clean track (most watch files): nothing to walk through
        keep[:] = True
        return keep, relocated, step
    keep[0] = True
    anchor = 0
    stretch = [0]  # fixes accepted since the start or the last relocation
    pending: list[int] = []  # rejected fixes that agree with each other
    for i in range(1, n):
        if anchor == i - 1:
            d = step[i]
        else:
            d = float(haversine_m(lat[anchor], lon[anchor], lat[i], lon[i]))
        if _reachable(d, t[i] - t[anchor], max_speed_mps):
            keep[i] = True
            anchor = i
            stretch.append(i)
            pending.clear()
            continue
        if pending:
            p = pending[-1]
            dp = float(haversine_m(lat[p], lon[p], lat[i], lon[i]))
            if not _reachable(dp, t[i] - t[p], max_speed_mps):
                pending.clear()
        pending.append(i)
        if len(pending) >= RELOCATE_AFTER_POINTS and t[pending[-1]] - t[pending[0]] >= RELOCATE_AFTER_S:
            # The receiver found itself again: go there, without the jump. If what came before was
            # shorter than what agrees now, it was the receiver locking on: drop it instead.
            if len(stretch) < len(pending):
                keep[stretch] = False
                relocated[stretch] = False
            keep[pending] = True
            relocated[pending[0]] = True
            anchor = pending[-1]
            stretch = list(pending)
            pending.clear()
    return keep, relocated, step


def _spikes(t, lat, lon, max_speed_mps, steps=None) -> np.ndarray:
    """Single out-and-back points among kept fixes (``steps``: between consecutive fixes, when known)."""
    if steps is None:
        steps = steps_m(lat, lon)
    a, b = steps[:-1], steps[1:]  # to each fix from the one before, and on to the next
    c = steps_m(lat, lon, 2)
    dt = np.maximum(t[2:] - t[:-2], 1.0)
    detour = a + b - c
    # Out and back: far from both neighbours, which sit close together, at a speed no runner holds.
    spike = (a > SPIKE_MIN_M) & (b > SPIKE_MIN_M) & (c < 0.5 * (a + b)) & ((a + b) / dt > 0.6 * max_speed_mps) & (detour > SPIKE_MIN_M)
    out = np.zeros(len(t), dtype=bool)
    out[1:-1] = spike
    # the first fix has one neighbour side: off alone while the next two agree
    if a[0] > SPIKE_MIN_M and c[0] > SPIKE_MIN_M and b[0] < 0.5 * a[0] and a[0] / max(t[1] - t[0], 1.0) > 0.6 * max_speed_mps:
        out[0] = True
    return out


def track_distance(
    t: np.ndarray, lat: np.ndarray, lon: np.ndarray, keep: np.ndarray, max_gap_s: float, skip: np.ndarray | None = None
) -> np.ndarray:
    """Cumulative distance along the accepted fixes [m], per sample.

    Samples without an accepted fix carry the distance reached so far. A step
    across a gap longer than ``max_gap_s`` adds nothing (the runner stopped
    recording; where they went in between is not known), and so does the step
    into a sample marked in ``skip`` (a relocation).
    """
    n = len(t)
    out = np.zeros(n)
    k = np.nonzero(keep)[0]
    if len(k) < 2:
        return out
    step = haversine_m(lat[k[:-1]], lon[k[:-1]], lat[k[1:]], lon[k[1:]])
    step[(t[k[1:]] - t[k[:-1]]) > max_gap_s] = 0.0
    if skip is not None:
        step[skip[k[1:]]] = 0.0
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
    step = np.concatenate([[0.0], steps_m(la, lo_)])
    cum = np.cumsum(step)
    a = np.searchsorted(tk, tk - window_s / 2, side="left")
    b = np.searchsorted(tk, tk + window_s / 2, side="right") - 1
    path = cum[b] - cum[a]
    disp = haversine_m(la[a], lo_[a], la[b], lo_[b])
    # ... and whose fixes all sit within a few metres (a small loop run fast also goes nowhere, but wide)
    idx = pd.DatetimeIndex(pd.to_datetime(tk, unit="s"))
    roll = {name: pd.Series(v, index=idx).rolling(f"{int(window_s)}s", center=True, min_periods=1) for name, v in (("lat", la), ("lon", lo_))}
    extent = haversine_m(
        roll["lat"].min().to_numpy(), roll["lon"].min().to_numpy(), roll["lat"].max().to_numpy(), roll["lon"].max().to_numpy()
    )
    cloud = (path >= JITTER_MIN_PATH_M) & (disp < JITTER_MAX_RATIO * path) & (extent < JITTER_MAX_EXTENT_M)
    # a sample without an accepted fix between two cloud samples is in the cloud too
    return _on_every_sample(cloud, k, n)


#: A stationary cloud: at least this much path over the window [m] ...
JITTER_MIN_PATH_M = 40.0
#: ... with its ends closer than this share of the path ...
JITTER_MAX_RATIO = 0.3
#: ... and all its fixes within a box this wide (corner to corner) [m].
JITTER_MAX_EXTENT_M = 40.0


#: Positions are averaged over this centred window before distance is summed [s].
SMOOTH_POSITIONS_S = 3.0


def smoothed_positions(
    t: np.ndarray, lat: np.ndarray, lon: np.ndarray, keep: np.ndarray, window_s: float = SMOOTH_POSITIONS_S, breaks: np.ndarray | None = None
):
    """Accepted fixes averaged over a centred time window (others NaN).

    Summed point to point, a position noise of 2 m at one fix a second adds
    half again to a runner's distance and reads an easy run as fast; a few
    seconds of averaging removes most of it, and cuts a corner by a metre or two.
    No window reaches across a sample marked in ``breaks`` (a relocation), so a
    jump is never smeared into the steps beside it.
    """
    k = np.nonzero(keep)[0]
    out_lat = np.full(len(t), np.nan)
    out_lon = np.full(len(t), np.nan)
    if len(k) == 0:
        return out_lat, out_lon
    seg = np.cumsum(breaks[k]) if breaks is not None else np.zeros(len(k))
    key = seg * 1e12 + t[k]  # orderable: windows never mix segments
    a = np.searchsorted(key, key - window_s / 2, side="left")
    b = np.searchsorted(key, key + window_s / 2, side="right")
    # means over [a, b) by cumulative sums, relative to the first fix for precision
    for src, dst in ((lat, out_lat), (lon, out_lon)):
        x = src[k] - src[k[0]]
        c = np.concatenate([[0.0], np.cumsum(x)])
        dst[k] = (c[b] - c[a]) / (b - a) + src[k[0]]
    return out_lat, out_lon


#: A turnaround: the track 3 fixes ahead points back (sharper than this [degrees]) on where it came from ...
REVERSAL_DEG = 150.0
REVERSAL_LAG = 3
#: ... over displacements both at least this long [m] (position noise alone rarely does that).
REVERSAL_MIN_M = 6.0


def reversals(lat: np.ndarray, lon: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Breaks around the fixes where the track turns back on itself, so smoothing leaves turnarounds whole."""
    out = np.zeros(len(lat), dtype=bool)
    k = np.nonzero(keep)[0]
    n, lag = len(k), REVERSAL_LAG
    if n < 2 * lag + 1:
        return out
    coslat = np.cos(np.radians(np.nanmean(lat[k])))
    x = lon[k] * coslat * 111_195.0
    y = lat[k] * 111_195.0
    j = np.arange(lag, n - lag)
    ax, ay = x[j] - x[j - lag], y[j] - y[j - lag]
    bx, by = x[j + lag] - x[j], y[j + lag] - y[j]
    la, lb = np.hypot(ax, ay), np.hypot(bx, by)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_turn = (ax * bx + ay * by) / (la * lb)
    turn = (cos_turn < np.cos(np.radians(REVERSAL_DEG))) & (la >= REVERSAL_MIN_M) & (lb >= REVERSAL_MIN_M)
    out[k[j[turn]]] = True  # each fix of the turn stands alone: a break before it and after it
    out[k[np.minimum(j[turn] + 1, n - 1)]] = True
    return out


#: A phone lying still is judged over these times on each side of a fix [s], each where it holds at least
#: `STILL_MIN_FIXES` fixes a side (the shorter finds the run's ends) ...
STILL_WINDOWS_S = (30.0, 120.0)
#: ... and, where the longer holds fewer than `STILL_SPARSE_FIXES` fixes a side (sparse fixes, whose
#: medians a far fix or two still moves), over this one too (never otherwise: six minutes of a loop
#: run has its middle anywhere) [s].
STILL_SPARSE_WINDOW_S = 360.0
STILL_SPARSE_FIXES = 8
STILL_MIN_FIXES = 3
#: The crookedness of the path is judged over this time before a fix, and after it [s].
STILL_WINDOW_S = 120.0
#: The middle of the fixes on either side moving slower than this goes nowhere [m/s] ...
STILL_PROGRESS_MPS = 0.8
#: ... and a path this crooked over a few fixes (end-to-end over along the way) is jitter, not a runner
#: (a runner's path is near 1 even round a small loop; independent jitter's near 0.3).
STILL_MAX_STRAIGHTNESS = 0.5
STILL_STRAIGHTNESS_FIXES = 2
#: Still for at least this long (first to last fix) [s], or, with fixes this far apart [s], for two fixes
#: (each judged on minutes of fixes around it).
STILL_MIN_S = 60.0
STILL_SPARSE_DT_S = 10.0


def still_mask(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, keep: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Samples where the receiver lay still: fixes scattered around one place, however widely and sparsely.

    A phone left recording on a table writes fixes tens of metres apart,
    from one a second to one a minute, for minutes or hours: summed, they read
    as kilometres. Around each accepted fix, the median position over
    `STILL_WINDOW_S` before it and the one after it (widened for sparse fixes)
    barely move apart, and the path between nearby fixes zigzags. A runner's
    medians move at running pace; going round a small loop, they may not, but
    the path then stays smooth. Windows never reach across a gap longer than
    ``max_gap_s``. Samples without an accepted fix inside a still stretch are
    still too.
    """
    n = len(t)
    out = np.zeros(n, dtype=bool)
    k = np.nonzero(keep)[0]
    if len(k) < 2 * STILL_MIN_FIXES:
        return out
    tk = t[k]
    coslat = math.cos(math.radians(float(np.median(lat[k]))))
    x = (lon[k] - lon[k[0]]) * coslat * _M_PER_DEG
    y = (lat[k] - lat[k[0]]) * _M_PER_DEG
    seg = np.concatenate([[0], np.cumsum(np.diff(tk) > max_gap_s)])
    progress = np.full(len(k), np.inf)
    sparse = np.ones(len(k), dtype=bool)
    for window in (*STILL_WINDOWS_S, STILL_SPARSE_WINDOW_S):
        (bx, by, bt, bn), (ax, ay, at, an) = _side_medians(tk, x, y, window)
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.hypot(ax - bx, ay - by) / np.maximum(at - bt, window / 2)
        enough = (bn >= STILL_MIN_FIXES) & (an >= STILL_MIN_FIXES)
        if window == STILL_SPARSE_WINDOW_S:
            enough &= sparse
        elif window == max(STILL_WINDOWS_S):
            sparse = np.fmin(bn, an) < STILL_SPARSE_FIXES
        progress = np.where(enough, np.fmin(progress, v), progress)
    crooked = _straightness(tk, x, y, seg) < STILL_MAX_STRAIGHTNESS
    still = (progress < STILL_PROGRESS_MPS) & crooked
    # lasting: stretches of still fixes spanning at least STILL_MIN_S, where the fixes too near a gap or an end
    # of the recording to be judged (too few fixes on one side) count towards the stretch they border
    unknown = np.isinf(progress)
    region = still | unknown
    # regions: runs of still-or-unjudged fixes, each within one piece of the recording
    cut = np.concatenate([[True], ~region[:-1] | (seg[1:] != seg[:-1]), [True]])
    bounds = np.nonzero(cut)[0]
    lasting = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        if not region[a]:
            continue
        b = a + int(np.argmin(np.append(region[a:b], False)))  # up to the first fix outside the region
        judged = np.nonzero(still[a:b])[0]
        if len(judged) < 2:
            continue
        span = tk[b - 1] - tk[a]
        sparse_fixes = np.median(np.diff(tk[a + judged[0] : a + judged[-1] + 1])) >= STILL_SPARSE_DT_S
        if span >= STILL_MIN_S or sparse_fixes:
            lasting.append((a + judged[0], a + judged[-1] + 1))
    still[:] = False
    for a, b in lasting:
        still[a:b] = True  # unjudged fixes inside a still stretch are still too
    for a, b in lasting:
        _grow(still, a, b, tk, x, y, seg)
    return _on_every_sample(still, k, n)


def _on_every_sample(marked, k, n: int) -> np.ndarray:
    """A mark on the kept fixes ``k`` spread to all ``n`` samples: a sample between two marked fixes is marked."""
    pos = np.searchsorted(k, np.arange(n))  # the next kept sample at or after each one
    before = marked[np.clip(pos - 1, 0, len(k) - 1)] & (pos > 0)
    after = marked[np.clip(pos, 0, len(k) - 1)] & (pos < len(k))
    out = before & after
    out[k] = marked
    return out


_M_PER_DEG = 111_195.0
#: A still stretch takes in the fixes beside it, up to where a runner leaves (or, before it, arrives):
#: over the next `LEAVING_S` [s] (at least `STILL_MIN_FIXES` fixes) every fix lies farther from the
#: stretch's middle, all in one direction from the first (cosine to the last at least `LEAVING_COS`),
#: at `LEAVING_MPS` [m/s] or more, and the last is out of the cloud (twice its fixes' median distance
#: from the middle: one jitter fix in twenty lies that far).
LEAVING_S = 60.0
LEAVING_COS = 0.5
LEAVING_MPS = 0.5
#: Never further than this from where the stretch was found [s].
STILL_GROW_MAX_S = 300.0


def _grow(still: np.ndarray, a: int, b: int, t: np.ndarray, x: np.ndarray, y: np.ndarray, seg: np.ndarray) -> None:
    """Widen the still stretch ``still[a:b]`` over the fixes beside it, up to where the runner leaves or arrives.

    The windows that find a still stretch straddle its ends, so it starts
    late and ends early. Jitter beside it goes every way; a runner leaving
    goes one way, steadily farther: the first fix from which the next
    `LEAVING_S` do that is the run's (`_leaves`).
    """
    for start, step in ((a - 1, -1), (b, 1)):
        edge = a if step < 0 else b - 1
        near = np.abs(t[a:b] - t[edge]) <= STILL_WINDOW_S
        centre = (float(np.median(x[a:b][near])), float(np.median(y[a:b][near])))
        spread = float(np.median(np.hypot(x[a:b][near] - centre[0], y[a:b][near] - centre[1])))
        i = start
        while 0 <= i < len(x) and seg[i] == seg[a] and not still[i] and abs(t[i] - t[edge]) <= STILL_GROW_MAX_S:
            if _leaves(i, step, t, x, y, centre, spread):
                break
            still[i] = True
            i += step


def _leaves(i: int, step: int, t: np.ndarray, x: np.ndarray, y: np.ndarray, centre: tuple[float, float], spread: float) -> bool:
    """Whether from fix ``i`` on (back from it, with ``step`` -1) the fixes move steadily away from ``centre``, one way,
    out of the cloud of fixes around it (``spread``: their median distance from it [m])."""
    j = i + step
    ahead = []
    while 0 <= j < len(t) and abs(t[j] - t[i]) <= LEAVING_S:
        ahead.append(j)
        j += step
    if len(ahead) < STILL_MIN_FIXES:
        return False
    dx, dy = x[ahead] - x[i], y[ahead] - y[i]
    dist = np.hypot(dx, dy)
    off = np.hypot(x[[i] + ahead] - centre[0], y[[i] + ahead] - centre[1])
    # steadily farther, give or take a receiver's error: off [m] keeps up with the pace
    pace = off[0] + LEAVING_MPS * np.abs(t[ahead] - t[i])
    if off[-1] < max(pace[-1], 2 * spread) or (off[1:] < pace - POSITION_SLACK_M).any():
        return False
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (dx * dx[-1] + dy * dy[-1]) / (dist * dist[-1])
    far = dist >= POSITION_SLACK_M  # the direction of a step within the error is noise
    return bool((np.nan_to_num(cos[far]) >= LEAVING_COS).all())


def _side_medians(t, x, y, window_s):
    """Median x, y and time of the fixes up to ``window_s`` before each fix (itself included), and after it, with counts.

    (The windows are shorter than the gaps that split a recording, so they never reach across one.)
    """
    frame = pd.DataFrame({"x": x, "y": y, "t": t - t[0]})
    out = []
    for sign in (1, -1):
        key = sign * (t - t[0])
        order = np.argsort(key, kind="stable")
        f = frame.iloc[order].set_axis(pd.to_datetime(key[order], unit="s"))
        closed = "right" if sign == 1 else "left"  # the fix itself counts before it, never after
        roll = f.rolling(f"{int(window_s)}s", closed=closed)
        med = roll.median()
        cnt = roll["x"].count()
        back = np.empty(len(t), dtype=int)
        back[order] = np.arange(len(t))
        out.append(tuple(a[back] for a in (med["x"].to_numpy(), med["y"].to_numpy(), med["t"].to_numpy(), cnt.to_numpy())))
    return out


def _straightness(t, x, y, seg) -> np.ndarray:
    """Per fix: end-to-end over path across a few fixes either side, its median over `STILL_WINDOW_S` before the fix
    or after it, whichever is lower (so the run's end does not hide the jitter after it)."""
    m = STILL_STRAIGHTNESS_FIXES
    n = len(t)
    if n <= 2 * m:
        return np.ones(n)
    step = np.concatenate([[0.0], np.hypot(np.diff(x), np.diff(y))])
    cum = np.cumsum(step)
    i = np.arange(n)
    lo, hi = np.clip(i - m, 0, n - 1), np.clip(i + m, 0, n - 1)
    lo = np.where(seg[lo] == seg, lo, i)
    hi = np.where(seg[hi] == seg, hi, i)
    path = cum[hi] - cum[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(path > 0, np.hypot(x[hi] - x[lo], y[hi] - y[lo]) / path, 1.0)
    window = f"{int(STILL_WINDOW_S)}s"
    before = pd.Series(ratio, index=pd.to_datetime(t - t[0], unit="s")).rolling(window).median().to_numpy()
    after = pd.Series(ratio[::-1], index=pd.to_datetime(t[-1] - t[::-1], unit="s")).rolling(window).median().to_numpy()[::-1]
    return np.fmin(before, after)
