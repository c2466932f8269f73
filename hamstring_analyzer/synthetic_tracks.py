"""Activity files as phone apps and Garmin Connect write them when something is off.

Timestamps in year 7526 followed by 1970-based ones (Keep and similar phone
exports), a sport the TCX schema cannot name (``Sport="Other"``), cumulative
distances that go negative: small GPX and TCX files for the reasons tests.
"""

from __future__ import annotations

import datetime as dt

import numpy as np


def track_times(start_iso: str, n: int, step_s: int = 5) -> list[str]:
    """``n`` ISO times ``step_s`` apart from ``start_iso`` (``"7526-03-01T06:00:00"``: any year 1-9999), UTC."""
    start = dt.datetime.fromisoformat(start_iso).replace(tzinfo=dt.timezone.utc)
    times = (start + dt.timedelta(seconds=i * step_s) for i in range(n))
    return [f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z" for t in times]


def _positions(n: int, speed_mps: float, step_s: int) -> tuple[np.ndarray, np.ndarray]:
    """A straight track north from Bristol at ``speed_mps`` [m/s]: ``n`` (lat, lon) pairs [degrees]."""
    metres = np.arange(n) * speed_mps * step_s
    return 51.4545 + metres / 111_195.0, np.full(n, -2.5879)


def phone_gpx(times: list[str], *, speed_mps: float = 3.0, step_s: int = 5, sport: str | None = None,
              name: str | None = None) -> bytes:
    """A phone app's GPX track: one point per time in ``times`` at ``speed_mps``, an optional ``<type>`` and ``<name>``."""
    lat, lon = _positions(len(times), speed_mps, step_s)
    head = f"<name>{name}</name>" if name else ""
    head += f"<type>{sport}</type>" if sport else ""
    pts = "".join(f'<trkpt lat="{la:.7f}" lon="{lo:.7f}"><ele>20.0</ele><time>{t}</time></trkpt>\n'
                  for la, lo, t in zip(lat, lon, times))  # fmt: skip
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Keep" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<trk>{head}<trkseg>\n{pts}</trkseg></trk></gpx>\n").encode()  # fmt: skip


def plain_tcx(times: list[str], *, sport: str = "Running", notes: str | None = None, speed_mps: float = 3.0,
              step_s: int = 5, distances: list[float] | None = None, lap_distance_m: float | None = None,
              positions: bool = True, run_cadence: float | None = None) -> bytes:
    """A one-lap TCX activity as Garmin Connect exports it, with ``distances`` [m] per trackpoint when given.

    The lap's ``DistanceMeters`` is ``lap_distance_m`` (default: the last
    distance, or the distance covered at ``speed_mps``).
    """
    n = len(times)
    lat, lon = _positions(n, speed_mps, step_s)
    dist = list(distances) if distances is not None else [i * speed_mps * step_s for i in range(n)]
    lap_m = lap_distance_m if lap_distance_m is not None else dist[-1]
    points = []
    for i, t in enumerate(times):
        pos = (f"<Position><LatitudeDegrees>{lat[i]:.7f}</LatitudeDegrees><LongitudeDegrees>{lon[i]:.7f}</LongitudeDegrees></Position>"
               if positions else "")  # fmt: skip
        points.append(f"<Trackpoint><Time>{t}</Time>{pos}<AltitudeMeters>20.0</AltitudeMeters>"
                      f"<DistanceMeters>{dist[i]:.1f}</DistanceMeters><HeartRateBpm><Value>140</Value></HeartRateBpm></Trackpoint>\n")  # fmt: skip
    if run_cadence is not None:
        ext = ('<Extensions><TPX xmlns="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
               f"<RunCadence>{run_cadence:.0f}</RunCadence></TPX></Extensions></Trackpoint>")
        points = [p.replace("</Trackpoint>", ext) for p in points]
    notes_el = f"<Notes>{notes}</Notes>" if notes else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
            f'<Activities><Activity Sport="{sport}"><Id>{times[0]}</Id>\n'
            f'<Lap StartTime="{times[0]}"><TotalTimeSeconds>{(n - 1) * step_s:.1f}</TotalTimeSeconds>'
            f"<DistanceMeters>{lap_m:.1f}</DistanceMeters><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>"
            f"<Track>\n{''.join(points)}</Track></Lap>{notes_el}</Activity></Activities></TrainingCenterDatabase>\n").encode()  # fmt: skip
