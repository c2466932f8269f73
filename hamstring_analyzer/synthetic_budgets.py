"""Files past the readers' budgets (issue 27): huge or dense GPX tracks, gzip bombs.

A GPX written point by point to a file (never whole in memory, so a 100 MB
file costs its writer nothing), a GPX with far more points a second than
any watch records, and a ``.gpx.gz`` whose content is a valid track followed
by a long, highly compressible padding (how a 394 KiB file inflates to
113 MiB).
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Budget test" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>{name}</name><type>running</type><trkseg>\n')  # fmt: skip
TAIL = "</trkseg></trk></gpx>\n"
#: Bristol, heading north at 3 m/s: a degree of latitude is 111,195 m.
LAT0, LON0 = 51.4545, -2.5879


def _stamp(t: dt.datetime) -> str:
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond // 1000:03d}Z"


HR = ("<extensions><gpxtpx:TrackPointExtension xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\">"
      "<gpxtpx:hr>140</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>")  # fmt: skip


def track_points(n: int, *, per_second: float = 1.0, start: dt.datetime = dt.datetime(2026, 3, 2, 7, 0),
                 speed_mps: float = 3.0, hr: bool = True):
    """``n`` GPX ``<trkpt>`` lines, ``per_second`` a second, moving north at ``speed_mps`` [m/s] (a generator).

    With ``hr``, each carries a heart rate (about 270 bytes a point), else
    only position, elevation and time (about 110).
    """
    start = start.replace(tzinfo=dt.timezone.utc)
    step_s = 1.0 / per_second
    ext = HR if hr else ""
    for i in range(n):
        t = start + dt.timedelta(seconds=i * step_s)
        lat = LAT0 + i * step_s * speed_mps / 111_195.0
        yield f'<trkpt lat="{lat:.7f}" lon="{LON0:.7f}"><ele>20.0</ele><time>{_stamp(t)}</time>{ext}</trkpt>\n'


def gpx_bytes(n: int, *, per_second: float = 1.0, name: str = "Morning Run", **kw) -> bytes:
    """A one-track GPX of ``n`` points, ``per_second`` a second (see `track_points`)."""
    return (HEAD.format(name=name) + "".join(track_points(n, per_second=per_second, **kw)) + TAIL).encode()


def write_big_gpx(path: str | Path, size_bytes: int | None = None, *, points: int | None = None, per_second: float = 1.0,
                  hr: bool = True) -> int:
    """Write a GPX of at least ``size_bytes`` (or of ``points`` points) to ``path``, a point at a time; return its points."""
    n = 0
    written = 0
    with open(path, "w", encoding="utf-8") as fh:
        written += fh.write(HEAD.format(name="Endless"))
        for line in track_points(points if points is not None else 10**9, per_second=per_second, hr=hr):
            written += fh.write(line)
            n += 1
            if size_bytes is not None and written >= size_bytes:
                break
        fh.write(TAIL)
    return n


def gzip_bomb_gpx(inflated_bytes: int, *, points: int = 600) -> bytes:
    """A ``.gpx.gz``: a real ``points``-point track, then blank space up to ``inflated_bytes`` (compresses ~1000x).

    Compressed a MiB at a time: the inflated content is never held whole.
    """
    body = (HEAD.format(name="Bomb") + "".join(track_points(points)) + TAIL).encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # the gzip format
    out = [packer.compress(body)]
    pad = max(inflated_bytes - len(body), 0)
    blank = b" " * (1024 * 1024)
    while pad > 0:
        out.append(packer.compress(blank[: min(pad, len(blank))]))
        pad -= len(blank)
    out.append(packer.flush())
    return b"".join(out)
