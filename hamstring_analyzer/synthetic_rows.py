"""Activity lists with one hostile entry among good ones (issue 27): each list format, each kind of damage.

The good entries come from `synthetic_exports` (the documented layouts); one
entry is then damaged the way real files and attacks damage them: a date no
cleaning accepts (1985, 2031), a date no calendar code holds (years 1 and
9999), a stray Latin-1 byte in a UTF-8 file, a 50 MB cell, an impossible
distance. Each generator returns where the damage is (a line, a workout),
so a test can ask that exactly that entry is named and every other one read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from .synthetic_exports import Outing, apple_health_export, garmin_export, polar_session, strava_archive

#: The kinds of damage, by name: what a hostile row holds.
HOSTILE_KINDS = ("1985", "2031", "0001", "9999", "latin1", "bigcell", "negative", "absurd")
#: The size of the big cell [bytes].
BIG_CELL_BYTES = 50 * 1024 * 1024


def manual_runs(first_day: dt.date, kms: list[float], pace_s_per_km: float = 330.0) -> list[Outing]:
    """Runs known only from the list (no files): one a day from ``first_day`` at 07:00 UTC, ``kms`` long."""
    return [Outing(manual_distance_m=km * 1000.0, manual_elapsed_s=km * pace_s_per_km,
                   manual_start_utc=dt.datetime.combine(first_day + dt.timedelta(days=i), dt.time(7), dt.timezone.utc))
            for i, km in enumerate(kms)]  # fmt: skip


def _year_swapped(text: bytes, year: int, new: str) -> bytes:
    return text.replace(str(year).encode(), new.encode())


def strava_with_hostile_row(folder: str | Path, outings: list[Outing], row: int, kind: str) -> tuple[Path, int]:
    """A Strava archive (today's English layout) whose data row ``row`` (0-based) is damaged as ``kind``.

    Returns the archive folder and the line (1-based, the header is line 1)
    of the damaged row. ``kind`` is one of `HOSTILE_KINDS`; the file starts
    with a byte-order mark, as Strava writes it.
    """
    if kind not in HOSTILE_KINDS:
        raise ValueError(f"unknown damage {kind!r}; choose from {', '.join(HOSTILE_KINDS)}")
    folder = strava_archive(folder, outings)
    path = Path(folder) / "activities.csv"
    lines = path.read_bytes().split(b"\n")
    line = lines[row + 1]
    year = outings[row].start_utc.year
    if kind in ("1985", "2031", "0001", "9999"):
        line = _year_swapped(line, year, kind)
    elif kind == "latin1":
        line = line.replace(b",Run ", b",Caf\xe9 Run ", 1)  # the name, in Latin-1: one byte that is not UTF-8
    elif kind == "bigcell":
        cells = line.split(b",")
        cells[4] = b'"' + b"x" * BIG_CELL_BYTES + b'"'  # the description
        line = b",".join(cells)
    else:
        km = outings[row].distance_m / 1000.0
        metres = -outings[row].distance_m if kind == "negative" else 5e9
        line = line.replace(f"{km:.2f}".encode(), f"{metres / 1000:.2f}".encode(), 1)
        line = line.replace(f"{outings[row].distance_m:.1f}".encode(), f"{metres:.1f}".encode(), 1)
    lines[row + 1] = line
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines))
    return Path(folder), row + 2


def garmin_with_hostile_entry(folder: str | Path, outings: list[Outing], entry: int, kind: str) -> Path:
    """A Garmin export whose summary ``entry`` (0-based) is damaged as ``kind`` (a date kind, ``negative`` or ``absurd``)."""
    folder = garmin_export(folder, outings)
    path = next((Path(folder) / "DI_CONNECT" / "DI-Connect-Fitness").glob("*summarizedActivities.json"))
    doc = json.loads(path.read_text())
    item = doc[0]["summarizedActivitiesExport"][entry]
    if kind in ("1985", "2031", "0001", "9999"):
        when = outings[entry].start_utc.replace(year=max(1, int(kind)))
        ms = int((when - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)).total_seconds() * 1000)
        item["startTimeGmt"] = item["beginTimestamp"] = ms
        item["startTimeLocal"] = ms
    elif kind == "negative":
        item["distance"] = -item["distance"]
    elif kind == "absurd":
        item["distance"] = 5e14
    elif kind == "latin1":
        item["name"] = "\x00latin1\x00"  # replaced by a name in Latin-1 below: one byte that is not UTF-8
    else:
        raise ValueError(f"no {kind!r} damage for a Garmin summary; choose a date kind, negative, absurd or latin1")
    path.write_bytes(json.dumps(doc).encode().replace(b"\\u0000latin1\\u0000", b"Caf\xe9 run"))
    return Path(folder)


_APPLE_WORKOUT = re.compile(rb"<Workout .*?</Workout>", re.S)


def apple_with_hostile_workout(folder: str | Path, outings: list[Outing], workout: int, date: str) -> Path:
    """An Apple Health export whose running workout ``workout`` (0-based, in file order) is dated ``date``.

    ``date`` is a year (``"2031"``: the month and day kept) or a day
    (``"0001-01-01"``). Its dates (start, end, creation, its statistics' and
    route's) change; its samples keep theirs. Returns the export's folder.
    """
    root = apple_health_export(folder, outings)
    path = root / "export.xml"
    data = path.read_bytes()
    m = list(_APPLE_WORKOUT.finditer(data))[workout]
    day = rb"\d{4}" if len(date) == 4 else rb"\d{4}-\d\d-\d\d"
    block = re.sub(rb'((?:Date|date)=")' + day, lambda g: g.group(1) + date.encode(), m.group(0))
    path.write_bytes(data[: m.start()] + block + data[m.end() :])
    return root


def polar_with_hostile_exercise(folder: str | Path, outings: list[Outing], year: str) -> Path:
    """A Polar session file holding two exercises: the first outing's, and a copy of it dated in ``year``.

    With the other outings as their own session files beside it. Returns the folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    doc = json.loads(polar_session(outings[0], "new", with_samples=False))
    bad = json.loads(json.dumps(doc["exercises"][0]))
    bad["startTime"] = re.sub(r"^\d{4}", year, bad["startTime"])
    doc["exercises"].append(bad)
    (folder / "training-session-2026-01-01-1-aaaa.json").write_text(json.dumps(doc))
    for n, o in enumerate(outings[1:], 2):
        (folder / f"training-session-2026-01-01-{n}-bbbb.json").write_bytes(polar_session(o, "new", with_samples=False))
    return folder
