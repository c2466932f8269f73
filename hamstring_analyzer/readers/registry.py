"""The readers registry: every format says how it recognises its files and how it reads them.

A new format is one reader module and one `Reader` line in `READERS`;
`read_activities` and the export's file discovery loop over this list.

Recognising a file takes two tests. ``names`` decides which files of an
export are worth opening at all (by name, cheap, before any byte is read);
``sniff`` decides from the first bytes what a file really is, because
exports mislabel files. A reader whose files can be far larger than memory
(Apple Health's ``export.xml``) is ``streamed``: it reads from an opener,
never from bytes in memory.
"""

from __future__ import annotations

import fnmatch
import importlib
from dataclasses import dataclass
from typing import Callable

from .daily_log import looks_like_daily_log
from .files import sniff
from .strava_csv import looks_like_activities_csv

#: How far into a file ``sniff`` looks [bytes].
SNIFF_BYTES = 65536


@dataclass(frozen=True)
class Reader:
    """One format.

    Attributes
    ----------
    kind : str
        The id written in ``Activity.format`` and in a run's ``sources``.
    title : str
        The format in words, for messages.
    names : tuple of str
        Lower-case shell patterns of the file names this format uses (after any
        ``.gz``), matched against the base name.
    sniff : callable
        ``sniff(head, name) -> bool`` on the first `SNIFF_BYTES` of the content.
    module, function : str
        Where the reading function lives (imported when first needed):
        ``function(data, source) -> list[Activity]``, or for a streamed reader
        ``function(opener, source) -> list[Activity]``.
    index : bool
        The file lists activities whose own files may sit beside it (Strava's
        ``activities.csv``, Garmin's summaries): read before the activity files,
        so that what it says about them (a run or a ride) is known when they are read.
    streamed : bool
        Read from an opener, not from bytes (files that can exceed memory).
    """

    kind: str
    title: str
    names: tuple[str, ...]
    sniff: Callable[[bytes, str], bool]
    module: str
    function: str
    index: bool = False
    streamed: bool = False

    def matches_name(self, name: str) -> bool:
        base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
        if base.endswith(".gz"):
            base = base[:-3]
        return any(fnmatch.fnmatchcase(base, pattern) for pattern in self.names)

    def load(self) -> Callable:
        # A dispatch table, not a hidden import: each reader module is named in `READERS` and imported on first use.
        return getattr(importlib.import_module(self.module, __package__), self.function)


def _is_fit(head: bytes, name: str) -> bool:
    return sniff(head) == "fit"


def _is_gpx(head: bytes, name: str) -> bool:
    return sniff(head) == "gpx"


def _is_tcx(head: bytes, name: str) -> bool:
    return sniff(head) == "tcx"


def _is_apple_health(head: bytes, name: str) -> bool:
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return h.startswith(b"<") and (b"<HealthData" in h or b"<!DOCTYPE HealthData" in h)


def _is_strava_csv(head: bytes, name: str) -> bool:
    return looks_like_activities_csv(head)


def _is_garmin_summary(head: bytes, name: str) -> bool:
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return h[:1] == b"[" and b"summarizedActivitiesExport" in h[:4096]


def _is_polar(head: bytes, name: str) -> bool:
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    # Newer exports may list no exercise: the session's own identifier and duration then say what it is.
    session = b'"exercises"' in h or (b'"identifier"' in h and b'"durationMillis"' in h)
    return h[:1] == b"{" and session and (b'"startTime"' in h or b'"start-time"' in h)


def _is_daily_log(head: bytes, name: str) -> bool:
    return looks_like_daily_log(head)


#: Every format, in the order content sniffing tries them (most specific first).
READERS: tuple[Reader, ...] = (
    Reader("fit", "FIT", ("*.fit",), _is_fit, ".fit", "read_fit"),
    Reader("apple_health", "Apple Health export", ("export.xml",), _is_apple_health, ".apple_health", "read_apple_health", streamed=True),
    Reader("tcx", "TCX", ("*.tcx",), _is_tcx, ".tcx", "read_tcx"),
    Reader("gpx", "GPX", ("*.gpx",), _is_gpx, ".gpx", "read_gpx"),
    Reader("strava_csv", "Strava activities.csv", ("activities.csv",), _is_strava_csv, ".strava_csv", "read_strava_csv", index=True),
    Reader("garmin_summary", "Garmin Connect activity summaries", ("*summarizedactivities*.json",), _is_garmin_summary,
           ".garmin_summary", "read_garmin_summary", index=True),  # fmt: skip
    Reader("polar_json", "Polar Flow training session", ("training-session-*.json", "training-session_*.json"), _is_polar, ".polar", "read_polar"),
    Reader("daily_log", "daily training log", ("daily_log*.csv", "daily-log*.csv"), _is_daily_log, ".daily_log", "read_daily_log"),
)
BY_KIND = {r.kind: r for r in READERS}


def reader_for_content(head: bytes, name: str = "") -> Reader | None:
    """The reader whose ``sniff`` accepts these first bytes, or None."""
    return next((r for r in READERS if r.sniff(head, name)), None)


def reader_for_name(name: str) -> Reader | None:
    """The reader whose file names include ``name`` (a path or a base name), or None."""
    return next((r for r in READERS if r.matches_name(name)), None)


def is_index_name(name: str) -> bool:
    reader = reader_for_name(name)
    return reader is not None and reader.index


def is_streamed_name(name: str) -> bool:
    reader = reader_for_name(name)
    return reader is not None and reader.streamed and not name.lower().endswith(".gz")


def known_names() -> str:
    """The file names read, in words, for a "not an activity file" reason."""
    return ", ".join(sorted({p for r in READERS for p in r.names}))
