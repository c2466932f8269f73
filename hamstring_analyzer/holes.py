"""Holes in the data: days a file that could not be read may hold a run, and periods the files miss.

A coach does not read "48 days without running" when unreadable files sit
inside the gap. The rules do not judge a break across a hole (`rules.layoff_gaps`
with ``holes``), a week's load flag whose weeks hold one is doubtful, and the
terminal and the report say how much of the running a platform's list names
is in files (`coverage`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
from dataclasses import dataclass

import pandas as pd

from .dates import day_iso

#: How much of an unreadable file is read to find its date [bytes].
SNIFF_BYTES = 64 * 1024
#: The first timestamp of an XML activity file (GPX ``<time>``, TCX ``<Id>`` / ``StartTime``, running_page's ``<start_time>``).
_STAMP = re.compile(rb"<(?:time|Id|start_time)>\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s*<")
#: A month is thinly covered when its files hold less than this share of the distance its runs list.
THIN_SHARE = 0.8
#: ... and the listed distance is at least this much [m] (a manual 5 km entry is not a hole).
THIN_MIN_M = 20_000


@dataclass(frozen=True)
class Hole:
    """A local day a file that could not be read may hold a run on."""

    day: dt.date
    source: str
    reason: str

    def to_dict(self) -> dict:
        return {"date": day_iso(self.day), "source": self.source, "reason": self.reason}


def sniff_start(path: str | os.PathLike) -> pd.Timestamp | None:
    """The first timestamp in the first `SNIFF_BYTES` of a GPX or TCX file (gzipped or not), UTC; None when there is none."""
    name = os.fspath(path).lower()
    if not name.endswith((".gpx", ".tcx", ".gpx.gz", ".tcx.gz")):
        return None
    try:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    m = _STAMP.search(head)
    if not m:
        return None
    try:
        stamp = pd.Timestamp(m.group(1).decode())
    except (ValueError, OverflowError):
        return None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    stamp = stamp.tz_convert("UTC")
    return stamp if 1990 <= stamp.year <= dt.date.today().year + 1 else None


def data_holes(export, zone) -> list[Hole]:
    """The days the export's unreadable files may hold runs on, in the runner's ``zone``, oldest first.

    Only files whose date can be read from their first bytes count (a GPX or
    TCX file inside the export folder); an unreadable FIT file or an archive
    member has no day to place it on.
    """
    root = getattr(export, "root", None)
    if not root or not os.path.isdir(root):
        return []
    out = []
    for entry in export.errors:
        path = os.path.join(root, entry["source"])
        if not os.path.isfile(path):
            continue
        stamp = sniff_start(path)
        if stamp is None:
            continue
        try:
            day = stamp.tz_convert(zone).date()
        except (TypeError, ValueError):
            day = stamp.date()
        out.append(Hole(day, entry["source"], entry.get("error") or "could not be read"))
    return sorted(out, key=lambda h: h.day)


def coverage(runs: pd.DataFrame) -> list[dict]:
    """Months whose files hold less than `THIN_SHARE` of the distance their runs list (runs known only from a list).

    ``[{"month": "2024-09", "files_m", "listed_m", "share"}]``, oldest first;
    empty when every run came with its samples.
    """
    if runs.empty or "has_samples" not in runs:
        return []
    listed = runs["has_samples"].map(lambda x: x is False)
    if not listed.any():
        return []
    month = pd.Series([f"{d:%Y-%m}" for d in runs["local_date"]], index=runs.index)
    total = runs["distance_m"].groupby(month).sum()
    files = runs["distance_m"].where(~listed, 0.0).groupby(month).sum()
    out = []
    for m in total.index:
        if total[m] >= THIN_MIN_M and files[m] < THIN_SHARE * total[m]:
            out.append({"month": m, "files_m": float(files[m]), "listed_m": float(total[m]), "share": float(files[m] / total[m])})
    return out


def coverage_text(months: list[dict]) -> str:
    """``"Your files hold about 60% of the running your platform lists in Sep 2024 and Oct 2024 ..."``; "" when none."""
    if not months:
        return ""
    names = [f"{dt.date.fromisoformat(m['month'] + '-01'):%b %Y} ({m['share'] * 100:.0f}%)" for m in months[:6]]
    more = f" and {len(months) - 6} more months" if len(months) > 6 else ""
    share = sum(m["files_m"] for m in months) / sum(m["listed_m"] for m in months)
    return (
        f"Your files hold about {share * 100:.0f}% of the running your platform lists in {', '.join(names)}{more}: "
        "the rest is known only from the list, so distance counts but pace, cadence and terrain are not judged there."
    )
