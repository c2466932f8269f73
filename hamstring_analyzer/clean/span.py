"""What part of a recording is the run: pieces after long gaps, idle ends, pauses.

A phone or watch may record long before or after the run (left on at home,
on a desk, in a car). The recording is split into pieces at gaps in which
nothing was recorded; the piece with most running is the run, pieces near
it that hold running belong to it, and idle (standing) time at either end is
cut. Pauses are gaps without movement (`speed.pauses`): a phone's sparse
fixes covered at a running pace are not pauses.
"""

from __future__ import annotations

import numpy as np

from .. import glossary as g
from ..activity import Samples
from ..samples import RUNNING_STEP_RATE_MIN
from ..readers.track import STANDING_SPEED_MPS
from .speed import sustained

#: A gap longer than this splits a recording into pieces judged separately [s].
SPLIT_GAP_S = 600.0
#: A piece with less running than this, apart from the main one, is not part of the run [s].
MIN_PIECE_RUNNING_S = 300.0
#: A piece this close to the run's main piece belongs to it if it holds any sustained running (a café stop) [s].
NEAR_PIECE_S = 3600.0
#: Running counts towards a piece in unbroken stretches at least this long [s].
MIN_RUNNING_STRETCH_S = 120.0
#: Pieces starting this long after the run's main piece ended are another outing [s].
MAX_PIECE_DISTANCE_S = 3 * 3600.0
#: Idle (standing) time at either end longer than this is cut [s].
IDLE_END_S = 120.0
#: On a track summed from positions, activity that marks where the run starts or ends must last this long:
#: a moment of movement in an idle end (a stray fix, a burst of jitter) does not stop the cut. A watch's
#: own distance counter has no such moments, and a slow descent on a hike is movement however short [s].
ACTIVE_END_S = 20.0
#: Moving at least this fast is active (walking included) [m/s].
ACTIVE_SPEED_MPS = 0.8


def durations(t: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Seconds each sample stands for: the time to the next one, none across a pause (``breaks``, one per gap)."""
    gap_after = np.diff(t, append=t[-1]) if len(t) else np.empty(0)
    return np.where(np.append(breaks, True), 0.0, gap_after) if len(t) else gap_after


def dropped_time(t: np.ndarray, keep: np.ndarray) -> float:
    """Recorded time [s] between consecutive dropped samples (a gap with nothing recorded is not counted)."""
    dt = np.diff(t)
    both = ~keep[:-1] & ~keep[1:] & (dt <= SPLIT_GAP_S)
    edge = (keep[:-1] != keep[1:]) & (dt <= SPLIT_GAP_S)  # the step from the run into a cut end, or back
    return float(dt[both].sum() + dt[edge].sum())


def active(rec: Samples, speed: np.ndarray | None) -> np.ndarray:
    """Samples where the runner was on the move (walking included)."""
    n = len(rec)
    known = np.zeros(n, dtype=bool)
    on_the_move = np.zeros(n, dtype=bool)
    if speed is not None:
        known |= np.isfinite(speed)
        on_the_move |= np.nan_to_num(speed) >= ACTIVE_SPEED_MPS
    if g.CADENCE in rec:
        cad = rec[g.CADENCE]
        known |= np.isfinite(cad)
        on_the_move |= np.nan_to_num(cad) >= 100.0
    if not known.any():
        return np.ones(n, dtype=bool)  # nothing to judge by: all of it counts
    return on_the_move


def running_now(rec: Samples, speed: np.ndarray | None, running_speed_min_mps: float) -> np.ndarray:
    """Samples at running cadence, or (without cadence) at running pace (at least ``running_speed_min_mps``)."""
    if rec.count(g.CADENCE) >= 10:
        return np.nan_to_num(rec[g.CADENCE]) >= RUNNING_STEP_RATE_MIN
    if speed is not None:
        return np.nan_to_num(speed) >= running_speed_min_mps
    return np.ones(len(rec), dtype=bool)


def run_span(t: np.ndarray, on_the_move: np.ndarray, running: np.ndarray, breaks: np.ndarray,
             from_positions: bool = False) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """Rows that belong to the run: the piece with most running, pieces near it that hold running, idle ends cut.

    ``breaks`` marks the pauses (one per gap, `speed.pauses`): time across a
    pause is not running, and a stretch of running or movement ends at one.
    With ``from_positions`` (distance summed from a track), the run's ends
    are its first and last lasting movement (`ACTIVE_END_S`).
    """
    piece = np.concatenate([[0], np.cumsum(np.diff(t) > SPLIT_GAP_S)])
    w = durations(t, breaks)  # time across a pause is not running
    # running counts in stretches of a couple of minutes: a phone left on in a pocket runs in bursts
    active_s = np.bincount(piece, weights=w * sustained(running, t, MIN_RUNNING_STRETCH_S, breaks))
    if not active_s.any():
        active_s = np.bincount(piece, weights=w * on_the_move)
    main = int(np.argmax(active_s))
    first = np.r_[0, np.nonzero(np.diff(piece))[0] + 1]
    starts, ends = t[first], t[np.r_[first[1:] - 1, len(t) - 1]]
    kept = {main}
    notes = []
    for p in range(len(active_s)):
        if p == main:
            continue
        apart = max(starts[p] - ends[main], starts[main] - ends[p])
        if (apart <= NEAR_PIECE_S and active_s[p] > 0) or (apart <= MAX_PIECE_DISTANCE_S and active_s[p] >= MIN_PIECE_RUNNING_S):
            kept.add(p)
    keep = np.ones(len(t), dtype=bool) if len(kept) == len(active_s) else np.isin(piece, sorted(kept))
    dropped_pieces = len(active_s) - len(kept)
    if dropped_pieces:
        notes.append(f"{dropped_pieces} piece{'s' if dropped_pieces > 1 else ''} of recording without running, after long gaps, cut")
    # idle ends: from the first to the last lasting movement
    moving = keep & on_the_move
    lasting = sustained(moving, t, ACTIVE_END_S, breaks) if from_positions else moving
    idx = np.nonzero(lasting if lasting.any() else moving)[0]
    if len(idx):
        first, last = idx[0], idx[-1]
        if t[first] - t[np.nonzero(keep)[0][0]] > IDLE_END_S:
            keep[:first] = False
            notes.append("idle start cut")
        tail_end = np.nonzero(keep)[0][-1]
        if t[tail_end] - t[last] > IDLE_END_S:
            keep[last + 2 :] = False  # the sample after the last active one closes its step
            notes.append("idle end cut")
    return keep, notes


def moving_time(t: np.ndarray, speed: np.ndarray, breaks: np.ndarray) -> float:
    """Time on the move [s]: gaps that are not pauses, at more than standing speed."""
    if len(t) < 2:
        return 0.0
    ok = ~breaks
    if np.isfinite(speed).any():
        ok &= np.nan_to_num(speed[1:], nan=0.0) >= STANDING_SPEED_MPS
    return float(np.diff(t)[ok].sum())
