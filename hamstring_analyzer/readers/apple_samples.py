"""One Apple Health workout's samples: its route GPX points and its ``Record`` samples on one time axis.

Split from `apple_health` (which finds the workouts and the samples in the
export) so each module stays short. A route GPX is read once per export,
however many workouts name it, and each workout keeps only the route's
points inside its own time span: two workouts sharing a route file never
share points.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np

from ..errors import ParseError
from .summary_only import finite
from .xmlsafe import clean_xml

#: A route GPX larger than this is refused [bytes] (a 24-hour route at 1 Hz is ~15 MiB).
MAX_ROUTE_BYTES = 64 * 1024 * 1024
#: A heart rate or running metric sample farther than this from a point says nothing about it [s].
NEAREST_S = 30.0


def _gpx_time(text: str | None) -> float | None:
    """UNIX seconds of a GPX time ("2026-03-02T07:00:00Z")."""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()



class Routes:
    """The route files of one export, each read once (two workouts may name the same file)."""

    def __init__(self, opener, source: str):
        self.opener, self.source = opener, source
        self._read: dict[str, dict | str] = {}

    def points(self, path: str) -> dict | str:
        """The file's points (`route_points`), or why there are none (a reason for the run's warnings)."""
        key = path.lstrip("/")
        if key not in self._read:
            data = self.opener.sibling(key, MAX_ROUTE_BYTES) if hasattr(self.opener, "sibling") else None
            if data is None:
                self._read[key] = f"its route {path} is not in the export (or is too large): no positions"
            else:
                try:
                    self._read[key] = route_points(data, f"{self.source}:{path}")
                except ParseError as exc:
                    self._read[key] = f"its route {path} cannot be read ({exc.reason})"
        return self._read[key]

    def within(self, paths: list[str], lo: float, hi: float, warnings: list[str]) -> dict | None:
        """The points inside [lo, hi] of the workout's first route that has any, or None.

        A route file named by two workouts holds both runs' points: each keeps
        only its own, so neither gets the other's distance.
        """
        for path in dict.fromkeys(paths):
            points = self.points(path)
            if isinstance(points, str):
                warnings.append(points)
                continue
            inside = (points["t"] >= lo) & (points["t"] <= hi)
            if inside.sum() >= 2:
                return {k: v[inside] for k, v in points.items()}
            if len(points["t"]) >= 2:
                warnings.append(f"its route {path} holds no positions inside the workout's time: no positions")
        return None


def route_points(data: bytes, source: str) -> dict:
    """``t`` [UNIX s], ``lat``, ``lon`` [degrees], ``alt`` [m] of every timed track point of a route GPX, in time order."""
    import xml.etree.ElementTree as ET

    data, _ = clean_xml(data, source, "GPX")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ParseError(source, f"not a readable GPX file ({exc})") from None
    t, lat, lon, alt = [], [], [], []
    for el in root.iter():
        if not el.tag.endswith("trkpt"):
            continue
        when = ele = None
        for child in el:
            name = child.tag.rsplit("}", 1)[-1]
            if name == "time":
                when = child.text
            elif name == "ele":
                ele = child.text
        stamp = _gpx_time(when)
        la, lo = finite(el.get("lat")), finite(el.get("lon"))
        if stamp is None or la is None or lo is None:
            continue
        t.append(stamp)
        lat.append(la)
        lon.append(lo)
        e = finite(ele)
        alt.append(e if e is not None else np.nan)
    order = np.argsort(np.array(t, dtype="float64"), kind="stable")
    return {k: np.array(v, dtype="float64")[order] for k, v in (("t", t), ("lat", lat), ("lon", lon), ("alt", alt))}


def pick_source(rows: list, lo: float, hi: float, device: str | None) -> np.ndarray:
    """The (start, end, value) samples inside [lo, hi] from one source: the workout's device if it wrote any."""
    inside = [r for r in rows if lo <= r[0] <= hi]
    if not inside:
        return np.empty((0, 3))
    names = [plain_name(r[3]) for r in inside]
    device = plain_name(device)
    if device in names:
        pick = device
    else:  # the workout's name reads otherwise (renamed, another language): a watch's samples before a phone's
        watches = [n for n in names if "watch" in n] if "watch" in device else []
        pick = max(sorted(set(watches or names)), key=(watches or names).count)
    arr = np.array([r[:3] for r, name in zip(inside, names) if name == pick], dtype="float64")
    return arr[np.argsort(arr[:, 0], kind="stable")]


def plain_name(name: str | None) -> str:
    """A device name as compared: no-break and repeated spaces as one space, no spaces at the ends, one case.

    Exports write ``Runner’s Apple Watch`` with a no-break space, a trailing
    space, or a curly apostrophe as ``&#8217;`` in one place and not another.
    """
    return " ".join(unicodedata.normalize("NFKC", name or "").replace("\u2019", "'").split()).casefold()


def sample_times(chosen: dict, start: float, end: float) -> np.ndarray | None:
    """A time axis for a workout without a route: the ends of its distance samples and its heart rate times."""
    parts = [chosen["distance"][:, 1], chosen["hr"][:, 0], chosen["speed"][:, 0]]
    t = np.unique(np.concatenate([p for p in parts if len(p)])) if any(len(p) for p in parts) else np.empty(0)
    t = t[(t >= start) & (t <= end)]
    return t if len(t) >= 2 else None


def nearest(samples: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Each time's nearest sample value (by the sample's start), NaN beyond `NEAREST_S`."""
    out = np.full(len(times), np.nan)
    if not len(samples):
        return out
    t, v = samples[:, 0], samples[:, 2]
    pos = np.clip(np.searchsorted(t, times), 1, max(len(t) - 1, 1))
    left = np.clip(pos - 1, 0, len(t) - 1)
    right = np.clip(pos, 0, len(t) - 1)
    use_right = np.abs(t[right] - times) < np.abs(times - t[left])
    best = np.where(use_right, right, left)
    ok = np.abs(t[best] - times) <= NEAREST_S
    out[ok] = v[best[ok]]
    return out


def _containing(samples: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Index of the sample whose [start, end] holds each time, -1 for none."""
    if not len(samples):
        return np.full(len(times), -1)
    i = np.searchsorted(samples[:, 0], times, side="right") - 1
    ok = (i >= 0) & (times <= samples[np.clip(i, 0, None), 1])
    return np.where(ok, i, -1)


def rate(samples: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Per-second rate of interval samples (steps / span) at each time; NaN outside them."""
    i = _containing(samples, times)
    out = np.full(len(times), np.nan)
    ok = i >= 0
    if ok.any():
        span = samples[i[ok], 1] - samples[i[ok], 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[ok] = np.where(span >= 1.0, samples[i[ok], 2] / span, np.nan)
    return out


def within(samples: np.ndarray, times: np.ndarray) -> np.ndarray | None:
    """Values of the samples holding each time (nearest when they are instants); None without samples."""
    if not len(samples):
        return None
    spans = samples[:, 1] - samples[:, 0]
    if np.median(spans) < 1.0:
        return nearest(samples, times)
    i = _containing(samples, times)
    out = np.full(len(times), np.nan)
    out[i >= 0] = samples[i[i >= 0], 2]
    return out


def cumulative(samples: np.ndarray, times: np.ndarray) -> np.ndarray | None:
    """Cumulative distance [m] at each time from interval samples, linear within each; None without samples."""
    if len(samples) < 2:
        return None
    knots_t = np.concatenate([[samples[0, 0]], samples[:, 1]])
    knots_d = np.concatenate([[0.0], np.cumsum(samples[:, 2])])
    order = np.argsort(knots_t, kind="stable")
    knots_t, knots_d = knots_t[order], np.maximum.accumulate(knots_d[order])
    return np.interp(times, knots_t, knots_d, left=np.nan, right=np.nan)
